package report

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/otel/attribute"

	"github.com/agentwrap/agentwrap/redact"
)

// scrubber masks secret patterns in every string a report shows; a nil
// Scanner applies the patterns only.
var scrubber *redact.Scanner

// attrs reads the known attributes of a span. Every string it returns is
// clean: secret patterns masked, control characters replaced by spaces.
// A non-nil memo remembers the clean strings.
type attrs struct {
	m    pcommon.Map
	memo *cleaner
}

func (a attrs) str(k attribute.Key) string {
	v, ok := a.m.Get(string(k))
	if !ok || v.Type() != pcommon.ValueTypeStr {
		return ""
	}
	return a.memo.clean(v.Str())
}

func (a attrs) integer(k attribute.Key) (int64, bool) {
	v, ok := a.m.Get(string(k))
	if !ok {
		return 0, false
	}
	switch v.Type() {
	case pcommon.ValueTypeInt:
		return v.Int(), true
	case pcommon.ValueTypeDouble:
		return int64(v.Double()), true
	}
	return 0, false
}

// count is an integer attribute as a pointer: nil when absent or negative.
func (a attrs) count(k attribute.Key) *int64 {
	n, ok := a.integer(k)
	if !ok || n < 0 {
		return nil
	}
	return &n
}

func (a attrs) float(k attribute.Key) (float64, bool) {
	v, ok := a.m.Get(string(k))
	if !ok {
		return 0, false
	}
	switch v.Type() {
	case pcommon.ValueTypeDouble:
		return v.Double(), true
	case pcommon.ValueTypeInt:
		return float64(v.Int()), true
	}
	return 0, false
}

func (a attrs) boolean(k attribute.Key) bool {
	v, ok := a.m.Get(string(k))
	return ok && v.Type() == pcommon.ValueTypeBool && v.Bool()
}

// strs reads a string array; a string value (as a collector's redaction
// processor leaves a masked array) is one element.
func (a attrs) strs(k attribute.Key) []string {
	v, ok := a.m.Get(string(k))
	if !ok {
		return nil
	}
	switch v.Type() {
	case pcommon.ValueTypeStr:
		return []string{a.memo.clean(v.Str())}
	case pcommon.ValueTypeSlice:
		var out []string
		for _, e := range v.Slice().All() {
			if e.Type() == pcommon.ValueTypeStr {
				out = append(out, a.memo.clean(e.Str()))
			}
		}
		return out
	}
	return nil
}

// maxShown is the longest string a report shows, in bytes: agentwrap
// records far shorter ones (notes of 200 characters, user agents of 256
// bytes); a longer one was written by something else, and is cut so that
// the rows a report keeps stay small.
const maxShown = 4096

// clean masks secret patterns in s and replaces control characters (which
// could move a terminal's cursor or break a Markdown table) by spaces; a
// string over maxShown bytes is cut, after the masking, and says so.
func clean(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return ' '
		}
		return r
	}, strings.ToValidUTF8(s, "\uFFFD"))
	s = scrubber.ScrubText(s)
	if len(s) > maxShown {
		cut := maxShown
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = fmt.Sprintf("%s… [%d more bytes cut]", s[:cut], len(s)-cut)
	}
	return s
}

// Bounds of a cleaner's memo.
const (
	memoEntries = 4096
	memoMaxLen  = 512
)

// cleaner remembers clean for the short strings a run file repeats on every
// call (families, models, notes, URLs); it holds at most memoEntries
// strings. A nil cleaner cleans every string.
type cleaner struct{ m map[string]string }

func (c *cleaner) clean(s string) string {
	if c == nil || len(s) > memoMaxLen {
		return clean(s)
	}
	if v, ok := c.m[s]; ok {
		return v
	}
	if c.m == nil || len(c.m) >= memoEntries {
		c.m = make(map[string]string)
	}
	v := clean(s)
	c.m[strings.Clone(s)] = v
	return v
}
