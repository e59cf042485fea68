package gateway

import (
	"bytes"
	"encoding/json"
	"slices"
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

// FuzzKeyScanner checks the scanner's properties on any input: the result
// does not depend on how the input is split; keys, their number and
// captured values stay within their bounds; and for every valid JSON
// document it agrees with encoding/json: an object is complete and valid,
// its top-level keys are the decoder's, in order and with repeats, and each
// wanted value is the decoder's (the last occurrence), or not captured when
// over the capture limit; anything else is never complete.
func FuzzKeyScanner(f *testing.F) {
	f.Add([]byte(`{"model":"m","stream":true,"max_tokens":5}`), 3)
	f.Add([]byte(`{"a":[{"b":"}"}],"model":"x\"y"}`), 1)
	f.Add([]byte(` { "max_tokens" : -1.5e3 , "x" : null } `), 2)
	f.Add([]byte(`{"max\u005ftokens":8,"mod\u0065l":"m","\u00e9":1,"model":"n"}`), 4)
	f.Add([]byte(`{"model":"a","model":"b","stream":false,"stream":true}`), 5)
	f.Add([]byte("{\"\xff\xfe\":1,\"ok\":[]}"), 1)
	f.Add([]byte(`["model",1]`), 2)
	f.Fuzz(func(t *testing.T, doc []byte, chunk int) {
		if chunk < 0 {
			chunk = -chunk
		}
		whole := scanAll(string(doc), 0)
		s := scanAll(string(doc), chunk%17)
		checkSameScan(t, doc, whole, s)
		checkBounds(t, doc, s)
		if !json.Valid(doc) {
			return
		}
		if !bytes.HasPrefix(bytes.TrimLeft(doc, " \t\r\n"), []byte("{")) {
			if s.Complete() {
				t.Fatalf("%q is not an object but was scanned as complete", doc)
			}
			return
		}
		if !s.Complete() || !s.Valid() {
			t.Fatalf("valid object %q: complete %v, valid %v", doc, s.Complete(), s.Valid())
		}
		checkKeys(t, doc, s)
		checkValues(t, doc, s)
	})
}

// checkSameScan fails when two scans of doc in different pieces differ.
func checkSameScan(t *testing.T, doc []byte, a, b *keyScanner) {
	t.Helper()
	if a.Valid() != b.Valid() || a.Complete() != b.Complete() || !slices.Equal(a.Keys(), b.Keys()) {
		t.Fatalf("%q: chunking changed the scan: %v/%v/%q vs %v/%v/%q", doc, a.Valid(), a.Complete(), a.Keys(), b.Valid(), b.Complete(), b.Keys())
	}
	for _, k := range []string{"model", "stream", "max_tokens", "generationConfig"} {
		va, oka := a.Value(k)
		vb, okb := b.Value(k)
		if oka != okb || !bytes.Equal(va, vb) {
			t.Fatalf("%q: chunking changed %s: %q vs %q", doc, k, va, vb)
		}
	}
}

// checkBounds fails when the scanner holds more than its limits allow (a
// decoded key may grow when invalid UTF-8 becomes U+FFFD).
func checkBounds(t *testing.T, doc []byte, s *keyScanner) {
	t.Helper()
	keys := s.Keys()
	if len(keys) > maxScanKeys {
		t.Fatalf("%q: %d keys", doc, len(keys))
	}
	for _, k := range keys {
		if len(k) > 3*maxScanKeyLen {
			t.Fatalf("%q: key of %d bytes", doc, len(k))
		}
	}
	for _, v := range s.values {
		if len(v.val) > maxCapturedJSON {
			t.Fatalf("%q: %s captured %d bytes", doc, v.key, len(v.val))
		}
	}
}

// topLevelKeys returns the decoded top-level keys of a valid JSON object in
// order, with repeats, and the longest raw (undecoded) key length.
func topLevelKeys(t *testing.T, doc []byte) ([]string, int) {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(doc))
	if _, err := dec.Token(); err != nil {
		t.Fatal(err)
	}
	var keys []string
	longest := 0
	for dec.More() {
		start := dec.InputOffset()
		tok, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		raw := bytes.Trim(doc[start:dec.InputOffset()], " \t\r\n,")
		longest = max(longest, len(raw)-2)
		keys = append(keys, tok.(string))
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			t.Fatal(err)
		}
	}
	return keys, longest
}

func checkKeys(t *testing.T, doc []byte, s *keyScanner) {
	t.Helper()
	want, longest := topLevelKeys(t, doc)
	if longest > maxScanKeyLen {
		return // truncated keys are left as read
	}
	if len(want) > maxScanKeys {
		want = want[:maxScanKeys]
	}
	if got := s.Keys(); !slices.Equal(got, want) {
		t.Fatalf("%q: keys %q, encoding/json sees %q", doc, got, want)
	}
}

func checkValues(t *testing.T, doc []byte, s *keyScanner) {
	t.Helper()
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(doc, &obj); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"model", "stream", "max_tokens", "generationConfig"} {
		raw, ok := obj[k]
		got, captured := s.Value(k)
		switch {
		case !ok:
			if captured {
				t.Fatalf("%q: %s captured but absent", doc, k)
			}
			continue
		case len(raw) > maxCapturedJSON:
			if captured {
				t.Fatalf("%q: %s over the limit but captured", doc, k)
			}
			continue
		case !captured:
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
}

// TestKeyScannerDecodesEscapedKeys: an escaped key is the name the upstream
// decodes, so a required-field check sees max_tokens.
func TestKeyScannerDecodesEscapedKeys(t *testing.T) {
	s := scanAll(`{"max\u005ftokens":8,"mod\u0065l":"m","caf\u00e9":1}`, 3)
	if got := s.Keys(); !slices.Equal(got, []string{"max_tokens", "model", "café"}) {
		t.Fatalf("keys %q", got)
	}
	if v, ok := s.Value("max_tokens"); !ok || string(v) != "8" {
		t.Fatalf("max_tokens = %q %v", v, ok)
	}
}

// TestKeyScannerRepeatedKeyOverLimit: the last occurrence of a repeated
// key wins, also when it is too large to capture.
func TestKeyScannerRepeatedKeyOverLimit(t *testing.T) {
	big := strings.Repeat("x", maxCapturedJSON)
	s := scanAll(`{"model":"a","model":"`+big+`"}`, 64)
	if v, ok := s.Value("model"); ok {
		t.Fatalf("stale first value %q kept", v)
	}
}

// BenchmarkKeyScanner scans a 256 KiB request body (an agent's
// conversation) in 32 KiB pieces, as the request tee does.
func BenchmarkKeyScanner(b *testing.B) {
	msg := `{"role":"user","content":"` + strings.Repeat(`lorem ipsum \"quoted\" `, 40) + `"},`
	doc := []byte(`{"model":"claude-sonnet-4-5","max_tokens":8192,"stream":true,"messages":[` +
		strings.Repeat(msg, 256*1024/len(msg)) + `{"role":"user","content":"x"}],"system":"s"}`)
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	for b.Loop() {
		s := newKeyScanner(wantRequestKey)
		for p := doc; len(p) > 0; {
			n := min(len(p), 32<<10)
			s.Write(p[:n])
			p = p[n:]
		}
		if !s.Complete() {
			b.Fatal("incomplete")
		}
	}
}
