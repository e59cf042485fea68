package runfile_test

import (
	"context"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/agentwrap/agentwrap/spans/runfile"
)

// modelCallSpan returns one ended span shaped like a model call: about
// thirty attributes.
func modelCallSpan(b *testing.B) []sdktrace.ReadOnlySpan {
	var rec recorder
	tp := sdktrace.NewTracerProvider(sdktrace.WithResource(testResource()), sdktrace.WithSyncer(&rec))
	_, s := tp.Tracer("agentwrap").Start(context.Background(), "chat gpt-5", trace.WithSpanKind(trace.SpanKindClient))
	s.SetAttributes(
		attribute.String("agentwrap.run_id", "20260701T120000Z-3f9a"),
		attribute.String("agentwrap.checked_at", "2026-07-01"),
		attribute.StringSlice("agentwrap.source_urls", []string{"https://apidoc.cometapi.com/", "https://apidoc.cometapi.com/chat"}),
		attribute.String("agentwrap.request_family", "openai.chat_completions"),
		attribute.Bool("agentwrap.credential_redacted", true),
		attribute.String("agentwrap.result_class", "pass"),
		attribute.String("agentwrap.failure_class", "none"),
		attribute.String("agentwrap.notes", ""),
		attribute.String("agentwrap.contract.endpoint", "chat.completions"),
		attribute.String("gen_ai.operation.name", "chat"),
		attribute.String("gen_ai.provider.name", "openai"),
		attribute.String("gen_ai.request.model", "gpt-5"),
		attribute.Bool("gen_ai.request.stream", true),
		attribute.Int("gen_ai.request.max_tokens", 4096),
		attribute.String("gen_ai.response.model", "gpt-5-2025-08-07"),
		attribute.String("gen_ai.response.id", "chatcmpl-abc123"),
		attribute.StringSlice("gen_ai.response.finish_reasons", []string{"stop"}),
		attribute.Int("gen_ai.usage.input_tokens", 12034),
		attribute.Int("gen_ai.usage.output_tokens", 812),
		attribute.Int("gen_ai.usage.cache_read.input_tokens", 11000),
		attribute.Int("gen_ai.usage.reasoning.output_tokens", 256),
		attribute.Float64("gen_ai.response.time_to_first_chunk", 0.84),
		attribute.String("http.request.method", "POST"),
		attribute.Int("http.response.status_code", 200),
		attribute.String("url.path", "/v1/chat/completions"),
		attribute.String("server.address", "api.cometapi.com"),
		attribute.Int("server.port", 443),
		attribute.String("user_agent.original", "codex_cli_rs/0.40.0"),
	)
	s.SetStatus(codes.Ok, "")
	s.End()
	if err := tp.Shutdown(context.Background()); err != nil {
		b.Fatal(err)
	}
	return rec.spans
}

// BenchmarkExportOneSpan measures the run file's cost per model call: one
// span converted, encoded and appended (no fsync).
func BenchmarkExportOneSpan(b *testing.B) {
	spans := modelCallSpan(b)
	exp, err := runfile.Create(b.TempDir(), "bench")
	if err != nil {
		b.Fatal(err)
	}
	defer exp.Shutdown(context.Background())
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if err := exp.ExportSpans(ctx, spans); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkToTraces measures the conversion alone.
func BenchmarkToTraces(b *testing.B) {
	spans := modelCallSpan(b)
	b.ReportAllocs()
	for b.Loop() {
		_ = runfile.ToTraces(spans)
	}
}
