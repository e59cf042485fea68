package runfile

import (
	"strconv"

	"go.opentelemetry.io/otel/attribute"

	"github.com/agentwrap/agentwrap/internal/otlpattr"
)

// attrs writes kvs as the "attributes" field when there are any.
func (o *obj) attrs(kvs []attribute.KeyValue) {
	if len(kvs) > 0 {
		o.key(`"attributes":`)
		o.b = appendAttrs(o.b, kvs)
	}
}

// appendAttrs appends kvs as a JSON array of OTLP key-values. Like
// pcommon.Map.PutEmpty, a later duplicate key overwrites the value of an
// earlier one in its place.
func appendAttrs(b []byte, kvs []attribute.KeyValue) []byte {
	kvs = otlpattr.Unique(kvs)
	b = append(b, '[')
	for i := range kvs {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendKeyValue(b, string(kvs[i].Key), kvs[i].Value)
	}
	return append(b, ']')
}

func appendKeyValue(b []byte, k string, v attribute.Value) []byte {
	if k != "" {
		b = append(b, `{"key":`...)
		b = appendString(b, k)
		b = append(b, `,"value":`...)
	} else {
		b = append(b, `{"value":`...)
	}
	b = appendValue(b, v)
	return append(b, '}')
}

// appendValue appends v as an OTLP AnyValue with the types putValue gives.
func appendValue(b []byte, v attribute.Value) []byte {
	switch v.Type() {
	case attribute.BOOL:
		if v.AsBool() {
			return append(b, `{"boolValue":true}`...)
		}
		return append(b, `{"boolValue":false}`...)
	case attribute.INT64:
		return appendInt(b, v.AsInt64())
	case attribute.FLOAT64:
		b = append(b, `{"doubleValue":`...)
		return append(appendFloat(b, v.AsFloat64()), '}')
	case attribute.STRING:
		b = append(b, `{"stringValue":`...)
		return append(appendString(b, v.AsString()), '}')
	case attribute.BYTESLICE:
		b = append(b, `{"bytesValue":`...)
		return append(appendBytes(b, v.AsByteSlice()), '}')
	case attribute.MAP:
		b = append(b, `{"kvlistValue":{`...)
		if m := v.AsMap(); len(m) > 0 {
			b = append(b, `"values":`...)
			b = appendAttrs(b, m)
		}
		return append(b, '}', '}')
	case attribute.EMPTY:
		return append(b, '{', '}')
	}
	return appendSlice(b, v)
}

func appendInt(b []byte, n int64) []byte {
	b = append(b, `{"intValue":"`...)
	b = strconv.AppendInt(b, n, 10)
	return append(b, '"', '}')
}

// appendSlice appends the slice types of v as an array value and any other
// type as the string "INVALID", as putSlice does.
func appendSlice(b []byte, v attribute.Value) []byte {
	const start, end = `{"arrayValue":{"values":[`, `]}}`
	switch v.Type() {
	case attribute.BOOLSLICE:
		s := v.AsBoolSlice()
		return appendElems(b, start, end, len(s), func(b []byte, i int) []byte {
			return appendValue(b, attribute.BoolValue(s[i]))
		})
	case attribute.INT64SLICE:
		s := v.AsInt64Slice()
		return appendElems(b, start, end, len(s), func(b []byte, i int) []byte { return appendInt(b, s[i]) })
	case attribute.FLOAT64SLICE:
		s := v.AsFloat64Slice()
		return appendElems(b, start, end, len(s), func(b []byte, i int) []byte {
			return append(appendFloat(append(b, `{"doubleValue":`...), s[i]), '}')
		})
	case attribute.STRINGSLICE:
		s := v.AsStringSlice()
		return appendElems(b, start, end, len(s), func(b []byte, i int) []byte {
			return append(appendString(append(b, `{"stringValue":`...), s[i]), '}')
		})
	case attribute.SLICE:
		s := v.AsSlice()
		return appendElems(b, start, end, len(s), func(b []byte, i int) []byte { return appendValue(b, s[i]) })
	}
	return append(b, `{"stringValue":"INVALID"}`...)
}

// appendElems appends n elements between start and end, or an empty array
// value when n is 0.
func appendElems(b []byte, start, end string, n int, elem func([]byte, int) []byte) []byte {
	if n == 0 {
		return append(b, `{"arrayValue":{}}`...)
	}
	b = append(b, start...)
	for i := range n {
		if i > 0 {
			b = append(b, ',')
		}
		b = elem(b, i)
	}
	return append(b, end...)
}
