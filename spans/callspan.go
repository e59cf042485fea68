package spans

import (
	"context"
	"math/rand/v2"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/instrumentation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
)

// runTracer is the tracer Provider.RunTracer returns: the SDK's tracer for
// the run span, and a direct way to the guarded exporter for call spans.
// A call span is complete when it is made (the call has ended), so the
// SDK's recording span, built to be changed while it lives, then copied
// into a snapshot at End, is work and garbage without a purpose there:
// about 5 µs and 3 KB per call (PERFORMANCE.md, "Where a call's CPU
// goes").
type runTracer struct {
	trace.Tracer
	p *Provider
}

// emitCall exports one ended call span, child of parent, through the same
// guarded exporter the SDK's span processor feeds: it is guarded once and
// goes to the run file and to OTLP like any other span. attrs become the
// span's own. After the provider's shutdown began the span is dropped, as
// the SDK drops spans that end then.
func (t *runTracer) emitCall(parent trace.SpanContext, name string, start, end time.Time, attrs []attribute.KeyValue, status sdktrace.Status) {
	p := t.p
	if p.shut.Load() {
		return
	}
	tid := parent.TraceID()
	if !parent.IsValid() {
		// No run span: the call span is a root, as the SDK makes it.
		parent, tid = trace.SpanContext{}, newTraceID()
	}
	s := &callSpan{
		name: name,
		sc: trace.NewSpanContext(trace.SpanContextConfig{
			TraceID:    tid,
			SpanID:     newSpanID(),
			TraceFlags: parent.TraceFlags() | trace.FlagsSampled,
			TraceState: parent.TraceState(),
		}),
		parent: parent, start: start, end: end,
		attrs: attrs, status: status, scope: &p.scope, res: p.res,
	}
	s.one[0] = s
	if err := p.guarded.ExportSpans(context.Background(), s.one[:]); err != nil {
		otel.Handle(err)
	}
}

// newSpanID returns a random, non-zero span ID, as the SDK's default ID
// generator does (math/rand/v2's generator is seeded per thread from the
// runtime's randomness).
func newSpanID() trace.SpanID {
	var id trace.SpanID
	for {
		v := rand.Uint64()
		if v == 0 {
			continue
		}
		for i := range id {
			id[i] = byte(v >> (56 - 8*i))
		}
		return id
	}
}

// newTraceID returns a random, non-zero trace ID.
func newTraceID() trace.TraceID {
	var id trace.TraceID
	for !id.IsValid() {
		hi, lo := rand.Uint64(), rand.Uint64()
		for i := range 8 {
			id[i], id[8+i] = byte(hi>>(56-8*i)), byte(lo>>(56-8*i))
		}
	}
	return id
}

// callSpan is an ended call span made without the SDK: a client span with
// attributes and a status, no events, links or children. It holds what
// the SDK's snapshot of the same span would hold
// (TestCallSpanIsTheSDKSpan).
type callSpan struct {
	// ReadOnlySpan is nil: it is embedded only for the interface's
	// unexported method. Every exported method is callSpan's own
	// (TestCallSpanOverridesEveryMethod), so none reaches the nil.
	sdktrace.ReadOnlySpan
	name       string
	sc, parent trace.SpanContext
	start, end time.Time
	attrs      []attribute.KeyValue
	status     sdktrace.Status
	scope      *instrumentation.Scope
	res        *resource.Resource
	// one is the batch of this span alone handed to the exporter: one
	// allocation for both.
	one [1]sdktrace.ReadOnlySpan
}

func (s *callSpan) Name() string                                { return s.name }
func (s *callSpan) SpanContext() trace.SpanContext              { return s.sc }
func (s *callSpan) Parent() trace.SpanContext                   { return s.parent }
func (s *callSpan) SpanKind() trace.SpanKind                    { return trace.SpanKindClient }
func (s *callSpan) StartTime() time.Time                        { return s.start }
func (s *callSpan) EndTime() time.Time                          { return s.end }
func (s *callSpan) Attributes() []attribute.KeyValue            { return s.attrs }
func (s *callSpan) Links() []sdktrace.Link                      { return nil }
func (s *callSpan) Events() []sdktrace.Event                    { return nil }
func (s *callSpan) Status() sdktrace.Status                     { return s.status }
func (s *callSpan) InstrumentationScope() instrumentation.Scope { return *s.scope }
func (s *callSpan) Resource() *resource.Resource                { return s.res }
func (s *callSpan) DroppedAttributes() int                      { return 0 }
func (s *callSpan) DroppedLinks() int                           { return 0 }
func (s *callSpan) DroppedEvents() int                          { return 0 }
func (s *callSpan) ChildSpanCount() int                         { return 0 }

// InstrumentationLibrary is InstrumentationScope, under the name the
// interface keeps for compatibility.
//
//lint:ignore SA1019 sdktrace.ReadOnlySpan still has this method.
func (s *callSpan) InstrumentationLibrary() instrumentation.Library {
	return *s.scope
}
