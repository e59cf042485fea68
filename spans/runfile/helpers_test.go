package runfile_test

import (
	"context"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
)

const canary = "sk-canary-runfile-91c2"

// attrsOfEveryType holds one attribute of each attribute.Type but EMPTY.
func attrsOfEveryType() []attribute.KeyValue {
	return []attribute.KeyValue{
		attribute.String("t.string", "value"),
		attribute.Bool("t.bool", true),
		attribute.Int64("t.int", -42),
		attribute.Float64("t.float", 2.5),
		attribute.StringSlice("t.strings", []string{"a", "b"}),
		attribute.BoolSlice("t.bools", []bool{true, false}),
		attribute.Int64Slice("t.ints", []int64{1, 2, 3}),
		attribute.Float64Slice("t.floats", []float64{0.5, 1.5}),
		attribute.ByteSlice("t.bytes", []byte{0, 1, 0xff}),
		attribute.Slice("t.slice", attribute.StringValue("x"), attribute.Int64Value(7)),
		attribute.Map("t.map", attribute.String("k", "v"), attribute.Int64("n", 1)),
	}
}

// testResource is the resource of the spans tests record.
func testResource() *resource.Resource {
	return resource.NewSchemaless(attribute.String("service.name", "agentwrap-test"),
		attribute.String("agentwrap.run_id", "run-1"))
}

// recordRun records a run span with a client child through tp: the child
// has attributes of every type, an event, a link to its parent and an error
// status. It returns the two span contexts.
func recordRun(tp trace.TracerProvider) (root, child trace.SpanContext) {
	tr := tp.Tracer("agentwrap/test", trace.WithInstrumentationVersion("1.2.3"),
		trace.WithInstrumentationAttributes(attribute.String("scope.attr", "s")))
	ctx, rs := tr.Start(context.Background(), "invoke_agent claude")
	_, cs := tr.Start(ctx, "chat gpt-5", trace.WithSpanKind(trace.SpanKindClient),
		trace.WithLinks(trace.Link{SpanContext: rs.SpanContext(), Attributes: []attribute.KeyValue{attribute.String("link.attr", "l")}}))
	cs.SetAttributes(attrsOfEveryType()...)
	cs.SetAttributes(attribute.String("agentwrap.notes", canary))
	cs.AddEvent("first_chunk", trace.WithAttributes(attribute.Int("chunk", 1)))
	cs.SetStatus(codes.Error, "upstream 500")
	cs.End()
	rs.SetStatus(codes.Ok, "")
	rs.End()
	return rs.SpanContext(), cs.SpanContext()
}

// snapshots returns the ended spans of recordRun, child first.
func snapshots(tb testing.TB) []sdktrace.ReadOnlySpan {
	tb.Helper()
	var rec recorder
	tp := sdktrace.NewTracerProvider(sdktrace.WithResource(testResource()), sdktrace.WithSyncer(&rec))
	recordRun(tp)
	if err := tp.Shutdown(context.Background()); err != nil {
		tb.Fatal(err)
	}
	return rec.spans
}

type recorder struct{ spans []sdktrace.ReadOnlySpan }

func (r *recorder) ExportSpans(_ context.Context, s []sdktrace.ReadOnlySpan) error {
	r.spans = append(r.spans, s...)
	return nil
}
func (r *recorder) Shutdown(context.Context) error { return nil }
