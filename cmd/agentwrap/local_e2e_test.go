//go:build unix

package main

import (
	"strings"
	"testing"

	"github.com/agentwrap/agentwrap/internal/upstreamtest"
	"github.com/agentwrap/agentwrap/spans"
)

// TestTokenlessFloodIsCounted: 10,000 requests without the run token are
// refused and counted on the run span, not recorded one span each: the run
// file stays small, none reaches the upstream, and the agent's own model
// call still rolls the run up to pass. When the refused requests are on a
// model path, they look like the agent's own model calls: the run needs
// follow-up, with a note naming the refused path and why.
func TestTokenlessFloodIsCounted(t *testing.T) {
	const flood = 10000
	for _, tc := range []struct {
		name, path, result, note string
	}{
		{"other path", "/internal/telemetry", spans.ResultPass, ""},
		{"model path", "/v1/chat/completions", spans.ResultNeedsFollowUp,
			"gateway refused POST /v1/chat/completions: no credential"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			up := upstreamtest.Start(t, upstreamtest.WithKey(canaryKey))
			state := t.TempDir()
			r := runBinary(t, invocation{state: state,
				args: []string{"--upstream", up.URL(), "--profile", "generic", "--", testChild(t),
					"-flood", "10000", "-flood-path", tc.path, "-call", "OPENAI_BASE_URL"},
				env: append(baseEnv(t), "COMETAPI_KEY="+canaryKey),
			})
			if r.code != 0 || !strings.Contains(r.stdout, "flooded 10000") {
				t.Fatalf("exit %d\nstdout: %s\nstderr: %s", r.code, r.stdout, r.stderr)
			}
			if n := len(up.Requests()); n != 1 {
				t.Errorf("the upstream received %d requests, want the one model call", n)
			}
			if len(r.runFile) > 16<<10 {
				t.Errorf("run file is %d bytes for one call and %d refused requests", len(r.runFile), flood)
			}
			calls := callSpans(r.spans)
			if len(calls) != 1 || calls[0].Str(string(spans.ResultClass)) != spans.ResultPass {
				t.Fatalf("%d call spans, want the one passing model call", len(calls))
			}
			rs := runSpan(t, r.spans)
			if got := rs.Int(string(spans.RejectedRequests)); got != flood {
				t.Errorf("rejected_requests %d, want %d", got, flood)
			}
			if m, p, why := rs.Str(string(spans.RejectedMethod)), rs.Str(string(spans.RejectedPath)), rs.Str(string(spans.RejectedReason)); m != "POST" || p != tc.path || why != "run_token_missing" {
				t.Errorf("first rejected request %s %s (%s)", m, p, why)
			}
			if got := rs.Str(string(spans.ResultClass)); got != tc.result {
				t.Errorf("run result %s, want %s (notes %q)", got, tc.result, rs.Str(string(spans.Notes)))
			}
			if notes := rs.Str(string(spans.Notes)); tc.note != "" && !strings.Contains(notes, tc.note) {
				t.Errorf("run notes %q, want %q", notes, tc.note)
			}
			if !strings.Contains(r.stderr, "1 model call(s), "+tc.result) || !strings.Contains(r.stderr, "10000 request(s) refused") {
				t.Errorf("summary line does not say the result and the refused requests:\n%s", r.stderr)
			}
			// The report says what the gateway refused, and for a refused
			// model call what to do about it.
			md := runBinary(t, invocation{state: state, runID: "report-" + tc.result, args: []string{"report"}, env: baseEnv(t)})
			if !strings.Contains(md.stdout, "0 connectivity probe(s), 10000 refused request(s), first POST "+tc.path+" (run_token_missing)") {
				t.Errorf("report does not list the refused requests:\n%s", md.stdout)
			}
			if refusedStep := "without the run token and was refused"; strings.Contains(md.stdout, refusedStep) != (tc.note != "") {
				t.Errorf("report's follow-up for a refused model call: want it %v\n%s", tc.note != "", md.stdout)
			}
		})
	}
}
