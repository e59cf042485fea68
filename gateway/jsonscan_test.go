package gateway

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

func scanAll(doc string, chunk int) *keyScanner {
	s := newKeyScanner(func(k string) bool {
		return k == "model" || k == "stream" || k == "max_tokens" || k == "generationConfig"
	})
	b := []byte(doc)
	for len(b) > 0 {
		n := chunk
		if n <= 0 || n > len(b) {
			n = len(b)
		}
		s.Write(b[:n])
		b = b[n:]
	}
	return s
}

func TestKeyScannerTopLevel(t *testing.T) {
	doc := `{"model":"claude-x","messages":[{"role":"user","content":"say \"}\" {["}],` +
		` "stream" : true, "max_tokens":1024,"metadata":{"user_id":"u"},"generationConfig":{"maxOutputTokens":9}}`
	for _, chunk := range []int{0, 1, 2, 3, 7} {
		s := scanAll(doc, chunk)
		if !s.Complete() || !s.Valid() {
			t.Fatalf("chunk %d: not complete/valid", chunk)
		}
		want := []string{"model", "messages", "stream", "max_tokens", "metadata", "generationConfig"}
		if got := s.Keys(); strings.Join(got, ",") != strings.Join(want, ",") {
			t.Fatalf("chunk %d: keys %v, want %v", chunk, got, want)
		}
		for k, v := range map[string]string{"model": `"claude-x"`, "stream": "true", "max_tokens": "1024", "generationConfig": `{"maxOutputTokens":9}`} {
			if got, ok := s.Value(k); !ok || string(got) != v {
				t.Fatalf("chunk %d: value %s = %q, %v; want %q", chunk, k, got, ok, v)
			}
		}
		if _, ok := s.Value("messages"); ok {
			t.Fatalf("unwanted value captured")
		}
	}
}

func TestKeyScannerRejectsNonObjects(t *testing.T) {
	for _, doc := range []string{`[1,2]`, `"x"`, `{"a" 1}`, `{"a":1}}`, `{,}`, `<html>`, `{"a":}`} {
		if s := scanAll(doc, 1); s.Valid() && s.Complete() {
			t.Errorf("%q accepted", doc)
		}
	}
	if s := scanAll(`{}`, 1); !s.Complete() || len(s.Keys()) != 0 {
		t.Errorf("empty object not accepted")
	}
	if s := scanAll(`{"model":"a"`, 1); s.Complete() || !s.Valid() {
		t.Errorf("truncated object: complete=%v valid=%v", s.Complete(), s.Valid())
	}
}

func TestKeyScannerBoundsCapture(t *testing.T) {
	big := strings.Repeat("x", maxCapturedJSON*2)
	s := scanAll(`{"model":"`+big+`","stream":false}`, 100)
	if _, ok := s.Value("model"); ok {
		t.Fatal("oversized value captured")
	}
	if v, ok := s.Value("stream"); !ok || string(v) != "false" {
		t.Fatalf("stream after oversized value = %q %v", v, ok)
	}
}

// FuzzKeyScanner checks the scanner against encoding/json: for every valid
// JSON object, in any chunking, the keys and captured values agree.
func FuzzKeyScanner(f *testing.F) {
	f.Add([]byte(`{"model":"m","stream":true,"max_tokens":5}`), 3)
	f.Add([]byte(`{"a":[{"b":"}"}],"model":"x\"y"}`), 1)
	f.Add([]byte(` { "max_tokens" : -1.5e3 , "x" : null } `), 2)
	f.Fuzz(func(t *testing.T, doc []byte, chunk int) {
		if chunk < 0 {
			chunk = -chunk
		}
		s := scanAll(string(doc), chunk%17)
		trimmed := bytes.TrimLeft(doc, " \t\r\n")
		var obj map[string]json.RawMessage
		if !json.Valid(doc) || !bytes.HasPrefix(trimmed, []byte("{")) || json.Unmarshal(doc, &obj) != nil {
			return
		}
		if !s.Complete() {
			t.Fatalf("valid object %q not complete", doc)
		}
		for _, k := range []string{"model", "stream", "max_tokens"} {
			raw, ok := obj[k]
			got, captured := s.Value(k)
			if !ok || len(raw) > maxCapturedJSON || hasEscapes(doc) {
				continue
			}
			if !captured {
				t.Fatalf("%q: %s not captured", doc, k)
			}
			var a, b any
			if json.Unmarshal(raw, &a) != nil || json.Unmarshal(got, &b) != nil {
				t.Fatalf("%q: %s captured %q, want %q", doc, k, got, raw)
			}
			ja, _ := json.Marshal(a)
			jb, _ := json.Marshal(b)
			if !bytes.Equal(ja, jb) {
				t.Fatalf("%q: %s = %s, want %s", doc, k, jb, ja)
			}
		}
	})
}

func hasEscapes(doc []byte) bool {
	return bytes.Contains(doc, []byte(`\`))
}
