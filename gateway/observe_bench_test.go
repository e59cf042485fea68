package gateway_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/agentwrap/agentwrap/call"
	"github.com/agentwrap/agentwrap/contract"
	"github.com/agentwrap/agentwrap/gateway"
	"github.com/agentwrap/agentwrap/redact"
	"github.com/agentwrap/agentwrap/spans"
	"github.com/agentwrap/agentwrap/spans/runfile"
)

// Budget (the target): the whole per-call observation, parse +
// span + redact, costs at most 15 µs and 40 allocations
// (BenchmarkObserveCall/total). The sub-benchmarks split it up.

// typicalCall is a streamed chat completion as an agent makes it: its
// request body and its reply in per-event pieces.
func typicalCall(b *testing.B) (req []byte, pieces [][]byte) {
	reply, err := os.ReadFile(filepath.Join("testdata", "replies", "chat_stream.sse"))
	if err != nil {
		b.Fatal(err)
	}
	req = []byte(`{"model":"gpt-5","stream":true,"stream_options":{"include_usage":true},"max_tokens":4096,` +
		`"messages":[{"role":"system","content":"You are a coding agent."},{"role":"user","content":"fix the failing test"}]}`)
	return req, bytes.SplitAfter(reply, []byte("\n\n"))
}

// benchRecorder is a recorder wired as a wrapped run wires it; with
// runFile false its spans go to a discarding exporter instead.
func benchRecorder(b *testing.B, runFile bool) *spans.Recorder {
	return benchRecorderWith(b, runFile, false)
}

// benchRecorderWith is benchRecorder, also recording the GenAI client
// metrics when metrics is set (as with a metrics exporter configured; the
// periodic export does not run during the benchmark).
func benchRecorderWith(b *testing.B, runFile, metrics bool) *spans.Recorder {
	const key, token = "sk-canary-bench-key-000000000000", "agentwrap-bench-token-0000"
	sc := redact.NewScanner(key, token)
	guard := redact.NewGuard(spans.SchemaNames(), sc)
	var exp sdktrace.SpanExporter = discard{}
	if runFile {
		rf, err := runfile.Create(b.TempDir(), "bench")
		if err != nil {
			b.Fatal(err)
		}
		exp = rf
	}
	p, err := spans.NewProvider(context.Background(), spans.ProviderOptions{
		RunFile: exp, Getenv: func(string) string { return "" },
		Guard: func(e sdktrace.SpanExporter) sdktrace.SpanExporter { return redact.WrapExporter(e, guard) },
	})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = p.Shutdown(context.Background()) })
	tr := p.RunTracer()
	ctx, _ := tr.Start(context.Background(), "invoke_agent bench")
	rec := spans.NewRecorder(tr, ctx, "bench", sc.Note)
	if metrics {
		mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))
		b.Cleanup(func() { _ = mp.Shutdown(context.Background()) })
		m, err := spans.NewMetrics(mp, spans.Conventions{}, "bench")
		if err != nil {
			b.Fatal(err)
		}
		rec.Use(spans.Conventions{}, m, "bench")
	}
	return rec
}

type discard struct{}

func (discard) ExportSpans(context.Context, []sdktrace.ReadOnlySpan) error { return nil }
func (discard) Shutdown(context.Context) error                             { return nil }

func BenchmarkObserveCall(b *testing.B) {
	req, pieces := typicalCall(b)
	chk := contract.NewChecker(contract.Builtin())
	headers := []string{"authorization", "content-type"}
	parse := func() *call.Call {
		return gateway.ParseCall(call.FamilyChatCompletions, "/v1/chat/completions", chk, headers, req, 200, "text/event-stream", pieces)
	}
	b.Run("parse", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_ = parse()
		}
	})
	c := parse()
	if !c.StreamComplete {
		b.Fatalf("typical call not parsed: %+v", c)
	}
	b.Run("span+redact", func(b *testing.B) {
		rec := benchRecorder(b, false)
		b.ReportAllocs()
		for b.Loop() {
			rec.Observe(c)
		}
	})
	b.Run("span+redact+runfile", func(b *testing.B) {
		rec := benchRecorder(b, true)
		b.ReportAllocs()
		for b.Loop() {
			rec.Observe(c)
		}
	})
	// The metrics are recorded by Observe, on the observer goroutine after
	// the call's last byte went out: what they add is CPU there, not
	// latency to the call. Compare with span+redact+runfile.
	b.Run("span+redact+metrics", func(b *testing.B) {
		rec := benchRecorderWith(b, false, true)
		b.ReportAllocs()
		for b.Loop() {
			rec.Observe(c)
		}
	})
	b.Run("span+redact+runfile+metrics", func(b *testing.B) {
		rec := benchRecorderWith(b, true, true)
		b.ReportAllocs()
		for b.Loop() {
			rec.Observe(c)
		}
	})
	b.Run("total", func(b *testing.B) {
		rec := benchRecorder(b, true)
		b.ReportAllocs()
		for b.Loop() {
			rec.Observe(parse())
		}
	})
}
