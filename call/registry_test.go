package call

import (
	"slices"
	"strings"
	"testing"
)

// TestRegistryComplete walks the registry and fails on an entry with a
// field missing or inconsistent: a family added without, say, its provider
// name fails here instead of mislabelling spans.
func TestRegistryComplete(t *testing.T) {
	if len(Specs()) == 0 {
		t.Fatal("empty registry")
	}
	seen := map[Family]bool{}
	smokeNames := map[string]bool{}
	shapes := map[ErrorShape]bool{}
	for _, s := range ErrorShapes() {
		shapes[s] = true
	}
	for _, s := range Specs() {
		name := string(s.Family)
		switch {
		case s.Family == "" || s.Family == FamilyUnknown:
			t.Errorf("entry %q: family must be set and not %q", name, FamilyUnknown)
		case seen[s.Family]:
			t.Errorf("entry %q appears twice", name)
		}
		seen[s.Family] = true
		if len(s.Routes) == 0 {
			t.Errorf("%s: no routes", name)
		}
		for _, rt := range s.Routes {
			if rt.Family != "" {
				t.Errorf("%s: route %s has its own family %q", name, rt.Path, rt.Family)
			}
			if rt.Method != "GET" && rt.Method != "POST" {
				t.Errorf("%s: route %s: method %q", name, rt.Path, rt.Method)
			}
			if _, err := compile(rt.Path); err != nil {
				t.Errorf("%s: %v", name, err)
			}
		}
		if s.Credential < CredentialBearer || s.Credential > CredentialGoogAPIKey {
			t.Errorf("%s: credential style %d", name, s.Credential)
		}
		if !shapes[s.ErrorShape] {
			t.Errorf("%s: error shape %q", name, s.ErrorShape)
		}
		if s.Operation == "" || s.Operation == unknown.Operation {
			t.Errorf("%s: operation %q", name, s.Operation)
		}
		if s.Provider == "" || s.Provider == unknown.Provider {
			t.Errorf("%s: provider %q", name, s.Provider)
		}
		if Lookup(s.Family) != s || !Known(s.Family) {
			t.Errorf("%s: Lookup does not find the entry", name)
		}
		if s.Request.Body == nil && !slices.ContainsFunc(s.Routes, func(r Route) bool { return r.Method == "GET" }) {
			t.Errorf("%s: no minimal request body", name)
		}
		for k := range s.Request.Headers {
			if k != strings.ToLower(k) {
				t.Errorf("%s: request header %q not lower case", name, k)
			}
		}
		if sm := s.Smoke; sm != nil {
			checkSmoke(t, s, smokeNames)
		}
	}
	if Lookup(FamilyUnknown) != &unknown || Known(FamilyUnknown) || Lookup("no.such_family") != &unknown {
		t.Error("FamilyUnknown and unregistered families must look up as Unknown")
	}
}

func checkSmoke(t *testing.T, s *Spec, names map[string]bool) {
	t.Helper()
	sm, name := s.Smoke, string(s.Family)
	if sm.Name == "" || names[sm.Name] || sm.Model == "" || sm.Body == nil || sm.Required == "" {
		t.Errorf("%s: incomplete or duplicate smoke request %+v", name, *sm)
		return
	}
	names[sm.Name] = true
	// The smoke request must be one the gateway recognises as the family,
	// naming the model, and its body must hold the field it drops.
	m := DefaultRouter().Match(sm.Method, sm.SmokePath("some-model"))
	if m.Family != s.Family {
		t.Errorf("%s: smoke request %s %s routes to %s", name, sm.Method, sm.SmokePath("some-model"), m.Family)
	}
	if strings.Contains(sm.Path, "{model}") && m.Model != "some-model" {
		t.Errorf("%s: smoke path names model %q", name, m.Model)
	}
	body := sm.Body("some-model", "prompt")
	if _, ok := body[sm.Required]; !ok {
		t.Errorf("%s: smoke body has no %q to drop", name, sm.Required)
	}
}

// TestRoutes pins the routing: every registry path, and the paths that
// look alike but are not.
func TestRoutes(t *testing.T) {
	r := DefaultRouter()
	for _, tc := range []struct {
		method, path string
		want         Match
	}{
		{"POST", "/v1/chat/completions", Match{Family: FamilyChatCompletions}},
		{"POST", "/v1/responses", Match{Family: FamilyResponses}},
		{"POST", "/v1/messages", Match{Family: FamilyMessages}},
		{"POST", "/v1/messages/count_tokens", Match{Family: FamilyCountTokens}},
		{"POST", "/v1/embeddings", Match{Family: FamilyEmbeddings}},
		{"GET", "/v1/models", Match{Family: FamilyModels}},
		{"POST", "/v1beta/models/gemini-2.5-flash:generateContent", Match{Family: FamilyGemini, Model: "gemini-2.5-flash"}},
		{"POST", "/v1beta/models/gemini-2.5-pro:streamGenerateContent", Match{Family: FamilyGemini, Model: "gemini-2.5-pro", Stream: true}},
		{"GET", "/v1/chat/completions", Match{Family: FamilyUnknown}},
		{"POST", "/v1/models", Match{Family: FamilyUnknown}},
		{"POST", "/v1/chat/completions/", Match{Family: FamilyUnknown}},
		// Aliases: the path without the version prefix, forwarded to the
		// documented one.
		{"POST", "/chat/completions", Match{Family: FamilyChatCompletions, Forward: "/v1/chat/completions"}},
		{"POST", "/responses", Match{Family: FamilyResponses, Forward: "/v1/responses"}},
		{"POST", "/messages", Match{Family: FamilyMessages, Forward: "/v1/messages"}},
		{"POST", "/messages/count_tokens", Match{Family: FamilyCountTokens, Forward: "/v1/messages/count_tokens"}},
		{"POST", "/embeddings", Match{Family: FamilyEmbeddings, Forward: "/v1/embeddings"}},
		{"GET", "/models", Match{Family: FamilyModels, Forward: "/v1/models"}},
		{"POST", "/models/gemini-2.5-flash:generateContent", Match{Family: FamilyGemini, Model: "gemini-2.5-flash", Forward: "/v1beta/models/gemini-2.5-flash:generateContent"}},
		{"POST", "/models/g:streamGenerateContent", Match{Family: FamilyGemini, Model: "g", Stream: true, Forward: "/v1beta/models/g:streamGenerateContent"}},
		{"GET", "/messages", Match{Family: FamilyUnknown}},
		{"POST", "/models", Match{Family: FamilyUnknown}},
		{"POST", "/v1/v1/messages", Match{Family: FamilyUnknown}},
		{"POST", "/models/a/b:generateContent", Match{Family: FamilyUnknown}},
		{"POST", "/v1beta/models/:generateContent", Match{Family: FamilyUnknown}},
		{"POST", "/v1beta/models/a/b:generateContent", Match{Family: FamilyUnknown}},
		{"POST", "/v1beta/models/a:b:generateContent", Match{Family: FamilyUnknown}},
		{"POST", "/v1beta/models/a:countTokens", Match{Family: FamilyUnknown}},
		{"POST", "/v1beta/models/a:generateContent/", Match{Family: FamilyUnknown}},
		{"POST", "v1/messages", Match{Family: FamilyUnknown}},
		{"POST", "", Match{Family: FamilyUnknown}},
	} {
		if got := r.Match(tc.method, tc.path); got != tc.want {
			t.Errorf("Match(%s %s) = %+v, want %+v", tc.method, tc.path, got, tc.want)
		}
	}
}

// TestExtraRoutes checks that extra routes add paths to known families
// without taking a registry path away.
func TestExtraRoutes(t *testing.T) {
	r, err := NewRouter([]Route{
		{Family: FamilyChatCompletions, Method: "POST", Path: "/openai/deployments/{deployment}/chat/completions"},
		{Family: FamilyMessages, Method: "POST", Path: "/anthropic/v1/messages"},
		{Family: FamilyGemini, Method: "POST", Path: "/v1/models/{model}:streamGenerateContent", Stream: true},
		// A registry path stays the registry's family.
		{Family: FamilyEmbeddings, Method: "POST", Path: "/v1/chat/completions"},
		{Family: FamilyModels, Method: "GET", Path: "/"},
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		method, path string
		want         Match
	}{
		{"POST", "/openai/deployments/d1/chat/completions", Match{Family: FamilyChatCompletions}},
		{"POST", "/anthropic/v1/messages", Match{Family: FamilyMessages}},
		{"POST", "/v1/models/gemini-2.5-flash:streamGenerateContent", Match{Family: FamilyGemini, Model: "gemini-2.5-flash", Stream: true}},
		{"POST", "/v1/chat/completions", Match{Family: FamilyChatCompletions}},
		{"GET", "/anthropic/v1/messages", Match{Family: FamilyUnknown}},
		{"GET", "/", Match{Family: FamilyModels}},
		{"GET", "/x", Match{Family: FamilyUnknown}},
	} {
		if got := r.Match(tc.method, tc.path); got != tc.want {
			t.Errorf("Match(%s %s) = %+v, want %+v", tc.method, tc.path, got, tc.want)
		}
	}
	if DefaultRouter().Match("POST", "/anthropic/v1/messages").Family != FamilyUnknown {
		t.Error("extra routes leaked into the default router")
	}
	for _, bad := range []Route{
		{Family: FamilyUnknown, Method: "POST", Path: "/x"},
		{Family: "no.such", Method: "POST", Path: "/x"},
		{Family: FamilyMessages, Method: "POST", Path: "x"},
		{Family: FamilyMessages, Method: "POST", Path: "/a//b"},
		{Family: FamilyMessages, Method: "POST", Path: "/a/{x}{y}"},
	} {
		if _, err := NewRouter([]Route{bad}); err == nil {
			t.Errorf("NewRouter accepted %+v", bad)
		}
	}
}

// TestStyle pins credential style and error shape, including the guesses
// for paths no family owns.
func TestStyle(t *testing.T) {
	for _, tc := range []struct {
		f     Family
		path  string
		cred  CredentialStyle
		shape ErrorShape
	}{
		{FamilyChatCompletions, "/v1/chat/completions", CredentialBearer, ShapeOpenAI},
		{FamilyMessages, "/v1/messages", CredentialAPIKey, ShapeAnthropic},
		{FamilyCountTokens, "/v1/messages/count_tokens", CredentialAPIKey, ShapeAnthropic},
		{FamilyGemini, "/v1beta/models/m:generateContent", CredentialGoogAPIKey, ShapeGemini},
		{FamilyModels, "/v1/models", CredentialBearer, ShapeOpenAI},
		{FamilyUnknown, "/v1beta/files", CredentialGoogAPIKey, ShapeGemini},
		{FamilyUnknown, "/v1/messages/batches", CredentialAPIKey, ShapeAnthropic},
		{FamilyUnknown, "/v1/files", CredentialBearer, ShapeOpenAI},
	} {
		if cred, shape := Style(tc.f, tc.path); cred != tc.cred || shape != tc.shape {
			t.Errorf("Style(%s, %s) = %d, %s; want %d, %s", tc.f, tc.path, cred, shape, tc.cred, tc.shape)
		}
	}
	for s, want := range map[CredentialStyle][2]string{
		CredentialBearer:     {"Authorization", "Bearer k"},
		CredentialAPIKey:     {"X-Api-Key", "k"},
		CredentialGoogAPIKey: {"X-Goog-Api-Key", "k"},
	} {
		if n, v := s.Header("k"); n != want[0] || v != want[1] {
			t.Errorf("style %d: header %s: %s", s, n, v)
		}
	}
}

func BenchmarkRouterMatch(b *testing.B) {
	r := DefaultRouter()
	b.ReportAllocs()
	for b.Loop() {
		r.Match("POST", "/v1/messages")
		r.Match("POST", "/v1beta/models/gemini-2.5-flash:streamGenerateContent")
	}
}

// TestForwardMustBeDocumented: an alias forwards to a documented route of
// its own family, never to another alias or family.
func TestForwardMustBeDocumented(t *testing.T) {
	for _, rt := range []Route{
		{Family: FamilyMessages, Method: "POST", Path: "/anthropic/messages", Forward: "/v1/chat/completions"},
		{Family: FamilyMessages, Method: "POST", Path: "/anthropic/messages", Forward: "/messages"},
		{Family: FamilyMessages, Method: "POST", Path: "/anthropic/messages", Forward: "/v2/messages"},
		{Family: FamilyGemini, Method: "POST", Path: "/g/x:generateContent", Forward: "/v1beta/models/{model}:generateContent"},
	} {
		if _, err := NewRouter([]Route{rt}); err == nil {
			t.Errorf("%s -> %s accepted", rt.Path, rt.Forward)
		}
	}
	if _, err := NewRouter([]Route{{Family: FamilyMessages, Method: "POST", Path: "/anthropic/messages", Forward: "/v1/messages"}}); err != nil {
		t.Error(err)
	}
}
