package contract

import (
	"testing"
	"time"
)

// lookupPaths are the requests the lookup benchmarks cycle through: a
// literal path, one with a parameter, a GET and one no endpoint documents.
var lookupPaths = [][2]string{
	{"POST", "/v1/messages"},
	{"POST", "/v1beta/models/gemini-2.5-pro:streamGenerateContent"},
	{"GET", "/v1/models"},
	{"POST", "/v1/unknown"},
}

// benchLookup runs lookup over lookupPaths.
func benchLookup(b *testing.B, lookup func(method, path string)) {
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		p := lookupPaths[i%len(lookupPaths)]
		lookup(p[0], p[1])
	}
}

// BenchmarkMatch measures the endpoint lookup with the path parameters.
func BenchmarkMatch(b *testing.B) {
	m := Builtin()
	benchLookup(b, func(method, path string) { m.Match(method, path) })
}

// BenchmarkMatchEndpoint is the lookup of the gateway's check of every
// call: Match without the path parameters.
func BenchmarkMatchEndpoint(b *testing.B) {
	m := Builtin()
	benchLookup(b, func(method, path string) { m.MatchEndpoint(method, path) })
}

// BenchmarkCheckRequest measures the request check of one Messages call.
func BenchmarkCheckRequest(b *testing.B) {
	e := Builtin().Endpoint("cometapi.messages")
	headers := []string{"Host", "User-Agent", "X-Api-Key", "Anthropic-Version", "Anthropic-Beta", "Content-Type", "Accept"}
	keys := []string{"model", "messages", "system", "tools", "max_tokens", "stream", "metadata", "thinking"}
	b.ReportAllocs()
	for b.Loop() {
		CheckRequest(e, headers, keys, false)
	}
}

// BenchmarkCheckResponse measures the response check of one streamed call.
func BenchmarkCheckResponse(b *testing.B) {
	e := Builtin().Endpoint("cometapi.messages")
	present := []string{"id", "type", "role", "content", "model", "stop_reason", "usage"}
	b.ReportAllocs()
	for b.Loop() {
		CheckResponse(e, Response{Status: 200, Stream: true, StreamComplete: true, MissingFields: MissingJSONFields(e, present)})
	}
}

// BenchmarkLintBuiltin measures linting the built-in manifest (startup cost
// of --contract FILE and of `contract lint`).
func BenchmarkLintBuiltin(b *testing.B) {
	now := time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)
	b.ReportAllocs()
	for b.Loop() {
		Lint(BuiltinFile, builtinYAML, now)
	}
}
