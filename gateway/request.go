package gateway

import (
	"bytes"
	"encoding/json"
	"io"
	"strconv"
	"sync/atomic"

	"github.com/agentwrap/agentwrap/call"
)

// requestKeys are the top-level request body keys whose values the gateway
// reads. Every other key is only listed, never captured.
var requestKeys = map[string]bool{
	"model": true, "stream": true, "max_tokens": true,
	"max_output_tokens": true, "max_completion_tokens": true,
	"generationConfig": true, "generation_config": true,
}

func wantRequestKey(k string) bool { return requestKeys[k] }

// teeRequestBody passes the agent's request body to the upstream unchanged
// while a keyScanner reads its top-level keys. Nothing is buffered beyond the
// scanner's bounded capture.
type teeRequestBody struct {
	io.ReadCloser
	scan *keyScanner
	n    int64
	// atEOF, when set, runs once at the end of the body; an error it
	// returns replaces io.EOF so that the upstream request is abandoned
	// before the upstream could act on it.
	atEOF func() error
	// eof is set once the agent's body was read to its end: a body the
	// upstream was never sent (unreachable upstream) or only partly has
	// unknown fields, not missing ones.
	eof atomic.Bool
}

func (b *teeRequestBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if n > 0 {
		b.n += int64(n)
		_, _ = b.scan.Write(p[:n])
	}
	if err == io.EOF {
		b.eof.Store(true)
	}
	if err == io.EOF && b.atEOF != nil {
		check := b.atEOF
		b.atEOF = nil
		if cerr := check(); cerr != nil {
			return n, cerr
		}
	}
	return n, err
}

// jsonString decodes a JSON string value; a plain one (no escape, ASCII
// only) is copied without the JSON decoder.
func jsonString(v []byte) (string, bool) {
	if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
		plain := true
		for _, b := range v[1 : len(v)-1] {
			if b < 0x20 || b == '"' || b == '\\' || b >= 0x80 {
				plain = false
				break
			}
		}
		if plain {
			return string(v[1 : len(v)-1]), true
		}
	}
	var m string
	err := json.Unmarshal(v, &m)
	return m, err == nil
}

// fillRequest copies what the scanner read into c. It is called when the
// call ends, by which time the transport has sent the body.
func fillRequest(c *call.Call, s *keyScanner, bodyLen int64) {
	c.RequestKeys = s.Keys()
	if bodyLen > 0 && !s.Valid() {
		c.RequestJSONError = true
	}
	if v, ok := s.Value("model"); ok && c.RequestModel == "" {
		if m, ok := jsonString(v); ok {
			c.RequestModel = m
		}
	}
	if v, ok := s.Value("stream"); ok && bytes.Equal(bytes.Trim(v, " \t\r\n"), []byte("true")) {
		c.RequestStream = true
	}
	for _, k := range []string{"max_tokens", "max_output_tokens", "max_completion_tokens"} {
		if v, ok := s.Value(k); ok {
			if n, err := strconv.ParseInt(string(v), 10, 64); err == nil {
				c.RequestMaxTokens = n
				return
			}
		}
	}
	for _, k := range []string{"generationConfig", "generation_config"} {
		if v, ok := s.Value(k); ok {
			var gc struct {
				A *int64 `json:"maxOutputTokens"`
				B *int64 `json:"max_output_tokens"`
			}
			if json.Unmarshal(v, &gc) == nil {
				switch {
				case gc.A != nil:
					c.RequestMaxTokens = *gc.A
				case gc.B != nil:
					c.RequestMaxTokens = *gc.B
				}
			}
		}
	}
}
