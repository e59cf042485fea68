// Package contract holds contract manifests: the documented endpoints a model
// call is checked against, the built-in CometAPI manifest, lint and check.
//
// A manifest is a YAML file, reviewed like production configuration, that
// records for each endpoint the integration relies on what the vendor's
// documentation says and when it was read:
//
//	version: 1                          # manifest format version
//	name: cometapi
//	base_url: https://api.cometapi.com  # production, https, no path
//	owner: platform team                # who approved the contract
//	support: https://apidoc.cometapi.com/support/help-center
//	endpoints:
//	  - id: cometapi.messages           # unique; recorded on each call
//	    family: anthropic.messages      # one of Families()
//	    method: POST
//	    path: /v1/messages              # {name} parameters, no query
//	    source_urls: [https://apidoc.cometapi.com/api/text/anthropic-messages]
//	    checked_at: 2026-11-30          # access date (or RFC 3339)
//	    owner: ...                      # defaults to the top-level owner
//	    credential_headers: [x-api-key, authorization]   # any one of them
//	    required_headers: [content-type, anthropic-version]
//	    required_fields: [model, messages, max_tokens]   # top-level body keys
//	    optional_fields: [stream, tools]                 # relied on, optional
//	    response_fields: [id, content, usage]            # read on success
//	    stream:
//	      always: false                 # true when the path itself streams
//	      events:
//	        - {type: message_start, fields: [type, message]}
//	        - {type: message_stop, fields: [type]}
//	      terminal: [message_stop]      # or ["[DONE]"]; empty: ends with body
//	    error_shape: anthropic          # openai | anthropic | gemini
//	    retryable: [429, 500, 529]
//	    non_retryable: [400, 401]
//	    unknowns: ["rate limits: ask support via the help center"]
//	    notes: free text
//	    validation:                     # for agentwrap validate (optional)
//	      model: claude-haiku-4-5       # the model its requests name
//	      placeholders:                 # neutral value per optional field sent
//	        system: Reply briefly.
//	      known_response_fields: [stop_sequence]  # documented, not read
//	      unknown_model: [400, 404]     # statuses meaning "unknown model"
//
// YAML anchors and aliases may share lists between endpoints; merge keys
// (<<) are not supported.
//
// Lint reports every problem as a Finding at its file and line. Errors: an
// empty or malformed path (not starting with "/", a query, empty or dot
// segments, a trailing slash, characters outside a URL path, a malformed or
// repeated {name} parameter); a missing or unparsable checked_at, or one in
// the future; a source or support URL that is not https; a base_url that is
// missing, not https, carries a path, query or user info, or names a
// non-production host (localhost, loopback or any IP address, .local,
// .internal and other reserved domains, single-label names, and names with a
// label such as staging, dev, test, sandbox or preview); duplicate ids and
// duplicate routes; a validation placeholder for a field optional_fields
// does not list (or a required one), or one that is not plain JSON; a
// validation model on an endpoint whose requests name none; an
// unknown_model status that is not documented as retryable or
// non-retryable; a known response field that response_fields lists; an unknown family, method, error shape or key; a missing
// version, owner or error shape; malformed statuses. Warning: a checked_at
// older than MaxAge (90 days), meaning the documentation should be read
// again. Parse and Load fail on errors and accept warnings.
//
// The gateway matches each call to an endpoint with Manifest.Match and checks
// it with CheckRequest (path, method, credential and required headers,
// required top-level fields) and CheckResponse (status, documented fields,
// stream terminal event, error body shape). Both return short, content-free
// problems such as "missing required field: max_tokens", naming only what the
// manifest names: nothing from a request or response body is repeated.
//
// Builtin returns the built-in manifest for CometAPI, embedded from
// cometapi.yaml, which cites the CometAPI documentation pages each endpoint
// was checked against and marks rate limits, billing and model availability
// as unknowns to raise with CometAPI support.
package contract
