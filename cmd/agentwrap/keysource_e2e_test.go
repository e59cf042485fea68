//go:build unix

package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/agentwrap/agentwrap/internal/upstreamtest"
)

// TestKeyFileAndKeyCmd runs the built binary with the key in a file and
// from a credential helper instead of the environment: the key reaches the
// upstream (so it was read), and it is in no output; a key file others can
// read and a failing helper are one line and exit 2, the helper's stderr
// shown and its stdout never.
func TestKeyFileAndKeyCmd(t *testing.T) {
	const prefix = "sk-canary-keysrc-"
	key := prefix + "realkey-9a8b7c6d5e4f30211203"
	up := upstreamtest.Start(t, upstreamtest.WithKey(key))
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "cometapi.key")
	if err := os.WriteFile(keyFile, []byte(key+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	openFile := filepath.Join(dir, "open.key")
	if err := os.WriteFile(openFile, []byte(key+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(openFile, 0o644); err != nil {
		t.Fatal(err)
	}
	env := append(baseEnv(t), "CANARY_PREFIX="+prefix)
	agent := []string{"--upstream", up.URL(), "--profile", "generic", "--", canaryAgent(t)}
	keyed := func() int {
		n := 0
		for _, q := range up.Requests() {
			if strings.Contains(q.Header.Get("Authorization")+q.Header.Get("X-Api-Key")+q.Header.Get("X-Goog-Api-Key"), key) {
				n++
			}
		}
		return n
	}

	for _, tc := range []struct {
		name string
		args []string
		// stderr is a line the run's stderr must hold.
		stderr string
	}{
		{"key file", []string{"--key-file", keyFile}, ""},
		{"key command", []string{"--key-cmd", "echo 'helper: unlocking' >&2; cat " + keyFile}, "helper: unlocking"},
	} {
		before := keyed()
		r := runBinary(t, invocation{env: env, args: append(tc.args, agent...)})
		if r.code != 0 || !strings.Contains(r.stdout, "canaryagent: 6 calls") {
			t.Fatalf("%s: exit %d\n%s\n%s", tc.name, r.code, r.stdout, r.stderr)
		}
		if keyed() == before {
			t.Fatalf("%s: no request reached the upstream with the key: it was not read", tc.name)
		}
		if !strings.Contains(r.stderr, tc.stderr) {
			t.Errorf("%s: stderr lacks %q:\n%s", tc.name, tc.stderr, r.stderr)
		}
		assertNoCanary(t, r, nil, key)
	}

	for _, tc := range []struct {
		name   string
		args   []string
		stderr []string
	}{
		{"key file readable by others", []string{"--key-file", openFile}, []string{"agentwrap: cannot read the key: key file " + openFile + " is readable by others (mode 0644): run chmod 600"}},
		{"failing key command", []string{"--key-cmd", "cat " + keyFile + "; echo 'helper: vault sealed' >&2; exit 5"},
			[]string{"helper: vault sealed", "agentwrap: cannot read the key: key command failed (exit status 5)"}},
	} {
		before := len(up.Requests())
		r := runBinary(t, invocation{env: env, args: append(tc.args, agent...)})
		if r.code != 2 || r.stdout != "" || len(up.Requests()) != before {
			t.Errorf("%s: exit %d, stdout %q, %d upstream requests: want exit 2 before the agent starts", tc.name, r.code, r.stdout, len(up.Requests())-before)
		}
		lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
		if len(lines) != len(tc.stderr) {
			t.Errorf("%s: stderr %q, want the lines %q", tc.name, r.stderr, tc.stderr)
		}
		for _, want := range tc.stderr {
			if !strings.Contains(r.stderr, want) {
				t.Errorf("%s: stderr lacks %q:\n%s", tc.name, want, r.stderr)
			}
		}
		assertNoCanary(t, r, nil, key)
	}

	smoke := runBinary(t, invocation{env: env, args: []string{"smoke", "--upstream", up.URL(), "--key-cmd", "cat " + keyFile}})
	if smoke.code != 0 {
		t.Errorf("smoke with --key-cmd: exit %d\n%s", smoke.code, smoke.stderr)
	}
	assertNoCanary(t, smoke, nil, key)
}
