package main

import (
	"strings"
	"testing"

	"github.com/agentwrap/agentwrap/internal/e2e"
	"github.com/agentwrap/agentwrap/internal/otlptest"
	"github.com/agentwrap/agentwrap/internal/upstreamtest"
	"github.com/agentwrap/agentwrap/spans"
)

// canaryAgent is the stand-in agent that plants canaries in its calls.
func canaryAgent(t *testing.T) string { return e2e.Program(t, "./cmd/agentwrap/internal/canaryagent") }

// TestCanariesLeaveNoTrace plants distinct canary secrets in the
// environment, the agent's arguments, every credential header, the URL
// query, request bodies, upstream success and error bodies (a 401 that
// echoes the key, an SSE event that echoes it) and the operator note; runs
// every command; and proves no canary appears in the spans (OTLP and run
// file), stdout, stderr or any command's output.
func TestCanariesLeaveNoTrace(t *testing.T) {
	const prefix = "sk-canary-suite-"
	realKey := prefix + "realkey-0123456789abcdef"
	up := upstreamtest.Start(t, upstreamtest.WithKey(realKey))
	recv := otlptest.NewReceiver(t)
	state := t.TempDir()
	env := append(baseEnv(t),
		"COMETAPI_KEY="+realKey,
		"CANARY_PREFIX="+prefix,
		"OTHER_SECRET="+prefix+"env-other",
		"OTEL_EXPORTER_OTLP_ENDPOINT="+recv.URL(),
		"OTEL_METRICS_EXPORTER=otlp",
		"OTEL_RESOURCE_ATTRIBUTES=team=platform",
	)
	var outputs []result
	r := runBinary(t, invocation{
		state: state, runID: "canary-run", env: env,
		args: []string{"--upstream", up.URL(), "--note", "operator pasted " + prefix + "note by mistake",
			"--profile", "generic", "--", canaryAgent(t), "--secret", prefix + "argument"},
	})
	if r.code != 0 || !strings.Contains(r.stdout, "canaryagent: 6 calls") {
		t.Fatalf("wrapped run: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	// The call with a wrong credential is refused and counted on the run
	// span, not recorded as a call.
	if calls := callSpans(r.spans); len(calls) != 5 {
		t.Errorf("%d call spans, want 5", len(calls))
	}
	if n := runSpan(t, r.spans).Int(string(spans.RejectedRequests)); n != 1 {
		t.Errorf("run span counts %d refused requests, want 1", n)
	}
	for _, q := range up.Requests() {
		if strings.Contains(q.Header.Get("Authorization")+q.Header.Get("X-Api-Key")+q.Header.Get("X-Goog-Api-Key"), "-agentwrap-run-token") {
			t.Errorf("%s reached the upstream with the run token", q.Path)
		}
	}
	// The canaries really travelled: the test is only meaningful if they
	// reached the upstream and came back in its replies.
	var sent strings.Builder
	for _, q := range up.Requests() {
		sent.WriteString(q.RawQuery + string(q.Body) + q.Header.Get("X-Custom-Secret"))
	}
	for _, c := range []string{"prompt", "query", "body", "header", "system", "model"} {
		if !strings.Contains(sent.String(), prefix+c) {
			t.Errorf("canary %s did not reach the upstream: the test plants nothing", c)
		}
	}
	outputs = append(outputs, r)

	smoke := runBinary(t, invocation{state: state, runID: "canary-smoke", env: env, args: []string{"smoke", "--upstream", up.URL()}})
	if smoke.code != 0 {
		t.Errorf("smoke: exit %d\n%s", smoke.code, smoke.stderr)
	}
	outputs = append(outputs, smoke)
	for _, args := range [][]string{
		{"agents"}, {"collector", "config"}, {"contract", "show"}, {"--help"},
		{"smoke", "--upstream", up.URL(), "--key-env", "NO_SUCH_KEY_VARIABLE"},
	} {
		outputs = append(outputs, runBinary(t, invocation{state: state, runID: "canary-" + strings.Join(args, "-"), env: env, args: args}))
	}
	outputs = append(outputs, reportOutputs(t, state, env)...)

	canaries := []string{realKey, prefix}
	for i, o := range outputs {
		for _, c := range canaries {
			for name, b := range map[string]string{"stdout": o.stdout, "stderr": o.stderr, "run file": string(o.runFile)} {
				if strings.Contains(b, c) {
					t.Errorf("output %d: canary %q in %s", i, c, name)
				}
			}
		}
	}
	// The model canary is an attribute of metric data points too: the
	// metrics were exported, and it is in none of them.
	if len(recv.Metrics()) == 0 {
		t.Error("no metrics exported with OTEL_METRICS_EXPORTER=otlp")
	}
	for _, raw := range recv.Raw() {
		if strings.Contains(string(raw), prefix) {
			t.Error("canary in an OTLP export")
		}
	}
	// The spans still say what happened.
	var notes []string
	for _, s := range r.spans {
		notes = append(notes, s.Str("agentwrap.notes"))
	}
	if !strings.Contains(strings.Join(notes, "|"), "operator pasted") {
		t.Errorf("operator note lost: %q", notes)
	}
}
