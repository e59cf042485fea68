package main

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"time"

	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/agentwrap/agentwrap/contract"
	"github.com/agentwrap/agentwrap/gateway"
	"github.com/agentwrap/agentwrap/redact"
	"github.com/agentwrap/agentwrap/spans"
	"github.com/agentwrap/agentwrap/spans/runfile"
)

// benchRun is one wrapped run's telemetry and gateway, wired as
// wrap.Run wires them: a run file and an OTLP/HTTP exporter, each behind
// the redaction guard, a run span, and a recorder observing the gateway.
type benchRun struct {
	dir      string
	runFile  *runfile.Exporter
	provider *spans.Provider
	runSpan  trace.Span
	recorder *spans.Recorder
	gw       *gateway.Gateway
	// upstream is the gateway's transport; finish closes its idle
	// connections, which would otherwise outlive the run in this process.
	upstream *http.Transport
}

const benchRunID = "bench"

func startRun(ctx context.Context, upstreamURL, endpoint string) (*benchRun, error) {
	return startRunWith(ctx, upstreamURL, endpoint, newUpstreamTransport(), 0, false)
}

// startRunWith is startRun with the gateway's upstream transport, its
// Prewarm setting (zero: none, as in the phases, whose warm-up calls open
// the connections), and the GenAI client metrics recorded and exported to
// endpoint too when metrics is set (OTEL_METRICS_EXPORTER=otlp).
func startRunWith(ctx context.Context, upstreamURL, endpoint string, tr *http.Transport, prewarm time.Duration, metrics bool) (*benchRun, error) {
	dir, err := os.MkdirTemp("", "agentwrap-bench-")
	if err != nil {
		return nil, fmt.Errorf("cannot create the run directory: %w", err)
	}
	r := &benchRun{dir: dir}
	if r.runFile, err = runfile.Create(dir, benchRunID); err != nil {
		r.remove()
		return nil, err
	}
	scanner := redact.NewScanner(benchKey, benchToken)
	guard := redact.NewGuard(spans.SchemaNames(), scanner)
	mguard := redact.NewGuard(spans.MetricSchemaNames(), scanner)
	getenv := func(k string) string {
		switch {
		case k == "OTEL_EXPORTER_OTLP_ENDPOINT":
			return endpoint
		case k == "OTEL_METRICS_EXPORTER" && metrics:
			return "otlp"
		}
		return ""
	}
	r.provider, err = spans.NewProvider(ctx, spans.ProviderOptions{
		RunFile: r.runFile, Getenv: getenv, Version: "bench",
		Guard:       func(e sdktrace.SpanExporter) sdktrace.SpanExporter { return redact.WrapExporter(e, guard) },
		MetricGuard: func(e sdkmetric.Exporter) sdkmetric.Exporter { return redact.WrapMetricExporter(e, mguard) },
	})
	if err != nil {
		_ = r.runFile.Shutdown(ctx)
		r.remove()
		return nil, err
	}
	m, err := r.provider.Metrics("bench")
	if err != nil {
		_ = r.provider.Shutdown(ctx)
		r.remove()
		return nil, err
	}
	tracer := r.provider.RunTracer()
	runCtx, span := tracer.Start(ctx, "invoke_agent bench", trace.WithSpanKind(trace.SpanKindInternal),
		trace.WithAttributes(spans.RunID.String(benchRunID), spans.GenAIAgentName.String("bench")))
	r.runSpan = span
	r.recorder = spans.NewRecorder(tracer, runCtx, benchRunID, scanner.Note)
	r.recorder.Scrub = scanner.ScrubText
	r.recorder.Use(r.provider.Conventions, m, "bench")
	u, _ := url.Parse(upstreamURL)
	r.upstream = tr
	r.gw, err = gateway.New(gateway.Config{
		Upstream: u, Key: benchKey, Token: benchToken,
		Transport: r.upstream, Prewarm: prewarm,
		Observe: r.recorder.Observe, ObserveDone: r.provider.FlushRunFile,
		Label:    func(v string) string { return redact.Label(redact.NewSecret(v)) },
		Contract: contract.NewChecker(contract.Builtin()),
	})
	if err != nil {
		_ = r.provider.Shutdown(ctx)
		r.remove()
		return nil, fmt.Errorf("cannot start the gateway: %w", err)
	}
	return r, nil
}

// settle waits until the recorder observed n calls, or for at most max.
func (r *benchRun) settle(n int, max time.Duration) {
	deadline := time.Now().Add(max)
	for r.recorder.Summary().Calls < n && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
}

// runEnd is what ending a run found.
type runEnd struct {
	// Exit is how long closing the gateway and flushing telemetry took,
	// the delay a wrapped run's exit would see.
	Exit time.Duration
	// FileSpans is the number of spans in the run file, the run span
	// included.
	FileSpans int
	// Calls is the number of calls the recorder observed.
	Calls int
	Err   error
}

// finish ends the run as wrap.Run does: the gateway closes and waits for
// its observers, the run span ends, and telemetry is flushed, all within
// one flushTimeout. It then counts the run file's spans.
func (r *benchRun) finish(flushTimeout time.Duration) runEnd {
	end := r.end(flushTimeout)
	r.count(&end)
	return end
}

// end is the part of finish a wrapped run does: all the work the calls
// left behind (pending observations, the last OTLP batch) is done when it
// returns.
func (r *benchRun) end(flushTimeout time.Duration) runEnd {
	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), flushTimeout)
	defer cancel()
	_ = r.gw.Close(ctx)
	r.upstream.CloseIdleConnections()
	r.runSpan.End()
	_ = r.provider.Shutdown(ctx) // an unreachable collector fails here, by design
	return runEnd{Exit: time.Since(start), Calls: r.recorder.Summary().Calls}
}

// count reads the run file back into end and removes the run's directory.
func (r *benchRun) count(end *runEnd) {
	defer r.remove()
	traces, bad, err := runfile.ReadFile(filepath.Join(r.dir, benchRunID+runfile.Ext))
	switch {
	case err != nil:
		end.Err = err
	case len(bad) > 0:
		end.Err = fmt.Errorf("run file has %d unreadable lines", len(bad))
	}
	end.FileSpans = traces.SpanCount()
}

func (r *benchRun) remove() { _ = os.RemoveAll(r.dir) }
