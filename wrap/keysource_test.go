//go:build unix

package wrap

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const keySourceCanary = "sk-canary-keysource-0f1e2d3c4b5a69788796"

func keyOptions(env ...string) Options {
	o := withDefaults(Options{Argv: []string{"x"}, Environ: env, Stderr: &bytes.Buffer{}})
	return o
}

// TestKeyFile: a key file readable only by its owner is read (one line,
// white space trimmed); one readable by group or others is refused, like
// ssh refuses a private key, and no error shows the key.
func TestKeyFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "key")
	if err := os.WriteFile(path, []byte("  "+keySourceCanary+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	o := keyOptions("COMETAPI_KEY=sk-canary-from-env-000000")
	o.KeyFile = path
	got, err := keySource(context.Background(), o)
	if err != nil || got != keySourceCanary {
		t.Fatalf("key file 0600: %v (key read correctly: %v)", err, got == keySourceCanary)
	}
	for _, mode := range []os.FileMode{0o640, 0o604, 0o644, 0o666} {
		if err := os.Chmod(path, mode); err != nil {
			t.Fatal(err)
		}
		_, err := keySource(context.Background(), o)
		if !errors.Is(err, ErrKeySource) || !strings.Contains(err.Error(), "chmod 600") || strings.Contains(err.Error(), keySourceCanary) {
			t.Errorf("mode %04o: %v", mode, err)
		}
	}
	for name, content := range map[string]string{"empty": "\n", "two lines": keySourceCanary + "\nsecond\n"} {
		p := filepath.Join(dir, strings.ReplaceAll(name, " ", "-"))
		_ = os.WriteFile(p, []byte(content), 0o600)
		o.KeyFile = p
		if _, err := keySource(context.Background(), o); !errors.Is(err, ErrKeySource) || strings.Contains(err.Error(), keySourceCanary) {
			t.Errorf("%s key file: %v", name, err)
		}
	}
	o.KeyFile = filepath.Join(dir, "missing")
	if _, err := keySource(context.Background(), o); !errors.Is(err, ErrKeySource) {
		t.Errorf("missing key file: %v", err)
	}
	o.KeyFile, o.KeyCmd = path, "true"
	if _, err := keySource(context.Background(), o); !errors.Is(err, ErrKeySource) {
		t.Errorf("--key-file with --key-cmd: %v", err)
	}
}

// TestKeyCmd: the command's standard output is the key, its standard error
// reaches the user, and a failing command is one line that quotes neither
// its output nor the key.
func TestKeyCmd(t *testing.T) {
	o := keyOptions("PATH=" + os.Getenv("PATH"))
	stderr := o.Stderr.(*bytes.Buffer)
	o.KeyCmd = "echo 'unlocking the keychain' >&2; printf '%s\\n' " + keySourceCanary
	got, err := keySource(context.Background(), o)
	if err != nil || got != keySourceCanary {
		t.Fatalf("key command: %v (key read correctly: %v)", err, got == keySourceCanary)
	}
	if !strings.Contains(stderr.String(), "unlocking the keychain") || strings.Contains(stderr.String(), keySourceCanary) {
		t.Errorf("stderr %q: the helper's stderr must be shown, its stdout never", stderr.String())
	}
	for _, cmd := range []string{"printf '%s' " + keySourceCanary + "; exit 3", "true", "printf 'a\\nb\\n'", "/no/such/helper"} {
		stderr.Reset()
		o.KeyCmd = cmd
		_, err := keySource(context.Background(), o)
		if !errors.Is(err, ErrKeySource) || strings.Contains(err.Error(), "\n") || strings.Contains(err.Error(), keySourceCanary) ||
			strings.Contains(stderr.String(), keySourceCanary) {
			t.Errorf("%q: %v", cmd, err)
		}
	}
	o.KeyCmd = "exit 3"
	if _, err := keySource(context.Background(), o); err == nil || !strings.Contains(err.Error(), "exit status 3") {
		t.Errorf("failing helper: %v", err)
	}
}
