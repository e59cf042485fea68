package call_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestLayers proves with `go list -deps` that the packages which only name
// calls do not link the gateway (its reverse proxy, brotli and zstd).
func TestLayers(t *testing.T) {
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("cannot find the go command: %v", err)
	}
	const mod = "github.com/agentwrap/agentwrap/"
	for _, pkg := range []string{"call", "spans", "spans/report", "spans/runfile", "contract", "redact", "validate"} {
		out, err := exec.Command(goCmd, "list", "-deps", mod+pkg).CombinedOutput()
		if err != nil {
			t.Fatalf("go list -deps %s: %v\n%s", pkg, err, out)
		}
		deps := strings.Fields(string(out))
		if len(deps) < 2 {
			t.Fatalf("go list -deps %s listed %q", pkg, deps)
		}
		for _, d := range deps {
			if d == mod+"gateway" || strings.HasPrefix(d, mod+"gateway/") || d == mod+"wrap" {
				t.Errorf("%s depends on %s", pkg, d)
			}
		}
	}
}
