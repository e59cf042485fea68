package main

import (
	"os/exec"
	"syscall"
	"testing"
)

// TestChildPeakIsTheChilds: with this process holding 200 MB, a small
// child measures small. wait4's maxrss would say 200 MB: os/exec's child
// shares this process's memory until it execs, and Linux carries the
// high-water mark over.
func TestChildPeakIsTheChilds(t *testing.T) {
	big := make([]byte, 200<<20)
	for i := range big {
		if i%4096 == 0 {
			big[i] = 1
		}
	}
	cmd := exec.Command("sleep", "0.2")
	if err := cmd.Start(); err != nil {
		t.Skip("no sleep command:", err)
	}
	stop, peak := make(chan struct{}), make(chan int64, 1)
	go func() { peak <- pollPeakRSS(cmd.Process.Pid, stop) }()
	if err := cmd.Wait(); err != nil {
		t.Fatal(err)
	}
	close(stop)
	got := childPeakRSS(cmd.ProcessState, <-peak)
	if got <= 0 || got > 50<<10 {
		t.Errorf("a sleeping child's peak is %d KiB", got)
	}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		t.Logf("wait4's maxrss for the same child: %d KiB; polled: %d KiB", ru.Maxrss, got)
	}
	big[len(big)-1] = 2 // keep big alive while the child runs
}
