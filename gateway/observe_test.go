package gateway_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/agentwrap/agentwrap/call"
	"github.com/agentwrap/agentwrap/gateway"
)

// TestObservationIsOffTheCallPath blocks the observer and shows that calls
// still complete, that their records then arrive in the order the calls
// ended, and that Close observes what is pending instead of dropping it.
func TestObservationIsOffTheCallPath(t *testing.T) {
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"id":"x","object":"chat.completion","model":"gpt-obs","choices":[{"index":0,"message":{"role":"assistant","content":"ok"},"finish_reason":"stop"}],"usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}}`)
	}))
	defer up.Close()
	u, _ := url.Parse(up.URL)
	release := make(chan struct{})
	models := make(chan string, 16)
	gw, err := gateway.New(gateway.Config{Upstream: u, Observe: func(c *call.Call) {
		<-release
		models <- c.RequestModel
	}})
	if err != nil {
		t.Fatal(err)
	}
	cl := client(t)
	cl.Timeout = 10 * time.Second
	call := func(model string) {
		req, _ := http.NewRequest(http.MethodPost, gw.URL()+"/v1/chat/completions",
			strings.NewReader(`{"model":"`+model+`","messages":[]}`))
		resp, err := cl.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if !strings.Contains(string(b), "chat.completion") {
			t.Fatalf("reply %q", b)
		}
	}
	// The observer is blocked: each call must still complete.
	for _, m := range []string{"m1", "m2", "m3"} {
		call(m)
	}
	close(release)
	for _, want := range []string{"m1", "m2", "m3"} {
		select {
		case got := <-models:
			if got != want {
				t.Fatalf("observed %q, want %q (calls are observed in the order they ended)", got, want)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("%s was never observed", want)
		}
	}
	// A call that ended just before Close is observed by Close itself.
	call("m4")
	if err := gw.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	select {
	case got := <-models:
		if got != "m4" {
			t.Fatalf("observed %q, want m4", got)
		}
	default:
		t.Fatal("Close returned before the pending call was observed")
	}
}

// TestObservationOrderAcrossBatches is TestObservationIsOffTheCallPath with
// the calls 30 ms apart, so that each ends in a batch of its own: while the
// observer is blocked, the later batches must queue behind the first
// instead of being observed by drains of their own, and Observe must never
// run twice at once.
func TestObservationOrderAcrossBatches(t *testing.T) {
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"id":"x","object":"chat.completion","model":"gpt-obs","choices":[{"index":0,"message":{"role":"assistant","content":"ok"},"finish_reason":"stop"}],"usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}}`)
	}))
	defer up.Close()
	u, _ := url.Parse(up.URL)
	release := make(chan struct{})
	models := make(chan string, 16)
	var inObserve, overlaps atomic.Int32
	gw, err := gateway.New(gateway.Config{Upstream: u, Observe: func(c *call.Call) {
		if inObserve.Add(1) > 1 {
			overlaps.Add(1)
		}
		<-release
		time.Sleep(time.Millisecond)
		inObserve.Add(-1)
		models <- c.RequestModel
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer gw.Close(context.Background())
	cl := client(t)
	cl.Timeout = 10 * time.Second
	want := []string{"m1", "m2", "m3", "m4", "m5", "m6"}
	for _, m := range want {
		req, _ := http.NewRequest(http.MethodPost, gw.URL()+"/v1/chat/completions",
			strings.NewReader(`{"model":"`+m+`","messages":[]}`))
		resp, err := cl.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		time.Sleep(30 * time.Millisecond)
	}
	close(release)
	var got []string
	for range want {
		select {
		case m := <-models:
			got = append(got, m)
		case <-time.After(10 * time.Second):
			t.Fatalf("observed %v, want %v", got, want)
		}
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("observed %v, want %v (calls are observed in the order they ended)", got, want)
	}
	if n := overlaps.Load(); n > 0 {
		t.Fatalf("Observe ran concurrently %d time(s)", n)
	}
}

// TestObserveDoneEndsEachBatch: ObserveDone runs after the Observe calls of
// each batch, on the observer's goroutine (never while Observe runs), and
// Close returns only after the last batch's ObserveDone.
func TestObserveDoneEndsEachBatch(t *testing.T) {
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"id":"x","object":"chat.completion","model":"m","choices":[],"usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}}`)
	}))
	defer up.Close()
	u, _ := url.Parse(up.URL)
	var mu sync.Mutex
	var events []string
	var inObserve atomic.Bool
	gw, err := gateway.New(gateway.Config{Upstream: u,
		Observe: func(c *call.Call) {
			inObserve.Store(true)
			mu.Lock()
			events = append(events, c.RequestModel)
			mu.Unlock()
			inObserve.Store(false)
		},
		ObserveDone: func() {
			if inObserve.Load() {
				t.Error("ObserveDone ran during Observe")
			}
			mu.Lock()
			events = append(events, "done")
			mu.Unlock()
		}})
	if err != nil {
		t.Fatal(err)
	}
	cl := client(t)
	send := func(model string) {
		req, _ := http.NewRequest(http.MethodPost, gw.URL()+"/v1/chat/completions", strings.NewReader(`{"model":"`+model+`","messages":[]}`))
		resp, err := cl.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	send("a")
	// Wait for the first batch to be observed and done.
	deadline := time.Now().Add(10 * time.Second)
	for {
		mu.Lock()
		n := len(events)
		mu.Unlock()
		if n == 2 || time.Now().After(deadline) {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	send("b")
	if err := gw.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if got := strings.Join(events, " "); got != "a done b done" {
		t.Errorf("events %q, want each batch's calls followed by done, all before Close returned", got)
	}
}
