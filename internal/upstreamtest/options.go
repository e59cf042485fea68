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
