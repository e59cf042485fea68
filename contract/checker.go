package contract

import "github.com/agentwrap/agentwrap/call"

// Checker checks the gateway's calls against a manifest. It has the method
// set of the gateway's Checker, which wrap plugs it into.
type Checker struct {
	m *Manifest
}

// NewChecker returns the gateway check for m.
func NewChecker(m *Manifest) *Checker { return &Checker{m: m} }

// CheckRequest matches the call to an endpoint and checks method, path,
// headers and, once the body was read, its required top-level fields.
func (k *Checker) CheckRequest(c *call.Call, headerNames []string, bodyRead bool) call.ContractResult {
	e := k.m.MatchEndpoint(c.Method, c.Path)
	if e == nil {
		return call.ContractResult{RequestProblems: []string{"request not in the contract manifest"}}
	}
	r := call.ContractResult{Endpoint: e.ID, CheckedAt: e.CheckedAtRFC3339(), SourceURLs: e.SourceURLs}
	keys := c.RequestKeys
	jsonErr := c.RequestJSONError
	if !bodyRead {
		// Only the head is known: check headers, not fields.
		keys, jsonErr = e.RequiredFields, false
	}
	r.RequestProblems = CheckRequest(e, headerNames, keys, jsonErr)
	return r
}

// CheckResponse checks status, documented fields, the stream's terminal
// event and the error body shape of a call that got a response.
func (k *Checker) CheckResponse(c *call.Call, r *call.ContractResult) {
	if r.Endpoint == "" || c.StatusCode == 0 || c.TransportError != "" || c.Cancelled {
		return
	}
	e := k.m.Endpoint(r.Endpoint)
	resp := Response{
		Status: c.StatusCode, Stream: c.Stream, StreamComplete: c.StreamComplete,
		MissingFields: c.MissingFields, JSONError: c.ResponseJSONError,
		ErrorType: c.UpstreamErrorType,
	}
	if c.ResponseUnparsed {
		// Too large or undecodable to read: fields are unknown, not missing.
		resp.StreamComplete, resp.MissingFields, resp.JSONError = true, nil, false
		if resp.ErrorType == "" {
			resp.ErrorType = "unparsed"
		}
	}
	r.ResponseProblems = CheckResponse(e, resp)
}

// ForFamily returns the first endpoint of the family, or nil.
func (m *Manifest) ForFamily(family string) *Endpoint {
	for i := range m.Endpoints {
		if m.Endpoints[i].Family == family {
			return &m.Endpoints[i]
		}
	}
	return nil
}
