package wrap

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"sync"
	"syscall"
)

// errAgentNotFound is wrapped by the error startChild returns when the agent
// executable does not exist.
var errAgentNotFound = errors.New("agent not found")

// childSpec describes the agent process to start.
type childSpec struct {
	// Argv is the agent command and its arguments; Argv[0] is looked up on
	// PATH unless it contains a path separator. It must not be empty.
	Argv []string
	// Env is the child's environment in os.Environ form; nil means the
	// parent's environment.
	Env []string
	// Dir is the child's working directory; empty means the current one.
	Dir string
	// Stdin, Stdout and Stderr are the child's standard streams; nil means
	// os.Stdin, os.Stdout and os.Stderr. An *os.File is handed to the child
	// as is, so a terminal stays a terminal for interactive agents.
	Stdin          io.Reader
	Stdout, Stderr io.Writer
}

// childProcess is a started agent process. It stays in agentwrap's process
// group so that it keeps the terminal's foreground, and from startChild
// until Wait returns agentwrap catches SIGINT, SIGTERM, SIGHUP and SIGQUIT
// and relays them to it.
type childProcess struct {
	cmd  *exec.Cmd
	sigs chan os.Signal
	done chan struct{}
	// relayed is closed when the relay goroutine has returned.
	relayed chan struct{}
	// fromTerminal reports whether the terminal already delivers its
	// keyboard signals to the child.
	fromTerminal func() bool
	waitOnce     sync.Once
	code         int
	err          error
}

// notFoundError is the error for a missing agent executable.
type notFoundError struct {
	name   string
	onPath bool
}

// Error names the agent and where it was looked for.
func (e *notFoundError) Error() string {
	if e.onPath {
		return fmt.Sprintf("agent %q not found on PATH", e.name)
	}
	return fmt.Sprintf("agent %q not found", e.name)
}

// Unwrap returns errAgentNotFound so callers can branch with errors.Is.
func (e *notFoundError) Unwrap() error { return errAgentNotFound }

// startChild starts the agent described by spec and begins relaying signals
// to it. The caller must call Wait.
func startChild(spec childSpec) (*childProcess, error) {
	if len(spec.Argv) == 0 || spec.Argv[0] == "" {
		return nil, errors.New("cannot start agent: no command given")
	}
	path, err := lookAgent(spec.Argv[0])
	if err != nil {
		return nil, err
	}
	cmd := &exec.Cmd{
		Path:   path,
		Args:   spec.Argv,
		Env:    spec.Env,
		Dir:    spec.Dir,
		Stdin:  orReader(spec.Stdin, os.Stdin),
		Stdout: orWriter(spec.Stdout, os.Stdout),
		Stderr: orWriter(spec.Stderr, os.Stderr),
		// Kept in agentwrap's process group (the terminal's foreground);
		// on Linux it gets SIGTERM when agentwrap dies.
		SysProcAttr: childAttr(),
	}
	c := &childProcess{
		cmd:          cmd,
		sigs:         make(chan os.Signal, 8),
		done:         make(chan struct{}),
		relayed:      make(chan struct{}),
		fromTerminal: terminalDeliversSignals,
	}
	// Catch the signals before the child exists, so that none of them can
	// kill agentwrap while the child runs; early ones wait in the channel.
	signal.Notify(c.sigs, relayedSignals()...)
	if err := cmd.Start(); err != nil {
		signal.Stop(c.sigs)
		return nil, fmt.Errorf("cannot start agent %q: %w", spec.Argv[0], err)
	}
	go c.relay()
	return c, nil
}

// lookAgent resolves the agent executable, turning a missing file into a
// notFoundError.
func lookAgent(name string) (string, error) {
	path, err := exec.LookPath(name)
	if err == nil {
		return path, nil
	}
	if errors.Is(err, exec.ErrNotFound) || errors.Is(err, fs.ErrNotExist) {
		onPath := !strings.ContainsAny(name, "/"+string(os.PathSeparator))
		return "", &notFoundError{name: name, onPath: onPath}
	}
	if errors.Is(err, fs.ErrPermission) || errors.Is(err, syscall.EISDIR) {
		return "", fmt.Errorf("agent %q is not an executable file: %w", name, fs.ErrPermission)
	}
	return "", fmt.Errorf("cannot start agent %q: %w", name, err)
}

// Pid returns the child's process id.
func (c *childProcess) Pid() int { return c.cmd.Process.Pid }

// Signal sends sig to the child. It returns os.ErrProcessDone once the child
// has been waited for.
func (c *childProcess) Signal(sig os.Signal) error {
	if err := c.cmd.Process.Signal(sig); err != nil {
		return fmt.Errorf("cannot signal agent: %w", err)
	}
	return nil
}

// Wait waits for the child to exit while relaying SIGINT, SIGTERM, SIGHUP and
// SIGQUIT to it, then stops relaying and returns the exit status: the
// child's exit code, or 128+N when it died of signal N. The error is non-nil
// only when waiting itself failed (for example copying a non-file stream);
// the status is still the child's when it is known. Wait may be called more
// than once and returns the same result. A child that ignores the relayed
// signals keeps Wait waiting; a caller that wants a kill-after can use
// Signal.
func (c *childProcess) Wait() (int, error) {
	c.waitOnce.Do(func() {
		err := c.cmd.Wait()
		signal.Stop(c.sigs)
		close(c.done)
		<-c.relayed
		c.code = exitCode(c.cmd.ProcessState)
		var exitErr *exec.ExitError
		if err != nil && !errors.As(err, &exitErr) {
			c.err = fmt.Errorf("cannot wait for agent: %w", err)
		}
	})
	return c.code, c.err
}

// relay forwards caught signals to the child until Wait is done.
func (c *childProcess) relay() {
	defer close(c.relayed)
	for {
		select {
		case sig := <-c.sigs:
			if shouldForward(sig, c.fromTerminal) {
				// The child may already have exited; nothing to do then.
				_ = c.cmd.Process.Signal(sig)
			}
		case <-c.done:
			return
		}
	}
}

// shouldForward applies the relay policy: keyboard signals (SIGINT, SIGQUIT)
// are forwarded only when the terminal did not already deliver them to the
// child's process group; all other relayed signals are always forwarded.
func shouldForward(sig os.Signal, fromTerminal func() bool) bool {
	if isKeyboardSignal(sig) {
		return !fromTerminal()
	}
	return true
}

// exitCode returns the exit status of a finished process the way a shell
// reports it: the exit code, or 128+N when the process died of signal N.
// It returns -1 for a nil or unfinished state.
func exitCode(ps *os.ProcessState) int {
	if ps == nil {
		return -1
	}
	return exitStatus(ps)
}

func orReader(r io.Reader, def *os.File) io.Reader {
	if r == nil {
		return def
	}
	return r
}

func orWriter(w io.Writer, def *os.File) io.Writer {
	if w == nil {
		return def
	}
	return w
}
