package wrap

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const vibeProfiles = `# my agents
profiles:
  - name: vibe
    description: Mistral Vibe
    agents: [vibe, vibe-acp]
    env:
      MISTRAL_API_KEY: "{token}"
      MISTRAL_BASE_URL: "{base_url}/v1"
      VIBE_TELEMETRY: "off"
    unset: [MISTRAL_ORG]

  - name: claude
    agents: [claude]
    env:
      ANTHROPIC_BASE_URL: "{anthropic_base_url}"
      ANTHROPIC_API_KEY: "{token}"
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1"
`

func getenvOf(kv ...string) func(string) string {
	return func(k string) string { return lookupEnv(kv, k) }
}

// TestUserProfiles: a user profile is listed first with its file:line,
// selected by its executables, applied with its own variable names, and
// replaces the built-in profile of the same name.
func TestUserProfiles(t *testing.T) {
	cfg := t.TempDir()
	path := filepath.Join(cfg, "agentwrap", "profiles.yaml")
	writeFile(t, path, vibeProfiles)
	set, err := LoadProfiles("", getenvOf("XDG_CONFIG_HOME="+cfg, "HOME=/nonexistent"))
	if err != nil {
		t.Fatal(err)
	}
	all := set.All()
	if all[0].Name != "vibe" || all[0].Source != path+":3" || all[1].Name != "claude" || all[1].Source != path+":12" {
		t.Fatalf("profiles %+v", all[:2])
	}
	if n := len(all); n != len(Profiles())+1 {
		t.Errorf("%d profiles, want the built-in ones and vibe", n)
	}
	if p := set.Detect("/opt/bin/vibe-acp"); p.Name != "vibe" {
		t.Errorf("vibe-acp detected as %q", p.Name)
	}
	p := set.Detect("claude")
	if p.Source == BuiltinSource {
		t.Error("the built-in claude profile was not replaced")
	}
	vibe, _ := set.Lookup("vibe")
	env := []string{"COMETAPI_KEY=" + realKey, "MISTRAL_ORG=org", "MISTRAL_API_KEY=user-key"}
	_, out := apply(t, vibe, []string{"vibe"}, env, testGateway(testToken))
	checkEnv(t, envMap(t, out), map[string]string{
		"MISTRAL_API_KEY": testToken, "MISTRAL_BASE_URL": testBase + "/v1", "VIBE_TELEMETRY": "off",
		"MISTRAL_ORG": unset, "COMETAPI_KEY": unset, "OPENAI_BASE_URL": unset,
	})
	_, out = apply(t, vibe, []string{"vibe"}, env, testGateway(""))
	checkEnv(t, envMap(t, out), map[string]string{
		"MISTRAL_API_KEY": "user-key", "MISTRAL_BASE_URL": testBase + "/v1", "MISTRAL_ORG": "org",
	})
}

// TestProfilesFileLocation: --profiles and AGENTWRAP_PROFILES name a file
// that must exist; the default file may be absent.
func TestProfilesFileLocation(t *testing.T) {
	if path, req := UserProfilesFile("", getenvOf("HOME=/h")); path != "/h/.config/agentwrap/profiles.yaml" || req {
		t.Errorf("default = %q, %v", path, req)
	}
	if path, req := UserProfilesFile("", getenvOf("HOME=/h", "XDG_CONFIG_HOME=/x", ProfilesFileEnv+"=/e.yaml")); path != "/e.yaml" || !req {
		t.Errorf("from the variable = %q, %v", path, req)
	}
	if path, _ := UserProfilesFile("/f.yaml", getenvOf(ProfilesFileEnv+"=/e.yaml")); path != "/f.yaml" {
		t.Errorf("flag = %q", path)
	}
	set, err := LoadProfiles("", getenvOf("HOME="+t.TempDir()))
	if err != nil || len(set.All()) != len(Profiles()) {
		t.Errorf("absent default file: %v", err)
	}
	missing := filepath.Join(t.TempDir(), "nope.yaml")
	if _, err := LoadProfiles(missing, getenvOf()); err == nil || !strings.Contains(err.Error(), "nope.yaml") {
		t.Errorf("missing explicit file: %v", err)
	}
}

// TestMalformedProfiles: every problem is reported at its file:line.
func TestMalformedProfiles(t *testing.T) {
	cases := []struct {
		name, body string
		want       []string // "LINE: text"
	}{
		{"syntax", "profiles:\n  - name: a\n    env: {A: [\n", []string{"3: invalid YAML"}},
		{"tab", "profiles:\n  - name: a\n\tagents: [a]\n", []string{"3: invalid YAML"}},
		{"not a list", "profiles: {a: 1}\n", []string{"1: profiles must be a list"}},
		{"no profiles", "agents: []\n", []string{`1: unknown key "agents"`, "1: no profiles"}},
		{"unknown key", "profiles:\n  - name: a\n    envs: {A: b}\n", []string{`3: unknown key "envs" in a profile`}},
		{"no name", "profiles:\n  - agents: [a]\n", []string{"2: a profile needs a name"}},
		{"bad name", "profiles:\n  - name: My Agent\n", []string{`2: profile name "My Agent"`}},
		{"placeholder", "profiles:\n  - name: a\n    env:\n      A_KEY: \"{key}\"\n      B: \"{base_url}\"\n", []string{"4: A_KEY: unknown placeholder {key}"}},
		{"env name", "profiles:\n  - name: a\n    env:\n      A-B: x\n", []string{`4: "A-B" is not an environment variable name`}},
		{"env value", "profiles:\n  - name: a\n    env:\n      A: [x]\n", []string{"4: A must be a string"}},
		{"setup", "profiles:\n  - name: a\n    setup: docker\n", []string{`3: unknown setup "docker"`}},
		{"agent path", "profiles:\n  - name: a\n    agents: [bin/a]\n", []string{`3: agent "bin/a"`}},
		{"duplicate", "profiles:\n  - name: a\n  - name: b\n  - name: a\n", []string{`4: profile "a" is defined twice (first at line 2)`}},
		{"shared agent", "profiles:\n  - name: a\n    agents: [x]\n  - name: b\n    agents: [X]\n", []string{`4: agent "X" is claimed by profiles "a" and "b"`}},
		{"two errors", "profiles:\n  - name: a\n    setup: 1x\n  - name: b\n    unset: [\"a b\"]\n", []string{`3: unknown setup`, `5: "a b" is not`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "profiles.yaml")
			writeFile(t, path, c.body)
			_, err := LoadProfiles(path, getenvOf())
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), path+":"+w) {
					t.Errorf("error %q lacks %q", err, path+":"+w)
				}
			}
			var pe *ProfileError
			if !errors.As(err, &pe) || pe.File != path || pe.Line == 0 {
				t.Errorf("error %#v is no ProfileError with a line", err)
			}
		})
	}
}

// TestBuiltinProfilesFile: the built-in profiles are the embedded file,
// read by the same parser, and every setup is used by one of them.
func TestBuiltinProfilesFile(t *testing.T) {
	ps, err := parseProfiles("profiles.yaml", builtinYAML)
	if err != nil {
		t.Fatal(err)
	}
	var setups []string
	for _, p := range ps {
		if p.Setup != "" && !slices.Contains(setups, p.Setup) {
			setups = append(setups, p.Setup)
		}
	}
	slices.Sort(setups)
	want := slices.Sorted(slices.Values(Setups))
	if !slices.Equal(setups, want) {
		t.Errorf("setups used %q, defined %q", setups, want)
	}
	if b, _ := os.ReadFile("profiles.yaml"); string(b) != string(builtinYAML) {
		t.Error("embedded profiles differ from profiles.yaml")
	}
}

// TestREADMEProfileExample: the README's example profiles file is valid and
// applies as it says.
func TestREADMEProfileExample(t *testing.T) {
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(b), "### Your own profiles")
	if !ok {
		t.Fatal("README has no profiles section")
	}
	_, rest, _ = strings.Cut(rest, "```yaml\n")
	example, _, ok := strings.Cut(rest, "```")
	if !ok {
		t.Fatal("no yaml example")
	}
	ps, err := parseProfiles("README.md", []byte(example))
	if err != nil || len(ps) != 1 {
		t.Fatalf("%d profiles, %v", len(ps), err)
	}
	_, env := apply(t, ps[0], []string{"goose"}, nil, testGateway(testToken))
	checkEnv(t, envMap(t, env), map[string]string{
		"ANTHROPIC_HOST": testBase, "OPENAI_HOST": testBase, "ANTHROPIC_API_KEY": testToken, "OPENAI_API_KEY": testToken,
	})
}
