package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/agentwrap/agentwrap/internal/e2e"
	"github.com/agentwrap/agentwrap/internal/upstreamtest"
	"github.com/agentwrap/agentwrap/spans"
)

// acmeProfiles is a user profiles file for the stand-in agent "acme",
// which reads only ACME_ENDPOINT and ACME_TOKEN.
const acmeProfiles = `profiles:
  - name: acme
    description: Acme Agent (reads ACME_*)
    agents: [acme]
    env:
      ACME_ENDPOINT: "{base_url}/v1"
      ACME_TOKEN: "{token}"
`

// TestUserProfileEndToEnd: an agent agentwrap has no profile for, reading
// only its own variable names, runs through the gateway with a profile from
// the user's config directory: its call is recorded and passes, the real key
// reaches the upstream and never the agent, and `agentwrap agents` lists
// the profile with its file:line beside the built-in ones.
func TestUserProfileEndToEnd(t *testing.T) {
	up := upstreamtest.Start(t, upstreamtest.WithKey(canaryKey))
	env := append(baseEnv(t), "COMETAPI_KEY="+canaryKey)
	config := strings.TrimPrefix(env[2], "XDG_CONFIG_HOME=")
	file := filepath.Join(config, "agentwrap", "profiles.yaml")
	if err := os.MkdirAll(filepath.Dir(file), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, []byte(acmeProfiles), 0o600); err != nil {
		t.Fatal(err)
	}
	dump := filepath.Join(t.TempDir(), "child.env")
	shim := envShim(t, "acme", e2e.Program(t, "./cmd/agentwrap/internal/customagent"), dump, "")

	r := runBinary(t, invocation{args: []string{"--upstream", up.URL(), "--", shim, "Return the word pong."}, env: env})
	if r.code != 0 || !strings.Contains(r.stdout, upstreamtest.ReplyText) {
		t.Fatalf("exit %d\nstdout: %s\nstderr: %s", r.code, r.stdout, r.stderr)
	}
	checkAgentRun(t, agentCase{agent: "acme", profile: "acme", family: "openai.chat_completions", keyHeader: "Authorization"}, r, up)
	checkChildEnv(t, dump)
	b, _ := os.ReadFile(dump)
	for _, unwanted := range []string{"OPENAI_BASE_URL=", "ANTHROPIC_BASE_URL=", "OPENAI_API_KEY="} {
		if strings.Contains(string(b), unwanted) {
			t.Errorf("the acme profile set %s: the generic profile was applied", unwanted)
		}
	}
	if rs := runSpan(t, r.spans); rs.Str(string(spans.ResultClass)) != "pass" {
		t.Errorf("run %s", rs.Str(string(spans.ResultClass)))
	}
	assertNoCanary(t, r, nil, canaryKey)

	a := runBinary(t, invocation{args: []string{"agents"}, env: env})
	if a.code != 0 {
		t.Fatalf("agents: exit %d: %s", a.code, a.stderr)
	}
	var acme, claude string
	for _, l := range strings.Split(a.stdout, "\n") {
		switch f := strings.Fields(l); {
		case len(f) > 3 && f[0] == "acme":
			acme = l
		case len(f) > 3 && f[0] == "claude":
			claude = l
		}
	}
	if !strings.Contains(acme, file+":2") || !strings.Contains(acme, "Acme Agent") || !strings.Contains(claude, "built-in") {
		t.Errorf("agents output:\n%s", a.stdout)
	}
}

// TestMalformedProfilesFileStopsTheRun: a profiles file with a mistake is
// reported with its file:line, by the run (which does not start the agent)
// and by `agentwrap agents`; --profiles names another file.
func TestMalformedProfilesFileStopsTheRun(t *testing.T) {
	env := append(baseEnv(t), "COMETAPI_KEY="+canaryKey)
	file := filepath.Join(t.TempDir(), "mine.yaml")
	bad := acmeProfiles + "    unset: [ACME_ORG]\n    setup: teleport\n"
	if err := os.WriteFile(file, []byte(bad), 0o600); err != nil {
		t.Fatal(err)
	}
	marker := filepath.Join(t.TempDir(), "started")
	agent := filepath.Join(t.TempDir(), "acme")
	if err := os.WriteFile(agent, []byte("#!/bin/sh\ntouch '"+marker+"'\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	want := file + `:9: unknown setup "teleport"`
	r := runBinary(t, invocation{args: []string{"--profiles", file, "--", agent}, env: env})
	if r.code == 0 || !strings.Contains(r.stderr, want) {
		t.Errorf("run: exit %d, stderr %q, want %q", r.code, r.stderr, want)
	}
	if _, err := os.Stat(marker); err == nil {
		t.Error("the agent was started")
	}
	a := runBinary(t, invocation{args: []string{"agents"}, env: append(env, "AGENTWRAP_PROFILES="+file)})
	if a.code == 0 || !strings.Contains(a.stderr, want) {
		t.Errorf("agents: exit %d, stderr %q", a.code, a.stderr)
	}
}
