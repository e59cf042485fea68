package gateway

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// TestKeyScannerValidIsExact: malformed documents that a bracket counter
// takes for JSON are invalid, at the byte where encoding/json finds them
// so; documents it accepts are complete.
func TestKeyScannerValidIsExact(t *testing.T) {
	for _, doc := range []string{
		`{"a":tru}`, `{"messages":[1 2 3],"model":"m"}`, `{"a":{"b" "c"}}`, `{"a":[1,]}`, `{"a":{,}}`,
		`{"a":01}`, `{"a":1.}`, `{"a":-}`, `{"a":1e}`, `{"a":.5}`, `{"a":"\x"}`, `{"a":"\u12g4"}`,
		"{\"a\":[\"\x01\"]}", `{"a":[}`, `{"a":{]}`, `{"a":nul}`, `{"a":[true false]}`, `{"a":{"b":1,}}`,
		`{"a":1}x`, `{"a":[1]]}`, `{"a":+1}`, `{"a":Infinity}`, `{"a":'x'}`,
		`{"a":` + strings.Repeat("[", maxScanDepth) + strings.Repeat("]", maxScanDepth) + `}`,
	} {
		checkAgainstJSON(t, []byte(doc))
		if s := scanAll(doc, 0); s.Valid() {
			t.Errorf("%.80q is valid to the scanner", doc)
		}
	}
	for _, doc := range []string{
		`{"a":[1,2,{"b":[true,false,null,-0.5e+3,"\u00e9\n\"\\/"]}],"c":{}}`, ` {"a" : [ ] , "b" : { } } `,
		`{"a":` + strings.Repeat("[", maxScanDepth-1) + strings.Repeat("]", maxScanDepth-1) + `}`,
	} {
		checkAgainstJSON(t, []byte(doc))
		if s := scanAll(doc, 0); !s.Valid() || !s.Complete() {
			t.Errorf("%.80q is not a complete valid object to the scanner", doc)
		}
	}
}

// FuzzKeyScannerValid checks Valid and Complete against encoding/json both
// ways, byte by byte: see checkAgainstJSON.
func FuzzKeyScannerValid(f *testing.F) {
	for _, s := range []string{`{"a":tru}`, `{"messages":[1 2 3],"model":"m"}`, `{"a":[1,{"b":null}],"c":-1.5E+3}`,
		`{"a":"\u00e9\ud800"}`, "{\"a\":\"\xff\"}", `{"a":01}`, ` {} `, `[1]`, `{"a":[[[[]]]]}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		checkAgainstJSON(t, doc)
	})
}

// checkAgainstJSON feeds doc to a scanner byte by byte. When doc is a JSON
// object encoding/json accepts, the scanner must be valid after every byte
// and complete at the end. Otherwise, when doc starts as an object, the
// scanner must stay valid up to the byte at which encoding/json reports
// the syntax error and turn invalid exactly at it (or, for a document cut
// short, be valid and incomplete at the end); when it does not start as
// an object, the scanner must turn invalid at its first byte that is not
// space.
func checkAgainstJSON(t *testing.T, doc []byte) {
	t.Helper()
	errAt := len(doc) // the index of the byte encoding/json rejects
	var syn *json.SyntaxError
	err := json.Unmarshal(doc, new(json.RawMessage))
	switch {
	case err == nil:
		errAt = -1
	case strings.Contains(err.Error(), "end of JSON input"), cutShort(doc, err):
	case errors.As(err, &syn) && syn.Offset > 0 && int(syn.Offset) <= len(doc):
		errAt = int(syn.Offset) - 1
	default:
		t.Fatalf("%.200q: %v", doc, err)
	}
	if first := bytes.TrimLeft(doc, " \t\r\n"); len(first) > 0 && first[0] != '{' {
		errAt = len(doc) - len(first)
	}
	s := newKeyScanner(nil)
	for i, b := range doc {
		s.step(b)
		if i == errAt {
			if s.Valid() {
				t.Fatalf("%.200q: valid after byte %d %q, where encoding/json says %v", doc, i, b, err)
			}
			return
		}
		if !s.Valid() {
			t.Fatalf("%.200q: invalid at byte %d %q; encoding/json: %v", doc, i, b, err)
		}
	}
	if s.Complete() != (errAt < 0) {
		t.Fatalf("%.200q: complete %v; encoding/json: %v", doc, s.Complete(), err)
	}
}

// cutShort reports whether err is encoding/json's end-of-input check
// failing: at the end it steps its scanner over one virtual space, so a
// document cut inside an escape, a literal or a number ("{\"\\", "{\"a\":tru")
// fails with "invalid character ' '" at offset len(doc) instead of
// "unexpected end of JSON input". When doc's own last byte is a space, that
// byte is the one rejected: a space the scanner accepted would leave it
// where a second space is accepted too.
func cutShort(doc []byte, err error) bool {
	var syn *json.SyntaxError
	return errors.As(err, &syn) && int(syn.Offset) == len(doc) && len(doc) > 0 && doc[len(doc)-1] != ' ' &&
		strings.HasPrefix(err.Error(), "invalid character ' '")
}
