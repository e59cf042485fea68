package wrap

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// overlayPrefix names the private directories of runs (profile overlays
// such as Gemini CLI's home, Codex's CODEX_HOME) in the temporary
// directory; the pid of the agentwrap that made one follows it.
const overlayPrefix = "agentwrap-run-pid"

// makeOverlayDir creates this run's private directory in the temporary
// directory, named after agentwrap's pid so that a later run can tell a
// dead run's directory from a live one's.
func makeOverlayDir() (string, error) {
	dir, err := os.MkdirTemp("", fmt.Sprintf("%s%d-", overlayPrefix, os.Getpid()))
	if err != nil {
		return "", fmt.Errorf("cannot create the run's private directory: %w", err)
	}
	return dir, nil
}

// removeStaleOverlays removes the private directories that runs left in
// tmp when their agentwrap was killed (SIGKILL leaves no chance to clean
// up): those whose agentwrap no longer exists. It returns how many it
// removed; errors are ignored, the next run tries again.
func removeStaleOverlays(tmp string) int {
	dirs, _ := filepath.Glob(filepath.Join(tmp, overlayPrefix+"*"))
	n := 0
	for _, d := range dirs {
		rest := strings.TrimPrefix(filepath.Base(d), overlayPrefix)
		pidText, _, ok := strings.Cut(rest, "-")
		pid, err := strconv.Atoi(pidText)
		if !ok || err != nil || pid <= 0 || pid == os.Getpid() || processExists(pid) {
			continue
		}
		if os.RemoveAll(d) == nil {
			n++
		}
	}
	return n
}
