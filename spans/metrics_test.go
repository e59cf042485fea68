package spans_test

import (
	"bytes"
	"context"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/agentwrap/agentwrap/call"
	"github.com/agentwrap/agentwrap/internal/otlptest"
	"github.com/agentwrap/agentwrap/redact"
	"github.com/agentwrap/agentwrap/spans"
)

const metricCanary = "sk-canary-metric-attr-0123456789abcdef"

// runEnv is a getenv over a map.
func runEnv(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

// testCalls are two calls of one run: a streamed chat that passed with
// usage, and a messages call rate limited (needs_follow_up, no usage).
func testCalls() []*call.Call {
	start := time.Date(2026, 12, 5, 10, 0, 0, 0, time.UTC)
	ok := &call.Call{
		Family: call.FamilyChatCompletions, Method: "POST", Path: "/v1/chat/completions",
		ServerAddress: "api.cometapi.com", ServerPort: 443, UserAgent: "claude-cli/2.1.330 (external, cli)",
		Start: start, End: start.Add(1500 * time.Millisecond), FirstChunk: 300 * time.Millisecond,
		RequestModel: "gpt-5", RequestStream: true, RequestMaxTokens: -1, StatusCode: 200, ContentType: "text/event-stream",
		ResponseModel: "gpt-5-2026", Stream: true, StreamComplete: true, FinishReasons: []string{"stop"},
		Usage: call.Usage{Input: 100, Output: 20, CacheRead: 50, CacheCreation: 7, Reasoning: -1},
	}
	limited := &call.Call{
		Family: call.FamilyMessages, Method: "POST", Path: "/v1/messages",
		ServerAddress: "api.cometapi.com", ServerPort: 443, UserAgent: "claude-cli/2.1.330 (external, cli)",
		Start: start.Add(2 * time.Second), End: start.Add(2200 * time.Millisecond),
		RequestModel: "claude-haiku-4-5", RequestMaxTokens: 8, StatusCode: 429, ContentType: "application/json",
		UpstreamErrorType: "rate_limit_error", Usage: call.NoUsage(),
	}
	return []*call.Call{ok, limited}
}

// record runs calls through a provider configured by env, with the
// redaction guards of a wrapped run, and returns the spans of the run file.
func record(t *testing.T, env map[string]string, calls []*call.Call) (*spans.Provider, []sdktrace.ReadOnlySpan) {
	t.Helper()
	runFile := &spans.KeepSpans{}
	sc := redact.NewScanner("sk-canary-key-for-metrics-000000", "")
	guard := redact.NewGuard(spans.SchemaNames(), sc)
	mguard := redact.NewGuard(spans.MetricSchemaNames(), sc)
	p, err := spans.NewProvider(context.Background(), spans.ProviderOptions{
		RunFile: runFile, Getenv: runEnv(env), Version: "test",
		Guard:       func(e sdktrace.SpanExporter) sdktrace.SpanExporter { return redact.WrapExporter(e, guard) },
		MetricGuard: func(e sdkmetric.Exporter) sdkmetric.Exporter { return redact.WrapMetricExporter(e, mguard) },
	})
	if err != nil {
		t.Fatal(err)
	}
	m, err := p.Metrics("claude")
	if err != nil {
		t.Fatal(err)
	}
	tr := p.RunTracer()
	ctx, run := tr.Start(context.Background(), "invoke_agent claude")
	rec := spans.NewRecorder(tr, ctx, "run-metrics", sc.Note)
	rec.Use(p.Conventions, m, "claude")
	for _, c := range calls {
		rec.Observe(c)
	}
	run.End()
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := p.Shutdown(sctx); err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	return p, runFile.Spans()
}

func points(ps []otlptest.Point, name string) []otlptest.Point {
	var out []otlptest.Point
	for _, p := range ps {
		if p.Metric == name {
			out = append(out, p)
		}
	}
	return out
}

func spanAttr(s sdktrace.ReadOnlySpan, k string) any {
	for _, kv := range s.Attributes() {
		if string(kv.Key) == k {
			return kv.Value.AsInterface()
		}
	}
	return nil
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

// checkPointBasics checks unit, bounds, schema URL and that every attribute
// is on the metric allowlist.
func checkPointBasics(t *testing.T, ps []otlptest.Point, schemaURL string) {
	t.Helper()
	allowed := spans.MetricSchemaNames()
	for _, p := range ps {
		if p.SchemaURL != schemaURL || p.ScopeSchemaURL != schemaURL || p.Scope != spans.ScopeName {
			t.Errorf("%s: schema %q scope schema %q scope %q", p.Metric, p.SchemaURL, p.ScopeSchemaURL, p.Scope)
		}
		for k := range p.Attrs {
			if !slices.Contains(allowed, k) {
				t.Errorf("%s carries %s, which is not in MetricSchemaNames", p.Metric, k)
			}
		}
		if p.Str("gen_ai.agent.name") != "claude" || p.Str("gen_ai.operation.name") != "chat" || p.Str("server.address") != "api.cometapi.com" {
			t.Errorf("%s: attributes %v", p.Metric, p.Attrs)
		}
		want := spans.DurationBuckets
		unit := "s"
		if strings.Contains(p.Metric, "token") {
			want, unit = spans.TokenBuckets, "{token}"
		}
		if p.Unit != unit {
			t.Errorf("%s: unit %q, want %q", p.Metric, p.Unit, unit)
		}
		if p.Kind == "Histogram" && !slices.Equal(p.Bounds, want) {
			t.Errorf("%s: bounds %v, want %v", p.Metric, p.Bounds, want)
		}
		if p.Exemplars != 0 {
			t.Errorf("%s: %d exemplars exported", p.Metric, p.Exemplars)
		}
	}
}

// TestMetricsMatchSpans records two calls with a metrics endpoint set and
// checks the GenAI client metrics the OTLP receiver got against the spans
// of the same run.
func TestMetricsMatchSpans(t *testing.T) {
	r := otlptest.NewReceiver(t)
	p, ss := record(t, map[string]string{"OTEL_EXPORTER_OTLP_METRICS_ENDPOINT": r.MetricsURL()}, testCalls())
	if p.Endpoint != "" {
		t.Fatalf("traces exported to %q: only the metrics endpoint was set", p.Endpoint)
	}
	got := r.Metrics()
	checkPointBasics(t, got, spans.SchemaURL)
	if len(ss) != 3 {
		t.Fatalf("%d spans", len(ss))
	}
	dur := points(got, spans.MetricOperationDuration)
	if len(dur) != 2 {
		t.Fatalf("%d duration points, want one per call: %+v", len(dur), dur)
	}
	for _, s := range ss[:2] {
		model, _ := spanAttr(s, "gen_ai.request.model").(string)
		var d *otlptest.Point
		for i := range dur {
			if dur[i].Str("gen_ai.request.model") == model {
				d = &dur[i]
			}
		}
		if d == nil {
			t.Fatalf("no duration point for %s", model)
		}
		if d.Count != 1 || !near(d.Sum, s.EndTime().Sub(s.StartTime()).Seconds()) {
			t.Errorf("%s: duration count %d sum %v, span lasted %v", model, d.Count, d.Sum, s.EndTime().Sub(s.StartTime()))
		}
		for _, k := range []string{"agentwrap.result_class", "agentwrap.request_family", "error.type", "gen_ai.provider.name", "gen_ai.response.model"} {
			sv, _ := spanAttr(s, k).(string)
			if d.Str(k) != sv {
				t.Errorf("%s: %s = %q on the metric, %q on the span", model, k, d.Str(k), sv)
			}
		}
	}
	limited := ss[1]
	if spanAttr(limited, "error.type") != "429" || limited.Status().Description != spans.FailureOperatorFollowUp {
		t.Errorf("rate-limited call: error.type %v status %+v", spanAttr(limited, "error.type"), limited.Status())
	}
	ttfc := points(got, spans.MetricTimeToFirstChunk)
	if len(ttfc) != 1 || ttfc[0].Str("gen_ai.request.model") != "gpt-5" || !near(ttfc[0].Sum, spanAttr(ss[0], "gen_ai.response.time_to_first_chunk").(float64)) {
		t.Errorf("time to first chunk: %+v (only the stream has one)", ttfc)
	}
	tok := points(got, spans.MetricTokenUsage)
	byType := map[string]float64{}
	for _, p := range tok {
		if p.Str("gen_ai.request.model") != "gpt-5" || p.Count != 1 {
			t.Errorf("token point %+v: only the call with usage has tokens", p)
		}
		byType[p.Str("gen_ai.token.type")] = p.Sum
	}
	for typ, k := range map[string]string{"input": "gen_ai.usage.input_tokens", "output": "gen_ai.usage.output_tokens",
		"cache_read": "gen_ai.usage.cache_read.input_tokens", "cache_creation": "gen_ai.usage.cache_creation.input_tokens"} {
		if v, _ := spanAttr(ss[0], k).(int64); byType[typ] != float64(v) || v == 0 {
			t.Errorf("token.type %s = %v, span %s = %v", typ, byType[typ], k, v)
		}
	}
	if _, ok := byType["reasoning"]; ok || len(byType) != 4 {
		t.Errorf("token types %v: reasoning was not reported", byType)
	}
	for _, s := range ss {
		if s.Resource().SchemaURL() != spans.SchemaURL || s.InstrumentationScope().SchemaURL != spans.SchemaURL {
			t.Errorf("span %s: schema URLs %q %q", s.Name(), s.Resource().SchemaURL(), s.InstrumentationScope().SchemaURL)
		}
	}
}

// TestLatestConventionsSwitchNames: gen_ai_latest_experimental replaces the
// token histogram by the newest counters and per-operation histograms, and
// renames cache_creation, under the newest schema URL.
func TestLatestConventionsSwitchNames(t *testing.T) {
	r := otlptest.NewReceiver(t)
	_, ss := record(t, map[string]string{"OTEL_EXPORTER_OTLP_METRICS_ENDPOINT": r.MetricsURL(),
		"OTEL_SEMCONV_STABILITY_OPT_IN": "http, gen_ai_latest_experimental"}, testCalls())
	got := r.Metrics()
	checkPointBasics(t, got, spans.LatestSchemaURL)
	if len(points(got, spans.MetricTokenUsage)) != 0 {
		t.Error("gen_ai.client.token.usage exported under the latest conventions")
	}
	in := points(got, spans.MetricOperationInputTokens)
	if len(in) != 2 {
		t.Fatalf("%d input-token histogram points, want one per inference call", len(in))
	}
	for _, name := range []string{spans.MetricUsageInputTokens, spans.MetricUsageOutputTokens, spans.MetricUsageCacheReadTokens,
		spans.MetricUsageCacheWriteTokens, spans.MetricUsageReasoningTokens} {
		ps := points(got, name)
		total := 0.0
		for _, p := range ps {
			if p.Kind != "Sum" || !p.Monotonic || p.Str("gen_ai.token.modality") != "unknown" {
				t.Errorf("%s: %+v", name, p)
			}
			total += p.Value
		}
		if len(ps) != 2 {
			t.Errorf("%s: %d points, want one per call (0 for the call without usage)", name, len(ps))
		}
		want := map[string]float64{spans.MetricUsageInputTokens: 100, spans.MetricUsageOutputTokens: 20,
			spans.MetricUsageCacheReadTokens: 50, spans.MetricUsageCacheWriteTokens: 7}[name]
		if total != want {
			t.Errorf("%s total %v, want %v", name, total, want)
		}
	}
	if spanAttr(ss[0], "gen_ai.usage.cache_write.input_tokens") != int64(7) || spanAttr(ss[0], "gen_ai.usage.cache_creation.input_tokens") != nil {
		t.Error("latest conventions keep gen_ai.usage.cache_creation.input_tokens on the span")
	}
	if ss[0].Resource().SchemaURL() != spans.LatestSchemaURL {
		t.Errorf("span schema %q", ss[0].Resource().SchemaURL())
	}
}

// TestGRPCExport sends spans and metrics to an OTLP/gRPC receiver.
func TestGRPCExport(t *testing.T) {
	r := otlptest.NewGRPCReceiver(t)
	p, _ := record(t, map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": r.URL(), "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc",
		"OTEL_METRICS_EXPORTER": "otlp", "OTEL_EXPORTER_OTLP_HEADERS": "x-tenant=t1"}, testCalls())
	if p.Endpoint != r.URL() || p.MetricsEndpoint != r.URL() {
		t.Fatalf("endpoints %q %q, want %q (no path for gRPC)", p.Endpoint, p.MetricsEndpoint, r.URL())
	}
	if got := r.Spans(); len(got) != 3 || got[0].SchemaURL != spans.SchemaURL {
		t.Fatalf("gRPC receiver got %d spans", len(got))
	}
	if len(points(r.Metrics(), spans.MetricOperationDuration)) != 2 {
		t.Fatalf("gRPC receiver got %+v", r.Metrics())
	}
}

// TestMetricAttributeCanaryNeverExported plants a credential in the
// request model: the metric guard masks it before it leaves.
func TestMetricAttributeCanaryNeverExported(t *testing.T) {
	r := otlptest.NewReceiver(t)
	calls := testCalls()
	calls[0].RequestModel = metricCanary
	record(t, map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": r.URL(), "OTEL_METRICS_EXPORTER": "otlp",
		"OTEL_RESOURCE_ATTRIBUTES": "team=" + metricCanary}, calls)
	if len(r.Metrics()) == 0 || len(r.Spans()) == 0 {
		t.Fatal("nothing exported")
	}
	for _, b := range r.Raw() {
		if bytes.Contains(b, []byte(metricCanary)) {
			t.Fatal("the canary left in an export request")
		}
	}
}

// TestNoMetricsWithoutAMetricsExporter: the generic endpoint alone exports
// spans, no metrics; OTEL_METRICS_EXPORTER=none turns a metrics endpoint
// off.
func TestNoMetricsWithoutAMetricsExporter(t *testing.T) {
	r := otlptest.NewReceiver(t)
	for _, env := range []map[string]string{
		{"OTEL_EXPORTER_OTLP_ENDPOINT": r.URL()},
		{"OTEL_EXPORTER_OTLP_METRICS_ENDPOINT": r.MetricsURL(), "OTEL_METRICS_EXPORTER": "none"},
	} {
		p, _ := record(t, env, testCalls())
		if p.Meters != nil {
			t.Errorf("%v: a meter provider exists", env)
		}
	}
	if len(r.Metrics()) != 0 {
		t.Fatalf("metrics sent: %+v", r.Metrics())
	}
}

// TestExportOptionsComeFromGetenv: headers, compression and JSON encoding
// are read through the run's configuration, and the same variables in the
// process environment are not.
func TestExportOptionsComeFromGetenv(t *testing.T) {
	t.Setenv("OTEL_EXPORTER_OTLP_HEADERS", "x-leaked=process")
	t.Setenv("OTEL_EXPORTER_OTLP_COMPRESSION", "gzip")
	r := otlptest.NewReceiver(t)
	record(t, map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": r.URL(), "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT": r.MetricsURL(),
		"OTEL_EXPORTER_OTLP_TRACES_HEADERS": "x-tenant=t1", "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL": "http/json",
		"OTEL_EXPORTER_OTLP_METRICS_COMPRESSION": "gzip", "OTEL_EXPORTER_OTLP_TIMEOUT": "3000"}, testCalls())
	hs := r.Headers()
	if len(hs) < 2 {
		t.Fatalf("%d requests", len(hs))
	}
	var traces, metrics int
	for _, h := range hs {
		if h.Get("X-Leaked") != "" {
			t.Error("a header of the process environment was sent")
		}
		if h.Get("Content-Type") == otlptest.ContentTypeJSON {
			traces++
			if h.Get("X-Tenant") != "t1" || h.Get("Content-Encoding") == "gzip" {
				t.Errorf("traces request headers %v", h)
			}
		} else {
			metrics++
			if h.Get("Content-Encoding") != "gzip" || h.Get("X-Tenant") != "" {
				t.Errorf("metrics request headers %v", h)
			}
		}
	}
	if traces == 0 || metrics == 0 {
		t.Errorf("%d JSON traces requests, %d metrics requests", traces, metrics)
	}
}

// TestUnsupportedProtocolIsRefused: one line naming what is supported.
func TestUnsupportedProtocolIsRefused(t *testing.T) {
	for env, want := range map[string]string{
		"OTEL_EXPORTER_OTLP_PROTOCOL=thrift":              "http/protobuf, http/json, grpc",
		"OTEL_EXPORTER_OTLP_METRICS_PROTOCOL=http/json":   "http/protobuf, grpc",
		"OTEL_EXPORTER_OTLP_COMPRESSION=zstd":             "gzip or none",
		"OTEL_EXPORTER_OTLP_TIMEOUT=soon":                 "milliseconds",
		"OTEL_EXPORTER_OTLP_CERTIFICATE=/nonexistent.pem": "certificate",
	} {
		k, v, _ := strings.Cut(env, "=")
		m := map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "https://127.0.0.1:1", "OTEL_METRICS_EXPORTER": "otlp", k: v}
		_, err := spans.NewProvider(context.Background(), spans.ProviderOptions{RunFile: tracetest.NewInMemoryExporter(), Getenv: runEnv(m)})
		if err == nil || !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: error %v, want one line naming %q", env, err, want)
		}
	}
}
