package wrap

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// ProtectProcess makes agentwrap unreadable by the agent it runs, as
// ssh-agent and gpg-agent do: a non-dumpable process's /proc/<pid>/environ
// and /proc/<pid>/mem are root's, and a process of the same user can no
// longer ptrace it. The agent itself stays dumpable (execve resets the
// flag). See README "Security".
func ProtectProcess() error {
	if err := unix.Prctl(unix.PR_SET_DUMPABLE, 0, 0, 0, 0); err != nil {
		return fmt.Errorf("cannot make agentwrap non-dumpable: %w", err)
	}
	return nil
}

// ProcessProtected reports whether ProtectProcess is in effect.
func ProcessProtected() bool {
	v, err := unix.PrctlRetInt(unix.PR_GET_DUMPABLE, 0, 0, 0, 0)
	return err == nil && v == 0
}
