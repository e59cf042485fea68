//go:build unix

package wrap

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/agentwrap/agentwrap/contract"
	"github.com/agentwrap/agentwrap/internal/format"
	"github.com/agentwrap/agentwrap/internal/upstreamtest"
	"github.com/agentwrap/agentwrap/redact"
	"github.com/agentwrap/agentwrap/validate"
)

const validateKey = "sk-canary-validate-0123456789abcdef"

// documented are the options of a test upstream that behaves as the
// built-in manifest documents.
func documented(extra ...upstreamtest.Option) []upstreamtest.Option {
	return append([]upstreamtest.Option{upstreamtest.WithKey(validateKey), upstreamtest.WithModelCatalog(),
		upstreamtest.WithRequiredFields(), upstreamtest.WithLatency(50 * time.Millisecond)}, extra...)
}

type validateRun struct {
	cl      *validate.Checklist
	err     error
	runFile []byte
	up      *upstreamtest.Server
}

func runValidate(t *testing.T, up *upstreamtest.Server, vo ValidateOptions) validateRun {
	t.Helper()
	state := t.TempDir()
	env := map[string]string{"COMETAPI_KEY": validateKey, "HOME": t.TempDir()}
	runID := "validate-" + strings.NewReplacer("/", "-", " ", "-").Replace(strings.ToLower(t.Name()))
	vo.Options = Options{Upstream: up.URL(), RunID: runID, StateDir: state, Dir: t.TempDir(), Contract: vo.Contract,
		Environ: []string{}, Getenv: func(k string) string { return env[k] }, Stderr: &bytes.Buffer{},
		FlushTimeout: 5 * time.Second, Quiet: true}
	cl, err := Validate(context.Background(), vo)
	b, _ := os.ReadFile(filepath.Join(RunsDir(state), runID+".jsonl"))
	return validateRun{cl: cl, err: err, runFile: b, up: up}
}

// TestValidateDocumentedUpstream: against an upstream that behaves as the
// built-in manifest documents, every check of every endpoint passes or is
// not applicable, exit 0, one call span per request.
func TestValidateDocumentedUpstream(t *testing.T) {
	up := upstreamtest.Start(t, documented()...)
	r := runValidate(t, up, ValidateOptions{})
	if r.err != nil {
		t.Fatal(r.err)
	}
	for _, row := range r.cl.Rows {
		if row.Result != validate.Pass && row.Result != validate.NotApplicable {
			t.Errorf("%s %s: %s (%s)", row.Endpoint, row.Check, row.Result, row.Observed)
		}
	}
	if r.cl.ExitCode() != validate.ExitPass || len(r.cl.Drift) != 0 {
		t.Errorf("exit %d, drift %+v", r.cl.ExitCode(), r.cl.Drift)
	}
	eps := len(contract.Builtin().Endpoints)
	if len(r.cl.Rows) != eps*len(validate.Checks())+1 {
		t.Errorf("%d rows for %d endpoints", len(r.cl.Rows), eps)
	}
	if got := len(up.Requests()); got != r.cl.Requests {
		t.Errorf("upstream saw %d requests, checklist says %d sent", got, r.cl.Requests)
	}
	if n := bytes.Count(r.runFile, []byte("\n")); n != r.cl.Requests+1 {
		t.Errorf("run file holds %d lines, want %d calls and the run span", n, r.cl.Requests)
	}
	for _, l := range []string{validateKey, validate.Prompt} {
		if bytes.Contains(r.runFile, []byte(l)) {
			t.Errorf("run file holds %q", l)
		}
	}
}

// presented lists every credential value the upstream received, so that a
// test can prove none of them reached an output.
func presented(up *upstreamtest.Server) []string {
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

// rendered is the checklist in every format.
func rendered(t *testing.T, cl *validate.Checklist) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	for _, f := range format.Names() {
		var b bytes.Buffer
		if err := validate.Render(&b, cl, f); err != nil {
			t.Fatal(err)
		}
		out[f] = b.Bytes()
	}
	return out
}

// TestValidateDrift: an upstream that departs from the manifest in each
// way is reported as drift of that kind (exit 4, no failure), each drift
// with its escalation fields, and no output holds a credential, the
// prompt or the reply text.
func TestValidateDrift(t *testing.T) {
	missingUsage := filepath.Join(t.TempDir(), "m.yaml")
	y := strings.ReplaceAll(string(contract.BuiltinYAML()), "model: gpt-5-mini",
		"model: "+upstreamtest.ScenarioModel(upstreamtest.ScenarioMissingUsage))
	if err := os.WriteFile(missingUsage, []byte(y), 0o600); err != nil {
		t.Fatal(err)
	}
	chat := []string{"cometapi.chat_completions"}
	for _, tc := range []struct {
		name     string
		opts     []upstreamtest.Option
		contract string
		// endpoints selects endpoints; nil means all.
		endpoints []string
		kind      string
		checks    []validate.Check
	}{
		{"accepted without credential", []upstreamtest.Option{upstreamtest.WithModelCatalog(), upstreamtest.WithRequiredFields()}, "", nil,
			validate.DriftAccepted, []validate.Check{validate.MissingCredential, validate.InvalidCredential}},
		{"accepted without required field", []upstreamtest.Option{upstreamtest.WithKey(validateKey), upstreamtest.WithModelCatalog()}, "", chat,
			validate.DriftAccepted, []validate.Check{validate.MissingField}},
		{"accepted unknown model", []upstreamtest.Option{upstreamtest.WithKey(validateKey), upstreamtest.WithRequiredFields()}, "", chat,
			validate.DriftAccepted, []validate.Check{validate.UnknownModel}},
		{"error shape", documented(upstreamtest.WithDrift(upstreamtest.DriftErrorShape)), "", nil,
			validate.DriftErrorShape, []validate.Check{validate.MissingCredential, validate.InvalidCredential, validate.MalformedJSON, validate.MissingField, validate.UnknownModel}},
		{"missing documented field", documented(), missingUsage, chat,
			validate.DriftMissingField, []validate.Check{validate.Minimal, validate.ProductionShaped, validate.Streamed}},
		{"observed only", documented(upstreamtest.WithDrift(upstreamtest.DriftExtraField)), "", nil,
			validate.DriftObservedOnly, []validate.Check{validate.Minimal, validate.ProductionShaped}},
		{"retry hint", documented(upstreamtest.WithDrift(upstreamtest.DriftRetryHint)), "", nil,
			validate.DriftRetryHint, []validate.Check{validate.MissingCredential, validate.InvalidCredential, validate.MalformedJSON, validate.MissingField, validate.UnknownModel}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			up := upstreamtest.Start(t, append(tc.opts, upstreamtest.WithLatency(50*time.Millisecond))...)
			r := runValidate(t, up, ValidateOptions{Endpoints: tc.endpoints, Options: Options{Contract: tc.contract}})
			if r.err != nil {
				t.Fatal(r.err)
			}
			if r.cl.ExitCode() != validate.ExitDrift {
				for _, row := range r.cl.Rows {
					t.Logf("%s %s: %s (%s)", row.Endpoint, row.Check, row.Result, row.Observed)
				}
				t.Fatalf("exit %d, want %d (drift only)", r.cl.ExitCode(), validate.ExitDrift)
			}
			type key struct {
				endpoint string
				check    validate.Check
			}
			got := map[key]bool{}
			for _, d := range r.cl.Drift {
				if d.Kind != tc.kind {
					continue
				}
				got[key{d.Endpoint, d.Check}] = true
				e := contract.Builtin().Endpoint(d.Endpoint)
				if e == nil || d.Timestamp == "" || !slices.Equal(d.SourceURLs, e.SourceURLs) || d.CheckedAt != e.CheckedAt ||
					d.Escalate != contract.Builtin().Support || d.RequestShape == nil || d.ResponseShape == nil || d.Status == 0 {
					t.Errorf("%s %s: escalation fields incomplete: %+v", d.Endpoint, d.Check, d)
				}
				// The OpenAI and Anthropic shapes return a request id; Gemini's
				// errors have none, its replies a responseId.
				if e != nil && e.ErrorShape != "gemini" && !strings.HasPrefix(d.RequestID, "req_") {
					t.Errorf("%s %s: request id %q, want the upstream's", d.Endpoint, d.Check, d.RequestID)
				}
			}
			for _, row := range r.cl.Rows {
				e := contract.Builtin().Endpoint(row.Endpoint)
				if row.Result == validate.NotApplicable || !slices.Contains(tc.checks, row.Check) ||
					(tc.kind == validate.DriftObservedOnly && e.StreamAlways) {
					continue
				}
				if !got[key{row.Endpoint, row.Check}] {
					t.Errorf("no %s drift for %s %s (%s: %s)", tc.kind, row.Endpoint, row.Check, row.Result, row.Observed)
				}
			}
			secrets := append(presented(up), validateKey, validate.Prompt, upstreamtest.ReplyText)
			outs := rendered(t, r.cl)
			outs["run file"] = r.runFile
			for name, b := range outs {
				for _, s := range secrets {
					if bytes.Contains(b, []byte(s)) {
						t.Errorf("%s output holds %q", name, s)
					}
				}
			}
			if tc.kind == validate.DriftObservedOnly && !bytes.Contains(outs["md"], []byte(upstreamtest.DriftFieldName)) {
				t.Errorf("observed-only field not named:\n%s", outs["md"])
			}
		})
	}
}

// TestRequestID: the upstream's request id comes from its header, an
// Anthropic body's request_id or a CometAPI error message; one that is
// not a plain bounded id, or that matches a secret pattern, is withheld.
func TestRequestID(t *testing.T) {
	v := &validator{s: &session{scanner: redact.NewScanner(validateKey)}}
	h := func(k, val string) http.Header { return http.Header{k: {val}} }
	for _, tc := range []struct {
		h    http.Header
		body string
		want string
	}{
		{h("X-Request-Id", "req_abc123"), "", "req_abc123"},
		{h("X-Oneapi-Request-Id", "2025120520001234"), "", "2025120520001234"},
		{nil, `{"type":"error","error":{"type":"x"},"request_id":"req_011CAB"}`, "req_011CAB"},
		{nil, `{"error":{"message":"model name is required (request id: 20251205203011ab)","type":"comet_api_error"}}`, "20251205203011ab"},
		{nil, `{"error":{"message":"no id here"}}`, ""},
		{h("X-Request-Id", "id with spaces"), "", "(withheld: not a plain id)"},
		{h("X-Request-Id", strings.Repeat("a", 101)), "", "(withheld: not a plain id)"},
		{h("X-Request-Id", validateKey), "", "(withheld: matched a secret pattern)"},
		{h("X-Request-Id", "sk-ant-api03-"+strings.Repeat("Xy7", 20)), "", "(withheld: matched a secret pattern)"},
	} {
		if got := v.requestID(tc.h, []byte(tc.body)); got != tc.want {
			t.Errorf("%v %s: %q, want %q", tc.h, tc.body, got, tc.want)
		}
	}
}

// TestRetryInfo: Gemini's RetryInfo detail is a retry hint like Retry-After.
func TestRetryInfo(t *testing.T) {
	for body, want := range map[string]bool{
		`{"error":{"code":400,"status":"INVALID_ARGUMENT","details":[{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"1s"}]}}`: true,
		`{"error":{"code":400,"status":"INVALID_ARGUMENT","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"X"}]}}`:      false,
		`{"error":{"message":"x"}}`: false,
		`not json`:                  false,
	} {
		if got := hasRetryInfo([]byte(body)); got != want {
			t.Errorf("%s: %v, want %v", body, got, want)
		}
	}
}
