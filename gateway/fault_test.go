package gateway_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/agentwrap/agentwrap/internal/upstreamtest"
)

// TestStreamSurvivesRequestBodyEOFAfterReply: the upstream answers as soon
// as it has the JSON object, before the request body's end arrives. The
// stream must start before the body ends and reach the agent whole
// (regression: without full duplex, net/http either held the reply's header
// until the body ended or closed the body under the transport, which then
// dropped the upstream connection mid-stream).
func TestStreamSurvivesRequestBodyEOFAfterReply(t *testing.T) {
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = http.NewResponseController(w).EnableFullDuplex()
		var v map[string]any
		if err := json.NewDecoder(r.Body).Decode(&v); err != nil {
			http.Error(w, "bad json", http.StatusBadRequest)
			return
		}
		sseEvents(w, r, 5, 20*time.Millisecond)
		_, _ = io.Copy(io.Discard, r.Body) // its end came after the reply started
	}))
	defer up.Close()
	f := startGateway(t, up.URL)
	for i := range 10 {
		pr, pw := io.Pipe()
		go func() { _, _ = io.WriteString(pw, streamRequest) }()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		resp, err := f.post(t, ctx, pr, nil)
		if err != nil {
			t.Fatalf("attempt %d: the reply did not start before the request body ended: %v", i, err)
		}
		rd := bufio.NewReader(resp.Body)
		if _, err := rd.ReadString('\n'); err != nil {
			t.Fatalf("attempt %d: first event: %v", i, err)
		}
		_ = pw.Close() // the request body ends after the reply started
		rest, err := io.ReadAll(rd)
		resp.Body.Close()
		if err != nil || !bytes.HasSuffix(rest, []byte("data: [DONE]\n\n")) {
			t.Fatalf("attempt %d: stream cut: %v", i, err)
		}
		if c := f.call(t); !c.StreamComplete || c.TransportError != "" {
			t.Fatalf("attempt %d: call %+v", i, c)
		}
	}
}

// TestUpstreamFailuresMidStream: a reset and a truncated stream reach the
// agent as a cut stream, and the call is recorded as interrupted, not as
// cancelled by the agent.
func TestUpstreamFailuresMidStream(t *testing.T) {
	up := upstreamtest.Start(t, upstreamtest.WithDeltas(6, 5*time.Millisecond))
	f := startGateway(t, up.URL())
	for _, sc := range []string{upstreamtest.ScenarioResetMidStream, upstreamtest.ScenarioTruncated} {
		t.Run(sc, func(t *testing.T) {
			resp, err := f.post(t, context.Background(), body(streamRequest), map[string]string{upstreamtest.HeaderScenario: sc})
			if err != nil {
				t.Fatal(err)
			}
			_, err = io.ReadAll(resp.Body)
			resp.Body.Close()
			if err == nil {
				t.Error("the agent got a complete body from a cut stream")
			}
			c := f.call(t)
			if c.Cancelled || c.TransportError == "" || c.StreamComplete {
				t.Errorf("call: cancelled %v, transport error %q, complete %v", c.Cancelled, c.TransportError, c.StreamComplete)
			}
		})
	}
}

// TestLongSilenceBeforeFirstByte: no proxy timeout ends a stream whose
// first byte comes after 120 s of silence, longer than every server and
// transport timeout the gateway sets (ReadHeaderTimeout is 30 s; the
// transport has no response header timeout). It runs in parallel with the
// package's other tests.
func TestLongSilenceBeforeFirstByte(t *testing.T) {
	if testing.Short() {
		t.Skip("waits 120 s")
	}
	t.Parallel()
	up := upstreamtest.Start(t)
	f := startGateway(t, up.URL())
	resp, err := f.post(t, context.Background(), body(streamRequest), map[string]string{
		upstreamtest.HeaderScenario: upstreamtest.ScenarioSlowFirstByte, upstreamtest.HeaderDelay: "120s"})
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK || !bytes.Contains(b, []byte("[DONE]")) {
		t.Fatalf("status %d, err %v, body %q", resp.StatusCode, err, b)
	}
	if c := f.call(t); !c.StreamComplete || c.FirstChunk < 120*time.Second {
		t.Fatalf("call: complete %v, first chunk %s", c.StreamComplete, c.FirstChunk)
	}
}

// cancelWatcher is an upstream that reports when its request's context
// ends, the sign that the gateway cancelled the upstream request.
type cancelWatcher struct {
	started chan struct{}
	done    chan time.Time
}

func newCancelWatcher(t *testing.T, stream bool) (*cancelWatcher, *httptest.Server) {
	cw := &cancelWatcher{started: make(chan struct{}, 1), done: make(chan time.Time, 1)}
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		cw.started <- struct{}{}
		if stream {
			sseEvents(w, r, 1000, 50*time.Millisecond)
		} else {
			<-r.Context().Done()
		}
		<-r.Context().Done()
		cw.done <- time.Now()
	}))
	t.Cleanup(up.Close)
	return cw, up
}

// TestAgentDisconnect: an agent that goes away before the first byte or
// during a stream makes the gateway cancel the upstream request at once,
// and the call is recorded as cancelled.
func TestAgentDisconnect(t *testing.T) {
	for _, tc := range []struct {
		name   string
		stream bool
	}{{"before the first byte", false}, {"during a stream", true}} {
		t.Run(tc.name, func(t *testing.T) {
			cw, up := newCancelWatcher(t, tc.stream)
			f := startGateway(t, up.URL)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			go func() {
				<-cw.started
				time.Sleep(100 * time.Millisecond)
				cancel()
			}()
			resp, err := f.post(t, ctx, body(streamRequest), nil)
			if err == nil {
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
			if ctx.Err() == nil {
				t.Fatal("the call ended before the agent went away")
			}
			select {
			case <-cw.done:
			case <-time.After(5 * time.Second):
				t.Fatal("the upstream request was not cancelled")
			}
			if c := f.call(t); !c.Cancelled {
				t.Fatalf("call not recorded as cancelled: %+v", c)
			}
		})
	}
}

// TestOddBodiesPassUnchanged: malformed, huge and non-UTF-8 bodies pass
// both ways byte for byte, and the record says what it could not read.
func TestOddBodiesPassUnchanged(t *testing.T) {
	huge := `{"choices":[{"message":{"content":"` + strings.Repeat("h", 8<<20) + `"}}]}`
	for _, tc := range []struct{ name, req, reply string }{
		{"malformed JSON", `{"model": "m", oops]`, `{"id": "x", "choices": [`},
		{"huge JSON", `{"model":"m","messages":[{"role":"user","content":"` + strings.Repeat("q", 8<<20) + `"}]}`, huge},
		{"invalid UTF-8", "{\"model\":\"m\xff\xfe\",\"messages\":[]}", "{\"id\":\"\xc3\x28\",\"choices\":[]}"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []byte
			var mu sync.Mutex
			up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				b, _ := io.ReadAll(r.Body)
				mu.Lock()
				got = b
				mu.Unlock()
				w.Header().Set("Content-Type", "application/json")
				_, _ = io.WriteString(w, tc.reply)
			}))
			defer up.Close()
			f := startGateway(t, up.URL)
			resp, err := f.post(t, context.Background(), body(tc.req), nil)
			if err != nil {
				t.Fatal(err)
			}
			reply, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil || string(reply) != tc.reply {
				t.Fatalf("reply changed (%d bytes, want %d): %v", len(reply), len(tc.reply), err)
			}
			c := f.call(t)
			mu.Lock()
			defer mu.Unlock()
			if string(got) != tc.req {
				t.Fatalf("request changed (%d bytes, want %d)", len(got), len(tc.req))
			}
			if tc.name == "malformed JSON" && (!c.RequestJSONError || !c.ResponseJSONError) {
				t.Errorf("malformed bodies not noted: request %v, response %v", c.RequestJSONError, c.ResponseJSONError)
			}
		})
	}
}

// TestEarlyReplyWhileAgentStillSends: an upstream that answers before
// reading a body the agent is still sending (an auth error, say) is
// answered in full, and the agent's connection stays usable.
func TestEarlyReplyWhileAgentStillSends(t *testing.T) {
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = io.WriteString(w, `{"error":{"message":"no","type":"auth","code":"invalid_api_key"}}`)
	}))
	defer up.Close()
	f := startGateway(t, up.URL)
	c := client(t)
	for i := range 3 {
		pr, pw := io.Pipe()
		go func() {
			_, _ = io.WriteString(pw, `{"model":"m","messages":[`)
			time.Sleep(50 * time.Millisecond)
			_, _ = io.WriteString(pw, `]}`)
			_ = pw.Close()
		}()
		req, _ := http.NewRequest(http.MethodPost, f.gw.URL()+"/v1/chat/completions", pr)
		req.Header.Set("Authorization", "Bearer sk-canary-fault-0000")
		resp, err := c.Do(req)
		if err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusUnauthorized || !bytes.Contains(b, []byte("invalid_api_key")) {
			t.Fatalf("request %d: status %d, %v, %q", i, resp.StatusCode, err, b)
		}
		if call := f.call(t); call.StatusCode != http.StatusUnauthorized {
			t.Fatalf("request %d: call status %d", i, call.StatusCode)
		}
	}
}
