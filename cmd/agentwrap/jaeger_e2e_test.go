package main

import (
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/agentwrap/agentwrap/internal/collectortest"
	"github.com/agentwrap/agentwrap/internal/jaegertest"
	"github.com/agentwrap/agentwrap/internal/otlptest"
	"github.com/agentwrap/agentwrap/internal/upstreamtest"
	"github.com/agentwrap/agentwrap/spans"
)

// These tests run a real Jaeger v2 (collector/build-jaeger.sh, started with
// the shipped collector/jaeger.yaml) and read what agentwrap sent back
// through Jaeger's query APIs, as a user's tools would.

const (
	jaegerPrefix = "sk-canary-jaeger-"
	// plantedResource is an OTEL_RESOURCE_ATTRIBUTES entry outside the
	// collector's allowlist: agentwrap passes the user's resource
	// attributes on, the collector removes it.
	plantedResourceKey   = "deployment.owner"
	plantedResourceValue = "planted-owner-7c1"
)

// canaryRuns runs agentwrap n times with the canary agent (six requests
// each: five calls, one of them failing, and one refused for a wrong
// credential, which is counted on the run span, not a span of its own),
// exporting to endpoint, and returns the runs.
func canaryRuns(t *testing.T, n int, endpoint string) []result {
	t.Helper()
	realKey := jaegerPrefix + "realkey-0123456789abcdef"
	up := upstreamtest.Start(t, upstreamtest.WithKey(realKey))
	state := t.TempDir()
	var runs []result
	for i := range n {
		env := append(baseEnv(t), "COMETAPI_KEY="+realKey, "CANARY_PREFIX="+jaegerPrefix,
			"OTEL_EXPORTER_OTLP_ENDPOINT="+endpoint,
			"OTEL_RESOURCE_ATTRIBUTES="+plantedResourceKey+"="+plantedResourceValue)
		r := runBinary(t, invocation{
			state: state, runID: fmt.Sprintf("jaeger-run-%d", i), env: env,
			args: []string{"--upstream", up.URL(), "--profile", "generic", "--", canaryAgent(t)},
		})
		if r.code != 0 || !strings.Contains(r.stdout, "canaryagent: 6 calls") || len(r.spans) != 6 {
			t.Fatalf("run %d: exit %d, %d spans\n%s\n%s", i, r.code, len(r.spans), r.stdout, r.stderr)
		}
		runs = append(runs, r)
	}
	return runs
}

// checkJaegerHoldsTheRuns asserts Jaeger holds each run as one trace: the
// spans of its run file, each exactly once, the call spans children of the
// run span, every attribute with the value and type the run file has, the
// resource as resource makes it of the run file's; and that a search finds
// exactly the failing calls.
func checkJaegerHoldsTheRuns(t *testing.T, j *jaegertest.Jaeger, runs []result, resource func(map[string]any) map[string]any) {
	t.Helper()
	want := 0
	sent := map[string]otlptest.Span{}
	for _, r := range runs {
		want += len(r.spans)
		for _, s := range r.spans {
			sent[s.SpanID] = s
		}
	}
	got := j.WaitSpans(t, "agentwrap", want)
	traces := map[string][]otlptest.Span{}
	seen := map[string]int{}
	for _, s := range got {
		traces[s.TraceID] = append(traces[s.TraceID], s)
		seen[s.SpanID]++
	}
	if len(got) != want || len(traces) != len(runs) {
		t.Errorf("Jaeger holds %d spans in %d traces, want %d spans in %d traces (one per run)", len(got), len(traces), want, len(runs))
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("span %s is in Jaeger %d times", id, n)
		}
	}
	for _, r := range runs {
		root := runSpan(t, r.spans)
		trace := j.Trace(t, root.TraceID) // GET /api/v3/traces/{id}
		if len(trace) != len(r.spans) {
			t.Errorf("trace %s has %d spans, the run file %d", root.TraceID, len(trace), len(r.spans))
		}
		for _, s := range trace {
			checkSpanInJaeger(t, s, sent, root, resource)
		}
	}
	checkErrorSearch(t, j, sent)
}

func checkSpanInJaeger(t *testing.T, s otlptest.Span, sent map[string]otlptest.Span, root otlptest.Span, resource func(map[string]any) map[string]any) {
	t.Helper()
	w, ok := sent[s.SpanID]
	if !ok {
		t.Errorf("Jaeger holds span %q (%s), which no run file has", s.Name, s.SpanID)
		return
	}
	switch {
	case s.SpanID == root.SpanID:
		if s.ParentSpanID != "" || s.Kind != "Internal" || !strings.HasPrefix(s.Name, "invoke_agent ") ||
			s.Str(string(spans.GenAIOperationName)) != "invoke_agent" {
			t.Errorf("run span %q: parent %q, kind %s, operation %q", s.Name, s.ParentSpanID, s.Kind, s.Str(string(spans.GenAIOperationName)))
		}
	case s.ParentSpanID != root.SpanID || s.Kind != "Client":
		t.Errorf("call span %q: parent %q kind %s, want a CLIENT child of the run span %s", s.Name, s.ParentSpanID, s.Kind, root.SpanID)
	}
	if s.Name != w.Name || s.StatusCode != w.StatusCode || !s.Start.Equal(w.Start) || !s.End.Equal(w.End) {
		t.Errorf("span %s: %q %s %v-%v in Jaeger, %q %s %v-%v in the run file", s.SpanID, s.Name, s.StatusCode, s.Start, s.End, w.Name, w.StatusCode, w.Start, w.End)
	}
	// Values and their types (string, int64, float64, bool, []any) as sent.
	if !reflect.DeepEqual(s.Attrs, w.Attrs) {
		t.Errorf("span %q attributes in Jaeger:\n%#v\nin the run file:\n%#v", s.Name, s.Attrs, w.Attrs)
	}
	for k := range s.Attrs {
		if !slices.Contains(spans.SchemaNames(), k) {
			t.Errorf("span %q carries %s, outside the span schema", s.Name, k)
		}
	}
	if res := resource(maps.Clone(w.Resource)); !reflect.DeepEqual(s.Resource, res) {
		t.Errorf("span %q resource in Jaeger %v, want %v", s.Name, s.Resource, res)
	}
	typed := map[string]string{
		string(spans.RunID): "string", string(spans.CredentialRedacted): "bool", string(spans.Calls): "int64",
		string(spans.HTTPResponseStatusCode): "int64", string(spans.ServerPort): "int64", string(spans.SourceURLs): "[]interface {}",
		string(spans.GenAIUsageInputTokens): "int64", string(spans.GenAIResponseTimeToFirstChunk): "float64",
	}
	for k, typ := range typed {
		if v, ok := s.Attrs[k]; ok && fmt.Sprintf("%T", v) != typ {
			t.Errorf("span %q: %s is a %T in Jaeger, want %s", s.Name, k, v, typ)
		}
	}
}

// checkErrorSearch: a tag search for agentwrap.result_class=fail (v1 API,
// as the UI searches) finds the runs with failing calls, and the spans
// Jaeger marks error=true in them are exactly the failing calls, the spans
// with status Error. (Jaeger 2.12's in-memory storage does not find
// OTLP spans with status Error by the search error=true,
// jaegertracing/jaeger#8553; the README says so.)
func checkErrorSearch(t *testing.T, j *jaegertest.Jaeger, sent map[string]otlptest.Span) {
	t.Helper()
	var want, got []string
	for id, s := range sent {
		if s.StatusCode == "Error" {
			want = append(want, id)
			// Every span that did not pass is an error (needs_follow_up
			// too, README "Metrics and the conventions version"); the
			// canary runs have fail calls only.
			if s.Str(string(spans.ResultClass)) != spans.ResultFail {
				t.Errorf("span %q has status Error and result %q, want fail in these runs", s.Name, s.Str(string(spans.ResultClass)))
			}
		}
	}
	for _, s := range j.SearchTags(t, "agentwrap", map[string]string{string(spans.ResultClass): spans.ResultFail}) {
		if v, ok := s.Tag("error"); ok && v == true {
			got = append(got, s.SpanID)
			if rc, _ := s.Tag(string(spans.ResultClass)); rc != spans.ResultFail {
				t.Errorf("error span %q: result class %v", s.OperationName, rc)
			}
		}
	}
	slices.Sort(want)
	slices.Sort(got)
	if len(want) == 0 || !slices.Equal(got, want) {
		t.Errorf("error search found spans %v, want the failing calls %v", got, want)
	}
}

// TestJaegerStraightFromAgentwrap: agentwrap exports straight to Jaeger's
// OTLP/HTTP receiver, no collector.
func TestJaegerStraightFromAgentwrap(t *testing.T) {
	j := jaegertest.Start(t)
	runs := canaryRuns(t, 2, j.OTLPHTTPEndpoint)
	checkJaegerHoldsTheRuns(t, j, runs, func(r map[string]any) map[string]any { return r })
	for _, s := range j.Spans(t, "agentwrap") {
		if s.Resource[plantedResourceKey] != plantedResourceValue {
			t.Errorf("span %q lost the resource attribute the user set: %v", s.Name, s.Resource)
		}
	}
	for _, r := range runs {
		assertNoCanary(t, r, [][]byte{j.Raw(), []byte(j.Output())}, jaegerPrefix)
	}
}

// TestJaegerThroughTheShippedCollector: agentwrap exports to the collector
// distribution running the shipped otelcol.yaml, which exports to Jaeger;
// a resource attribute outside the allowlist and a span with planted
// sensitive attributes (sent the way another SDK would) arrive without them.
func TestJaegerThroughTheShippedCollector(t *testing.T) {
	j := jaegertest.Start(t)
	col := collectortest.Start(t, collectortest.CollectorDir()+"/otelcol.yaml", "JAEGER_OTLP_ENDPOINT="+j.OTLPHTTPEndpoint)
	runs := canaryRuns(t, 2, col.HTTPEndpoint)
	// The collector removed the planted resource attribute and counted it.
	checkJaegerHoldsTheRuns(t, j, runs, func(r map[string]any) map[string]any {
		delete(r, plantedResourceKey)
		r["redaction.redacted.count"] = int64(1)
		return r
	})

	sendPlanted(t, col.HTTPEndpoint)
	total := 1
	for _, r := range runs {
		total += len(r.spans)
	}
	var planted []otlptest.Span
	for _, s := range j.WaitSpans(t, "agentwrap", total) {
		if s.Name == "planted" {
			planted = append(planted, s)
		}
	}
	if len(planted) != 1 {
		t.Fatalf("%d planted spans in Jaeger, want 1", len(planted))
	}
	p := planted[0]
	for _, k := range []string{"gen_ai.prompt", "http.request.header.authorization"} {
		if p.Has(k) {
			t.Errorf("planted attribute %s reached Jaeger", k)
		}
	}
	if n := p.Str(string(spans.Notes)); n != "note with ****" {
		t.Errorf("notes reached Jaeger as %q, want the credential masked", n)
	}
	if p.Int("redaction.redacted.count") != 2 || p.Int("redaction.masked.count") != 1 {
		t.Errorf("redaction counts %v, want 2 removed and 1 masked", p.Attrs)
	}
	canaries := []string{jaegerPrefix, plantedToken, plantedPrompt, plantedResourceValue}
	for _, r := range runs {
		assertNoCanary(t, r, [][]byte{j.Raw(), []byte(j.Output()), []byte(col.Output())}, canaries[:1]...)
	}
	for _, c := range canaries {
		if strings.Contains(string(j.Raw())+j.Output()+col.Output(), c) {
			t.Errorf("planted %q reached Jaeger or a log", c)
		}
	}
}
