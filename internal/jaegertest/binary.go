package jaegertest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/agentwrap/agentwrap/internal/collectortest"
)

// BinaryEnv names an environment variable that, when set, is the path of
// the Jaeger binary to use instead of the build-jaeger.sh cache.
const BinaryEnv = "AGENTWRAP_JAEGER"

// BuildScript is the path of collector/build-jaeger.sh in the source tree.
func BuildScript() string {
	return filepath.Join(collectortest.CollectorDir(), "build-jaeger.sh")
}

// ConfigFile is the path of the shipped collector/jaeger.yaml.
func ConfigFile() string {
	return filepath.Join(collectortest.CollectorDir(), "jaeger.yaml")
}

// versionLine is the line of build-jaeger.sh that pins Jaeger's version.
var versionLine = regexp.MustCompile(`(?m)^jaeger_version=(v[0-9][0-9A-Za-z.+-]*)$`)

// CachedBinary returns where build-jaeger.sh puts the binary:
// ${AGENTWRAP_CACHE:-$HOME/.cache/agentwrap}/jaeger-<version>/jaeger, the
// version pinned in the script. The file may not exist yet.
func CachedBinary() (string, error) {
	script, err := os.ReadFile(BuildScript())
	if err != nil {
		return "", fmt.Errorf("cannot read the Jaeger build script: %w", err)
	}
	m := versionLine.FindSubmatch(script)
	if m == nil {
		return "", fmt.Errorf("%s pins no jaeger_version", BuildScript())
	}
	cache := os.Getenv("AGENTWRAP_CACHE")
	if cache == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("cannot find the cache directory: %w", err)
		}
		cache = filepath.Join(home, ".cache", "agentwrap")
	}
	return filepath.Join(cache, "jaeger-"+string(m[1]), "jaeger"), nil
}

// Binary returns the path of the Jaeger binary: $AGENTWRAP_JAEGER when set,
// else the build-jaeger.sh cache. When the cache is empty it builds Jaeger
// if CI=true (ten to thirty minutes) and fails the test if that fails;
// otherwise it skips the test, naming the build command.
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
	script := BuildScript()
	if os.Getenv("CI") != "true" {
		tb.Skipf("Jaeger is not built; run %s (or set %s)", script, BinaryEnv)
	}
	// build-jaeger.sh serializes concurrent builds with flock.
	if out, err := exec.Command("bash", script).CombinedOutput(); err != nil {
		tb.Fatalf("cannot build Jaeger with %s: %v\n%s", script, err, tail(string(out), 4000))
	}
	if _, err := os.Stat(p); err != nil {
		tb.Fatalf("%s did not produce %s: %v", script, p, err)
	}
	return p
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "..." + s[len(s)-n:]
}
