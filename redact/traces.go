package redact

import (
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/otel/attribute"
)

// Traces passes OTLP spans read back from a file (a run file being
// replayed) through g, in place, as WrapExporter does for live spans:
// span attributes filtered by the allowlist and scanned; span names,
// status messages, scope names and versions and resource attribute values
// scrubbed (resource keys kept unless they hold a secret, values of a type
// that cannot be scanned replaced by Marker), schema URLs scrubbed; events, links, trace states and scope attributes
// dropped. A span on which anything was dropped or masked gets FlagKey=false
// and CountKey; the others keep what the file said. A nil g is the guard
// with an empty allowlist. It returns the number of spans changed.
func (g *Guard) Traces(td ptrace.Traces) (changed int) {
	if g == nil {
		g = NewGuard(nil, nil)
	}
	for _, rs := range td.ResourceSpans().All() {
		resMasked := g.resourceMap(rs.Resource().Attributes())
		resMasked += g.scrubField(rs.SchemaUrl, rs.SetSchemaUrl)
		for _, ss := range rs.ScopeSpans().All() {
			scopeHits := resMasked
			sc := ss.Scope()
			scopeHits += g.scrubField(sc.Name, sc.SetName)
			scopeHits += g.scrubField(sc.Version, sc.SetVersion)
			if n := sc.Attributes().Len(); n > 0 {
				sc.Attributes().Clear()
				scopeHits += n
			}
			scopeHits += g.scrubField(ss.SchemaUrl, ss.SetSchemaUrl)
			for _, s := range ss.Spans().All() {
				if n := g.span(s) + scopeHits; n > 0 {
					setFlagMap(s.Attributes(), n)
					changed++
				}
			}
		}
	}
	return changed
}

// span guards one span and returns what it dropped or masked.
func (g *Guard) span(s ptrace.Span) int {
	n := 0
	in := make([]attribute.KeyValue, 0, s.Attributes().Len())
	unscannable := 0
	for k, v := range s.Attributes().All() {
		if kv, ok := toKeyValue(k, v); ok {
			in = append(in, kv)
		} else {
			unscannable++
		}
	}
	out, dropped, masked := g.Attributes(in)
	dropped += unscannable
	if dropped+masked > 0 {
		m := s.Attributes()
		m.Clear()
		m.EnsureCapacity(len(out) + 2)
		for _, kv := range out {
			putKeyValue(m, kv)
		}
		s.SetDroppedAttributesCount(s.DroppedAttributesCount() + uint32(dropped))
	}
	n += dropped + masked
	if e := s.Events().Len(); e > 0 {
		s.Events().RemoveIf(func(ptrace.SpanEvent) bool { return true })
		s.SetDroppedEventsCount(s.DroppedEventsCount() + uint32(e))
		n += e
	}
	if l := s.Links().Len(); l > 0 {
		s.Links().RemoveIf(func(ptrace.SpanLink) bool { return true })
		s.SetDroppedLinksCount(s.DroppedLinksCount() + uint32(l))
		n += l
	}
	if s.TraceState().AsRaw() != "" {
		s.TraceState().FromRaw("")
		n++
	}
	n += g.scrubField(s.Name, s.SetName)
	st := s.Status()
	n += g.scrubField(st.Message, st.SetMessage)
	return n
}

// scrubField scrubs one string field through its getter and setter and
// returns 1 when it was masked.
func (g *Guard) scrubField(get func() string, set func(string)) int {
	if out, hit := g.sc.Scrub(get()); hit {
		set(out)
		return 1
	}
	return 0
}

// resourceMap scrubs the values of resource attributes in place, keeping
// their keys (an attribute whose key holds a secret is removed), and
// returns how many it masked or removed.
func (g *Guard) resourceMap(m pcommon.Map) int {
	masked := 0
	m.RemoveIf(func(k string, _ pcommon.Value) bool {
		_, hit := g.sc.Scrub(k)
		if hit {
			masked++
		}
		return hit
	})
	for k, v := range m.All() {
		kv, ok := toKeyValue(k, v)
		if !ok {
			v.SetStr(Marker)
			masked++
			continue
		}
		if out, _, hit := g.value(kv.Value); hit {
			putValue(v, out)
			masked++
		}
	}
	return masked
}

// toKeyValue converts an OTLP attribute to the SDK's form. ok is false for
// values the SDK has no form of: bytes, maps, empty values and slices
// mixing types.
func toKeyValue(k string, v pcommon.Value) (attribute.KeyValue, bool) {
	key := attribute.Key(k)
	switch v.Type() {
	case pcommon.ValueTypeStr:
		return key.String(v.Str()), true
	case pcommon.ValueTypeInt:
		return key.Int64(v.Int()), true
	case pcommon.ValueTypeDouble:
		return key.Float64(v.Double()), true
	case pcommon.ValueTypeBool:
		return key.Bool(v.Bool()), true
	case pcommon.ValueTypeSlice:
		return sliceKeyValue(key, v.Slice())
	}
	return attribute.KeyValue{}, false
}

func sliceKeyValue(key attribute.Key, s pcommon.Slice) (attribute.KeyValue, bool) {
	if s.Len() == 0 {
		return key.StringSlice([]string{}), true
	}
	t := s.At(0).Type()
	for _, e := range s.All() {
		if e.Type() != t {
			return attribute.KeyValue{}, false
		}
	}
	switch t {
	case pcommon.ValueTypeStr:
		out := make([]string, 0, s.Len())
		for _, e := range s.All() {
			out = append(out, e.Str())
		}
		return key.StringSlice(out), true
	case pcommon.ValueTypeInt:
		out := make([]int64, 0, s.Len())
		for _, e := range s.All() {
			out = append(out, e.Int())
		}
		return key.Int64Slice(out), true
	case pcommon.ValueTypeDouble:
		out := make([]float64, 0, s.Len())
		for _, e := range s.All() {
			out = append(out, e.Double())
		}
		return key.Float64Slice(out), true
	case pcommon.ValueTypeBool:
		out := make([]bool, 0, s.Len())
		for _, e := range s.All() {
			out = append(out, e.Bool())
		}
		return key.BoolSlice(out), true
	}
	return attribute.KeyValue{}, false
}

func putKeyValue(m pcommon.Map, kv attribute.KeyValue) {
	putValue(m.PutEmpty(string(kv.Key)), kv.Value)
}

func putValue(dst pcommon.Value, v attribute.Value) {
	switch v.Type() {
	case attribute.STRING:
		dst.SetStr(v.AsString())
	case attribute.INT64:
		dst.SetInt(v.AsInt64())
	case attribute.FLOAT64:
		dst.SetDouble(v.AsFloat64())
	case attribute.BOOL:
		dst.SetBool(v.AsBool())
	case attribute.STRINGSLICE:
		s := dst.SetEmptySlice()
		for _, e := range v.AsStringSlice() {
			s.AppendEmpty().SetStr(e)
		}
	case attribute.INT64SLICE:
		s := dst.SetEmptySlice()
		for _, e := range v.AsInt64Slice() {
			s.AppendEmpty().SetInt(e)
		}
	case attribute.FLOAT64SLICE:
		s := dst.SetEmptySlice()
		for _, e := range v.AsFloat64Slice() {
			s.AppendEmpty().SetDouble(e)
		}
	case attribute.BOOLSLICE:
		s := dst.SetEmptySlice()
		for _, e := range v.AsBoolSlice() {
			s.AppendEmpty().SetBool(e)
		}
	default:
		dst.SetStr(Marker)
	}
}

// setFlagMap sets FlagKey=false and CountKey=n on a span's attributes.
func setFlagMap(m pcommon.Map, n int) {
	m.PutBool(FlagKey, false)
	m.PutInt(CountKey, int64(n))
}
