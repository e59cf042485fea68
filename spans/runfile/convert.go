package runfile

import (
	"math"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/sdk/instrumentation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/agentwrap/agentwrap/internal/otlpattr"
)

type resourceKey struct {
	attrs  attribute.Distinct
	schema string
}

type scopeKey struct {
	res   resourceKey
	scope instrumentation.Scope
}

// ToTraces converts spans to pdata the way the OTLP exporters of the Go SDK
// do: spans are grouped by resource, then by instrumentation scope, each
// group in order of first appearance, and every field the OTLP span holds
// is carried over (ids, trace state, flags, parent, name, kind, times,
// attributes of every type, events, links, status and dropped counts).
// Nil spans are skipped.
func ToTraces(spans []sdktrace.ReadOnlySpan) ptrace.Traces {
	td := ptrace.NewTraces()
	resources := map[resourceKey]ptrace.ResourceSpans{}
	scopes := map[scopeKey]ptrace.SpanSlice{}
	for _, sd := range spans {
		if sd == nil {
			continue
		}
		res := sd.Resource()
		rk := resourceKey{attrs: res.Equivalent(), schema: res.SchemaURL()}
		rs, ok := resources[rk]
		if !ok {
			rs = td.ResourceSpans().AppendEmpty()
			putResource(rs, res)
			resources[rk] = rs
		}
		sk := scopeKey{res: rk, scope: sd.InstrumentationScope()}
		ss, ok := scopes[sk]
		if !ok {
			ss = newScopeSpans(rs, sk.scope)
			scopes[sk] = ss
		}
		putSpan(ss.AppendEmpty(), sd)
	}
	return td
}

func putResource(rs ptrace.ResourceSpans, res *resource.Resource) {
	rs.SetSchemaUrl(res.SchemaURL())
	putSet(rs.Resource().Attributes(), res.Set())
}

func newScopeSpans(rs ptrace.ResourceSpans, scope instrumentation.Scope) ptrace.SpanSlice {
	ss := rs.ScopeSpans().AppendEmpty()
	ss.SetSchemaUrl(scope.SchemaURL)
	ss.Scope().SetName(scope.Name)
	ss.Scope().SetVersion(scope.Version)
	putSet(ss.Scope().Attributes(), &scope.Attributes)
	return ss.Spans()
}

func putSpan(s ptrace.Span, sd sdktrace.ReadOnlySpan) {
	sc := sd.SpanContext()
	s.SetTraceID(pcommon.TraceID(sc.TraceID()))
	s.SetSpanID(pcommon.SpanID(sc.SpanID()))
	s.TraceState().FromRaw(sc.TraceState().String())
	parent := sd.Parent()
	if parent.SpanID().IsValid() {
		s.SetParentSpanID(pcommon.SpanID(parent.SpanID()))
	}
	s.SetFlags(otlpattr.SpanFlags(sc.TraceFlags(), parent))
	s.SetName(sd.Name())
	s.SetKind(spanKind(sd.SpanKind()))
	s.SetStartTimestamp(timestamp(sd.StartTime()))
	s.SetEndTimestamp(timestamp(sd.EndTime()))
	putAttrs(s.Attributes(), sd.Attributes())
	s.SetDroppedAttributesCount(clamp(sd.DroppedAttributes()))
	putEvents(s.Events(), sd.Events())
	s.SetDroppedEventsCount(clamp(sd.DroppedEvents()))
	putLinks(s.Links(), sd.Links())
	s.SetDroppedLinksCount(clamp(sd.DroppedLinks()))
	putStatus(s.Status(), sd.Status())
}

func putEvents(dst ptrace.SpanEventSlice, events []sdktrace.Event) {
	dst.EnsureCapacity(len(events))
	for _, ev := range events {
		e := dst.AppendEmpty()
		e.SetName(ev.Name)
		e.SetTimestamp(timestamp(ev.Time))
		putAttrs(e.Attributes(), ev.Attributes)
		e.SetDroppedAttributesCount(clamp(ev.DroppedAttributeCount))
	}
}

func putLinks(dst ptrace.SpanLinkSlice, links []sdktrace.Link) {
	dst.EnsureCapacity(len(links))
	for _, lk := range links {
		l := dst.AppendEmpty()
		sc := lk.SpanContext
		l.SetTraceID(pcommon.TraceID(sc.TraceID()))
		l.SetSpanID(pcommon.SpanID(sc.SpanID()))
		l.TraceState().FromRaw(sc.TraceState().String())
		l.SetFlags(otlpattr.SpanFlags(sc.TraceFlags(), sc))
		putAttrs(l.Attributes(), lk.Attributes)
		l.SetDroppedAttributesCount(clamp(lk.DroppedAttributeCount))
	}
}

func putStatus(dst ptrace.Status, st sdktrace.Status) {
	switch st.Code {
	case codes.Ok:
		dst.SetCode(ptrace.StatusCodeOk)
	case codes.Error:
		dst.SetCode(ptrace.StatusCodeError)
	default:
		dst.SetCode(ptrace.StatusCodeUnset)
	}
	dst.SetMessage(st.Description)
}

func spanKind(k trace.SpanKind) ptrace.SpanKind {
	switch k {
	case trace.SpanKindInternal:
		return ptrace.SpanKindInternal
	case trace.SpanKindServer:
		return ptrace.SpanKindServer
	case trace.SpanKindClient:
		return ptrace.SpanKindClient
	case trace.SpanKindProducer:
		return ptrace.SpanKindProducer
	case trace.SpanKindConsumer:
		return ptrace.SpanKindConsumer
	default:
		return ptrace.SpanKindUnspecified
	}
}

// timestamp converts t to Unix nanoseconds; the zero time and times before
// 1970 become 0, OTLP's "unset".
func timestamp(t time.Time) pcommon.Timestamp {
	if t.IsZero() || t.Before(time.Unix(0, 0)) {
		return 0
	}
	return pcommon.Timestamp(t.UnixNano()) //nolint:gosec // not negative, checked above
}

func clamp(n int) uint32 {
	if n <= 0 {
		return 0
	}
	if int64(n) > math.MaxUint32 {
		return math.MaxUint32
	}
	return uint32(n)
}
