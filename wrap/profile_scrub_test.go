package wrap

import (
	"strings"
	"testing"
)

// TestWithoutKeyRemovesEveryCopy: copies of the real key under any name
// leave the child's environment, credential variables a profile sets hold
// the run token, and nothing else is touched.
func TestWithoutKeyRemovesEveryCopy(t *testing.T) {
	parent := append(parentEnv(),
		"OPENAI_API_KEY="+realKey,
		"ANTHROPIC_API_KEY="+realKey,
		"GEMINI_API_KEY="+realKey,
		"MY_TEAM_KEYS=first,"+realKey+",third",
		"EXPORTED_AS_ARG=--api-key="+realKey,
		"UNRELATED=sk-canary-cometapi-000",
	)
	for _, name := range []string{"claude", "codex", "gemini", "generic"} {
		p, err := LookupProfile(name)
		if err != nil {
			t.Fatal(err)
		}
		_, env := apply(t, p, []string{name}, parent, testGateway(testToken))
		// The copies really are in the environment Apply hands on.
		if !strings.Contains(strings.Join(env, "\n"), realKey) {
			t.Fatalf("%s: no copy of the key planted: the test proves nothing", name)
		}
		got := envMap(t, WithoutKey(env, realKey))
		for k, v := range got {
			if strings.Contains(v, realKey) {
				t.Errorf("%s: %s still holds the key", name, k)
			}
		}
		checkEnv(t, got, map[string]string{"MY_TEAM_KEYS": unset, "EXPORTED_AS_ARG": unset,
			"UNRELATED": "sk-canary-cometapi-000", "PATH": "/usr/bin"})
		switch name {
		case "claude":
			checkEnv(t, got, map[string]string{"ANTHROPIC_API_KEY": testToken, "OPENAI_API_KEY": unset, "GEMINI_API_KEY": unset})
		case "codex":
			checkEnv(t, got, map[string]string{"OPENAI_API_KEY": testToken, "ANTHROPIC_API_KEY": unset})
		case "generic":
			checkEnv(t, got, map[string]string{"OPENAI_API_KEY": testToken, "ANTHROPIC_API_KEY": testToken, "GEMINI_API_KEY": testToken})
		}
	}
	if env := []string{"A=" + realKey}; len(WithoutKey(env, "")) != 1 {
		t.Error("passthrough (no key) must leave the environment alone")
	}
	if got := WithoutKey([]string{"A=abc", "B=xabcx"}, "abc"); strings.Join(got, ",") != "B=xabcx" {
		t.Errorf("a short key is only removed where a value equals it: %q", got)
	}
}
