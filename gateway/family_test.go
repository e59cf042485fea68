package gateway_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/agentwrap/agentwrap/call"
	"github.com/agentwrap/agentwrap/gateway"
	"github.com/agentwrap/agentwrap/internal/upstreamtest"
	"github.com/agentwrap/agentwrap/spans"
)

const (
	familyKey   = "sk-canary-family-real-key-5f5f5f5f5f"
	familyToken = "canary-run-token-family-agentwrap-run-token"
)

// recordingTransport keeps a copy of every upstream response body exactly as
// the gateway read it, and its Content-Encoding, so tests can compare it
// with what the agent got.
type recordingTransport struct {
	mu     sync.Mutex
	bodies []*bytes.Buffer
	encs   []string
}

type teeBody struct {
	io.ReadCloser
	buf *bytes.Buffer
	mu  *sync.Mutex
}

func (b teeBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.mu.Lock()
	b.buf.Write(p[:n])
	b.mu.Unlock()
	return n, err
}

func (rt *recordingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	tr := &http.Transport{DisableCompression: true}
	resp, err := tr.RoundTrip(r)
	if err != nil {
		return nil, err
	}
	buf := &bytes.Buffer{}
	rt.mu.Lock()
	rt.bodies = append(rt.bodies, buf)
	rt.encs = append(rt.encs, resp.Header.Get("Content-Encoding"))
	rt.mu.Unlock()
	resp.Body = teeBody{resp.Body, buf, &rt.mu}
	return resp, nil
}

// last is the last body, decoded: in managed mode the gateway asks for
// compression and hands the agent the decoded body.
func (rt *recordingTransport) last(t *testing.T) []byte {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	return decodeAs(t, rt.encs[len(rt.encs)-1], bytes.Clone(rt.bodies[len(rt.bodies)-1].Bytes()))
}

// familyHarness is the gateway in managed mode in front of the test
// upstream, recording spans in memory.
type familyHarness struct {
	gw    *gateway.Gateway
	up    *upstreamtest.Server
	rt    *recordingTransport
	exp   *tracetest.InMemoryExporter
	calls chan struct{}
	// taken counts the spans span() handed out, oldest first.
	taken int
}

func newFamilyHarness(t *testing.T) *familyHarness {
	t.Helper()
	up := upstreamtest.Start(t, upstreamtest.WithKey(familyKey))
	u, _ := url.Parse(up.URL())
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	tracer := tp.Tracer("test")
	ctx, run := tracer.Start(context.Background(), "invoke_agent test")
	t.Cleanup(func() { run.End() })
	rec := spans.NewRecorder(tracer, ctx, "run-family", nil)
	h := &familyHarness{up: up, rt: &recordingTransport{}, exp: exp, calls: make(chan struct{}, 16)}
	gw, err := gateway.New(gateway.Config{
		Upstream: u, Key: familyKey, Token: familyToken, Transport: h.rt,
		Observe: func(c *call.Call) { rec.Observe(c); h.calls <- struct{}{} },
		Label:   func(string) string { return "cred-test" },
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = gw.Close(context.Background()) })
	h.gw = gw
	return h
}

// do sends one request the way an agent would and returns what it received.
func (h *familyHarness) do(t *testing.T, method, path string, hdr http.Header, body string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, h.gw.URL()+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if hdr != nil {
		req.Header = hdr.Clone()
	}
	req.Header.Set("Content-Type", "application/json")
	tr := &http.Transport{DisableCompression: true}
	defer tr.CloseIdleConnections()
	resp, err := tr.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	got, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, got
}

// span waits for the next call span.
func (h *familyHarness) span(t *testing.T) map[attribute.Key]attribute.Value {
	t.Helper()
	select {
	case <-h.calls:
	case <-time.After(10 * time.Second):
		t.Fatal("no call observed")
	}
	stubs := h.exp.GetSpans()
	s := stubs[h.taken]
	h.taken++
	attrs := map[attribute.Key]attribute.Value{}
	for _, kv := range s.Attributes {
		attrs[kv.Key] = kv.Value
	}
	attrs["span.name"] = attribute.StringValue(s.Name)
	return attrs
}

func bearer(v string) http.Header { return http.Header{"Authorization": {"Bearer " + v}} }
func anthropicHdr(v string) http.Header {
	return http.Header{"X-Api-Key": {v}, "Anthropic-Version": {"2023-06-01"}}
}
func googKey(v string) http.Header { return http.Header{"X-Goog-Api-Key": {v}} }

type familyCase struct {
	name, method, path string
	hdr                http.Header
	body               string
	family             call.Family
	stream             bool
	// input and output are the expected token counts; -1 means absent.
	input, output int64
	contentType   string
}

func familyCases() []familyCase {
	const (
		chat     = `{"model":"gpt-5-mini","messages":[{"role":"user","content":"Return the word pong."}],"max_tokens":8`
		resp     = `{"model":"gpt-5-mini","input":"Return the word pong.","max_output_tokens":16`
		msgs     = `{"model":"claude-sonnet-4-5","max_tokens":8,"messages":[{"role":"user","content":"Return the word pong."}]`
		gemini   = `{"contents":[{"role":"user","parts":[{"text":"Return the word pong."}]}]}`
		in, out  = upstreamtest.InputTokens, upstreamtest.OutputTokens
		jsonType = "application/json"
		sseType  = "text/event-stream"
	)
	return []familyCase{
		{"chat", "POST", "/v1/chat/completions", bearer(familyToken), chat + `}`, call.FamilyChatCompletions, false, in, out, jsonType},
		{"chat-stream", "POST", "/v1/chat/completions", bearer(familyToken), chat + `,"stream":true,"stream_options":{"include_usage":true}}`, call.FamilyChatCompletions, true, in, out, sseType},
		{"responses", "POST", "/v1/responses", bearer(familyToken), resp + `}`, call.FamilyResponses, false, in, out, jsonType},
		{"responses-stream", "POST", "/v1/responses", bearer(familyToken), resp + `,"stream":true}`, call.FamilyResponses, true, in, out, sseType},
		{"messages", "POST", "/v1/messages", anthropicHdr(familyToken), msgs + `}`, call.FamilyMessages, false, in, out, jsonType},
		{"messages-beta-stream", "POST", "/v1/messages?beta=true", anthropicHdr(familyToken), msgs + `,"stream":true}`, call.FamilyMessages, true, in, out, sseType},
		{"count_tokens", "POST", "/v1/messages/count_tokens", anthropicHdr(familyToken), `{"model":"claude-sonnet-4-5","messages":[{"role":"user","content":"pong"}]}`, call.FamilyCountTokens, false, in, -1, jsonType},
		{"gemini", "POST", "/v1beta/models/gemini-2.5-flash:generateContent", googKey(familyToken), gemini, call.FamilyGemini, false, in, out, jsonType},
		{"gemini-stream", "POST", "/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse", googKey(familyToken), gemini, call.FamilyGemini, true, in, out, sseType},
		{"gemini-query-key", "POST", "/v1beta/models/gemini-2.5-flash:generateContent?key=" + familyToken, nil, gemini, call.FamilyGemini, false, in, out, jsonType},
		{"embeddings", "POST", "/v1/embeddings", bearer(familyToken), `{"model":"text-embedding-3-small","input":"pong"}`, call.FamilyEmbeddings, false, in, -1, jsonType},
		{"models", "GET", "/v1/models", bearer(familyToken), ``, call.FamilyModels, false, -1, -1, jsonType},
	}
}

// TestFamiliesThroughGateway sends each family's documented request through
// the gateway to the test upstream: the agent receives exactly the bytes the
// upstream sent, and the call span carries the family's attributes.
func TestFamiliesThroughGateway(t *testing.T) {
	for _, tc := range familyCases() {
		t.Run(tc.name, func(t *testing.T) {
			h := newFamilyHarness(t)
			resp, got := h.do(t, tc.method, tc.path, tc.hdr, tc.body)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d: %s", resp.StatusCode, got)
			}
			if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, tc.contentType) {
				t.Errorf("content type %q, want %s", ct, tc.contentType)
			}
			if want := h.rt.last(t); !bytes.Equal(got, want) {
				t.Errorf("agent received %d bytes that differ from the upstream's %d (decoded)", len(got), len(want))
			}
			a := h.span(t)
			checkFamilySpan(t, tc, a)
			reqs := h.up.Requests()
			last := reqs[len(reqs)-1]
			if strings.Contains(last.RawQuery, familyToken) || strings.Contains(last.Header.Get("Authorization"), familyToken) {
				t.Error("run token forwarded upstream")
			}
			for _, v := range a {
				if strings.Contains(v.String(), familyKey) || strings.Contains(v.String(), familyToken) {
					t.Errorf("credential in span attribute value %q", v.String())
				}
			}
		})
	}
}

func checkFamilySpan(t *testing.T, tc familyCase, a map[attribute.Key]attribute.Value) {
	t.Helper()
	str := func(k attribute.Key) string { return a[k].AsString() }
	want := map[attribute.Key]string{
		spans.RequestFamily: string(tc.family),
		spans.ResultClass:   spans.ResultPass,
		spans.FailureClass:  "none",
		spans.URLPath:       strings.SplitN(tc.path, "?", 2)[0],
		spans.RunID:         "run-family",
		spans.ServerAddress: "127.0.0.1",
	}
	for k, v := range want {
		if str(k) != v {
			t.Errorf("%s = %q, want %q", k, str(k), v)
		}
	}
	if got := a[spans.HTTPResponseStatusCode].AsInt64(); got != 200 {
		t.Errorf("status attribute %d", got)
	}
	if !a[spans.CredentialRedacted].AsBool() {
		t.Error("credential_redacted not true")
	}
	for k, n := range map[attribute.Key]int64{spans.GenAIUsageInputTokens: tc.input, spans.GenAIUsageOutputTokens: tc.output} {
		v, ok := a[k]
		switch {
		case n < 0 && ok:
			t.Errorf("%s = %d, want absent", k, v.AsInt64())
		case n >= 0 && v.AsInt64() != n:
			t.Errorf("%s = %v, want %d", k, v.String(), n)
		}
	}
	if tc.family == call.FamilyModels {
		return
	}
	// gen_ai.request.stream and the time to first chunk are for streams
	// only.
	if got, ok := a[spans.GenAIRequestStream]; ok != tc.stream || (ok && !got.AsBool()) {
		t.Errorf("request stream %v (set %v), want set for a stream only (%v)", got.String(), ok, tc.stream)
	}
	// count_tokens replies carry no model.
	if a[spans.GenAIRequestModel].AsString() == "" || (a[spans.GenAIResponseModel].AsString() == "") != (tc.family == call.FamilyCountTokens) {
		t.Errorf("request model %q, response model %q", a[spans.GenAIRequestModel].String(), a[spans.GenAIResponseModel].String())
	}
	if !strings.HasSuffix(a["span.name"].AsString(), " "+a[spans.GenAIRequestModel].AsString()) {
		t.Errorf("span name %q", a["span.name"].AsString())
	}
	if _, ok := a[spans.GenAIResponseTimeToFirstChunk]; ok != tc.stream {
		t.Errorf("time to first chunk set %v on a call with stream %v", ok, tc.stream)
	}
	switch tc.family {
	case call.FamilyChatCompletions, call.FamilyResponses, call.FamilyMessages, call.FamilyGemini:
		if len(a[spans.GenAIResponseFinishReason].AsStringSlice()) == 0 {
			t.Error("no finish reasons")
		}
		if a[spans.GenAIResponseID].AsString() == "" && tc.family != call.FamilyGemini {
			t.Error("no response id")
		}
	}
	// The Responses API has a status, no finish reason: the span carries
	// the finish reason the status maps to, never the status.
	if fr := a[spans.GenAIResponseFinishReason].AsStringSlice(); tc.family == call.FamilyResponses && (len(fr) != 1 || fr[0] != "stop" && fr[0] != "tool_calls") {
		t.Errorf("responses finish reasons %v", fr)
	}
}
