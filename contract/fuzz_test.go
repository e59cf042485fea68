package contract

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzParse proves Parse and Lint never panic, that Parse returns a manifest
// exactly when lint finds no error, and that every parsed endpoint can be
// matched and checked.
func FuzzParse(f *testing.F) {
	f.Add(builtinYAML)
	files, _ := filepath.Glob("testdata/lint/*.yaml")
	for _, file := range files {
		if data, err := os.ReadFile(file); err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte("a: &a [*a]"))
	f.Add([]byte("endpoints: [{path: '/{a}{b}'}]"))
	f.Fuzz(func(t *testing.T, data []byte) {
		fs := Lint("fuzz.yaml", data, lintNow)
		m, err := Parse("fuzz.yaml", data)
		if (err == nil) != (m != nil) {
			t.Fatalf("Parse returned manifest %v and error %v", m != nil, err)
		}
		if m == nil {
			return
		}
		// Lint ran with a fixed clock, Parse with the real one: only
		// clock-relative findings may differ.
		for _, f := range Errors(fs) {
			if !strings.HasSuffix(f.Msg, "is in the future") {
				t.Fatalf("Parse accepted a manifest with lint error %s", f)
			}
		}
		for i := range m.Endpoints {
			e := &m.Endpoints[i]
			if got, _ := m.Match(e.Method, e.Path); got == nil {
				t.Fatalf("endpoint %s does not match its own path %s", e.ID, e.Path)
			}
			CheckRequest(e, nil, nil, false)
			CheckResponse(e, Response{Status: 500})
		}
	})
}
