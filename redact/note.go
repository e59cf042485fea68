package redact

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxNote is the most characters (runes) Note returns.
const MaxNote = 200

// Note makes s fit for agentwrap.notes: secrets masked, runs of white space
// and control characters collapsed to one space, invalid UTF-8 replaced, and
// the result cut to at most MaxNote characters, the last being "…" when cut.
func (sc *Scanner) Note(s string) string {
	// Scrub before collapsing (a known value may hold white space) and
	// after (collapsing may join "Bearer" and its token).
	s = sc.ScrubText(collapse(sc.ScrubText(s)))
	for range maxPasses {
		// Masking a known value that is not valid UTF-8 on its own can
		// split a character, and cutting can complete a known value ending
		// in "…": repair, cut, and scrub again.
		t := truncate(strings.ToValidUTF8(s, "\uFFFD"), MaxNote)
		out, hit := sc.Scrub(t)
		if !hit {
			return t
		}
		s = out
	}
	return Marker
}

// collapse replaces invalid UTF-8 by U+FFFD and every run of white space and
// control characters by one space, and trims both ends.
func collapse(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		if unicode.IsSpace(r) || unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			space = b.Len() > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	return b.String()
}

// truncate cuts s to at most max runes, ending with "…" when cut.
func truncate(s string, max int) string {
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	n := 0
	for i := range s {
		if n == max-1 {
			return s[:i] + "…"
		}
		n++
	}
	return s
}
