package spans

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/instrumentation"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
)

// ScopeName is the instrumentation scope of agentwrap's spans and metrics.
const ScopeName = "github.com/agentwrap/agentwrap"

// ProviderOptions configures NewProvider.
type ProviderOptions struct {
	// RunFile receives every span, guarded: the spans of each batch of
	// observed calls in one ExportSpans when the gateway's batch ends
	// (Provider.FlushRunFile), and what is left at shutdown. Required.
	RunFile sdktrace.SpanExporter
	// Getenv reads the standard OTEL_* variables; nil means os.Getenv.
	Getenv func(string) string
	// Guard wraps with the redaction guard the one exporter that feeds the
	// run file and OTLP (each span is guarded once); nil exports spans
	// unfiltered and is meant for tests only.
	Guard func(sdktrace.SpanExporter) sdktrace.SpanExporter
	// MetricGuard wraps the metric exporter with the redaction guard of
	// metric attributes; nil exports metrics unfiltered (tests only).
	MetricGuard func(sdkmetric.Exporter) sdkmetric.Exporter
	// Version is the agentwrap version recorded as service.version.
	Version string
}

// Provider is the tracer provider of one run, and its meter provider when
// metrics are exported.
type Provider struct {
	*sdktrace.TracerProvider
	// Endpoint is the OTLP traces URL spans are exported to, or empty
	// when only the run file is written.
	Endpoint string
	// Meters is the meter provider of the run's metrics, or nil when no
	// metrics exporter is configured: then nothing is recorded.
	Meters *sdkmetric.MeterProvider
	// MetricsEndpoint is the OTLP metrics URL, or empty.
	MetricsEndpoint string
	// Conventions are the semantic conventions the run's telemetry follows.
	Conventions Conventions

	out *fanout
	// guarded is the guard in front of out, which the SDK's span
	// processor feeds and call spans are exported to (runTracer).
	guarded sdktrace.SpanExporter
	res     *resource.Resource
	scope   instrumentation.Scope
	// shut is set when Shutdown begins: call spans made after it are
	// dropped, as the SDK drops its spans then.
	shut atomic.Bool
}

// FlushRunFile writes the spans that ended since the last flush to the run
// file, as one line. The gateway calls it after each batch of observed
// calls (gateway.Config.ObserveDone): one write per batch, not per call.
// A write error goes to the OTel error handler, as the span processor's
// errors do.
func (p *Provider) FlushRunFile() {
	if err := p.out.flush(context.Background()); err != nil {
		otel.Handle(err)
	}
}

// RunTracer returns the tracer of agentwrap's spans, with the schema URL of
// the conventions.
// A Recorder given this tracer makes its call spans without the SDK's
// recording span (see runTracer); any other tracer gets SDK spans.
func (p *Provider) RunTracer() trace.Tracer {
	return &runTracer{Tracer: p.TracerProvider.Tracer(ScopeName, trace.WithSchemaURL(p.Conventions.SchemaURL())), p: p}
}

// Metrics returns the recorder of the GenAI client metrics for agent, or
// nil when no metrics are exported.
func (p *Provider) Metrics(agent string) (*Metrics, error) {
	if p.Meters == nil {
		return nil, nil
	}
	m, err := NewMetrics(p.Meters, p.Conventions, agent)
	if err != nil {
		return nil, fmt.Errorf("cannot create metric instruments: %w", err)
	}
	return m, nil
}

// Shutdown ends the tracer provider and the meter provider, exporting
// what they hold, within ctx; both run at the same time.
func (p *Provider) Shutdown(ctx context.Context) error {
	// The run file's held spans first, whatever ctx says: the SDK skips
	// its processors once ctx is done, and a local file is always written.
	p.shut.Store(true)
	p.FlushRunFile()
	if p.Meters == nil {
		return p.TracerProvider.Shutdown(ctx)
	}
	done := make(chan error, 1)
	go func() { done <- p.Meters.Shutdown(ctx) }()
	err := p.TracerProvider.Shutdown(ctx)
	return errors.Join(err, <-done)
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
// OTLP (batched) when the environment names an endpoint; and its meter
// provider when a metrics exporter is configured.
func NewProvider(ctx context.Context, o ProviderOptions) (*Provider, error) {
	getenv := o.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	guard := o.Guard
	if guard == nil {
		guard = func(e sdktrace.SpanExporter) sdktrace.SpanExporter { return e }
	}
	mguard := o.MetricGuard
	if mguard == nil {
		mguard = func(e sdkmetric.Exporter) sdkmetric.Exporter { return e }
	}
	tc, err := LoadExportConfig(getenv, SignalTraces, exporterEnabled(getenv, SignalTraces))
	if err != nil {
		return nil, err
	}
	mc, err := LoadExportConfig(getenv, SignalMetrics, exporterEnabled(getenv, SignalMetrics))
	if err != nil {
		return nil, err
	}
	conv := ConventionsFrom(getenv)
	res := Resource(getenv, o.Version, conv)
	// Every span is guarded once and the guarded span goes to both
	// sinks: the run file, synchronously, and the OTLP batcher's queue
	// (ARCHITECTURE.md, "Invariants": nothing leaves unguarded).
	out := &fanout{runFile: o.RunFile}
	guarded := guard(out)
	opts := []sdktrace.TracerProviderOption{
		sdktrace.WithResource(res),
		sdktrace.WithSampler(sdktrace.AlwaysSample()),
		sdktrace.WithSpanProcessor(sdktrace.NewSimpleSpanProcessor(guarded)),
	}
	if tc.URL != "" {
		exp, err := newSpanExporter(ctx, tc)
		if err != nil {
			return nil, fmt.Errorf("cannot create OTLP exporter: %w", err)
		}
		out.otlp = newBatcher(exp, batcherOptionsFrom(getenv))
		// Registered for ForceFlush and Shutdown (after the run file's,
		// in this order); its spans come from out, already guarded.
		opts = append(opts, sdktrace.WithSpanProcessor(flushOnly{out.otlp}))
	}
	p := &Provider{Endpoint: tc.URL, MetricsEndpoint: mc.URL, Conventions: conv, out: out,
		guarded: guarded, res: res, scope: instrumentation.Scope{Name: ScopeName, SchemaURL: conv.SchemaURL()}}
	if mc.URL != "" {
		exp, err := newMetricExporter(ctx, mc, getenv)
		if err != nil {
			return nil, fmt.Errorf("cannot create OTLP metric exporter: %w", err)
		}
		interval, timeout := metricIntervals(getenv)
		p.Meters = sdkmetric.NewMeterProvider(sdkmetric.WithResource(res),
			sdkmetric.WithReader(sdkmetric.NewPeriodicReader(mguard(exp),
				sdkmetric.WithInterval(interval), sdkmetric.WithTimeout(timeout))))
	}
	p.TracerProvider = sdktrace.NewTracerProvider(opts...)
	return p, nil
}

// Resource is the OTel resource of agentwrap's spans and metrics:
// service.name from OTEL_SERVICE_NAME (default "agentwrap"),
// service.version, and OTEL_RESOURCE_ATTRIBUTES, with the schema URL of conv.
func Resource(getenv func(string) string, version string, conv Conventions) *resource.Resource {
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
	return resource.NewWithAttributes(conv.SchemaURL(), attrs...)
}

// fanout is the exporter behind the guard: each guarded span goes to the
// OTLP batcher's queue, when OTLP is configured, and to the run file. So a
// span is guarded once however many places it goes. Run-file spans are
// held until FlushRunFile (after each batch of observed calls), until
// maxHeld are held, or until shutdown, and then written as one line.
type fanout struct {
	runFile sdktrace.SpanExporter
	otlp    *batcher

	mu   sync.Mutex
	held []sdktrace.ReadOnlySpan
}

// maxHeld bounds the spans held for the run file between flushes.
const maxHeld = 256

// ExportSpans queues spans for OTLP and holds them for the run file.
func (f *fanout) ExportSpans(ctx context.Context, spans []sdktrace.ReadOnlySpan) error {
	if f.otlp != nil {
		for _, s := range spans {
			f.otlp.OnEnd(s)
		}
	}
	f.mu.Lock()
	f.held = append(f.held, spans...)
	full := len(f.held) >= maxHeld
	f.mu.Unlock()
	if full {
		return f.flush(ctx)
	}
	return nil
}

// flush writes the held spans to the run file as one line.
func (f *fanout) flush(ctx context.Context) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.held) == 0 {
		return nil
	}
	// A local file is written whatever the deadline: the spans held at
	// shutdown (the run span among them) must not be lost because a slow
	// collector or gateway used the flush timeout up.
	err := f.runFile.ExportSpans(context.WithoutCancel(ctx), f.held)
	clear(f.held)
	f.held = f.held[:0]
	return err
}

// Shutdown writes the held spans and shuts the run file down; the batcher
// is shut down as a processor of its own.
func (f *fanout) Shutdown(ctx context.Context) error {
	return errors.Join(f.flush(ctx), f.runFile.Shutdown(ctx))
}

// flushOnly registers the OTLP batcher with the provider for ForceFlush
// and Shutdown only: its spans arrive through fanout.
type flushOnly struct{ *batcher }

// OnEnd does nothing: fanout queues the guarded span instead.
func (flushOnly) OnEnd(sdktrace.ReadOnlySpan) {}
