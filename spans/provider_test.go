package spans

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/agentwrap/agentwrap/internal/otlptest"
	"github.com/agentwrap/agentwrap/redact"
	"github.com/agentwrap/agentwrap/spans/runfile"
)

// TestProviderGuardsOnceAndBatchesTheRunFile wires a provider as a wrapped
// run does (run file, OTLP, the guard): each span is guarded once and
// reaches both sinks guarded; the run file holds the spans of a batch
// until FlushRunFile writes them as one line, and what is left at
// shutdown.
func TestProviderGuardsOnceAndBatchesTheRunFile(t *testing.T) {
	const canary = "sk-canary-provider-0123456789abcdef"
	rcv := otlptest.NewReceiver(t)
	dir := t.TempDir()
	rf, err := runfile.Create(dir, "run-1")
	if err != nil {
		t.Fatal(err)
	}
	guarded := 0
	guard := redact.NewGuard(SchemaNames(), redact.NewScanner(canary))
	p, err := NewProvider(context.Background(), ProviderOptions{RunFile: rf,
		Getenv: func(k string) string {
			if k == "OTEL_EXPORTER_OTLP_ENDPOINT" {
				return rcv.URL()
			}
			return ""
		},
		Guard: func(e sdktrace.SpanExporter) sdktrace.SpanExporter {
			guarded++
			return redact.WrapExporter(e, guard)
		}})
	if err != nil {
		t.Fatal(err)
	}
	if guarded != 1 {
		t.Errorf("the guard wraps %d exporters: one guard must feed both sinks", guarded)
	}
	tr := p.RunTracer()
	lines := func() []string {
		b, err := os.ReadFile(rf.Path())
		if err != nil {
			t.Fatal(err)
		}
		return strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	}
	for _, name := range []string{"chat a", "chat b " + canary} {
		_, s := tr.Start(context.Background(), name)
		s.SetAttributes(GenAIRequestModel.String(canary), RunID.String("run-1"))
		s.End()
	}
	if b, _ := os.ReadFile(rf.Path()); len(b) != 0 {
		t.Fatalf("the run file was written before the batch ended: %q", b)
	}
	p.FlushRunFile()
	if l := lines(); len(l) != 1 || !strings.Contains(l[0], "chat a") || !strings.Contains(l[0], "chat b") {
		t.Fatalf("after FlushRunFile: %d lines %q, want both spans on one", len(l), l)
	}
	p.FlushRunFile() // nothing held: nothing written
	_, s := tr.Start(context.Background(), "invoke_agent x")
	s.End()
	if err := p.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	l := lines()
	if len(l) != 2 || !strings.Contains(l[1], "invoke_agent x") {
		t.Fatalf("after shutdown: %q, want the span left held on a second line", l)
	}
	got, err := rcv.WaitSpans(3, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	raw := strings.Join(l, "\n")
	for _, r := range rcv.Raw() {
		raw += string(r)
	}
	if strings.Contains(raw, canary) {
		t.Error("the canary left through a sink unguarded")
	}
	if len(got) != 3 {
		t.Errorf("%d spans exported over OTLP, want 3", len(got))
	}
}

// TestRunFileLineIsBounded: a batch larger than maxHeld is written in
// lines of at most maxHeld spans without waiting for FlushRunFile.
func TestRunFileLineIsBounded(t *testing.T) {
	p, rf := runFileProvider(t, "run-2")
	tr := p.RunTracer()
	for range maxHeld + 1 {
		_, s := tr.Start(context.Background(), "chat")
		s.End()
	}
	b, err := os.ReadFile(rf.Path())
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(b), "\n"); n != 1 || strings.Count(string(b), `"name":"chat"`) != maxHeld {
		t.Errorf("%d lines holding %d spans before the flush, want one line of %d", n, strings.Count(string(b), `"name":"chat"`), maxHeld)
	}
	if err := p.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// TestRunFileKeepsHeldSpansPastTheDeadline: a shutdown whose context has
// run out (a slow collector used the flush timeout up) still writes the
// spans held for the run file.
func TestRunFileKeepsHeldSpansPastTheDeadline(t *testing.T) {
	p, rf := runFileProvider(t, "run-3")
	_, s := p.RunTracer().Start(context.Background(), "invoke_agent x")
	s.End()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_ = p.Shutdown(ctx)
	b, err := os.ReadFile(rf.Path())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "invoke_agent x") {
		t.Errorf("the run span was lost at a shutdown past its deadline: %q", b)
	}
}

// runFileProvider is a provider with a run file named runID in a fresh
// directory and no OTLP export.
func runFileProvider(t *testing.T, runID string) (*Provider, *runfile.Exporter) {
	t.Helper()
	rf, err := runfile.Create(t.TempDir(), runID)
	if err != nil {
		t.Fatal(err)
	}
	p, err := NewProvider(context.Background(), ProviderOptions{RunFile: rf, Getenv: func(string) string { return "" }})
	if err != nil {
		t.Fatal(err)
	}
	return p, rf
}
