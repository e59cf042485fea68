package gateway

import (
	"io"
	"sync"
	"time"
)

// teeResponseBody passes the upstream response body to the agent unchanged
// while its parser reads a copy. It notes the time of the first byte and
// finishes the call exactly once: on a read error, or when the proxy closes
// it, after the last byte was written to the agent (complete when the body
// reached its end, else the agent went away).
type teeResponseBody struct {
	body   io.ReadCloser
	parser responseParser
	call   *callState

	mu    sync.Mutex
	first bool
	eof   bool
}

func (b *teeResponseBody) Read(p []byte) (int, error) {
	n, err := b.body.Read(p)
	if n > 0 {
		b.mu.Lock()
		if !b.first {
			b.first = true
			b.call.firstByte(time.Now())
		}
		b.mu.Unlock()
		_, _ = b.parser.Write(p[:n])
	}
	switch {
	case err == io.EOF:
		// The proxy still has to write this read's bytes; the call
		// finishes when it closes the body.
		b.mu.Lock()
		b.eof = true
		b.mu.Unlock()
	case err != nil:
		b.call.finish(b.parser, false)
	}
	return n, err
}

// Close closes the upstream body. A body closed before its end means the
// agent went away or the copy failed: the call finishes incomplete.
func (b *teeResponseBody) Close() error {
	err := b.body.Close()
	b.mu.Lock()
	eof := b.eof
	b.mu.Unlock()
	if eof {
		b.call.finish(b.parser, true)
	} else {
		b.call.finishClosed(b.parser)
	}
	return err
}
