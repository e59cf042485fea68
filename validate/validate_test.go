package validate

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/agentwrap/agentwrap/contract"
)

func endpoint(t *testing.T, id string) *contract.Endpoint {
	t.Helper()
	e := contract.Builtin().Endpoint(id)
	if e == nil {
		t.Fatalf("no endpoint %s", id)
	}
	return e
}

func step(t *testing.T, id string, c Check) Step {
	t.Helper()
	return plan(endpoint(t, id), c)
}

// TestPlanRequests: each check's request is what the runbook asks for,
// derived from the manifest.
func TestPlanRequests(t *testing.T) {
	keys := func(b []byte) []string {
		var m map[string]json.RawMessage
		if err := json.Unmarshal(b, &m); err != nil {
			return nil
		}
		var out []string
		for k := range m {
			out = append(out, k)
		}
		slices.Sort(out)
		return out
	}
	chat := "cometapi.chat_completions"
	if r := step(t, chat, Minimal).Request; !slices.Equal(keys(r.Body), []string{"messages", "model"}) ||
		r.Credential != CredentialValid || r.CredentialHeader != "authorization" || r.Header.Get("Content-Type") != "application/json" {
		t.Errorf("minimal: %+v %s", r, r.Body)
	}
	if r := step(t, chat, ProductionShaped).Request; !slices.Equal(keys(r.Body),
		[]string{"max_completion_tokens", "messages", "model", "reasoning_effort", "tool_choice", "tools"}) {
		t.Errorf("production-shaped: %s", r.Body)
	}
	if r := step(t, chat, Streamed).Request; !bytes.Contains(r.Body, []byte(`"stream":true`)) ||
		!bytes.Contains(r.Body, []byte(`"include_usage":true`)) {
		t.Errorf("streamed: %s", r.Body)
	}
	if r := step(t, chat, MalformedJSON).Request; json.Valid(r.Body) {
		t.Errorf("malformed JSON is valid: %s", r.Body)
	}
	if r := step(t, "cometapi.messages", MissingField).Request; slices.Contains(keys(r.Body), "messages") ||
		r.Header.Get("Anthropic-Version") == "" || r.CredentialHeader != "x-api-key" {
		t.Errorf("missing field: %+v %s", r, r.Body)
	}
	if r := step(t, "cometapi.gemini_generate_content", UnknownModel).Request; !strings.Contains(r.Path, UnknownModelName) {
		t.Errorf("unknown model path %s", r.Path)
	}
	if r := step(t, "cometapi.gemini_stream_generate_content", Minimal).Request; r.Query != "alt=sse" {
		t.Errorf("stream path query %q", r.Query)
	}
	if r := step(t, chat, MissingCredential).Request; r.Credential != CredentialNone {
		t.Errorf("missing credential: %v", r.Credential)
	}
	if r := step(t, chat, Timeout).Request; !r.Deadline {
		t.Error("timeout check without a deadline")
	}
	for _, tc := range []struct {
		id    string
		check Check
		want  Result
	}{
		{"cometapi.models", MalformedJSON, NotApplicable},
		{"cometapi.models", UnknownModel, NotApplicable},
		{"cometapi.embeddings", Streamed, NotApplicable},
		{"cometapi.gemini_stream_generate_content", Streamed, NotApplicable},
		{"cometapi.models", ProductionShaped, NotApplicable},
	} {
		if s := step(t, tc.id, tc.check); s.Request != nil || s.SkipResult != tc.want || s.Skip == "" {
			t.Errorf("%s %s: %+v", tc.id, tc.check, s)
		}
	}
	e := *endpoint(t, chat)
	e.Validation.UnknownModel = nil
	if s := plan(&e, UnknownModel); s.SkipResult != Fail {
		t.Errorf("unknown model without documented statuses: %+v", s)
	}
	for c, want := range map[Check]string{
		MissingField:      "400 (non-retryable per manifest), openai error body, no retry hint",
		InvalidCredential: "401 or 403 (non-retryable per manifest), openai error body, no retry hint",
		UnknownModel:      "400 or 404 (non-retryable per manifest), openai error body, no retry hint",
		Streamed:          "2xx event stream ending in [DONE], with usage",
	} {
		if got := step(t, chat, c).Expected; got != want {
			t.Errorf("%s expected %q, want %q", c, got, want)
		}
	}
	if n := Requests(Plan([]*contract.Endpoint{endpoint(t, chat)})); n != len(Checks()) {
		t.Errorf("chat sends %d requests", n)
	}
}

// TestJudge: each departure from the manifest is its drift kind, with the
// escalation fields; a documented outcome passes; a broken one fails.
func TestJudge(t *testing.T) {
	start := time.Date(2026, 12, 5, 20, 0, 0, 0, time.UTC)
	base := Observation{Recorded: true, Start: start, RequestID: "req_1", RequestKeys: []string{"model"}, ResponseKeys: []string{"error"}}
	ok := base
	ok.Status, ok.ResponseKeys = 200, []string{"id", "object", "model", "choices", "usage"}
	refused := base
	refused.Status, refused.ErrorType = 401, "invalid_request_error"
	chat := "cometapi.chat_completions"
	with := func(o Observation, f func(*Observation)) Observation { f(&o); return o }
	for _, tc := range []struct {
		name   string
		check  Check
		o      Observation
		result Result
		kinds  []string
	}{
		{"documented success", Minimal, ok, Pass, nil},
		{"documented refusal", MissingCredential, refused, Pass, nil},
		{"accepted", InvalidCredential, ok, Drift, []string{DriftAccepted}},
		{"error shape", MissingCredential, with(refused, func(o *Observation) { o.ErrorType = "" }), Drift, []string{DriftErrorShape}},
		{"missing field", Minimal, with(ok, func(o *Observation) { o.MissingFields = []string{"usage"} }), Drift, []string{DriftMissingField}},
		{"observed only", Minimal, with(ok, func(o *Observation) { o.ResponseKeys = append(o.ResponseKeys, "extra") }), Drift, []string{DriftObservedOnly}},
		{"retry hint", MalformedJSON, with(refused, func(o *Observation) { o.Status, o.RetryHint = 400, true }), Drift, []string{DriftRetryHint}},
		{"status", MissingField, with(refused, func(o *Observation) { o.Status = 500 }), Drift, []string{DriftStatus}},
		{"stream without usage", Streamed, with(ok, func(o *Observation) { o.Stream, o.StreamComplete, o.ResponseKeys = true, true, nil }), Drift, []string{DriftMissingField}},
		{"stream cut", Streamed, with(ok, func(o *Observation) { o.Stream, o.Usage = true, true }), Fail, nil},
		{"valid request refused", Minimal, with(refused, func(o *Observation) { o.Status = 500 }), Fail, nil},
		{"not recorded", Minimal, Observation{}, Fail, nil},
		{"timeout exercised", Timeout, with(base, func(o *Observation) { o.Cancelled = true }), Pass, nil},
		{"timeout not exercised", Timeout, with(ok, func(o *Observation) { o.Replied = true }), Fail, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			row, drift := Judge(step(t, chat, tc.check), tc.o, "https://support.example")
			if row.Result != tc.result || !slices.Equal(row.Drift, tc.kinds) || len(drift) != len(tc.kinds) {
				t.Fatalf("row %+v, drift %+v", row, drift)
			}
			for _, d := range drift {
				if d.RequestID != "req_1" || d.Timestamp != "2026-12-05T20:00:00Z" || d.Escalate != "https://support.example" ||
					d.CheckedAt == "" || len(d.SourceURLs) == 0 || d.Endpoint != chat {
					t.Errorf("escalation fields: %+v", d)
				}
			}
		})
	}
}

// TestChecklistVerdict: exit 0 all pass, 1 any fail or not run, 4 drift
// only; the release gate lists the runbook's items, the untestable ones
// for the manifest's owner.
func TestChecklistVerdict(t *testing.T) {
	m := contract.Builtin()
	for _, tc := range []struct {
		results []Result
		code    int
	}{
		{[]Result{Pass, NotApplicable}, ExitPass},
		{[]Result{Pass, Drift}, ExitDrift},
		{[]Result{Drift, Fail}, ExitFail},
		{[]Result{Pass, NotRun}, ExitFail},
	} {
		cl := &Checklist{}
		for _, r := range tc.results {
			cl.Rows = append(cl.Rows, Row{Check: Minimal, Result: r})
		}
		cl.Finish(m, []*contract.Endpoint{&m.Endpoints[0]})
		if cl.ExitCode() != tc.code {
			t.Errorf("%v: exit %d, want %d", tc.results, cl.ExitCode(), tc.code)
		}
		if len(cl.Gate) != 12 || cl.Totals.OperatorToConfirm != 8 || cl.Gate[1].Owner != m.Owner {
			t.Errorf("gate %+v", cl.Gate)
		}
	}
}
