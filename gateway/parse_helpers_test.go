package gateway

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/andybalholm/brotli"
	"github.com/klauspost/compress/zstd"

	"github.com/agentwrap/agentwrap/call"
)

// canaries are strings the reply fixtures carry in prompt, response or
// error message text; no parsed Call may contain them.
var canaries = []string{"sk-canary", "CANARYTEXT"}

func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "replies", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// reply describes one upstream reply to parse.
type reply struct {
	family   call.Family
	status   int
	ct, ce   string
	body     []byte
	complete bool
}

// splitter cuts a body into the pieces the parser is fed.
type splitter struct {
	name string
	cut  func(b []byte) [][]byte
}

func whole(b []byte) [][]byte { return [][]byte{b} }

func bytewise(b []byte) [][]byte {
	out := make([][]byte, len(b))
	for i := range b {
		out[i] = b[i : i+1]
	}
	return out
}

func randomSplit(seed uint64) func(b []byte) [][]byte {
	return func(b []byte) [][]byte {
		r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
		var out [][]byte
		for len(b) > 0 {
			n := 1 + r.IntN(min(len(b), 97))
			out = append(out, b[:n])
			b = b[n:]
		}
		return out
	}
}

var splitters = []splitter{
	{"whole", whole}, {"bytewise", bytewise},
	{"random1", randomSplit(1)}, {"random2", randomSplit(2)}, {"random3", randomSplit(3)},
}

// parse feeds rp to a fresh parser in the pieces cut returns.
func parse(rp reply, cut func([]byte) [][]byte) *call.Call {
	c := &call.Call{Family: rp.family, StatusCode: rp.status, ContentType: rp.ct, Usage: call.NoUsage()}
	p := newResponseParser(rp.family, rp.status, rp.ct, rp.ce)
	for _, piece := range cut(rp.body) {
		if n, err := p.Write(piece); n != len(piece) || err != nil {
			panic(fmt.Sprintf("Write returned %d, %v", n, err))
		}
	}
	p.finish(c, rp.complete)
	return c
}

// parseAllWays parses rp with every splitter, checks they agree and that no
// canary reached the Call, and returns the Call.
func parseAllWays(t *testing.T, rp reply) *call.Call {
	t.Helper()
	first := parse(rp, whole)
	for _, s := range splitters[1:] {
		if got := parse(rp, s.cut); !reflect.DeepEqual(got, first) {
			t.Fatalf("%s split differs:\n got %+v\nwant %+v", s.name, got, first)
		}
	}
	assertNoCanary(t, first)
	return first
}

func assertNoCanary(t testing.TB, c *call.Call) {
	t.Helper()
	s := fmt.Sprintf("%+v", *c)
	for _, k := range canaries {
		if strings.Contains(s, k) {
			t.Fatalf("canary %q leaked into the call: %s", k, s)
		}
	}
}

// encode compresses b with a Content-Encoding.
func encode(t testing.TB, enc string, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	var w interface {
		Write([]byte) (int, error)
		Close() error
	}
	switch enc {
	case "gzip":
		w = gzip.NewWriter(&buf)
	case "deflate":
		w = zlib.NewWriter(&buf)
	case "deflate-raw":
		w, _ = flate.NewWriter(&buf, flate.BestSpeed)
	case "br":
		w = brotli.NewWriter(&buf)
	case "zstd":
		zw, err := zstd.NewWriter(&buf)
		if err != nil {
			t.Fatal(err)
		}
		w = zw
	default:
		t.Fatalf("no encoder for %q", enc)
	}
	if _, err := w.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
