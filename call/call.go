package call

import "time"

// Usage holds token counts as reported by the upstream. A negative count
// means the upstream did not report it. Input includes cached tokens.
type Usage struct {
	Input         int64
	Output        int64
	CacheRead     int64
	CacheCreation int64
	Reasoning     int64
}

// NoUsage is a Usage with every count unreported.
func NoUsage() Usage { return Usage{-1, -1, -1, -1, -1} }

// Call is the sanitized record of one model call through the gateway. It
// holds metadata only: no body, prompt, response text, header value outside
// the allowlist, query string or credential is ever stored in it.
type Call struct {
	Family Family
	Method string
	// Path is the request path without the query string.
	Path      string
	UserAgent string
	// ServerAddress and ServerPort name the upstream the call went to.
	ServerAddress string
	ServerPort    int
	// CredentialLabel is the stable label of the credential sent upstream,
	// or empty when the call carried none.
	CredentialLabel string

	Start time.Time
	End   time.Time
	// FirstChunk is the time from Start to the first response body byte;
	// zero when no body arrived.
	FirstChunk time.Duration

	// Request metadata read from the request body's top-level keys.
	RequestModel     string
	RequestStream    bool
	RequestMaxTokens int64 // -1 when absent
	// RequestKeys lists the top-level keys of the JSON request body, in order.
	RequestKeys []string
	// RequestJSONError is set when the request body was not a JSON object.
	RequestJSONError bool

	// ResendCount is the agent's own retry count when it reports one
	// (x-stainless-retry-count), else 0.
	ResendCount int

	// Response metadata.
	StatusCode    int
	ContentType   string
	RetryAfter    bool
	ResponseModel string
	ResponseID    string
	FinishReasons []string
	Usage         Usage

	// Stream is true when the response was an event stream.
	Stream bool
	// StreamComplete is true when a stream ended with its terminal event.
	StreamComplete bool
	// ResponseJSONError is set when a body documented as JSON did not parse.
	ResponseJSONError bool
	// ResponseUnparsed is set when the parser could not read the body: it
	// was larger than the parser's bound, or its Content-Encoding was
	// unknown or undecodable. Response fields and MissingFields are then
	// unknown rather than absent.
	ResponseUnparsed bool
	// SkippedEvents counts stream events larger than the parser's per-event
	// bound; they were passed on but not read.
	SkippedEvents int
	// MissingFields lists documented response fields that were absent.
	MissingFields []string
	// UpstreamErrorType and UpstreamErrorCode are the machine-readable type
	// and code of an upstream error body, when it had them; never its message.
	UpstreamErrorType string
	UpstreamErrorCode string

	// Cancelled is set when the agent went away before the call completed.
	Cancelled bool
	// Contract is the result of checking the call against the contract
	// manifest; its zero value means no manifest entry matched.
	Contract ContractResult

	// TransportError is a short, credential-free class of a failure to reach
	// the upstream ("timeout", "connection_refused", ...), or empty.
	TransportError string
}

// ContractResult is what the contract check found for one call.
type ContractResult struct {
	// Endpoint is the id of the manifest endpoint the call matched, or empty.
	Endpoint string
	// CheckedAt is the RFC 3339 access date of that entry's documentation.
	CheckedAt string
	// SourceURLs are that entry's documentation URLs.
	SourceURLs []string
	// RequestProblems lists short, content-free departures of the request
	// from the contract, e.g. "missing required field: max_tokens".
	RequestProblems []string
	// ResponseProblems lists departures of the response from the contract,
	// e.g. "missing documented field: usage".
	ResponseProblems []string
	// Enforced is set when --enforce-contract rejected the request: the
	// gateway answered 400 itself and nothing reached the upstream's
	// handler.
	Enforced bool
}
