//go:build unix

package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/agentwrap/agentwrap/internal/upstreamtest"
)

// TestCommandLineAsAUserExpects: help and version work; every usage or
// configuration error is one line on stderr with exit 2; an agent that is
// not found or not executable exits 127 or 126 like a shell. None of them
// runs an agent, prints a run summary or leaves a run file.
func TestCommandLineAsAUserExpects(t *testing.T) {
	notExec := filepath.Join(t.TempDir(), "agent.sh")
	if err := os.WriteFile(notExec, []byte("#!/bin/sh\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		args   []string
		env    []string
		code   int
		stdout string // a substring of stdout, or "" for none at all
		stderr string // a substring of the one stderr line, or "" for none
	}{
		{"help command", []string{"help"}, nil, 0, "USAGE:", ""},
		{"help of a command", []string{"help", "runs"}, nil, 0, "agentwrap runs", ""},
		{"--version", []string{"--version"}, nil, 0, "agentwrap version", ""},
		{"version command", []string{"version"}, nil, 0, "agentwrap version", ""},
		{"unknown flag", []string{"--bogus", "--", "true"}, nil, 2, "", "unknown flag --bogus"},
		{"unknown flag of a command", []string{"runs", "--bogus"}, nil, 2, "", "unknown flag --bogus"},
		{"bad duration", []string{"--flush-timeout", "soon", "--", "true"}, nil, 2, "", `invalid value "soon" for --flush-timeout: want a duration like 2s`},
		{"negative duration", []string{"--flush-timeout", "-5s", "--", "true"}, nil, 2, "", "--flush-timeout must not be negative"},
		{"negative keep-runs", []string{"--keep-runs", "-3", "--", "true"}, nil, 2, "", "--keep-runs must not be negative"},
		{"negative runs limit", []string{"runs", "--limit", "-3"}, nil, 2, "", "--limit must not be negative"},
		{"key too short", []string{"--", "true"}, []string{"COMETAPI_KEY=x"}, 2, "", "COMETAPI_KEY holds 1 character(s), too short to be an API key"},
		{"named key variable unset", []string{"--key-env", "NO_SUCH_KEY_VARIABLE", "--", "true"}, nil, 2, "", "--key-env names NO_SUCH_KEY_VARIABLE, which is unset or empty"},
		{"named key variable empty", []string{"--key-env", "EMPTY_KEY", "--", "true"}, []string{"EMPTY_KEY="}, 2, "", "EMPTY_KEY, which is unset or empty"},
		{"bad upstream", []string{"--upstream", "ftp://example.com", "--", "true"}, nil, 2, "", `upstream "ftp://example.com" is not an http(s) base URL`},
		{"unknown profile", []string{"--profile", "nope", "--", "true"}, nil, 2, "", `unknown profile "nope"`},
		{"agent not found", []string{"--", "no-such-agent-agentwrap-test"}, nil, 127, "", `agent "no-such-agent-agentwrap-test" not found on PATH`},
		{"agent not executable", []string{"--", notExec}, nil, 126, "", "is not an executable file"},
		{"agent is a directory", []string{"--", t.TempDir()}, nil, 126, "", "is not an executable file"},
		{"contract manifest missing", []string{"--contract", "/no/such/contract.yaml", "--", "true"}, nil, 2, "", "cannot read contract manifest: open /no/such/contract.yaml"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := runBinary(t, invocation{args: tc.args, env: append(baseEnv(t), tc.env...), timeout: time.Minute})
			if r.code != tc.code {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", r.code, tc.code, r.stdout, r.stderr)
			}
			if (tc.stdout == "") != (r.stdout == "") || !strings.Contains(r.stdout, tc.stdout) {
				t.Errorf("stdout %q, want %q", r.stdout, tc.stdout)
			}
			lines := strings.Split(strings.TrimSuffix(r.stderr, "\n"), "\n")
			switch {
			case tc.stderr == "" && r.stderr != "":
				t.Errorf("stderr %q, want none", r.stderr)
			case tc.stderr != "" && (len(lines) != 1 || !strings.Contains(r.stderr, tc.stderr)):
				t.Errorf("stderr %q, want one line with %q", r.stderr, tc.stderr)
			}
			if strings.Count(r.stderr, "agentwrap:") > 1 || strings.Contains(r.stderr, "cannot use contract manifest") {
				t.Errorf("doubled prefix in %q", r.stderr)
			}
			if r.runFile != nil {
				t.Errorf("a run file was left: %d bytes", len(r.runFile))
			}
		})
	}
}

// TestUnreachableUpstreamRecord: with the upstream unreachable, smoke and a
// wrapped run record unexpected_response with the transport error class,
// never a contract mismatch for fields the request had.
func TestUnreachableUpstreamRecord(t *testing.T) {
	const dead = "http://127.0.0.1:1"
	env := append(baseEnv(t), "COMETAPI_KEY="+canaryKey)
	r := runBinary(t, invocation{args: []string{"smoke", "--upstream", dead}, env: env, timeout: time.Minute})
	if r.code != 1 || !strings.Contains(r.stdout, "failure_class: unexpected_response") || !strings.Contains(r.stdout, "connection_refused") ||
		strings.Contains(r.stdout, "missing required field") {
		t.Errorf("smoke: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	w := runBinary(t, invocation{args: []string{"--upstream", dead, "--profile", "generic", "--", testChild(t), "-call", "OPENAI_BASE_URL"}, env: env, timeout: time.Minute})
	calls := callSpans(w.spans)
	if len(calls) != 1 {
		t.Fatalf("%d call spans\n%s", len(calls), w.stderr)
	}
	if f, n := calls[0].Str("agentwrap.failure_class"), calls[0].Str("agentwrap.notes"); f != "unexpected_response" || !strings.Contains(n, "connection_refused") {
		t.Errorf("wrapped call: %s %q", f, n)
	}
}

// TestSmokeVerdictAgreesEverywhere: a secret planted in
// OTEL_RESOURCE_ATTRIBUTES is masked by the guard, which fails the smoke
// record; the record on stdout, the run span, the summary line and the exit
// status all say so, and the secret is nowhere.
func TestSmokeVerdictAgreesEverywhere(t *testing.T) {
	up := upstreamtest.Start(t, upstreamtest.WithKey(canaryKey))
	const planted = "sk-canary-resource-attr-0123456789abcdef"
	env := append(baseEnv(t), "COMETAPI_KEY="+canaryKey, "OTEL_RESOURCE_ATTRIBUTES=team="+planted)
	r := runBinary(t, invocation{args: []string{"smoke", "--upstream", up.URL()}, env: env, timeout: time.Minute})
	if r.code != 1 || !strings.Contains(r.stdout, "result_class: fail") || !strings.Contains(r.stdout, "credential_redacted: false") {
		t.Errorf("record: exit %d\n%s", r.code, r.stdout)
	}
	if !strings.Contains(r.stderr, "2 model call(s), fail;") {
		t.Errorf("summary line does not say fail: %s", r.stderr)
	}
	if got := runSpan(t, r.spans).Str("agentwrap.result_class"); got != "fail" {
		t.Errorf("run span result %s, want fail", got)
	}
	assertNoCanary(t, r, nil, planted, canaryKey)
}
