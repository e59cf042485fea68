// Package upstreamtest is a fake model gateway, "the test upstream", that
// stands in for CometAPI in agentwrap's tests and benchmarks.
//
// It serves the CometAPI-style routes of the four request families the
// gateway understands (the base URL has no /v1):
//
//	POST /v1/chat/completions                        OpenAI chat completions
//	POST /v1/responses                               OpenAI Responses API
//	POST /v1/messages (also ?beta=true)              Anthropic Messages
//	POST /v1/messages/count_tokens                   Anthropic token counting
//	POST /v1beta/models/{model}:generateContent      Gemini
//	POST /v1beta/models/{model}:streamGenerateContent (?alt=sse for SSE, else a JSON array)
//	POST /v1beta/models/{model}:countTokens          Gemini token counting
//	POST /v1/embeddings                              OpenAI embeddings
//	GET  /v1/models                                  model list (Anthropic shape when the
//	                                                 request carries anthropic-version)
//
// Anything else is answered 404 with an OpenAI-shaped error, as OpenAI does
// ("Invalid URL (POST /v1/foo)").
//
// Replies follow the documented wire formats: the same JSON shapes, SSE
// event names, usage objects, error bodies and status codes the real
// services send, so that the official SDKs and the real agent CLIs (Claude
// Code `claude -p`, Codex `codex exec`, Gemini CLI `gemini -p`, Qwen Code
// `qwen -p`) accept them; cmd/fakeupstream serves it for such manual runs. The reply model is the
// request model, every response id is unique, and the reply text is
// [ReplyText], streamed as a configurable number of deltas.
//
// Every family reports the same usage, expressed in its own convention, so
// that a gateway which records input including cached tokens and output
// including reasoning tokens always sees [InputTokens] and [OutputTokens]:
//
//	OpenAI chat:  prompt_tokens=42 (cached_tokens=11, cache_write_tokens=5), completion_tokens=17 (reasoning_tokens=4)
//	Responses:    input_tokens=42 (cached_tokens=11, cache_write_tokens=5), output_tokens=17 (reasoning_tokens=4)
//	Anthropic:    input_tokens=26 + cache_read_input_tokens=11 + cache_creation_input_tokens=5, output_tokens=17 (thinking_tokens=4)
//	Gemini:       promptTokenCount=42 (cachedContentTokenCount=11), candidatesTokenCount=13 + thoughtsTokenCount=4
//
// A request selects a scenario (Scenario...) with the [HeaderScenario] header or, for
// agent CLIs that cannot set headers, with a model name that starts with
// "scenario-<name>" (for example "scenario-rate-limited"). Scenarios produce
// the failure modes the gateway must classify: family-shaped 401, 402, 403,
// 404, 400, 429, 5xx errors, an HTML 404, streams cut or reset before their
// terminal event, replies without usage, slow first bytes, huge streams and
// an SSE event that echoes the presented credential.
//
// By default any model name is served and bodies only need a model; a
// server built [WithModelCatalog] and [WithRequiredFields] rejects unknown
// models and missing required fields as the documentation says, and
// [WithLatency] makes it take time to answer. [WithDrift] makes it depart
// from the documentation on purpose (error bodies out of shape, an
// undocumented response field, retry hints on non-retryable errors).
//
// Replies are compressed as the request's Accept-Encoding allows (zstd,
// br, gzip, deflate, in that order of preference, as CDNs do), streams
// flushed per event; [HeaderContentEncoding] forces a coding, in any
// letter case, or an unknown one. [ScenarioEchoSecret] echoes the
// presented credential in the body, a header and a trailer.
//
// Every request is recorded (method, path, query, headers, body, family) so
// tests can assert which credential arrived in which header. The server
// never logs credentials, bodies or query strings.
package upstreamtest
