package wrap

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"time"
)

// newRunID returns a unique run id that sorts by start time:
// 20261122T174233Z-1a2b3c4d.
func newRunID(now time.Time) string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return now.UTC().Format("20060102T150405Z") + "-" + hex.EncodeToString(b[:])
}

var runIDPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$`)

// validRunID reports whether id can name a run file: letters, digits, dot,
// underscore and dash, at most 128 characters.
func validRunID(id string) error {
	if !runIDPattern.MatchString(id) {
		return fmt.Errorf("run id %q must be 1-128 letters, digits, '.', '_' or '-', starting with a letter or digit", id)
	}
	return nil
}

// tokenSuffix ends every run token. Claude Code remembers which API keys
// the user approved by their last 20 characters; a constant suffix means the
// user approves agentwrap's tokens once instead of on every run. The
// token's secrecy lies in its random part.
const tokenSuffix = "-agentwrap-run-token"

// newToken returns a per-run gateway token: 192 random bits.
func newToken() string {
	var b [24]byte
	_, _ = rand.Read(b[:])
	return "aw-" + hex.EncodeToString(b[:]) + tokenSuffix
}

// StateDir returns the state directory: dir when set, else
// $XDG_STATE_HOME/agentwrap, else ~/.local/state/agentwrap.
func StateDir(dir string, getenv func(string) string) (string, error) {
	if dir != "" {
		return dir, nil
	}
	if x := getenv("XDG_STATE_HOME"); x != "" && filepath.IsAbs(x) {
		return filepath.Join(x, "agentwrap"), nil
	}
	home := getenv("HOME")
	if home == "" {
		h, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("cannot find a state directory (set --state-dir or AGENTWRAP_STATE_DIR): %w", err)
		}
		home = h
	}
	return filepath.Join(home, ".local", "state", "agentwrap"), nil
}

// RunsDir is the directory of run files under a state directory.
func RunsDir(stateDir string) string { return filepath.Join(stateDir, "runs") }
