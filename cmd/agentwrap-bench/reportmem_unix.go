//go:build unix

package main

import (
	"bufio"
	"bytes"
	"os"
	"runtime"
	"strconv"
	"syscall"
	"time"
)

// childPeakRSS is an ended child's peak resident set in KiB. On Linux it
// is polled, the child's own VmHWM read every few milliseconds while it
// ran: wait4's ru_maxrss is no use there, since a child that os/exec
// starts shares this process's memory until it execs (CLONE_VM), and the
// kernel carries this process's high-water mark into the child's maxrss.
// Elsewhere (posix_spawn on macOS) it is wait4's.
func childPeakRSS(ps *os.ProcessState, polled int64) int64 {
	if runtime.GOOS == "linux" {
		return polled
	}
	ru, ok := ps.SysUsage().(*syscall.Rusage)
	if !ok {
		return 0
	}
	if runtime.GOOS == "darwin" {
		return ru.Maxrss >> 10 // bytes there
	}
	return ru.Maxrss
}

// pollPeakRSS reads pid's VmHWM (KiB) every 2 ms until stop is closed and
// returns the highest value read; 0 where /proc has no such file. The high-
// water mark only grows, so only growth in the last poll interval before
// the child exits can be missed.
func pollPeakRSS(pid int, stop <-chan struct{}) int64 {
	path := "/proc/" + strconv.Itoa(pid) + "/status"
	var peak int64
	t := time.NewTicker(2 * time.Millisecond)
	defer t.Stop()
	for {
		if v := vmHWM(path); v > peak {
			peak = v
		}
		select {
		case <-stop:
			return peak
		case <-t.C:
		}
	}
}

// vmHWM reads the VmHWM line of a /proc status file, in KiB.
func vmHWM(path string) int64 {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		if f := bytes.Fields(sc.Bytes()); len(f) >= 2 && string(f[0]) == "VmHWM:" {
			v, _ := strconv.ParseInt(string(f[1]), 10, 64)
			return v
		}
	}
	return 0
}
