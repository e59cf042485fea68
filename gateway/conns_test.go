package gateway_test

import (
	"bufio"
	"context"
	"errors"
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

	// The agent calls one after another on its own keep-alive client
	// until the flood is over, then once more.
	stop := make(chan struct{})
	agentErr := make(chan error, 1)
	var agentCalls atomic.Int32
	go func() {
		cl := client(t)
		cl.Timeout = 10 * time.Second
		for done := false; !done; {
			select {
			case <-stop:
				done = true
			default:
			}
			resp, err := cl.Post(gw.URL()+"/v1/chat/completions", "application/json",
				strings.NewReader(`{"model":"agent","messages":[]}`))
			if err != nil {
				agentErr <- err
				return
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK || !strings.Contains(string(b), "chat.completion") {
				agentErr <- errors.New("agent call: " + resp.Status + " " + string(b))
				return
			}
			agentCalls.Add(1)
		}
		agentErr <- nil
	}()

	// The flood: each connection sends one call and keeps quiet, or sends
	// nothing at all; all are opened on loopback and closed by the test.
	conns := make([]net.Conn, 0, idlers+silent)
	var cmu sync.Mutex
	var wg sync.WaitGroup
	sem := make(chan struct{}, 16)
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
	if err := <-agentErr; err != nil {
		t.Fatalf("the agent's call failed during the flood: %v", err)
	}
	if agentCalls.Load() < 2 {
		t.Fatalf("the agent made %d call(s) during the flood", agentCalls.Load())
	}
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()

	// Every flood connection the gateway still holds open times out on a
	// read; one it closed reads EOF or a reset.
	open := 0
	for _, c := range conns {
		_ = c.SetReadDeadline(time.Now().Add(20 * time.Millisecond))
		br := bufio.NewReader(c)
		for {
			_, err := br.ReadByte()
			if err == nil {
				continue
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				open++
			}
			break
		}
	}
	if open > maxConns {
		t.Errorf("the gateway holds %d of %d flood connections open, more than its cap of %d", open, len(conns), maxConns)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(warnings) != 1 || !strings.Contains(warnings[0], "32 connections") {
		t.Errorf("warnings %q, want one line naming the cap", warnings)
	}
}
