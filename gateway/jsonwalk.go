package gateway

import (
	"bytes"
	"encoding/json"
)

// The JSON walker reads complete, buffered JSON documents without decoding
// them: it finds the members the response parsers want and skips the rest
// (prompt and response text included) with byte searches, allocating
// nothing. It checks structure (brackets, commas, colons, string ends,
// literals and number characters) but not the contents of strings.

// maxWalkDepth bounds the nesting the walker follows; deeper documents are
// treated as malformed.
const maxWalkDepth = 256

func skipSpace(b []byte, i int) int {
	for i < len(b) && isJSONSpace(b[i]) {
		i++
	}
	return i
}

// valueEnd returns the index just past the JSON value starting at b[i], or
// -1 when it is malformed or cut short.
func valueEnd(b []byte, i, depth int) int {
	if i >= len(b) {
		return -1
	}
	switch c := b[i]; {
	case c == '"':
		return stringEnd(b, i)
	case c == '{':
		return objectEnd(b, i, depth+1)
	case c == '[':
		return arrayEnd(b, i, depth+1)
	case c == 't':
		return literalEnd(b, i, "true")
	case c == 'f':
		return literalEnd(b, i, "false")
	case c == 'n':
		return literalEnd(b, i, "null")
	case c == '-' || (c >= '0' && c <= '9'):
		return numberEnd(b, i)
	}
	return -1
}

// stringEnd returns the index just past the string whose opening quote is
// at b[i], or -1.
func stringEnd(b []byte, i int) int {
	j := i + 1
	for {
		k := bytes.IndexByte(b[j:], '"')
		if k < 0 {
			return -1
		}
		e := j + k
		n := 0
		for m := e - 1; m > i && b[m] == '\\'; m-- {
			n++
		}
		if n%2 == 0 {
			return e + 1
		}
		j = e + 1
	}
}

func literalEnd(b []byte, i int, lit string) int {
	if len(b)-i < len(lit) || string(b[i:i+len(lit)]) != lit {
		return -1
	}
	return i + len(lit)
}

func numberEnd(b []byte, i int) int {
	j := i
	for j < len(b) {
		c := b[j]
		if (c < '0' || c > '9') && c != '-' && c != '+' && c != '.' && c != 'e' && c != 'E' {
			break
		}
		j++
	}
	return j
}

func objectEnd(b []byte, i, depth int) int {
	if depth > maxWalkDepth {
		return -1
	}
	end, _ := walkObject(b, i, depth, nil)
	return end
}

func arrayEnd(b []byte, i, depth int) int {
	if depth > maxWalkDepth {
		return -1
	}
	end, _ := walkArray(b, i, depth, nil)
	return end
}

// walkObject walks the object starting at b[i], calling fn (when not nil)
// with each member's raw key (without quotes) and raw value. It returns the
// index just past the object, or -1 when it is malformed. fn returning false
// stops the walk early; the second result is then false.
func walkObject(b []byte, i, depth int, fn func(key, val []byte) bool) (int, bool) {
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == '}' {
		return i + 1, true
	}
	for {
		if i >= len(b) || b[i] != '"' {
			return -1, true
		}
		ke := stringEnd(b, i)
		if ke < 0 {
			return -1, true
		}
		j := skipSpace(b, ke)
		if j >= len(b) || b[j] != ':' {
			return -1, true
		}
		vs := skipSpace(b, j+1)
		ve := valueEnd(b, vs, depth)
		if ve < 0 {
			return -1, true
		}
		if fn != nil && !fn(b[i+1:ke-1], b[vs:ve]) {
			return ve, false
		}
		var closed bool
		if i, closed = nextItem(b, ve, '}'); closed {
			return i, true
		}
	}
}

// walkArray is walkObject for arrays: fn receives each raw element.
func walkArray(b []byte, i, depth int, fn func(val []byte) bool) (int, bool) {
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == ']' {
		return i + 1, true
	}
	for {
		ve := valueEnd(b, i, depth)
		if ve < 0 {
			return -1, true
		}
		if fn != nil && !fn(b[i:ve]) {
			return ve, false
		}
		var closed bool
		if i, closed = nextItem(b, ve, ']'); closed {
			return i, true
		}
	}
}

// nextItem reads what follows a member or element ending at b[end]: a comma
// gives the start of the next one; the container's closing byte gives the
// index just past it, with closed set; anything else is malformed: -1, with
// closed set.
func nextItem(b []byte, end int, closing byte) (next int, closed bool) {
	i := skipSpace(b, end)
	switch {
	case i >= len(b):
		return -1, true
	case b[i] == ',':
		return skipSpace(b, i+1), false
	case b[i] == closing:
		return i + 1, true
	}
	return -1, true
}

// eachField calls fn for each member of the JSON object v (a raw value, or
// a whole document with surrounding space). It reports whether v is a
// well-formed object with nothing after it; when fn stops the walk early it
// reports whether what was walked was well formed.
func eachField(v []byte, fn func(key, val []byte) bool) bool {
	i := skipSpace(v, 0)
	if i >= len(v) || v[i] != '{' {
		return false
	}
	end, whole := walkObject(v, i, 1, fn)
	if end < 0 {
		return false
	}
	return !whole || skipSpace(v, end) == len(v)
}

// eachElem is eachField for a JSON array.
func eachElem(v []byte, fn func(val []byte) bool) bool {
	i := skipSpace(v, 0)
	if i >= len(v) || v[i] != '[' {
		return false
	}
	end, whole := walkArray(v, i, 1, fn)
	if end < 0 {
		return false
	}
	return !whole || skipSpace(v, end) == len(v)
}

// isNull reports whether the raw value v is absent or JSON null.
func isNull(v []byte) bool { return len(v) == 0 || string(v) == "null" }

// setString stores the JSON string v in *dst. It allocates only when the
// value changes; a non-string value leaves *dst alone.
func setString(dst *string, v []byte) {
	if len(v) < 2 || v[0] != '"' {
		return
	}
	inner := v[1 : len(v)-1]
	if bytes.IndexByte(inner, '\\') < 0 {
		if string(inner) != *dst {
			*dst = string(inner)
		}
		return
	}
	var s string
	if json.Unmarshal(v, &s) == nil {
		*dst = s
	}
}

// jsonInt reads a raw JSON integer (a float with an integral value, e.g.
// 12.0, is not accepted). Counts beyond 1e18 are rejected.
func jsonInt(v []byte) (int64, bool) {
	if len(v) == 0 || len(v) > 18 {
		return 0, false
	}
	neg := v[0] == '-'
	if neg {
		v = v[1:]
	}
	if len(v) == 0 {
		return 0, false
	}
	var n int64
	for _, c := range v {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	if neg {
		n = -n
	}
	return n, true
}

// setCount stores the raw JSON integer v in *dst when it is one.
func setCount(dst *int64, v []byte) {
	if n, ok := jsonInt(v); ok && n >= 0 {
		*dst = n
	}
}
