//go:build unix

package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/agentwrap/agentwrap/internal/e2e"
	"github.com/agentwrap/agentwrap/internal/upstreamtest"
	"github.com/agentwrap/agentwrap/spans"
	"github.com/agentwrap/agentwrap/spans/runfile"

	"github.com/agentwrap/agentwrap/internal/otlptest"
)

// tmuxSession is a detached tmux server and session of its own.
type tmuxSession struct {
	t      *testing.T
	socket string
}

func (s tmuxSession) run(args ...string) string {
	s.t.Helper()
	out, err := exec.Command("tmux", append([]string{"-S", s.socket}, args...)...).CombinedOutput()
	if err != nil {
		s.t.Fatalf("tmux %v: %v\n%s", args, err, out)
	}
	return string(out)
}

func (s tmuxSession) screen() string {
	out, _ := exec.Command("tmux", "-S", s.socket, "capture-pane", "-p", "-J", "-t", "aw").CombinedOutput()
	return string(out)
}

// waitFor polls the screen until it contains want.
func (s tmuxSession) waitFor(want string, timeout time.Duration) string {
	s.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		scr := s.screen()
		if strings.Contains(scr, want) {
			return scr
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("screen never showed %q; last screen:\n%s", want, scr)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// claudeHome pre-answers Claude Code's first-run questions the way a user
// who already uses it has: onboarding done, this folder trusted, and the
// key ending in the run token's fixed suffix approved.
func claudeHome(t *testing.T, home, dir string) {
	t.Helper()
	cfg := map[string]any{
		"hasCompletedOnboarding": true,
		"theme":                  "dark",
		"customApiKeyResponses":  map[string]any{"approved": []string{"-agentwrap-run-token"}, "rejected": []string{}},
		"projects": map[string]any{dir: map[string]any{
			"hasTrustDialogAccepted": true, "hasCompletedProjectOnboarding": true, "allowedTools": []string{},
		}},
	}
	b, _ := json.Marshal(cfg)
	if err := os.WriteFile(filepath.Join(home, ".claude.json"), b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestClaudeInteractiveUnderTmux drives the real Claude Code TUI through
// agentwrap in a tmux pane, in a user's default environment (only the
// internet-bound traffic of claudeOffline is off): the terminal passes
// through untouched, a typed prompt gets the upstream's reply on screen,
// /exit ends the agent with 0, the run rolls up to pass with one call span
// per upstream request, and Claude Code's probe is counted, not recorded.
func TestClaudeInteractiveUnderTmux(t *testing.T) {
	if _, err := exec.LookPath("tmux"); err != nil {
		e2e.Missing(t, "tmux not found")
	}
	claude := e2e.InstallAgent(t, "claude")
	bin := e2e.Binary(t)
	up := upstreamtest.Start(t, upstreamtest.WithKey(canaryKey))
	recv := otlptest.NewReceiver(t)
	home, dir, state := t.TempDir(), t.TempDir(), t.TempDir()
	if real, err := filepath.EvalSymlinks(dir); err == nil {
		dir = real
	}
	claudeHome(t, home, dir)
	exitFile := filepath.Join(t.TempDir(), "exit")
	env := append([]string{"HOME=" + home, "TERM=xterm-256color", "LANG=C.UTF-8", "SHELL=/bin/sh", "COMETAPI_KEY=" + canaryKey, "OTEL_EXPORTER_OTLP_ENDPOINT=" + recv.URL()}, claudeOffline...)
	script := fmt.Sprintf("cd %q && env -i PATH=%q %s %q --state-dir %q --run-id tmux-run --upstream %q -- %q; echo $? > %q; sleep 60",
		dir, os.Getenv("PATH"), strings.Join(quoteAll(env), " "), bin, state, up.URL(), claude, exitFile)

	s := tmuxSession{t: t, socket: filepath.Join(t.TempDir(), "tmux.sock")}
	s.run("-f", "/dev/null", "new-session", "-d", "-s", "aw", "-x", "140", "-y", "45", "sh", "-c", script)
	t.Cleanup(func() { _ = exec.Command("tmux", "-S", s.socket, "kill-server").Run() })

	s.waitFor("❯", 90*time.Second)
	s.run("send-keys", "-t", "aw", "-l", "Reply with the test word.")
	time.Sleep(300 * time.Millisecond)
	s.run("send-keys", "-t", "aw", "Enter")
	scr := s.waitFor(upstreamtest.ReplyText, 90*time.Second)
	if strings.Contains(scr, canaryKey) {
		t.Error("the real key is on the agent's screen")
	}
	s.run("send-keys", "-t", "aw", "-l", "/exit")
	time.Sleep(300 * time.Millisecond)
	s.run("send-keys", "-t", "aw", "Enter")

	deadline := time.Now().Add(60 * time.Second)
	var code string
	for time.Now().Before(deadline) {
		if b, err := os.ReadFile(exitFile); err == nil && len(b) > 0 {
			code = strings.TrimSpace(string(b))
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if code != "0" {
		t.Fatalf("agentwrap exit status %q; screen:\n%s", code, s.screen())
	}
	traces, lineErrs, err := runfile.ReadFile(filepath.Join(state, "runs", "tmux-run.jsonl"))
	if err != nil || len(lineErrs) > 0 {
		t.Fatal(err, lineErrs)
	}
	all := otlptest.Flatten(traces)
	messages := 0
	calls := callSpans(all)
	for _, sp := range calls {
		if sp.Str(string(spans.ResultClass)) != spans.ResultPass {
			t.Errorf("call %s %s: %s (%s)", sp.Str(string(spans.HTTPRequestMethod)), sp.Str(string(spans.URLPath)), sp.Str(string(spans.ResultClass)), sp.Str(string(spans.Notes)))
		}
		if sp.Str(string(spans.RequestFamily)) == "anthropic.messages" {
			messages++
		}
	}
	if messages == 0 {
		t.Errorf("no anthropic.messages call in the run file (%d spans)", len(all))
	}
	if n := len(up.Requests()); n != len(calls) {
		t.Errorf("%d call spans for %d upstream requests", len(calls), n)
	}
	rs := runSpan(t, all)
	checkRunSpan(t, rs, "claude", len(calls))
	if rs.Int(string(spans.ProbeRequests)) == 0 {
		t.Error("Claude Code sent no connectivity probe: is its environment still a user's?")
	}
}

func quoteAll(kv []string) []string {
	out := make([]string, len(kv))
	for i, s := range kv {
		out[i] = fmt.Sprintf("%q", s)
	}
	return out
}
