package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/agentwrap/agentwrap/internal/e2e"
	"github.com/agentwrap/agentwrap/internal/format"
	"github.com/agentwrap/agentwrap/internal/upstreamtest"
	"github.com/agentwrap/agentwrap/spans"
	"github.com/agentwrap/agentwrap/validate"
)

// documentedUpstream behaves as the built-in manifest documents: it
// requires the canary key, knows its models, rejects missing required
// fields and takes time to answer.
func documentedUpstream(t *testing.T, extra ...upstreamtest.Option) *upstreamtest.Server {
	return upstreamtest.Start(t, append([]upstreamtest.Option{upstreamtest.WithKey(canaryKey),
		upstreamtest.WithModelCatalog(), upstreamtest.WithRequiredFields(),
		upstreamtest.WithLatency(50 * time.Millisecond)}, extra...)...)
}

// credentialsSeen are the credential values the upstream received.
func credentialsSeen(up *upstreamtest.Server) []string {
	var out []string
	for _, r := range up.Requests() {
		for _, h := range []string{"Authorization", "X-Api-Key", "X-Goog-Api-Key"} {
			if v := r.Header.Get(h); v != "" {
				out = append(out, strings.TrimPrefix(v, "Bearer "))
			}
		}
	}
	return out
}

func keyEnvOf(t *testing.T) []string { return append(baseEnv(t), "COMETAPI_KEY="+canaryKey) }

// TestValidateBinary runs `agentwrap validate` against the test upstream:
// exit 0 when it behaves as documented (every family of the built-in
// manifest), 1 when a check fails, 4 on drift only; the plan line names
// the request count and host; one call span per request and the run span
// with the checklist totals; the run is listed by `agentwrap runs`; no
// credential, prompt or reply text in any output.
func TestValidateBinary(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts []upstreamtest.Option
		args []string
		code int
		want string
	}{
		{"pass", nil, nil, validate.ExitPass, "Verdict: **pass**"},
		{"fail", []upstreamtest.Option{upstreamtest.WithKey("sk-canary-other-key-0000")}, []string{"--family", "openai.chat_completions"},
			validate.ExitFail, "Verdict: **fail**"},
		{"drift", []upstreamtest.Option{upstreamtest.WithDrift(upstreamtest.DriftRetryHint)}, []string{"--endpoint", "cometapi.messages"},
			validate.ExitDrift, "retry_hint_on_non_retryable"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			up := documentedUpstream(t, tc.opts...)
			state := t.TempDir()
			args := append([]string{"validate", "--yes", "--upstream", up.URL()}, tc.args...)
			r := runBinary(t, invocation{args: args, env: keyEnvOf(t), dir: t.TempDir(), state: state, timeout: 3 * time.Minute})
			if r.code != tc.code || !strings.Contains(r.stdout, tc.want) {
				t.Fatalf("exit %d (want %d)\nstdout %s\nstderr %s", r.code, tc.code, r.stdout, r.stderr)
			}
			host := strings.TrimPrefix(up.URL(), "http://")
			var planned int
			if _, err := fmt.Sscanf(r.stderr[strings.Index(r.stderr, "agentwrap: validate: sending ")+len("agentwrap: validate: sending "):], "%d request(s) to", &planned); err != nil ||
				!strings.Contains(r.stderr, fmt.Sprintf("agentwrap: validate: sending %d request(s) to %s", planned, host)) {
				t.Fatalf("no plan line naming %s:\n%s", host, r.stderr)
			}
			calls := callSpans(r.spans)
			if len(calls) != planned {
				t.Errorf("%d call spans for %d planned requests", len(calls), planned)
			}
			// The upstream sees every request, except that the timeout
			// check's client may give up before its request reaches the
			// upstream's handler: that call is recorded as cancelled.
			cancelled := 0
			for _, c := range calls {
				if n, _ := c.Attrs[string(spans.Notes)].(string); strings.HasPrefix(n, "cancelled:") {
					cancelled++
				}
			}
			sent := len(up.Requests())
			for deadline := time.Now().Add(5 * time.Second); sent < planned && time.Now().Before(deadline); sent = len(up.Requests()) {
				time.Sleep(10 * time.Millisecond) // a handler may still be starting
			}
			if sent > planned || sent < planned-cancelled {
				t.Errorf("upstream saw %d requests; %d planned, %d of them cancelled by the client", sent, planned, cancelled)
			}
			run := runSpan(t, r.spans)
			if run.Name != "invoke_agent agentwrap-validate" || run.Attrs[string(spans.ChecksPass)] == nil ||
				run.Attrs[string(spans.ChecksFail)] == nil || run.Attrs[string(spans.ChecksDrift)] == nil {
				t.Errorf("run span %s: %v", run.Name, run.Attrs)
			}
			if tc.name == "pass" {
				for _, fam := range []string{"openai.chat_completions", "openai.responses", "anthropic.messages",
					"anthropic.count_tokens", "gemini.generate_content", "openai.embeddings", "models.list"} {
					if !bytes.Contains(r.runFile, []byte(fam)) {
						t.Errorf("no call of family %s recorded", fam)
					}
				}
				if strings.Contains(r.stdout, "| fail") || strings.Contains(r.stdout, "| drift") {
					t.Errorf("a check did not pass:\n%s", r.stdout)
				}
			}
			// The run's result is the checklist's verdict, not the roll-up of
			// calls that fail on purpose.
			verdict := map[int]string{validate.ExitPass: spans.ResultPass, validate.ExitFail: spans.ResultFail,
				validate.ExitDrift: spans.ResultNeedsFollowUp}[tc.code]
			runs := runBinary(t, invocation{args: []string{"runs"}, env: baseEnv(t), state: state, runID: "unused"})
			if !regexp.MustCompile(`agentwrap-validate .* ` + verdict + ` +` + fmt.Sprint(tc.code) + `\n`).MatchString(runs.stdout) {
				t.Errorf("agentwrap runs does not list the validation run as %s, exit %d:\n%s", verdict, tc.code, runs.stdout)
			}
			assertNoCanary(t, r, nil, append(credentialsSeen(up), canaryKey, validate.Prompt, upstreamtest.ReplyText, "-agentwrap-run-token")...)
		})
	}
}

// TestValidateMaxRequests: --max-requests N sends exactly N requests; the
// checks beyond are listed as not run and the command exits 1.
func TestValidateMaxRequests(t *testing.T) {
	up := documentedUpstream(t)
	r := runBinary(t, invocation{args: []string{"validate", "-y", "--max-requests", "3", "--upstream", up.URL()},
		env: keyEnvOf(t), timeout: time.Minute})
	if r.code != validate.ExitFail || len(up.Requests()) != 3 || !strings.Contains(r.stdout, "not_run") {
		t.Fatalf("exit %d, %d requests sent; stdout:\n%s\nstderr %s", r.code, len(up.Requests()), r.stdout, r.stderr)
	}
	if !strings.Contains(r.stderr, "3 of 63 planned request(s)") {
		t.Errorf("plan line: %s", r.stderr)
	}
}

// TestValidateConfirmation: without --yes and without a terminal it sends
// nothing and says so on one line (exit 2, no run file); on a terminal it
// asks, and sends only after "y".
func TestValidateConfirmation(t *testing.T) {
	up := documentedUpstream(t)
	state := t.TempDir()
	r := runBinary(t, invocation{args: []string{"validate", "--upstream", up.URL()}, env: keyEnvOf(t), state: state, timeout: time.Minute})
	if r.code != 2 || r.stdout != "" || strings.Count(r.stderr, "\n") != 1 || !strings.Contains(r.stderr, "--yes") ||
		!strings.Contains(r.stderr, "63 request(s)") {
		t.Fatalf("exit %d, stdout %q, stderr %q: want 2 and one line naming --yes", r.code, r.stdout, r.stderr)
	}
	if len(up.Requests()) != 0 || r.runFile != nil {
		t.Fatalf("sent %d requests, run file %d bytes, without confirmation", len(up.Requests()), len(r.runFile))
	}

	script, err := exec.LookPath("script")
	if err != nil {
		e2e.Missing(t, "no script(1) to give the command a terminal (util-linux)")
	}
	for _, answer := range []string{"n", "y"} {
		t.Run(answer, func(t *testing.T) {
			before := len(up.Requests())
			out, code := onTerminal(t, script, answer+"\n", keyEnvOf(t),
				"--state-dir", t.TempDir(), "validate", "--endpoint", "cometapi.models", "--upstream", up.URL())
			if !strings.Contains(out, "Send them? [y/N]") {
				t.Fatalf("no question on the terminal:\n%s", out)
			}
			sent := len(up.Requests()) - before
			switch {
			case answer == "n" && (code != 2 || sent != 0):
				t.Errorf("answer n: exit %d, %d requests sent\n%s", code, sent, out)
			case answer == "y" && (code != 0 || sent != 4 || !strings.Contains(out, "Verdict: **pass**")):
				t.Errorf("answer y: exit %d, %d requests sent\n%s", code, sent, out)
			}
			if strings.Contains(out, canaryKey) {
				t.Error("the terminal shows the key")
			}
		})
	}
}

// onTerminal runs the binary with args on a pseudo-terminal (script(1)),
// typing input, and returns what the terminal showed and the exit status.
func onTerminal(t *testing.T, script, input string, env []string, args ...string) (string, int) {
	t.Helper()
	quoted := []string{shellQuote(e2e.Binary(t))}
	for _, a := range args {
		quoted = append(quoted, shellQuote(a))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, script, "-qec", strings.Join(quoted, " "), "/dev/null")
	cmd.Env = append(env, "SHELL=/bin/sh")
	cmd.Stdin = strings.NewReader(input)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("script: %v", err)
	}
	return out.String(), code
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// TestValidateFormats writes the checklist in every format with --output:
// YAML and JSON decode to the same checklist, the HTML page renders in
// headless Chromium with every row and a visible verdict, and no format
// holds the key.
func TestValidateFormats(t *testing.T) {
	up := documentedUpstream(t, upstreamtest.WithDrift(upstreamtest.DriftExtraField))
	dir := t.TempDir()
	var lists []validate.Checklist
	for _, f := range format.Names() {
		out := filepath.Join(dir, "checklist."+f)
		r := runBinary(t, invocation{args: []string{"validate", "--yes", "--family", "openai.chat_completions",
			"--format", f, "--output", out, "--upstream", up.URL()}, env: keyEnvOf(t), timeout: time.Minute})
		if r.code != validate.ExitDrift || r.stdout != "" {
			t.Fatalf("%s: exit %d, stdout %q, stderr %s", f, r.code, r.stdout, r.stderr)
		}
		b, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		assertNoCanary(t, r, [][]byte{b}, append(credentialsSeen(up), canaryKey, validate.Prompt)...)
		var cl validate.Checklist
		switch f {
		case format.JSON:
			err = json.Unmarshal(b, &cl)
		case format.YAML:
			err = yaml.Unmarshal(b, &cl)
		case format.Markdown:
			if !strings.Contains(string(b), "| cometapi.chat_completions | valid minimal request |") {
				t.Errorf("markdown:\n%s", b)
			}
			continue
		case format.HTML:
			checkHTML(t, out)
			continue
		}
		if err != nil || len(cl.Rows) != len(validate.Checks())+1 || cl.Verdict != validate.Drift || len(cl.Drift) == 0 ||
			cl.Drift[0].Kind != validate.DriftObservedOnly {
			t.Errorf("%s: %v, %+v", f, err, cl)
		}
		lists = append(lists, cl)
	}
	if len(lists) == 2 && (lists[0].Totals != lists[1].Totals || len(lists[0].Gate) != len(lists[1].Gate)) {
		t.Errorf("yaml and json differ: %+v %+v", lists[0].Totals, lists[1].Totals)
	}
}

// checkHTML loads the page in headless Chromium: the rendered DOM holds
// every check row and the drift section, and a screenshot shows the drift
// colour (the verdict and the row results).
func checkHTML(t *testing.T, page string) {
	t.Helper()
	const chromium = "/usr/bin/chromium"
	if _, err := os.Stat(chromium); err != nil {
		e2e.Missing(t, "no %s (apt-get install -y chromium)", chromium)
		return
	}
	run := func(args ...string) []byte {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		all := append([]string{"--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
			"--disable-extensions", "--user-data-dir=" + t.TempDir()}, args...)
		cmd := exec.CommandContext(ctx, chromium, append(all, "file://"+page)...)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil {
			t.Fatalf("chromium: %v\n%s", err, stderr.String())
		}
		return stdout.Bytes()
	}
	dom := string(run("--dump-dom"))
	if n := strings.Count(dom, "<tr><td><code>cometapi.chat_completions</code></td>"); n != len(validate.Checks()) {
		t.Errorf("rendered DOM holds %d check rows of the endpoint, want %d", n, len(validate.Checks()))
	}
	for _, want := range []string{"verdict: <b>drift</b>", upstreamtest.DriftFieldName, "operator_to_confirm"} {
		if !strings.Contains(dom, want) {
			t.Errorf("rendered DOM lacks %q", want)
		}
	}
	shot := filepath.Join(os.Getenv("AGENTWRAP_SCREENSHOT_DIR"), "validate.png")
	if os.Getenv("AGENTWRAP_SCREENSHOT_DIR") == "" {
		shot = filepath.Join(t.TempDir(), "validate.png")
	}
	run("--hide-scrollbars", "--window-size=1280,1600", "--screenshot="+shot)
	f, err := os.Open(shot)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	drift := 0 // #9a6700, the drift colour
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			if r>>8 == 0x9a && g>>8 == 0x67 && bl>>8 == 0x00 {
				drift++
			}
		}
	}
	if drift < 50 {
		t.Errorf("the screenshot shows %d pixels of the drift colour: verdict and results not drawn", drift)
	}
}
