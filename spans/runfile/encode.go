package runfile

import (
	"encoding/base64"
	"encoding/hex"
	"math"
	"strconv"

	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/sdk/instrumentation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/agentwrap/agentwrap/internal/otlpattr"
)

// The fast encoder writes the OTLP JSON line of a batch straight from the
// ReadOnlySpans, byte for byte as ToTraces and ptrace.JSONMarshaler would:
// same field order, same omission of zero fields, same string escaping.
// It handles batches whose spans share one resource and one scope (every
// batch a SimpleSpanProcessor hands over); other batches take the pdata
// path.

// maxKept bounds the line buffer an Exporter keeps for reuse: the line of
// a batch of a few hundred spans fits.
const maxKept = 4 << 20

// spanLineHint is about what a call span takes on a line (2 to 3 KB), to
// size the line buffer for a batch.
const spanLineHint = 3 << 10

// envelope is the encoded text around the spans of one resource and scope.
type envelope struct {
	res            *resource.Resource
	scope          instrumentation.Scope
	prefix, suffix []byte
}

// matches reports whether e was built for res and scope.
func (e *envelope) matches(res *resource.Resource, scope instrumentation.Scope) bool {
	return e != nil && e.res == res && e.scope == scope
}

func newEnvelope(res *resource.Resource, scope instrumentation.Scope) *envelope {
	p := append([]byte(nil), `{"resourceSpans":[{"resource":{`...)
	if set := res.Set(); set.Len() > 0 {
		p = append(p, `"attributes":[`...)
		for it := set.Iter(); it.Next(); {
			i, kv := it.IndexedAttribute()
			if i > 0 {
				p = append(p, ',')
			}
			p = appendKeyValue(p, string(kv.Key), kv.Value)
		}
		p = append(p, ']')
	}
	p = append(p, `},"scopeSpans":[{"scope":`...)
	p = appendScope(p, scope)
	p = append(p, `,"spans":[`...)
	s := []byte{']'}
	if scope.SchemaURL != "" {
		s = append(s, `,"schemaUrl":`...)
		s = appendString(s, scope.SchemaURL)
	}
	s = append(s, '}', ']')
	if u := res.SchemaURL(); u != "" {
		s = append(s, `,"schemaUrl":`...)
		s = appendString(s, u)
	}
	s = append(s, "}]}\n"...)
	return &envelope{res: res, scope: scope, prefix: p, suffix: s}
}

func appendScope(b []byte, scope instrumentation.Scope) []byte {
	o := objStart(b)
	if scope.Name != "" {
		o.key(`"name":`)
		o.b = appendString(o.b, scope.Name)
	}
	if scope.Version != "" {
		o.key(`"version":`)
		o.b = appendString(o.b, scope.Version)
	}
	if scope.Attributes.Len() > 0 {
		o.key(`"attributes":`)
		o.b = append(o.b, '[')
		for it := scope.Attributes.Iter(); it.Next(); {
			i, kv := it.IndexedAttribute()
			if i > 0 {
				o.b = append(o.b, ',')
			}
			o.b = appendKeyValue(o.b, string(kv.Key), kv.Value)
		}
		o.b = append(o.b, ']')
	}
	return o.end()
}

// batchGroup returns the resource and scope all non-nil spans share; ok
// is false when there is no span or when ToTraces would make more than one
// group (it compares with the same keys).
func batchGroup(spans []sdktrace.ReadOnlySpan) (res *resource.Resource, scope instrumentation.Scope, ok bool) {
	for _, sd := range spans {
		if sd == nil {
			continue
		}
		r, s := sd.Resource(), sd.InstrumentationScope()
		if !ok {
			res, scope, ok = r, s, true
			continue
		}
		if s != scope || (resourceKey{r.Equivalent(), r.SchemaURL()} != resourceKey{res.Equivalent(), res.SchemaURL()}) {
			return nil, instrumentation.Scope{}, false
		}
	}
	return res, scope, ok
}

// obj writes the fields of one JSON object, a comma before all but the
// first.
type obj struct {
	b     []byte
	first bool
}

func objStart(b []byte) obj { return obj{b: append(b, '{'), first: true} }

func (o *obj) key(k string) {
	if !o.first {
		o.b = append(o.b, ',')
	}
	o.first = false
	o.b = append(o.b, k...)
}

func (o *obj) end() []byte { return append(o.b, '}') }

func (o *obj) uint(k string, n int) {
	if c := clamp(n); c != 0 {
		o.key(k)
		o.b = strconv.AppendUint(o.b, uint64(c), 10)
	}
}

func (o *obj) nanos(k string, ts uint64) {
	if ts != 0 {
		o.key(k)
		o.b = append(o.b, '"')
		o.b = strconv.AppendUint(o.b, ts, 10)
		o.b = append(o.b, '"')
	}
}

func (o *obj) hexID(k string, id []byte) {
	for _, c := range id {
		if c != 0 {
			o.key(k)
			o.b = append(o.b, '"')
			o.b = hex.AppendEncode(o.b, id)
			o.b = append(o.b, '"')
			return
		}
	}
}

func (o *obj) str(k, s string) {
	if s != "" {
		o.key(k)
		o.b = appendString(o.b, s)
	}
}

func appendSpan(b []byte, sd sdktrace.ReadOnlySpan) []byte {
	o := objStart(b)
	sc := sd.SpanContext()
	tid, sid := sc.TraceID(), sc.SpanID()
	o.hexID(`"traceId":`, tid[:])
	o.hexID(`"spanId":`, sid[:])
	o.str(`"traceState":`, sc.TraceState().String())
	parent := sd.Parent()
	if psid := parent.SpanID(); psid.IsValid() {
		o.hexID(`"parentSpanId":`, psid[:])
	}
	o.key(`"flags":`)
	o.b = strconv.AppendUint(o.b, uint64(otlpattr.SpanFlags(sc.TraceFlags(), parent)), 10)
	o.str(`"name":`, sd.Name())
	if k := spanKind(sd.SpanKind()); k != 0 {
		o.key(`"kind":`)
		o.b = strconv.AppendInt(o.b, int64(k), 10)
	}
	o.nanos(`"startTimeUnixNano":`, uint64(timestamp(sd.StartTime())))
	o.nanos(`"endTimeUnixNano":`, uint64(timestamp(sd.EndTime())))
	o.attrs(sd.Attributes())
	o.uint(`"droppedAttributesCount":`, sd.DroppedAttributes())
	if events := sd.Events(); len(events) > 0 {
		o.key(`"events":[`)
		for i, ev := range events {
			if i > 0 {
				o.b = append(o.b, ',')
			}
			o.b = appendEvent(o.b, ev)
		}
		o.b = append(o.b, ']')
	}
	o.uint(`"droppedEventsCount":`, sd.DroppedEvents())
	if links := sd.Links(); len(links) > 0 {
		o.key(`"links":[`)
		for i, lk := range links {
			if i > 0 {
				o.b = append(o.b, ',')
			}
			o.b = appendLink(o.b, lk)
		}
		o.b = append(o.b, ']')
	}
	o.uint(`"droppedLinksCount":`, sd.DroppedLinks())
	o.key(`"status":`)
	o.b = appendStatus(o.b, sd.Status())
	return o.end()
}

func appendEvent(b []byte, ev sdktrace.Event) []byte {
	o := objStart(b)
	o.nanos(`"timeUnixNano":`, uint64(timestamp(ev.Time)))
	o.str(`"name":`, ev.Name)
	o.attrs(ev.Attributes)
	o.uint(`"droppedAttributesCount":`, ev.DroppedAttributeCount)
	return o.end()
}

func appendLink(b []byte, lk sdktrace.Link) []byte {
	o := objStart(b)
	sc := lk.SpanContext
	tid, sid := sc.TraceID(), sc.SpanID()
	o.hexID(`"traceId":`, tid[:])
	o.hexID(`"spanId":`, sid[:])
	o.str(`"traceState":`, sc.TraceState().String())
	o.attrs(lk.Attributes)
	o.uint(`"droppedAttributesCount":`, lk.DroppedAttributeCount)
	o.key(`"flags":`)
	o.b = strconv.AppendUint(o.b, uint64(otlpattr.SpanFlags(sc.TraceFlags(), sc)), 10)
	return o.end()
}

func appendStatus(b []byte, st sdktrace.Status) []byte {
	o := objStart(b)
	o.str(`"message":`, st.Description)
	switch st.Code {
	case codes.Ok:
		o.key(`"code":1`)
	case codes.Error:
		o.key(`"code":2`)
	}
	return o.end()
}

// appendString appends s as a JSON string escaped as the pdata marshaler
// escapes it: quote, backslash and control characters only; other bytes,
// invalid UTF-8 included, are copied.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		default:
			b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
		}
		start = i + 1
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

const hexDigits = "0123456789abcdef"

// appendFloat appends f as the pdata marshaler does: NaN and infinities as
// strings, exponent notation below 1e-6 and from 1e21 on.
func appendFloat(b []byte, f float64) []byte {
	switch {
	case math.IsNaN(f):
		return append(b, `"NaN"`...)
	case math.IsInf(f, 1):
		return append(b, `"Infinity"`...)
	case math.IsInf(f, -1):
		return append(b, `"-Infinity"`...)
	}
	format := byte('f')
	if a := math.Abs(f); a != 0 && (a < 1e-6 || a >= 1e21) {
		format = 'e'
	}
	return strconv.AppendFloat(b, f, format, -1, 64)
}

func appendBytes(b []byte, p []byte) []byte {
	b = append(b, '"')
	b = base64.StdEncoding.AppendEncode(b, p)
	return append(b, '"')
}
