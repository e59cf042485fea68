package gateway

import (
	"context"
	"net/url"
	"strings"
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

// TestNewRefusesBadRoutes: a route for a family the registry does not hold,
// or with a malformed path, fails New instead of routing nothing.
func TestNewRefusesBadRoutes(t *testing.T) {
	up, _ := url.Parse("http://127.0.0.1:1")
	for _, rt := range []call.Route{
		{Family: "no.such_family", Method: "POST", Path: "/x"},
		{Family: call.FamilyUnknown, Method: "POST", Path: "/x"},
		{Family: call.FamilyMessages, Method: "POST", Path: "/a//b"},
	} {
		g, err := New(Config{Upstream: up, Routes: []call.Route{rt}})
		if err == nil {
			_ = g.Close(context.Background())
			t.Errorf("New accepted route %+v", rt)
		} else if !strings.HasPrefix(err.Error(), "cannot route the gateway's paths: ") {
			t.Errorf("error %q", err)
		}
	}
}
