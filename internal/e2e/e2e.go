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

// Agents are the pinned agent CLIs the end-to-end tests run, and the peer
// proxy the benchmark harness runs.
var Agents = map[string]Agent{
	"claude":   {"claude", "@anthropic-ai/claude-code", "2.1.330"},
	"cline":    {"cline", "cline", "3.0.65"},
	"codex":    {"codex", "@openai/codex", "0.171.0"},
	"gemini":   {"gemini", "@google/gemini-cli", "0.61.0"},
	"opencode": {"opencode", "opencode-ai", "1.18.33"},
	"qwen":     {"qwen", "@qwen-code/qwen-code", "0.24.4"},
	// claude-code-router is no agent but a local model proxy many Claude
	// Code users run: the benchmark harness measures it beside the gateway
	// (2.0.0 is the newest version that installs here).
	"ccr": {"ccr", "@musistudio/claude-code-router", "2.0.0"},
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

// builds holds the programs built by this test process, by package.
var builds struct {
	sync.Mutex
	dir  string
	done map[string]*build
}

type build struct {
	once sync.Once
	path string
	err  error
}

// moduleRoot is the repository root, found from this source file.
func moduleRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// Binary builds the agentwrap command once per test process (with -race
// when the tests run with it) and returns its path.
func Binary(t testing.TB) string {
	t.Helper()
	return program(t, "./cmd/agentwrap", raceEnabled)
}

// Program builds the main package pkg (a path relative to the module root,
// like ./wrap/internal/testchild) once per test process and returns the
// path of the program. Helper programs are built without -race.
func Program(t testing.TB, pkg string) string {
	t.Helper()
	return program(t, pkg, false)
}

func program(t testing.TB, pkg string, race bool) string {
	t.Helper()
	builds.Lock()
	if builds.done == nil {
		builds.done = map[string]*build{}
	}
	b := builds.done[pkg]
	if b == nil {
		b = &build{}
		builds.done[pkg] = b
	}
	builds.Unlock()
	b.once.Do(func() { b.path, b.err = goBuild(pkg, race) })
	if b.err != nil {
		t.Fatal(b.err)
	}
	return b.path
}

// goBuild builds pkg into the process's build directory.
func goBuild(pkg string, race bool) (string, error) {
	builds.Lock()
	if builds.dir == "" {
		dir, err := os.MkdirTemp("", "agentwrap-bin-")
		if err != nil {
			builds.Unlock()
			return "", err
		}
		builds.dir = dir
	}
	out := filepath.Join(builds.dir, filepath.Base(pkg))
	builds.Unlock()
	args := []string{"build", "-o", out}
	if race {
		args = append(args, "-race")
	}
	cmd := exec.Command("go", append(args, pkg)...)
	cmd.Dir = moduleRoot()
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build %s: %v\n%s", pkg, err, b)
	}
	return out, nil
}

// Cleanup removes the built programs; call it from TestMain after m.Run.
func Cleanup() {
	builds.Lock()
	defer builds.Unlock()
	if builds.dir != "" {
		_ = os.RemoveAll(builds.dir)
	}
}
