package wrap

import (
	"os"
	"os/exec"
	"slices"
	"syscall"
	"testing"
	"time"
)

// TestEndLeftovers: a process the agent left running in a session of its
// own, with the run's id, is ended (even when it ignores SIGTERM); a
// process of another run is not.
func TestEndLeftovers(t *testing.T) {
	start := func(runID, script string) *exec.Cmd {
		cmd := exec.Command("sh", "-c", script)
		cmd.Env = append(os.Environ(), "AGENTWRAP_RUN_ID="+runID)
		cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = cmd.Process.Kill() })
		return cmd
	}
	mine := start("leftover-test-mine", "sleep 60")
	stubborn := start("leftover-test-mine", "trap '' TERM; sleep 60 & wait")
	other := start("leftover-test-other", "sleep 60")
	time.Sleep(100 * time.Millisecond)
	if got := runProcesses("leftover-test-mine"); !slices.Contains(got, mine.Process.Pid) || !slices.Contains(got, stubborn.Process.Pid) {
		t.Fatalf("runProcesses = %v, want %d and %d", got, mine.Process.Pid, stubborn.Process.Pid)
	}
	if n := endLeftovers("leftover-test-mine", 300*time.Millisecond); n < 2 {
		t.Errorf("ended %d processes, want at least 2 (the stubborn one's sleep too)", n)
	}
	for name, cmd := range map[string]*exec.Cmd{"leftover": mine, "leftover ignoring SIGTERM": stubborn} {
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
			if ws := cmd.ProcessState.Sys().(syscall.WaitStatus); !ws.Signaled() {
				t.Errorf("%s: ended by %v, want a signal", name, cmd.ProcessState)
			}
		case <-time.After(5 * time.Second):
			t.Errorf("%s still running", name)
		}
	}
	if err := other.Process.Signal(syscall.Signal(0)); err != nil {
		t.Errorf("the other run's process was ended: %v", err)
	}
	if endLeftovers("", time.Second) != 0 {
		t.Error("an empty run id matched")
	}
}
