//go:build unix

package wrap

import (
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// relayedSignals lists the signals agentwrap catches and relays to the child.
func relayedSignals() []os.Signal {
	return []os.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT}
}

// isKeyboardSignal reports whether a terminal generates sig from a key
// (Ctrl-C, Ctrl-\) and sends it to its whole foreground process group.
func isKeyboardSignal(sig os.Signal) bool {
	return sig == syscall.SIGINT || sig == syscall.SIGQUIT
}

// terminalDeliversSignals reports whether standard input is a terminal whose
// foreground process group is ours. The child shares that group, so the
// terminal has already sent it any keyboard signal agentwrap received; a
// second copy would make a single Ctrl-C look like two.
func terminalDeliversSignals() bool {
	pgrp, err := unix.IoctlGetInt(unix.Stdin, unix.TIOCGPGRP)
	if err != nil {
		return false
	}
	return pgrp == unix.Getpgrp()
}

// exitStatus maps a finished process to its shell-style status.
func exitStatus(ps *os.ProcessState) int {
	ws, ok := ps.Sys().(syscall.WaitStatus)
	if !ok {
		return ps.ExitCode()
	}
	if ws.Signaled() {
		return 128 + int(ws.Signal())
	}
	return ws.ExitStatus()
}

// processExists reports whether a process with this pid exists (ours or
// another user's).
func processExists(pid int) bool {
	err := unix.Kill(pid, 0)
	return err == nil || err == unix.EPERM
}
