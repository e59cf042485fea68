//go:build unix

package main

import (
	"bufio"
	"errors"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/agentwrap/agentwrap/internal/e2e"
	"github.com/agentwrap/agentwrap/internal/otlptest"
	"github.com/agentwrap/agentwrap/spans"
)

// testChild is the wrap package's stand-in agent.
func testChild(t *testing.T) string { return e2e.Program(t, "./wrap/internal/testchild") }

func TestExitCodeIsTheAgents(t *testing.T) {
	child := testChild(t)
	for _, tc := range []struct {
		args []string
		want int
	}{
		{[]string{"-exit", "0"}, 0},
		{[]string{"-exit", "7"}, 7},
		{[]string{"-selfkill", "SIGKILL"}, 128 + int(syscall.SIGKILL)},
		{[]string{"-selfkill", "SIGTERM"}, 128 + int(syscall.SIGTERM)},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			r := runBinary(t, invocation{args: append([]string{"--quiet", "--", child}, tc.args...), env: baseEnv(t), timeout: time.Minute})
			if r.code != tc.want {
				t.Fatalf("exit %d, want %d (stderr %q)", r.code, tc.want, r.stderr)
			}
			rs := runSpan(t, r.spans)
			if rs.Int(string(spans.ProcessExitCode)) != int64(tc.want) {
				t.Errorf("run span process.exit.code %d", rs.Int(string(spans.ProcessExitCode)))
			}
			// An agent that exited non-zero makes the run span an error.
			if (rs.StatusCode == "Error") != (tc.want != 0) || (tc.want != 0) != (rs.Str(string(spans.ErrorType)) == "agent_exit_nonzero") {
				t.Errorf("exit %d: run span status %q error.type %q", tc.want, rs.StatusCode, rs.Str(string(spans.ErrorType)))
			}
		})
	}
}

func TestAgentNotFoundExits127(t *testing.T) {
	r := runBinary(t, invocation{args: []string{"--", "no-such-agent-agentwrap-test"}, env: baseEnv(t), timeout: time.Minute})
	if r.code != 127 {
		t.Fatalf("exit %d, want 127", r.code)
	}
	if !strings.Contains(r.stderr, "no-such-agent-agentwrap-test") || strings.Count(strings.TrimSpace(r.stderr), "\n") > 2 {
		t.Errorf("stderr %q: want a short message naming the agent", r.stderr)
	}
}

// TestSignalsReachTheAgent sends each forwarded signal to agentwrap while
// the child traps it: the child sees it, and agentwrap exits with the
// child's status.
func TestSignalsReachTheAgent(t *testing.T) {
	child := testChild(t)
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT} {
		name := map[syscall.Signal]string{syscall.SIGINT: "SIGINT", syscall.SIGTERM: "SIGTERM", syscall.SIGHUP: "SIGHUP", syscall.SIGQUIT: "SIGQUIT"}[sig]
		t.Run(name, func(t *testing.T) {
			cmd := exec.Command(e2e.Binary(t), "--quiet", "--state-dir", t.TempDir(), "--", child, "-trap", name)
			cmd.Env = baseEnv(t)
			out, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			rd := bufio.NewReader(out)
			if line, err := rd.ReadString('\n'); err != nil || strings.TrimSpace(line) != "ready" {
				t.Fatalf("child said %q, %v", line, err)
			}
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			rest, _ := io.ReadAll(rd)
			err = cmd.Wait()
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() != 40+int(sig) {
				t.Fatalf("agentwrap ended with %v, want exit %d", err, 40+int(sig))
			}
			if !strings.Contains(string(rest), "got "+name) {
				t.Errorf("child output %q, want got %s", rest, name)
			}
		})
	}
}

// TestDeadCollectorDelaysExitByFlushTimeoutOnly: with a collector that never
// answers, agentwrap still exits with the agent's status, within the flush
// timeout plus a generous margin, and the run file holds the run span.
func TestDeadCollectorDelaysExitByFlushTimeoutOnly(t *testing.T) {
	child := testChild(t)
	recv := otlptest.NewReceiver(t)
	recv.SetMode(otlptest.ModeHang)
	env := append(baseEnv(t), "OTEL_EXPORTER_OTLP_ENDPOINT="+recv.URL())
	start := time.Now()
	r := runBinary(t, invocation{args: []string{"--flush-timeout", "300ms", "--", child, "-exit", "3"}, env: env, timeout: time.Minute})
	if r.code != 3 {
		t.Fatalf("exit %d, want 3 (stderr %q)", r.code, r.stderr)
	}
	if d := time.Since(start); d > 30*time.Second {
		t.Errorf("exit took %s with a 300ms flush timeout", d)
	}
	if !strings.Contains(r.stderr, "telemetry export incomplete") {
		t.Errorf("stderr %q does not say the export was incomplete", r.stderr)
	}
	runSpan(t, r.spans)
}

// TestPreflightRecordsInstructionFilesOnRunSpan: instruction files in the
// working directory are recorded by path and hash, and one that names a
// gateway other than the upstream gets a note.
func TestPreflightRecordsInstructionFilesOnRunSpan(t *testing.T) {
	child := testChild(t)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "CLAUDE.md"), []byte("Use ANTHROPIC_BASE_URL=https://old-gateway.example.net for model calls.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "AGENTS.md"), []byte("Run the tests.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := runBinary(t, invocation{args: []string{"--upstream", "https://api.cometapi.com", "--", child, "-exit", "0"}, env: baseEnv(t), dir: dir, timeout: time.Minute})
	rs := runSpan(t, r.spans)
	files := strings.Join(rs.Strs(string(spans.InstructionFiles)), "|")
	for _, want := range []string{"CLAUDE.md sha256:", "AGENTS.md sha256:"} {
		if !strings.Contains(files, want) {
			t.Errorf("instruction files %q lack %q", files, want)
		}
	}
	if n := rs.Str(string(spans.Notes)); !strings.Contains(n, "old-gateway.example.net") || !strings.Contains(n, "api.cometapi.com") {
		t.Errorf("notes %q: want the stale gateway named", n)
	}
}

// TestRefusedCollectorKeepsTheTerminalClean: with a collector that refuses
// connections, the OpenTelemetry SDK's own error output never reaches the
// agent's terminal; agentwrap says it once, in its own words, and the run
// file still holds the spans.
func TestRefusedCollectorKeepsTheTerminalClean(t *testing.T) {
	child := testChild(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // refused from now on
	env := append(baseEnv(t), "OTEL_EXPORTER_OTLP_ENDPOINT=http://"+addr)
	r := runBinary(t, invocation{args: []string{"--flush-timeout", "500ms", "--", child, "-exit", "4"}, env: env, timeout: time.Minute})
	if r.code != 4 {
		t.Fatalf("exit %d, want 4", r.code)
	}
	for _, l := range strings.Split(strings.TrimSpace(r.stderr), "\n") {
		if !strings.HasPrefix(l, "agentwrap: ") {
			t.Errorf("stderr line not agentwrap's own: %q", l)
		}
		if strings.Contains(l, addr) {
			t.Errorf("stderr quotes the endpoint: %q", l)
		}
	}
	if !strings.Contains(r.stderr, "the run file holds every span") {
		t.Errorf("stderr %q does not report the failed export", r.stderr)
	}
	runSpan(t, r.spans)
}
