package runfile_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/sdk/instrumentation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/agentwrap/agentwrap/internal/otlptest"
	"github.com/agentwrap/agentwrap/spans/runfile"
)

// TestToTracesMatchesOTLPExporter sends the same spans through the SDK's
// OTLP/HTTP exporter and through ToTraces: the run file must hold what a
// collector receives.
func TestToTracesMatchesOTLPExporter(t *testing.T) {
	spans := snapshots(t)
	r := otlptest.NewReceiver(t)
	exp, err := otlptracehttp.New(context.Background(), otlptracehttp.WithEndpointURL(r.TracesURL()))
	if err != nil {
		t.Fatal(err)
	}
	defer exp.Shutdown(context.Background())
	if err := exp.ExportSpans(context.Background(), spans); err != nil {
		t.Fatal(err)
	}
	got, want := otlptest.Flatten(runfile.ToTraces(spans)), r.Spans()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ToTraces:\n%+v\nOTLP exporter:\n%+v", got, want)
	}
}

var (
	tid    = trace.TraceID{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}
	sidA   = trace.SpanID{1, 1, 1, 1, 1, 1, 1, 1}
	sidB   = trace.SpanID{2, 2, 2, 2, 2, 2, 2, 2}
	resA   = resource.NewSchemaless(attribute.String("service.name", "a"))
	resB   = resource.NewWithAttributes("https://opentelemetry.io/schemas/1.26.0", attribute.String("service.name", "b"))
	scope1 = instrumentation.Scope{Name: "one"}
	scope2 = instrumentation.Scope{Name: "two", Version: "2", SchemaURL: "https://example.com/s"}
)

func stub(name string, res *resource.Resource, scope instrumentation.Scope) tracetest.SpanStub {
	return tracetest.SpanStub{
		Name:                 name,
		SpanContext:          trace.NewSpanContext(trace.SpanContextConfig{TraceID: tid, SpanID: sidA, TraceFlags: trace.FlagsSampled}),
		Resource:             res,
		InstrumentationScope: scope,
	}
}

// TestToTracesGrouping groups by resource, then scope, in order of first
// appearance, and skips nil spans.
func TestToTracesGrouping(t *testing.T) {
	ro := tracetest.SpanStubs{
		stub("a1", resA, scope1), stub("b1", resB, scope1), stub("a2", resA, scope2),
		stub("a3", resA, scope1), stub("b2", resB, scope1),
	}.Snapshots()
	td := runfile.ToTraces(append(ro[:2:2], append([]sdktrace.ReadOnlySpan{nil}, ro[2:]...)...))
	var got [][]string
	for _, rs := range td.ResourceSpans().All() {
		for _, ss := range rs.ScopeSpans().All() {
			group := []string{rs.SchemaUrl(), ss.Scope().Name(), ss.SchemaUrl()}
			for _, s := range ss.Spans().All() {
				group = append(group, s.Name())
			}
			got = append(got, group)
		}
	}
	want := [][]string{
		{"", "one", "", "a1", "a3"},
		{"", "two", "https://example.com/s", "a2"},
		{"https://opentelemetry.io/schemas/1.26.0", "one", "", "b1", "b2"},
	}
	if !reflect.DeepEqual(got, want) || td.ResourceSpans().Len() != 2 {
		t.Errorf("groups = %v, want %v", got, want)
	}
	if runfile.ToTraces(nil).SpanCount() != 0 {
		t.Error("no spans must give empty traces")
	}
}

func TestToTracesDetails(t *testing.T) {
	ts, err := trace.ParseTraceState("vendor=value")
	if err != nil {
		t.Fatal(err)
	}
	s := stub("remote child", resA, scope1)
	s.SpanContext = s.SpanContext.WithTraceState(ts)
	s.Parent = trace.NewSpanContext(trace.SpanContextConfig{TraceID: tid, SpanID: sidB, Remote: true})
	s.SpanKind = trace.SpanKindServer
	s.DroppedAttributes, s.DroppedEvents, s.DroppedLinks = 3, 4, 5
	s.Attributes = []attribute.KeyValue{{Key: "empty"}}
	s.Links = []sdktrace.Link{{SpanContext: s.Parent, DroppedAttributeCount: 2}}
	s.Events = []sdktrace.Event{{Name: "e", Time: time.Unix(5, 6), DroppedAttributeCount: 1}}
	got := runfile.ToTraces(tracetest.SpanStubs{s}.Snapshots()).ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0)

	if got.TraceState().AsRaw() != "vendor=value" || got.Kind() != ptrace.SpanKindServer {
		t.Errorf("trace state %q, kind %v", got.TraceState().AsRaw(), got.Kind())
	}
	if got.Flags() != 0x301 || got.Links().At(0).Flags() != 0x300 {
		t.Errorf("flags = %#x, link flags %#x; want remote parent bits", got.Flags(), got.Links().At(0).Flags())
	}
	if got.DroppedAttributesCount() != 3 || got.DroppedEventsCount() != 4 || got.DroppedLinksCount() != 5 ||
		got.Links().At(0).DroppedAttributesCount() != 2 || got.Events().At(0).DroppedAttributesCount() != 1 {
		t.Error("dropped counts lost")
	}
	if got.StartTimestamp() != 0 || got.EndTimestamp() != 0 || got.Events().At(0).Timestamp() != 5_000_000_006 {
		t.Errorf("times: zero start/end must be unset; event at %d", got.Events().At(0).Timestamp())
	}
	if v, ok := got.Attributes().Get("empty"); !ok || v.Type().String() != "Empty" {
		t.Errorf("empty attribute = %v %v", v.Type(), ok)
	}
	if got.Status().Code() != ptrace.StatusCodeUnset {
		t.Errorf("status %v", got.Status().Code())
	}
}
