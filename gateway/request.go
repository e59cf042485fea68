package gateway

import (
	"encoding/json"
	"io"
	"strconv"
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
}

func (b *teeRequestBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if n > 0 {
		b.n += int64(n)
		_, _ = b.scan.Write(p[:n])
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

// fillRequest copies what the scanner read into c. It is called when the
// call ends, by which time the transport has sent the body.
func fillRequest(c *Call, s *keyScanner, bodyLen int64) {
	c.RequestKeys = s.Keys()
	if bodyLen > 0 && !s.Valid() {
		c.RequestJSONError = true
	}
	if v, ok := s.Value("model"); ok && c.RequestModel == "" {
		var m string
		if json.Unmarshal(v, &m) == nil {
			c.RequestModel = m
		}
	}
	if v, ok := s.Value("stream"); ok {
		var st bool
		if json.Unmarshal(v, &st) == nil && st {
			c.RequestStream = true
		}
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
