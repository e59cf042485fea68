package upstreamtest

import (
	"compress/gzip"
	"io"
	"net"
	"net/http"
	"strconv"
)

// replyWriter writes one reply, optionally gzipped, flushing on demand and
// able to cut the connection short.
type replyWriter struct {
	rw     http.ResponseWriter
	rc     *http.ResponseController
	gz     *gzip.Writer
	out    io.Writer
	status int
}

func newReplyWriter(w http.ResponseWriter, gz bool) *replyWriter {
	rw := &replyWriter{rw: w, rc: http.NewResponseController(w), out: w}
	if gz {
		rw.gz = gzip.NewWriter(w)
		rw.out = rw.gz
	}
	return rw
}

func (w *replyWriter) header() http.Header { return w.rw.Header() }

// start writes the status line and headers.
func (w *replyWriter) start(status int) {
	w.status = status
	if w.gz != nil {
		w.header().Set("Content-Encoding", "gzip")
		w.header().Del("Content-Length")
	}
	w.rw.WriteHeader(status)
}

// write writes p to the body. A write error means the client is gone; the
// handler then stops at its next flush or pause.
func (w *replyWriter) write(p []byte) { _, _ = w.out.Write(p) }

// flush pushes everything written so far to the client.
func (w *replyWriter) flush() {
	if w.gz != nil {
		_ = w.gz.Flush()
	}
	_ = w.rc.Flush()
}

// finish completes the body.
func (w *replyWriter) finish() {
	if w.gz != nil {
		_ = w.gz.Close()
	}
}

// writeAll writes a whole body with status, setting Content-Length when
// the body is not compressed.
func (w *replyWriter) writeAll(status int, body []byte) {
	if w.gz == nil {
		w.header().Set("Content-Length", strconv.Itoa(len(body)))
	}
	w.start(status)
	w.write(body)
	w.finish()
}

// abort flushes what was written and drops the connection without ending
// the body, so the client sees an unexpected EOF.
func (w *replyWriter) abort() {
	w.flush()
	panic(http.ErrAbortHandler)
}

// reset flushes what was written and resets the TCP connection (RST), so
// the client sees "connection reset by peer".
func (w *replyWriter) reset() {
	w.flush()
	conn, _, err := w.rc.Hijack()
	if err == nil {
		if tc, ok := conn.(*net.TCPConn); ok {
			_ = tc.SetLinger(0)
		}
		_ = conn.Close()
	}
	panic(http.ErrAbortHandler)
}

// encoder frames the events of a stream.
type encoder interface {
	// event writes one event; name is empty for data-only events.
	event(name string, data []byte)
	// end closes the framing.
	end()
}

// sseEncoder writes server-sent events ending in sep ("\n\n", or
// "\r\n\r\n" as Google writes them), flushing after each.
type sseEncoder struct {
	w   *replyWriter
	sep string
}

func (e sseEncoder) event(name string, data []byte) {
	if name != "" {
		e.w.write([]byte("event: " + name + "\n"))
	}
	e.w.write([]byte("data: "))
	e.w.write(data)
	e.w.write([]byte(e.sep))
	e.w.flush()
}

func (e sseEncoder) end() {}

// arrayEncoder streams a JSON array, one element per event, as Gemini's
// streamGenerateContent does without alt=sse.
type arrayEncoder struct {
	w *replyWriter
	n int
}

func (e *arrayEncoder) event(_ string, data []byte) {
	if e.n == 0 {
		e.w.write([]byte("["))
	} else {
		e.w.write([]byte(",\r\n"))
	}
	e.n++
	e.w.write(data)
	e.w.flush()
}

func (e *arrayEncoder) end() {
	if e.n == 0 {
		e.w.write([]byte("["))
	}
	e.w.write([]byte("]"))
	e.w.flush()
}
