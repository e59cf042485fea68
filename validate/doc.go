// Package validate lays out the contract runbook's validation sequence for
// the endpoints of a contract manifest, judges what each request showed
// against the manifest, and renders the release-gate checklist.
//
// For each endpoint the sequence is: a valid minimal request; a
// production-shaped one (the manifest's validation placeholders for the
// optional fields the team relies on); a streamed one where the endpoint
// streams (terminal event and usage checked); a missing and an invalid
// credential; malformed JSON; a missing required field; an unknown model;
// and a client deadline shorter than any reply. Plan builds the requests
// from the family's minimal request in the request-family registry
// (call.Spec.Request) and the manifest (fixed placeholder prompt, no
// credential value); the caller sends them
// through the gateway and fills an Observation per request; Judge compares
// it with the manifest: pass, fail, or drift (accepted where the
// documentation says it must fail, error body out of shape, a documented
// field missing, fields the manifest does not list, a retry hint on a
// non-retryable status, an undocumented error status), each drift with
// the escalation fields the runbook asks for. Checklist.Finish adds the
// totals, the verdict and the runbook's release gate; Render writes it as
// Markdown, YAML, JSON or self-contained HTML.
//
// Observations, rows and drift reports carry names, statuses and
// sanitized ids only, never a value from a request or response body.
package validate
