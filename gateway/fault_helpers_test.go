package gateway_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/agentwrap/agentwrap/call"
	"github.com/agentwrap/agentwrap/gateway"
)

// faultGateway is a passthrough gateway in front of upstream whose calls
// arrive on a channel.
type faultGateway struct {
	gw    *gateway.Gateway
	calls chan *call.Call
}

func startGateway(t *testing.T, upstream string) *faultGateway {
	t.Helper()
	u, err := url.Parse(upstream)
	if err != nil {
		t.Fatal(err)
	}
	calls := make(chan *call.Call, 128)
	gw, err := gateway.New(gateway.Config{Upstream: u, Observe: func(c *call.Call) { calls <- c }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = gw.Close(context.Background()) })
	return &faultGateway{gw: gw, calls: calls}
}

// call waits for the next observed call.
func (f *faultGateway) call(t *testing.T) *call.Call {
	t.Helper()
	select {
	case c := <-f.calls:
		return c
	case <-time.After(20 * time.Second):
		t.Fatal("no call observed")
	}
	return nil
}

// post sends a chat completions request to the gateway.
func (f *faultGateway) post(t *testing.T, ctx context.Context, body io.Reader, hdr map[string]string) (*http.Response, error) {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, f.gw.URL()+"/v1/chat/completions", body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer sk-canary-fault-0000")
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	return client(t).Do(req)
}

func client(t *testing.T) *http.Client {
	tr := &http.Transport{DisableCompression: true}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr}
}

const streamRequest = `{"model":"gpt-fault","stream":true,"messages":[{"role":"user","content":"hi"}]}`

func body(s string) io.Reader { return strings.NewReader(s) }

// sseEvents writes n chat chunks, pausing between them, then [DONE]. It
// stops when the client is gone.
func sseEvents(w http.ResponseWriter, r *http.Request, n int, pause time.Duration) {
	w.Header().Set("Content-Type", "text/event-stream")
	rc := http.NewResponseController(w)
	for i := range n {
		if i > 0 {
			select {
			case <-time.After(pause):
			case <-r.Context().Done():
				return
			}
		}
		_, _ = io.WriteString(w, `data: {"id":"c1","object":"chat.completion.chunk","model":"gpt-fault","choices":[{"index":0,"delta":{"content":"x"},"finish_reason":null}]}`+"\n\n")
		if rc.Flush() != nil {
			return
		}
	}
	_, _ = io.WriteString(w, `data: {"id":"c1","object":"chat.completion.chunk","model":"gpt-fault","choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}}`+"\n\ndata: [DONE]\n\n")
}
