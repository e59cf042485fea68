package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"

	"github.com/agentwrap/agentwrap/internal/e2e"
	"github.com/agentwrap/agentwrap/internal/otlptest"
	"github.com/agentwrap/agentwrap/internal/upstreamtest"
	"github.com/agentwrap/agentwrap/spans"
)

// agentCase is one real agent CLI run in print mode through agentwrap, the
// way its documentation tells a user to run it headless.
type agentCase struct {
	agent string
	// name names the subtest and profile the profile; both default to
	// agent. flags go to agentwrap before "--".
	name, profile string
	flags         []string
	args          []string
	// env is what the case adds to the user's default environment: only
	// what an offline test box needs, or what the agent's documentation
	// asks a user to set.
	env    []string
	family string
	// keyHeader is the header the real key must reach the upstream in.
	keyHeader string
	// files are files the agent reads its settings from (shell words,
	// variables of its environment expanded): the env shim appends them to
	// its dump, so that the run token and the absence of the real key are
	// checked there too.
	files string
	// probes is whether the agent sends connectivity probes (answered by
	// the gateway itself, never call spans).
	probes bool
}

func agentCases() []agentCase {
	const prompt = "Return the word pong. " + canaryPrompt
	return []agentCase{
		{agent: "claude", args: []string{"-p", prompt}, env: claudeOffline,
			family: "anthropic.messages", keyHeader: "X-Api-Key", probes: true},
		// Outside a git repository Codex asks for --skip-git-repo-check.
		{agent: "codex", args: []string{"exec", "--skip-git-repo-check", prompt},
			family: "openai.responses", keyHeader: "Authorization"},
		// Gemini CLI runs headless only in a trusted folder; --skip-trust is
		// its documented flag for that.
		{agent: "gemini", args: []string{"--skip-trust", "-p", prompt},
			family: "gemini.generate_content", keyHeader: "X-Goog-Api-Key"},
		// Qwen Code picks OpenAI-compatible auth when OPENAI_MODEL is set
		// (README, agent notes).
		{agent: "qwen", args: []string{"-p", prompt},
			env:    []string{"OPENAI_MODEL=qwen3-coder-plus"},
			family: "openai.chat_completions", keyHeader: "Authorization"},
		// OpenCode's default: its Anthropic provider (the AI SDK's) with
		// claude-sonnet; the box is offline, so no models.dev refresh.
		{agent: "opencode", args: []string{"run", prompt},
			env:    []string{"OPENCODE_DISABLE_MODELS_FETCH=1", "OPENCODE_DISABLE_AUTOUPDATE=1"},
			family: "anthropic.messages", keyHeader: "X-Api-Key"},
		// A Google model: the AI SDK reads GOOGLE_GENERATIVE_AI_API_KEY and
		// takes the base URL only from OpenCode's configuration.
		{agent: "opencode", name: "opencode-google", args: []string{"run", "-m", "google/gemini-2.5-flash", prompt},
			env:    []string{"OPENCODE_DISABLE_MODELS_FETCH=1", "OPENCODE_DISABLE_AUTOUPDATE=1"},
			family: "gemini.generate_content", keyHeader: "X-Goog-Api-Key"},
		// The first symptom: OpenCode with the generic profile's
		// ANTHROPIC_BASE_URL (no /v1) posts to /messages, an alias of
		// /v1/messages, and the contract is enforced on it.
		{agent: "opencode", name: "opencode-generic-enforced", profile: "generic",
			flags: []string{"--profile", "generic", "--enforce-contract"}, args: []string{"run", prompt},
			env:    []string{"OPENCODE_DISABLE_MODELS_FETCH=1", "OPENCODE_DISABLE_AUTOUPDATE=1"},
			family: "anthropic.messages", keyHeader: "X-Api-Key"},
		// Cline with no settings of its own: the profile selects its
		// Anthropic provider and Cline's default model for it. Cline starts
		// a hub daemon in a session of its own, which must end with the run.
		{agent: "cline", args: []string{prompt},
			files:  `"$CLINE_DATA_DIR/settings/providers.json"`,
			family: "anthropic.messages", keyHeader: "X-Api-Key"},
	}
}

// envShim writes an executable named like the agent that saves its
// environment to dump and then runs the real agent, so the test can prove
// what the child's environment held.
func envShim(t *testing.T, name, real, dump, files string) string {
	t.Helper()
	dir := t.TempDir()
	shim := filepath.Join(dir, name)
	script := "#!/bin/sh\nenv > '" + dump + "'\n"
	if files != "" {
		script += "cat " + files + " >> '" + dump + "'\n"
	}
	script += "exec '" + real + "' \"$@\"\n"
	if err := os.WriteFile(shim, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return shim
}

// TestAgentsEndToEnd runs each real agent CLI, unmodified, in print mode
// and in a user's default environment, through the built agentwrap against
// the test upstream: each completes with exit 0 and the run rolls up to
// pass; the spans in the run file and at the OTLP receiver are the same
// and match the upstream's model requests one for one, with the family,
// models and token counts; connectivity probes are counted, not recorded;
// the real key reached the upstream but never the child's environment; no
// canary appears in any output.
func TestAgentsEndToEnd(t *testing.T) {
	for _, tc := range agentCases() {
		if tc.name == "" {
			tc.name = tc.agent
		}
		if tc.profile == "" {
			tc.profile = tc.agent
		}
		t.Run(tc.name, func(t *testing.T) {
			real := e2e.InstallAgent(t, tc.agent)
			up := upstreamtest.Start(t, upstreamtest.WithKey(canaryKey))
			recv := otlptest.NewReceiver(t)
			tmp := t.TempDir()
			dump := filepath.Join(tmp, "child.env")
			shim := envShim(t, tc.agent, real, dump, tc.files)
			env := append(userEnv(t), "COMETAPI_KEY="+canaryKey, "OTEL_EXPORTER_OTLP_ENDPOINT="+recv.URL())
			env = append(env, tc.env...)
			args := append(append([]string{"--upstream", up.URL()}, tc.flags...), "--", shim)
			r := runBinary(t, invocation{args: append(args, tc.args...), env: env, dir: t.TempDir()})
			if r.code != 0 {
				t.Fatalf("exit %d\nstdout: %s\nstderr: %s", r.code, r.stdout, r.stderr)
			}
			if !strings.Contains(r.stdout, upstreamtest.ReplyText) {
				t.Errorf("%s printed %q, want the reply %q", tc.agent, r.stdout, upstreamtest.ReplyText)
			}
			checkAgentRun(t, tc, r, up)
			checkChildEnv(t, dump)
			if left := runProcesses(runSpan(t, r.spans).Str(string(spans.RunID))); len(left) > 0 {
				t.Errorf("processes of the run still running after agentwrap exited: %q", left)
			}
			// An agent with OpenTelemetry of its own (OpenCode) exports its
			// spans to the same endpoint; agentwrap's are told apart by
			// their service.
			service, _ := runSpan(t, r.spans).Resource["service.name"].(string)
			_, _ = recv.WaitSpans(len(r.spans), 10*time.Second)
			got := ofService(recv.Spans(), service)
			if len(got) != len(r.spans) {
				t.Errorf("OTLP receiver got %d spans of %s, run file %d", len(got), service, len(r.spans))
			}
			want := spanIDs(r.spans)
			for id := range spanIDs(got) {
				if !want[id] {
					t.Errorf("span %s exported over OTLP is not in the run file", id)
				}
			}
			// The agent may echo its own prompt on its terminal (Codex
			// does) and in its own telemetry; agentwrap's own lines and
			// records must not.
			assertNoCanary(t, r, recv.Raw(), canaryKey)
			assertNoCanary(t, result{stderr: agentwrapLines(r.stderr), runFile: r.runFile}, rawOfService(t, recv.Raw(), service), canaryPrompt)
		})
	}
}

func checkAgentRun(t *testing.T, tc agentCase, r result, up *upstreamtest.Server) {
	t.Helper()
	reqs := up.Requests()
	calls := callSpans(r.spans)
	if len(reqs) == 0 || len(calls) != len(reqs) {
		t.Fatalf("%d call spans for %d upstream requests", len(calls), len(reqs))
	}
	for _, q := range reqs {
		if !strings.Contains(q.Header.Get(tc.keyHeader), canaryKey) {
			t.Errorf("%s %s reached the upstream without the real key in %s", q.Method, q.Path, tc.keyHeader)
		}
	}
	seen := map[string]int{}
	for _, s := range calls {
		fam := s.Str(string(spans.RequestFamily))
		seen[fam]++
		if strings.Contains(s.Str(string(spans.URLPath)), "?") || !s.Bool(string(spans.CredentialRedacted)) || s.Kind != "Client" {
			t.Errorf("call %q: url.path %q, credential_redacted %v, kind %s", s.Name, s.Str(string(spans.URLPath)), s.Bool(string(spans.CredentialRedacted)), s.Kind)
		}
		if s.Str(string(spans.ResultClass)) != "pass" {
			t.Errorf("call %q (%s): %s %s: %s", s.Name, fam, s.Str(string(spans.ResultClass)), s.Str(string(spans.FailureClass)), s.Str(string(spans.Notes)))
		}
		if fam != tc.family {
			continue
		}
		if s.Str(string(spans.GenAIRequestModel)) == "" || s.Str(string(spans.GenAIResponseModel)) == "" {
			t.Errorf("call %q lacks models", s.Name)
		}
		if s.Int(string(spans.GenAIUsageInputTokens)) != upstreamtest.InputTokens || s.Int(string(spans.GenAIUsageOutputTokens)) != upstreamtest.OutputTokens {
			t.Errorf("call %q usage %d/%d, want %d/%d", s.Name, s.Int(string(spans.GenAIUsageInputTokens)), s.Int(string(spans.GenAIUsageOutputTokens)), upstreamtest.InputTokens, upstreamtest.OutputTokens)
		}
	}
	if seen[tc.family] == 0 {
		t.Errorf("no %s call; families seen %v", tc.family, seen)
	}
	rs := runSpan(t, r.spans)
	t.Logf("%s: %d calls, families %v, %d probes answered", tc.name, len(calls), seen, rs.Int(string(spans.ProbeRequests)))
	checkRunSpan(t, rs, tc.profile, len(calls))
	if tc.probes && rs.Int(string(spans.ProbeRequests)) == 0 {
		t.Errorf("%s sent no connectivity probe: is its environment still a user's?", tc.agent)
	}
	if !strings.Contains(r.stderr, "model call(s), pass;") {
		t.Errorf("summary line does not say pass:\n%s", agentwrapLines(r.stderr))
	}
}

// checkRunSpan checks that a real agent's run rolled up to pass, with calls
// call spans, no refused request and the agent's profile.
func checkRunSpan(t *testing.T, rs otlptest.Span, profile string, calls int) {
	t.Helper()
	if rs.Int(string(spans.Calls)) != int64(calls) || rs.Str(string(spans.Profile)) != profile {
		t.Errorf("run span calls %d profile %q, want %d %q", rs.Int(string(spans.Calls)), rs.Str(string(spans.Profile)), calls, profile)
	}
	if got := rs.Str(string(spans.ResultClass)); got != spans.ResultPass {
		t.Errorf("run result %s, want pass (notes %q)", got, rs.Str(string(spans.Notes)))
	}
	if n := rs.Int(string(spans.RejectedRequests)); n != 0 {
		t.Errorf("%d requests refused, first %s %s (%s)", n, rs.Str(string(spans.RejectedMethod)), rs.Str(string(spans.RejectedPath)), rs.Str(string(spans.RejectedReason)))
	}
}

// checkChildEnv proves the child never held the real key.
func checkChildEnv(t *testing.T, dump string) {
	t.Helper()
	b, err := os.ReadFile(dump)
	if err != nil {
		t.Fatalf("the agent shim left no environment dump: %v", err)
	}
	if strings.Contains(string(b), canaryKey) {
		t.Error("the child's environment held the real key")
	}
	if strings.Contains(string(b), "COMETAPI_KEY=") {
		t.Error("COMETAPI_KEY was passed to the child")
	}
	if !strings.Contains(string(b), "-agentwrap-run-token") {
		t.Error("the child did not get the run token")
	}
}

// runProcesses lists the processes whose environment holds the run's id,
// by their command lines.
func runProcesses(runID string) []string {
	want := "AGENTWRAP_RUN_ID=" + runID + "\x00"
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	var out []string
	for _, d := range dirs {
		env, err := os.ReadFile(filepath.Join(d, "environ"))
		if err != nil || !strings.Contains("\x00"+string(env), "\x00"+want) {
			continue
		}
		cmd, _ := os.ReadFile(filepath.Join(d, "cmdline"))
		out = append(out, strings.ReplaceAll(string(cmd), "\x00", " "))
	}
	return out
}

// ofService keeps the spans whose resource has the service name.
func ofService(all []otlptest.Span, service string) []otlptest.Span {
	var out []otlptest.Span
	for _, s := range all {
		if s.Resource["service.name"] == service {
			out = append(out, s)
		}
	}
	return out
}

// rawOfService keeps the export requests that hold a span of the service.
func rawOfService(t *testing.T, raw [][]byte, service string) [][]byte {
	t.Helper()
	var out [][]byte
	for _, b := range raw {
		req := ptraceotlp.NewExportRequest()
		if req.UnmarshalProto(b) != nil && req.UnmarshalJSON(b) != nil {
			out = append(out, b) // undecodable: kept, so it is checked
			continue
		}
		if len(ofService(otlptest.Flatten(req.Traces()), service)) > 0 {
			out = append(out, b)
		}
	}
	return out
}

// TestGeminiUntrustedFolder: Gemini CLI refuses a folder the user has not
// trusted (exit 55); agentwrap does not bypass that, and says on its
// terminal and in the run's note what happened and what to do.
func TestGeminiUntrustedFolder(t *testing.T) {
	gemini := e2e.InstallAgent(t, "gemini")
	up := upstreamtest.Start(t, upstreamtest.WithKey(canaryKey))
	env := append(baseEnv(t), "COMETAPI_KEY="+canaryKey, "GEMINI_CLI_NO_RELAUNCH=true")
	r := runBinary(t, invocation{args: []string{"--upstream", up.URL(), "--", gemini, "-p", "Return the word pong."}, env: env, dir: t.TempDir()})
	if r.code != 55 {
		t.Fatalf("exit %d, want Gemini CLI's 55\nstderr: %s", r.code, r.stderr)
	}
	notes := runSpan(t, r.spans).Str(string(spans.Notes))
	for _, where := range []string{agentwrapLines(r.stderr), notes} {
		if !strings.Contains(where, "--skip-trust") || !strings.Contains(where, "trust the folder") {
			t.Errorf("no explanation in %q", where)
		}
	}
	if len(up.Requests()) != 0 {
		t.Errorf("%d upstream requests from an untrusted folder", len(up.Requests()))
	}
}
