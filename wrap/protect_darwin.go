package wrap

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// ProtectProcess denies debuggers (PT_DENY_ATTACH): a process of the same
// user can no longer attach to agentwrap to read the key from its memory.
// See README "Security".
func ProtectProcess() error {
	if err := unix.PtraceDenyAttach(); err != nil {
		return fmt.Errorf("cannot deny debugger attachment: %w", err)
	}
	return nil
}

// ProcessProtected reports whether ProtectProcess is in effect; macOS has
// no query for it.
func ProcessProtected() bool { return false }
