package collector_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/agentwrap/agentwrap/collector"
	"github.com/agentwrap/agentwrap/internal/collectortest"
	"github.com/agentwrap/agentwrap/spans"
)

// These tests run the otelcol-agentwrap distribution that build.sh builds.
// Without it they skip, or fail when CI=true (see collectortest.Binary).

func TestShippedConfigsValidate(t *testing.T) {
	for name := range shipped {
		out, err := collectortest.Validate(t, name)
		if err != nil {
			t.Errorf("otelcol validate --config %s: %v\n%s", name, err, out)
		}
	}
}

func TestValidateRejectsAnUnknownSetting(t *testing.T) {
	broken := bytes.Replace(collector.Config(spans.SchemaNames()), []byte("redact_all_types:"), []byte("redact_all_typos:"), 1)
	path := filepath.Join(t.TempDir(), "broken.yaml")
	if err := os.WriteFile(path, broken, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := collectortest.Validate(t, path)
	if err == nil || !strings.Contains(out, "redact_all_typos") {
		t.Errorf("validate accepted a config with an unknown setting: err=%v\n%s", err, out)
	}
}

// backends are in-process stand-ins for Jaeger (OTLP/HTTP) and Tempo
// (OTLP/gRPC), and the environment that points otelcol.yaml at them.
type backends struct {
	jaeger, tempo *collectortest.Receiver
	env           []string
}

func newBackends(t *testing.T) backends {
	b := backends{jaeger: collectortest.NewHTTPReceiver(t), tempo: collectortest.NewGRPCReceiver(t)}
	b.env = []string{"JAEGER_OTLP_ENDPOINT=" + b.jaeger.Endpoint, "TEMPO_OTLP_ENDPOINT=" + b.tempo.Endpoint}
	return b
}

func TestCollectorRemovesAndMasksPlantedAttributes(t *testing.T) {
	b := newBackends(t)
	c := collectortest.Start(t, collector.ConfigFile, b.env...)
	p := newPlan(t)
	p.send(t, c.HTTPEndpoint)
	for name, r := range map[string]*collectortest.Receiver{"jaeger": b.jaeger, "tempo": b.tempo} {
		t.Run(name, func(t *testing.T) {
			p.check(t, r.Wait(t, p.spans()))
			p.checkNoCanary(t, name, r.Raw())
		})
	}
	p.checkNoCanary(t, "collector output", []byte(c.Output()))
}

// passThroughTier returns otelcol.yaml without the redaction processor, so
// that what arrives behind the gateway shows the gateway's own filtering.
func passThroughTier(t *testing.T) string {
	t.Helper()
	shippedPipeline := []byte("processors: [memory_limiter, redaction, batch]")
	config := collector.Config(spans.SchemaNames())
	if !bytes.Contains(config, shippedPipeline) {
		t.Fatalf("otelcol.yaml has no line %q to replace", shippedPipeline)
	}
	config = bytes.Replace(config, shippedPipeline, []byte("processors: [memory_limiter, batch]"), 1)
	path := filepath.Join(t.TempDir(), "tier.yaml")
	if err := os.WriteFile(path, config, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestGatewayRedactsAndRoutesToTheTier(t *testing.T) {
	b := newBackends(t)
	tier := collectortest.Start(t, passThroughTier(t), b.env...)
	host, port, _ := strings.Cut(tier.GRPCAddr, ":")
	gw := collectortest.Start(t, collector.GatewayConfigFile, "COLLECTOR_TIER_HOST="+host, "COLLECTOR_TIER_PORT="+port)
	p := newPlan(t)
	p.send(t, gw.HTTPEndpoint)
	for name, r := range map[string]*collectortest.Receiver{"jaeger": b.jaeger, "tempo": b.tempo} {
		t.Run(name, func(t *testing.T) {
			got := r.Wait(t, p.spans())
			p.check(t, got)
			p.checkTraceIDs(t, got)
			p.checkNoCanary(t, name, r.Raw())
		})
	}
	p.checkNoCanary(t, "tier output", []byte(tier.Output()))
	p.checkNoCanary(t, "gateway output", []byte(gw.Output()))
}

func TestBuildScriptFindsTheCachedBinary(t *testing.T) {
	if os.Getenv(collectortest.BinaryEnv) != "" {
		t.Skipf("%s overrides the cache", collectortest.BinaryEnv)
	}
	bin := collectortest.Binary(t)
	out, err := exec.Command("bash", collector.BuildScript).Output()
	if err != nil {
		t.Fatalf("build.sh: %v", err)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if got := lines[len(lines)-1]; got != bin {
		t.Errorf("build.sh reports %s, collectortest uses %s", got, bin)
	}
}
