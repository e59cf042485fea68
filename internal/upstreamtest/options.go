package upstreamtest

import (
	"io"
	"time"
)

// config is what the options set. Its zero value is not used; see
// defaultConfig.
type config struct {
	// key, when not empty, is the only credential accepted.
	key string
	// addr is the listen address.
	addr string
	// retryAfter is the Retry-After of ScenarioRateLimited, in seconds.
	retryAfter int
	// noRetryHint drops every retry hint from ScenarioRateLimited.
	noRetryHint bool
	// log, when not nil, receives one line per request.
	log io.Writer
	// deltas and interval shape every stream unless a request overrides
	// them with HeaderDeltas and HeaderDeltaInterval.
	deltas   int
	interval time.Duration
	// catalog rejects models outside the model list.
	catalog bool
	// required rejects requests without a documented required field.
	required bool
	// latency delays the first byte of every reply.
	latency time.Duration
	// drift makes the server depart from the documented behaviour.
	drift Drift
}

func defaultConfig() config {
	return config{addr: "127.0.0.1:0", retryAfter: DefaultRetryAfter, deltas: DefaultDeltas}
}

// Option configures a [Server].
type Option func(*config)

// WithKey makes the server require key: as Authorization: Bearer on OpenAI
// routes, x-api-key (or Bearer) on Anthropic routes, x-goog-api-key (or
// ?key=) on Gemini routes. A wrong or missing credential gets the family's
// 401 whose message echoes the credential presented. Without WithKey any
// credential, or none, is accepted.
func WithKey(key string) Option { return func(c *config) { c.key = key } }

// WithAddr sets the listen address; the default is 127.0.0.1:0.
func WithAddr(addr string) Option { return func(c *config) { c.addr = addr } }

// WithRetryAfter sets the Retry-After of [ScenarioRateLimited], in seconds
// (default [DefaultRetryAfter]).
func WithRetryAfter(seconds int) Option { return func(c *config) { c.retryAfter = seconds } }

// WithNoRetryHint makes [ScenarioRateLimited] answer without Retry-After
// header and without a Gemini RetryInfo detail.
func WithNoRetryHint() Option { return func(c *config) { c.noRetryHint = true } }

// WithLog writes one line per request to w: method, path (never the
// query), family, scenario and status. Credentials and bodies are never
// written.
func WithLog(w io.Writer) Option { return func(c *config) { c.log = w } }

// WithDeltas sets how many text deltas a stream has (default
// [DefaultDeltas]) and the pause between them (default none). Requests may
// override both with [HeaderDeltas] and [HeaderDeltaInterval].
func WithDeltas(n int, interval time.Duration) Option {
	return func(c *config) {
		if n > 0 {
			c.deltas = n
		}
		c.interval = interval
	}
}

// WithModelCatalog makes the server answer a request naming a model that
// is not in its model list (GET /v1/models) with the family's documented
// model-not-found error (404), as real gateways do. Scenario models
// ("scenario-...") are still served. Without it any model name is served.
func WithModelCatalog() Option { return func(c *config) { c.catalog = true } }

// WithRequiredFields makes the server answer a request without a field the
// family's documentation marks required (chat and Anthropic messages,
// embeddings input, Gemini contents) with the family's documented 400, as
// the real services do. Without it only the model (and Anthropic's
// max_tokens) is required, so that tests can send bare bodies.
func WithRequiredFields() Option { return func(c *config) { c.required = true } }

// WithLatency delays the first byte of every reply by d, as a real
// upstream takes time to answer; a client that gives up first aborts the
// reply.
func WithLatency(d time.Duration) Option { return func(c *config) { c.latency = d } }

// Drift is a way the server departs from the documented behaviour, for
// tests of tools that compare an upstream with its documentation.
type Drift int

// Drifts; combine them with |.
const (
	// DriftErrorShape answers errors with a JSON body outside the family's
	// documented error shape ({"message", "status"}).
	DriftErrorShape Drift = 1 << iota
	// DriftExtraField adds the undocumented top-level field
	// [DriftFieldName] to every successful JSON reply.
	DriftExtraField
	// DriftRetryHint sends Retry-After on every error reply, the
	// non-retryable ones included.
	DriftRetryHint
)

// DriftFieldName is the field [DriftExtraField] adds.
const DriftFieldName = "upstreamtest_extra"

// WithDrift makes the server depart from the documented behaviour as d
// says.
func WithDrift(d Drift) Option { return func(c *config) { c.drift |= d } }
