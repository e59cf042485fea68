package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/agentwrap/agentwrap/internal/otlptest"
	"github.com/agentwrap/agentwrap/spans"
)

// editedRunLine is a run file line edited by hand after the run: a prompt
// attribute the span schema does not have, a key in an allowed attribute,
// the span name, the status message and a resource attribute, a span
// event, a link and a trace state.
const editedRunLine = `{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"agentwrap"}},{"key":"deployment","value":{"stringValue":"token sk-canary-export-Rq8Wm2Zt5Lx9Hv3Nc6"}}]},"scopeSpans":[{"scope":{"name":"agentwrap","attributes":[{"key":"scope.note","value":{"stringValue":"scope-attr-planted"}}]},"spans":[{"traceId":"0102030405060708090a0b0c0d0e0f10","spanId":"1111111111111111","traceState":"k=tracestate-planted","name":"chat sk-canary-export-Rq8Wm2Zt5Lx9Hv3Nc6","kind":3,"startTimeUnixNano":"1782907201000000000","endTimeUnixNano":"1782907202000000000","attributes":[{"key":"agentwrap.run_id","value":{"stringValue":"20260701T120000Z-0e0e0e0e"}},{"key":"gen_ai.prompt","value":{"stringValue":"prompt-planted: the user's whole prompt"}},{"key":"agentwrap.notes","value":{"stringValue":"key sk-canary-export-Rq8Wm2Zt5Lx9Hv3Nc6"}},{"key":"gen_ai.request.model","value":{"stringValue":"gpt-5"}}],"events":[{"name":"event-planted","attributes":[{"key":"e","value":{"stringValue":"event-attr-planted"}}]}],"links":[{"traceId":"0102030405060708090a0b0c0d0e0f10","spanId":"2222222222222222","attributes":[{"key":"l","value":{"stringValue":"link-planted"}}]}],"status":{"message":"sk-canary-export-Rq8Wm2Zt5Lx9Hv3Nc6","code":2}}]}]}]}`

// TestExportGuardsEditedRunFile replays a hand-edited run file with
// agentwrap export: what reaches the collector passed the live guard (no
// attribute outside the span schema, no secret, no event or link), the
// span is flagged as redacted, and the allowed values arrive.
func TestExportGuardsEditedRunFile(t *testing.T) {
	state := t.TempDir()
	runs := filepath.Join(state, "runs")
	if err := os.MkdirAll(runs, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(runs, "20260701T120000Z-0e0e0e0e.jsonl"), []byte(editedRunLine+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	recv := otlptest.NewReceiver(t)
	out, errOut, code := command(t, append(baseEnv(t), "AGENTWRAP_STATE_DIR="+state), "export", "latest", "--endpoint", recv.URL())
	if code != 0 || !strings.Contains(out, "exported 1 spans in 1 requests") {
		t.Fatalf("export: exit %d\n%s%s", code, out, errOut)
	}
	got, err := recv.WaitSpans(1, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	for _, body := range append(recv.Raw(), []byte(out), []byte(errOut)) {
		for _, planted := range []string{"sk-canary-export", "prompt-planted", "gen_ai.prompt", "event-planted", "event-attr-planted",
			"link-planted", "tracestate-planted", "scope-attr-planted", "scope.note"} {
			if bytes.Contains(body, []byte(planted)) {
				t.Errorf("the export sent %q", planted)
			}
		}
	}
	s := got[0]
	if s.Str(string(spans.RunID)) != "20260701T120000Z-0e0e0e0e" || s.Str(string(spans.GenAIRequestModel)) != "gpt-5" {
		t.Errorf("allowed values did not arrive: %+v", s)
	}
	if !strings.Contains(s.Str(string(spans.Notes)), "[REDACTED]") {
		t.Errorf("notes %q, want the key masked", s.Str(string(spans.Notes)))
	}
	if v, ok := s.Attrs[string(spans.CredentialRedacted)]; !ok || v != false {
		t.Errorf("%s = %v, want false on a span the guard changed", spans.CredentialRedacted, v)
	}
}
