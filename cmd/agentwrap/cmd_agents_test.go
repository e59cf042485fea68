package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestAgentsCommandListsProfilesAndPATH: every profile is listed, and an
// agent is reported found exactly when it is on PATH.
func TestAgentsCommandListsProfilesAndPATH(t *testing.T) {
	bin := t.TempDir()
	if err := os.WriteFile(filepath.Join(bin, "codex"), []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	env := append(baseEnv(t)[1:], "PATH="+bin)
	r := runBinary(t, invocation{args: []string{"agents"}, env: env})
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	lines := map[string]string{}
	for _, l := range strings.Split(r.stdout, "\n") {
		if f := strings.Fields(l); len(f) >= 3 {
			lines[f[1]] = f[2]
		}
	}
	if lines["codex"] != filepath.Join(bin, "codex") {
		t.Errorf("codex found at %q, want %s\n%s", lines["codex"], filepath.Join(bin, "codex"), r.stdout)
	}
	for _, a := range []string{"claude", "gemini", "qwen", "aider"} {
		if lines[a] != "no" {
			t.Errorf("%s: found %q, want no\n%s", a, lines[a], r.stdout)
		}
	}
	if !strings.Contains(r.stdout, "generic") {
		t.Errorf("generic profile missing:\n%s", r.stdout)
	}
}
