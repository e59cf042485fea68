// Package e2e provides what end-to-end tests need: the built agentwrap
// binary and the real agent CLIs, installed from npm into a cache shared by
// test runs.
package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"syscall"
	"testing"
)

// Agent is an agent CLI installed from npm.
type Agent struct {
	Name    string // profile and binary name
	Package string
	Version string
}

// Agents are the pinned agent CLIs the end-to-end tests run.
var Agents = map[string]Agent{
	"claude": {"claude", "@anthropic-ai/claude-code", "2.1.330"},
	"codex":  {"codex", "@openai/codex", "0.169.0"},
	"gemini": {"gemini", "@google/gemini-cli", "0.61.0"},
	"qwen":   {"qwen", "@qwen-code/qwen-code", "0.24.4"},
}

// CacheDir is where installs and builds are cached between runs:
// $AGENTWRAP_CACHE, else the user cache directory's agentwrap folder.
func CacheDir() string {
	if d := os.Getenv("AGENTWRAP_CACHE"); d != "" {
		return d
	}
	d, err := os.UserCacheDir()
	if err != nil {
		d = os.TempDir()
	}
	return filepath.Join(d, "agentwrap")
}

// Missing fails the test in CI (CI=true), where every dependency must be
// present, and skips it elsewhere.
func Missing(t testing.TB, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

// InstallAgent installs the named agent CLI (once per version; concurrent
// test processes wait on a file lock) and returns the path of its binary.
// Without npm or the registry the test is skipped, or fails in CI.
func InstallAgent(t testing.TB, name string) string {
	t.Helper()
	if _, ok := Agents[name]; !ok {
		t.Fatalf("unknown agent %q", name)
	}
	if _, err := exec.LookPath("npm"); err != nil {
		Missing(t, "npm not found: install Node.js to run the %s end-to-end test", name)
	}
	bin, err := Install(name)
	if err != nil {
		Missing(t, "%v", err)
	}
	return bin
}

// Install installs the named agent CLI from npm into CacheDir, once per
// version, and returns the path of its binary.
func Install(name string) (string, error) {
	a, ok := Agents[name]
	if !ok {
		return "", fmt.Errorf("unknown agent %q", name)
	}
	dir := filepath.Join(CacheDir(), "agents", a.Name+"-"+a.Version)
	bin := filepath.Join(dir, "node_modules", ".bin", a.Name)
	if _, err := os.Stat(bin); err == nil {
		return bin, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	unlock, err := lock(filepath.Join(dir, ".lock"))
	if err != nil {
		return "", err
	}
	defer unlock()
	if _, err := os.Stat(bin); err == nil {
		return bin, nil
	}
	fmt.Fprintf(os.Stderr, "installing %s@%s from npm into %s\n", a.Package, a.Version, dir)
	cmd := exec.Command("npm", "install", "--prefix", dir, "--no-audit", "--no-fund", "--loglevel=error", a.Package+"@"+a.Version)
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("cannot install %s@%s: %v\n%s", a.Package, a.Version, err, out)
	}
	if _, err := os.Stat(bin); err != nil {
		return "", fmt.Errorf("%s@%s installed no %s binary", a.Package, a.Version, a.Name)
	}
	return bin, nil
}

func lock(path string) (func(), error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, err
	}
	return func() { _ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN); f.Close() }, nil
}

var (
	buildOnce sync.Once
	buildDir  string
	buildErr  error
)

// moduleRoot is the repository root, found from this source file.
func moduleRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// Binary builds the agentwrap command once per test process (with -race
// when the tests run with it) and returns its path.
func Binary(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		buildDir, buildErr = os.MkdirTemp("", "agentwrap-bin-")
		if buildErr != nil {
			return
		}
		args := []string{"build", "-o", filepath.Join(buildDir, "agentwrap")}
		if raceEnabled {
			args = append(args, "-race")
		}
		args = append(args, "./cmd/agentwrap")
		cmd := exec.Command("go", args...)
		cmd.Dir = moduleRoot()
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return filepath.Join(buildDir, "agentwrap")
}

// Cleanup removes the built binary; call it from TestMain after m.Run.
func Cleanup() {
	if buildDir != "" {
		_ = os.RemoveAll(buildDir)
	}
}
