package gateway

import (
	"testing"

	"github.com/agentwrap/agentwrap/call"
)

// TestParsersCoverRegistry fails when a registered family has no response
// parser, or a parser is kept for a family the registry does not hold.
func TestParsersCoverRegistry(t *testing.T) {
	for _, s := range call.Specs() {
		mk, ok := parsers[s.Family]
		if !ok || mk() == nil {
			t.Errorf("family %s has no response parser in parsers", s.Family)
		}
	}
	for f := range parsers {
		if !call.Known(f) {
			t.Errorf("parsers holds %s, which the registry does not", f)
		}
	}
	if _, ok := familyFor(call.FamilyUnknown).(unknownParser); !ok {
		t.Error("an unknown call must be read by unknownParser")
	}
}
