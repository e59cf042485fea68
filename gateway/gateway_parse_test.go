package gateway

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/agentwrap/agentwrap/call"
)

// TestGatewayParsesRepliesInPassing sends fixtures through the real proxy:
// the agent gets them byte for byte and the record gets their metadata.
func TestGatewayParsesRepliesInPassing(t *testing.T) {
	cases := []struct {
		path, fixture, ct, ce string
		status                int
		check                 func(c *call.Call) bool
	}{
		{"/v1/chat/completions", "chat_stream.sse", "text/event-stream", "", 200, func(c *call.Call) bool {
			return c.Stream && c.StreamComplete && c.Usage.Input == 1117 && c.ResponseID != ""
		}},
		{"/v1/messages?beta=true", "messages_stream.sse", "text/event-stream", "br", 200, func(c *call.Call) bool {
			return c.Stream && c.StreamComplete && c.Usage.CacheRead == 20480 && c.FinishReasons[0] == "tool_use"
		}},
		{"/v1/responses", "responses.json", "application/json", "gzip", 200, func(c *call.Call) bool {
			return !c.Stream && c.Usage.Reasoning == 256 && c.ResponseModel == "gpt-5-codex"
		}},
		{"/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse", "gemini_stream.sse", "text/event-stream", "zstd", 200, func(c *call.Call) bool {
			return c.StreamComplete && c.Usage.Output == 558
		}},
		{"/v1/chat/completions", "error_openai.json", "application/json", "", 401, func(c *call.Call) bool {
			return c.UpstreamErrorCode == "invalid_api_key"
		}},
	}
	for _, tc := range cases {
		t.Run(tc.fixture, func(t *testing.T) {
			body := fixture(t, tc.fixture)
			if tc.ce != "" {
				body = encode(t, tc.ce, body)
			}
			h := newHarness(t, "", func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", tc.ct)
				if tc.ce != "" {
					w.Header().Set("Content-Encoding", tc.ce)
				}
				w.WriteHeader(tc.status)
				for rest := body; len(rest) > 0; {
					n := min(len(rest), 173)
					_, _ = w.Write(rest[:n])
					w.(http.Flusher).Flush()
					rest = rest[n:]
				}
			})
			_, got := h.do(t, "POST", tc.path, map[string]string{"Accept-Encoding": tc.ce}, `{"model":"m","stream":true}`)
			if !bytes.Equal(got, body) {
				t.Fatalf("reply altered in passing: %d bytes vs %d", len(got), len(body))
			}
			c := h.call(t)
			assertNoCanary(t, c)
			if !tc.check(c) {
				t.Fatalf("record: %+v", c)
			}
		})
	}
}

// TestGatewayStreamCutByUpstream ends a stream before its terminal event.
func TestGatewayStreamCutByUpstream(t *testing.T) {
	full := string(fixture(t, "messages_stream.sse"))
	cut := full[:strings.Index(full, "event: message_stop")]
	h := newHarness(t, "", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		_, _ = io.WriteString(w, cut)
	})
	h.do(t, "POST", "/v1/messages", nil, `{"stream":true}`)
	if c := h.call(t); !c.Stream || c.StreamComplete || c.Usage.Output != 89 {
		t.Fatalf("cut stream: %+v", c)
	}
}
