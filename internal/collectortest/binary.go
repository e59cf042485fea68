package collectortest

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// BinaryEnv names an environment variable that, when set, is the path of
// the collector binary to use instead of the build.sh cache.
const BinaryEnv = "AGENTWRAP_OTELCOL"

// RepoRoot returns the root of the agentwrap source tree this package was
// compiled from.
func RepoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
}

// CollectorDir returns the collector directory of the source tree, where
// otelcol.yaml, builder.yaml and build.sh live.
func CollectorDir() string {
	return filepath.Join(RepoRoot(), "collector")
}

// CachedBinary returns where collector/build.sh puts the binary for the
// current builder.yaml: ${AGENTWRAP_CACHE:-$HOME/.cache/agentwrap}/
// otelcol-<first 16 hex digits of sha256(builder.yaml)>/otelcol-agentwrap/
// otelcol-agentwrap. The file may not exist yet.
func CachedBinary() (string, error) {
	manifest, err := os.ReadFile(filepath.Join(CollectorDir(), "builder.yaml"))
	if err != nil {
		return "", fmt.Errorf("cannot read builder manifest: %w", err)
	}
	cache := os.Getenv("AGENTWRAP_CACHE")
	if cache == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("cannot find the cache directory: %w", err)
		}
		cache = filepath.Join(home, ".cache", "agentwrap")
	}
	sum := sha256.Sum256(manifest)
	dir := "otelcol-" + hex.EncodeToString(sum[:])[:16]
	return filepath.Join(cache, dir, "otelcol-agentwrap", "otelcol-agentwrap"), nil
}

// Binary returns the path of the otelcol-agentwrap binary: $AGENTWRAP_OTELCOL
// when set, else the build.sh cache. When the cache is empty it builds the
// distribution if CI=true (several minutes) and fails the test if that
// fails; otherwise it skips the test, naming the build command.
func Binary(tb testing.TB) string {
	tb.Helper()
	if p := os.Getenv(BinaryEnv); p != "" {
		if _, err := os.Stat(p); err != nil {
			tb.Fatalf("%s=%s: %v", BinaryEnv, p, err)
		}
		return p
	}
	p, err := CachedBinary()
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := os.Stat(p); err == nil {
		return p
	}
	script := filepath.Join(CollectorDir(), "build.sh")
	if os.Getenv("CI") != "true" {
		tb.Skipf("otelcol-agentwrap is not built; run %s (or set %s)", script, BinaryEnv)
	}
	if err := build(script); err != nil {
		tb.Fatalf("cannot build otelcol-agentwrap with %s: %v", script, err)
	}
	if _, err := os.Stat(p); err != nil {
		tb.Fatalf("%s did not produce %s: %v", script, p, err)
	}
	return p
}

// build runs build.sh, which serializes concurrent builds with flock.
func build(script string) error {
	cmd := exec.Command("bash", script)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("%w\n%s", err, tail(string(out), 4000))
	}
	return nil
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "..." + s[len(s)-n:]
}

// Validate runs `otelcol-agentwrap validate --config config` with env
// (KEY=VALUE entries added to a minimal environment) and returns its
// combined output and error.
func Validate(tb testing.TB, config string, env ...string) (string, error) {
	tb.Helper()
	cmd := exec.Command(Binary(tb), "validate", "--config", config)
	cmd.Env = append(baseEnv(), env...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// baseEnv is the environment a collector starts with: enough to run, and
// none of the caller's OTEL_* or endpoint variables.
func baseEnv() []string {
	var env []string
	for _, k := range []string{"PATH", "HOME", "TMPDIR"} {
		if v, ok := os.LookupEnv(k); ok {
			env = append(env, k+"="+v)
		}
	}
	return env
}

// sets reports whether env sets key.
func sets(env []string, key string) bool {
	for _, e := range env {
		if strings.HasPrefix(e, key+"=") {
			return true
		}
	}
	return false
}

// lookup returns the last value env gives key, or "".
func lookup(env []string, key string) string {
	v := ""
	for _, e := range env {
		if k, val, ok := strings.Cut(e, "="); ok && k == key {
			v = val
		}
	}
	return v
}
