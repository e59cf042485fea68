//go:build !unix

package wrap

import "os"

// relayedSignals lists the signals agentwrap catches while the child runs.
// Outside Unix only the console interrupt exists; the console delivers it to
// every attached process, the child included, so it is caught but not
// relayed.
func relayedSignals() []os.Signal {
	return []os.Signal{os.Interrupt}
}

// isKeyboardSignal reports whether sig comes from the console keyboard.
func isKeyboardSignal(sig os.Signal) bool {
	return sig == os.Interrupt
}

// terminalDeliversSignals reports that the console delivers its interrupt to
// the child itself.
func terminalDeliversSignals() bool {
	return true
}

// exitStatus maps a finished process to its exit code.
func exitStatus(ps *os.ProcessState) int {
	return ps.ExitCode()
}

// processExists reports that every process may exist: stale run
// directories are only found on Unix.
func processExists(int) bool { return true }
