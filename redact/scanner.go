package redact

import (
	"strings"
	"sync"
	"sync/atomic"
)

// maxPasses bounds how often Scrub repeats its known-value and pattern
// passes until the result is stable. Real input settles after one pass; only
// a known value built around Marker itself needs another.
const maxPasses = 4

// Scanner finds secrets in strings: the literal values it was given (the
// real credential, the per-run token) and the secret patterns of this
// package. It is safe for concurrent use. A nil *Scanner is usable and
// applies the patterns only.
type Scanner struct {
	mu    sync.Mutex // serialises Add
	known atomic.Pointer[[]string]
	// clean spares rescanning short strings found clean before.
	clean cleanCache
}

// NewScanner returns a Scanner that also masks each of the known values.
// Empty values are ignored, and so are values that occur inside Marker,
// since no output could be free of them.
func NewScanner(known ...string) *Scanner {
	sc := &Scanner{}
	for _, k := range known {
		sc.Add(k)
	}
	return sc
}

// Add makes sc mask the literal value known from now on. Empty values and
// values that occur inside Marker are ignored. Add must not be called on a
// nil Scanner: there is nowhere to keep the value.
func (sc *Scanner) Add(known string) {
	if known == "" || strings.Contains(Marker, known) {
		return
	}
	sc.mu.Lock()
	defer sc.mu.Unlock()
	var cur []string
	if p := sc.known.Load(); p != nil {
		cur = *p
	}
	for _, k := range cur {
		if k == known {
			return
		}
	}
	next := make([]string, 0, len(cur)+1)
	next = append(next, cur...)
	// Longer values first, so a value that contains another is masked whole.
	i := 0
	for i < len(next) && len(next[i]) >= len(known) {
		i++
	}
	next = append(next[:i], append([]string{known}, next[i:]...)...)
	sc.known.Store(&next)
}

func (sc *Scanner) knownValues() []string {
	if sc == nil {
		return nil
	}
	if p := sc.known.Load(); p != nil {
		return *p
	}
	return nil
}

// Scrub replaces every known value and every secret pattern match in s by
// Marker and reports whether anything was replaced. A clean s is returned
// as it is, without allocating. Scrubbing the result again changes nothing.
func (sc *Scanner) Scrub(s string) (string, bool) {
	if sc == nil {
		return sc.scrubWith(s, nil)
	}
	return sc.clean.scrub(sc, s)
}

// scrubWith is Scrub with the known values given: the ones sc held at
// some moment (cleanCache keys its entries by them).
func (sc *Scanner) scrubWith(s string, known []string) (string, bool) {
	out := s
	for range maxPasses {
		next, changed := scrubOnce(out, known)
		if !changed {
			return out, out != s
		}
		out = next
	}
	// Still changing: give up on the content rather than risk a leak.
	return Marker, true
}

// ScrubText is Scrub without the report.
func (sc *Scanner) ScrubText(s string) string {
	out, _ := sc.Scrub(s)
	return out
}

func scrubOnce(s string, known []string) (string, bool) {
	changed := false
	for _, k := range known {
		if strings.Contains(s, k) {
			s = strings.ReplaceAll(s, k, Marker)
			changed = true
		}
	}
	out, hit := maskPatterns(s)
	return out, changed || hit
}

// maskPatterns replaces every pattern region of s by Marker.
func maskPatterns(s string) (string, bool) {
	r := newRegionScanner(s)
	start, end, ok := r.next(0)
	if !ok {
		return s, false
	}
	var b strings.Builder
	b.Grow(len(s) + len(Marker))
	last := 0
	for ok {
		b.WriteString(s[last:start])
		b.WriteString(Marker)
		last = end
		start, end, ok = r.next(end)
	}
	b.WriteString(s[last:])
	return b.String(), true
}
