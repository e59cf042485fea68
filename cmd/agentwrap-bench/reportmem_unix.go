//go:build unix

package main

import (
	"os"
	"runtime"
	"syscall"
)

// childPeakRSS is an ended child's peak resident set in KiB, from wait4's
// rusage.
func childPeakRSS(ps *os.ProcessState) int64 {
	ru, ok := ps.SysUsage().(*syscall.Rusage)
	if !ok {
		return 0
	}
	if runtime.GOOS == "darwin" {
		return ru.Maxrss >> 10 // bytes there
	}
	return ru.Maxrss
}
