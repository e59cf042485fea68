package gateway

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/agentwrap/agentwrap/call"
)

// Checker checks calls against a contract manifest. Implementations must be
// safe for concurrent use and must not retain the call.
type Checker interface {
	// CheckRequest returns the manifest endpoint matching the call's method
	// and path and the request's departures from it. headerNames are the
	// request's header names, lower case. bodyRead is false when the body
	// has not been read yet (the enforcement check before forwarding): the
	// required-field check is then skipped.
	CheckRequest(c *call.Call, headerNames []string, bodyRead bool) call.ContractResult
	// CheckResponse appends the response's departures from the endpoint in
	// r (documented fields, stream terminal event, error shape) to r.
	CheckResponse(c *call.Call, r *call.ContractResult)
}

// errContractRejected ends the upstream request body when --enforce-contract
// finds the request does not match its contract.
var errContractRejected = errors.New("agentwrap: request does not match the contract")

// headerNames lists the request's header names in lower case, in no
// particular order (the contract check looks names up; sorting them cost
// the call's path about a microsecond); a Gemini `key` query parameter
// counts as the x-goog-api-key header. The names are appended to out (a
// call state's array, so that listing them allocates nothing for a usual
// request).
func headerNames(out []string, h http.Header, q url.Values) []string {
	for k := range h {
		out = append(out, lowerHeaderName(k))
	}
	if q.Has("key") {
		out = append(out, "x-goog-api-key")
	}
	return out
}

// lowerHeaderNames maps the canonical names of the headers agents send to
// their lower case, shared instead of allocated per request.
var lowerHeaderNames = func() map[string]string {
	m := map[string]string{}
	for _, k := range []string{"Accept", "Accept-Encoding", "Accept-Language", "Anthropic-Beta",
		"Anthropic-Dangerous-Direct-Browser-Access", "Anthropic-Version", "Api-Key", "Authorization",
		"Connection", "Content-Length", "Content-Type", "Openai-Beta", "Openai-Organization",
		"Openai-Project", "Originator", "Session_id", "Traceparent", "Transfer-Encoding", "User-Agent",
		"X-Api-Key", "X-App", "X-Goog-Api-Client", "X-Goog-Api-Key", "X-Stainless-Arch",
		"X-Stainless-Async", "X-Stainless-Helper-Method", "X-Stainless-Lang", "X-Stainless-Os",
		"X-Stainless-Package-Version", "X-Stainless-Retry-Count", "X-Stainless-Runtime",
		"X-Stainless-Runtime-Version", "X-Stainless-Timeout"} {
		m[k] = strings.ToLower(k)
	}
	return m
}()

// lowerHeaderName returns a header name in lower case.
func lowerHeaderName(k string) string {
	if l, ok := lowerHeaderNames[k]; ok {
		return l
	}
	return strings.ToLower(k)
}

// contractError is the family-format answer to a request rejected by
// --enforce-contract; problems are content-free ("missing required field:
// max_tokens").
func contractError(problems []string) gatewayError {
	return gatewayError{http.StatusBadRequest, "invalid_request_error", "contract_mismatch",
		"agentwrap: request does not match the contract manifest (--enforce-contract): " + strings.Join(problems, "; ")}
}

// checkRequest runs the contract check once the request body was sent;
// bodyRead is false when it was not sent whole (the upstream could not be
// reached), and the required-field check is then skipped.
func (s *callState) checkRequest(c *call.Call, bodyRead bool) {
	chk := s.g.cfg.Contract
	if chk == nil {
		return
	}
	enforced := c.Contract.Enforced
	c.Contract = chk.CheckRequest(c, s.headers, bodyRead)
	c.Contract.Enforced = enforced
	if !enforced {
		chk.CheckResponse(c, &c.Contract)
	}
}

// precheck is the enforcement check before anything is forwarded: endpoint,
// method and headers, and the required fields when there is no body.
func (s *callState) precheck(hasBody bool) []string {
	r := s.g.cfg.Contract.CheckRequest(&s.c, s.headers, !hasBody)
	return r.RequestProblems
}

// bodyCheck is the enforcement check at the end of the request body.
func (s *callState) bodyCheck() error {
	c := s.c
	c.RequestKeys = s.scan.Keys()
	c.RequestJSONError = s.body.bodyLen() > 0 && !s.scan.Valid()
	r := s.g.cfg.Contract.CheckRequest(&c, s.headers, true)
	if len(r.RequestProblems) == 0 {
		return nil
	}
	s.mu.Lock()
	s.rejected = r.RequestProblems
	s.mu.Unlock()
	return errContractRejected
}
