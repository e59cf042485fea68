package spans

import (
	"slices"

	"go.opentelemetry.io/otel/attribute"
)

// Attribute keys of the agentwrap span schema. Each key is defined here once;
// the redact allowlist and the collector configuration are generated from
// Schema, so a key that is not listed there is never exported.

// agentwrap keys: the usage-trace record of the seed workflow.
const (
	// RunID is the run identifier shared by the run span and its call spans.
	RunID = attribute.Key("agentwrap.run_id")
	// CheckedAt is the RFC 3339 access date of the contract manifest entry
	// the call matched: when its documentation was last checked.
	CheckedAt = attribute.Key("agentwrap.checked_at")
	// SourceURLs lists the documentation URLs of the matched manifest entry.
	SourceURLs = attribute.Key("agentwrap.source_urls")
	// RequestFamily is the wire family of the call, e.g. "anthropic.messages".
	RequestFamily = attribute.Key("agentwrap.request_family")
	// CredentialRedacted is true when the credential of the call was kept out
	// of every recorded value and the exported attributes passed the secret scan.
	CredentialRedacted = attribute.Key("agentwrap.credential_redacted")
	// CredentialLabel identifies the credential used by a stable label (the
	// last four hex digits of a keyed hash), never by value.
	CredentialLabel = attribute.Key("agentwrap.credential_label")
	// ResultClass is "pass", "fail" or "needs_follow_up".
	ResultClass = attribute.Key("agentwrap.result_class")
	// FailureClass is "none", "contract_mismatch", "auth_rejected",
	// "unexpected_response" or "operator_follow_up".
	FailureClass = attribute.Key("agentwrap.failure_class")
	// Notes is a short sanitized note of at most 200 characters.
	Notes = attribute.Key("agentwrap.notes")
	// ContractEndpoint is the id of the manifest endpoint matched, or empty.
	ContractEndpoint = attribute.Key("agentwrap.contract.endpoint")
	// ContractManifest names the contract manifest the run's calls were
	// checked against: "builtin:cometapi.yaml" or the manifest file's base
	// name, never its directory (run span only).
	ContractManifest = attribute.Key("agentwrap.contract.manifest")
	// Calls is the number of model calls of a run (run span only).
	Calls = attribute.Key("agentwrap.calls")
	// Profile is the agent profile the run used (run span only).
	Profile = attribute.Key("agentwrap.profile")
	// Upstream is the scheme and host of the configured upstream, without
	// path, query or credentials (run span only).
	Upstream = attribute.Key("agentwrap.upstream")
	// InstructionFiles lists the instruction and memory files found for the
	// run as "path sha256:hex" (run span only).
	InstructionFiles = attribute.Key("agentwrap.instruction_files")
	// RejectedRequests counts the requests the gateway refused without
	// forwarding them: no run token, a wrong one, a foreign Host or a
	// browser Origin. None of them is a call span (run span only; absent
	// when none was refused).
	RejectedRequests = attribute.Key("agentwrap.rejected_requests")
	// RejectedMethod, RejectedPath and RejectedReason describe the first
	// refused request: its method, its path without query (at most 200
	// bytes) and why it was refused ("run_token_missing",
	// "run_token_wrong", "host_not_allowed", "origin_not_allowed"). Run
	// span only, with RejectedRequests.
	RejectedMethod = attribute.Key("agentwrap.rejected_request.method")
	RejectedPath   = attribute.Key("agentwrap.rejected_request.path")
	RejectedReason = attribute.Key("agentwrap.rejected_request.reason")
	// ProbeRequests counts the connectivity probes (HEAD /api/hello, GET /,
	// OPTIONS, /favicon.ico) the gateway answered itself; none is a call
	// span (run span only; absent when there was none).
	ProbeRequests = attribute.Key("agentwrap.probe_requests")
	// Redactions counts attributes dropped or masked by the exporter-side
	// guard on this span; absent when nothing was dropped.
	Redactions = attribute.Key("agentwrap.redactions")
	// ChecksPass, ChecksFail, ChecksDrift, ChecksNotApplicable and
	// ChecksNotRun count the checklist rows of an `agentwrap validate` run
	// by result; ChecksOperator counts the release-gate items left for the
	// operator to confirm (validation run span only).
	ChecksPass          = attribute.Key("agentwrap.checks.pass")
	ChecksFail          = attribute.Key("agentwrap.checks.fail")
	ChecksDrift         = attribute.Key("agentwrap.checks.drift")
	ChecksNotApplicable = attribute.Key("agentwrap.checks.not_applicable")
	ChecksNotRun        = attribute.Key("agentwrap.checks.not_run")
	ChecksOperator      = attribute.Key("agentwrap.checks.operator_to_confirm")
)

// OpenTelemetry GenAI semantic convention keys.
const (
	GenAIOperationName        = attribute.Key("gen_ai.operation.name")
	GenAIProviderName         = attribute.Key("gen_ai.provider.name")
	GenAIRequestModel         = attribute.Key("gen_ai.request.model")
	GenAIRequestStream        = attribute.Key("gen_ai.request.stream")
	GenAIRequestMaxTokens     = attribute.Key("gen_ai.request.max_tokens")
	GenAIResponseModel        = attribute.Key("gen_ai.response.model")
	GenAIResponseID           = attribute.Key("gen_ai.response.id")
	GenAIResponseFinishReason = attribute.Key("gen_ai.response.finish_reasons")
	// GenAIUsageInputTokens includes cached input tokens.
	GenAIUsageInputTokens         = attribute.Key("gen_ai.usage.input_tokens")
	GenAIUsageOutputTokens        = attribute.Key("gen_ai.usage.output_tokens")
	GenAIUsageCacheReadTokens     = attribute.Key("gen_ai.usage.cache_read.input_tokens")
	GenAIUsageCacheCreationTokens = attribute.Key("gen_ai.usage.cache_creation.input_tokens")
	// GenAIUsageCacheWriteTokens is the name of cache_creation in the
	// latest GenAI conventions (OTEL_SEMCONV_STABILITY_OPT_IN).
	GenAIUsageCacheWriteTokens = attribute.Key("gen_ai.usage.cache_write.input_tokens")
	GenAIUsageReasoningTokens  = attribute.Key("gen_ai.usage.reasoning.output_tokens")
	// GenAIResponseTimeToFirstChunk is in seconds.
	GenAIResponseTimeToFirstChunk = attribute.Key("gen_ai.response.time_to_first_chunk")
	// GenAIAgentName is the agent's name on the run span.
	GenAIAgentName = attribute.Key("gen_ai.agent.name")
	// GenAIAgentVersion is the agent's version on the run span, as its user
	// agent tells it (README, "Metrics and the conventions version").
	GenAIAgentVersion = attribute.Key("gen_ai.agent.version")
	// GenAITokenType is the token type of a token-usage data point: input,
	// output, and cache_read, cache_creation, reasoning (metrics only).
	GenAITokenType = attribute.Key("gen_ai.token.type")
	// GenAITokenModality is the modality of the latest conventions' usage
	// counters; agentwrap reads no per-modality counts: "unknown" (metrics
	// only).
	GenAITokenModality = attribute.Key("gen_ai.token.modality")
)

// OpenTelemetry HTTP, URL, server and process semantic convention keys.
const (
	HTTPRequestMethod      = attribute.Key("http.request.method")
	HTTPResponseStatusCode = attribute.Key("http.response.status_code")
	HTTPRequestResendCount = attribute.Key("http.request.resend_count")
	// URLPath never carries the query string.
	URLPath         = attribute.Key("url.path")
	ServerAddress   = attribute.Key("server.address")
	ServerPort      = attribute.Key("server.port")
	ErrorType       = attribute.Key("error.type")
	UserAgent       = attribute.Key("user_agent.original")
	ProcessExitCode = attribute.Key("process.exit.code")
)

// schema is every span attribute key agentwrap exports, in a stable order.
// It is the single source of the exporter allowlist and the collector's
// allowed_keys; Schema and SchemaNames hand out copies, so no caller can
// widen the allowlist.
var schema = []attribute.Key{
	RunID, CheckedAt, SourceURLs, RequestFamily, CredentialRedacted,
	CredentialLabel, ResultClass, FailureClass, Notes, ContractEndpoint,
	ContractManifest, Calls, Profile, Upstream, InstructionFiles, Redactions,
	ChecksPass, ChecksFail, ChecksDrift, ChecksNotApplicable, ChecksNotRun,
	ChecksOperator,
	RejectedRequests, RejectedMethod, RejectedPath, RejectedReason, ProbeRequests,
	GenAIOperationName, GenAIProviderName, GenAIRequestModel,
	GenAIRequestStream, GenAIRequestMaxTokens, GenAIResponseModel,
	GenAIResponseID, GenAIResponseFinishReason, GenAIUsageInputTokens,
	GenAIUsageOutputTokens, GenAIUsageCacheReadTokens,
	GenAIUsageCacheCreationTokens, GenAIUsageReasoningTokens,
	GenAIResponseTimeToFirstChunk, GenAIAgentName,
	GenAIUsageCacheWriteTokens, GenAIAgentVersion,
	HTTPRequestMethod, HTTPResponseStatusCode, HTTPRequestResendCount,
	URLPath, ServerAddress, ServerPort, ErrorType, UserAgent,
	ProcessExitCode,
}

// Schema returns every span attribute key agentwrap exports, in a stable
// order: a copy of the allowlist.
func Schema() []attribute.Key { return slices.Clone(schema) }

// SchemaNames returns the keys of Schema as strings.
func SchemaNames() []string {
	out := make([]string, len(schema))
	for i, k := range schema {
		out[i] = string(k)
	}
	return out
}

// metricSchema is every attribute key agentwrap's metrics carry: the
// allowlist of the metric exporter guard. The GenAI conventions' metric
// attributes, and the low-cardinality agentwrap ones teams filter by.
var metricSchema = []attribute.Key{
	GenAIOperationName, GenAIProviderName, GenAIRequestModel,
	GenAIResponseModel, ServerAddress, ServerPort, ErrorType,
	GenAITokenType, GenAITokenModality,
	ResultClass, RequestFamily, GenAIAgentName,
}

// MetricSchemaNames returns the metric attribute keys as strings: a copy of
// the metric allowlist.
func MetricSchemaNames() []string {
	out := make([]string, len(metricSchema))
	for i, k := range metricSchema {
		out[i] = string(k)
	}
	return out
}

// ExportedNames is every attribute key agentwrap exports on spans or
// metrics, under either convention version: Schema, then the metric keys
// Schema lacks. It is the source of the collector's allowed_keys.
func ExportedNames() []string {
	out := SchemaNames()
	for _, k := range metricSchema {
		if !slices.Contains(schema, k) {
			out = append(out, string(k))
		}
	}
	return out
}

// Values of ResultClass and FailureClass.
const (
	ResultPass          = "pass"
	ResultFail          = "fail"
	ResultNeedsFollowUp = "needs_follow_up"

	FailureNone               = "none"
	FailureContractMismatch   = "contract_mismatch"
	FailureAuthRejected       = "auth_rejected"
	FailureUnexpectedResponse = "unexpected_response"
	FailureOperatorFollowUp   = "operator_follow_up"
)
