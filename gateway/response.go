package gateway

import (
	"io"
	"sync"
	"time"
)

// teeResponseBody passes the upstream response body to the agent unchanged
// while its parser reads a copy. It notes the time of the first byte and
// finishes the call exactly once: at end of body, on a read error, or when
// the proxy closes it early (agent gone).
type teeResponseBody struct {
	body   io.ReadCloser
	parser responseParser
	call   *callState

	mu    sync.Mutex
	first bool
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
		b.call.finish(b.parser, true)
	case err != nil:
		b.call.finish(b.parser, false)
	}
	return n, err
}

// Close closes the upstream body. A body closed before its end means the
// agent went away or the copy failed: the call finishes incomplete.
func (b *teeResponseBody) Close() error {
	err := b.body.Close()
	b.call.finishClosed(b.parser)
	return err
}
