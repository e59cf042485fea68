package upstreamtest_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/agentwrap/agentwrap/internal/upstreamtest"
)

// benchPost sends one request and drains the reply, returning its size.
func benchPost(b *testing.B, client *http.Client, url, body string, headers ...string) int64 {
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		b.Fatal(err)
	}
	for _, h := range headers {
		k, v, _ := strings.Cut(h, ": ")
		req.Header.Set(k, v)
	}
	resp, err := client.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	n, err := io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != 200 {
		b.Fatalf("status %d: %v", resp.StatusCode, err)
	}
	return n
}

func benchRoute(b *testing.B, path, body string, headers ...string) {
	s := upstreamtest.Start(b)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	b.Cleanup(client.CloseIdleConnections)
	b.ReportAllocs()
	b.ResetTimer()
	var bytes int64
	for b.Loop() {
		bytes += benchPost(b, client, s.URL()+path, body, headers...)
	}
	b.SetBytes(bytes / int64(max(b.N, 1)))
}

func BenchmarkChatJSON(b *testing.B) {
	benchRoute(b, "/v1/chat/completions", `{"model":"m","messages":[]}`)
}

func BenchmarkChatStream(b *testing.B) {
	benchRoute(b, "/v1/chat/completions", `{"model":"m","stream":true,"stream_options":{"include_usage":true}}`)
}

func BenchmarkResponsesStream(b *testing.B) {
	benchRoute(b, "/v1/responses", `{"model":"m","stream":true,"input":"x"}`)
}

func BenchmarkMessagesStream(b *testing.B) {
	benchRoute(b, "/v1/messages", `{"model":"m","max_tokens":8,"stream":true}`)
}

func BenchmarkGeminiStream(b *testing.B) {
	benchRoute(b, "/v1beta/models/m:streamGenerateContent?alt=sse", geminiBody)
}

func BenchmarkHugeStream10k(b *testing.B) {
	benchRoute(b, "/v1/chat/completions", `{"model":"m","stream":true}`, scenarioHeader(upstreamtest.ScenarioHugeStream))
}
