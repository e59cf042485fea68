package upstreamtest

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"strings"
)

// kv is one member of an obj.
type kv struct {
	k string
	v any
}

// obj is a JSON object that keeps its members in the order written, so
// replies read like the real services' replies.
type obj []kv

// MarshalJSON writes the members in order.
func (o obj) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, m := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		k, err := json.Marshal(m.k)
		if err != nil {
			return nil, err
		}
		v, err := json.Marshal(m.v)
		if err != nil {
			return nil, err
		}
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// mustJSON marshals v, which is always marshallable here.
func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic("upstreamtest: cannot marshal reply: " + err.Error())
	}
	return b
}

// list returns an empty JSON array rather than null for no elements.
func list(vs ...any) []any {
	if vs == nil {
		return []any{}
	}
	return vs
}

// newID returns prefix followed by 26 random base32 characters, so ids are
// unique across replies and servers.
func newID(prefix string) string { return prefix + rand.Text() }

// newLowerID is newID in lower case, like OpenAI's chatcmpl- ids.
func newLowerID(prefix string) string { return prefix + strings.ToLower(rand.Text()) }
