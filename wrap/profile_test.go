package wrap

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const (
	testBase  = "http://127.0.0.1:4711"
	testToken = "awr-run-token-1"
	realKey   = "sk-canary-cometapi-0001"
	userTP    = "00-11111111111111111111111111111111-2222222222222222-01"
	runTP     = "00-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-bbbbbbbbbbbbbbbb-01"
)

// parentEnv is a parent environment with a real key, user credentials, an
// inherited trace context and a repeated PATH.
func parentEnv() []string {
	return []string{
		"PATH=/bin",
		"COMETAPI_KEY=" + realKey,
		"TRACEPARENT=" + userTP,
		"TRACESTATE=vendor=1",
		"OTEL_RESOURCE_ATTRIBUTES=service.namespace=dev,team=a",
		"ANTHROPIC_AUTH_TOKEN=user-anthropic-auth",
		"ANTHROPIC_API_KEY=user-anthropic-key",
		"CLAUDE_CODE_USE_BEDROCK=1",
		"OPENAI_API_KEY=user-openai-key",
		"GEMINI_API_KEY=user-gemini-key",
		"GOOGLE_GENAI_USE_GCA=true",
		"PATH=/usr/bin",
	}
}

func testGateway(token string) Gateway {
	return Gateway{BaseURL: testBase, Token: token, RunID: "run-1", TraceParent: runTP}
}

// apply runs p.Apply with a files directory, failing the test on an error.
func apply(t *testing.T, p Profile, argv, env []string, gw Gateway) ([]string, []string) {
	t.Helper()
	if gw.FilesDir == "" {
		gw.FilesDir = t.TempDir()
	}
	a, e, err := p.Apply(argv, env, gw)
	if err != nil {
		t.Fatalf("%s: %v", p.Name, err)
	}
	return a, e
}

// envMap turns an environment into a map, failing on a repeated name.
func envMap(t *testing.T, env []string) map[string]string {
	t.Helper()
	m := make(map[string]string, len(env))
	for _, kv := range env {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			t.Fatalf("malformed entry %q", kv)
		}
		if _, dup := m[k]; dup {
			t.Fatalf("%s appears twice", k)
		}
		m[k] = v
	}
	return m
}

// unset marks a variable that must be absent.
const unset = "<unset>"

func checkEnv(t *testing.T, got map[string]string, want map[string]string) {
	t.Helper()
	for k, w := range want {
		v, ok := got[k]
		switch {
		case w == unset && ok:
			t.Errorf("%s = %q, want unset", k, v)
		case w != unset && v != w:
			t.Errorf("%s = %q (set %v), want %q", k, v, ok, w)
		}
	}
}

func TestApplyEnvPerProfile(t *testing.T) {
	v1 := testBase + "/v1"
	claudeManaged := map[string]string{
		"ANTHROPIC_BASE_URL": testBase, "ANTHROPIC_API_KEY": testToken,
		"ANTHROPIC_AUTH_TOKEN": unset, "CLAUDE_CODE_USE_BEDROCK": unset,
	}
	geminiManaged := map[string]string{
		"GOOGLE_GEMINI_BASE_URL": testBase, "GEMINI_API_KEY": testToken,
		"GEMINI_DEFAULT_AUTH_TYPE": "gemini-api-key", "GOOGLE_GENAI_USE_GCA": unset,
	}
	openaiManaged := map[string]string{
		"OPENAI_BASE_URL": v1, "OPENAI_API_BASE": v1, "OPENAI_API_KEY": testToken,
	}
	claudePass := map[string]string{
		"ANTHROPIC_BASE_URL": testBase, "ANTHROPIC_API_KEY": "user-anthropic-key",
		"ANTHROPIC_AUTH_TOKEN": "user-anthropic-auth", "CLAUDE_CODE_USE_BEDROCK": "1",
	}
	geminiPass := map[string]string{
		"GOOGLE_GEMINI_BASE_URL": testBase, "GEMINI_API_KEY": "user-gemini-key",
		"GEMINI_DEFAULT_AUTH_TYPE": unset, "GOOGLE_GENAI_USE_GCA": "true",
	}
	openaiPass := map[string]string{
		"OPENAI_BASE_URL": v1, "OPENAI_API_BASE": v1, "OPENAI_API_KEY": "user-openai-key",
	}
	none := map[string]string{
		"ANTHROPIC_BASE_URL": unset, "GOOGLE_GEMINI_BASE_URL": unset,
		"OPENAI_BASE_URL": unset, "OPENAI_API_BASE": unset,
	}
	aiSDKManaged := map[string]string{
		"ANTHROPIC_BASE_URL": v1, "ANTHROPIC_API_KEY": testToken, "ANTHROPIC_AUTH_TOKEN": unset,
		"OPENAI_BASE_URL": v1, "OPENAI_API_KEY": testToken, "GOOGLE_GEMINI_BASE_URL": unset,
	}
	aiSDKPass := map[string]string{
		"ANTHROPIC_BASE_URL": v1, "ANTHROPIC_API_KEY": "user-anthropic-key", "ANTHROPIC_AUTH_TOKEN": "user-anthropic-auth",
		"OPENAI_BASE_URL": v1, "OPENAI_API_KEY": "user-openai-key", "GOOGLE_GENERATIVE_AI_API_KEY": unset,
	}
	cases := []struct {
		profile string
		token   string
		want    []map[string]string
	}{
		{"claude", testToken, []map[string]string{claudeManaged, {"GOOGLE_GEMINI_BASE_URL": unset, "OPENAI_BASE_URL": unset, "OPENAI_API_KEY": "user-openai-key"}}},
		{"claude", "", []map[string]string{claudePass}},
		{"codex", testToken, []map[string]string{none, {"OPENAI_API_KEY": testToken, "ANTHROPIC_API_KEY": "user-anthropic-key"}}},
		{"codex", "", []map[string]string{none, {"OPENAI_API_KEY": "user-openai-key"}}},
		{"gemini", testToken, []map[string]string{geminiManaged, {"ANTHROPIC_BASE_URL": unset, "OPENAI_BASE_URL": unset}}},
		{"gemini", "", []map[string]string{geminiPass}},
		{"opencode", testToken, []map[string]string{aiSDKManaged, {"GOOGLE_GENERATIVE_AI_API_KEY": testToken}}},
		{"opencode", "", []map[string]string{aiSDKPass}},
		{"ai-sdk", testToken, []map[string]string{aiSDKManaged, {"GOOGLE_GENERATIVE_AI_API_KEY": unset}}},
		{"ai-sdk", "", []map[string]string{aiSDKPass}},
		{"cline", testToken, []map[string]string{none, {"OPENAI_API_KEY": "user-openai-key", "ANTHROPIC_API_KEY": "user-anthropic-key"}}},
		{"crush", testToken, []map[string]string{none, {"OPENAI_API_ENDPOINT": v1, "ANTHROPIC_API_ENDPOINT": testBase, "GEMINI_API_ENDPOINT": testBase, "OPENAI_API_KEY": testToken, "ANTHROPIC_API_KEY": testToken, "GEMINI_API_KEY": testToken}}},
		{"crush", "", []map[string]string{none, {"OPENAI_API_ENDPOINT": v1, "ANTHROPIC_API_ENDPOINT": testBase, "OPENAI_API_KEY": "user-openai-key"}}},
	}
	for _, name := range []string{"qwen", "aider", "generic"} {
		cases = append(cases,
			struct {
				profile string
				token   string
				want    []map[string]string
			}{name, testToken, []map[string]string{claudeManaged, geminiManaged, openaiManaged}},
			struct {
				profile string
				token   string
				want    []map[string]string
			}{name, "", []map[string]string{claudePass, geminiPass, openaiPass}},
		)
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("%s/managed=%v", c.profile, c.token != ""), func(t *testing.T) {
			p, err := LookupProfile(c.profile)
			if err != nil {
				t.Fatal(err)
			}
			_, env := apply(t, p, []string{c.profile}, parentEnv(), testGateway(c.token))
			got := envMap(t, env)
			for _, w := range c.want {
				checkEnv(t, got, w)
			}
			checkCommon(t, got)
		})
	}
}

// checkCommon checks the edits every profile makes.
func checkCommon(t *testing.T, got map[string]string) {
	t.Helper()
	checkEnv(t, got, map[string]string{
		"COMETAPI_KEY":             unset,
		"TRACEPARENT":              runTP,
		"TRACESTATE":               unset,
		"AGENTWRAP_RUN_ID":         "run-1",
		"OTEL_RESOURCE_ATTRIBUTES": "service.namespace=dev,team=a,agentwrap.run_id=run-1",
		"PATH":                     "/usr/bin",
	})
}

func TestApplyKeepsArgv(t *testing.T) {
	argv := []string{"/usr/local/bin/codex", "exec", "fix the test"}
	orig := slices.Clone(argv)
	for _, p := range Profiles() {
		got, _ := apply(t, p, argv, []string{"HOME=" + t.TempDir()}, testGateway(testToken))
		if !slices.Equal(got, argv) {
			t.Errorf("%s changed argv: %q", p.Name, got)
		}
	}
	if !slices.Equal(argv, orig) {
		t.Errorf("Apply modified its input: %q", argv)
	}
}

func TestApplyKeyEnvAndTrace(t *testing.T) {
	p, _ := LookupProfile("generic")
	gw := Gateway{BaseURL: testBase, Token: testToken, KeyEnv: "MY_GATEWAY_KEY"}
	env := []string{"MY_GATEWAY_KEY=" + realKey, "TRACEPARENT=" + userTP, "OTEL_RESOURCE_ATTRIBUTES=a=1"}
	_, out := apply(t, p, []string{"x"}, env, gw)
	checkEnv(t, envMap(t, out), map[string]string{
		"MY_GATEWAY_KEY": unset, "TRACEPARENT": unset, "AGENTWRAP_RUN_ID": unset,
		"OTEL_RESOURCE_ATTRIBUTES": "a=1",
	})
}

func TestWithResourceAttr(t *testing.T) {
	cases := []struct{ old, id, want string }{
		{"", "r1", "agentwrap.run_id=r1"},
		{"k=v", "r1", "k=v,agentwrap.run_id=r1"},
		{"k=v, agentwrap.run_id=outer,x=y,", "inner", "k=v,x=y,agentwrap.run_id=inner"},
		{"k=v", "a b,c=d", "k=v,agentwrap.run_id=a%20b%2Cc%3Dd"},
	}
	for _, c := range cases {
		if got := withResourceAttr(c.old, "agentwrap.run_id", c.id); got != c.want {
			t.Errorf("withResourceAttr(%q, %q) = %q, want %q", c.old, c.id, got, c.want)
		}
	}
}

// TestApplyNeverLeaksRealKey plants a canary real key under the default and
// under custom key variables (including ones a profile sets) and checks that
// it reaches no profile's argv or env, managed or passthrough.
func TestApplyNeverLeaksRealKey(t *testing.T) {
	for _, keyEnv := range []string{"", "OPENAI_API_KEY", "ANTHROPIC_API_KEY", "GEMINI_API_KEY"} {
		name := keyEnv
		if name == "" {
			name = DefaultKeyEnv
		}
		env := slices.DeleteFunc(parentEnv(), func(kv string) bool {
			return strings.HasPrefix(kv, name+"=") || strings.Contains(kv, realKey)
		})
		env = append(env, name+"="+realKey)
		for _, p := range Profiles() {
			for _, token := range []string{testToken, ""} {
				gw := testGateway(token)
				gw.KeyEnv = keyEnv
				gw.FilesDir = t.TempDir()
				argv, out := apply(t, p, []string{p.Name, "arg"}, env, gw)
				if all := strings.Join(append(argv, out...), "\n"); strings.Contains(all, realKey) {
					t.Errorf("%s (key in %s, managed=%v): real key reached the child", p.Name, name, token != "")
				}
				if f := fileContaining(t, gw.FilesDir, realKey); f != "" {
					t.Errorf("%s (key in %s, managed=%v): real key written to %s", p.Name, name, token != "", f)
				}
			}
		}
	}
	s := fmt.Sprintf("%v %+v %#v %s", testGateway(realKey), testGateway(realKey), testGateway(realKey), testGateway(realKey))
	if strings.Contains(s, realKey) {
		t.Errorf("Gateway printed its token: %s", s)
	}
}

func TestParseEnvLastWins(t *testing.T) {
	e := parseEnv([]string{"A=1", "B=2", "A=3", "=C:=C:\\", "junk", "D="})
	want := []string{"A=3", "B=2", "=C:=C:\\", "D="}
	if got := e.environ(); !slices.Equal(got, want) {
		t.Errorf("environ = %q, want %q", got, want)
	}
	e.unset("A")
	e.set("E", "5")
	if got := e.environ(); !slices.Equal(got, []string{"B=2", "=C:=C:\\", "D=", "E=5"}) {
		t.Errorf("after edits = %q", got)
	}
}

func TestDetectProfile(t *testing.T) {
	cases := map[string]string{
		"claude": "claude", "/usr/local/bin/claude": "claude", `C:\bin\claude.exe`: "claude",
		"codex": "codex", "codex.cmd": "codex", "gemini": "gemini", "gemini.js": "gemini",
		"qwen": "qwen", "aider": "aider", "Aider.EXE": "aider",
		"opencode": "opencode", "cline": "cline", "crush": "crush",
		"npx": "generic", "claude-wrapper": "generic", "python": "generic", "": "generic",
	}
	for agent, want := range cases {
		if got := DetectProfile(agent); got != want {
			t.Errorf("DetectProfile(%q) = %q, want %q", agent, got, want)
		}
	}
}

func TestProfilesAndLookup(t *testing.T) {
	var names []string
	for _, p := range Profiles() {
		names = append(names, p.Name)
		if p.Description == "" {
			t.Errorf("%s has no description", p.Name)
		}
		got, err := LookupProfile(p.Name)
		if err != nil || got.Name != p.Name {
			t.Errorf("LookupProfile(%q) = %v, %v", p.Name, got.Name, err)
		}
	}
	if want := []string{"claude", "codex", "gemini", "opencode", "cline", "crush", "qwen", "aider", "ai-sdk", "generic"}; !slices.Equal(names, want) {
		t.Errorf("Profiles() = %q, want %q", names, want)
	}
	_, err := LookupProfile("cursor")
	if !errors.Is(err, ErrUnknownProfile) {
		t.Fatalf("err = %v", err)
	}
	for _, n := range append(names, `"cursor"`) {
		if !strings.Contains(err.Error(), n) {
			t.Errorf("error %q does not mention %s", err, n)
		}
	}
}

// fileContaining returns the first file under dir (following no links)
// whose content holds s, or "".
func fileContaining(t *testing.T, dir, s string) string {
	t.Helper()
	found := ""
	_ = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() || found != "" {
			return nil
		}
		if b, _ := os.ReadFile(path); strings.Contains(string(b), s) {
			found = path
		}
		return nil
	})
	return found
}
