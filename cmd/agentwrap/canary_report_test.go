package main

import (
	"testing"

	"github.com/agentwrap/agentwrap/internal/otlptest"
)

// reportOutputs runs the commands that read the run records: runs, report
// in every format, and export, so the canary suite covers them.
func reportOutputs(t *testing.T, state string, env []string) []result {
	t.Helper()
	recv := otlptest.NewReceiver(t)
	var out []result
	for _, args := range [][]string{
		{"runs"},
		{"report", "canary-run", "--format", "md"},
		{"report", "canary-run", "--format", "yaml"},
		{"report", "canary-run", "--format", "json"},
		{"report", "canary-run", "--format", "html"},
		{"report", "canary-smoke"},
		{"export", "canary-run", "--endpoint", recv.URL()},
	} {
		r := runBinary(t, invocation{state: state, runID: "unused", env: env, args: args})
		if r.code != 0 {
			t.Errorf("%v: exit %d: %s", args, r.code, r.stderr)
		}
		out = append(out, r)
	}
	for _, raw := range recv.Raw() {
		out = append(out, result{stdout: string(raw)})
	}
	return out
}
