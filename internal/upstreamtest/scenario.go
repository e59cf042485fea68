package upstreamtest

import (
	"net/http"
	"strings"
)

// Scenarios a request can select with [HeaderScenario] or with a model
// named "scenario-<name>..." (see [ScenarioModel]).
const (
	// ScenarioOK is a normal successful reply.
	ScenarioOK = "ok"
	// ScenarioUnauthorized is a 401 whose message echoes the presented
	// credential, as some real gateways do.
	ScenarioUnauthorized = "unauthorized"
	// ScenarioForbidden is a 403 permission error.
	ScenarioForbidden = "forbidden"
	// ScenarioPaymentRequired is a 402 insufficient-quota or billing error.
	ScenarioPaymentRequired = "payment-required"
	// ScenarioRateLimited is a 429 with Retry-After (and, for Gemini, a
	// RetryInfo detail) unless the server was built [WithNoRetryHint].
	ScenarioRateLimited = "rate-limited"
	// ScenarioServerError is a 500.
	ScenarioServerError = "server-error"
	// ScenarioOverloaded is Anthropic's 529 overloaded_error, or a 503 for
	// the other families.
	ScenarioOverloaded = "overloaded"
	// ScenarioHTML404 is a 404 with a text/html body.
	ScenarioHTML404 = "html-404"
	// ScenarioTruncated aborts the connection after half of the deltas,
	// before the terminal event (a non-streaming reply is cut in half).
	ScenarioTruncated = "truncated"
	// ScenarioMissingUsage is a successful reply without its usage object.
	ScenarioMissingUsage = "missing-usage"
	// ScenarioModelNotFound is a 404 model-not-found error.
	ScenarioModelNotFound = "model-not-found"
	// ScenarioBadRequest is a 400 invalid-request error.
	ScenarioBadRequest = "bad-request"
	// ScenarioSlowFirstByte waits [HeaderDelay] (default [DefaultDelay])
	// before the first byte of a normal reply.
	ScenarioSlowFirstByte = "slow-first-byte"
	// ScenarioResetMidStream resets the TCP connection (RST) after half
	// of the deltas.
	ScenarioResetMidStream = "reset-mid-stream"
	// ScenarioHugeStream streams [HeaderDeltas] deltas (default
	// [DefaultHugeDeltas]).
	ScenarioHugeStream = "huge-stream"
	// ScenarioEchoSecretSSE adds a delta whose text contains the presented
	// credential.
	ScenarioEchoSecretSSE = "echo-secret-sse"
	// ScenarioEchoSecret is a successful reply (stream or not) that echoes
	// the presented credential everywhere: in a text delta as
	// [ScenarioEchoSecretSSE] does, in the [EchoHeader] response header
	// and in the [EchoTrailer] trailer, as a gateway's debug output may,
	// and (chat completions) in the response id, "chatcmpl-<credential>".
	ScenarioEchoSecret = "echo-secret"
)

// The header and trailer in which [ScenarioEchoSecret] echoes the
// presented credential.
const (
	EchoHeader  = "X-Debug-Presented-Credential"
	EchoTrailer = "X-Debug-Credential-Trailer"
)

// scenarios lists every scenario, longest names first so that a model-name
// prefix matches the most specific one.
var scenarios = []string{
	ScenarioPaymentRequired, ScenarioResetMidStream, ScenarioEchoSecretSSE, ScenarioEchoSecret,
	ScenarioModelNotFound, ScenarioSlowFirstByte, ScenarioUnauthorized,
	ScenarioMissingUsage, ScenarioRateLimited, ScenarioServerError,
	ScenarioBadRequest, ScenarioHugeStream, ScenarioOverloaded,
	ScenarioForbidden, ScenarioTruncated, ScenarioHTML404, ScenarioOK,
}

// scenarioPrefix starts a model name that selects a scenario.
const scenarioPrefix = "scenario-"

// ScenarioModel returns the model name that selects scenario s, for agent
// CLIs whose requests cannot carry [HeaderScenario].
func ScenarioModel(s string) string { return scenarioPrefix + s }

// scenarioOf returns the scenario a request selects: the header wins, then a
// "scenario-<name>" model prefix, then [ScenarioOK]. known is false when the
// header names no scenario this package knows.
func scenarioOf(h http.Header, model string) (name string, known bool) {
	if v := strings.TrimSpace(h.Get(HeaderScenario)); v != "" {
		for _, s := range scenarios {
			if strings.EqualFold(v, s) {
				return s, true
			}
		}
		return v, false
	}
	rest, ok := strings.CutPrefix(model, scenarioPrefix)
	if !ok {
		return ScenarioOK, true
	}
	for _, s := range scenarios {
		if after, ok := strings.CutPrefix(rest, s); ok && (after == "" || strings.ContainsAny(after[:1], "-_./:@")) {
			return s, true
		}
	}
	return rest, false
}

// isError reports whether scenario s answers with an error status.
func isError(s string) bool {
	switch s {
	case ScenarioUnauthorized, ScenarioForbidden, ScenarioPaymentRequired,
		ScenarioRateLimited, ScenarioServerError, ScenarioOverloaded,
		ScenarioHTML404, ScenarioModelNotFound, ScenarioBadRequest:
		return true
	}
	return false
}
