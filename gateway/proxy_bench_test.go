package gateway_test

import (
	"context"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"testing"

	"github.com/agentwrap/agentwrap/contract"
	"github.com/agentwrap/agentwrap/gateway"
)

// BenchmarkProxyJSONCall compares one small JSON call through a bare
// httputil.ReverseProxy with the same call through the gateway (managed
// key, contract check, spans with guard and run file), for profiling the
// gateway's own per-call cost: go test -bench ProxyJSONCall -cpuprofile.
func BenchmarkProxyJSONCall(b *testing.B) {
	const reply = `{"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"gpt-5-mini","choices":[{"index":0,"message":{"role":"assistant","content":"pong"},"finish_reason":"stop"}],"usage":{"prompt_tokens":42,"completion_tokens":17,"total_tokens":59}}`
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, reply)
	}))
	defer up.Close()
	u, _ := url.Parse(up.URL)
	body := `{"model":"gpt-5-mini","messages":[{"role":"user","content":"Return the word pong."}]}`
	run := func(b *testing.B, base, token string) {
		tr := gateway.NewTransport()
		defer tr.CloseIdleConnections()
		b.ReportAllocs()
		for b.Loop() {
			req, _ := http.NewRequest("POST", base+"/v1/chat/completions", strings.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+token)
			req.Header.Set("Content-Type", "application/json")
			resp, err := tr.RoundTrip(req)
			if err != nil {
				b.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	}
	b.Run("bare", func(b *testing.B) {
		// The gateway's transport, buffer pool, flushing, error log and
		// full duplex: only the gateway's own work differs.
		upTr := gateway.NewTransport()
		defer upTr.CloseIdleConnections()
		rp := &httputil.ReverseProxy{
			Rewrite: func(pr *httputil.ProxyRequest) { pr.SetURL(u) }, Transport: upTr,
			FlushInterval: -1, BufferPool: gateway.CopyBuffers(), ErrorLog: log.New(io.Discard, "", 0),
		}
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_ = http.NewResponseController(w).EnableFullDuplex()
			rp.ServeHTTP(w, r)
		}))
		defer srv.Close()
		run(b, srv.URL, "x")
	})
	b.Run("gateway", func(b *testing.B) {
		rec := benchRecorder(b, true)
		gw, err := gateway.New(gateway.Config{
			Upstream: u, Key: "sk-canary-bench-key-000000000000", Token: "agentwrap-bench-token-0000",
			Observe: rec.Observe, Contract: contract.NewChecker(contract.Builtin()),
			Label: func(string) string { return "cred-0000" },
		})
		if err != nil {
			b.Fatal(err)
		}
		defer gw.Close(context.Background())
		run(b, gw.URL(), "agentwrap-bench-token-0000")
	})
}
