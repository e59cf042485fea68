package report

import "time"

// Run is the usage trace of one run, read from its run file.
type Run struct {
	// ID is the run id: the run file's name without its extension.
	ID string `json:"run_id" yaml:"run_id"`
	// Complete is false when the run file holds no run span: the run is
	// still going, was killed, or its last line was lost.
	Complete bool `json:"complete" yaml:"complete"`
	// Context is the run span's description of the run.
	Context Context `json:"context" yaml:"context"`
	// Record is the seed's usage-trace record, rolled up over the calls.
	Record Record `json:"record" yaml:"record"`
	// Sources are the contract entries the calls matched, with the dates
	// their documentation was checked.
	Sources []Source `json:"contract_sources" yaml:"contract_sources"`
	// Calls are the model calls, in start order: all of them, or when the
	// run has more calls than the report's cap (Options.MaxCalls) those
	// that did not pass first, then the earliest. CallsTotal and CallsShown
	// are set only then: how many calls the run has and how many Calls
	// holds. Every other field counts all calls.
	CallsTotal int    `json:"calls_total,omitempty" yaml:"calls_total,omitempty"`
	CallsShown int    `json:"calls_shown,omitempty" yaml:"calls_shown,omitempty"`
	Calls      []Call `json:"calls" yaml:"calls"`
	// Totals are per request family and model; Total is over all calls.
	Totals []Total `json:"totals" yaml:"totals"`
	Total  Total   `json:"total" yaml:"total"`
	// FollowUps are what a teammate has to look at, with where to escalate.
	FollowUps []FollowUp `json:"follow_ups" yaml:"follow_ups"`
	// LineErrors are the lines of the run file that could not be read: the
	// first 100; LineErrorsOmitted counts the others.
	LineErrors        []LineError `json:"line_errors" yaml:"line_errors"`
	LineErrorsOmitted int         `json:"line_errors_omitted,omitempty" yaml:"line_errors_omitted,omitempty"`
	// NotAsserted is the fixed list of what the trace does not claim.
	NotAsserted []NotAsserted `json:"not_asserted" yaml:"not_asserted"`

	// hist is the timeline of all calls when the table does not show
	// each of them.
	hist *histogram

	// validation is set for an `agentwrap validate` run: its calls fail on
	// purpose, and its result is the checklist's verdict on the run span.
	validation bool
}

// Context is the run span's context of a run.
type Context struct {
	Agent    string `json:"agent" yaml:"agent"`
	Profile  string `json:"profile" yaml:"profile"`
	Upstream string `json:"upstream" yaml:"upstream"`
	// Manifest names the contract manifest the calls were checked against.
	Manifest string `json:"contract_manifest" yaml:"contract_manifest"`
	// TraceID finds the run in a trace backend (Jaeger, Tempo).
	TraceID string `json:"trace_id" yaml:"trace_id"`
	// Version is the agentwrap version that wrote the run (service.version).
	Version string    `json:"agentwrap_version" yaml:"agentwrap_version"`
	Start   time.Time `json:"start" yaml:"start"`
	End     time.Time `json:"end" yaml:"end"`
	// DurationMS is End - Start in milliseconds.
	DurationMS float64 `json:"duration_ms" yaml:"duration_ms"`
	// ExitCode is the agent's exit status; nil when the run span lacks it.
	ExitCode *int `json:"exit_code" yaml:"exit_code"`
	// Calls is the number of calls the run span counted.
	Calls int `json:"calls" yaml:"calls"`
	// Result is the run span's rolled-up result class.
	Result string `json:"result_class" yaml:"result_class"`
	Notes  string `json:"notes" yaml:"notes"`
	// InstructionFiles are the instruction and memory files checked before
	// the run, as "path sha256:hex".
	InstructionFiles []string `json:"instruction_files" yaml:"instruction_files"`
	// UserAgent is the agent's user agent (its first call's), AgentVersion
	// the version it names ("claude-cli/2.1.330 (...)": 2.1.330).
	UserAgent    string `json:"user_agent" yaml:"user_agent"`
	AgentVersion string `json:"agent_version" yaml:"agent_version"`
	// ProbeRequests counts the connectivity probes the gateway answered
	// itself; RejectedRequests the requests it refused (no run token, a
	// foreign Host or Origin), FirstRejected the first of them ("HEAD
	// /api/hello (run_token_missing)"). None of them is a call.
	ProbeRequests    int    `json:"probe_requests" yaml:"probe_requests"`
	RejectedRequests int    `json:"rejected_requests" yaml:"rejected_requests"`
	FirstRejected    string `json:"first_rejected" yaml:"first_rejected"`
}

// Record is the usage-trace record of the seed workflow, with exactly its
// logging fields, rolled up over the run's calls.
type Record struct {
	RunID string `json:"run_id" yaml:"run_id"`
	// CheckedAt is the oldest documentation check date of the contract
	// entries the calls matched.
	CheckedAt string `json:"checked_at" yaml:"checked_at"`
	// SourceURLs are the documentation URLs of those entries.
	SourceURLs []string `json:"source_urls" yaml:"source_urls"`
	// RequestFamily lists the families called, comma separated.
	RequestFamily string `json:"request_family" yaml:"request_family"`
	// CredentialRedacted is true when every call was recorded with
	// credential_redacted=true.
	CredentialRedacted bool   `json:"credential_redacted" yaml:"credential_redacted"`
	ResultClass        string `json:"result_class" yaml:"result_class"`
	FailureClass       string `json:"failure_class" yaml:"failure_class"`
	Notes              string `json:"notes" yaml:"notes"`
}

// Source is one contract entry the calls matched.
type Source struct {
	Endpoint   string   `json:"endpoint" yaml:"endpoint"`
	Family     string   `json:"request_family" yaml:"request_family"`
	CheckedAt  string   `json:"checked_at" yaml:"checked_at"`
	SourceURLs []string `json:"source_urls" yaml:"source_urls"`
	// AgeDays is how many days before the run its documentation was
	// checked; nil when the date does not parse.
	AgeDays *int `json:"age_days" yaml:"age_days"`
	Calls   int  `json:"calls" yaml:"calls"`
}

// Call is one model call.
type Call struct {
	// N numbers the calls from 1 in start order.
	N    int    `json:"n" yaml:"n"`
	Name string `json:"name" yaml:"name"`
	// Start is the call's start; OffsetMS is its distance from the run's.
	Start      time.Time `json:"start" yaml:"start"`
	OffsetMS   float64   `json:"offset_ms" yaml:"offset_ms"`
	DurationMS float64   `json:"duration_ms" yaml:"duration_ms"`
	// FirstChunkMS is the time to the first response chunk; nil when none.
	FirstChunkMS *float64 `json:"time_to_first_chunk_ms" yaml:"time_to_first_chunk_ms"`
	Family       string   `json:"request_family" yaml:"request_family"`
	// Model is the requested model, else the model the response named.
	Model         string `json:"model" yaml:"model"`
	ResponseModel string `json:"response_model" yaml:"response_model"`
	Stream        bool   `json:"stream" yaml:"stream"`
	Method        string `json:"method" yaml:"method"`
	Path          string `json:"path" yaml:"path"`
	// Status is the HTTP status code; 0 when no response arrived.
	Status    int    `json:"status" yaml:"status"`
	ErrorType string `json:"error_type" yaml:"error_type"`
	Result    string `json:"result_class" yaml:"result_class"`
	Failure   string `json:"failure_class" yaml:"failure_class"`
	Notes     string `json:"notes" yaml:"notes"`
	Endpoint  string `json:"contract_endpoint" yaml:"contract_endpoint"`
	CheckedAt string `json:"checked_at" yaml:"checked_at"`
	// Token counts as the upstream reported them; nil when not reported.
	// InputTokens includes the cached input (CacheRead and CacheCreation),
	// as OpenTelemetry counts it; OutputTokens includes the reasoning.
	InputTokens         *int64 `json:"input_tokens" yaml:"input_tokens"`
	OutputTokens        *int64 `json:"output_tokens" yaml:"output_tokens"`
	CacheReadTokens     *int64 `json:"cache_read_tokens" yaml:"cache_read_tokens"`
	CacheCreationTokens *int64 `json:"cache_creation_tokens" yaml:"cache_creation_tokens"`
	ReasoningTokens     *int64 `json:"reasoning_tokens" yaml:"reasoning_tokens"`
	UserAgent           string `json:"user_agent" yaml:"user_agent"`
	// CredentialRedacted is the call span's agentwrap.credential_redacted.
	CredentialRedacted bool `json:"credential_redacted" yaml:"credential_redacted"`

	sourceURLs []string
}

// Total sums the calls of one request family and model (or of all calls:
// Family "all").
type Total struct {
	Family   string `json:"request_family" yaml:"request_family"`
	Model    string `json:"model" yaml:"model"`
	Calls    int    `json:"calls" yaml:"calls"`
	Pass     int    `json:"pass" yaml:"pass"`
	Fail     int    `json:"fail" yaml:"fail"`
	FollowUp int    `json:"needs_follow_up" yaml:"needs_follow_up"`
	// Token sums count only the calls that reported them.
	InputTokens  int64 `json:"input_tokens" yaml:"input_tokens"`
	OutputTokens int64 `json:"output_tokens" yaml:"output_tokens"`
	// DurationMS is the time spent in calls, overlapping calls counted each.
	DurationMS float64 `json:"duration_ms" yaml:"duration_ms"`
}

// FollowUp is one thing that needs a teammate's attention: calls with the
// same result, failure class and note, or a problem of the run itself.
type FollowUp struct {
	Result  string `json:"result_class" yaml:"result_class"`
	Failure string `json:"failure_class" yaml:"failure_class"`
	Note    string `json:"note" yaml:"note"`
	// Calls are the numbers (Call.N) of the calls concerned, the earliest
	// 50; empty for a problem of the run. MoreCalls counts the others.
	Calls     []int `json:"calls" yaml:"calls"`
	MoreCalls int   `json:"more_calls,omitempty" yaml:"more_calls,omitempty"`
	// Action is what to do next; Escalate where to take it (URLs).
	Action   string   `json:"action" yaml:"action"`
	Escalate []string `json:"escalate" yaml:"escalate"`
}

// LineError is a run file line that could not be read, and why.
type LineError struct {
	Line  int    `json:"line" yaml:"line"`
	Error string `json:"error" yaml:"error"`
}

// NotAsserted is one thing the trace does not claim, and why.
type NotAsserted struct {
	Topic string `json:"topic" yaml:"topic"`
	Why   string `json:"why" yaml:"why"`
}

// notAsserted is the fixed "What not to assert" list of the seed workflow.
func notAsserted() []NotAsserted {
	return []NotAsserted{
		{"Cost", "no price, bill or price tier is derived from this run; token counts are as the upstream reported them and are not spend evidence"},
		{"Quota", "remaining quota or balance needs the account view, not a run trace"},
		{"Rate limits", "a 429 or its absence in one run says nothing about the account's limits"},
		{"Availability", "calls that passed do not show that a model or the upstream is generally available or up"},
		{"Production readiness", "one run is a contract check of a narrow path, not approval of a workflow for production"},
	}
}
