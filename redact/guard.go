package redact

import "go.opentelemetry.io/otel/attribute"

// Keys the guard itself sets on a span it had to change.
const (
	// FlagKey is set to false on a span whose attributes, name, status,
	// events, links or resource the guard had to drop or mask. The guard
	// never sets it to true: a span that passed keeps the value its producer
	// gave it.
	FlagKey = "agentwrap.credential_redacted"
	// CountKey counts what the guard dropped or masked on the span.
	CountKey = "agentwrap.redactions"
)

// Guard is the fail-closed filter of span attributes: a key that is not on
// its allowlist is dropped, and a string value in which the scanner finds a
// secret is replaced by Marker. It is safe for concurrent use.
type Guard struct {
	allowed map[attribute.Key]struct{}
	sc      *Scanner
}

// NewGuard returns a Guard that lets through the keys in allowed and scans
// values with sc. An empty allowlist lets nothing through; a nil sc applies
// the secret patterns only.
func NewGuard(allowed []string, sc *Scanner) *Guard {
	m := make(map[attribute.Key]struct{}, len(allowed))
	for _, k := range allowed {
		m[attribute.Key(k)] = struct{}{}
	}
	return &Guard{allowed: m, sc: sc}
}

// Attributes filters in. It returns the attributes that may be exported,
// the number dropped (key not allowed, or a value type the guard cannot
// scan: bytes, slices of values, maps) and the number masked. in is not
// modified; when nothing was dropped or masked, out is in itself with its
// capacity clipped, so appending to out never writes into in.
func (g *Guard) Attributes(in []attribute.KeyValue) (out []attribute.KeyValue, dropped, masked int) {
	for i := range in {
		kv := &in[i]
		v, keep, hit := g.attribute(kv)
		if !keep || hit {
			if out == nil {
				out = make([]attribute.KeyValue, 0, len(in)+2)
				out = append(out, in[:i]...)
			}
			if !keep {
				dropped++
				continue
			}
			masked++
			out = append(out, attribute.KeyValue{Key: kv.Key, Value: v})
			continue
		}
		if out != nil {
			out = append(out, *kv)
		}
	}
	if out == nil {
		return in[:len(in):len(in)], 0, 0
	}
	return out, dropped, masked
}

// attribute checks one attribute: keep is false when it must be dropped,
// hit true when its value was masked into v.
func (g *Guard) attribute(kv *attribute.KeyValue) (v attribute.Value, keep, hit bool) {
	if _, ok := g.allowed[kv.Key]; !ok {
		return attribute.Value{}, false, false
	}
	switch kv.Value.Type() {
	case attribute.BOOL, attribute.INT64, attribute.FLOAT64,
		attribute.BOOLSLICE, attribute.INT64SLICE, attribute.FLOAT64SLICE:
		return kv.Value, true, false
	case attribute.STRING, attribute.STRINGSLICE:
		v, hit = g.scrubValue(kv.Value)
		return v, true, hit
	}
	return attribute.Value{}, false, false
}

// value scans one value. ok is false for a type that cannot be scanned;
// hit reports that the returned value was masked.
func (g *Guard) value(v attribute.Value) (out attribute.Value, ok, hit bool) {
	switch v.Type() {
	case attribute.BOOL, attribute.INT64, attribute.FLOAT64,
		attribute.BOOLSLICE, attribute.INT64SLICE, attribute.FLOAT64SLICE:
		return v, true, false
	case attribute.STRING, attribute.STRINGSLICE:
		out, hit = g.scrubValue(v)
		return out, true, hit
	}
	return attribute.Value{}, false, false
}

// scrubValue scrubs a STRING or STRINGSLICE value.
func (g *Guard) scrubValue(v attribute.Value) (attribute.Value, bool) {
	if v.Type() == attribute.STRING {
		s, hit := g.sc.Scrub(v.AsString())
		if !hit {
			return v, false
		}
		return attribute.StringValue(s), true
	}
	ss, hit := g.scrubSlice(v.AsStringSlice())
	if !hit {
		return v, false
	}
	return attribute.StringSliceValue(ss), true
}

// scrubSlice scrubs every element of ss in place and reports whether any
// changed. ss must be the caller's own copy.
func (g *Guard) scrubSlice(ss []string) ([]string, bool) {
	hit := false
	for i, s := range ss {
		if out, h := g.sc.Scrub(s); h {
			ss[i], hit = out, true
		}
	}
	return ss, hit
}
