package upstreamtest

import (
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"

	"github.com/andybalholm/brotli"
	"github.com/klauspost/compress/zstd"
)

// replyWriter writes one reply, optionally compressed, flushing on demand
// and able to cut the connection short.
type replyWriter struct {
	rw http.ResponseWriter
	rc *http.ResponseController
	// enc is the Content-Encoding header value, or empty; zw compresses
	// the body when it is set (an unknown coding is written as is).
	enc    string
	zw     compressor
	out    io.Writer
	status int
	// trailer, when not nil, holds trailers sent after the body (their
	// names announced in the Trailer header): the reply is then chunked,
	// never sent with a Content-Length.
	trailer map[string]string
}

// compressor is a streaming compressor: Flush ends every pending block so
// the client can decode everything written so far.
type compressor interface {
	io.Writer
	Flush() error
	Close() error
}

// newReplyWriter announces Content-Encoding enc ("" for none) and
// compresses with algorithm algo. The header value is enc as given, so a
// test can send upper- or mixed-case names; a coding this package does not
// know is announced but not applied.
func newReplyWriter(w http.ResponseWriter, enc, algo string) *replyWriter {
	rw := &replyWriter{rw: w, rc: http.NewResponseController(w), out: w, enc: enc}
	if zw := newCompressor(algo, w); zw != nil {
		rw.zw = zw
		rw.out = zw
	}
	return rw
}

// RawDeflate, as the value of [HeaderContentEncoding], asks for a body in
// raw RFC 1951 deflate announced as "deflate", as some servers send it
// (the standard's "deflate" is the zlib format).
const RawDeflate = "deflate-raw"

func newCompressor(enc string, w io.Writer) compressor {
	switch enc {
	case "gzip", "x-gzip":
		return gzip.NewWriter(w)
	case "deflate":
		return zlib.NewWriter(w)
	case RawDeflate:
		zw, _ := flate.NewWriter(w, flate.DefaultCompression)
		return zw
	case "br":
		return brotli.NewWriter(w)
	case "zstd":
		zw, _ := zstd.NewWriter(w, zstd.WithEncoderConcurrency(1))
		return zw
	}
	return nil
}

// replyEncoding picks the coding of a reply: [HeaderContentEncoding]
// forces one (even one the client did not accept, as some CDNs do),
// [HeaderGzip] forces gzip, and otherwise the first of zstd, br, gzip and
// deflate that the request's Accept-Encoding allows (q > 0), as a CDN
// negotiates. Without Accept-Encoding the reply is not compressed.
// It returns the header value and the compression algorithm.
func replyEncoding(h http.Header) (enc, algo string) {
	if v := strings.TrimSpace(h.Get(HeaderContentEncoding)); v != "" {
		if strings.EqualFold(v, RawDeflate) {
			return "deflate", RawDeflate
		}
		return v, strings.ToLower(v)
	}
	if isTrue(h.Get(HeaderGzip)) {
		return "gzip", "gzip"
	}
	accepted := map[string]bool{}
	for _, v := range h.Values("Accept-Encoding") {
		for _, part := range strings.Split(v, ",") {
			name, params, _ := strings.Cut(part, ";")
			name = strings.ToLower(strings.TrimSpace(name))
			q := 1.0
			if qs, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
				if f, err := strconv.ParseFloat(qs, 64); err == nil {
					q = f
				}
			}
			accepted[name] = q > 0
		}
	}
	for _, enc := range []string{"zstd", "br", "gzip", "deflate"} {
		if accepted[enc] {
			return enc, enc
		}
	}
	return "", ""
}

func (w *replyWriter) header() http.Header { return w.rw.Header() }

// compressed reports whether the reply has a Content-Encoding.
func (w *replyWriter) compressed() bool { return w.enc != "" }

// start writes the status line and headers.
func (w *replyWriter) start(status int) {
	w.status = status
	if w.enc != "" {
		w.header().Set("Content-Encoding", w.enc)
		w.header().Add("Vary", "Accept-Encoding")
		w.header().Del("Content-Length")
	}
	w.rw.WriteHeader(status)
}

// write writes p to the body. A write error means the client is gone; the
// handler then stops at its next flush or pause.
func (w *replyWriter) write(p []byte) { _, _ = w.out.Write(p) }

// flush pushes everything written so far to the client.
func (w *replyWriter) flush() {
	if w.zw != nil {
		_ = w.zw.Flush()
	}
	_ = w.rc.Flush()
}

// finish completes the body.
func (w *replyWriter) finish() {
	if w.zw != nil {
		_ = w.zw.Close()
	}
	for k, v := range w.trailer {
		w.header().Set(k, v)
	}
}

// writeAll writes a whole body with status, setting Content-Length when
// the body is not compressed.
func (w *replyWriter) writeAll(status int, body []byte) {
	if !w.compressed() && w.trailer == nil {
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
