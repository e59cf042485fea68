package collector_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

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
	broken := bytes.Replace(collector.Config(spans.ExportedNames()), []byte("redact_all_types:"), []byte("redact_all_typos:"), 1)
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
	b.env = []string{"JAEGER_OTLP_ENDPOINT=" + b.jaeger.Endpoint, "TEMPO_OTLP_ENDPOINT=" + b.tempo.Endpoint,
		"OTELCOL_EXPORTERS=[otlp_http/jaeger, otlp_grpc/tempo]"}
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

// TestCollectorExportsToJaegerAloneByDefault: without OTELCOL_EXPORTERS the
// collector sends to Jaeger only (the path without Docker runs no Tempo).
func TestCollectorExportsToJaegerAloneByDefault(t *testing.T) {
	b := newBackends(t)
	c := collectortest.Start(t, collector.ConfigFile, b.env[:2]...)
	p := newPlan(t)
	p.send(t, c.HTTPEndpoint)
	p.check(t, b.jaeger.Wait(t, p.spans()))
	time.Sleep(2 * time.Second) // the batch timeout is 1s
	if n := len(b.tempo.Spans()); n != 0 {
		t.Errorf("Tempo got %d spans without OTELCOL_EXPORTERS naming it", n)
	}
	if strings.Contains(c.Output(), "tempo") {
		t.Errorf("the collector mentions Tempo:\n%s", c.Output())
	}
}

// TestGatewayRoutesWholeTracesUnfiltered starts the shipped gateway in
// front of two in-process OTLP/gRPC receivers standing in for the tier:
// each trace arrives whole at one of them, every span once, and unfiltered
// (an unknown attribute, not a secret, is still there: redaction is the
// tier's job, done once; cmd/agentwrap's TestTeamTier runs the real tier).
func TestGatewayRoutesWholeTracesUnfiltered(t *testing.T) {
	tier := []*collectortest.Receiver{collectortest.NewGRPCReceiver(t), collectortest.NewGRPCReceiver(t)}
	gw := collectortest.Start(t, collector.GatewayConfigFile, "COLLECTOR_TIER=["+tier[0].Endpoint+", "+tier[1].Endpoint+"]")
	const traces, perTrace = 16, 3
	ctx := context.Background()
	exp, err := otlptracehttp.New(ctx, otlptracehttp.WithEndpointURL(gw.HTTPEndpoint+"/v1/traces"))
	if err != nil {
		t.Fatal(err)
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp, sdktrace.WithMaxExportBatchSize(5)))
	tr := tp.Tracer("agentwrap")
	for i := range traces {
		rctx, run := tr.Start(ctx, "invoke_agent test", trace.WithAttributes(attribute.String("unknown.key", "kept by the gateway")))
		for range perTrace - 1 {
			_, call := tr.Start(rctx, "chat model", trace.WithAttributes(spans.RunID.String(fmt.Sprint("run-", i))))
			call.End()
		}
		run.End()
	}
	if err := tp.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(time.Minute)
	for len(tier[0].Spans())+len(tier[1].Spans()) < traces*perTrace && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	time.Sleep(time.Second)
	where := map[string]int{}
	seen := map[string]bool{}
	count := [2]int{}
	for i, r := range tier {
		for _, s := range r.Spans() {
			count[i]++
			id := s.Span.SpanID().String()
			if seen[id] {
				t.Errorf("span %s arrived twice", id)
			}
			seen[id] = true
			tid := s.Span.TraceID().String()
			if prev, ok := where[tid]; ok && prev != i {
				t.Errorf("trace %s split across the tier", tid)
			}
			where[tid] = i
			if _, ok := s.Span.Attributes().Get("unknown.key"); s.Span.Name() == "invoke_agent test" && !ok {
				t.Error("the gateway filtered an attribute: redaction is the tier's job")
			}
		}
	}
	t.Logf("spans per tier collector: %v", count)
	if len(seen) != traces*perTrace || len(where) != traces {
		t.Errorf("the tier got %d spans in %d traces, want %d in %d", len(seen), len(where), traces*perTrace, traces)
	}
	if count[0] == 0 || count[1] == 0 {
		t.Errorf("all %d traces went to one tier collector: %v", traces, count)
	}
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
