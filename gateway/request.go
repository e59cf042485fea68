package gateway

import (
	"bytes"
	"encoding/json"
	"io"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/agentwrap/agentwrap/call"
)

// requestKeys are the top-level request body keys whose values the gateway
// reads. Every other key is only listed, never captured.
var requestKeys = map[string]bool{
	"model": true, "stream": true, "max_tokens": true,
	"max_output_tokens": true, "max_completion_tokens": true,
	"generationConfig": true, "generation_config": true,
}

func wantRequestKey(k string) bool { return requestKeys[k] }

// pendingScanBytes bounds the request bytes a call keeps for its deferred
// scan. 64 KiB holds the whole body of most agent calls (a first turn or a
// short conversation), so that their scan (up to ~150 µs for an
// escape-heavy 64 KiB, see BenchmarkKeyScanner) runs after the reply went
// to the agent, while a call in flight holds at most 64 KiB whatever its
// body: a few MiB for dozens of concurrent calls. A longer body has its
// first 64 KiB scanned when it outgrows the buffer and the rest as it
// passes, as every body was before; one whose Content-Length says it is
// longer is scanned as it passes from its start.
const pendingScanBytes = 64 << 10

// pendingSizes are the sizes of the buffers that keep request bytes for the
// deferred scan, the last pendingScanBytes. A body takes the smallest that
// holds it (by its Content-Length, or growing as it is read): a small
// call's buffer is cheap to make again when the garbage collector empties
// the pools.
var pendingSizes = [...]int{4 << 10, 16 << 10, pendingScanBytes}

// pendingPools recycle the buffers of each of pendingSizes.
var pendingPools [len(pendingSizes)]sync.Pool

// getPending returns an empty buffer of the smallest of pendingSizes that
// holds n bytes (n is at most pendingScanBytes).
func getPending(n int) *[]byte {
	i := 0
	for pendingSizes[i] < n {
		i++
	}
	if b, ok := pendingPools[i].Get().(*[]byte); ok {
		return b
	}
	b := make([]byte, 0, pendingSizes[i])
	return &b
}

// putPending wipes a buffer of getPending, so that no request bytes linger
// in the pool, and returns it to its pool.
func putPending(b *[]byte) {
	clear(*b)
	*b = (*b)[:0]
	for i, size := range pendingSizes {
		if cap(*b) == size {
			pendingPools[i].Put(b)
			return
		}
	}
}

// teeRequestBody passes the agent's request body to the upstream unchanged
// while its top-level keys are read by scan.
//
// Unless enforcement needs the scan at the body's end (atEOF), the scan
// waits for the call's record: the bytes are copied into a pooled buffer
// (see pendingScanBytes) and scanned when the record is completed, off the
// call's path (finishScan). These raw request bytes, the prompt among them,
// are held only while the call is pending: finishScan wipes the buffer and
// returns it to its pool. A body that outgrows the buffer has what it
// holds scanned at once and the rest scanned as it passes, so that memory
// stays bounded whatever the body's size. Nothing else is kept beyond the
// scanner's bounded capture.
type teeRequestBody struct {
	io.ReadCloser
	scan *keyScanner
	// atEOF, when set, runs once at the end of the body; an error it
	// returns replaces io.EOF so that the upstream request is abandoned
	// before the upstream could act on it. It scans inline: the check
	// needs the scan's result at the end of the body.
	atEOF func() error
	// eof is set once the agent's body was read to its end: a body the
	// upstream was never sent (unreachable upstream) or only partly has
	// unknown fields, not missing ones.
	eof atomic.Bool

	// mu guards what follows: Read runs on the transport's goroutine,
	// finishScan on the observer's, and the transport may still read the
	// body after the call ended.
	mu sync.Mutex
	n  int64
	// size is the body's Content-Length, -1 when unknown.
	size int64
	// pending holds the bytes read but not scanned yet, in a buffer of
	// getPending; nil until the first read and after finishScan.
	pending *[]byte
	mode    scanMode
}

// scanMode says what teeRequestBody.Read does with the bytes it passes on.
type scanMode uint8

const (
	teeDeferred scanMode = iota // kept in pending for finishScan
	teeInline                   // scanned as they pass
	teeDone                     // ignored: the deferred scan was completed
)

// start tees body, of length size (-1: unknown), to be read by scan;
// check, when not nil, is atEOF and has the body scanned inline.
func (b *teeRequestBody) start(body io.ReadCloser, size int64, scan *keyScanner, check func() error) {
	b.ReadCloser, b.scan, b.atEOF = body, scan, check
	b.size = size
	if check != nil || size > pendingScanBytes {
		// Buffered, this body's start would only be scanned when it
		// outgrew the buffer: still on the call's path.
		b.mode = teeInline
	}
}

func (b *teeRequestBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if n > 0 {
		b.keep(p[:n])
	}
	if err == io.EOF {
		b.eof.Store(true)
	}
	if err == io.EOF && b.atEOF != nil {
		check := b.atEOF
		b.atEOF = nil
		if cerr := check(); cerr != nil {
			return n, cerr
		}
	}
	return n, err
}

// keep counts p and scans it or keeps it for the deferred scan.
func (b *teeRequestBody) keep(p []byte) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.n += int64(len(p))
	switch b.mode {
	case teeDone:
		return
	case teeDeferred:
		held := 0
		if b.pending != nil {
			held = len(*b.pending)
		}
		need := held + len(p)
		if need <= pendingScanBytes {
			if b.pending == nil || need > cap(*b.pending) {
				b.grow(max(need, int(min(b.size, pendingScanBytes))))
			}
			*b.pending = append(*b.pending, p...)
			return
		}
		// The body outgrew the buffer: scan what it holds now and the
		// rest as it passes, so that no more of the body is held.
		b.release(true)
		b.mode = teeInline
	}
	_, _ = b.scan.Write(p)
}

// finishScan completes the scan of the bytes read so far, when scan is set
// (the call's record is being completed), or drops them (no record will
// be), and returns the number of bytes read. A deferred scan ignores the
// bytes read after it: nothing reads the scanner after the record. An
// inline one goes on as before: the enforcement check at the body's end
// may still need it.
func (b *teeRequestBody) finishScan(scan bool) int64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.release(scan)
	if b.mode == teeDeferred {
		b.mode = teeDone
	}
	return b.n
}

// bodyLen returns the number of bytes read so far.
func (b *teeRequestBody) bodyLen() int64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.n
}

// grow moves the pending bytes to a buffer that holds n bytes. b.mu is
// held.
func (b *teeRequestBody) grow(n int) {
	next := getPending(n)
	if b.pending != nil {
		*next = append(*next, *b.pending...)
		putPending(b.pending)
	}
	b.pending = next
}

// release scans the pending bytes when scan is set, then wipes their buffer
// and returns it to its pool, once: pending is nil afterwards. b.mu is
// held.
func (b *teeRequestBody) release(scan bool) {
	if b.pending == nil {
		return
	}
	if scan {
		_, _ = b.scan.Write(*b.pending)
	}
	putPending(b.pending)
	b.pending = nil
}

// jsonString decodes a JSON string value; a plain one (no escape, ASCII
// only) is copied without the JSON decoder.
func jsonString(v []byte) (string, bool) {
	if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
		plain := true
		for _, b := range v[1 : len(v)-1] {
			if b < 0x20 || b == '"' || b == '\\' || b >= 0x80 {
				plain = false
				break
			}
		}
		if plain {
			return string(v[1 : len(v)-1]), true
		}
	}
	var m string
	err := json.Unmarshal(v, &m)
	return m, err == nil
}

// fillRequest copies what the scanner read into c. It is called when the
// call ends, by which time the transport has sent the body.
func fillRequest(c *call.Call, s *keyScanner, bodyLen int64) {
	c.RequestKeys = s.Keys()
	if bodyLen > 0 && !s.Valid() {
		c.RequestJSONError = true
	}
	if v, ok := s.Value("model"); ok && c.RequestModel == "" {
		if m, ok := jsonString(v); ok {
			c.RequestModel = m
		}
	}
	if v, ok := s.Value("stream"); ok && bytes.Equal(bytes.Trim(v, " \t\r\n"), []byte("true")) {
		c.RequestStream = true
	}
	for _, k := range []string{"max_tokens", "max_output_tokens", "max_completion_tokens"} {
		if v, ok := s.Value(k); ok {
			if n, err := strconv.ParseInt(string(v), 10, 64); err == nil {
				c.RequestMaxTokens = n
				return
			}
		}
	}
	for _, k := range []string{"generationConfig", "generation_config"} {
		if v, ok := s.Value(k); ok {
			var gc struct {
				A *int64 `json:"maxOutputTokens"`
				B *int64 `json:"max_output_tokens"`
			}
			if json.Unmarshal(v, &gc) == nil {
				switch {
				case gc.A != nil:
					c.RequestMaxTokens = *gc.A
				case gc.B != nil:
					c.RequestMaxTokens = *gc.B
				}
			}
		}
	}
}
