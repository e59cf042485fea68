//go:build unix

package wrap

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.yaml.in/yaml/v3"

	"github.com/agentwrap/agentwrap/contract"
	"github.com/agentwrap/agentwrap/internal/upstreamtest"
	"github.com/agentwrap/agentwrap/redact"
	"github.com/agentwrap/agentwrap/spans"
	"github.com/agentwrap/agentwrap/spans/runfile"
)

const smokeKey = "sk-canary-smoke-0123456789abcdef"

// smokeRun is one Smoke against the test upstream and what it left.
type smokeRun struct {
	rec     SmokeRecord
	err     error
	stderr  string
	runFile string
	up      *upstreamtest.Server
}

func runSmoke(t *testing.T, family, model, key string) smokeRun {
	t.Helper()
	up := upstreamtest.Start(t, upstreamtest.WithKey(smokeKey))
	state := t.TempDir()
	env := map[string]string{"COMETAPI_KEY": key, "HOME": t.TempDir()}
	var stderr bytes.Buffer
	runID := "smoke-" + strings.NewReplacer("/", "-", " ", "-").Replace(strings.ToLower(t.Name()))
	rec, err := Smoke(context.Background(), SmokeOptions{
		Options: Options{
			Upstream: up.URL(), RunID: runID, StateDir: state, Dir: t.TempDir(),
			Environ: []string{}, Getenv: func(k string) string { return env[k] },
			Stderr: &stderr, FlushTimeout: 5 * time.Second,
		},
		Family: family, Model: model,
	})
	return smokeRun{rec: rec, err: err, stderr: stderr.String(), up: up,
		runFile: filepath.Join(RunsDir(state), runID+".jsonl")}
}

// smokeEndpoints is the manifest endpoint each smoke family calls.
var smokeEndpoints = map[string]string{
	"chat": "cometapi.chat_completions", "responses": "cometapi.responses",
	"messages": "cometapi.messages", "gemini": "cometapi.gemini_generate_content",
}

func TestSmokeExitCodesPerFamily(t *testing.T) {
	for _, family := range SmokeFamilies() {
		for _, tc := range []struct {
			scenario string
			code     int
			result   string
			note     string
		}{
			{"", smokePass, spans.ResultPass, "error path: contract_mismatch recorded (missing required field: "},
			{upstreamtest.ScenarioRateLimited, smokeFollowUp, spans.ResultNeedsFollowUp, spans.HelpCenterURL},
			{upstreamtest.ScenarioPaymentRequired, smokeFollowUp, spans.ResultNeedsFollowUp, "balance and quota"},
			{upstreamtest.ScenarioServerError, smokeFail, spans.ResultFail, "upstream 500"},
		} {
			name := family + "/" + tc.scenario
			t.Run(name, func(t *testing.T) {
				model := ""
				if tc.scenario != "" {
					model = upstreamtest.ScenarioModel(tc.scenario)
				}
				r := runSmoke(t, family, model, smokeKey)
				if r.err != nil {
					t.Fatal(r.err)
				}
				if r.rec.ExitCode() != tc.code || r.rec.ResultClass != tc.result || !strings.Contains(r.rec.Notes, tc.note) {
					t.Fatalf("record %+v: want exit %d, %s, a note with %q", r.rec, tc.code, tc.result, tc.note)
				}
				checkSmokeRecord(t, family, r)
				checkSmokeRunFile(t, r, tc.result)
			})
		}
	}
}

// checkSmokeRecord checks the record's contract fields and that the real
// key, not the run token, reached the upstream on both calls.
func checkSmokeRecord(t *testing.T, family string, r smokeRun) {
	t.Helper()
	e := contract.Builtin().Endpoint(smokeEndpoints[family])
	if r.rec.CheckedAt != e.CheckedAtRFC3339() || !slices.Equal(r.rec.SourceURLs, e.SourceURLs) ||
		r.rec.RequestFamily != e.Family || !r.rec.CredentialRedacted || !strings.HasPrefix(r.rec.RunID, "smoke-") {
		t.Errorf("record %+v, want endpoint %s's date and sources", r.rec, e.ID)
	}
	if len([]rune(r.rec.Notes)) > 200 {
		t.Errorf("notes over 200 characters: %q", r.rec.Notes)
	}
	reqs := r.up.Requests()
	if len(reqs) != 2 {
		t.Fatalf("%d upstream requests, want 2 (happy and error path)", len(reqs))
	}
	for _, q := range reqs {
		if !strings.Contains(strings.Join(slices.Concat(q.Header.Values("Authorization"), q.Header.Values("X-Api-Key"), q.Header.Values("X-Goog-Api-Key")), " "), smokeKey) {
			t.Errorf("%s %s reached the upstream without the real key", q.Method, q.Path)
		}
	}
}

// checkSmokeRunFile: the run file holds the run span (with the smoke's
// verdict) and the two call spans, and no key, prompt or reply.
func checkSmokeRunFile(t *testing.T, r smokeRun, result string) {
	t.Helper()
	b, err := os.ReadFile(r.runFile)
	if err != nil {
		t.Fatal(err)
	}
	for _, leak := range []string{smokeKey, "canary", tokenSuffix, smokePrompt, upstreamtest.ReplyText} {
		if bytes.Contains(b, []byte(leak)) || strings.Contains(r.stderr, leak) {
			t.Errorf("run file or stderr holds %q", leak)
		}
	}
	td, lineErrs, err := runfile.ReadFile(r.runFile)
	if err != nil || len(lineErrs) > 0 {
		t.Fatalf("run file unreadable: %v %v", err, lineErrs)
	}
	all := allSpans(td)
	if len(all) != 3 {
		t.Fatalf("%d spans, want 3 (run and 2 calls)", len(all))
	}
	runs := 0
	for _, s := range all {
		rc, _ := s.Attributes().Get(string(spans.ResultClass))
		if s.Name() == "invoke_agent "+smokeAgentName {
			runs++
			if rc.Str() != result {
				t.Errorf("run span result_class %q, want the smoke's %q", rc.Str(), result)
			}
			continue
		}
		if ep, _ := s.Attributes().Get(string(spans.ContractEndpoint)); ep.Str() == "" {
			t.Errorf("call span %q matched no endpoint", s.Name())
		}
	}
	if runs != 1 {
		t.Errorf("%d run spans", runs)
	}
}

func allSpans(td ptrace.Traces) []ptrace.Span {
	var out []ptrace.Span
	for i := 0; i < td.ResourceSpans().Len(); i++ {
		ss := td.ResourceSpans().At(i).ScopeSpans()
		for j := 0; j < ss.Len(); j++ {
			for k := 0; k < ss.At(j).Spans().Len(); k++ {
				out = append(out, ss.At(j).Spans().At(k))
			}
		}
	}
	return out
}

func TestSmokeWithoutCredential(t *testing.T) {
	r := runSmoke(t, "chat", "", "")
	if !errors.Is(r.err, ErrNoCredential) || strings.Contains(r.err.Error(), "\n") || !strings.Contains(r.err.Error(), "COMETAPI_KEY") {
		t.Fatalf("error %v: want a one-line ErrNoCredential naming COMETAPI_KEY", r.err)
	}
	if _, err := os.Stat(r.runFile); err == nil {
		t.Error("a run file was written without a credential")
	}
	if n := len(r.up.Requests()); n != 0 {
		t.Errorf("%d upstream requests", n)
	}
}

func TestSmokeUnknownFamily(t *testing.T) {
	r := runSmoke(t, "completions", "", smokeKey)
	if r.err == nil || !strings.Contains(r.err.Error(), "chat, responses, messages, gemini") {
		t.Fatalf("error %v", r.err)
	}
}

// TestSmokeRecordYAMLFields: the record marshals to exactly the seed's
// eight logging fields, in the seed's order.
func TestSmokeRecordYAMLFields(t *testing.T) {
	r := runSmoke(t, "messages", "", smokeKey)
	if r.err != nil {
		t.Fatal(r.err)
	}
	b, err := yaml.Marshal(r.rec)
	if err != nil {
		t.Fatal(err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	m := doc.Content[0]
	var keys []string
	for i := 0; i < len(m.Content); i += 2 {
		keys = append(keys, m.Content[i].Value)
	}
	want := []string{"run_id", "checked_at", "source_urls", "request_family", "credential_redacted", "result_class", "failure_class", "notes"}
	if !slices.Equal(keys, want) {
		t.Fatalf("keys %v, want %v", keys, want)
	}
	if m.Content[9].Tag != "!!bool" || m.Content[9].Value != "true" || m.Content[5].Kind != yaml.SequenceNode {
		t.Errorf("credential_redacted %s %q, source_urls kind %v", m.Content[9].Tag, m.Content[9].Value, m.Content[5].Kind)
	}
}

// TestVerifyRecordedReadsTheRealEncoding writes run files with the pdata
// JSON encoding the run file uses: a span the guard masked
// (credential_redacted false) fails the record, a clean one does not.
func TestVerifyRecordedReadsTheRealEncoding(t *testing.T) {
	for _, tc := range []struct {
		name   string
		spans  int
		masked bool
		result string
	}{
		{"clean", 3, false, spans.ResultPass},
		{"masked", 3, true, spans.ResultFail},
		{"span missing", 2, false, spans.ResultFail},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			rf, err := runfile.Create(dir, "verify")
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = rf.Shutdown(context.Background()) })
			td := ptrace.NewTraces()
			ss := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans()
			for i := 0; i < tc.spans; i++ {
				s := ss.AppendEmpty()
				s.SetName("chat m")
				s.Attributes().PutBool(string(spans.CredentialRedacted), !(tc.masked && i == 1))
			}
			line, err := (&ptrace.JSONMarshaler{}).MarshalTraces(td)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(rf.Path(), append(line, '\n'), 0o600); err != nil {
				t.Fatal(err)
			}
			s := &session{runFile: rf, key: redact.NewSecret(smokeKey), token: "tok", scanner: redact.NewScanner(smokeKey, "tok")}
			rec := SmokeRecord{ResultClass: spans.ResultPass, FailureClass: spans.FailureNone, CredentialRedacted: true}
			s.verifyRecorded(&rec, nil, 3)
			if rec.ResultClass != tc.result || rec.CredentialRedacted == tc.masked {
				t.Errorf("record %+v", rec)
			}
		})
	}
}
