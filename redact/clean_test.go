package redact

import (
	"fmt"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/attribute"
)

// TestCleanCacheForgetsWhenAValueBecomesKnown: a value the guard let
// through as clean is masked once the scanner learns it (a passthrough
// run adds each credential an agent presents): the cache answers only for
// the known values its entries were scanned with.
func TestCleanCacheForgetsWhenAValueBecomesKnown(t *testing.T) {
	const cred = "agent-supplied-credential-canary-0001" // matches no pattern
	sc := NewScanner("sk-canary-known-0123456789abcdef")
	g := NewGuard([]string{"k"}, sc)
	in := []attribute.KeyValue{attribute.String("k", cred), attribute.StringSlice("k", []string{cred, "x"})}
	for range 2 { // the second pass is answered from the cache
		if out, dropped, masked := g.Attributes(in); dropped+masked != 0 || out[0].Value.AsString() != cred {
			t.Fatalf("before Add: %v, %d dropped, %d masked; want the value through", out, dropped, masked)
		}
	}
	sc.Add(cred)
	out, _, masked := g.Attributes(in)
	if masked != 2 || out[0].Value.AsString() != Marker || out[1].Value.AsStringSlice()[0] != Marker {
		t.Fatalf("after Add: %v, %d masked; want both values masked", out, masked)
	}
}

// TestCleanCacheIsBounded feeds the guard more distinct clean values than
// the cache holds, and longer ones than it keeps.
func TestCleanCacheIsBounded(t *testing.T) {
	g := NewGuard([]string{"k"}, NewScanner())
	for i := range 3 * maxCleanEntries {
		v := fmt.Sprintf("chatcmpl-%06d", i)
		if i%7 == 0 {
			v += strings.Repeat("x", maxCleanLen)
		}
		g.Attributes([]attribute.KeyValue{attribute.String("k", v)})
		if n := len(g.sc.clean.m); n > maxCleanEntries {
			t.Fatalf("after %d values the cache holds %d entries", i+1, n)
		}
	}
	for s := range g.sc.clean.m {
		if len(s) > maxCleanLen {
			t.Fatalf("a %d-byte value was cached", len(s))
		}
	}
}

// FuzzCleanCache: what Scrub answers for a value, scanned or from its
// cache, is what a scan answers, before and after the value (or a
// part of it) becomes known.
func FuzzCleanCache(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, s, known string) {
		sc := NewScanner()
		check := func(when string) {
			for range 2 {
				want, wantHit := sc.scrubWith(s, sc.knownValues())
				got, hit := sc.Scrub(s)
				if got != want || hit != wantHit {
					t.Fatalf("%s: guard %q %v, scanner %q %v", when, got, hit, want, wantHit)
				}
			}
		}
		check("no known value")
		sc.Add(known)
		check("known added")
		if len(s) > 2 {
			sc.Add(s[1 : len(s)-1])
			check("a part of the value known")
		}
	})
}
