package main

import (
	"io"
	"net/http"
	"strconv"
	"time"
)

// Request headers that shape the bench upstream's reply.
const (
	// hdrDeltas is the number of SSE deltas; absent means a JSON reply.
	hdrDeltas = "X-Bench-Deltas"
	// hdrInterval is the pause between deltas, a Go duration.
	hdrInterval = "X-Bench-Interval"
	// hdrDeltaSize pads each delta's content to this many bytes.
	hdrDeltaSize = "X-Bench-Delta-Size"
)

// jsonReply is a chat completion as the gateway's parser expects it.
const jsonReply = `{"id":"chatcmpl-bench","object":"chat.completion","created":1767225600,` +
	`"model":"gpt-bench","choices":[{"index":0,"message":{"role":"assistant","content":"pong"},` +
	`"finish_reason":"stop"}],"usage":{"prompt_tokens":42,"completion_tokens":17,"total_tokens":59}}`

// messagesReply is an Anthropic Messages reply as the gateway's parser
// expects it.
const messagesReply = `{"id":"msg_bench","type":"message","role":"assistant","model":"claude-bench",` +
	`"content":[{"type":"text","text":"pong"}],"stop_reason":"end_turn","stop_sequence":null,` +
	`"usage":{"input_tokens":42,"output_tokens":17}}`

const (
	chunkHead = `data: {"id":"chatcmpl-bench","object":"chat.completion.chunk","created":1767225600,` +
		`"model":"gpt-bench","choices":[{"index":0,"delta":{"content":"`
	chunkTail = `"},"finish_reason":null}]}` + "\n\n"
	chunkLast = `data: {"id":"chatcmpl-bench","object":"chat.completion.chunk","created":1767225600,` +
		`"model":"gpt-bench","choices":[{"index":0,"delta":{},"finish_reason":"stop"}],` +
		`"usage":{"prompt_tokens":42,"completion_tokens":17,"total_tokens":59}}` + "\n\n" +
		"data: [DONE]\n\n"
)

// upstream is a minimal chat-completions (and Messages) server whose own
// cost stays small
// next to what is measured: it discards the request body and answers a
// fixed JSON reply, or an SSE stream of N deltas flushed one by one.
// Every delta is one event; the terminal chunk and [DONE] follow the last
// delta without a pause, as real streams end.
func upstream() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		if r.URL.Path == "/v1/messages" {
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Content-Length", strconv.Itoa(len(messagesReply)))
			_, _ = io.WriteString(w, messagesReply)
			return
		}
		n, _ := strconv.Atoi(r.Header.Get(hdrDeltas))
		if n <= 0 {
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Content-Length", strconv.Itoa(len(jsonReply)))
			_, _ = io.WriteString(w, jsonReply)
			return
		}
		interval, _ := time.ParseDuration(r.Header.Get(hdrInterval))
		size, _ := strconv.Atoi(r.Header.Get(hdrDeltaSize))
		streamDeltas(w, r, n, interval, size)
	})
}

// streamDeltas writes n delta events, pausing interval before each but the
// first, then the terminal events.
func streamDeltas(w http.ResponseWriter, r *http.Request, n int, interval time.Duration, size int) {
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	rc := http.NewResponseController(w)
	event := deltaEvent(size)
	for i := 0; i < n; i++ {
		if i > 0 && interval > 0 {
			select {
			case <-time.After(interval):
			case <-r.Context().Done():
				return
			}
		}
		if _, err := w.Write(event); err != nil {
			return
		}
		if err := rc.Flush(); err != nil {
			return
		}
	}
	_, _ = io.WriteString(w, chunkLast)
	_ = rc.Flush()
}

// deltaEvent is one SSE delta event whose content is "tok " padded with
// "x" to size bytes.
func deltaEvent(size int) []byte {
	content := []byte("tok ")
	for len(content) < size {
		content = append(content, 'x')
	}
	b := append([]byte(chunkHead), content...)
	return append(b, chunkTail...)
}
