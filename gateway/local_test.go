package gateway

import (
	"net/http"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/agentwrap/agentwrap/call"
)

// TestProbesAnsweredLocally: the connectivity probes agents send (Claude
// Code's credential-less HEAD /api/hello first of all) are answered by the
// gateway as a reachable gateway answers them, in managed and passthrough
// mode alike, without a credential: nothing is forwarded and no call is
// recorded, only a call.LocalProbe is reported.
func TestProbesAnsweredLocally(t *testing.T) {
	for _, key := range []string{canaryKey, ""} {
		mode := map[bool]string{true: "managed", false: "passthrough"}[key != ""]
		h := newHarness(t, key, jsonReply(`{}`))
		for _, tc := range []struct {
			method, path string
			status       int
			body         string
		}{
			{"HEAD", "/api/hello", 200, ""},
			{"GET", "/api/hello", 200, "agentwrap gateway\n"},
			{"HEAD", "/", 200, ""},
			{"GET", "/", 200, "agentwrap gateway\n"},
			{"GET", "/favicon.ico", 404, "not found\n"},
			{"OPTIONS", "/v1/messages", 204, ""},
		} {
			t.Run(mode+" "+tc.method+" "+tc.path, func(t *testing.T) {
				resp, body := h.do(t, tc.method, tc.path, map[string]string{"User-Agent": "Bun/1.4.4"}, "")
				if resp.StatusCode != tc.status || string(body) != tc.body {
					t.Fatalf("%s %s: %d %q, want %d %q", tc.method, tc.path, resp.StatusCode, body, tc.status, tc.body)
				}
				l := h.local(t)
				want := call.LocalRequest{Method: tc.method, Path: tc.path, UserAgent: "Bun/1.4.4", Reason: call.LocalProbe, ModelPath: false}
				if l != want || l.Refused() {
					t.Fatalf("reported %+v, want %+v", l, want)
				}
				h.noCall(t)
			})
		}
		if n := h.seen.count(); n != 0 {
			t.Errorf("%s: %d probes reached the upstream", mode, n)
		}
	}
}

// TestRefusalsReportedWithoutCalls: a request the guards or the token check
// refuse is reported once, with its reason and whether its path is a model
// API call's, and never becomes a call.
func TestRefusalsReportedWithoutCalls(t *testing.T) {
	h := newHarness(t, canaryKey, jsonReply(`{}`))
	for _, tc := range []struct {
		name, method, path string
		hdr                map[string]string
		status             int
		reason             call.LocalReason
		model              bool
	}{
		{"no token, other path", "GET", "/v1/models/x", nil, 401, call.LocalNoToken, false},
		{"no token, model path", "POST", "/v1/responses", nil, 401, call.LocalNoToken, true},
		{"origin on a probe", "HEAD", "/api/hello", map[string]string{"Origin": "https://attacker.example"}, 403, call.LocalOriginRefused, false},
		{"token in the wrong header value", "GET", "/v1/models", map[string]string{"Authorization": "Bearer " + canaryToken + "x"}, 401, call.LocalWrongToken, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, _ := h.do(t, tc.method, tc.path, tc.hdr, "")
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, tc.status)
			}
			l := h.local(t)
			if l.Reason != tc.reason || l.ModelPath != tc.model || l.Method != tc.method || l.Path != tc.path {
				t.Fatalf("reported %+v, want reason %s, model path %v", l, tc.reason, tc.model)
			}
			h.noCall(t)
		})
	}
	req, _ := http.NewRequest("POST", h.gw.URL()+"/v1/messages", nil)
	req.Host = "attacker.example"
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if l := h.local(t); resp.StatusCode != 403 || l.Reason != call.LocalHostRefused || !l.ModelPath {
		t.Fatalf("foreign host: %d, reported %+v", resp.StatusCode, l)
	}
	if h.seen.count() != 0 {
		t.Fatal("a refused request reached the upstream")
	}
}

// TestLocalPathBounded: a refused request's path is cut to a bounded,
// valid UTF-8 string, so that a flood of long paths makes no long records.
func TestLocalPathBounded(t *testing.T) {
	h := newHarness(t, canaryKey, jsonReply(`{}`))
	long := "/" + strings.Repeat("é", 400)
	h.do(t, "GET", long, nil, "")
	l := h.local(t)
	if len(l.Path) > maxLocalPath+len("…") || !utf8.ValidString(l.Path) || !strings.HasPrefix(long, strings.TrimSuffix(l.Path, "…")) {
		t.Fatalf("path %q (%d bytes) not cut to a valid prefix of at most %d bytes", l.Path, len(l.Path), maxLocalPath)
	}
}
