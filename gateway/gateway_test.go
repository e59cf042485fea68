package gateway

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/agentwrap/agentwrap/call"
)

const (
	canaryKey   = "sk-canary-gateway-real-key-0123456789"
	canaryToken = "agentwrap-run-canary-token-abcdef"
)

// seen is what the test upstream received.
type seen struct {
	mu   sync.Mutex
	reqs []*http.Request
	body [][]byte
}

func (s *seen) add(r *http.Request, b []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reqs = append(s.reqs, r)
	s.body = append(s.body, b)
}

func (s *seen) last(t *testing.T) (*http.Request, []byte) {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.reqs) == 0 {
		t.Fatal("upstream received no request")
	}
	return s.reqs[len(s.reqs)-1], s.body[len(s.body)-1]
}

func (s *seen) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.reqs)
}

// harness is a gateway in front of an httptest upstream.
type harness struct {
	gw     *Gateway
	up     *httptest.Server
	seen   *seen
	calls  chan *call.Call
	locals chan call.LocalRequest
}

func newHarness(t *testing.T, key string, h http.HandlerFunc) *harness {
	t.Helper()
	s := &seen{}
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		s.add(r.Clone(context.Background()), b)
		h(w, r)
	}))
	t.Cleanup(up.Close)
	u, _ := url.Parse(up.URL)
	calls := make(chan *call.Call, 64)
	locals := make(chan call.LocalRequest, 64)
	cfg := Config{Upstream: u, Observe: func(c *call.Call) { calls <- c }, Label: func(v string) string { return "cred-" + fmt.Sprint(len(v)) },
		Local: func(l call.LocalRequest) { locals <- l }}
	if key != "" {
		cfg.Key, cfg.Token = key, canaryToken
	}
	gw, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = gw.Close(context.Background()) })
	return &harness{gw: gw, up: up, seen: s, calls: calls, locals: locals}
}

// local returns the next request the gateway answered itself.
func (h *harness) local(t *testing.T) call.LocalRequest {
	t.Helper()
	select {
	case l := <-h.locals:
		return l
	case <-time.After(10 * time.Second):
		t.Fatal("no local request reported")
	}
	return call.LocalRequest{}
}

// noCall fails when a call record arrives within the observer's delay.
func (h *harness) noCall(t *testing.T) {
	t.Helper()
	select {
	case c := <-h.calls:
		t.Fatalf("unexpected call record %s %s", c.Method, c.Path)
	case <-time.After(5 * observeDelay):
	}
}

func (h *harness) call(t *testing.T) *call.Call {
	t.Helper()
	select {
	case c := <-h.calls:
		return c
	case <-time.After(10 * time.Second):
		t.Fatal("no call observed")
	}
	return nil
}

func (h *harness) do(t *testing.T, method, path string, hdr map[string]string, body string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, h.gw.URL()+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	tr := &http.Transport{DisableCompression: true}
	defer tr.CloseIdleConnections()
	resp, err := tr.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

func jsonReply(body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, body)
	}
}

func TestManagedModeSwapsCredentialPerFamily(t *testing.T) {
	h := newHarness(t, canaryKey, jsonReply(`{}`))
	cases := []struct {
		path, header, value, wantHeader, wantValue string
	}{
		{"/v1/messages?beta=true", "X-Api-Key", canaryToken, "X-Api-Key", canaryKey},
		{"/v1/messages/count_tokens", "X-Api-Key", canaryToken, "X-Api-Key", canaryKey},
		{"/v1/chat/completions", "Authorization", "Bearer " + canaryToken, "Authorization", "Bearer " + canaryKey},
		{"/v1/responses", "Authorization", "Bearer " + canaryToken, "Authorization", "Bearer " + canaryKey},
		{"/v1beta/models/gemini-2.5-pro:generateContent", "X-Goog-Api-Key", canaryToken, "X-Goog-Api-Key", canaryKey},
		{"/v1beta/models/gemini-2.5-pro:streamGenerateContent?alt=sse&key=" + canaryToken, "", "", "X-Goog-Api-Key", canaryKey},
	}
	for _, tc := range cases {
		t.Run(tc.path, func(t *testing.T) {
			hdr := map[string]string{"Content-Type": "application/json"}
			if tc.header != "" {
				hdr[tc.header] = tc.value
			}
			resp, _ := h.do(t, "POST", tc.path, hdr, `{"model":"m"}`)
			if resp.StatusCode != 200 {
				t.Fatalf("status %d", resp.StatusCode)
			}
			r, _ := h.seen.last(t)
			if got := r.Header.Get(tc.wantHeader); got != tc.wantValue {
				t.Fatalf("upstream %s = %q, want the real key", tc.wantHeader, got)
			}
			for k, vs := range r.Header {
				for _, v := range vs {
					if strings.Contains(v, canaryToken) {
						t.Fatalf("run token forwarded upstream in %s", k)
					}
				}
			}
			if strings.Contains(r.URL.RawQuery, "key=") {
				t.Fatalf("credential query forwarded: %q", r.URL.RawQuery)
			}
			if strings.Contains(tc.path, "beta=true") && r.URL.RawQuery != "beta=true" {
				t.Fatalf("query %q not preserved", r.URL.RawQuery)
			}
			c := h.call(t)
			if c.CredentialLabel == "" || strings.Contains(fmt.Sprintf("%+v", c), canaryKey) || strings.Contains(fmt.Sprintf("%+v", c), canaryToken) {
				t.Fatalf("call record: label %q or credential leaked: %+v", c.CredentialLabel, c)
			}
		})
	}
}

func TestManagedModeRejectsMissingOrWrongToken(t *testing.T) {
	h := newHarness(t, canaryKey, jsonReply(`{}`))
	cases := []struct {
		name, path string
		hdr        map[string]string
		reason     call.LocalReason
		check      func(t *testing.T, body map[string]any)
	}{
		{"anthropic no token", "/v1/messages", nil, call.LocalNoToken, func(t *testing.T, b map[string]any) {
			if b["type"] != "error" || b["error"].(map[string]any)["type"] != "authentication_error" {
				t.Fatalf("anthropic error shape: %v", b)
			}
		}},
		{"openai wrong token", "/v1/chat/completions", map[string]string{"Authorization": "Bearer sk-canary-wrong"}, call.LocalWrongToken, func(t *testing.T, b map[string]any) {
			if b["error"].(map[string]any)["code"] != "invalid_api_key" {
				t.Fatalf("openai error shape: %v", b)
			}
		}},
		{"gemini real key instead of token", "/v1beta/models/g:generateContent", map[string]string{"X-Goog-Api-Key": canaryKey}, call.LocalWrongToken, func(t *testing.T, b map[string]any) {
			if b["error"].(map[string]any)["status"] != "UNAUTHENTICATED" {
				t.Fatalf("gemini error shape: %v", b)
			}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp, raw := h.do(t, "POST", tc.path, tc.hdr, `{}`)
			if resp.StatusCode != 401 {
				t.Fatalf("status %d, want 401", resp.StatusCode)
			}
			var b map[string]any
			if err := json.Unmarshal(raw, &b); err != nil {
				t.Fatalf("body %q is not JSON", raw)
			}
			tc.check(t, b)
			if bytes.Contains(raw, []byte(canaryKey)) || bytes.Contains(raw, []byte(canaryToken)) {
				t.Fatal("error body holds a credential")
			}
			l := h.local(t)
			want := call.LocalRequest{Method: "POST", Path: tc.path, UserAgent: "Go-http-client/1.1", Reason: tc.reason, ModelPath: true}
			if l != want || !l.Refused() {
				t.Fatalf("local request %+v, want %+v", l, want)
			}
			h.noCall(t)
		})
	}
	if n := h.seen.count(); n != 0 {
		t.Fatalf("%d rejected requests reached the upstream", n)
	}
}

func TestGuardsRefuseForeignHostAndOrigin(t *testing.T) {
	h := newHarness(t, "", jsonReply(`{}`))
	for _, tc := range []struct {
		name string
		set  func(r *http.Request)
	}{
		{"rebinding host", func(r *http.Request) { r.Host = "attacker.example:80" }},
		{"browser origin", func(r *http.Request) { r.Header.Set("Origin", "https://attacker.example") }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest("POST", h.gw.URL()+"/v1/chat/completions", strings.NewReader(`{}`))
			tc.set(req)
			resp, err := http.DefaultTransport.RoundTrip(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != 403 {
				t.Fatalf("status %d, want 403", resp.StatusCode)
			}
			if l := h.local(t); !l.Refused() || !l.ModelPath || l.Path != "/v1/chat/completions" {
				t.Fatalf("refusal not reported: %+v", l)
			}
			h.noCall(t)
		})
	}
	if h.seen.count() != 0 {
		t.Fatal("refused request reached the upstream")
	}
	// localhost:PORT is the same gateway.
	_, port, _ := net.SplitHostPort(h.gw.ln.Addr().String())
	req, _ := http.NewRequest("GET", h.gw.URL()+"/v1/models", nil)
	req.Host = "localhost:" + port
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("localhost host refused: %d", resp.StatusCode)
	}
}

func TestPassthroughForwardsAgentCredential(t *testing.T) {
	h := newHarness(t, "", jsonReply(`{}`))
	own := "sk-canary-agent-own-key-42"
	h.do(t, "POST", "/v1/chat/completions", map[string]string{"Authorization": "Bearer " + own}, `{"model":"gpt-x"}`)
	r, _ := h.seen.last(t)
	if r.Header.Get("Authorization") != "Bearer "+own {
		t.Fatalf("agent credential not forwarded: %q", r.Header.Get("Authorization"))
	}
	c := h.call(t)
	if c.CredentialLabel == "" || strings.Contains(fmt.Sprintf("%+v", c), own) {
		t.Fatalf("label missing or credential recorded: %+v", c)
	}
}

func TestRequestMetadataAndBodyUnchanged(t *testing.T) {
	h := newHarness(t, "", jsonReply(`{}`))
	body := `{"messages":[{"role":"user","content":"secret prompt sk-canary-prompt"}],"model":"claude-x","stream":true,"max_tokens":512}`
	h.do(t, "POST", "/v1/messages?beta=true", map[string]string{"X-Stainless-Retry-Count": "2", "User-Agent": "claude-cli/2.1"}, body)
	_, got := h.seen.last(t)
	if string(got) != body {
		t.Fatalf("upstream body changed: %q", got)
	}
	c := h.call(t)
	if c.Family != call.FamilyMessages || c.RequestModel != "claude-x" || !c.RequestStream || c.RequestMaxTokens != 512 || c.ResendCount != 2 || c.UserAgent != "claude-cli/2.1" || c.Path != "/v1/messages" {
		t.Fatalf("request metadata: %+v", c)
	}
	if strings.Join(c.RequestKeys, ",") != "messages,model,stream,max_tokens" {
		t.Fatalf("keys %v", c.RequestKeys)
	}
	if strings.Contains(fmt.Sprintf("%+v", c), "secret prompt") {
		t.Fatal("prompt recorded")
	}

	h.do(t, "POST", "/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse", nil, `{"contents":[],"generationConfig":{"maxOutputTokens":77}}`)
	c = h.call(t)
	if c.Family != call.FamilyGemini || c.RequestModel != "gemini-2.5-flash" || !c.RequestStream || c.RequestMaxTokens != 77 {
		t.Fatalf("gemini metadata: %+v", c)
	}
}

func TestGzipReplyPassesThroughCompressed(t *testing.T) {
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	_, _ = zw.Write([]byte(`{"id":"x","object":"list","data":[]}`))
	_ = zw.Close()
	h := newHarness(t, "", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Encoding", "gzip")
		_, _ = w.Write(gz.Bytes())
	})
	resp, got := h.do(t, "GET", "/v1/models", map[string]string{"Accept-Encoding": "gzip"}, "")
	if resp.Header.Get("Content-Encoding") != "gzip" || !bytes.Equal(got, gz.Bytes()) {
		t.Fatalf("gzip reply altered: encoding %q, %d bytes vs %d", resp.Header.Get("Content-Encoding"), len(got), gz.Len())
	}
	r, _ := h.seen.last(t)
	if r.Header.Get("Accept-Encoding") != "gzip" {
		t.Fatalf("agent's Accept-Encoding not forwarded: %q", r.Header.Get("Accept-Encoding"))
	}
	h.call(t)
}

// TestStreamIsFlushedPerEvent proves the gateway does not hold back events:
// the upstream sends the second event only after the agent has read the
// first one through the gateway.
func TestStreamIsFlushedPerEvent(t *testing.T) {
	release := make(chan struct{})
	h := newHarness(t, "", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		_, _ = io.WriteString(w, "data: {\"n\":1}\n\n")
		w.(http.Flusher).Flush()
		select {
		case <-release:
		case <-time.After(10 * time.Second):
			return
		}
		_, _ = io.WriteString(w, "data: {\"n\":2}\n\ndata: [DONE]\n\n")
	})
	req, _ := http.NewRequest("POST", h.gw.URL()+"/v1/chat/completions", strings.NewReader(`{"stream":true}`))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	first := make([]byte, len("data: {\"n\":1}\n\n"))
	if _, err := io.ReadFull(resp.Body, first); err != nil {
		t.Fatalf("first event not delivered before the upstream continued: %v", err)
	}
	close(release)
	rest, _ := io.ReadAll(resp.Body)
	if string(first)+string(rest) != "data: {\"n\":1}\n\ndata: {\"n\":2}\n\ndata: [DONE]\n\n" {
		t.Fatalf("stream altered: %q", string(first)+string(rest))
	}
	if c := h.call(t); c.FirstChunk <= 0 || c.StatusCode != 200 {
		t.Fatalf("stream call: %+v", c)
	}
}

func TestUpstreamUnreachableAnswers502InFamilyFormat(t *testing.T) {
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close()
	u, _ := url.Parse("http://" + addr)
	calls := make(chan *call.Call, 1)
	gw, err := New(Config{Upstream: u, Observe: func(c *call.Call) { calls <- c }})
	if err != nil {
		t.Fatal(err)
	}
	defer gw.Close(context.Background())
	resp, err := http.Post(gw.URL()+"/v1/messages", "application/json", strings.NewReader(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	var b map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&b)
	resp.Body.Close()
	if resp.StatusCode != 502 || b["type"] != "error" {
		t.Fatalf("status %d body %v", resp.StatusCode, b)
	}
	if c := <-calls; c.TransportError != "connection_refused" {
		t.Fatalf("transport error %q", c.TransportError)
	}
}

func TestAgentCancelMidStreamIsRecorded(t *testing.T) {
	upstreamDone := make(chan struct{})
	h := newHarness(t, "", func(w http.ResponseWriter, r *http.Request) {
		defer close(upstreamDone)
		w.Header().Set("Content-Type", "text/event-stream")
		_, _ = io.WriteString(w, "event: message_start\ndata: {}\n\n")
		w.(http.Flusher).Flush()
		<-r.Context().Done() // the gateway must cancel the upstream request
	})
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "POST", h.gw.URL()+"/v1/messages", strings.NewReader(`{"stream":true}`))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 10)
	_, _ = io.ReadFull(resp.Body, buf)
	cancel()
	resp.Body.Close()
	select {
	case <-upstreamDone:
	case <-time.After(10 * time.Second):
		t.Fatal("upstream request not cancelled after the agent left")
	}
	if c := h.call(t); !c.Cancelled {
		t.Fatalf("cancel not recorded: %+v", c)
	}
}

func TestUnknownPathForwarded(t *testing.T) {
	h := newHarness(t, "", jsonReply(`{"ok":true}`))
	resp, b := h.do(t, "POST", "/v2/whatever?x=1", nil, `{}`)
	if resp.StatusCode != 200 || string(b) != `{"ok":true}` {
		t.Fatalf("unknown path: %d %q", resp.StatusCode, b)
	}
	r, _ := h.seen.last(t)
	if r.URL.Path != "/v2/whatever" {
		t.Fatalf("path %q", r.URL.Path)
	}
	if c := h.call(t); c.Family != call.FamilyUnknown || c.Path != "/v2/whatever" {
		t.Fatalf("call %+v", c)
	}
}

func TestNewRefusesNonLoopback(t *testing.T) {
	u, _ := url.Parse("https://api.example")
	if _, err := New(Config{Upstream: u, Addr: "0.0.0.0:0"}); err == nil {
		t.Fatal("listening on all interfaces accepted")
	}
	if _, err := New(Config{Upstream: u, Key: "k"}); err == nil {
		t.Fatal("managed mode without token accepted")
	}
}

// TestAgentHangingUpAfterTerminalEventIsNotCancelled: Codex closes the
// connection as soon as it read response.completed; the call got its whole
// answer and must not be recorded as cancelled.
func TestAgentHangingUpAfterTerminalEventIsNotCancelled(t *testing.T) {
	release := make(chan struct{})
	h := newHarness(t, "", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		_, _ = io.WriteString(w, "event: response.completed\ndata: {\"type\":\"response.completed\",\"response\":{\"id\":\"resp_1\",\"model\":\"m\",\"status\":\"completed\",\"output\":[],\"usage\":{\"input_tokens\":1,\"output_tokens\":1,\"total_tokens\":2}}}\n\n")
		w.(http.Flusher).Flush()
		<-release // the upstream keeps the connection open
	})
	defer close(release)
	req, _ := http.NewRequest("POST", h.gw.URL()+"/v1/responses", strings.NewReader(`{"model":"m","input":"x","stream":true}`))
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 64)
	if _, err := resp.Body.Read(buf); err != nil {
		t.Fatal(err)
	}
	// Read until the terminal event arrived, then hang up.
	rest := string(buf)
	for !strings.Contains(rest, "\n\n") {
		n, err := resp.Body.Read(buf)
		if err != nil {
			t.Fatal(err)
		}
		rest += string(buf[:n])
	}
	resp.Body.Close()
	c := h.call(t)
	if c.Cancelled || !c.StreamComplete || c.TransportError != "" {
		t.Errorf("cancelled %v, complete %v, transport error %q", c.Cancelled, c.StreamComplete, c.TransportError)
	}
}
