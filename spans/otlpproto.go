package spans

import (
	"math"
	"slices"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/sdk/instrumentation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/protobuf/encoding/protowire"

	"github.com/agentwrap/agentwrap/internal/otlpattr"
)

// appendExportRequest appends the OTLP protobuf encoding of an
// ExportTraceServiceRequest holding spans (opentelemetry-proto,
// collector/trace/v1) to b. It writes straight from the ReadOnlySpans,
// without building the generated protobuf structs the OTel exporter
// builds (about a hundred allocations per span and most of the CPU a call
// costs the gateway: PERFORMANCE.md, "Where a call's CPU goes"). Spans are
// grouped by resource and scope in the order they come; fields are written
// in field-number order and zero values omitted, as the generated encoder
// does, so a decoder sees the same message.
func appendExportRequest(b []byte, spans []sdktrace.ReadOnlySpan) []byte {
	for i := 0; i < len(spans); {
		if spans[i] == nil {
			i++
			continue
		}
		res := spans[i].Resource()
		// One ResourceSpans per run of spans with an equivalent
		// resource, one ScopeSpans per run of spans with their scope.
		rs, mark := beginMessage(b, 1)
		r, mr := beginMessage(rs, 1)
		r = appendAttributes(r, 1, resourceAttributes(res))
		rs = endMessage(r, mr)
		j := i
		for j < len(spans) && (spans[j] == nil || sameResource(spans[j].Resource(), res)) {
			if spans[j] == nil {
				j++
				continue
			}
			scope := spans[j].InstrumentationScope()
			ss, ms := beginMessage(rs, 2)
			ss = appendScope(ss, scope)
			for j < len(spans) && (spans[j] == nil || (sameResource(spans[j].Resource(), res) && spans[j].InstrumentationScope() == scope)) {
				if spans[j] != nil {
					s, m := beginMessage(ss, 2)
					ss = endMessage(appendSpan(s, spans[j]), m)
				}
				j++
			}
			ss = appendString(ss, 3, scope.SchemaURL)
			rs = endMessage(ss, ms)
		}
		if res != nil {
			rs = appendString(rs, 3, res.SchemaURL())
		}
		b = endMessage(rs, mark)
		i = j
	}
	return b
}

func resourceAttributes(r *resource.Resource) []attribute.KeyValue {
	if r == nil {
		return nil
	}
	return r.Attributes()
}

func sameResource(a, b *resource.Resource) bool {
	if a == b {
		return true
	}
	if a == nil || b == nil {
		return false
	}
	return a.Equivalent() == b.Equivalent() && a.SchemaURL() == b.SchemaURL()
}

func appendScope(b []byte, scope instrumentation.Scope) []byte {
	s, m := beginMessage(b, 1)
	s = appendString(s, 1, scope.Name)
	s = appendString(s, 2, scope.Version)
	s = appendAttributes(s, 3, scope.Attributes.ToSlice())
	return endMessage(s, m)
}

func appendSpan(b []byte, sd sdktrace.ReadOnlySpan) []byte {
	sc := sd.SpanContext()
	tid, sid := sc.TraceID(), sc.SpanID()
	b = appendID(b, 1, tid[:])
	b = appendID(b, 2, sid[:])
	b = appendString(b, 3, sc.TraceState().String())
	parent := sd.Parent()
	if psid := parent.SpanID(); psid.IsValid() {
		b = appendID(b, 4, psid[:])
	}
	b = appendString(b, 5, sd.Name())
	if k := sd.SpanKind(); k >= trace.SpanKindInternal && k <= trace.SpanKindConsumer {
		b = protowire.AppendTag(b, 6, protowire.VarintType)
		b = protowire.AppendVarint(b, uint64(k))
	}
	b = appendFixed64(b, 7, unixNanos(sd.StartTime()))
	b = appendFixed64(b, 8, unixNanos(sd.EndTime()))
	b = appendAttributes(b, 9, sd.Attributes())
	b = appendUint32(b, 10, sd.DroppedAttributes())
	for _, ev := range sd.Events() {
		e, m := beginMessage(b, 11)
		e = appendFixed64(e, 1, unixNanos(ev.Time))
		e = appendString(e, 2, ev.Name)
		e = appendAttributes(e, 3, ev.Attributes)
		e = appendUint32(e, 4, ev.DroppedAttributeCount)
		b = endMessage(e, m)
	}
	b = appendUint32(b, 12, sd.DroppedEvents())
	for _, lk := range sd.Links() {
		l, m := beginMessage(b, 13)
		lsc := lk.SpanContext
		ltid, lsid := lsc.TraceID(), lsc.SpanID()
		l = appendID(l, 1, ltid[:])
		l = appendID(l, 2, lsid[:])
		l = appendString(l, 3, lsc.TraceState().String())
		l = appendAttributes(l, 4, lk.Attributes)
		l = appendUint32(l, 5, lk.DroppedAttributeCount)
		l = protowire.AppendTag(l, 6, protowire.Fixed32Type)
		l = protowire.AppendFixed32(l, otlpattr.SpanFlags(lsc.TraceFlags(), lsc))
		b = endMessage(l, m)
	}
	b = appendUint32(b, 14, sd.DroppedLinks())
	st := sd.Status()
	if st.Description != "" || st.Code != codes.Unset {
		s, m := beginMessage(b, 15)
		s = appendString(s, 2, st.Description)
		switch st.Code {
		case codes.Ok:
			s = append(protowire.AppendTag(s, 3, protowire.VarintType), 1)
		case codes.Error:
			s = append(protowire.AppendTag(s, 3, protowire.VarintType), 2)
		}
		b = endMessage(s, m)
	}
	b = protowire.AppendTag(b, 16, protowire.Fixed32Type)
	return protowire.AppendFixed32(b, otlpattr.SpanFlags(sc.TraceFlags(), parent))
}

// appendAttributes appends kvs as repeated KeyValue field num. Like the SDK
// and pcommon.Map, a later duplicate key wins, in the earlier one's place.
func appendAttributes(b []byte, num protowire.Number, kvs []attribute.KeyValue) []byte {
	kvs = otlpattr.Unique(kvs)
	for i := range kvs {
		kv, m := beginMessage(b, num)
		kv = appendString(kv, 1, string(kvs[i].Key))
		v, mv := beginMessage(kv, 2)
		v = appendValue(v, kvs[i].Value)
		b = endMessage(endMessage(v, mv), m)
	}
	return b
}

// appendValue appends the fields of the AnyValue of v.
func appendValue(b []byte, v attribute.Value) []byte {
	switch v.Type() {
	case attribute.STRING:
		b = protowire.AppendTag(b, 1, protowire.BytesType)
		return protowire.AppendString(b, v.AsString())
	case attribute.BOOL:
		b = protowire.AppendTag(b, 2, protowire.VarintType)
		return protowire.AppendVarint(b, protowire.EncodeBool(v.AsBool()))
	case attribute.INT64:
		b = protowire.AppendTag(b, 3, protowire.VarintType)
		return protowire.AppendVarint(b, uint64(v.AsInt64()))
	case attribute.FLOAT64:
		b = protowire.AppendTag(b, 4, protowire.Fixed64Type)
		return protowire.AppendFixed64(b, math.Float64bits(v.AsFloat64()))
	case attribute.BOOLSLICE:
		return appendArray(b, v.AsBoolSlice(), attribute.BoolValue)
	case attribute.INT64SLICE:
		return appendArray(b, v.AsInt64Slice(), attribute.Int64Value)
	case attribute.FLOAT64SLICE:
		return appendArray(b, v.AsFloat64Slice(), attribute.Float64Value)
	case attribute.STRINGSLICE:
		return appendArray(b, v.AsStringSlice(), attribute.StringValue)
	case attribute.SLICE:
		return appendArray(b, v.AsSlice(), func(v attribute.Value) attribute.Value { return v })
	case attribute.BYTESLICE:
		b = protowire.AppendTag(b, 7, protowire.BytesType)
		return protowire.AppendBytes(b, v.AsByteSlice())
	case attribute.MAP:
		l, m := beginMessage(b, 6)
		return endMessage(appendAttributes(l, 1, v.AsMap()), m)
	case attribute.EMPTY:
		return b
	}
	b = protowire.AppendTag(b, 1, protowire.BytesType)
	return protowire.AppendString(b, "INVALID")
}

// appendArray appends an ArrayValue of the elements of s.
func appendArray[T any](b []byte, s []T, value func(T) attribute.Value) []byte {
	a, m := beginMessage(b, 5)
	for _, e := range s {
		v, mv := beginMessage(a, 1)
		a = endMessage(appendValue(v, value(e)), mv)
	}
	return endMessage(a, m)
}

// beginMessage appends the tag of the embedded message field num and one
// byte for its length; endMessage writes the length once the message is
// appended, widening the length when it takes more than a byte.
func beginMessage(b []byte, num protowire.Number) ([]byte, int) {
	b = append(protowire.AppendTag(b, num, protowire.BytesType), 0)
	return b, len(b)
}

func endMessage(b []byte, mark int) []byte {
	n := len(b) - mark
	if n < 0x80 {
		b[mark-1] = byte(n)
		return b
	}
	w := protowire.SizeVarint(uint64(n))
	b = slices.Grow(b, w-1)[:len(b)+w-1]
	copy(b[mark-1+w:], b[mark:mark+n])
	protowire.AppendVarint(b[:mark-1], uint64(n))
	return b
}

func appendString(b []byte, num protowire.Number, s string) []byte {
	if s == "" {
		return b
	}
	b = protowire.AppendTag(b, num, protowire.BytesType)
	return protowire.AppendString(b, s)
}

// appendID appends a trace or span id; an all-zero id is omitted, as the
// OTel exporter omits an invalid one.
func appendID(b []byte, num protowire.Number, id []byte) []byte {
	for _, c := range id {
		if c != 0 {
			b = protowire.AppendTag(b, num, protowire.BytesType)
			return protowire.AppendBytes(b, id)
		}
	}
	return b
}

func appendFixed64(b []byte, num protowire.Number, v uint64) []byte {
	if v == 0 {
		return b
	}
	b = protowire.AppendTag(b, num, protowire.Fixed64Type)
	return protowire.AppendFixed64(b, v)
}

// appendUint32 appends a count, clamped to the uint32 of its field.
func appendUint32(b []byte, num protowire.Number, n int) []byte {
	if n <= 0 {
		return b
	}
	b = protowire.AppendTag(b, num, protowire.VarintType)
	return protowire.AppendVarint(b, uint64(min(n, math.MaxUint32)))
}

// unixNanos is t in nanoseconds since the epoch; 0 for the zero time and
// for times before the epoch, which OTLP cannot hold.
func unixNanos(t time.Time) uint64 {
	if t.IsZero() {
		return 0
	}
	n := t.UnixNano()
	if n < 0 {
		return 0
	}
	return uint64(n)
}
