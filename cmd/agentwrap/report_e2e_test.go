//go:build unix

package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/agentwrap/agentwrap/internal/e2e"
	"github.com/agentwrap/agentwrap/internal/otlptest"
	"github.com/agentwrap/agentwrap/spans"
)

const reportCanary = "sk-canary-report-e2e-Vb8Nq4Tz2Wx6"

// command runs the built binary with args and env; it returns stdout,
// stderr and the exit status.
func command(t *testing.T, env []string, args ...string) (string, string, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, e2e.Binary(t), args...)
	cmd.Env = env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		return stdout.String(), stderr.String(), ee.ExitCode()
	case err != nil:
		t.Fatalf("agentwrap %v did not run: %v", args, err)
	}
	return stdout.String(), stderr.String(), 0
}

// TestRunsReportExport runs the stand-in agent twice through the binary,
// then lists the runs, prints the latest report, replays a run to an OTLP
// receiver, reads a corrupted run, and prunes with --keep-runs.
func TestRunsReportExport(t *testing.T) {
	child := testChild(t)
	state := t.TempDir()
	env := append(baseEnv(t), "COMETAPI_KEY="+reportCanary)
	var outputs [][]byte
	for i, code := range []string{"0", "5"} {
		r := runBinary(t, invocation{args: []string{"--quiet", "--", child, "-exit", code}, env: env, state: state,
			runID: "e2e-report-" + string(rune('1'+i)), timeout: time.Minute})
		if r.code != int(code[0]-'0') {
			t.Fatalf("run %d exited %d (stderr %q)", i+1, r.code, r.stderr)
		}
		outputs = append(outputs, r.runFile)
		time.Sleep(20 * time.Millisecond) // distinct modification times
	}

	out, errOut, code := command(t, env, "runs", "--state-dir", state)
	outputs = append(outputs, []byte(out), []byte(errOut))
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != 0 || len(lines) != 3 || !strings.HasPrefix(lines[0], "RUN ID") {
		t.Fatalf("runs: exit %d\n%s%s", code, out, errOut)
	}
	for i, want := range []struct{ id, exit string }{{"e2e-report-2", "5"}, {"e2e-report-1", "0"}} {
		f := strings.Fields(lines[i+1])
		if f[0] != want.id || f[3] != "testchild" || f[len(f)-1] != want.exit {
			t.Errorf("runs line %d = %q, want run %s of testchild, exit %s", i+1, lines[i+1], want.id, want.exit)
		}
	}

	withEnv := append(env, "AGENTWRAP_STATE_DIR="+state)
	out, errOut, code = command(t, withEnv, "report", "latest", "--format", "md")
	outputs = append(outputs, []byte(out), []byte(errOut))
	for _, want := range []string{"# Usage trace: run e2e-report-2", "exit code 5", "| Contract manifest | builtin:cometapi.yaml |",
		"## Usage-trace record", "credential_redacted: true", "## Not asserted", "**Production readiness**", spans.HelpCenterURL} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	if code != 0 || errOut != "" {
		t.Errorf("report: exit %d, stderr %q", code, errOut)
	}
	for _, f := range []string{"yaml", "json", "html"} {
		out, _, code := command(t, withEnv, "--state-dir", state, "report", "e2e-report-1", "-f", f)
		if code != 0 || !strings.Contains(out, "e2e-report-1") {
			t.Errorf("report -f %s: exit %d", f, code)
		}
		outputs = append(outputs, []byte(out))
	}

	_, errOut, code = command(t, withEnv, "report", "no-such-run")
	if code != 1 || strings.Count(errOut, "\n") != 1 || !strings.Contains(errOut, `no run "no-such-run"`) {
		t.Errorf("unknown run: exit %d, stderr %q", code, errOut)
	}
	if _, errOut, code = command(t, withEnv, "report", "-f", "pdf"); code != 2 || !strings.Contains(errOut, "md, yaml, json, html") {
		t.Errorf("unknown format: exit %d, stderr %q", code, errOut)
	}
	// The other spellings name the same formats (internal/format).
	for alias, name := range map[string]string{"markdown": "md", "yml": "yaml"} {
		want, _, _ := command(t, withEnv, "report", "e2e-report-1", "-f", name)
		got, errOut, code := command(t, withEnv, "report", "e2e-report-1", "-f", alias)
		if code != 0 || got != want {
			t.Errorf("report -f %s: exit %d, stderr %q; output differs from -f %s: %v", alias, code, errOut, name, got != want)
		}
	}

	outputs = append(outputs, exportRun(t, withEnv)...)
	outputs = append(outputs, corruptRun(t, withEnv, state)...)
	pruneRuns(t, env, state, child)
	for i, b := range outputs {
		if bytes.Contains(b, []byte(reportCanary)) {
			t.Errorf("output %d holds the credential", i)
		}
	}
}

// exportRun replays run 1 through --endpoint and run 2 through
// OTEL_EXPORTER_OTLP_ENDPOINT, each to its own receiver.
func exportRun(t *testing.T, env []string) [][]byte {
	t.Helper()
	recv := otlptest.NewReceiver(t)
	out, errOut, code := command(t, env, "export", "e2e-report-1", "--endpoint", recv.URL())
	if code != 0 || !strings.Contains(out, "exported 1 spans in 1 requests to "+recv.TracesURL()) {
		t.Fatalf("export: exit %d\n%s%s", code, out, errOut)
	}
	got, err := recv.WaitSpans(1, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if got[0].Str(string(spans.RunID)) != "e2e-report-1" || got[0].Int(string(spans.ProcessExitCode)) != 0 {
		t.Errorf("exported span %+v", got[0])
	}
	viaEnv := otlptest.NewReceiver(t)
	out2, errOut2, code := command(t, append(env, "OTEL_EXPORTER_OTLP_ENDPOINT="+viaEnv.URL()), "export", "latest")
	if code != 0 {
		t.Fatalf("export latest: exit %d\n%s%s", code, out2, errOut2)
	}
	if got, err := viaEnv.WaitSpans(1, 10*time.Second); err != nil || got[0].Str(string(spans.RunID)) != "e2e-report-2" {
		t.Errorf("export latest via OTEL_EXPORTER_OTLP_ENDPOINT: %v %v", got, err)
	}
	if _, errOut, code := command(t, env, "export", "e2e-report-1"); code != 2 || !strings.Contains(errOut, "no OTLP endpoint") {
		t.Errorf("export without an endpoint: exit %d, stderr %q", code, errOut)
	}
	var raw [][]byte
	raw = append(raw, []byte(out), []byte(errOut), []byte(out2), []byte(errOut2))
	return append(raw, append(recv.Raw(), viaEnv.Raw()...)...)
}

// corruptRun puts a torn line before run 1's run span: report and export
// name the line and go on.
func corruptRun(t *testing.T, env []string, state string) [][]byte {
	t.Helper()
	path := filepath.Join(state, "runs", "e2e-report-1.jsonl")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, append([]byte(`{"resourceSpans":[{"scopeSp`+"\n"), b...), 0o600); err != nil {
		t.Fatal(err)
	}
	out, errOut, code := command(t, env, "report", "e2e-report-1")
	if code != 0 || !strings.Contains(errOut, "agentwrap: run file line 1 skipped: ") || !strings.Contains(out, "- line 1: ") {
		t.Errorf("report of a corrupt run: exit %d, stderr %q", code, errOut)
	}
	recv := otlptest.NewReceiver(t)
	out2, errOut2, code := command(t, env, "export", "e2e-report-1", "--endpoint", recv.TracesURL())
	if code != 0 || !strings.Contains(out2, "exported 1 spans in 1 requests") || !strings.Contains(errOut2, "line 1 skipped") {
		t.Errorf("export of a corrupt run: exit %d\n%s%s", code, out2, errOut2)
	}
	return [][]byte{[]byte(out), []byte(errOut), []byte(out2), []byte(errOut2)}
}

// pruneRuns makes a third run with --keep-runs 2: the oldest run file goes,
// the current one stays.
func pruneRuns(t *testing.T, env []string, state, child string) {
	t.Helper()
	old := filepath.Join(state, "runs", "e2e-report-1.jsonl")
	mt := time.Now().Add(-time.Hour)
	if err := os.Chtimes(old, mt, mt); err != nil {
		t.Fatal(err)
	}
	r := runBinary(t, invocation{args: []string{"--quiet", "--keep-runs", "2", "--", child}, env: env, state: state,
		runID: "e2e-report-3", timeout: time.Minute})
	if r.code != 0 || r.runFile == nil {
		t.Fatalf("third run: exit %d, stderr %q", r.code, r.stderr)
	}
	if _, err := os.Stat(old); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the oldest run file survived --keep-runs 2: %v", err)
	}
	out, _, _ := command(t, env, "runs", "--state-dir", state)
	if n := strings.Count(out, "e2e-report-"); n != 2 || !strings.Contains(out, "e2e-report-3") {
		t.Errorf("runs after pruning:\n%s", out)
	}
}
