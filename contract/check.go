package contract

import (
	"fmt"
	"slices"
	"strings"
)

// The problems CheckRequest and CheckResponse report are short and
// content-free: they name manifest fields, headers, events and statuses, and
// never quote anything from the request or response.

// CheckRequest checks a request against endpoint e. headerNames are the
// names of the request's headers (any case), topLevelKeys the top-level keys
// of its JSON body, and jsonError reports a body that was present but not a
// JSON object. Credential headers are satisfied by any one of the headers the
// endpoint declares. It returns problems such as
// "missing required header: anthropic-version" and
// "missing required field: max_tokens", or nil.
func CheckRequest(e *Endpoint, headerNames []string, topLevelKeys []string, jsonError bool) []string {
	if e == nil {
		return []string{"request not in the contract manifest"}
	}
	// A request has a few dozen headers and top-level keys at most, an
	// endpoint a few required ones: scanning the lists is cheaper than
	// building a set of them for every call.
	var problems []string
	if len(e.CredentialHeaders) > 0 && !anyHeader(headerNames, e.CredentialHeaders) {
		problems = append(problems, "missing credential header: one of "+strings.Join(e.CredentialHeaders, ", "))
	}
	for _, h := range e.RequiredHeaders {
		if !hasHeader(headerNames, h) {
			problems = append(problems, "missing required header: "+h)
		}
	}
	if jsonError {
		return append(problems, "request body is not a JSON object")
	}
	for _, f := range e.RequiredFields {
		if !slices.Contains(topLevelKeys, f) {
			problems = append(problems, "missing required field: "+f)
		}
	}
	return problems
}

// hasHeader reports whether names holds name (lower case), in any case.
func hasHeader(names []string, name string) bool {
	for _, n := range names {
		if strings.EqualFold(n, name) {
			return true
		}
	}
	return false
}

// anyHeader reports whether names holds any of want (lower case), in any
// case.
func anyHeader(names, want []string) bool {
	for _, w := range want {
		if hasHeader(names, w) {
			return true
		}
	}
	return false
}

// Response is what the gateway observed of one upstream response, for
// CheckResponse.
type Response struct {
	// Status is the HTTP status code.
	Status int
	// Stream is true when the body was an event stream.
	Stream bool
	// StreamComplete is true when the stream ended with one of the endpoint's
	// terminal events (or, when it declares none, reached its end cleanly).
	StreamComplete bool
	// MissingFields lists documented fields the body lacked: see
	// MissingJSONFields and MissingEventFields.
	MissingFields []string
	// JSONError is true when a body documented as JSON did not parse (an
	// HTML error page, a truncated object).
	JSONError bool
	// ErrorType is the machine-readable type of an error body: error.type
	// for the openai and anthropic shapes, error.status for gemini. Empty
	// when the body had none.
	ErrorType string
}

// CheckResponse checks a response against endpoint e and returns problems
// such as "missing documented field: usage", "stream ended without terminal
// event message_stop" and "error body not in documented shape (anthropic)",
// or nil.
func CheckResponse(e *Endpoint, r Response) []string {
	if e == nil {
		return nil
	}
	switch {
	case r.Status >= 200 && r.Status < 300:
		return checkSuccess(e, r)
	case r.Status >= 400 && r.Status < 600:
		return checkError(e, r)
	}
	return []string{fmt.Sprintf("unexpected status %d", r.Status)}
}

func checkSuccess(e *Endpoint, r Response) []string {
	var problems []string
	switch {
	case r.Stream && !e.Streams:
		problems = append(problems, "event stream not documented for this endpoint")
	case !r.Stream && e.StreamAlways:
		problems = append(problems, "response is not the documented event stream")
	case !r.Stream && r.JSONError:
		problems = append(problems, "response body is not JSON")
	}
	if r.Stream && e.Streams && !r.StreamComplete {
		if len(e.StreamTerminal) > 0 {
			problems = append(problems, "stream ended without terminal event "+strings.Join(e.StreamTerminal, " or "))
		} else {
			problems = append(problems, "stream ended before its end")
		}
	}
	for _, f := range r.MissingFields {
		problems = append(problems, "missing documented field: "+f)
	}
	return problems
}

func checkError(e *Endpoint, r Response) []string {
	var problems []string
	if !containsInt(e.Retryable, r.Status) && !containsInt(e.NonRetryable, r.Status) {
		problems = append(problems, fmt.Sprintf("undocumented status %d", r.Status))
	}
	switch {
	case r.JSONError:
		problems = append(problems, "error body is not JSON")
	case r.ErrorType == "":
		problems = append(problems, "error body not in documented shape ("+e.ErrorShape+")")
	}
	return problems
}

// MissingJSONFields returns the endpoint's documented response fields absent
// from present (the top-level keys of a successful JSON response), in
// manifest order.
func MissingJSONFields(e *Endpoint, present []string) []string {
	if e == nil {
		return nil
	}
	return missing(e.ResponseFields, present)
}

// MissingEventFields returns the documented fields of stream event t absent
// from present (the top-level keys of that event's data). An event the
// endpoint does not document has no documented fields.
func MissingEventFields(e *Endpoint, t string, present []string) []string {
	if e == nil {
		return nil
	}
	ev := e.Event(t)
	if ev == nil {
		return nil
	}
	return missing(ev.Fields, present)
}

func missing(want, present []string) []string {
	have := make(map[string]bool, len(present))
	for _, p := range present {
		have[p] = true
	}
	var out []string
	for _, w := range want {
		if !have[w] {
			out = append(out, w)
		}
	}
	return out
}
