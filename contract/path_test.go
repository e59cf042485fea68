package contract

import (
	"reflect"
	"slices"
	"strings"
	"testing"
)

func TestCompilePath(t *testing.T) {
	for _, p := range []string{
		"/", "/v1/models", "/v1beta/models/{model}:generateContent", "/v1/files/{file_id}/content",
		"/a/pre{x}post/b", "/v1/%7Euser", "/v1/a;b=c,d",
	} {
		if _, err := compilePath(p); err != nil {
			t.Errorf("compilePath(%q) = %v, want ok", p, err)
		}
	}
	for p, want := range map[string]string{
		"":              "empty path",
		"   ":           "empty path",
		"v1/models":     `must start with "/"`,
		"/v1/x?a=b":     "query",
		"/v1/x#f":       "fragment",
		"/v1/":          `must not end with "/"`,
		"/v1//x":        "empty segment",
		"/v1/../x":      "dot segment",
		"/v1/./x":       "dot segment",
		"/v1/{a}{b}":    "one {name} parameter at most",
		"/v1/{a":        "balanced braces",
		"/v1/a}":        "balanced braces",
		"/v1/}a{":       "unbalanced braces",
		"/v1/{}":        "not an identifier",
		"/v1/{a-b}":     "not an identifier",
		"/v1/{a}/x/{a}": "appears twice",
		"/v1/a b":       "not allowed",
		"/v1/a\"b":      "not allowed",
		"/v1/%zz":       "percent-escape",
		"/v1/%4":        "percent-escape",
		"/v1/é":         "not allowed",
	} {
		_, err := compilePath(p)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("compilePath(%q) = %v, want error containing %q", p, err, want)
		}
	}
}

func TestMatch(t *testing.T) {
	m := &Manifest{}
	for _, e := range []Endpoint{
		{ID: "models", Method: "GET", Path: "/v1/models"},
		{ID: "model", Method: "GET", Path: "/v1/models/{id}"},
		{ID: "special", Method: "GET", Path: "/v1/models/special"},
		{ID: "gen", Method: "POST", Path: "/v1beta/models/{model}:generateContent"},
		{ID: "stream", Method: "POST", Path: "/v1beta/models/{model}:streamGenerateContent"},
		{ID: "root", Method: "GET", Path: "/"},
	} {
		segs, err := compilePath(e.Path)
		if err != nil {
			t.Fatal(err)
		}
		e.route = segs
		m.Endpoints = append(m.Endpoints, e)
	}
	for _, c := range []struct {
		method, path, id string
		params           map[string]string
	}{
		{"GET", "/v1/models", "models", nil},
		{"GET", "/v1/models?limit=5", "models", nil},
		{"GET", "/v1/models/gpt-5", "model", map[string]string{"id": "gpt-5"}},
		{"GET", "/v1/models/special", "special", nil},
		{"POST", "/v1beta/models/gemini-2.5-pro:generateContent", "gen", map[string]string{"model": "gemini-2.5-pro"}},
		{"POST", "/v1beta/models/gemini-2.5-pro:streamGenerateContent?alt=sse", "stream", map[string]string{"model": "gemini-2.5-pro"}},
		{"POST", "/v1beta/models/:generateContent", "", nil},
		{"POST", "/v1beta/models/a/b:generateContent", "", nil},
		{"POST", "/v1beta/models/gemini:countTokens", "", nil},
		{"POST", "/v1/models", "", nil},
		{"GET", "/v1/models/", "", nil},
		{"GET", "/", "root", nil},
		{"GET", "", "", nil},
		{"get", "/v1/models", "", nil},
	} {
		e, params := m.Match(c.method, c.path)
		id := ""
		if e != nil {
			id = e.ID
		}
		if id != c.id || !reflect.DeepEqual(params, c.params) {
			t.Errorf("Match(%s %s) = %q %v, want %q %v", c.method, c.path, id, params, c.id, c.params)
		}
	}
}

func TestCanonicalRouteErasesNames(t *testing.T) {
	a, _ := compilePath("/v1beta/models/{model}:generateContent")
	b, _ := compilePath("/v1beta/models/{m}:generateContent")
	if canonicalRoute(a) != canonicalRoute(b) {
		t.Errorf("%s != %s", canonicalRoute(a), canonicalRoute(b))
	}
}

// FuzzSplitPath holds splitPath, which appends to a caller's array, to
// strings.Split's segments, and Match and MatchEndpoint to the same
// endpoint, for any path.
func FuzzSplitPath(f *testing.F) {
	for _, p := range []string{"/", "//", "/v1/messages", "/v1/messages/", "/v1//messages", "v1/messages", "",
		"/v1beta/models/gemini-2.5-pro:streamGenerateContent?alt=sse", "/a/b/c/d/e/f/g/h/i/j", "/v1/models#x"} {
		f.Add(p)
	}
	m := Builtin()
	f.Fuzz(func(t *testing.T, path string) {
		var buf [2]string
		got, ok := splitPath(path, buf[:0])
		if ok != strings.HasPrefix(path, "/") {
			t.Fatalf("splitPath(%q): ok %v", path, ok)
		}
		if ok && path != "/" && !slices.Equal(got, strings.Split(path[1:], "/")) {
			t.Fatalf("splitPath(%q) = %q, strings.Split gives %q", path, got, strings.Split(path[1:], "/"))
		}
		for _, method := range []string{"POST", "GET"} {
			e, _ := m.Match(method, path)
			if me := m.MatchEndpoint(method, path); me != e {
				t.Fatalf("%s %q: Match finds %v, MatchEndpoint %v", method, path, e, me)
			}
		}
	})
}
