package redact

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func fuzzSeeds(f *testing.F) {
	for _, v := range cleanValues {
		f.Add(v, "known-canary-000")
	}
	for _, tc := range secretCases {
		f.Add("x "+tc.secret+" y", tc.canary)
	}
	f.Add("a[REDACTED]b", "D]b")
	f.Add("Bearer \x00 xyz", "xyz")
	f.Add("password=\"p@ss w0rd!\"", "w0rd!")
}

// FuzzScrub checks that no planted known value survives, that a clean
// scrub returns its input, and that scrubbing is idempotent.
func FuzzScrub(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, s, known string) {
		sc := NewScanner(known)
		planted := s + known + s[:len(s)/2] + known
		for _, in := range []string{s, planted} {
			out, hit := sc.Scrub(in)
			if !hit && out != in {
				t.Fatalf("Scrub(%q) changed to %q without reporting", in, out)
			}
			if known != "" && !strings.Contains(Marker, known) && strings.Contains(out, known) {
				t.Fatalf("Scrub(%q) = %q keeps known %q", in, out, known)
			}
			if again, hit := sc.Scrub(out); hit || again != out {
				t.Fatalf("not idempotent: %q -> %q -> %q", in, out, again)
			}
		}
	})
}

// FuzzNote checks the bounds of Note and that no known value survives.
func FuzzNote(f *testing.F) {
	fuzzSeeds(f)
	f.Add(strings.Repeat("é ", 300), "é")
	f.Fuzz(func(t *testing.T, s, known string) {
		sc := NewScanner(known)
		out := sc.Note(s + " " + known)
		if !utf8.ValidString(out) {
			t.Fatalf("Note = %q: invalid UTF-8", out)
		}
		if n := utf8.RuneCountInString(out); n > MaxNote {
			t.Fatalf("Note has %d runes", n)
		}
		if strings.ContainsAny(out, "\n\r\t\x00") || strings.Contains(out, "  ") {
			t.Fatalf("Note = %q keeps control characters or runs of spaces", out)
		}
		if _, hit := sc.Scrub(out); hit {
			t.Fatalf("Note = %q still holds something Scrub masks", out)
		}
		// A known value with white space cannot be matched once collapsed,
		// but Note masks it before collapsing.
		if len(known) > 3 && !strings.Contains(Marker, known) && strings.Contains(out, known) {
			t.Fatalf("Note = %q keeps known %q", out, known)
		}
	})
}
