package redact_test

import (
	"slices"
	"strings"
	"testing"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/agentwrap/agentwrap/redact"
)

const tracesCanary = "sk-canary-traces-Jq3Lw8Xz2Rv7Tn5Kb9"

// editedLine is a run file line edited by hand: a prompt attribute off the
// allowlist, secrets in an allowed value, the span name, the status, a
// resource value and key, the scope, an event, a link and a trace state.
const editedLine = `{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"agentwrap"}},{"key":"env","value":{"stringValue":"t ` + tracesCanary + `"}},{"key":"` + tracesCanary + `","value":{"stringValue":"v"}},{"key":"blob","value":{"bytesValue":"AQID"}}]},"schemaUrl":"https://x/` + tracesCanary + `","scopeSpans":[{"scope":{"name":"agentwrap","version":"` + tracesCanary + `","attributes":[{"key":"s","value":{"stringValue":"scope-planted"}}]},"spans":[{"traceId":"0102030405060708090a0b0c0d0e0f10","spanId":"1111111111111111","traceState":"k=v","name":"chat ` + tracesCanary + `","kind":3,"attributes":[{"key":"gen_ai.prompt","value":{"stringValue":"prompt-planted"}},{"key":"agentwrap.notes","value":{"stringValue":"key ` + tracesCanary + `"}},{"key":"gen_ai.request.model","value":{"stringValue":"gpt-5"}},{"key":"tags","value":{"arrayValue":{"values":[{"stringValue":"a"},{"intValue":"1"}]}}}],"events":[{"name":"event-planted"}],"links":[{"traceId":"0102030405060708090a0b0c0d0e0f10","spanId":"2222222222222222"}],"status":{"message":"` + tracesCanary + `","code":2}},{"traceId":"0102030405060708090a0b0c0d0e0f10","spanId":"3333333333333333","name":"clean","attributes":[{"key":"gen_ai.request.model","value":{"stringValue":"m"}}]}]}]}]}`

var tracesAllowed = []string{"agentwrap.notes", "gen_ai.request.model", redact.FlagKey, redact.CountKey}

// TestGuardTraces: a replayed line leaves the guard as a live span would.
func TestGuardTraces(t *testing.T) {
	var u ptrace.JSONUnmarshaler
	td, err := u.UnmarshalTraces([]byte(editedLine))
	if err != nil {
		t.Fatal(err)
	}
	g := redact.NewGuard(tracesAllowed, redact.NewScanner())
	if n := g.Traces(td); n != 2 {
		// The clean span shares the scope whose version was masked.
		t.Errorf("%d spans changed, want 2", n)
	}
	checkGuarded(t, td, g)
	b, _ := (&ptrace.JSONMarshaler{}).MarshalTraces(td)
	for _, planted := range []string{tracesCanary, "prompt-planted", "event-planted", "scope-planted", "k=v", "AQID"} {
		if strings.Contains(string(b), planted) {
			t.Errorf("guarded line holds %q: %s", planted, b)
		}
	}
	span := td.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0)
	if v, _ := span.Attributes().Get("gen_ai.request.model"); v.Str() != "gpt-5" {
		t.Errorf("allowed value lost: %s", b)
	}
	if v, _ := span.Attributes().Get("agentwrap.notes"); !strings.Contains(v.Str(), redact.Marker) {
		t.Errorf("notes %q not masked", v.Str())
	}
	if span.DroppedEventsCount() != 1 || span.DroppedLinksCount() != 1 || span.DroppedAttributesCount() != 2 {
		t.Errorf("dropped counts %d/%d/%d", span.DroppedEventsCount(), span.DroppedLinksCount(), span.DroppedAttributesCount())
	}
	if (*redact.Guard)(nil).Traces(td); td.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0).Attributes().Len() != 2 {
		t.Errorf("the nil guard kept attributes other than its flag")
	}
}

// FuzzGuardTraces: whatever a run file line holds, the guarded spans carry
// only allowed attribute keys, no events, links, trace states or scope
// attributes, and no string in which the scanner still finds a secret.
func FuzzGuardTraces(f *testing.F) {
	f.Add([]byte(editedLine))
	f.Add([]byte(`{"resourceSpans":[{"scopeSpans":[{"spans":[{"name":"x","attributes":[{"key":"agentwrap.notes","value":{"arrayValue":{"values":[{"stringValue":"Bearer abcdefghijklmnopqrstuvwx"}]}}}]}]}]}]}`))
	f.Add([]byte(`{"resourceSpans":[{"resource":{"attributes":[{"key":"k","value":{"kvlistValue":{"values":[{"key":"a","value":{"stringValue":"AKIAIOSFODNN7EXAMPLE"}}]}}}]},"scopeSpans":[{"spans":[{}]}]}]}`))
	g := redact.NewGuard(tracesAllowed, redact.NewScanner("known-secret-value-42"))
	f.Fuzz(func(t *testing.T, line []byte) {
		var u ptrace.JSONUnmarshaler
		td, err := u.UnmarshalTraces(line)
		if err != nil {
			return
		}
		n := td.SpanCount()
		g.Traces(td)
		if td.SpanCount() != n {
			t.Fatalf("the guard changed the span count from %d to %d", n, td.SpanCount())
		}
		checkGuarded(t, td, g)
	})
}

// checkGuarded fails when td holds anything the guard must not let out.
func checkGuarded(t *testing.T, td ptrace.Traces, g *redact.Guard) {
	t.Helper()
	sc := redact.NewScanner("known-secret-value-42")
	check := func(what, s string) {
		if _, hit := sc.Scrub(s); hit {
			t.Fatalf("%s %q still holds a secret", what, s)
		}
	}
	for _, rs := range td.ResourceSpans().All() {
		check("resource schema URL", rs.SchemaUrl())
		checkMap(t, "resource", rs.Resource().Attributes(), check)
		for _, ss := range rs.ScopeSpans().All() {
			check("scope name", ss.Scope().Name())
			check("scope version", ss.Scope().Version())
			check("scope schema URL", ss.SchemaUrl())
			if ss.Scope().Attributes().Len() > 0 {
				t.Fatal("scope attributes left")
			}
			for _, s := range ss.Spans().All() {
				check("span name", s.Name())
				check("status message", s.Status().Message())
				if s.Events().Len()+s.Links().Len() > 0 || s.TraceState().AsRaw() != "" {
					t.Fatal("events, links or a trace state left")
				}
				for k := range s.Attributes().All() {
					if !slices.Contains(tracesAllowed, k) {
						t.Fatalf("attribute %q is not allowed", k)
					}
				}
				checkMap(t, "span", s.Attributes(), check)
			}
		}
	}
}

func checkMap(t *testing.T, what string, m pcommon.Map, check func(what, s string)) {
	t.Helper()
	for k, v := range m.All() {
		check(what+" key", k)
		checkValue(t, what+" "+k, v, check)
	}
}

func checkValue(t *testing.T, what string, v pcommon.Value, check func(what, s string)) {
	t.Helper()
	switch v.Type() {
	case pcommon.ValueTypeStr:
		check(what, v.Str())
	case pcommon.ValueTypeSlice:
		for _, e := range v.Slice().All() {
			checkValue(t, what, e, check)
		}
	case pcommon.ValueTypeMap:
		checkMap(t, what, v.Map(), check)
	case pcommon.ValueTypeBytes:
		t.Fatalf("%s: bytes left", what)
	}
}
