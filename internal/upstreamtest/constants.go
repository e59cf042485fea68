package upstreamtest

import "time"

// ReplyText is the text of every successful reply. Streams split it into
// deltas; see [Deltas].
const ReplyText = "pong"

// Token counts every family reports, each in its own convention (see the
// package documentation).
const (
	// InputTokens is the total input, cached tokens included.
	InputTokens = 42
	// OutputTokens is the total output, reasoning tokens included.
	OutputTokens = 17
	// CacheRead is the number of input tokens read from a prompt cache.
	CacheRead = 11
	// CacheCreation is the number of input tokens written to a prompt
	// cache: Anthropic's cache_creation_input_tokens, OpenAI's
	// cache_write_tokens. Gemini does not report it.
	CacheCreation = 5
	// Reasoning is the number of output tokens spent on reasoning.
	Reasoning = 4
	// AnthropicUncachedInputTokens is Anthropic's input_tokens, which
	// excludes cache reads and cache writes.
	AnthropicUncachedInputTokens = InputTokens - CacheRead - CacheCreation
	// GeminiCandidatesTokens is Gemini's candidatesTokenCount, which
	// excludes thoughtsTokenCount.
	GeminiCandidatesTokens = OutputTokens - Reasoning
	// TotalTokens is InputTokens + OutputTokens.
	TotalTokens = InputTokens + OutputTokens
)

// Request headers that tune one reply.
const (
	// HeaderScenario selects the [Scenario] of a request.
	HeaderScenario = "X-Upstream-Scenario"
	// HeaderDeltas sets the number of text deltas of a stream.
	HeaderDeltas = "X-Upstream-Deltas"
	// HeaderDeltaInterval sets the pause between deltas, as a Go duration
	// ("5ms") or a number of milliseconds.
	HeaderDeltaInterval = "X-Upstream-Delta-Interval"
	// HeaderDelay sets the delay of [ScenarioSlowFirstByte], as a Go
	// duration ("500ms") or a number of milliseconds.
	HeaderDelay = "X-Upstream-Delay"
	// HeaderGzip, when "1" or "true", gzips the reply and sets
	// Content-Encoding: gzip.
	HeaderGzip = "X-Upstream-Gzip"
	// HeaderContentEncoding forces the reply's Content-Encoding, whatever
	// the request's Accept-Encoding, as a CDN may: gzip, deflate, br or
	// zstd in any letter case (the header carries the value as given),
	// [RawDeflate], or any other name, which is announced but not applied.
	// Without it or [HeaderGzip], replies are compressed as the request's
	// Accept-Encoding allows.
	HeaderContentEncoding = "X-Upstream-Content-Encoding"
)

// Defaults of the knobs above.
const (
	// DefaultDeltas is the number of text deltas of a stream.
	DefaultDeltas = 2
	// DefaultDelay is the first-byte delay of [ScenarioSlowFirstByte].
	DefaultDelay = 2 * time.Second
	// DefaultHugeDeltas is the number of deltas of [ScenarioHugeStream]
	// when the request does not set [HeaderDeltas].
	DefaultHugeDeltas = 10000
	// DefaultRetryAfter is the Retry-After of [ScenarioRateLimited], in
	// seconds.
	DefaultRetryAfter = 1
	// maxRecorded bounds how many requests a server keeps; older ones are
	// dropped first.
	maxRecorded = 10000
	// maxBody bounds how much of a request body is read.
	maxBody = 32 << 20
)

// Families a request is recorded under. The strings match the gateway's
// request_family values; FamilyGeminiCountTokens is served here but is not
// one of the gateway's families.
const (
	FamilyChatCompletions   = "openai.chat_completions"
	FamilyResponses         = "openai.responses"
	FamilyMessages          = "anthropic.messages"
	FamilyCountTokens       = "anthropic.count_tokens"
	FamilyGemini            = "gemini.generate_content"
	FamilyGeminiCountTokens = "gemini.count_tokens"
	FamilyEmbeddings        = "openai.embeddings"
	FamilyModels            = "models.list"
	FamilyUnknown           = "unknown"
)
