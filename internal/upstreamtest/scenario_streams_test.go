package upstreamtest_test

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	anthropicopt "github.com/anthropics/anthropic-sdk-go/option"
	"github.com/openai/openai-go/v3/option"

	"github.com/agentwrap/agentwrap/internal/upstreamtest"
)

func scenarioHeader(s string) string { return upstreamtest.HeaderScenario + ": " + s }

// streamRoutes are the streaming requests of every family with the name of
// the terminal event ("" for Gemini, whose last chunk has finishReason).
var streamRoutes = []struct {
	name, path, body, terminal string
}{
	{"chat", "/v1/chat/completions", `{"model":"m","stream":true,"stream_options":{"include_usage":true}}`, "[DONE]"},
	{"responses", "/v1/responses", `{"model":"m","stream":true,"input":"x"}`, "response.completed"},
	{"messages", "/v1/messages", `{"model":"m","max_tokens":8,"stream":true}`, "message_stop"},
	{"gemini", "/v1beta/models/m:streamGenerateContent?alt=sse", geminiBody, `"finishReason"`},
}

// TestCutStreams proves that truncated and reset streams end after some
// deltas, before the terminal event, with the documented client errors.
func TestCutStreams(t *testing.T) {
	s := upstreamtest.Start(t, upstreamtest.WithDeltas(6, 0))
	for _, scenario := range []string{upstreamtest.ScenarioTruncated, upstreamtest.ScenarioResetMidStream} {
		for _, r := range streamRoutes {
			t.Run(scenario+"/"+r.name, func(t *testing.T) {
				resp := post(t, s.URL()+r.path, r.body, scenarioHeader(scenario))
				body, err := io.ReadAll(resp.Body)
				if resp.StatusCode != 200 || err == nil {
					t.Fatalf("status %d, read error %v", resp.StatusCode, err)
				}
				if scenario == upstreamtest.ScenarioResetMidStream && !errors.Is(err, syscall.ECONNRESET) {
					t.Errorf("read error %v, want connection reset", err)
				}
				if scenario == upstreamtest.ScenarioTruncated && !errors.Is(err, io.ErrUnexpectedEOF) {
					t.Errorf("read error %v, want unexpected EOF", err)
				}
				if bytes.Contains(body, []byte(r.terminal)) || !bytes.Contains(body, []byte(`"po`)) && !bytes.Contains(body, []byte(`"p"`)) {
					t.Errorf("body:\n%s", body)
				}
			})
		}
	}
}

func TestTruncatedThroughSDKs(t *testing.T) {
	s := upstreamtest.Start(t)
	client := openAIClient(s, option.WithHeader(upstreamtest.HeaderScenario, upstreamtest.ScenarioTruncated))
	if _, err := client.Chat.Completions.New(testContext(t), chatParams("m")); err == nil {
		t.Error("non-streaming truncated reply parsed without error")
	}
	stream := client.Chat.Completions.NewStreaming(testContext(t), chatParams("m"))
	for stream.Next() {
	}
	if stream.Err() == nil {
		t.Error("truncated chat stream ended without error")
	}
	ac := anthropicClient(s, anthropicopt.WithHeader(upstreamtest.HeaderScenario, upstreamtest.ScenarioResetMidStream))
	ms := ac.Messages.NewStreaming(testContext(t), messageParams("claude-x"))
	for ms.Next() {
	}
	if ms.Err() == nil {
		t.Error("reset message stream ended without error")
	}
}

func TestMissingUsage(t *testing.T) {
	s := upstreamtest.Start(t)
	routes := append([]struct{ name, path, body, terminal string }{
		{"chat-json", "/v1/chat/completions", `{"model":"m"}`, ""},
		{"responses-json", "/v1/responses", `{"model":"m","input":"x"}`, ""},
		{"messages-json", "/v1/messages", `{"model":"m","max_tokens":8}`, ""},
		{"count-tokens", "/v1/messages/count_tokens", `{"model":"m"}`, ""},
		{"embeddings", "/v1/embeddings", `{"model":"m","input":"x"}`, ""},
		{"gemini-json", "/v1beta/models/m:generateContent", geminiBody, ""},
	}, streamRoutes...)
	for _, r := range routes {
		resp := post(t, s.URL()+r.path, r.body, scenarioHeader(upstreamtest.ScenarioMissingUsage))
		body := readAll(t, resp.Body)
		if resp.StatusCode != 200 || bytes.Contains(body, []byte(`"usage`)) || bytes.Contains(body, []byte("input_tokens")) ||
			bytes.Contains(body, []byte("totalTokens")) || !bytes.Contains(body, []byte(r.terminal)) {
			t.Errorf("%s: status %d, body:\n%s", r.name, resp.StatusCode, body)
		}
	}
}

func TestSlowFirstByte(t *testing.T) {
	s := upstreamtest.Start(t)
	start := time.Now()
	resp := post(t, s.URL()+"/v1/messages", `{"model":"m","max_tokens":8}`,
		scenarioHeader(upstreamtest.ScenarioSlowFirstByte), upstreamtest.HeaderDelay+": 150ms")
	if waited := time.Since(start); waited < 150*time.Millisecond || resp.StatusCode != 200 {
		t.Errorf("first byte after %v, status %d", waited, resp.StatusCode)
	}
	if m := decode(t, readAll(t, resp.Body)); m["type"] != "message" {
		t.Errorf("reply %v", m)
	}
}

func TestHugeStream(t *testing.T) {
	s := upstreamtest.Start(t)
	client := openAIClient(s, option.WithHeader(upstreamtest.HeaderScenario, upstreamtest.ScenarioHugeStream),
		option.WithHeader(upstreamtest.HeaderDeltas, "2500"))
	stream := client.Chat.Completions.NewStreaming(testContext(t), chatParams("m"))
	var text strings.Builder
	for stream.Next() {
		if c := stream.Current(); len(c.Choices) > 0 {
			text.WriteString(c.Choices[0].Delta.Content)
		}
	}
	if stream.Err() != nil || text.String() != strings.Repeat(upstreamtest.ReplyText, 2500) {
		t.Errorf("err %v, text of %d bytes", stream.Err(), text.Len())
	}
	resp := post(t, s.URL()+"/v1/messages", `{"model":"scenario-huge-stream","max_tokens":8,"stream":true}`)
	if n := bytes.Count(readAll(t, resp.Body), []byte("event: content_block_delta")); n != upstreamtest.DefaultHugeDeltas {
		t.Errorf("%d deltas, want %d", n, upstreamtest.DefaultHugeDeltas)
	}
}

// TestEchoSecretSSE proves one streamed event carries the presented
// credential, and that the server's own log never does.
func TestEchoSecretSSE(t *testing.T) {
	var log bytes.Buffer
	s := upstreamtest.Start(t, upstreamtest.WithLog(&log))
	for _, r := range streamRoutes {
		resp := post(t, s.URL()+r.path, r.body, scenarioHeader(upstreamtest.ScenarioEchoSecretSSE),
			"Authorization: Bearer "+canaryKey, "X-Api-Key: "+canaryKey, "X-Goog-Api-Key: "+canaryKey)
		if body := readAll(t, resp.Body); !bytes.Contains(body, []byte(canaryKey)) || !bytes.Contains(body, []byte(r.terminal)) {
			t.Errorf("%s: body does not echo the key:\n%s", r.name, body)
		}
	}
	post(t, s.URL()+"/v1beta/models/m:generateContent?key="+canaryKey, geminiBody)
	if strings.Contains(log.String(), canaryKey) || strings.Count(log.String(), "\n") != len(streamRoutes)+1 {
		t.Errorf("log:\n%s", log.String())
	}
}

func TestGzip(t *testing.T) {
	s := upstreamtest.Start(t)
	tr := &http.Transport{DisableCompression: true}
	t.Cleanup(tr.CloseIdleConnections)
	for _, r := range append(streamRoutes, struct{ name, path, body, terminal string }{"json", "/v1/responses", `{"model":"m","input":"x"}`, `"completed"`}) {
		req, _ := http.NewRequestWithContext(testContext(t), http.MethodPost, s.URL()+r.path, strings.NewReader(r.body))
		req.Header.Set(upstreamtest.HeaderGzip, "1")
		resp, err := tr.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		zr, err := gzip.NewReader(resp.Body)
		if err != nil || resp.Header.Get("Content-Encoding") != "gzip" {
			t.Fatalf("%s: Content-Encoding %q: %v", r.name, resp.Header.Get("Content-Encoding"), err)
		}
		if body := readAll(t, zr); !bytes.Contains(body, []byte(r.terminal)) {
			t.Errorf("%s: body:\n%s", r.name, body)
		}
		resp.Body.Close()
	}
	// The SDKs decode it transparently.
	client := openAIClient(s, option.WithHeader(upstreamtest.HeaderGzip, "true"))
	got, err := client.Chat.Completions.New(testContext(t), chatParams("m"))
	if err != nil || got.Choices[0].Message.Content != upstreamtest.ReplyText {
		t.Errorf("gzipped chat: %v", err)
	}
}

func TestDeltaHeaders(t *testing.T) {
	s := upstreamtest.Start(t)
	start := time.Now()
	resp := post(t, s.URL()+"/v1/responses", `{"model":"m","stream":true,"input":"x"}`,
		upstreamtest.HeaderDeltas+": 4", upstreamtest.HeaderDeltaInterval+": 20ms")
	body := readAll(t, resp.Body)
	if n := bytes.Count(body, []byte("event: response.output_text.delta")); n != 4 {
		t.Errorf("%d deltas, want 4", n)
	}
	if waited := time.Since(start); waited < 60*time.Millisecond {
		t.Errorf("4 deltas 20ms apart took %v", waited)
	}
	if got := upstreamtest.Deltas(4); strings.Join(got, "|") != "p|o|n|g" {
		t.Errorf("Deltas(4) = %q", got)
	}
}

func TestRequestsAreCopies(t *testing.T) {
	s := upstreamtest.Start(t)
	post(t, s.URL()+"/v1/embeddings", `{"model":"m","input":"x"}`, "Authorization: Bearer "+canaryKey)
	first := s.Requests()
	first[0].Header.Set("Authorization", "changed")
	first[0].Body[0] = 'X'
	if again := s.Requests()[0]; again.Header.Get("Authorization") != "Bearer "+canaryKey || again.Body[0] != '{' {
		t.Errorf("recorded request changed through a copy: %+v", again)
	}
}
