package main

import (
	"bytes"
	"context"
	"errors"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/agentwrap/agentwrap/internal/e2e"
	"github.com/agentwrap/agentwrap/internal/otlptest"
	"github.com/agentwrap/agentwrap/spans/runfile"
)

// result is what one run of the built binary left behind.
type result struct {
	code           int
	stdout, stderr string
	runFile        []byte
	spans          []otlptest.Span
}

// invocation is one run of the built agentwrap binary.
type invocation struct {
	args    []string
	env     []string
	dir     string
	stdin   string
	state   string
	runID   string
	timeout time.Duration
}

// baseEnv is a minimal, hermetic environment: PATH and a temporary HOME.
func baseEnv(t *testing.T) []string {
	home := t.TempDir()
	return []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + home,
		"XDG_CONFIG_HOME=" + filepath.Join(home, ".config"),
		"XDG_STATE_HOME=" + filepath.Join(home, ".local", "state"),
		"XDG_CACHE_HOME=" + filepath.Join(home, ".cache"),
		"LANG=C.UTF-8",
		"TERM=dumb",
		"NO_COLOR=1",
	}
}

// userEnv is a user's default environment, as a login shell has it: PATH,
// a fresh HOME, a locale, a colour terminal and a shell. Nothing else: no
// XDG overrides, no CI variable, no variable that quiets an agent.
func userEnv(t *testing.T) []string {
	return []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + t.TempDir(),
		"LANG=C.UTF-8",
		"TERM=xterm-256color",
		"SHELL=/bin/sh",
	}
}

// runBinary executes the binary with inv and reads the run file it wrote.
func runBinary(t *testing.T, inv invocation) result {
	t.Helper()
	bin := e2e.Binary(t)
	if inv.state == "" {
		inv.state = t.TempDir()
	}
	if inv.runID == "" {
		// Unique on the machine: at exit agentwrap ends the processes that
		// carry its run id, and the same test may run in another checkout.
		inv.runID = "e2e-" + strings.ReplaceAll(strings.ToLower(t.Name()), "/", "-") + "-" + strconv.FormatUint(rand.Uint64()&0xffffffff, 16)
	}
	if inv.timeout == 0 {
		inv.timeout = 3 * time.Minute
	}
	ctx, cancel := context.WithTimeout(context.Background(), inv.timeout)
	defer cancel()
	args := append([]string{"--state-dir", inv.state, "--run-id", inv.runID}, inv.args...)
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = inv.env
	cmd.Dir = inv.dir
	cmd.Stdin = strings.NewReader(inv.stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	r := result{stdout: stdout.String(), stderr: stderr.String()}
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		r.code = ee.ExitCode()
	case err != nil:
		t.Fatalf("agentwrap did not run: %v\nstderr: %s", err, r.stderr)
	}
	if ctx.Err() != nil {
		t.Fatalf("agentwrap did not finish in %s\nstderr: %s", inv.timeout, r.stderr)
	}
	path := filepath.Join(inv.state, "runs", inv.runID+".jsonl")
	if b, err := os.ReadFile(path); err == nil {
		r.runFile = b
		traces, lineErrs, err := runfile.ReadFile(path)
		if err != nil || len(lineErrs) > 0 {
			t.Fatalf("run file unreadable: %v %v", err, lineErrs)
		}
		r.spans = otlptest.Flatten(traces)
	}
	return r
}

// assertNoCanary fails when any canary appears in any output of the run.
func assertNoCanary(t *testing.T, r result, extra [][]byte, canaries ...string) {
	t.Helper()
	outputs := map[string][]byte{"stdout": []byte(r.stdout), "stderr": []byte(r.stderr), "run file": r.runFile}
	for i, b := range extra {
		outputs["extra output "+string(rune('0'+i))] = b
	}
	for name, b := range outputs {
		for _, c := range canaries {
			if bytes.Contains(b, []byte(c)) {
				t.Errorf("canary %q found in %s", c, name)
			}
		}
	}
}

// callSpans and runSpan split the spans of a run.
func callSpans(all []otlptest.Span) []otlptest.Span {
	var out []otlptest.Span
	for _, s := range all {
		if !strings.HasPrefix(s.Name, "invoke_agent ") {
			out = append(out, s)
		}
	}
	return out
}

func runSpan(t *testing.T, all []otlptest.Span) otlptest.Span {
	t.Helper()
	var found []otlptest.Span
	for _, s := range all {
		if strings.HasPrefix(s.Name, "invoke_agent ") {
			found = append(found, s)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%d run spans, want 1", len(found))
	}
	return found[0]
}

func spanIDs(all []otlptest.Span) map[string]bool {
	ids := map[string]bool{}
	for _, s := range all {
		ids[s.SpanID] = true
	}
	return ids
}

// agentwrapLines keeps agentwrap's own lines of a combined stderr.
func agentwrapLines(stderr string) string {
	var b strings.Builder
	for _, l := range strings.Split(stderr, "\n") {
		if strings.HasPrefix(l, "agentwrap:") {
			b.WriteString(l + "\n")
		}
	}
	return b.String()
}
