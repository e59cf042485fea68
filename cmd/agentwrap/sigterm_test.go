//go:build unix

package main

import (
	"bufio"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/agentwrap/agentwrap/internal/e2e"
	"github.com/agentwrap/agentwrap/internal/otlptest"
	"github.com/agentwrap/agentwrap/internal/upstreamtest"
	"github.com/agentwrap/agentwrap/spans"
	"github.com/agentwrap/agentwrap/spans/runfile"
)

// TestSIGTERMMidCall kills agentwrap with SIGTERM while the agent streams
// a model call: the agent is stopped, agentwrap exits with its status
// (128+15), and the run file holds the run span and the call's span,
// recorded as cancelled.
func TestSIGTERMMidCall(t *testing.T) {
	child := testChild(t)
	up := upstreamtest.Start(t, upstreamtest.WithDeltas(2000, 20*time.Millisecond))
	state := t.TempDir()
	const canary = "sk-canary-sigterm-real-key-0123456789"
	cmd := exec.Command(e2e.Binary(t), "--quiet", "--state-dir", state, "--run-id", "sigterm",
		"--upstream", up.URL(), "--profile", "generic", "--", child, "-call", "OPENAI_BASE_URL")
	cmd.Env = append(baseEnv(t), "COMETAPI_KEY="+canary)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	rd := bufio.NewReader(out)
	pid := childPid(t, rd)
	if line, err := rd.ReadString('\n'); err != nil || strings.TrimSpace(line) != "streaming" {
		t.Fatalf("child said %q, %v", line, err)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err = <-done:
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatal("agentwrap did not exit after SIGTERM")
	}
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 128+int(syscall.SIGTERM) {
		t.Fatalf("agentwrap ended with %v, want exit %d", err, 128+int(syscall.SIGTERM))
	}
	if err := syscall.Kill(pid, 0); !errors.Is(err, syscall.ESRCH) {
		t.Errorf("the agent (pid %d) still runs: %v", pid, err)
	}
	path := filepath.Join(state, "runs", "sigterm.jsonl")
	checkSIGTERMRunFile(t, path)
	if b, _ := os.ReadFile(path); strings.Contains(string(b), canary) {
		t.Error("the real key is in the run file")
	}
}

func childPid(t *testing.T, rd *bufio.Reader) int {
	t.Helper()
	line, err := rd.ReadString('\n')
	pid, perr := strconv.Atoi(strings.TrimPrefix(strings.TrimSpace(line), "pid "))
	if err != nil || perr != nil {
		t.Fatalf("child said %q, %v", line, err)
	}
	return pid
}

func checkSIGTERMRunFile(t *testing.T, path string) {
	t.Helper()
	traces, bad, err := runfile.ReadFile(path)
	if err != nil || len(bad) > 0 {
		t.Fatalf("run file: %v %v", err, bad)
	}
	all := otlptest.Flatten(traces)
	rs := runSpan(t, all)
	if rs.Int(string(spans.ProcessExitCode)) != int64(128+syscall.SIGTERM) {
		t.Errorf("run span process.exit.code %d", rs.Int(string(spans.ProcessExitCode)))
	}
	calls := callSpans(all)
	if len(calls) != 1 {
		t.Fatalf("%d call spans, want 1", len(calls))
	}
	c := calls[0]
	if c.Str(string(spans.ErrorType)) != "cancelled" || c.Str(string(spans.ResultClass)) != spans.ResultNeedsFollowUp {
		t.Errorf("call span: error.type %q, result %q; want cancelled, needs_follow_up",
			c.Str(string(spans.ErrorType)), c.Str(string(spans.ResultClass)))
	}
}
