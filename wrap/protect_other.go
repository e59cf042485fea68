//go:build !linux && !darwin

package wrap

// ProtectProcess does nothing where the OS offers no protection of a
// process from others of the same user. See README "Security".
func ProtectProcess() error { return nil }

// ProcessProtected reports whether ProtectProcess is in effect.
func ProcessProtected() bool { return false }
