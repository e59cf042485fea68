//go:build unix

package wrap

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// harnessEnv switches the test binary into a tiny agentwrap stand-in that
// runs its arguments with startChild and Wait, so tests can signal a process
// other than the test process itself.
const harnessEnv = "AGENTWRAP_TEST_HARNESS"

// testChild is the path of the built wrap/internal/testchild program.
var testChild string

func TestMain(m *testing.M) {
	if mode := os.Getenv(harnessEnv); mode != "" {
		os.Exit(harnessMain(mode, os.Args[1:]))
	}
	dir, err := os.MkdirTemp("", "wrap-testchild-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "cannot create temp dir:", err)
		os.Exit(1)
	}
	testChild, err = buildTestChild(dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// buildTestChild compiles wrap/internal/testchild into dir.
func buildTestChild(dir string) (string, error) {
	out := filepath.Join(dir, "testchild")
	cmd := exec.Command("go", "build", "-o", out, "./internal/testchild")
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("cannot build testchild: %w", err)
	}
	return out, nil
}

// harnessMain runs argv as the wrapped child and exits with its status. In
// mode "after" it then prints "waited" and blocks reading standard input, so
// a test can check that signals are no longer caught once Wait returned.
func harnessMain(mode string, argv []string) int {
	c, err := startChild(childSpec{Argv: argv})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 127
	}
	code, err := c.Wait()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
	}
	if mode == "after" {
		fmt.Println("waited")
		buf := make([]byte, 1)
		_, _ = os.Stdin.Read(buf)
		return 99
	}
	return code
}
