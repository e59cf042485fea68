package main

import (
	"strings"
	"testing"
	"time"

	"github.com/agentwrap/agentwrap/internal/upstreamtest"
	"github.com/agentwrap/agentwrap/spans"
)

// TestSmokeBinaryExitCodes runs `agentwrap smoke` against the test
// upstream: 0 pass, 1 fail, 3 needs_follow_up, 2 without a credential
// (one line on stderr). The record is YAML on stdout; the run file, named
// by the flags given before the subcommand, holds the run span and both
// calls; no canary appears anywhere.
func TestSmokeBinaryExitCodes(t *testing.T) {
	up := upstreamtest.Start(t, upstreamtest.WithKey(canaryKey))
	for _, tc := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"pass", nil, 0, "result_class: pass"},
		{"pass messages", []string{"--family", "messages"}, 0, "request_family: anthropic.messages"},
		{"fail", []string{"--model", upstreamtest.ScenarioModel(upstreamtest.ScenarioServerError)}, 1, "result_class: fail"},
		{"follow-up", []string{"--family", "gemini", "--model", upstreamtest.ScenarioModel(upstreamtest.ScenarioRateLimited)}, 3, spans.HelpCenterURL},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"smoke", "--upstream", up.URL()}, tc.args...)
			r := runBinary(t, invocation{args: args, env: append(baseEnv(t), "COMETAPI_KEY="+canaryKey), dir: t.TempDir(), timeout: time.Minute})
			if r.code != tc.code || !strings.Contains(r.stdout, tc.want) {
				t.Fatalf("exit %d (want %d)\nstdout %s\nstderr %s", r.code, tc.code, r.stdout, r.stderr)
			}
			if !strings.HasPrefix(r.stdout, "run_id: e2e-") || !strings.Contains(r.stdout, "\ncredential_redacted: true\n") {
				t.Errorf("record:\n%s", r.stdout)
			}
			if len(r.spans) != 3 {
				t.Errorf("run file holds %d spans, want 3", len(r.spans))
			}
			assertNoCanary(t, r, nil, canaryKey, "-agentwrap-run-token")
		})
	}
	t.Run("no credential", func(t *testing.T) {
		r := runBinary(t, invocation{args: []string{"smoke", "--upstream", up.URL()}, env: baseEnv(t), timeout: time.Minute})
		if r.code != 2 || strings.Count(r.stderr, "\n") != 1 || !strings.Contains(r.stderr, "COMETAPI_KEY") || r.stdout != "" {
			t.Fatalf("exit %d, stdout %q, stderr %q: want 2 and one line naming COMETAPI_KEY", r.code, r.stdout, r.stderr)
		}
	})
}
