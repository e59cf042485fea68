package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/agentwrap/agentwrap/internal/collectortest"
	"github.com/agentwrap/agentwrap/internal/upstreamtest"
	"github.com/agentwrap/agentwrap/spans"
)

const (
	plantedToken  = "sk-canary-planted-collector-0123456789abcdef"
	plantedPrompt = "canary-planted-prompt-5b9e"
)

// TestBinaryThroughCollector runs the real collector distribution with the
// configuration `agentwrap collector config` prints, sends it the spans of
// `agentwrap smoke` plus a span carrying planted sensitive attributes, and
// checks what reaches the Jaeger (OTLP/HTTP) and Tempo (OTLP/gRPC)
// stand-ins: agentwrap's attributes intact, the planted ones removed or
// masked, no canary in any exported byte.
func TestBinaryThroughCollector(t *testing.T) {
	cfg := runBinary(t, invocation{args: []string{"collector", "config"}, env: baseEnv(t)})
	if cfg.code != 0 || !strings.Contains(cfg.stdout, "redaction") {
		t.Fatalf("collector config: exit %d\n%s", cfg.code, cfg.stderr)
	}
	path := filepath.Join(t.TempDir(), "otelcol.yaml")
	if err := os.WriteFile(path, []byte(cfg.stdout), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := collectortest.Validate(t, path); err != nil {
		t.Fatalf("otelcol validate: %v\n%s", err, out)
	}
	jaeger, tempo := collectortest.NewHTTPReceiver(t), collectortest.NewGRPCReceiver(t)
	col := collectortest.Start(t, path, "JAEGER_OTLP_ENDPOINT="+jaeger.Endpoint, "TEMPO_OTLP_ENDPOINT="+tempo.Endpoint,
		"OTELCOL_EXPORTERS=[otlp_http/jaeger, otlp_grpc/tempo]")

	up := upstreamtest.Start(t, upstreamtest.WithKey(canaryKey))
	r := runBinary(t, invocation{
		args: []string{"smoke", "--upstream", up.URL()},
		// gzip: the real collector decodes agentwrap's own encoder's
		// requests compressed too (uncompressed: TestJaegerStraightFromAgentwrap).
		env: append(baseEnv(t), "COMETAPI_KEY="+canaryKey, "OTEL_EXPORTER_OTLP_ENDPOINT="+col.HTTPEndpoint,
			"OTEL_EXPORTER_OTLP_COMPRESSION=gzip"),
	})
	if r.code != 0 {
		t.Fatalf("smoke: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	sendPlanted(t, col.HTTPEndpoint)

	want := len(r.spans) + 1
	for name, recv := range map[string]*collectortest.Receiver{"jaeger": jaeger, "tempo": tempo} {
		t.Run(name, func(t *testing.T) {
			got := recv.Wait(t, want)
			checkCollected(t, got)
			for _, c := range []string{canaryKey, plantedToken, plantedPrompt} {
				if strings.Contains(string(recv.Raw()), c) {
					t.Errorf("canary %q reached %s", c, name)
				}
			}
		})
	}
	if out := col.Output(); strings.Contains(out, plantedToken) || strings.Contains(out, canaryKey) {
		t.Error("canary in the collector's log")
	}
}

// sendPlanted exports, the way a misbehaving SDK would, a span with
// attributes agentwrap never sets and a credential in an allowed key.
func sendPlanted(t *testing.T, endpoint string) {
	t.Helper()
	ctx := context.Background()
	exp, err := otlptracehttp.New(ctx, otlptracehttp.WithEndpointURL(endpoint+"/v1/traces"))
	if err != nil {
		t.Fatal(err)
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp),
		sdktrace.WithResource(resource.NewSchemaless(attribute.String("service.name", "agentwrap"))))
	_, s := tp.Tracer("planted").Start(ctx, "planted", trace.WithAttributes(
		attribute.String("gen_ai.prompt", plantedPrompt),
		attribute.String("http.request.header.authorization", "Bearer "+plantedToken),
		spans.Notes.String("note with "+plantedToken),
		spans.RequestFamily.String("openai.chat_completions"),
	))
	s.End()
	if err := tp.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
}

func checkCollected(t *testing.T, got []collectortest.Span) {
	t.Helper()
	calls := 0
	for _, s := range got {
		attrs := s.Span.Attributes().AsRaw()
		switch name := s.Span.Name(); {
		case name == "planted":
			for _, k := range []string{"gen_ai.prompt", "http.request.header.authorization"} {
				if _, ok := attrs[k]; ok {
					t.Errorf("planted attribute %s passed the collector", k)
				}
			}
			if attrs[string(spans.RequestFamily)] != "openai.chat_completions" {
				t.Errorf("allowed attribute lost: %v", attrs)
			}
			if n, _ := attrs[string(spans.Notes)].(string); strings.Contains(n, plantedToken) || n == "" {
				t.Errorf("notes %q: want the credential masked", n)
			}
		case strings.HasPrefix(name, "invoke_agent "):
			if attrs[string(spans.RunID)] == nil || attrs[string(spans.ResultClass)] != "pass" {
				t.Errorf("run span attributes %v", attrs)
			}
		default:
			calls++
			for _, k := range []attribute.Key{spans.RequestFamily, spans.ResultClass, spans.FailureClass, spans.RunID, spans.GenAIRequestModel, spans.ContractEndpoint, spans.CheckedAt} {
				if _, ok := attrs[string(k)]; !ok {
					t.Errorf("call span %q lost %s at the collector", name, k)
				}
			}
		}
	}
	if calls != 2 {
		t.Errorf("%d smoke call spans, want 2", calls)
	}
}
