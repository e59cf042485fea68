package gateway

import (
	"reflect"
	"testing"

	"github.com/agentwrap/agentwrap/call"
)

// want is the response metadata a fixture must yield.
type want struct {
	id, model      string
	reasons        []string
	usage          call.Usage
	stream, done   bool
	missing        []string
	errType, code  string
	jsonErr, unpar bool
}

func checkWant(t *testing.T, c *call.Call, w want) {
	t.Helper()
	got := want{
		id: c.ResponseID, model: c.ResponseModel, reasons: c.FinishReasons, usage: c.Usage,
		stream: c.Stream, done: c.StreamComplete, missing: c.MissingFields,
		errType: c.UpstreamErrorType, code: c.UpstreamErrorCode, jsonErr: c.ResponseJSONError, unpar: c.ResponseUnparsed,
	}
	if !reflect.DeepEqual(got, w) {
		t.Fatalf("\n got %+v\nwant %+v", got, w)
	}
}

const (
	sse  = "text/event-stream; charset=utf-8"
	jsct = "application/json"
)

type fixtureCase struct {
	name   string
	family call.Family
	status int
	ct     string
	want   want
}

var fixtureCases = []fixtureCase{
	{"chat_stream.sse", call.FamilyChatCompletions, 200, sse, want{
		id: "chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT", model: "gpt-4.1-2025-04-14", reasons: []string{"stop"},
		usage: call.Usage{Input: 1117, Output: 46, CacheRead: 1024, CacheCreation: -1, Reasoning: 0}, stream: true, done: true}},
	{"chat.json", call.FamilyChatCompletions, 200, jsct, want{
		id: "chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT", model: "gpt-4.1-2025-04-14", reasons: []string{"stop", "length"},
		usage: call.Usage{Input: 19, Output: 10, CacheRead: 0, CacheCreation: -1, Reasoning: 4}}},
	{"responses_stream.sse", call.FamilyResponses, 200, sse, want{
		id: "resp_67ccd2bed1ec8190b14f964abc0542670bb6a6b452d3795b", model: "gpt-5-codex", reasons: []string{"stop"},
		usage: call.Usage{Input: 3571, Output: 412, CacheRead: 3328, CacheCreation: -1, Reasoning: 256}, stream: true, done: true}},
	{"responses.json", call.FamilyResponses, 200, jsct, want{
		id: "resp_67ccd2bed1ec8190b14f964abc0542670bb6a6b452d3795b", model: "gpt-5-codex", reasons: []string{"stop"},
		usage: call.Usage{Input: 3571, Output: 412, CacheRead: 3328, CacheCreation: -1, Reasoning: 256}}},
	{"messages_stream.sse", call.FamilyMessages, 200, sse, want{
		id: "msg_01XFDUDYJgAACzvnptvVoYEL", model: "claude-sonnet-4-5-20250929", reasons: []string{"tool_use"},
		usage: call.Usage{Input: 472 + 1200 + 20480, Output: 89, CacheRead: 20480, CacheCreation: 1200, Reasoning: -1}, stream: true, done: true}},
	{"messages.json", call.FamilyMessages, 200, jsct, want{
		id: "msg_01XFDUDYJgAACzvnptvVoYEL", model: "claude-opus-4-1-20250805", reasons: []string{"end_turn"},
		usage: call.Usage{Input: 2095, Output: 503, CacheRead: 0, CacheCreation: 0, Reasoning: -1}}},
	{"gemini_stream.sse", call.FamilyGemini, 200, "text/event-stream", want{
		id: "mDbaaPDDIdq7nsEPgoSHuA0", model: "gemini-2.5-flash", reasons: []string{"STOP"},
		usage: call.Usage{Input: 5122, Output: 37 + 521, CacheRead: 4096, CacheCreation: -1, Reasoning: 521}, stream: true, done: true}},
	{"gemini_array.json", call.FamilyGemini, 200, jsct, want{
		id: "mDbaaPDDIdq7nsEPgoSHuA0", model: "gemini-2.5-flash", reasons: []string{"STOP"},
		usage: call.Usage{Input: 5122, Output: 37 + 521, CacheRead: 4096, CacheCreation: -1, Reasoning: 521}}},
	{"gemini.json", call.FamilyGemini, 200, "application/json; charset=UTF-8", want{
		id: "mDbaaPDDIdq7nsEPgoSHuA0", model: "gemini-2.5-flash", reasons: []string{"MAX_TOKENS"},
		usage: call.Usage{Input: 8, Output: 100, CacheRead: -1, CacheCreation: -1, Reasoning: -1}}},
	{"count_tokens.json", call.FamilyCountTokens, 200, jsct, want{usage: call.Usage{Input: 2095, Output: -1, CacheRead: -1, CacheCreation: -1, Reasoning: -1}}},
	{"embeddings.json", call.FamilyEmbeddings, 200, jsct, want{model: "text-embedding-3-small", usage: call.Usage{Input: 8, Output: -1, CacheRead: -1, CacheCreation: -1, Reasoning: -1}}},
	{"models.json", call.FamilyModels, 200, jsct, want{usage: call.NoUsage()}},
	{"error_openai.json", call.FamilyChatCompletions, 401, jsct, want{usage: call.NoUsage(), errType: "invalid_request_error", code: "invalid_api_key"}},
	{"error_openai_quota.json", call.FamilyResponses, 429, jsct, want{usage: call.NoUsage(), errType: "insufficient_quota", code: "insufficient_quota"}},
	{"error_anthropic.json", call.FamilyMessages, 401, jsct, want{usage: call.NoUsage(), errType: "authentication_error"}},
	{"error_gemini.json", call.FamilyGemini, 400, jsct, want{usage: call.NoUsage(), errType: "INVALID_ARGUMENT", code: "400"}},
	{"error_gemini_array.json", call.FamilyGemini, 429, jsct, want{usage: call.NoUsage(), errType: "RESOURCE_EXHAUSTED", code: "429"}},
	{"html_404.html", call.FamilyChatCompletions, 404, "text/html; charset=utf-8", want{usage: call.NoUsage(), jsonErr: true}},
	{"html_404.html", call.FamilyUnknown, 404, "text/html; charset=utf-8", want{usage: call.NoUsage()}},
}

// TestFixtures parses each documented reply shape, cut at every byte
// boundary and at random, and checks the metadata it yields.
func TestFixtures(t *testing.T) {
	for _, tc := range fixtureCases {
		t.Run(tc.name+"/"+string(tc.family), func(t *testing.T) {
			rp := reply{family: tc.family, status: tc.status, ct: tc.ct, body: fixture(t, tc.name), complete: true}
			checkWant(t, parseAllWays(t, rp), tc.want)
		})
	}
}

// TestEncodedFixtures checks that compressed replies yield what their
// plain form yields.
func TestEncodedFixtures(t *testing.T) {
	for _, tc := range fixtureCases {
		for _, enc := range []string{"gzip", "br", "zstd", "deflate", "deflate-raw"} {
			t.Run(tc.name+"/"+enc, func(t *testing.T) {
				ce := enc
				if enc == "deflate-raw" {
					ce = "deflate"
				}
				body := encode(t, enc, fixture(t, tc.name))
				rp := reply{family: tc.family, status: tc.status, ct: tc.ct, ce: ce, body: body, complete: true}
				checkWant(t, parseAllWays(t, rp), tc.want)
			})
		}
	}
}
