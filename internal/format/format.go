// Package format names the formats agentwrap renders its documents in (the
// usage-trace report, the validation checklist) and reads the one a user
// asked for, so that `agentwrap report` and `agentwrap validate` take the
// same names and answer a wrong one alike; Grouped writes counts as the
// documents show them.
package format

import (
	"fmt"
	"strconv"
	"strings"
)

// The formats, by the names the --format flags take.
const (
	Markdown = "md"
	YAML     = "yaml"
	JSON     = "json"
	HTML     = "html"
)

// Names lists the formats, the default (Markdown) first.
func Names() []string { return []string{Markdown, YAML, JSON, HTML} }

// Parse returns the format s names: one of Names, case and surrounding
// space aside, or "markdown" and "yml", the other spellings users type.
func Parse(s string) (string, error) {
	switch f := strings.ToLower(strings.TrimSpace(s)); f {
	case Markdown, YAML, JSON, HTML:
		return f, nil
	case "markdown":
		return Markdown, nil
	case "yml":
		return YAML, nil
	}
	return "", fmt.Errorf("unknown format %q (want one of %s)", s, strings.Join(Names(), ", "))
}

// Grouped writes n with thousands separators, as the report shows counts:
// 12,034 and -1,000.
func Grouped(n int64) string {
	s := strconv.FormatInt(n, 10)
	digits := strings.TrimPrefix(s, "-")
	var b strings.Builder
	b.Grow(len(s) + len(digits)/3)
	if len(digits) < len(s) {
		b.WriteByte('-')
	}
	for i := range len(digits) {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteByte(digits[i])
	}
	return b.String()
}
