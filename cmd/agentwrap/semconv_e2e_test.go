package main

import (
	"strings"
	"testing"
	"time"

	"github.com/agentwrap/agentwrap/internal/otlptest"
	"github.com/agentwrap/agentwrap/internal/upstreamtest"
	"github.com/agentwrap/agentwrap/spans"
)

// TestBinaryFollowsTheConventions runs the built binary with the canary
// agent (six calls: chat, chat stream, a 401, a messages stream, Gemini, a
// wrong credential) and an OTLP receiver, over OTLP/HTTP with the default
// conventions and over gRPC with gen_ai_latest_experimental: spans and
// metrics carry the schema URL of the conventions in the run file and the
// export, the metric names are the conventions', one duration point per
// call span, failed calls and the run span are errors with error.type, and
// the run span has the provider and the usage totals of its calls.
func TestBinaryFollowsTheConventions(t *testing.T) {
	for _, tc := range []struct {
		name   string
		grpc   bool
		latest bool
	}{{"http default", false, false}, {"grpc latest", true, true}} {
		t.Run(tc.name, func(t *testing.T) {
			const prefix = "sk-canary-semconv-"
			key := prefix + "realkey-0123456789abcdef"
			up := upstreamtest.Start(t, upstreamtest.WithKey(key))
			recv := otlptest.NewReceiver(t)
			env := append(baseEnv(t), "COMETAPI_KEY="+key, "CANARY_PREFIX="+prefix, "OTEL_METRICS_EXPORTER=otlp",
				"OTEL_METRIC_EXPORT_INTERVAL=60000")
			schema, tokenMetric := spans.SchemaURL, spans.MetricTokenUsage
			if tc.grpc {
				recv = otlptest.NewGRPCReceiver(t)
				env = append(env, "OTEL_EXPORTER_OTLP_PROTOCOL=grpc")
			}
			if tc.latest {
				env = append(env, "OTEL_SEMCONV_STABILITY_OPT_IN=gen_ai_latest_experimental")
				schema, tokenMetric = spans.LatestSchemaURL, spans.MetricOperationInputTokens
			}
			env = append(env, "OTEL_EXPORTER_OTLP_ENDPOINT="+recv.URL())
			r := runBinary(t, invocation{env: env, timeout: 2 * time.Minute,
				args: []string{"--upstream", up.URL(), "--profile", "generic", "--", canaryAgent(t)}})
			if r.code != 0 {
				t.Fatalf("exit %d\n%s", r.code, r.stderr)
			}
			exported, err := recv.WaitSpans(len(r.spans), 10*time.Second)
			if err != nil {
				t.Fatal(err)
			}
			for where, ss := range map[string][]otlptest.Span{"run file": r.spans, "export": exported} {
				for _, s := range ss {
					if s.SchemaURL != schema || s.ScopeSchemaURL != schema {
						t.Errorf("%s: span %s schema %q scope schema %q, want %s", where, s.Name, s.SchemaURL, s.ScopeSchemaURL, schema)
					}
				}
			}
			calls := callSpans(r.spans)
			var in int64
			for _, c := range calls {
				failed := c.Str(string(spans.ResultClass)) != spans.ResultPass
				if (c.StatusCode == "Error") != failed || failed != (c.Str(string(spans.ErrorType)) != "") {
					t.Errorf("call %s (%s): status %q error.type %q", c.Name, c.Str(string(spans.ResultClass)), c.StatusCode, c.Str(string(spans.ErrorType)))
				}
				in += c.Int(string(spans.GenAIUsageInputTokens))
			}
			rs := runSpan(t, r.spans)
			if rs.StatusCode != "Error" || rs.Str(string(spans.ErrorType)) != "call_failed" {
				t.Errorf("run with failed calls: status %q error.type %q", rs.StatusCode, rs.Str(string(spans.ErrorType)))
			}
			if rs.Str(string(spans.GenAIProviderName)) != "openai" || in == 0 || rs.Int(string(spans.GenAIUsageInputTokens)) != in {
				t.Errorf("run span provider %q input tokens %d, calls' sum %d", rs.Str(string(spans.GenAIProviderName)), rs.Int(string(spans.GenAIUsageInputTokens)), in)
			}
			points, err := recv.WaitMetrics(func(ps []otlptest.Point) bool { return len(ps) > 0 }, 10*time.Second)
			if err != nil {
				t.Fatal(err)
			}
			var durations uint64
			names := map[string]bool{}
			for _, p := range points {
				names[p.Metric] = true
				if p.SchemaURL != schema {
					t.Errorf("metric %s schema %q", p.Metric, p.SchemaURL)
				}
				if p.Metric == spans.MetricOperationDuration {
					durations += p.Count
				}
			}
			if durations != uint64(len(calls)) || !names[tokenMetric] || !names[spans.MetricTimeToFirstChunk] || names[spans.MetricTokenUsage] == tc.latest {
				t.Errorf("%d durations for %d calls; metrics %v", durations, len(calls), names)
			}
			for _, raw := range recv.Raw() {
				if strings.Contains(string(raw), prefix) {
					t.Fatal("canary in an OTLP export")
				}
			}
		})
	}
}
