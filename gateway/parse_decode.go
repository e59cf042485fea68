package gateway

import (
	"bufio"
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/andybalholm/brotli"
	"github.com/klauspost/compress/zstd"
)

// Bounds of the decoder: compressed bytes kept for decoding, and decoded
// bytes read from them (a decompression bomb stops there).
const (
	maxEncodedBytes = 1 << 20
	maxDecodedBytes = 64 << 20
	decodeChunk     = 32 << 10
)

// errDecodedTooLarge reports a compressed body that decodes past
// maxDecodedBytes.
var errDecodedTooLarge = errors.New("decoded body over the parser bound")

// knownEncoding reports whether the parser can decode a Content-Encoding
// value, and returns its normal name ("" for none).
func knownEncoding(ce string) (string, bool) {
	ce = strings.ToLower(strings.TrimSpace(ce))
	switch ce {
	case "", "identity":
		return "", true
	case "gzip", "x-gzip":
		return "gzip", true
	case "deflate", "br", "zstd":
		return ce, true
	}
	return ce, false
}

// encodedBody keeps the compressed copy of a body, up to maxEncodedBytes,
// for decoding when the body ends: the stream to the agent is never held
// back for it, and Write stays a bounded copy.
type encodedBody struct {
	encoding string
	buf      []byte
	over     bool
}

func (e *encodedBody) write(p []byte) {
	if e.over {
		return
	}
	var ok bool
	if e.buf, ok = appendCapped(e.buf, p, maxEncodedBytes); !ok {
		e.over = true
		e.buf = nil
	}
}

// decode feeds the decoded body to dst in chunks while dst wants more. It
// returns an error when the body does not decode (a body cut short by the
// end of the transfer included).
func (e *encodedBody) decode(dst func(p []byte) bool) error {
	r, closeFn, err := decoder(e.encoding, bytes.NewReader(e.buf))
	if err != nil {
		return err
	}
	defer closeFn()
	buf := make([]byte, decodeChunk)
	total := 0
	for {
		n, err := r.Read(buf)
		total += n
		if total > maxDecodedBytes {
			return errDecodedTooLarge
		}
		if n > 0 && !dst(buf[:n]) {
			return nil
		}
		switch {
		case err == io.EOF:
			return nil
		case err != nil:
			return fmt.Errorf("cannot decode %s body: %w", e.encoding, err)
		}
	}
}

// decoder returns a reader decoding r, and its cleanup.
func decoder(enc string, r io.Reader) (io.Reader, func(), error) {
	nop := func() {}
	switch enc {
	case "gzip":
		zr, err := gzip.NewReader(r)
		if err != nil {
			return nil, nop, fmt.Errorf("cannot read gzip header: %w", err)
		}
		return zr, nop, nil
	case "deflate":
		return deflateReader(r)
	case "br":
		return brotli.NewReader(r), nop, nil
	case "zstd":
		zr, err := zstd.NewReader(r, zstd.WithDecoderConcurrency(1), zstd.WithDecoderLowmem(true),
			zstd.WithDecoderMaxMemory(maxDecodedBytes), zstd.WithDecoderMaxWindow(8<<20))
		if err != nil {
			return nil, nop, fmt.Errorf("cannot start zstd decoder: %w", err)
		}
		return zr, zr.Close, nil
	}
	return nil, nop, fmt.Errorf("unknown content encoding %q", enc)
}

// deflateReader reads HTTP "deflate": zlib-wrapped (RFC 1950) as the
// standard says, or raw deflate as some servers send it.
func deflateReader(r io.Reader) (io.Reader, func(), error) {
	br := bufio.NewReader(r)
	nop := func() {}
	h, err := br.Peek(2)
	if err == nil && h[0]&0x0f == 8 && (uint16(h[0])<<8|uint16(h[1]))%31 == 0 {
		zr, err := zlib.NewReader(br)
		if err != nil {
			return nil, nop, fmt.Errorf("cannot read zlib header: %w", err)
		}
		return zr, nop, nil
	}
	return flate.NewReader(br), nop, nil
}
