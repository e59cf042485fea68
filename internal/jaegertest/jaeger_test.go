package jaegertest_test

import (
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/agentwrap/agentwrap/internal/jaegertest"
)

func TestBuildScriptFindsTheCachedBinary(t *testing.T) {
	if os.Getenv(jaegertest.BinaryEnv) != "" {
		t.Skipf("%s overrides the cache", jaegertest.BinaryEnv)
	}
	bin := jaegertest.Binary(t)
	out, err := exec.Command("bash", jaegertest.BuildScript()).Output()
	if err != nil {
		t.Fatalf("build-jaeger.sh: %v", err)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if got := lines[len(lines)-1]; got != bin {
		t.Errorf("build-jaeger.sh reports %s, jaegertest uses %s", got, bin)
	}
}

// TestStartAndQuery: the shipped jaeger.yaml starts on the loopback ports
// it is given and its query APIs answer an empty store.
func TestStartAndQuery(t *testing.T) {
	j := jaegertest.Start(t)
	if got := j.Spans(t, "agentwrap"); len(got) != 0 {
		t.Errorf("a new Jaeger holds %d spans", len(got))
	}
	if got := j.SearchTags(t, "agentwrap", map[string]string{"error": "true"}); len(got) != 0 {
		t.Errorf("a new Jaeger finds %d error spans", len(got))
	}
	for _, addr := range []string{j.OTLPHTTPEndpoint, j.QueryURL, "http://" + j.OTLPGRPCAddr} {
		if !strings.HasPrefix(addr, "http://127.0.0.1:") {
			t.Errorf("Jaeger listens on %s, want loopback", addr)
		}
	}
}
