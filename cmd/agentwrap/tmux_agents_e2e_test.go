//go:build unix

package main

import (
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/agentwrap/agentwrap/internal/e2e"
	"github.com/agentwrap/agentwrap/internal/otlptest"
	"github.com/agentwrap/agentwrap/internal/upstreamtest"
	"github.com/agentwrap/agentwrap/spans"
	"github.com/agentwrap/agentwrap/spans/runfile"
)

// tuiRun is an agent's TUI started through the built agentwrap in a tmux
// pane of its own.
type tuiRun struct {
	tmuxSession
	state, runID, exitFile string
	up                     *upstreamtest.Server
}

// startTUI runs `agentwrap -- argv...` in a fresh tmux session with a
// minimal environment (PATH, TERM, the real key and env).
func startTUI(t *testing.T, argv []string, env ...string) *tuiRun {
	t.Helper()
	// A run id of its own: at exit agentwrap ends the processes that carry
	// its run's id.
	if _, err := exec.LookPath("tmux"); err != nil {
		e2e.Missing(t, "tmux not found")
	}
	bin := e2e.Binary(t)
	r := &tuiRun{up: upstreamtest.Start(t, upstreamtest.WithKey(canaryKey)), state: t.TempDir(), runID: "tui-" + filepath.Base(argv[0]) + "-" + strconv.FormatUint(rand.Uint64()&0xffffffff, 16)}
	dir := t.TempDir()
	r.exitFile = filepath.Join(t.TempDir(), "exit")
	env = append([]string{"TERM=xterm-256color", "COMETAPI_KEY=" + canaryKey}, env...)
	script := fmt.Sprintf("cd %q && env -i PATH=%q %s %q --state-dir %q --run-id %s --upstream %q -- %s; echo $? > %q; sleep 60",
		dir, os.Getenv("PATH"), strings.Join(quoteAll(env), " "), bin, r.state, r.runID, r.up.URL(), strings.Join(quoteAll(argv), " "), r.exitFile)
	r.tmuxSession = tmuxSession{t: t, socket: filepath.Join(t.TempDir(), "tmux.sock")}
	r.run("-f", "/dev/null", "new-session", "-d", "-s", "aw", "-x", "140", "-y", "45", "sh", "-c", script)
	t.Cleanup(func() { _ = exec.Command("tmux", "-S", r.socket, "kill-server").Run() })
	return r
}

// waitForRE polls the screen until it matches re.
func (s tmuxSession) waitForRE(re *regexp.Regexp, timeout time.Duration) string {
	s.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		scr := s.screen()
		if re.MatchString(scr) {
			return scr
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("screen never matched %s; last screen:\n%s", re, scr)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// typeLine types text and, a second later (Codex takes a quick Enter after
// typed text for a pasted newline), Enter.
func (s tmuxSession) typeLine(text string) {
	s.run("send-keys", "-t", "aw", "-l", text)
	time.Sleep(time.Second)
	s.run("send-keys", "-t", "aw", "Enter")
}

// finish waits for agentwrap's exit status and checks it is 0 and that the
// run file holds passing calls of family, one per upstream request, and no
// process of the run is left.
func (r *tuiRun) finish(family string) {
	t := r.t
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	var code string
	for time.Now().Before(deadline) {
		if b, err := os.ReadFile(r.exitFile); err == nil && len(b) > 0 {
			code = strings.TrimSpace(string(b))
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if code != "0" {
		t.Fatalf("agentwrap exit status %q; screen:\n%s", code, r.screen())
	}
	traces, lineErrs, err := runfile.ReadFile(filepath.Join(r.state, "runs", r.runID+".jsonl"))
	if err != nil || len(lineErrs) > 0 {
		t.Fatal(err, lineErrs)
	}
	all := otlptest.Flatten(traces)
	calls := callSpans(all)
	passing := 0
	for _, sp := range calls {
		if sp.Str(string(spans.RequestFamily)) == family && sp.Str(string(spans.ResultClass)) == "pass" {
			passing++
		}
	}
	if passing == 0 || len(calls) != len(r.up.Requests()) {
		t.Errorf("%d passing %s calls, %d call spans for %d upstream requests", passing, family, len(calls), len(r.up.Requests()))
	}
	if rs := runSpan(t, all); rs.Str(string(spans.ResultClass)) != "pass" {
		t.Errorf("run %s: %s", rs.Str(string(spans.ResultClass)), rs.Str(string(spans.Notes)))
	}
	if left := runProcesses(r.runID); len(left) > 0 {
		t.Errorf("processes of the run still running: %q", left)
	}
}

// TestOpenCodeInteractiveUnderTmux drives OpenCode's TUI through agentwrap
// with its default model (Anthropic's, through the AI SDK): a typed prompt
// gets the upstream's reply on screen, ctrl+c ends it with 0, and every
// call passes.
func TestOpenCodeInteractiveUnderTmux(t *testing.T) {
	opencode := e2e.InstallAgent(t, "opencode")
	r := startTUI(t, []string{opencode}, "HOME="+t.TempDir(), "OPENCODE_DISABLE_MODELS_FETCH=1", "OPENCODE_DISABLE_AUTOUPDATE=1")
	r.waitFor("Ask anything", 90*time.Second)
	r.typeLine("Reply with the test word.")
	// The turn is over when its footer shows the time it took.
	scr := r.waitForRE(regexp.MustCompile(`Claude [^\n]*· [0-9.]+m?s`), 90*time.Second)
	if !strings.Contains(scr, upstreamtest.ReplyText) || strings.Contains(scr, canaryKey) {
		t.Errorf("screen:\n%s", scr)
	}
	r.run("send-keys", "-t", "aw", "C-c")
	r.finish("anthropic.messages")
}

// codexBackgroundWarning is what Codex shows among its startup warnings
// when it was given -c overrides.
const codexBackgroundWarning = "Running without the shared background server"

// TestCodexInteractiveUnderTmux drives the Codex TUI through agentwrap: its
// startup warnings (f2) do not include the degraded mode that -c overrides
// cause, a typed prompt gets the reply through the gateway, and the run's
// background server ends with the run.
func TestCodexInteractiveUnderTmux(t *testing.T) {
	codex := e2e.InstallAgent(t, "codex")
	home := t.TempDir()
	codexHome := filepath.Join(home, ".codex")
	if err := os.MkdirAll(codexHome, 0o700); err != nil {
		t.Fatal(err)
	}
	r := startTUI(t, []string{codex}, "HOME="+home)
	r.waitFor("Ask Codex to do anything", 90*time.Second)
	warnings := codexWarnings(r)
	for _, w := range warnings {
		if strings.Contains(w, codexBackgroundWarning) {
			t.Fatalf("Codex runs degraded under agentwrap:\n%s", w)
		}
	}
	r.typeLine("Reply with the test word.")
	scr := r.waitForRE(regexp.MustCompile(`(?m)^\W*`+upstreamtest.ReplyText+`\s*$`), 90*time.Second)
	if strings.Contains(scr, canaryKey) {
		t.Error("the real key is on the agent's screen")
	}
	r.typeLine("/quit")
	r.finish("openai.responses")
	if _, err := os.Stat(filepath.Join(codexHome, "config.toml")); err == nil {
		t.Error("agentwrap wrote the user's config.toml")
	}

	// Control: a -c override of the user's own puts Codex in the degraded
	// mode, and the same look at its warnings finds it there.
	c := startTUI(t, []string{codex, "-c", `model_verbosity="low"`}, "HOME="+home)
	c.waitFor("Ask Codex to do anything", 90*time.Second)
	if !slices.ContainsFunc(codexWarnings(c), func(w string) bool { return strings.Contains(w, codexBackgroundWarning) }) {
		t.Errorf("with -c, Codex showed no %q: the check above proves nothing", codexBackgroundWarning)
	}
	c.typeLine("/quit")
}

// codexWarnings waits for Codex's startup warnings, which arrive after its
// prompt (on this machine at least one: no bubblewrap on PATH; a Codex with
// none shows no marker), opens them (f2) and returns a screen of each.
func codexWarnings(r *tuiRun) []string {
	var warnings []string
	marker := regexp.MustCompile(`⚠ (\d+) warnings?`)
	for end := time.Now().Add(15 * time.Second); time.Now().Before(end) && !marker.MatchString(r.screen()); {
		time.Sleep(200 * time.Millisecond)
	}
	if !marker.MatchString(r.screen()) {
		return nil
	}
	r.run("send-keys", "-t", "aw", "F2")
	for i := 0; i < 6; i++ {
		time.Sleep(700 * time.Millisecond)
		warnings = append(warnings, r.screen())
		r.run("send-keys", "-t", "aw", "Right")
	}
	r.run("send-keys", "-t", "aw", "Escape")
	time.Sleep(500 * time.Millisecond)
	r.t.Logf("%d warning screens checked", len(warnings))
	return warnings
}
