package gateway

import (
	"slices"
	"strings"
	"testing"
)

// stepAll feeds doc to a new scanner (wanting the keys scanAll wants) one
// byte at a time through step, the reference the skipping Write must agree
// with.
func stepAll(doc []byte) *keyScanner {
	s := newKeyScanner(func(k string) bool {
		return k == "model" || k == "stream" || k == "max_tokens" || k == "generationConfig"
	})
	for _, b := range doc {
		if s.state == scanError {
			break
		}
		s.step(b)
	}
	return s
}

// FuzzKeyScannerSkip checks that skipping plain bytes changes nothing: in
// any chunking, Write ends in the state, keys and values of byte-by-byte
// stepping, for valid and invalid documents alike.
func FuzzKeyScannerSkip(f *testing.F) {
	f.Add([]byte(`{"model":"m","messages":[{"role":"user","content":"a\"b\\c]}"}],"stream":true}`), 3)
	f.Add([]byte("{\"a\":\"x\ny\",\"model\":\"m\"}"), 1)
	f.Add([]byte(`{"generationConfig":{"maxOutputTokens":5,"s":"}]"},"x":[[["\\"]]]}`), 7)
	// Long strings, so that whole words are skipped: stops at every offset
	// in a word, UTF-8 and high bytes next to them, control characters.
	for i := range 9 {
		pad := strings.Repeat("é\xa0\xff ", i) + strings.Repeat("x", i)
		f.Add([]byte(`{"system":"`+pad+`\"`+pad+"\x1f"+pad+`","model":"m","messages":[{"content":"`+pad+`\\n`+pad+`"}]}`), 0)
		f.Add([]byte(`{"input":"`+pad+"\x7f\x80\x9f\x20\x21"+pad+`","stream":true}`), i+1)
	}
	// Strings longer than skipString's window, with a stop past it.
	long := strings.Repeat("abcdefg ", 80)
	f.Add([]byte(`{"system":"`+long+"\x01"+`","messages":[{"content":"`+long+`\\"`+long+`"}]}`), 0)
	f.Add([]byte(`{"input":"`+long+long+`","model":"m"}`), 16)
	f.Fuzz(func(t *testing.T, doc []byte, chunk int) {
		want := stepAll(doc)
		got := scanAll(string(doc), max(chunk, -chunk)%17)
		if got.state != want.state || got.depth != want.depth || got.inKey != want.inKey || got.isKey != want.isKey || got.esc != want.esc ||
			got.hex != want.hex || got.lit != want.lit {
			t.Fatalf("%q: state %d/%d/%v/%v/%d/%q, want %d/%d/%v/%v/%d/%q", doc, got.state, got.depth, got.inKey, got.esc, got.hex, got.lit,
				want.state, want.depth, want.inKey, want.esc, want.hex, want.lit)
		}
		if !slices.Equal(got.keys, want.keys) {
			t.Fatalf("%q: keys %q, want %q", doc, got.keys, want.keys)
		}
		if len(got.values) != len(want.values) {
			t.Fatalf("%q: %d values, want %d", doc, len(got.values), len(want.values))
		}
		for _, v := range want.values {
			if g, _ := got.Value(v.key); string(g) != string(v.val) {
				t.Fatalf("%q: %s = %q, want %q", doc, v.key, g, v.val)
			}
		}
	})
}

// BenchmarkKeyScanner100KB scans a 100 KiB chat request in 32 KiB pieces.
func BenchmarkKeyScanner100KB(b *testing.B) {
	doc := []byte(`{"model":"gpt-5","max_tokens":64,"messages":[{"role":"user","content":"` +
		strings.Repeat("lorem ipsum dolor sit amet, ", 100<<10/28) + `"}],"stream":true}`)
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	for b.Loop() {
		s := newKeyScanner(wantRequestKey)
		for rest := doc; len(rest) > 0; {
			n := min(len(rest), 32<<10)
			_, _ = s.Write(rest[:n])
			rest = rest[n:]
		}
		if !s.Complete() {
			b.Fatal("incomplete")
		}
	}
}
