//go:build linux

package main

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/agentwrap/agentwrap/internal/e2e"
)

// TestAgentNeverOutlivesAgentwrap kills agentwrap with SIGKILL while the
// agent runs: the agent ends too (parent-death signal) instead of running
// on with a dead gateway's URL, and the run's private directory it left in
// the temporary directory is removed by the next run.
func TestAgentNeverOutlivesAgentwrap(t *testing.T) {
	tmp := t.TempDir()
	env := append(baseEnv(t), "TMPDIR="+tmp)
	cmd := exec.Command(e2e.Binary(t), "--quiet", "--state-dir", t.TempDir(), "--run-id", "killed-run", "--", testChild(t), "-sleep", "60s")
	cmd.Env = env
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	if line, err := bufio.NewReader(out).ReadString('\n'); err != nil || strings.TrimSpace(line) != "ready" {
		t.Fatalf("child said %q, %v", line, err)
	}
	agents := runProcesses("killed-run")
	if len(agents) != 1 {
		t.Fatalf("the agent's processes: %q", agents)
	}
	stale, _ := filepath.Glob(filepath.Join(tmp, "agentwrap-run-pid"+strconv.Itoa(cmd.Process.Pid)+"-*"))
	if len(stale) != 1 {
		t.Fatalf("the run's private directory is not in TMPDIR: %v", stale)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	deadline := time.Now().Add(10 * time.Second)
	for len(runProcesses("killed-run")) > 0 {
		if time.Now().After(deadline) {
			t.Fatalf("the agent outlived agentwrap: %q", runProcesses("killed-run"))
		}
		time.Sleep(50 * time.Millisecond)
	}
	if _, err := os.Stat(stale[0]); err != nil {
		t.Fatalf("the killed run's directory is already gone (%v): the test proves nothing", err)
	}
	r := runBinary(t, invocation{args: []string{"--", "true"}, env: env, timeout: time.Minute})
	if r.code != 0 {
		t.Fatalf("next run: exit %d: %s", r.code, r.stderr)
	}
	if _, err := os.Stat(stale[0]); !os.IsNotExist(err) {
		t.Errorf("the killed run's directory is still there after the next run: %v", err)
	}
	if left, _ := filepath.Glob(filepath.Join(tmp, "agentwrap-run-*")); len(left) != 0 {
		t.Errorf("run directories left in TMPDIR: %v", left)
	}
}
