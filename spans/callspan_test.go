package spans

import (
	"context"
	"reflect"
	"testing"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/agentwrap/agentwrap/call"
	"github.com/agentwrap/agentwrap/redact"
)

// TestCallSpanIsTheSDKSpan records the same calls through the provider's
// run tracer (call spans made without the SDK) and through a plain SDK
// tracer of the same provider (the SDK's recording span), under the same
// run span, and compares what the guard lets out of both, field by field:
// everything but the span ID is the same.
func TestCallSpanIsTheSDKSpan(t *testing.T) {
	const key = "sk-canary-callspan-0123456789abcdef"
	rf := &KeepSpans{}
	guard := redact.NewGuard(SchemaNames(), redact.NewScanner(key))
	env := map[string]string{"OTEL_RESOURCE_ATTRIBUTES": "team=platform,leak=" + key}
	p, err := NewProvider(context.Background(), ProviderOptions{RunFile: rf, Getenv: func(k string) string { return env[k] },
		Guard: func(e sdktrace.SpanExporter) sdktrace.SpanExporter { return redact.WrapExporter(e, guard) }})
	if err != nil {
		t.Fatal(err)
	}
	fast := p.RunTracer()
	if _, ok := fast.(*runTracer); !ok {
		t.Fatalf("RunTracer is a %T, not the run tracer", fast)
	}
	sdk := p.TracerProvider.Tracer(ScopeName, trace.WithSchemaURL(p.Conventions.SchemaURL()))
	runCtx, run := fast.Start(context.Background(), "invoke_agent test")
	start := time.Date(2026, 12, 6, 1, 2, 3, 4, time.UTC)
	calls := []call.Call{
		{Family: call.FamilyChatCompletions, Method: "POST", Path: "/v1/chat/completions", Start: start, End: start.Add(time.Second),
			RequestModel: "gpt-5", StatusCode: 200, ContentType: "application/json", Usage: call.Usage{Input: 3, Output: 4, CacheRead: -1, CacheCreation: -1, Reasoning: -1},
			ResponseModel: "gpt-5", ResponseID: "chatcmpl-1", FinishReasons: []string{"stop"}, RequestMaxTokens: -1, UserAgent: "claude-cli/2.1.330"},
		{Family: call.FamilyMessages, Method: "POST", Path: "/v1/messages", Start: start, End: start.Add(2 * time.Second),
			RequestModel: "claude " + key, StatusCode: 500, Usage: call.NoUsage(), RequestMaxTokens: 64},
		{Family: call.FamilyUnknown, Method: "GET", Path: "/v1/whatever", Start: start, End: start.Add(time.Millisecond), TransportError: "timeout", Usage: call.NoUsage(), RequestMaxTokens: -1},
	}
	for _, tr := range []trace.Tracer{fast, sdk} {
		rec := NewRecorder(tr, runCtx, "run-1", nil)
		for i := range calls {
			c := calls[i]
			rec.Observe(&c)
		}
	}
	run.End()
	if err := p.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	got := rf.Spans()
	if len(got) != 2*len(calls)+1 {
		t.Fatalf("%d spans exported, want %d", len(got), 2*len(calls)+1)
	}
	runSC := run.SpanContext()
	for i := range calls {
		f, s := got[i], got[len(calls)+i]
		if !f.SpanContext().IsValid() || f.SpanContext().SpanID() == s.SpanContext().SpanID() || f.SpanContext().SpanID() == runSC.SpanID() {
			t.Errorf("call %d: span IDs %s (fast) and %s (SDK): want valid and distinct", i, f.SpanContext().SpanID(), s.SpanContext().SpanID())
		}
		if f.SpanContext().TraceID() != runSC.TraceID() || !f.Parent().Equal(s.Parent()) || f.Parent().SpanID() != runSC.SpanID() {
			t.Errorf("call %d: trace %s parent %v, want the run span's trace and the SDK span's parent %v", i, f.SpanContext().TraceID(), f.Parent(), s.Parent())
		}
		if f.SpanContext().TraceFlags() != s.SpanContext().TraceFlags() || f.SpanContext().TraceState().String() != s.SpanContext().TraceState().String() ||
			f.SpanContext().IsRemote() != s.SpanContext().IsRemote() {
			t.Errorf("call %d: span context %v, SDK's %v", i, f.SpanContext(), s.SpanContext())
		}
		for _, m := range []string{"Name", "SpanKind", "StartTime", "EndTime", "Attributes", "Links", "Events", "Status",
			"InstrumentationScope", "InstrumentationLibrary", "DroppedAttributes", "DroppedLinks", "DroppedEvents", "ChildSpanCount"} {
			fv := reflect.ValueOf(f).MethodByName(m).Call(nil)[0].Interface()
			sv := reflect.ValueOf(s).MethodByName(m).Call(nil)[0].Interface()
			if !reflect.DeepEqual(fv, sv) {
				t.Errorf("call %d: %s is %v, the SDK span's %v", i, m, fv, sv)
			}
		}
		if !f.Resource().Equal(s.Resource()) {
			t.Errorf("call %d: resource %v, the SDK span's %v", i, f.Resource(), s.Resource())
		}
	}
}

// TestCallSpanOverridesEveryMethod calls every exported method of
// sdktrace.ReadOnlySpan on a callSpan: its embedded ReadOnlySpan is nil,
// so a method it does not define (one a new SDK version added) panics
// here instead of in a run.
func TestCallSpanOverridesEveryMethod(t *testing.T) {
	s := reflect.ValueOf(&callSpan{scope: &p0.scope})
	it := reflect.TypeFor[sdktrace.ReadOnlySpan]()
	for i := range it.NumMethod() {
		m := it.Method(i)
		if !m.IsExported() {
			continue
		}
		func() {
			defer func() {
				if r := recover(); r != nil {
					t.Errorf("callSpan.%s: %v (callSpan must define it)", m.Name, r)
				}
			}()
			s.MethodByName(m.Name).Call(nil)
		}()
	}
}

// p0 is a provider's zero value, for its scope field.
var p0 Provider

// TestCallSpanWithoutRunSpanIsARoot records a call under a context with no
// span: like the SDK, the call span starts a trace of its own.
func TestCallSpanWithoutRunSpanIsARoot(t *testing.T) {
	rf := &KeepSpans{}
	p, err := NewProvider(context.Background(), ProviderOptions{RunFile: rf, Getenv: func(string) string { return "" }})
	if err != nil {
		t.Fatal(err)
	}
	rec := NewRecorder(p.RunTracer(), context.Background(), "run-1", nil)
	for range 2 {
		rec.Observe(&call.Call{Family: call.FamilyChatCompletions, Usage: call.NoUsage(), RequestMaxTokens: -1})
	}
	if err := p.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	// After Shutdown began, no span is exported.
	rec.Observe(&call.Call{Family: call.FamilyChatCompletions, Usage: call.NoUsage(), RequestMaxTokens: -1})
	kept := rf.Spans()
	if len(kept) != 2 {
		t.Fatalf("%d spans, want 2 (none after shutdown)", len(kept))
	}
	a, b := kept[0], kept[1]
	if !a.SpanContext().IsValid() || a.Parent().IsValid() || a.SpanContext().TraceID() == b.SpanContext().TraceID() {
		t.Errorf("spans %v (parent %v) and %v: want two valid roots of distinct traces", a.SpanContext(), a.Parent(), b.SpanContext())
	}
}
