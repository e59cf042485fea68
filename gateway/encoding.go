package gateway

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// managedAcceptEncoding is the Accept-Encoding of every upstream request in
// managed mode, whatever the agent asked for: the gateway decodes the reply
// itself (it must, to mask an echoed key) and the agent gets identity bodies
// over loopback. See README "Security".
const managedAcceptEncoding = "gzip, deflate, br, zstd"

// errUndecodable reports a reply whose Content-Encoding the gateway cannot
// decode. In managed mode it is never passed on: the key could be in it.
type errUndecodable struct{ encoding string }

func (e *errUndecodable) Error() string {
	return "cannot decode content encoding " + e.encoding
}

// errUpgradeReply reports an upstream 101 in managed mode.
var errUpgradeReply = errors.New("upstream switched protocols in managed mode")

// contentCodings returns the codings of a Content-Encoding header in the
// order they were applied, lower-cased, without identity. ok is false when
// one of them cannot be decoded; bad then names it.
func contentCodings(h http.Header) (codings []string, bad string, ok bool) {
	for _, v := range h.Values("Content-Encoding") {
		for _, c := range strings.Split(v, ",") {
			name, known := knownEncoding(c)
			switch {
			case !known:
				return nil, name, false
			case name != "":
				codings = append(codings, name)
			}
		}
	}
	return codings, "", true
}

// decodeReply replaces resp's body with its decoded bytes when it has a
// content coding, and fixes the headers to describe an identity body.
func decodeReply(resp *http.Response) error {
	codings, bad, ok := contentCodings(resp.Header)
	if !ok {
		return &errUndecodable{encoding: printableToken(bad)}
	}
	resp.Header.Del("Content-Encoding")
	if len(codings) == 0 {
		return nil
	}
	resp.Header.Del("Content-Length")
	resp.ContentLength = -1
	resp.Uncompressed = true
	resp.Body = &decodingBody{src: resp.Body, codings: codings}
	return nil
}

// printableToken bounds an encoding name from the upstream for an error
// message: at most 32 token characters.
func printableToken(s string) string {
	var b strings.Builder
	for _, r := range s {
		if b.Len() >= 32 {
			break
		}
		if r == '-' || r == '_' || r == '.' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	if b.Len() == 0 {
		return "?"
	}
	return b.String()
}

// decodingBody decodes a body as it streams: every read returns what the
// bytes received so far decode to, so an event the upstream flushed reaches
// the agent without waiting for the next. The decoders start at the first
// read (a gzip header read must not hold back the reply's head), and an
// empty body is an empty body whatever its coding says.
type decodingBody struct {
	src     io.ReadCloser
	codings []string
	r       io.Reader
	closers []func()
	err     error
}

func (d *decodingBody) Read(p []byte) (int, error) {
	if d.r == nil && d.err == nil {
		d.start()
	}
	if d.err != nil {
		return 0, d.err
	}
	n, err := d.r.Read(p)
	if err != nil && err != io.EOF {
		err = fmt.Errorf("cannot decode %s reply: %w", strings.Join(d.codings, ", "), err)
		d.err = err
	}
	return n, err
}

func (d *decodingBody) start() {
	br := bufio.NewReader(d.src)
	if _, err := br.Peek(1); err != nil {
		d.err = err
		return
	}
	var r io.Reader = br
	for i := len(d.codings) - 1; i >= 0; i-- {
		dr, closeFn, err := decoder(d.codings[i], r)
		d.closers = append(d.closers, closeFn)
		if err != nil {
			d.err = err
			return
		}
		r = dr
	}
	d.r = r
}

func (d *decodingBody) Close() error {
	for _, c := range d.closers {
		c()
	}
	d.closers = nil
	return d.src.Close()
}

// maskHeader overwrites every occurrence of key in the values of h, and
// drops a field whose name holds it.
func maskHeader(h http.Header, key string) {
	for k, vv := range h {
		if strings.Contains(k, key) {
			delete(h, k)
			continue
		}
		for i, v := range vv {
			if strings.Contains(v, key) {
				vv[i] = strings.ReplaceAll(v, key, strings.Repeat("*", len(key)))
			}
		}
	}
}

// maskingWriter masks the key in every header the proxy writes to the
// agent, informational replies (103 Early Hints, which the proxy forwards
// as they come) included.
type maskingWriter struct {
	http.ResponseWriter
	key string
}

func (w *maskingWriter) WriteHeader(code int) {
	maskHeader(w.Header(), w.key)
	w.ResponseWriter.WriteHeader(code)
}

// Unwrap lets http.ResponseController reach the connection's writer.
func (w *maskingWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
