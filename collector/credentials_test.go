package collector_test

import (
	"strings"
	"testing"

	"github.com/agentwrap/agentwrap/collector"
	"github.com/agentwrap/agentwrap/redact"
)

// TestCredentialTableDrift: agentwrap's guard and the collector mask the
// same credential formats, both generated from redact's one table. Every
// format's examples are masked by the guard's scanner and by the
// collector's patterns, and the collector has one pattern per format.
func TestCredentialTableDrift(t *testing.T) {
	formats := redact.CredentialFormats()
	blocked := collector.BlockedValues()
	if len(blocked) != len(formats) {
		t.Fatalf("collector has %d patterns for %d credential formats", len(blocked), len(formats))
	}
	for i, f := range formats {
		if blocked[i].Name != f.Name || blocked[i].Regexp != f.RE2() {
			t.Errorf("collector pattern %d is %q %s, want %q %s", i, blocked[i].Name, blocked[i].Regexp, f.Name, f.RE2())
		}
		examples := f.Examples()
		if len(examples) == 0 || (len(f.Prefixes) == 0) == (f.Structure == "") {
			t.Errorf("%s: needs prefixes or a structure, and examples", f.Name)
		}
		for _, ex := range examples {
			if !strings.Contains(strings.ToLower(ex), "canary") {
				t.Errorf("%s: example %q holds no canary", f.Name, ex)
			}
			in := "note: " + ex + " ;end"
			guarded, masked := redact.NewScanner().Scrub(in)
			if !masked || strings.Contains(strings.ToLower(guarded), "canary") || !strings.HasSuffix(guarded, " ;end") {
				t.Errorf("%s: the guard turned %q into %q", f.Name, in, guarded)
			}
			if got := mask(t, in); strings.Contains(strings.ToLower(got), "canary") || !strings.HasSuffix(got, " ;end") {
				t.Errorf("%s: the collector turned %q into %q", f.Name, in, got)
			}
		}
	}
}
