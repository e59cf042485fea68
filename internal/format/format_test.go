package format

import (
	"math"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	for in, want := range map[string]string{
		"md": Markdown, "markdown": Markdown, " MD ": Markdown,
		"yaml": YAML, "yml": YAML, "json": JSON, "JSON": JSON, "html": HTML,
	} {
		if got, err := Parse(in); err != nil || got != want {
			t.Errorf("Parse(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "txt", "htm", "markdown2"} {
		got, err := Parse(in)
		if err == nil {
			t.Errorf("Parse(%q) = %q, want an error", in, got)
			continue
		}
		if !strings.Contains(err.Error(), "md, yaml, json, html") {
			t.Errorf("Parse(%q): error %q does not list the formats", in, err)
		}
	}
	// Every name Names lists parses to itself.
	for _, n := range Names() {
		if got, err := Parse(n); err != nil || got != n {
			t.Errorf("Parse(%q) = %q, %v", n, got, err)
		}
	}
}

func TestGrouped(t *testing.T) {
	for n, want := range map[int64]string{
		0: "0", 7: "7", 999: "999", 1000: "1,000", 12034: "12,034", 123456: "123,456",
		1234567: "1,234,567", -1: "-1", -1000: "-1,000", -123456: "-123,456",
		math.MaxInt64: "9,223,372,036,854,775,807", math.MinInt64: "-9,223,372,036,854,775,808",
	} {
		if got := Grouped(n); got != want {
			t.Errorf("Grouped(%d) = %q, want %q", n, got, want)
		}
	}
}
