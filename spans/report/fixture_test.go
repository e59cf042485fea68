package report_test

import (
	"context"
	"encoding/binary"
	"os"
	"path/filepath"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/agentwrap/agentwrap/call"
	"github.com/agentwrap/agentwrap/redact"
	"github.com/agentwrap/agentwrap/spans"
	"github.com/agentwrap/agentwrap/spans/runfile"
)

// fixtureRunID names the golden run.
const fixtureRunID = "20260701T120000Z-3f9a1b2c"

// t0 is the golden run's start.
var t0 = time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC)

// seqIDs hands out trace and span ids from a counter, so that the golden
// run file is the same on every run.
type seqIDs struct{ n uint64 }

func (g *seqIDs) NewIDs(ctx context.Context) (trace.TraceID, trace.SpanID) {
	var tid trace.TraceID
	copy(tid[:], "agentwrap-golden")
	return tid, g.NewSpanID(ctx, tid)
}

func (g *seqIDs) NewSpanID(context.Context, trace.TraceID) trace.SpanID {
	g.n++
	var sid trace.SpanID
	binary.BigEndian.PutUint64(sid[:], g.n)
	return sid
}

// contractOf is the contract result of a documented endpoint.
func contractOf(endpoint string, urls ...string) call.ContractResult {
	return call.ContractResult{Endpoint: endpoint, CheckedAt: "2026-06-15", SourceURLs: urls}
}

const (
	docsRoot     = "https://apidoc.cometapi.com/"
	docsMessages = "https://apidoc.cometapi.com/api/anthropic/messages"
	docsChat     = "https://apidoc.cometapi.com/api/text/chat"
)

// mkCall is a gateway call record at offset from t0.
func mkCall(offset, dur time.Duration, family call.Family, model string, status int) *call.Call {
	c := &call.Call{
		Family: family, Method: "POST", ServerAddress: "api.cometapi.com", ServerPort: 443,
		CredentialLabel: "a1b2", Start: t0.Add(offset), End: t0.Add(offset + dur),
		RequestModel: model, RequestMaxTokens: -1, StatusCode: status, ContentType: "application/json",
		Usage: call.NoUsage(), UserAgent: "claude-cli/2.0.0",
	}
	switch family {
	case call.FamilyMessages:
		c.Path = "/v1/messages"
		c.Contract = contractOf("anthropic.messages", docsRoot, docsMessages)
	case call.FamilyChatCompletions:
		c.Path = "/v1/chat/completions"
		c.Contract = contractOf("openai.chat_completions", docsRoot, docsChat)
	default:
		c.Path = "/v1/unknown/thing"
	}
	return c
}

// streamed makes c a complete stream with usage.
func streamed(c *call.Call, in, out int64, first time.Duration) *call.Call {
	c.RequestStream, c.Stream, c.StreamComplete = true, true, true
	c.ContentType = "text/event-stream"
	c.Usage = call.Usage{Input: in, Output: out, CacheRead: in / 2, CacheCreation: -1, Reasoning: -1}
	c.FirstChunk = first
	c.ResponseModel = c.RequestModel + "-20260601"
	c.ResponseID = "msg_0001"
	c.FinishReasons = []string{"end_turn"}
	return c
}

// fixtureCalls are the golden run's calls: passes, failures of every
// class, follow-ups, and a call the agent cancelled.
func fixtureCalls() []*call.Call {
	limited := func(c *call.Call) *call.Call {
		c.RetryAfter, c.UpstreamErrorType = true, "rate_limit_error"
		return c
	}
	missing := mkCall(9*time.Second, 120*time.Millisecond, call.FamilyChatCompletions, "gpt-5-mini", 400)
	missing.Contract.RequestProblems = []string{"missing required field: messages"}
	server := mkCall(12*time.Second, 2*time.Second, call.FamilyMessages, "claude-sonnet-4-5", 502)
	server.UpstreamErrorType = "api_error"
	cancelled := streamed(mkCall(20*time.Second, 1500*time.Millisecond, call.FamilyMessages, "claude-sonnet-4-5", 200), 900, 12, 600*time.Millisecond)
	cancelled.StreamComplete, cancelled.Cancelled = false, true
	return []*call.Call{
		streamed(mkCall(500*time.Millisecond, 3100*time.Millisecond, call.FamilyMessages, "claude-sonnet-4-5", 200), 12034, 812, 420*time.Millisecond),
		limited(mkCall(4*time.Second, 80*time.Millisecond, call.FamilyMessages, "claude-sonnet-4-5", 429)),
		limited(mkCall(5*time.Second, 95*time.Millisecond, call.FamilyMessages, "claude-sonnet-4-5", 429)),
		streamed(mkCall(6*time.Second, 2400*time.Millisecond, call.FamilyMessages, "claude-haiku-4-5", 200), 3200, 140, 310*time.Millisecond),
		missing,
		server,
		mkCall(15*time.Second, 40*time.Millisecond, call.FamilyUnknown, "", 404),
		cancelled,
		streamed(mkCall(23*time.Second, 4*time.Second, call.FamilyChatCompletions, "gpt-5-mini", 200), 1500, 300, 900*time.Millisecond),
	}
}

// writeFixture records the golden run with the real recorder, redaction
// guard and run file exporter, and returns the run file's path.
func writeFixture(t *testing.T, dir string) string {
	t.Helper()
	exp, err := runfile.Create(dir, fixtureRunID)
	if err != nil {
		t.Fatal(err)
	}
	guard := redact.NewGuard(spans.SchemaNames(), redact.NewScanner())
	tp := sdktrace.NewTracerProvider(
		sdktrace.WithResource(spans.Resource(func(string) string { return "" }, "1.0.0-test", spans.Conventions{})),
		sdktrace.WithIDGenerator(&seqIDs{}),
		sdktrace.WithSpanProcessor(sdktrace.NewSimpleSpanProcessor(redact.WrapExporter(exp, guard))))
	tr := tp.Tracer("github.com/agentwrap/agentwrap")
	ctx, run := tr.Start(context.Background(), "invoke_agent claude", trace.WithTimestamp(t0),
		trace.WithAttributes(
			spans.RunID.String(fixtureRunID), spans.GenAIAgentName.String("claude"),
			spans.GenAIOperationName.String("invoke_agent"), spans.Profile.String("claude"),
			spans.Upstream.String("https://api.cometapi.com"),
			spans.ContractManifest.String("builtin:cometapi.yaml"),
			spans.InstructionFiles.StringSlice([]string{
				"CLAUDE.md sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
				"../AGENTS.md sha256:60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752",
			})))
	rec := spans.NewRecorder(tr, ctx, fixtureRunID, nil)
	for _, c := range fixtureCalls() {
		rec.Observe(c)
	}
	sum := rec.Summary()
	run.SetAttributes(spans.ProcessExitCode.Int(0), spans.Calls.Int(sum.Calls),
		spans.ResultClass.String(sum.Result),
		attribute.String(string(spans.Notes), "operator note: golden fixture"))
	run.End(trace.WithTimestamp(t0.Add(28 * time.Second)))
	if err := tp.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	return filepath.Join(dir, fixtureRunID+runfile.Ext)
}

// fixtureFile is the committed golden run file, rewritten from
// writeFixture with -update; the test fails when the two differ.
func fixtureFile(t *testing.T) string {
	t.Helper()
	want := filepath.Join("testdata", fixtureRunID+runfile.Ext)
	b, err := os.ReadFile(writeFixture(t, t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	checkGolden(t, want, b)
	return want
}
