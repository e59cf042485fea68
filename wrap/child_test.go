//go:build unix

package wrap

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// runChild starts the test child with args and waits for it.
func runChild(t *testing.T, spec childSpec, args ...string) (int, string) {
	t.Helper()
	var out bytes.Buffer
	spec.Argv = append([]string{testChild}, args...)
	if spec.Stdout == nil {
		spec.Stdout = &out
	}
	c, err := startChild(spec)
	if err != nil {
		t.Fatalf("startChild: %v", err)
	}
	code, err := c.Wait()
	if err != nil {
		t.Fatalf("Wait: %v", err)
	}
	return code, out.String()
}

func TestChildExitCodes(t *testing.T) {
	for _, want := range []int{0, 3, 255} {
		code, _ := runChild(t, childSpec{}, "-exit", strconv.Itoa(want))
		if code != want {
			t.Errorf("exit %d: got status %d", want, code)
		}
	}
}

func TestChildDeathBySignal(t *testing.T) {
	cases := map[string]int{"SIGKILL": 137, "SIGTERM": 143, "SIGHUP": 129}
	for sig, want := range cases {
		code, _ := runChild(t, childSpec{}, "-selfkill", sig)
		if code != want {
			t.Errorf("selfkill %s: got status %d, want %d", sig, code, want)
		}
	}
}

func TestChildSignalMethod(t *testing.T) {
	out := newLineReader(t)
	c, err := startChild(childSpec{Argv: []string{testChild, "-sleep", "1h"}, Stdout: out.w})
	if err != nil {
		t.Fatalf("startChild: %v", err)
	}
	out.waitFor(t, "ready")
	if err := syscall.Kill(c.Pid(), 0); c.Pid() <= 0 || err != nil {
		t.Fatalf("Pid() = %d is not a live process: %v", c.Pid(), err)
	}
	if err := c.Signal(os.Kill); err != nil {
		t.Fatalf("Signal: %v", err)
	}
	code, err := c.Wait()
	if err != nil || code != 137 {
		t.Fatalf("Wait = %d, %v; want 137, nil", code, err)
	}
	again, _ := c.Wait()
	if again != code {
		t.Errorf("second Wait = %d, want %d", again, code)
	}
	if err := c.Signal(os.Kill); !errors.Is(err, os.ErrProcessDone) {
		t.Errorf("Signal after Wait = %v, want os.ErrProcessDone", err)
	}
}

func TestChildStreamsEnvArgsDir(t *testing.T) {
	_, got := runChild(t, childSpec{Stdin: strings.NewReader("hello\nworld\n")}, "-stdin")
	if got != "hello\nworld\n" {
		t.Errorf("stdin echo = %q", got)
	}
	env := []string{"AGENTWRAP_PROBE=value-1"}
	_, got = runChild(t, childSpec{Env: env}, "-env", "AGENTWRAP_PROBE")
	if got != "value-1\n" {
		t.Errorf("env = %q", got)
	}
	_, got = runChild(t, childSpec{Env: env}, "-env", "HOME")
	if got != "<unset>\n" {
		t.Errorf("HOME should be unset in the given env, got %q", got)
	}
	_, got = runChild(t, childSpec{}, "-args", "--", "a b", "", "-c")
	if got != "a b\n\n-c\n" {
		t.Errorf("args = %q", got)
	}
}

func TestChildNotFound(t *testing.T) {
	_, err := startChild(childSpec{Argv: []string{"agentwrap-no-such-agent"}})
	if !errors.Is(err, errAgentNotFound) {
		t.Fatalf("err = %v, want errAgentNotFound", err)
	}
	if got, want := err.Error(), `agent "agentwrap-no-such-agent" not found on PATH`; got != want {
		t.Errorf("message = %q, want %q", got, want)
	}
	_, err = startChild(childSpec{Argv: []string{"./no/such/agent"}})
	if !errors.Is(err, errAgentNotFound) || err.Error() != `agent "./no/such/agent" not found` {
		t.Errorf("path err = %v", err)
	}
	if _, err := startChild(childSpec{}); err == nil {
		t.Error("empty argv: want error")
	}
}

func TestShouldForward(t *testing.T) {
	terminal := func() bool { return true }
	detached := func() bool { return false }
	cases := []struct {
		sig  syscall.Signal
		from func() bool
		want bool
	}{
		{syscall.SIGINT, terminal, false},
		{syscall.SIGQUIT, terminal, false},
		{syscall.SIGINT, detached, true},
		{syscall.SIGQUIT, detached, true},
		{syscall.SIGTERM, terminal, true},
		{syscall.SIGHUP, terminal, true},
		{syscall.SIGTERM, detached, true},
	}
	for _, c := range cases {
		if got := shouldForward(c.sig, c.from); got != c.want {
			t.Errorf("shouldForward(%v) = %v, want %v", c.sig, got, c.want)
		}
	}
}

func TestExitCodeNil(t *testing.T) {
	if got := exitCode(nil); got != -1 {
		t.Errorf("exitCode(nil) = %d", got)
	}
}

// TestRelayTrappedSignals signals a harness process (the test binary running
// startChild and Wait) and checks that the grandchild got the signal and the
// harness exited with the grandchild's status.
func TestRelayTrappedSignals(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGHUP, syscall.SIGINT, syscall.SIGQUIT} {
		name := signalName(sig)
		t.Run(name, func(t *testing.T) {
			h := startHarness(t, "exit", "-trap", name)
			h.out.waitFor(t, "ready")
			h.signal(t, sig)
			rest := h.out.rest(t)
			if !strings.Contains(rest, "got "+name+"\n") {
				t.Errorf("grandchild output %q lacks %q", rest, "got "+name)
			}
			if code := h.wait(t); code != 40+int(sig) {
				t.Errorf("harness status = %d, want %d", code, 40+int(sig))
			}
		})
	}
}

// TestRelayDeathStatus checks that a grandchild killed by the relayed signal
// makes the harness exit with 128+N.
func TestRelayDeathStatus(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGHUP, syscall.SIGINT} {
		t.Run(signalName(sig), func(t *testing.T) {
			h := startHarness(t, "exit", "-sleep", "1h")
			h.out.waitFor(t, "ready")
			h.signal(t, sig)
			h.out.rest(t)
			if code := h.wait(t); code != 128+int(sig) {
				t.Errorf("harness status = %d, want %d", code, 128+int(sig))
			}
		})
	}
}

// TestRelayStopsAfterWait checks that once Wait has returned, SIGTERM is no
// longer caught: the harness dies of it.
func TestRelayStopsAfterWait(t *testing.T) {
	h := startHarness(t, "after", "-exit", "0")
	h.out.waitFor(t, "waited")
	h.signal(t, syscall.SIGTERM)
	h.out.rest(t)
	h.wait(t)
	ws := h.cmd.ProcessState.Sys().(syscall.WaitStatus)
	if !ws.Signaled() || ws.Signal() != syscall.SIGTERM {
		t.Errorf("harness state = %v, want killed by SIGTERM", h.cmd.ProcessState)
	}
}

// killMargin is how long before the test deadline a hung harness is killed.
const killMargin = 5 * time.Second

// harness is a running harness process, leader of its own process group so
// that it and the grandchild can be killed together.
type harness struct {
	cmd   *exec.Cmd
	out   *lineReader
	stdin io.Closer
}

func startHarness(t *testing.T, mode string, childArgs ...string) *harness {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	// A broken relay would leave the harness waiting forever: kill its
	// process group shortly before the test binary's own deadline, so the
	// test fails with a message and leaves no process behind.
	ctx := context.Background()
	if dl, ok := t.Deadline(); ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, dl.Add(-killMargin))
		t.Cleanup(cancel)
	}
	cmd := exec.CommandContext(ctx, self, append([]string{testChild}, childArgs...)...)
	cmd.Env = append(os.Environ(), harnessEnv+"="+mode)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out := newLineReader(t)
	cmd.Stdout = out.w
	if err := cmd.Start(); err != nil {
		t.Fatalf("cannot start harness: %v", err)
	}
	out.closeWriterOnStart()
	h := &harness{cmd: cmd, out: out, stdin: stdin}
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		if cmd.ProcessState == nil {
			_ = cmd.Wait()
		}
	})
	return h
}

func (h *harness) signal(t *testing.T, sig syscall.Signal) {
	t.Helper()
	if err := syscall.Kill(h.cmd.Process.Pid, sig); err != nil {
		t.Fatalf("cannot signal harness: %v", err)
	}
}

func (h *harness) wait(t *testing.T) int {
	t.Helper()
	_ = h.cmd.Wait()
	_ = h.stdin.Close()
	return exitCode(h.cmd.ProcessState)
}

// lineReader reads a child's output through a pipe, line by line.
type lineReader struct {
	r  *os.File
	w  *os.File
	br *bufio.Reader
}

func newLineReader(t *testing.T) *lineReader {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close(); w.Close() })
	return &lineReader{r: r, w: w, br: bufio.NewReader(r)}
}

// closeWriterOnStart drops the parent's copy of the write end once a process
// holds it, so that reads end when the process and its children exit.
func (l *lineReader) closeWriterOnStart() { l.w.Close() }

// waitFor reads lines until one equals want.
func (l *lineReader) waitFor(t *testing.T, want string) {
	t.Helper()
	for {
		line, err := l.br.ReadString('\n')
		if strings.TrimSuffix(line, "\n") == want {
			return
		}
		if err != nil {
			t.Fatalf("output ended before %q: %v", want, err)
		}
	}
}

// rest reads the output to its end.
func (l *lineReader) rest(t *testing.T) string {
	t.Helper()
	b, err := io.ReadAll(l.br)
	if err != nil {
		t.Fatalf("cannot read output: %v", err)
	}
	return string(b)
}

func signalName(sig syscall.Signal) string {
	return map[syscall.Signal]string{
		syscall.SIGTERM: "SIGTERM", syscall.SIGHUP: "SIGHUP",
		syscall.SIGINT: "SIGINT", syscall.SIGQUIT: "SIGQUIT",
	}[sig]
}
