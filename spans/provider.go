package spans

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"strings"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// ProviderOptions configures NewProvider.
type ProviderOptions struct {
	// RunFile receives every span as it ends, synchronously, so the local
	// run file holds each span before the call's observer returns. Required.
	RunFile sdktrace.SpanExporter
	// Getenv reads the standard OTEL_* variables; nil means os.Getenv.
	Getenv func(string) string
	// Guard wraps each exporter with the redaction guard; nil exports spans
	// unfiltered and is meant for tests only.
	Guard func(sdktrace.SpanExporter) sdktrace.SpanExporter
	// Version is the agentwrap version recorded as service.version.
	Version string
}

// Provider is the tracer provider of one run.
type Provider struct {
	*sdktrace.TracerProvider
	// Endpoint is the OTLP/HTTP traces URL spans are exported to, or empty
	// when only the run file is written.
	Endpoint string
}

// OTLPConfig is the OTLP/HTTP export configuration read from the standard
// OTEL_* variables.
type OTLPConfig struct {
	// TracesURL is the full traces endpoint URL; empty disables export.
	TracesURL string
	Headers   map[string]string
}

// LoadOTLPConfig reads OTEL_TRACES_EXPORTER, OTEL_EXPORTER_OTLP_ENDPOINT,
// OTEL_EXPORTER_OTLP_TRACES_ENDPOINT and the matching _HEADERS variables
// with their OpenTelemetry SDK meaning: the signal-specific endpoint is used
// as is, the generic one gets /v1/traces appended.
func LoadOTLPConfig(getenv func(string) string) (OTLPConfig, error) {
	var c OTLPConfig
	if e := strings.TrimSpace(getenv("OTEL_TRACES_EXPORTER")); e != "" && e != "otlp" {
		return c, nil
	}
	if u := strings.TrimSpace(getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")); u != "" {
		c.TracesURL = u
	} else if u := strings.TrimSpace(getenv("OTEL_EXPORTER_OTLP_ENDPOINT")); u != "" {
		c.TracesURL = strings.TrimRight(u, "/") + "/v1/traces"
	}
	if c.TracesURL == "" {
		return c, nil
	}
	pu, err := url.Parse(c.TracesURL)
	if err != nil || (pu.Scheme != "http" && pu.Scheme != "https") || pu.Host == "" {
		return OTLPConfig{}, fmt.Errorf("OTLP endpoint is not an http(s) URL (check OTEL_EXPORTER_OTLP_ENDPOINT)")
	}
	c.Headers = parseKV(getenv("OTEL_EXPORTER_OTLP_HEADERS"))
	for k, v := range parseKV(getenv("OTEL_EXPORTER_OTLP_TRACES_HEADERS")) {
		c.Headers[k] = v
	}
	return c, nil
}

// parseKV parses the W3C-baggage-like `k1=v1,k2=v2` lists of the OTel
// environment variables, percent-decoding values.
func parseKV(s string) map[string]string {
	out := map[string]string{}
	for _, part := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(part, "=")
		k = strings.TrimSpace(k)
		if !ok || k == "" {
			continue
		}
		if dv, err := url.PathUnescape(strings.TrimSpace(v)); err == nil {
			v = dv
		}
		out[k] = strings.TrimSpace(v)
	}
	return out
}

// NewProvider builds the run's tracer provider: the run file always, and
// OTLP/HTTP (batched) when the environment names an endpoint.
func NewProvider(ctx context.Context, o ProviderOptions) (*Provider, error) {
	getenv := o.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	guard := o.Guard
	if guard == nil {
		guard = func(e sdktrace.SpanExporter) sdktrace.SpanExporter { return e }
	}
	cfg, err := LoadOTLPConfig(getenv)
	if err != nil {
		return nil, err
	}
	opts := []sdktrace.TracerProviderOption{
		sdktrace.WithResource(Resource(getenv, o.Version)),
		sdktrace.WithSampler(sdktrace.AlwaysSample()),
		sdktrace.WithSpanProcessor(sdktrace.NewSimpleSpanProcessor(guard(o.RunFile))),
	}
	if cfg.TracesURL != "" {
		exp, err := otlptracehttp.New(ctx,
			otlptracehttp.WithEndpointURL(cfg.TracesURL),
			otlptracehttp.WithHeaders(cfg.Headers))
		if err != nil {
			return nil, fmt.Errorf("cannot create OTLP exporter: %w", err)
		}
		opts = append(opts, sdktrace.WithSpanProcessor(newBatcher(guard(exp), batcherOptionsFrom(getenv))))
	}
	return &Provider{TracerProvider: sdktrace.NewTracerProvider(opts...), Endpoint: cfg.TracesURL}, nil
}

// Resource is the OTel resource of agentwrap's spans: service.name from
// OTEL_SERVICE_NAME (default "agentwrap"), service.version, and
// OTEL_RESOURCE_ATTRIBUTES.
func Resource(getenv func(string) string, version string) *resource.Resource {
	attrs := []attribute.KeyValue{}
	for k, v := range parseKV(getenv("OTEL_RESOURCE_ATTRIBUTES")) {
		attrs = append(attrs, attribute.String(k, v))
	}
	name := strings.TrimSpace(getenv("OTEL_SERVICE_NAME"))
	if name == "" {
		name = "agentwrap"
	}
	if version == "" {
		version = "dev"
	}
	attrs = append(attrs, attribute.String("service.name", name), attribute.String("service.version", version),
		attribute.String("telemetry.sdk.name", "opentelemetry"), attribute.String("telemetry.sdk.language", "go"))
	return resource.NewSchemaless(attrs...)
}
