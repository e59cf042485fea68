package gateway_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"

	"github.com/agentwrap/agentwrap/gateway"
)

// TestFloodOfIdleConnections floods the gateway from loopback with
// connections that send one call and then stay silent, and with
// connections that send nothing, ten times its connection cap, while an
// agent keeps calling. The agent's calls must all succeed, the gateway
// must hold no more connections than its cap, and it must say once, not
// per connection, that the cap was reached.
func TestFloodOfIdleConnections(t *testing.T) {
	const maxConns, idlers, silent = 32, 280, 40
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"id":"x","object":"chat.completion","model":"gpt-flood","choices":[{"index":0,"message":{"role":"assistant","content":"ok"},"finish_reason":"stop"}],"usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}}`)
	}))
	defer up.Close()
	u, _ := url.Parse(up.URL)
	var mu sync.Mutex
	var warnings []string
	gw, err := gateway.New(gateway.Config{Upstream: u, MaxConns: maxConns, Warn: func(line string) {
		mu.Lock()
		warnings = append(warnings, line)
		mu.Unlock()
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer gw.Close(context.Background())
	addr := strings.TrimPrefix(gw.URL(), "http://")

	// The agent calls one after another until the flood is over, then
	// once more, through the OpenAI SDK with its default retries, as an
	// agent does: on a kept-alive connection and, every other call, on a
	// new one, as Node's clients do after a few seconds without a call.
	stop := make(chan struct{})
	agentErr := make(chan error, 1)
	var agentCalls, attempts atomic.Int32
	go func() {
		count := option.WithMiddleware(func(r *http.Request, next option.MiddlewareNext) (*http.Response, error) {
			attempts.Add(1)
			return next(r)
		})
		kept := openai.NewClient(option.WithBaseURL(gw.URL()+"/v1/"), option.WithAPIKey("flood-test-token"),
			option.WithRequestTimeout(10*time.Second), option.WithHTTPClient(client(t)), count)
		fresh := openai.NewClient(option.WithBaseURL(gw.URL()+"/v1/"), option.WithAPIKey("flood-test-token"),
			option.WithRequestTimeout(10*time.Second), count,
			option.WithHTTPClient(&http.Client{Transport: &http.Transport{DisableKeepAlives: true}}))
		for i, done := 0, false; !done; i++ {
			select {
			case <-stop:
				done = true
			default:
			}
			cl := kept
			if i%2 == 1 {
				cl = fresh
			}
			reply, err := cl.Chat.Completions.New(context.Background(), openai.ChatCompletionNewParams{
				Model:    "agent",
				Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("hi")},
			})
			if err != nil {
				agentErr <- err
				return
			}
			if len(reply.Choices) != 1 || reply.Choices[0].Message.Content != "ok" {
				agentErr <- fmt.Errorf("agent call: reply %+v", reply)
				return
			}
			agentCalls.Add(1)
		}
		agentErr <- nil
	}()

	// The flood: each connection sends one call and keeps quiet, or sends
	// nothing at all; all are opened on loopback and closed by the test.
	// Connections the gateway has not accepted yet wait in the kernel's
	// backlog and time out on their call.
	conns := make([]net.Conn, 0, idlers+silent)
	var cmu sync.Mutex
	var wg sync.WaitGroup
	sem := make(chan struct{}, 16)
	// The gateway's open connections, sampled while the flood lasts.
	most := make(chan int)
	go func() {
		n := 0
		for {
			n = max(n, gateway.OpenConns(gw))
			select {
			case <-stop:
				most <- n
				return
			case <-time.After(time.Millisecond):
			}
		}
	}()
	for i := range idlers + silent {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			c, err := net.DialTimeout("tcp", addr, 5*time.Second)
			if err != nil {
				return
			}
			cmu.Lock()
			conns = append(conns, c)
			cmu.Unlock()
			if i >= idlers {
				return
			}
			_ = c.SetDeadline(time.Now().Add(10 * time.Second))
			const call = `{"model":"flood","messages":[]}`
			if _, err := io.WriteString(c, "POST /v1/chat/completions HTTP/1.1\r\nHost: "+addr+
				"\r\nContent-Type: application/json\r\nContent-Length: "+strconv.Itoa(len(call))+"\r\n\r\n"+call); err != nil {
				return
			}
			if resp, err := http.ReadResponse(bufio.NewReader(c), nil); err == nil {
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		}()
	}
	wg.Wait()
	close(stop)
	if n := <-most; n > maxConns {
		t.Errorf("the gateway held %d connections open, more than its cap of %d", n, maxConns)
	}
	if err := <-agentErr; err != nil {
		t.Fatalf("the agent's call failed during the flood: %v", err)
	}
	if agentCalls.Load() < 2 {
		t.Fatalf("the agent made %d call(s) during the flood", agentCalls.Load())
	}
	t.Logf("the agent made %d calls in %d attempts", agentCalls.Load(), attempts.Load())
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()

	mu.Lock()
	defer mu.Unlock()
	if len(warnings) != 1 || !strings.Contains(warnings[0], "32 connections") {
		t.Errorf("warnings %q, want one line naming the cap", warnings)
	}
}
