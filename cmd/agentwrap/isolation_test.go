//go:build linux

package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/agentwrap/agentwrap/internal/e2e"
	"github.com/agentwrap/agentwrap/internal/otlptest"
	"github.com/agentwrap/agentwrap/internal/upstreamtest"
	"github.com/agentwrap/agentwrap/spans/runfile"
)

// sameUser runs programs as an ordinary user, the setting the protection
// is for: root may read any process whatever it does. As root the tests
// drop to nobody and copy the programs where nobody can run them.
type sameUser struct {
	dir  string
	cred *syscall.Credential
}

func newSameUser(t *testing.T) sameUser {
	t.Helper()
	dir, err := os.MkdirTemp("", "agentwrap-isolation-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	u := sameUser{dir: dir}
	if os.Geteuid() == 0 {
		u.cred = &syscall.Credential{Uid: 65534, Gid: 65534, NoSetGroups: true}
		if err := os.Chmod(dir, 0o777); err != nil {
			t.Fatal(err)
		}
	}
	return u
}

// program copies the binary at path into the shared directory.
func (u sameUser) program(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(u.dir, filepath.Base(path))
	if err := os.WriteFile(dst, b, 0o755); err != nil {
		t.Fatal(err)
	}
	return dst
}

// run executes argv as the user with env and returns its outputs.
func (u sameUser) run(t *testing.T, env []string, argv ...string) (stdout, stderr string, code int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Env = env
	cmd.Dir = u.dir
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: u.cred}
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("%s did not run: %v", argv[0], err)
	}
	return out.String(), errOut.String(), code
}

func (u sameUser) env() []string {
	return []string{"PATH=/usr/bin:/bin", "HOME=" + u.dir, "LANG=C.UTF-8", "TERM=dumb", "TMPDIR=" + u.dir}
}

// yamaScope is the Yama ptrace scope, 0 when Yama is absent.
func yamaScope() string {
	b, err := os.ReadFile("/proc/sys/kernel/yama/ptrace_scope")
	if err != nil {
		return "0"
	}
	return strings.TrimSpace(string(b))
}

// TestAgentCannotReadAgentwrap: a hostile agent running as the same user
// reads /proc/$PPID/environ, scans /proc/$PPID/mem for the key and
// PTRACE_ATTACHes to its parent, then reads every variable of its own
// environment. Against an ordinary parent holding the key (the control)
// the attacks find it; against agentwrap each is refused, and no copy of
// the key, under whatever name it was exported, is in the agent's
// environment or in any output.
func TestAgentCannotReadAgentwrap(t *testing.T) {
	const prefix = "sk-canary-isolation-"
	key := prefix + "realkey-5f0e1d2c3b4a69788796a5b4"
	u := newSameUser(t)
	snoop := u.program(t, e2e.Program(t, "./cmd/agentwrap/internal/snoopagent"))
	bin := u.program(t, e2e.Binary(t))
	up := upstreamtest.Start(t, upstreamtest.WithKey(key))

	// The control: the same attacks against a parent that is not
	// protected find the key in its environment and its memory.
	out, errOut, code := u.run(t, append(u.env(), "SNOOP_SECRET="+key), snoop, "-hold", "-prefix", prefix)
	if code != 0 {
		t.Fatalf("control: exit %d\n%s\n%s", code, out, errOut)
	}
	if !strings.Contains(out, "environ: SNOOP_SECRET="+key) || !strings.Contains(out, "mem: found "+key) {
		t.Fatalf("control: the attacks do not find the key in an unprotected parent:\n%s", out)
	}
	ptraceWorks := strings.Contains(out, "ptrace: attached")
	if !ptraceWorks && yamaScope() == "0" {
		t.Fatalf("control: PTRACE_ATTACH to an unprotected parent failed:\n%s", out)
	}

	// The attack on agentwrap, with copies of the key under other names.
	env := append(u.env(), "COMETAPI_KEY="+key, "OPENAI_API_KEY="+key, "ANTHROPIC_API_KEY="+key,
		"GEMINI_API_KEY="+key, "DEPLOY_NOTES=token is "+key+" (rotate monthly)")
	state := filepath.Join(u.dir, "state")
	out, errOut, code = u.run(t, env, bin, "--state-dir", state, "--run-id", "isolation", "--upstream", up.URL(),
		"--profile", "generic", "--", snoop, "-attack", "-prefix", prefix)
	if code != 0 {
		t.Fatalf("wrapped run: exit %d\n%s\n%s", code, out, errOut)
	}
	for _, want := range []string{"environ: denied", "mem: denied", "ptrace: denied", "env: OPENAI_API_KEY=aw-"} {
		if !strings.Contains(out, want) {
			t.Errorf("agent output lacks %q:\n%s", want, out)
		}
	}
	if !ptraceWorks {
		t.Logf("Yama ptrace_scope %s refuses the control's PTRACE_ATTACH too; only the refusal is checked", yamaScope())
	}
	runFile, _ := os.ReadFile(filepath.Join(state, "runs", "isolation.jsonl"))
	for name, b := range map[string]string{"agent output": out, "stderr": errOut, "run file": string(runFile)} {
		if strings.Contains(b, key) {
			t.Errorf("the key reached the %s", name)
		}
	}
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "env: DEPLOY_NOTES=") || strings.HasPrefix(line, "env: COMETAPI_KEY=") {
			t.Errorf("a variable holding the key reached the agent: %s", strings.SplitN(line, "=", 2)[0])
		}
	}
}

// TestStolenRunTokenRefusedOutsideTree: a second process, outside the
// wrapped agent's process tree, takes the run token from the agent's
// /proc/<pid>/environ and calls the gateway with it. The token is really
// taken (the thief holds the agent's token), yet the gateway answers 401
// and forwards nothing, while the agent's own call with the same token
// goes through; the refused request is counted on the run span (it is no
// call), and the key is in no output.
func TestStolenRunTokenRefusedOutsideTree(t *testing.T) {
	const prefix = "sk-canary-stolen-"
	key := prefix + "realkey-a1b2c3d4e5f60718293a"
	up := upstreamtest.Start(t, upstreamtest.WithKey(key))
	snoop := e2e.Program(t, "./cmd/agentwrap/internal/snoopagent")
	state := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, e2e.Binary(t), "--state-dir", state, "--run-id", "stolen", "--upstream", up.URL(),
		"--profile", "generic", "--", snoop, "-linger")
	cmd.Env = append(baseEnv(t), "COMETAPI_KEY="+key)
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	rd := bufio.NewReader(stdout)
	line, err := rd.ReadString('\n')
	var agentPID int
	if _, perr := fmt.Sscanf(line, "pid %d", &agentPID); err != nil || perr != nil {
		t.Fatalf("agent: %q %v\n%s", line, err, stderr.String())
	}

	// The thief: a process that is not a descendant of agentwrap.
	thief, thiefErr, code := sameUser{dir: t.TempDir()}.run(t, baseEnv(t), snoop, "-steal", strconv.Itoa(agentPID))
	if code != 0 || !strings.Contains(thief, `-agentwrap-run-token"`) {
		t.Fatalf("the thief did not take the token: exit %d\n%s\n%s", code, thief, thiefErr)
	}
	if !strings.Contains(thief, "steal: status 401 caller_not_agent") {
		t.Errorf("the stolen token was not refused:\n%s", thief)
	}
	if n := len(up.Requests()); n != 0 {
		t.Errorf("%d requests reached the upstream from the thief", n)
	}

	// The agent's own call with the same token goes through.
	stdin.Close()
	rest, _ := io.ReadAll(rd)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("agentwrap: %v\n%s", err, stderr.String())
	}
	if !strings.Contains(string(rest), "linger: status 200") || len(up.Requests()) != 1 {
		t.Errorf("the agent's own call: %q, %d upstream requests", rest, len(up.Requests()))
	}
	runFile, _ := os.ReadFile(filepath.Join(state, "runs", "stolen.jsonl"))
	for name, b := range map[string]string{"agent output": line + string(rest), "thief output": thief + thiefErr,
		"stderr": stderr.String(), "run file": string(runFile)} {
		if strings.Contains(b, key) {
			t.Errorf("the key reached the %s", name)
		}
	}
	traces, lineErrs, err := runfile.ReadFile(filepath.Join(state, "runs", "stolen.jsonl"))
	if err != nil || len(lineErrs) > 0 {
		t.Fatalf("run file: %v %v", err, lineErrs)
	}
	all := otlptest.Flatten(traces)
	run := runSpan(t, all)
	if n, why := run.Int("agentwrap.rejected_requests"), run.Str("agentwrap.rejected_request.reason"); n != 1 || why != "caller_outside_agent_process_tree" {
		t.Errorf("run span: %d rejected requests, first for %q; want 1, caller_outside_agent_process_tree", n, why)
	}
	if notes := run.Str("agentwrap.notes"); !strings.Contains(notes, "outside the wrapped agent's process tree") {
		t.Errorf("the run span's note does not tell of the refused caller: %q", notes)
	}
	if calls := callSpans(all); len(calls) != 1 || calls[0].Str("agentwrap.result_class") != "pass" {
		t.Errorf("%d call spans, want the agent's own call, passed", len(calls))
	}
}

// TestPassthroughCredentialNeverInSpans: without a managed key the agent
// sends its own credential, and an upstream that echoes it (in the body,
// a header, a trailer, the response id "chatcmpl-<credential>", a 401)
// really returns it to the agent; the credential, which matches no secret
// pattern, still reaches no span, because the gateway registers what the
// agent presents with the run's scanner.
func TestPassthroughCredentialNeverInSpans(t *testing.T) {
	cred := "agentcred-canary-passthrough-7319"
	up := upstreamtest.Start(t, upstreamtest.WithKey(cred))
	snoop := e2e.Program(t, "./cmd/agentwrap/internal/snoopagent")
	recv := otlptest.NewReceiver(t)
	r := runBinary(t, invocation{env: append(baseEnv(t), "OPENAI_API_KEY="+cred, "OTEL_EXPORTER_OTLP_ENDPOINT="+recv.URL()),
		args: []string{"--upstream", up.URL(), "--profile", "generic", "--", snoop, "-echo"}})
	if r.code != 0 {
		t.Fatalf("exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if n := strings.Count(r.stdout, "reply holds the presented credential: true"); n != 3 {
		t.Fatalf("the upstream echoed the credential in %d of 3 replies: the test plants nothing\n%s", n, r.stdout)
	}
	calls := callSpans(r.spans)
	if len(calls) != 3 {
		t.Fatalf("%d call spans, want 3", len(calls))
	}
	ids := 0
	for _, s := range calls {
		if id := s.Str("gen_ai.response.id"); strings.HasPrefix(id, "chatcmpl-") {
			ids++
		}
	}
	if ids == 0 {
		t.Errorf("no call span kept its (masked) response id")
	}
	assertNoCanary(t, r, nil, cred)
	for _, raw := range recv.Raw() {
		if strings.Contains(string(raw), cred) {
			t.Error("the credential reached an OTLP export")
		}
	}
}
