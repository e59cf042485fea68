package upstreamtest_test

import (
	"bufio"
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/andybalholm/brotli"
	"github.com/klauspost/compress/zstd"

	"github.com/agentwrap/agentwrap/internal/upstreamtest"
)

// rawPost sends a request without letting the client touch compression.
func rawPost(t *testing.T, url, body string, headers ...string) *http.Response {
	t.Helper()
	tr := &http.Transport{DisableCompression: true}
	t.Cleanup(tr.CloseIdleConnections)
	req, err := http.NewRequestWithContext(testContext(t), http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for _, h := range headers {
		k, v, _ := strings.Cut(h, ": ")
		req.Header.Set(k, v)
	}
	resp, err := tr.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

// decoded reads r as coding enc; raw selects raw deflate for "deflate".
func decoded(t *testing.T, enc string, raw bool, r io.Reader) io.Reader {
	t.Helper()
	switch strings.ToLower(enc) {
	case "":
		return r
	case "gzip":
		zr, err := gzip.NewReader(r)
		if err != nil {
			t.Fatal(err)
		}
		return zr
	case "deflate":
		if raw {
			return flate.NewReader(r)
		}
		zr, err := zlib.NewReader(r)
		if err != nil {
			t.Fatal(err)
		}
		return zr
	case "br":
		return brotli.NewReader(r)
	case "zstd":
		zr, err := zstd.NewReader(r)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(zr.Close)
		return zr
	}
	t.Fatalf("no decoder for %q", enc)
	return nil
}

// TestAcceptEncodingNegotiated: replies are compressed as the request's
// Accept-Encoding allows, preferring zstd, br, gzip, deflate in that order.
func TestAcceptEncodingNegotiated(t *testing.T) {
	s := upstreamtest.Start(t)
	for _, tc := range []struct{ accept, want string }{
		{"", ""},
		{"identity", ""},
		{"gzip, deflate, br, zstd", "zstd"},
		{"gzip, deflate, br", "br"},
		{"GZIP", "gzip"},
		{"br;q=0, gzip;q=0.5, deflate", "gzip"},
		{"deflate", "deflate"},
	} {
		headers := []string{}
		if tc.accept != "" {
			headers = append(headers, "Accept-Encoding: "+tc.accept)
		}
		for _, body := range []string{`{"model":"m","messages":[]}`, `{"model":"m","stream":true,"messages":[]}`} {
			resp := rawPost(t, s.URL()+"/v1/chat/completions", body, headers...)
			if got := resp.Header.Get("Content-Encoding"); got != tc.want {
				t.Errorf("Accept-Encoding %q: Content-Encoding %q, want %q", tc.accept, got, tc.want)
				continue
			}
			if text := readAll(t, decoded(t, tc.want, false, resp.Body)); !bytes.Contains(text, []byte(`"chat.completion`)) {
				t.Errorf("Accept-Encoding %q: body %q", tc.accept, text)
			}
		}
	}
}

// TestForcedEncoding: HeaderContentEncoding sets the coding whatever the
// client accepts, with the header value in the case given; an unknown
// coding is announced and the body left as it is.
func TestForcedEncoding(t *testing.T) {
	s := upstreamtest.Start(t)
	for _, enc := range []string{"GZIP", "Br", "zstd", "ZStd", "deflate", "DeFlate", upstreamtest.RawDeflate, "x-squash"} {
		resp := rawPost(t, s.URL()+"/v1/messages", `{"model":"m","max_tokens":5,"messages":[]}`,
			upstreamtest.HeaderContentEncoding+": "+enc)
		want, raw := enc, false
		if enc == upstreamtest.RawDeflate {
			want, raw = "deflate", true
		}
		if got := resp.Header.Get("Content-Encoding"); got != want {
			t.Errorf("%s: Content-Encoding %q", enc, got)
			continue
		}
		dec := enc
		if enc == "x-squash" {
			dec = ""
		}
		if enc == upstreamtest.RawDeflate {
			dec = "deflate"
		}
		if text := readAll(t, decoded(t, dec, raw, resp.Body)); !bytes.Contains(text, []byte(`"type":"message"`)) {
			t.Errorf("%s: body %q", enc, text)
		}
	}
}

// TestCompressedStreamFlushesEachEvent: a compressed stream is flushed per
// event, so a client decodes the first delta long before the stream ends.
func TestCompressedStreamFlushesEachEvent(t *testing.T) {
	s := upstreamtest.Start(t)
	for _, enc := range []string{"gzip", "deflate", upstreamtest.RawDeflate, "br", "zstd"} {
		start := time.Now()
		resp := rawPost(t, s.URL()+"/v1/chat/completions", `{"model":"m","stream":true,"messages":[]}`,
			upstreamtest.HeaderContentEncoding+": "+enc, upstreamtest.HeaderDeltas+": 4",
			upstreamtest.HeaderDeltaInterval+": 300ms")
		dec := enc
		if enc == upstreamtest.RawDeflate {
			dec = "deflate"
		}
		rd := bufio.NewReader(decoded(t, dec, enc == upstreamtest.RawDeflate, resp.Body))
		for {
			line, err := rd.ReadString('\n')
			if err != nil {
				t.Fatalf("%s: %v before the first delta", enc, err)
			}
			if strings.Contains(line, `"content":"p"`) {
				break
			}
		}
		if waited := time.Since(start); waited > 600*time.Millisecond {
			t.Errorf("%s: first delta decoded after %v; the stream takes 900ms", enc, waited)
		}
		if rest := readAll(t, rd); !bytes.Contains(rest, []byte("[DONE]")) {
			t.Errorf("%s: rest of the stream %q", enc, rest)
		}
	}
}

// TestEchoSecret: ScenarioEchoSecret echoes the presented key in the body,
// a header and a trailer, compressed or not, stream or not.
func TestEchoSecret(t *testing.T) {
	s := upstreamtest.Start(t)
	for _, enc := range []string{"", "gzip"} {
		for _, body := range []string{`{"model":"m","messages":[]}`, `{"model":"m","stream":true,"messages":[]}`} {
			resp := rawPost(t, s.URL()+"/v1/chat/completions", body, "Authorization: Bearer "+canaryKey,
				upstreamtest.HeaderScenario+": "+upstreamtest.ScenarioEchoSecret, "Accept-Encoding: "+enc)
			if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Header.Get(upstreamtest.EchoHeader), canaryKey) {
				t.Errorf("%q %s: status %d, echo header %q", enc, body, resp.StatusCode, resp.Header.Get(upstreamtest.EchoHeader))
			}
			if text := readAll(t, decoded(t, enc, false, resp.Body)); !bytes.Contains(text, []byte(canaryKey)) {
				t.Errorf("%q %s: body does not echo the key: %q", enc, body, text)
			}
			if got := resp.Trailer.Get(upstreamtest.EchoTrailer); !strings.Contains(got, canaryKey) {
				t.Errorf("%q %s: trailer %q", enc, body, got)
			}
		}
	}
}
