package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Request shapes: the OpenAI chat completions API (the default) and the
// Anthropic Messages API, the one claude-code-router (target D) serves.
const (
	shapeChat     = ""
	shapeMessages = "messages"
)

// mode is one upstream reply shape.
type mode struct {
	Name string
	// Shape is the API the calls speak: shapeChat or shapeMessages
	// (JSON replies only).
	Shape string
	// BodyKB is the request body size of a JSON call.
	BodyKB int
	// Deltas, Interval and DeltaSize shape an SSE reply; Deltas 0 means
	// a JSON reply.
	Deltas    int
	Interval  time.Duration
	DeltaSize int
	// Pace, when set, starts each worker's calls this far apart (open
	// loop) instead of back to back, as an agent's calls are: what the
	// gateway does after a call then happens between calls.
	Pace time.Duration
}

func (m mode) stream() bool { return m.Deltas > 0 }

// benchClaudeModel is the model the Messages calls name.
const benchClaudeModel = "claude-bench"

// messagesBody is an Anthropic Messages request padded to about kb KiB.
func messagesBody(kb int) []byte {
	head := `{"model":"` + benchClaudeModel + `","max_tokens":64,"messages":[{"role":"user","content":"`
	tail := `"}]}`
	pad := max(kb*1024-len(head)-len(tail), 4)
	return []byte(head + string(bytes.Repeat([]byte("a"), pad)) + tail)
}

// bodyFor is the request body of a call in mode m.
func bodyFor(m mode) []byte {
	if m.Shape == shapeMessages {
		return messagesBody(m.BodyKB)
	}
	return requestBody(m.BodyKB, m.stream())
}

// requestBody is a chat completions request padded to about kb KiB.
func requestBody(kb int, stream bool) []byte {
	head := `{"model":"gpt-bench","max_tokens":64,"stream":` + strconv.FormatBool(stream) +
		`,"messages":[{"role":"user","content":"`
	tail := `"}]}`
	pad := max(kb*1024-len(head)-len(tail), 4)
	return []byte(head + string(bytes.Repeat([]byte("a"), pad)) + tail)
}

// callResult is what one call measured.
type callResult struct {
	latency time.Duration
	// firstChunk is the time to the first response body byte.
	firstChunk time.Duration
	// gaps are the times between the arrivals of consecutive deltas.
	gaps []time.Duration
	// coalesced counts deltas that arrived in the same read as another
	// delta although the upstream flushed them apart.
	coalesced int
	err       error
}

// deltaEnd ends every delta event and no other event.
var deltaEnd = []byte(`"finish_reason":null}]}` + "\n\n")

// doCall sends one chat completions (or Messages) call to base and reads the reply as
// an agent would, timing its arrival from scheduled (the time an open-loop
// call was due), or from the send when scheduled is zero.
func doCall(client *http.Client, base string, m mode, body []byte, scheduled time.Time) callResult {
	path := "/v1/chat/completions"
	if m.Shape == shapeMessages {
		path = "/v1/messages"
	}
	req, err := http.NewRequest(http.MethodPost, base+path, bytes.NewReader(body))
	if err != nil {
		return callResult{err: err}
	}
	req.Header.Set("Content-Type", "application/json")
	if m.Shape == shapeMessages {
		req.Header.Set("X-Api-Key", benchToken)
		req.Header.Set("Anthropic-Version", "2023-06-01")
	} else {
		req.Header.Set("Authorization", "Bearer "+benchToken)
	}
	if m.stream() {
		req.Header.Set(hdrDeltas, strconv.Itoa(m.Deltas))
		req.Header.Set(hdrInterval, m.Interval.String())
		req.Header.Set(hdrDeltaSize, strconv.Itoa(m.DeltaSize))
	}
	start := time.Now()
	if !scheduled.IsZero() && scheduled.Before(start) {
		start = scheduled
	}
	resp, err := client.Do(req)
	if err != nil {
		return callResult{err: err}
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		_, _ = io.Copy(io.Discard, resp.Body)
		return callResult{err: fmt.Errorf("status %d", resp.StatusCode)}
	}
	r := readReply(resp.Body, start, m.stream())
	r.latency = time.Since(start)
	if r.err == nil && m.stream() && len(r.gaps)+1+r.coalesced != m.Deltas {
		r.err = fmt.Errorf("got %d deltas, want %d", len(r.gaps)+1+r.coalesced, m.Deltas)
	}
	return r
}

// readBuffers recycles the client's read buffers. The client shares the
// measured process with the proxies: a fresh 32 KiB buffer per call was
// garbage that every target's collector paid for (and, cleared page by
// page after the collector returned memory to the OS, the largest single
// item in C's profile), not what any target does.
var readBuffers = sync.Pool{New: func() any { b := make([]byte, 32<<10); return &b }}

// readReply reads a body to its end, noting when the first byte and each
// delta arrived.
func readReply(body io.Reader, start time.Time, stream bool) callResult {
	var r callResult
	bp := readBuffers.Get().(*[]byte)
	defer readBuffers.Put(bp)
	buf := *bp
	var carry []byte
	var last time.Time
	seen := 0
	for {
		n, err := body.Read(buf)
		if n > 0 {
			now := time.Now()
			if r.firstChunk == 0 {
				r.firstChunk = now.Sub(start)
			}
			if stream {
				k := countDeltas(&carry, buf[:n])
				if k > 0 {
					if seen > 0 {
						r.gaps = append(r.gaps, now.Sub(last))
					}
					seen += k
					r.coalesced += k - 1
					last = now
				}
			}
		}
		if errors.Is(err, io.EOF) {
			return r
		}
		if err != nil {
			r.err = fmt.Errorf("after %d deltas in %s: %w", seen, time.Since(start).Round(time.Millisecond), err)
			return r
		}
	}
}

// countDeltas counts the delta ends in p, including one that straddles
// the previous read, whose last bytes carry holds.
func countDeltas(carry *[]byte, p []byte) int {
	keep := len(deltaEnd) - 1
	var head [64]byte
	joined := append(append(head[:0], *carry...), p[:min(len(p), keep)]...)
	k := bytes.Count(joined, deltaEnd) + bytes.Count(p, deltaEnd)
	all := append(append(head[:0], *carry...), p[max(0, len(p)-keep):]...)
	*carry = append((*carry)[:0], all[max(0, len(all)-keep):]...)
	return k
}

// newClient is an agent-like HTTP client for one phase.
func newClient() *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.DisableCompression = true
	t.MaxIdleConnsPerHost = 1024
	t.MaxIdleConns = 1024
	return &http.Client{Transport: t}
}
