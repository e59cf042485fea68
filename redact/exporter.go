package redact

import (
	"context"
	"sync/atomic"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
)

// WrapExporter returns an exporter that passes every span through g before
// handing it to e: attributes filtered by the allowlist and scanned, span
// name and status description scrubbed, events, links and trace state
// dropped, resource attribute values scrubbed (keys kept). A span on which
// anything was dropped or masked gets FlagKey=false and CountKey set to the
// number of drops and masks; on any other span FlagKey stays as its producer
// set it. Shutdown and ForceFlush pass through.
//
// A nil g is the guard with an empty allowlist: every attribute is dropped.
func WrapExporter(e sdktrace.SpanExporter, g *Guard) sdktrace.SpanExporter {
	if g == nil {
		g = NewGuard(nil, nil)
	}
	return &exporter{next: e, g: g}
}

type exporter struct {
	next sdktrace.SpanExporter
	g    *Guard
	// res caches the scrubbed form of the last resource seen: a provider
	// has one resource, so this is computed once, not per span.
	res atomic.Pointer[resourceMemo]
}

type resourceMemo struct {
	in, out *resource.Resource
	masked  int
}

// ExportSpans guards each span and exports the result.
func (x *exporter) ExportSpans(ctx context.Context, spans []sdktrace.ReadOnlySpan) error {
	if len(spans) == 1 {
		// The batch of a simple span processor: one allocation holds both.
		one := new(guardedOne)
		x.guard(&one.span, spans[0])
		one.out[0] = &one.span
		return x.next.ExportSpans(ctx, one.out[:])
	}
	out := make([]sdktrace.ReadOnlySpan, len(spans))
	guarded := make([]guardedSpan, len(spans))
	for i, s := range spans {
		x.guard(&guarded[i], s)
		out[i] = &guarded[i]
	}
	return x.next.ExportSpans(ctx, out)
}

// Shutdown shuts the wrapped exporter down.
func (x *exporter) Shutdown(ctx context.Context) error { return x.next.Shutdown(ctx) }

// ForceFlush flushes the wrapped exporter when it can be flushed.
func (x *exporter) ForceFlush(ctx context.Context) error {
	if f, ok := x.next.(interface{ ForceFlush(context.Context) error }); ok {
		return f.ForceFlush(ctx)
	}
	return nil
}

// MarshalLog keeps logging of the exporter to its type.
func (x *exporter) MarshalLog() any { return "redact.exporter" }

func (x *exporter) guard(gs *guardedSpan, s sdktrace.ReadOnlySpan) {
	attrs, dropped, masked := x.g.Attributes(s.Attributes())
	gs.ReadOnlySpan = s
	gs.droppedAttrs = dropped
	gs.droppedEvents = len(s.Events())
	gs.droppedLinks = len(s.Links())
	dropped += gs.droppedEvents + gs.droppedLinks

	var hit bool
	if gs.name, hit = x.g.sc.Scrub(s.Name()); hit {
		masked++
	}
	gs.status = s.Status()
	if gs.status.Description, hit = x.g.sc.Scrub(gs.status.Description); hit {
		masked++
	}
	gs.sc, gs.parent = s.SpanContext(), s.Parent()
	if gs.sc.TraceState().Len() > 0 {
		gs.sc = gs.sc.WithTraceState(trace.TraceState{})
		dropped++
	}
	gs.parent = gs.parent.WithTraceState(trace.TraceState{})
	memo := x.resource(s.Resource())
	gs.res = memo.out
	masked += memo.masked

	if dropped+masked > 0 {
		attrs = setFlag(attrs, dropped+masked)
	}
	gs.attrs = attrs
}

// guardedOne is a batch of one guarded span.
type guardedOne struct {
	span guardedSpan
	out  [1]sdktrace.ReadOnlySpan
}

// setFlag replaces FlagKey and CountKey in attrs by false and n. attrs
// without spare capacity may be the span's own: they are copied first.
func setFlag(attrs []attribute.KeyValue, n int) []attribute.KeyValue {
	if cap(attrs) == len(attrs) {
		attrs = append(make([]attribute.KeyValue, 0, len(attrs)+2), attrs...)
	}
	k := 0
	for _, kv := range attrs {
		if kv.Key != FlagKey && kv.Key != CountKey {
			attrs[k] = kv
			k++
		}
	}
	return append(attrs[:k], attribute.Bool(FlagKey, false), attribute.Int(CountKey, n))
}

// resource returns the scrubbed form of r, computing it once per resource.
func (x *exporter) resource(r *resource.Resource) *resourceMemo {
	if m := x.res.Load(); m != nil && m.in == r {
		return m
	}
	m := &resourceMemo{in: r, out: r}
	if r != nil {
		m.out, m.masked = scrubResource(r, x.g.sc)
	}
	x.res.Store(m)
	return m
}

// scrubResource returns r with every string value scrubbed; values of a
// type that cannot be scanned become Marker.
func scrubResource(r *resource.Resource, sc *Scanner) (*resource.Resource, int) {
	in := r.Attributes()
	out := make([]attribute.KeyValue, len(in))
	masked := 0
	g := &Guard{sc: sc}
	for i, kv := range in {
		v, ok, hit := g.value(kv.Value)
		if !ok {
			v, hit = attribute.StringValue(Marker), true
		}
		if hit {
			masked++
		}
		out[i] = attribute.KeyValue{Key: kv.Key, Value: v}
	}
	if masked == 0 {
		return r, 0
	}
	return resource.NewWithAttributes(r.SchemaURL(), out...), masked
}

// guardedSpan is a span as the guard lets it out: it embeds the original
// and overrides every method whose data was filtered.
type guardedSpan struct {
	sdktrace.ReadOnlySpan
	name          string
	sc, parent    trace.SpanContext
	status        sdktrace.Status
	attrs         []attribute.KeyValue
	res           *resource.Resource
	droppedAttrs  int
	droppedEvents int
	droppedLinks  int
}

func (s *guardedSpan) Name() string                     { return s.name }
func (s *guardedSpan) SpanContext() trace.SpanContext   { return s.sc }
func (s *guardedSpan) Parent() trace.SpanContext        { return s.parent }
func (s *guardedSpan) Attributes() []attribute.KeyValue { return s.attrs }
func (s *guardedSpan) Status() sdktrace.Status          { return s.status }
func (s *guardedSpan) Resource() *resource.Resource     { return s.res }
func (s *guardedSpan) Events() []sdktrace.Event         { return nil }
func (s *guardedSpan) Links() []sdktrace.Link           { return nil }

func (s *guardedSpan) DroppedAttributes() int {
	return s.ReadOnlySpan.DroppedAttributes() + s.droppedAttrs
}

func (s *guardedSpan) DroppedEvents() int {
	return s.ReadOnlySpan.DroppedEvents() + s.droppedEvents
}

func (s *guardedSpan) DroppedLinks() int {
	return s.ReadOnlySpan.DroppedLinks() + s.droppedLinks
}
