package spans

import (
	"context"
	"strings"
	"sync"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/agentwrap/agentwrap/call"
)

// TestRecorderCountsLocalRequests: probes and refused requests are counted,
// concurrently, without a span each; the run span gets the counts and the
// first refused request; only a refused model call changes the result.
func TestRecorderCountsLocalRequests(t *testing.T) {
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	tracer := tp.Tracer("test")
	rec := NewRecorder(tracer, context.Background(), "run-1", nil)

	probe := call.LocalRequest{Method: "HEAD", Path: "/api/hello", UserAgent: "Bun/1.4.4", Reason: call.LocalProbe}
	other := call.LocalRequest{Method: "GET", Path: "/metrics", Reason: call.LocalNoToken}
	rec.Local(probe)
	rec.Local(other)
	if o := rec.Summary().Local.Outcome(); o.Result != ResultPass || o.Note != "" {
		t.Fatalf("a refused request on no model path made the run %s (%q)", o.Result, o.Note)
	}
	model := call.LocalRequest{Method: "POST", Path: "/v1/messages", Reason: call.LocalWrongToken, ModelPath: true}
	var wg sync.WaitGroup
	for range 100 {
		wg.Add(1)
		go func() { defer wg.Done(); rec.Local(model); rec.Local(probe) }()
	}
	wg.Wait()
	if n := len(exp.GetSpans()); n != 0 {
		t.Fatalf("%d spans for local requests, want none", n)
	}
	tally := rec.Summary().Local
	want := LocalTally{Probes: 101, Rejected: 101, First: other, RejectedModel: 100, FirstModel: model}
	if tally != want {
		t.Fatalf("tally %+v, want %+v", tally, want)
	}
	a := attrMap(tally.Attributes())
	if a[ProbeRequests].AsInt64() != 101 || a[RejectedRequests].AsInt64() != 101 ||
		a[RejectedMethod].AsString() != "GET" || a[RejectedPath].AsString() != "/metrics" || a[RejectedReason].AsString() != "run_token_missing" {
		t.Fatalf("run span attributes %v", a)
	}
	o := tally.Outcome()
	if o.Result != ResultNeedsFollowUp || o.Failure != FailureOperatorFollowUp ||
		!strings.Contains(o.Note, "gateway refused POST /v1/messages: not the run token") || !strings.Contains(o.Note, "(100 model calls refused)") {
		t.Fatalf("outcome %+v", o)
	}
	if len(o.Note) > 200 {
		t.Fatalf("note is %d characters", len(o.Note))
	}
	if a := (LocalTally{}).Attributes(); len(a) != 0 {
		t.Fatalf("an empty tally has attributes %v", a)
	}
}
