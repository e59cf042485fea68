package gateway_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httptrace"
	"net/textproto"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/agentwrap/agentwrap/internal/upstreamtest"
)

// TestInformationalRepliesAndTrailers: a 103 Early Hints reaches the
// agent before the reply, and trailers after the body.
func TestInformationalRepliesAndTrailers(t *testing.T) {
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Link", "</hint>; rel=preload")
		w.WriteHeader(http.StatusEarlyHints)
		w.Header().Set("Trailer", "X-Upstream-Checksum")
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		_, _ = io.WriteString(w, `{"id":"x","object":"chat.completion","choices":[]}`)
		w.Header().Set("X-Upstream-Checksum", "abc123")
	}))
	defer up.Close()
	f := startGateway(t, up.URL)
	var hints []int
	trace := &httptrace.ClientTrace{Got1xxResponse: func(code int, h textproto.MIMEHeader) error {
		hints = append(hints, code)
		return nil
	}}
	ctx := httptrace.WithClientTrace(context.Background(), trace)
	resp, err := f.post(t, ctx, body(`{"model":"m","messages":[]}`), nil)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if len(hints) != 1 || hints[0] != http.StatusEarlyHints {
		t.Errorf("1xx replies seen by the agent: %v, want [103]", hints)
	}
	if got := resp.Trailer.Get("X-Upstream-Checksum"); got != "abc123" {
		t.Errorf("trailer %q, want abc123", got)
	}
	if c := f.call(t); c.StatusCode != http.StatusOK {
		t.Errorf("call status %d", c.StatusCode)
	}
}

// TestExpectContinue: an agent that sends Expect: 100-continue gets the
// 100 from the gateway and its body reaches the upstream.
func TestExpectContinue(t *testing.T) {
	up := upstreamtest.Start(t)
	f := startGateway(t, up.URL())
	got100 := false
	trace := &httptrace.ClientTrace{Got100Continue: func() { got100 = true }}
	ctx := httptrace.WithClientTrace(context.Background(), trace)
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, f.gw.URL()+"/v1/chat/completions",
		body(`{"model":"gpt-x","messages":[{"role":"user","content":"hi"}]}`))
	req.Header.Set("Expect", "100-continue")
	req.Header.Set("Content-Type", "application/json")
	tr := &http.Transport{ExpectContinueTimeout: time.Minute}
	defer tr.CloseIdleConnections()
	resp, err := tr.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !got100 {
		t.Fatalf("status %d, 100 Continue received %v", resp.StatusCode, got100)
	}
	reqs := up.Requests()
	if len(reqs) != 1 || !strings.Contains(string(reqs[0].Body), `"content":"hi"`) {
		t.Fatalf("upstream got %d requests", len(reqs))
	}
	if c := f.call(t); c.RequestModel != "gpt-x" {
		t.Errorf("call model %q", c.RequestModel)
	}
}

// TestWebSocketUpgradePassesThrough: a WebSocket handshake is forwarded,
// the 101 reaches the agent, and bytes flow both ways on the upgraded
// connection.
func TestWebSocketUpgradePassesThrough(t *testing.T) {
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Upgrade") != "websocket" {
			http.Error(w, "want an upgrade", http.StatusBadRequest)
			return
		}
		conn, rw, err := http.NewResponseController(w).Hijack()
		if err != nil {
			return
		}
		defer conn.Close()
		fmt.Fprintf(rw, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n")
		_ = rw.Flush()
		line, _ := rw.ReadString('\n')
		fmt.Fprintf(rw, "echo %s", line)
		_ = rw.Flush()
	}))
	defer up.Close()
	f := startGateway(t, up.URL)
	conn, err := net.Dial("tcp", strings.TrimPrefix(f.gw.URL(), "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	host := strings.TrimPrefix(f.gw.URL(), "http://")
	fmt.Fprintf(conn, "GET /v1/responses HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"+
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n", host)
	rd := bufio.NewReader(conn)
	resp, err := http.ReadResponse(rd, nil)
	if err != nil || resp.StatusCode != http.StatusSwitchingProtocols {
		t.Fatalf("handshake: %v %v", resp, err)
	}
	fmt.Fprintf(conn, "ping\n")
	line, err := rd.ReadString('\n')
	if err != nil || line != "echo ping\n" {
		t.Fatalf("upgraded connection: %q %v", line, err)
	}
	if c := f.call(t); c.StatusCode != http.StatusSwitchingProtocols {
		t.Errorf("call status %d", c.StatusCode)
	}
}

// TestConcurrentStreams: 64 streaming calls at once (run the package with
// -race) all arrive whole and are each recorded complete.
func TestConcurrentStreams(t *testing.T) {
	up := upstreamtest.Start(t, upstreamtest.WithDeltas(16, 2*time.Millisecond))
	f := startGateway(t, up.URL())
	const n = 64
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req := fmt.Sprintf(`{"model":"gpt-%d","stream":true,"messages":[{"role":"user","content":"hi"}]}`, i)
			resp, err := f.post(t, context.Background(), body(req), nil)
			if err != nil {
				errs <- err
				return
			}
			defer resp.Body.Close()
			b, err := io.ReadAll(resp.Body)
			if err != nil || !strings.Contains(string(b), "[DONE]") {
				errs <- fmt.Errorf("stream %d cut: %v", i, err)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	models := map[string]bool{}
	for range n {
		c := f.call(t)
		if !c.StreamComplete || c.Cancelled || c.TransportError != "" {
			t.Errorf("call %s: complete %v, cancelled %v, error %q", c.RequestModel, c.StreamComplete, c.Cancelled, c.TransportError)
		}
		models[c.RequestModel] = true
	}
	if len(models) != n {
		t.Errorf("%d distinct calls recorded, want %d", len(models), n)
	}
}
