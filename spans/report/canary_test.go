package report_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/agentwrap/agentwrap/internal/format"
	"github.com/agentwrap/agentwrap/spans/report"
	"github.com/agentwrap/agentwrap/spans/runfile"
)

const canary = "sk-canary-Zq3xT9vLm2Kp8RwY4nB6"

// plantedLines is a run file written by hand: the canary sits in unknown
// span, resource, scope, event and link attributes, in a status message and
// a trace state, and in known fields (a note, a span name, a model) where
// the scanner must mask it; a note carries a terminal escape.
const plantedLines = `{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"agentwrap"}},{"key":"api.key","value":{"stringValue":"CANARY"}}]},"scopeSpans":[{"scope":{"name":"agentwrap","attributes":[{"key":"scope.secret","value":{"stringValue":"CANARY"}}]},"spans":[{"traceId":"0102030405060708090a0b0c0d0e0f10","spanId":"1111111111111111","parentSpanId":"0000000000000001","traceState":"k=CANARY","name":"chat CANARY","kind":3,"startTimeUnixNano":"1782907201000000000","endTimeUnixNano":"1782907202000000000","attributes":[{"key":"agentwrap.request_family","value":{"stringValue":"openai.chat_completions"}},{"key":"agentwrap.result_class","value":{"stringValue":"pass"}},{"key":"agentwrap.failure_class","value":{"stringValue":"none"}},{"key":"agentwrap.notes","value":{"stringValue":"token CANARY \u001b[31mred\u001b[0m"}},{"key":"gen_ai.request.model","value":{"stringValue":"CANARY"}},{"key":"x.unknown","value":{"stringValue":"CANARY"}},{"key":"http.request.header.authorization","value":{"arrayValue":{"values":[{"stringValue":"Bearer CANARY"}]}}}],"events":[{"name":"leak","attributes":[{"key":"e","value":{"stringValue":"CANARY"}}]}],"links":[{"traceId":"0102030405060708090a0b0c0d0e0f10","spanId":"0000000000000001","attributes":[{"key":"l","value":{"stringValue":"CANARY"}}]}],"status":{"message":"CANARY","code":2}}]}]}]}
{"resourceSpans":[{"resource":{"attributes":[{"key":"service.version","value":{"stringValue":"v CANARY"}}]},"scopeSpans":[{"spans":[{"traceId":"0102030405060708090a0b0c0d0e0f10","spanId":"0000000000000001","name":"invoke_agent claude","kind":1,"startTimeUnixNano":"1782907200000000000","endTimeUnixNano":"1782907203000000000","attributes":[{"key":"gen_ai.operation.name","value":{"stringValue":"invoke_agent"}},{"key":"gen_ai.agent.name","value":{"stringValue":"claude"}},{"key":"agentwrap.upstream","value":{"stringValue":"https://user:CANARY@api.cometapi.com"}},{"key":"x.run.secret","value":{"stringValue":"CANARY"}},{"key":"process.command_args","value":{"arrayValue":{"values":[{"stringValue":"--key=CANARY"}]}}}]}]}]}]}
`

// TestReportsShowOnlyKnownFields: no renderer shows an unknown attribute,
// event, link, status message or resource attribute, and every known field
// shown is scrubbed of secret patterns and control characters.
func TestReportsShowOnlyKnownFields(t *testing.T) {
	path := filepath.Join(t.TempDir(), "planted"+runfile.Ext)
	if err := os.WriteFile(path, []byte(strings.ReplaceAll(plantedLines, "CANARY", canary)), 0o600); err != nil {
		t.Fatal(err)
	}
	run, err := report.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(run.LineErrors) != 0 || !run.Complete || len(run.Calls) != 1 {
		t.Fatalf("planted run: line errors %v, complete %v, %d calls", run.LineErrors, run.Complete, len(run.Calls))
	}
	for _, f := range format.Names() {
		out := render(t, run, f)
		for _, leak := range []string{canary, "Zq3xT9vLm2Kp8RwY4nB6", "\x1b", `\u001b`} {
			if bytes.Contains(out, []byte(leak)) {
				t.Errorf("%s report contains %q", f, leak)
			}
		}
		if !bytes.Contains(out, []byte("[REDACTED]")) && !bytes.Contains(out, []byte(`\[REDACTED\]`)) {
			t.Errorf("%s report does not show the masked known fields", f)
		}
	}
	sums, err := report.List(filepath.Dir(path), 0)
	if err != nil || len(sums) != 1 || strings.Contains(sums[0].Agent+sums[0].ID, canary) {
		t.Errorf("List = %+v, %v", sums, err)
	}
}
