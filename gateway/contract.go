package gateway

import (
	"errors"
	"net/http"
	"net/url"
	"sort"
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

// headerNames lists the request's header names in lower case, sorted; a
// Gemini `key` query parameter counts as the x-goog-api-key header.
func headerNames(h http.Header, q url.Values) []string {
	out := make([]string, 0, len(h)+1)
	for k := range h {
		out = append(out, strings.ToLower(k))
	}
	if q.Has("key") {
		out = append(out, "x-goog-api-key")
	}
	sort.Strings(out)
	return out
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
	c.RequestJSONError = s.body.n > 0 && !s.scan.Valid()
	r := s.g.cfg.Contract.CheckRequest(&c, s.headers, true)
	if len(r.RequestProblems) == 0 {
		return nil
	}
	s.mu.Lock()
	s.rejected = r.RequestProblems
	s.mu.Unlock()
	return errContractRejected
}
