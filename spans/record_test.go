package spans

import (
	"context"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/agentwrap/agentwrap/call"
)

func attrMap(kvs []attribute.KeyValue) map[attribute.Key]attribute.Value {
	m := map[attribute.Key]attribute.Value{}
	for _, kv := range kvs {
		m[kv.Key] = kv.Value
	}
	return m
}

func TestRecorderEmitsOneClientSpanPerCall(t *testing.T) {
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	tracer := tp.Tracer("test")
	ctx, run := tracer.Start(context.Background(), "invoke_agent claude")
	rec := NewRecorder(tracer, ctx, "run-1", nil)

	start := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	c := call.Call{
		Family: call.FamilyMessages, Method: "POST", Path: "/v1/messages",
		ServerAddress: "api.cometapi.com", ServerPort: 443, UserAgent: "claude-cli/2",
		CredentialLabel: "cred-ab12", Start: start, End: start.Add(2 * time.Second),
		FirstChunk: 300 * time.Millisecond, RequestModel: "claude-sonnet-4-5", RequestStream: true,
		RequestMaxTokens: 1024, ResendCount: 1, StatusCode: 200, ResponseModel: "claude-sonnet-4-5-20250929",
		ResponseID: "msg_1", FinishReasons: []string{"end_turn"}, Stream: true, StreamComplete: true,
		Usage:    call.Usage{Input: 30, Output: 7, CacheRead: 10, CacheCreation: 5, Reasoning: -1},
		Contract: call.ContractResult{Endpoint: "anthropic-messages", CheckedAt: "2026-11-01T00:00:00Z", SourceURLs: []string{"https://apidoc.cometapi.com/"}},
	}
	rec.Observe(&c)
	bad := okCall()
	bad.StatusCode = 500
	bad.Start, bad.End = start, start.Add(time.Second)
	rec.Observe(&bad)
	run.End()

	got := exp.GetSpans()
	if len(got) != 3 {
		t.Fatalf("%d spans, want 3", len(got))
	}
	s := got[0]
	if s.Name != "chat claude-sonnet-4-5" || s.SpanKind != trace.SpanKindClient {
		t.Fatalf("name %q kind %v", s.Name, s.SpanKind)
	}
	if s.Parent.SpanID() != run.SpanContext().SpanID() || !s.StartTime.Equal(start) || !s.EndTime.Equal(c.End) {
		t.Fatalf("parent/timestamps wrong: %v %v %v", s.Parent.SpanID(), s.StartTime, s.EndTime)
	}
	a := attrMap(s.Attributes)
	want := map[attribute.Key]any{
		RunID: "run-1", RequestFamily: "anthropic.messages", CredentialRedacted: true,
		ResultClass: "pass", FailureClass: "none", ContractEndpoint: "anthropic-messages",
		CheckedAt: "2026-11-01T00:00:00Z", GenAIOperationName: "chat", GenAIProviderName: "anthropic",
		GenAIRequestModel: "claude-sonnet-4-5", GenAIRequestStream: true, GenAIRequestMaxTokens: int64(1024),
		GenAIResponseModel: "claude-sonnet-4-5-20250929", GenAIResponseID: "msg_1",
		GenAIUsageInputTokens: int64(30), GenAIUsageOutputTokens: int64(7), GenAIUsageCacheReadTokens: int64(10),
		GenAIUsageCacheCreationTokens: int64(5), GenAIResponseTimeToFirstChunk: 0.3,
		HTTPRequestMethod: "POST", HTTPResponseStatusCode: int64(200), HTTPRequestResendCount: int64(1),
		URLPath: "/v1/messages", ServerAddress: "api.cometapi.com", ServerPort: int64(443),
		UserAgent: "claude-cli/2", CredentialLabel: "cred-ab12",
	}
	for k, v := range want {
		if got, ok := a[k]; !ok || got.AsInterface() != v {
			t.Errorf("%s = %v, want %v", k, a[k].AsInterface(), v)
		}
	}
	if _, ok := a[GenAIUsageReasoningTokens]; ok {
		t.Error("unreported reasoning tokens recorded")
	}
	if fr := a[GenAIResponseFinishReason].AsStringSlice(); len(fr) != 1 || fr[0] != "end_turn" {
		t.Errorf("finish reasons %v", fr)
	}
	if _, ok := a[ErrorType]; ok {
		t.Error("error.type on a passing call")
	}
	for k := range a {
		if !inSchema(k) {
			t.Errorf("attribute %s is not in Schema", k)
		}
	}
	f := got[1]
	if f.Status.Code != codes.Error || attrMap(f.Attributes)[ErrorType].AsString() != "500" {
		t.Fatalf("failed call: status %v error.type %v", f.Status, attrMap(f.Attributes)[ErrorType])
	}
	sum := rec.Summary()
	if sum.Calls != 2 || sum.Result != ResultFail || sum.Counts[ResultPass] != 1 || len(sum.Notes) != 1 {
		t.Fatalf("summary %+v", sum)
	}
}

func inSchema(k attribute.Key) bool {
	for _, s := range Schema() {
		if s == k {
			return true
		}
	}
	return false
}

func TestLoadOTLPConfig(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	c, err := LoadOTLPConfig(env(map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318/", "OTEL_EXPORTER_OTLP_HEADERS": "a=b%20c, x-tenant=t1"}))
	if err != nil || c.TracesURL != "http://127.0.0.1:4318/v1/traces" || c.Headers["a"] != "b c" || c.Headers["x-tenant"] != "t1" {
		t.Fatalf("generic endpoint: %+v %v", c, err)
	}
	c, _ = LoadOTLPConfig(env(map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://a:1", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://b:2/custom"}))
	if c.TracesURL != "http://b:2/custom" {
		t.Fatalf("signal endpoint must win as is: %q", c.TracesURL)
	}
	c, _ = LoadOTLPConfig(env(map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://a:1", "OTEL_TRACES_EXPORTER": "none"}))
	if c.TracesURL != "" {
		t.Fatal("OTEL_TRACES_EXPORTER=none must disable export")
	}
	if _, err := LoadOTLPConfig(env(map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "localhost:4318"})); err == nil {
		t.Fatal("endpoint without scheme accepted")
	}
}

// TestSchemaIsACopy: changing what Schema or SchemaNames returned does not
// change the allowlist.
func TestSchemaIsACopy(t *testing.T) {
	a, n := Schema(), SchemaNames()
	a[0], n[0] = "injected.key", "injected.key"
	if Schema()[0] != RunID || SchemaNames()[0] != string(RunID) {
		t.Fatal("the allowlist changed through a returned slice")
	}
	if len(Schema()) != len(SchemaNames()) || len(Schema()) < 30 {
		t.Fatalf("Schema has %d keys, SchemaNames %d", len(Schema()), len(SchemaNames()))
	}
}

func TestAgentVersionFromUserAgent(t *testing.T) {
	for _, tc := range []struct{ ua, agent, want string }{
		{"claude-cli/2.1.330 (external, cli)", "claude", "2.1.330"},
		{"codex_cli_rs/0.169.0 (Debian 13; x86_64) xterm", "codex", "0.169.0"},
		{"GeminiCLI/0.61.0 (linux; x64)", "gemini", "0.61.0"},
		{"QwenCode/0.24.4 (linux; x64)", "qwen", "0.24.4"},
		{"OpenAI/Python 1.99.0", "aider", ""},
		{"Go-http-client/1.1", "canaryagent", ""},
		{"claude-cli/latest", "claude", ""},
		{"claude-cli/2.1.330", "", ""},
	} {
		if got := AgentVersion(tc.ua, tc.agent); got != tc.want {
			t.Errorf("AgentVersion(%q, %q) = %q, want %q", tc.ua, tc.agent, got, tc.want)
		}
	}
}

// TestRunAttributesSumTheCalls: the run span's usage totals are the sums
// of what the inference calls reported (count_tokens counts a prompt, it
// uses none), a count no call reported stays off, the
// provider is the first call's and the version the first one found.
func TestRunAttributesSumTheCalls(t *testing.T) {
	tp := sdktrace.NewTracerProvider()
	tracer := tp.Tracer("test")
	ctx, _ := tracer.Start(context.Background(), "invoke_agent claude")
	rec := NewRecorder(tracer, ctx, "run-1", nil)
	rec.Use(Conventions{Latest: true}, nil, "claude")
	a, b, cnt := okCall(), okCall(), okCall()
	a.Family, a.UserAgent, a.Usage = call.FamilyMessages, "claude-cli/2.1.330 (external, cli)", call.Usage{Input: 10, Output: 3, CacheRead: -1, CacheCreation: 4, Reasoning: -1}
	b.Family, b.Usage = call.FamilyChatCompletions, call.Usage{Input: 5, Output: 2, CacheRead: -1, CacheCreation: -1, Reasoning: -1}
	cnt.Family, cnt.Usage = call.FamilyCountTokens, call.Usage{Input: 100, Output: -1, CacheRead: -1, CacheCreation: -1, Reasoning: -1}
	for _, c := range []*call.Call{&a, &b, &cnt} {
		rec.Observe(c)
	}
	got := attrMap(RunAttributes(rec.Summary(), Conventions{Latest: true}))
	want := map[attribute.Key]any{GenAIProviderName: "anthropic", GenAIAgentVersion: "2.1.330",
		GenAIUsageInputTokens: int64(15), GenAIUsageOutputTokens: int64(5), GenAIUsageCacheWriteTokens: int64(4)}
	for k, v := range want {
		if got[k].AsInterface() != v {
			t.Errorf("%s = %v, want %v", k, got[k].AsInterface(), v)
		}
	}
	if len(got) != len(want) {
		t.Errorf("run attributes %v, want exactly %v", got, want)
	}
}
