package redact

import (
	"context"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
)

// Budget: the guard adds at most 5 µs and 10 allocations per span on
// typical attributes (BenchmarkGuardTypicalSpan).

func typicalGuard() (*Guard, []attribute.KeyValue) {
	attrs := typicalAttributes()
	allow := make([]string, 0, len(attrs)+10)
	for _, kv := range attrs {
		allow = append(allow, string(kv.Key))
	}
	allow = append(allow, "agentwrap.calls", "agentwrap.profile", "process.exit.code")
	return NewGuard(allow, NewScanner(canaryKey, canaryToken)), attrs
}

func BenchmarkGuardTypicalSpan(b *testing.B) {
	g, attrs := typicalGuard()
	b.ReportAllocs()
	for b.Loop() {
		out, dropped, masked := g.Attributes(attrs)
		if len(out) != len(attrs) || dropped+masked != 0 {
			b.Fatal("typical span was changed")
		}
	}
}

// BenchmarkWrapExporter measures the whole per-span cost of the exporter
// wrapper (attributes, name, status, resource) on a batch of one span.
func BenchmarkWrapExporter(b *testing.B) {
	g, attrs := typicalGuard()
	stub := tracetest.SpanStub{
		Name:       "chat claude-sonnet-4-5",
		SpanKind:   trace.SpanKindClient,
		Attributes: attrs,
		Resource:   resource.NewSchemaless(attribute.String("service.name", "agentwrap"), attribute.String("agentwrap.run_id", "20261130T025754Z-3f9a2c")),
	}
	spans := []sdktrace.ReadOnlySpan{stub.Snapshot()}
	x := WrapExporter(discard{}, g)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if err := x.ExportSpans(ctx, spans); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkScrubClean(b *testing.B) {
	sc := NewScanner(canaryKey, canaryToken)
	b.ReportAllocs()
	for b.Loop() {
		for _, v := range cleanValues {
			if _, hit := sc.Scrub(v); hit {
				b.Fatal(v)
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(cleanValues)), "ns/value")
}

func BenchmarkScrubSecret(b *testing.B) {
	sc := NewScanner(canaryKey, canaryToken)
	b.ReportAllocs()
	for b.Loop() {
		for _, tc := range secretCases {
			sc.Scrub(tc.secret)
		}
	}
}

type discard struct{}

func (discard) ExportSpans(context.Context, []sdktrace.ReadOnlySpan) error { return nil }
func (discard) Shutdown(context.Context) error                             { return nil }
