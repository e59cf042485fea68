package wrap

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"time"
)

// ErrKeySource is wrapped by every error reading the key from --key-file or
// --key-cmd: a configuration error (exit 2). Its messages never hold the
// key or anything the key command printed on its standard output.
var ErrKeySource = errors.New("cannot read the key")

// keyCmdTimeout bounds a key command (a credential helper may prompt for a
// passphrase or touch; it must not hang the run forever).
const keyCmdTimeout = 2 * time.Minute

// maxKeyBytes bounds what is read from a key file or key command.
const maxKeyBytes = 64 << 10

// keySource returns the real key from KeyFile or KeyCmd, whichever is set.
// See README "Security".
func keySource(ctx context.Context, o Options) (string, error) {
	switch {
	case o.KeyFile != "" && o.KeyCmd != "":
		return "", fmt.Errorf("%w: --key-file and --key-cmd exclude each other", ErrKeySource)
	case o.KeyFile != "":
		return readKeyFile(o.KeyFile)
	case o.KeyCmd != "":
		return runKeyCmd(ctx, o.KeyCmd, o.Dir, o.Environ, o.Stderr)
	}
	return "", fmt.Errorf("%w: neither --key-file nor --key-cmd given", ErrKeySource)
}

// readKeyFile reads a key file, refusing one that others may read, as ssh
// refuses a private key that is not private.
func readKeyFile(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("%w: %w", ErrKeySource, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return "", fmt.Errorf("%w: %w", ErrKeySource, err)
	}
	if !fi.Mode().IsRegular() {
		return "", fmt.Errorf("%w: key file %s is not a regular file", ErrKeySource, path)
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 && runtime.GOOS != "windows" {
		return "", fmt.Errorf("%w: key file %s is readable by others (mode %04o): run chmod 600 %s", ErrKeySource, path, perm, path)
	}
	b, err := io.ReadAll(io.LimitReader(f, maxKeyBytes+1))
	if err != nil {
		return "", fmt.Errorf("%w: cannot read key file %s: %w", ErrKeySource, path, err)
	}
	return oneKey(b, "key file "+path)
}

// runKeyCmd runs a credential helper with the shell, like Claude Code's
// apiKeyHelper or AWS credential_process: its standard error goes to
// stderr (it may prompt), its standard output is the key and is never
// printed.
func runKeyCmd(ctx context.Context, command, dir string, env []string, stderr io.Writer) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, keyCmdTimeout)
	defer cancel()
	shell, flag := "/bin/sh", "-c"
	if runtime.GOOS == "windows" {
		shell, flag = "cmd", "/c"
	}
	cmd := exec.CommandContext(ctx, shell, flag, command)
	cmd.Dir = dir
	cmd.Env = env
	cmd.Stdin = os.Stdin
	cmd.Stderr = stderr
	var out bytes.Buffer
	cmd.Stdout = &limitedBuffer{buf: &out, max: maxKeyBytes + 1}
	if err := cmd.Run(); err != nil {
		var ee *exec.ExitError
		switch {
		case ctx.Err() == context.DeadlineExceeded:
			return "", fmt.Errorf("%w: key command did not finish within %s", ErrKeySource, keyCmdTimeout)
		case errors.As(err, &ee):
			return "", fmt.Errorf("%w: key command failed (%s)", ErrKeySource, ee.ProcessState)
		}
		return "", fmt.Errorf("%w: cannot run key command: %w", ErrKeySource, err)
	}
	return oneKey(out.Bytes(), "key command output")
}

// oneKey reads the key from what a file or command gave: one line, with
// surrounding white space removed.
func oneKey(b []byte, what string) (string, error) {
	if len(b) > maxKeyBytes {
		return "", fmt.Errorf("%w: %s is larger than %d bytes", ErrKeySource, what, maxKeyBytes)
	}
	key := strings.TrimSpace(string(b))
	switch {
	case key == "":
		return "", fmt.Errorf("%w: %s is empty", ErrKeySource, what)
	case strings.ContainsAny(key, "\r\n"):
		return "", fmt.Errorf("%w: %s has more than one line", ErrKeySource, what)
	}
	return key, nil
}

// limitedBuffer keeps at most max bytes and discards the rest.
type limitedBuffer struct {
	buf *bytes.Buffer
	max int
}

func (l *limitedBuffer) Write(p []byte) (int, error) {
	if room := l.max - l.buf.Len(); room > 0 {
		l.buf.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}
