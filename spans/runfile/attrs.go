package runfile

import (
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/otel/attribute"
)

// putAttrs stores kvs in dst; a later duplicate key overwrites an earlier one.
func putAttrs(dst pcommon.Map, kvs []attribute.KeyValue) {
	dst.EnsureCapacity(dst.Len() + len(kvs))
	for _, kv := range kvs {
		putValue(dst.PutEmpty(string(kv.Key)), kv.Value)
	}
}

func putSet(dst pcommon.Map, set *attribute.Set) {
	dst.EnsureCapacity(set.Len())
	for it := set.Iter(); it.Next(); {
		kv := it.Attribute()
		putValue(dst.PutEmpty(string(kv.Key)), kv.Value)
	}
}

// putValue stores v in dst with the OTLP AnyValue type the Go SDK's OTLP
// exporters use: slices become array values, maps key-value lists, bytes
// bytes values. An EMPTY value stays empty.
func putValue(dst pcommon.Value, v attribute.Value) {
	switch v.Type() {
	case attribute.BOOL:
		dst.SetBool(v.AsBool())
	case attribute.INT64:
		dst.SetInt(v.AsInt64())
	case attribute.FLOAT64:
		dst.SetDouble(v.AsFloat64())
	case attribute.STRING:
		dst.SetStr(v.AsString())
	case attribute.BYTESLICE:
		dst.SetEmptyBytes().FromRaw(v.AsByteSlice())
	case attribute.MAP:
		putAttrs(dst.SetEmptyMap(), v.AsMap())
	case attribute.EMPTY:
	default:
		putSlice(dst, v)
	}
}

// putSlice stores the slice types of v as an array value; anything else
// is an attribute type this package does not know, recorded as "INVALID"
// as the SDK's OTLP exporters do.
func putSlice(dst pcommon.Value, v attribute.Value) {
	switch v.Type() {
	case attribute.BOOLSLICE:
		s := dst.SetEmptySlice()
		for _, b := range v.AsBoolSlice() {
			s.AppendEmpty().SetBool(b)
		}
	case attribute.INT64SLICE:
		s := dst.SetEmptySlice()
		for _, i := range v.AsInt64Slice() {
			s.AppendEmpty().SetInt(i)
		}
	case attribute.FLOAT64SLICE:
		s := dst.SetEmptySlice()
		for _, f := range v.AsFloat64Slice() {
			s.AppendEmpty().SetDouble(f)
		}
	case attribute.STRINGSLICE:
		s := dst.SetEmptySlice()
		for _, str := range v.AsStringSlice() {
			s.AppendEmpty().SetStr(str)
		}
	case attribute.SLICE:
		s := dst.SetEmptySlice()
		for _, e := range v.AsSlice() {
			putValue(s.AppendEmpty(), e)
		}
	default:
		dst.SetStr("INVALID")
	}
}
