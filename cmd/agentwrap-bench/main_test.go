package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
)

func TestMain(m *testing.M) {
	// The memory checks re-execute this test binary as their child.
	if name := os.Getenv(memEnv); name != "" {
		os.Exit(memChild(name, os.Stdout))
	}
	os.Exit(m.Run())
}

// TestQuickRun runs the harness in -quick mode and checks its structure
// only, never its timings: every phase of every target ran without error,
// no stream event was coalesced, every span is in the run file (with the
// collector refused and blackholed too) and at the sink, and the memory
// checks ran.
func TestQuickRun(t *testing.T) {
	if testing.Short() {
		t.Skip("the quick benchmark run takes about 15 s")
	}
	out := filepath.Join(t.TempDir(), "bench.json")
	var stdout, stderr bytes.Buffer
	if err := run(context.Background(), []string{"-quick", "-json", out}, &stdout, &stderr); err != nil {
		t.Fatalf("run: %v\n%s", err, stderr.String())
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var rep report
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatal(err)
	}
	p := quickPlan(1)
	if want := len(p.Phases) * len(targetNames); len(rep.Phases) != want {
		t.Fatalf("%d phases ran, want %d", len(rep.Phases), want)
	}
	for _, ph := range rep.Phases {
		checkPhase(t, ph)
	}
	if len(rep.Summary) != len(p.Phases) {
		t.Errorf("%d summary rows, want %d", len(rep.Summary), len(p.Phases))
	}
	if len(rep.Memory) != len(memChecks) {
		t.Errorf("%d memory checks, want %d", len(rep.Memory), len(memChecks))
	}
	for _, m := range rep.Memory {
		if m.Error != "" || m.PeakKB <= 0 {
			t.Errorf("memory check %s: peak %d KiB, error %q", m.Name, m.PeakKB, m.Error)
		}
	}
	for _, want := range []string{"| json-1KB | 1 |", "| sse-8x20ms | 8 |", "| streams-256 |"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("tables lack %q:\n%s", want, stdout.String())
		}
	}
}

func checkPhase(t *testing.T, ph phaseResult) {
	t.Helper()
	name := ph.Target + " " + ph.Mode
	if ph.Errors != 0 || ph.FirstError != "" {
		t.Errorf("%s: %d errors, %q", name, ph.Errors, ph.FirstError)
	}
	if ph.Coalesced != 0 {
		t.Errorf("%s: %d coalesced events", name, ph.Coalesced)
	}
	if ph.LatencyP50 <= 0 || ph.Throughput <= 0 {
		t.Errorf("%s: no latency or throughput measured: %+v", name, ph)
	}
	if strings.HasPrefix(ph.Mode, "sse") && ph.GapP50 <= 0 {
		t.Errorf("%s: no inter-event gaps measured", name)
	}
	if ph.Target == targetDirect || ph.Target == targetProxy {
		return
	}
	if lost := ph.lostSpans(); lost != 0 || ph.Observed != ph.Calls+ph.Conc {
		t.Errorf("%s: observed %d calls, run file has %d spans (lost %d), want %d calls", name, ph.Observed, ph.FileSpans, lost, ph.Calls+ph.Conc)
	}
	if ph.Target == targetGateway && ph.Exported != int64(ph.FileSpans) {
		t.Errorf("%s: sink got %d spans, run file %d", name, ph.Exported, ph.FileSpans)
	}
}

func TestOptionsFilterPhasesAndTargets(t *testing.T) {
	var stderr bytes.Buffer
	o, err := parseOptions([]string{"-only", `json-1KB x1$`, "-targets", "A,C"}, &stderr)
	if err != nil {
		t.Fatal(err)
	}
	p := fullPlan(1).filter(o.only)
	if len(p.Phases) != 1 || p.Phases[0].name() != "json-1KB x1" {
		t.Errorf("-only kept %v, want json-1KB x1 alone", p.Phases)
	}
	if strings.Join(o.targets, ",") != "A,C" {
		t.Errorf("targets %v, want A,C", o.targets)
	}
	for _, args := range [][]string{{"-targets", "A,D"}, {"-only", "("}, {"stray"}} {
		if _, err := parseOptions(args, &stderr); err == nil {
			t.Errorf("parseOptions(%q) accepted", args)
		}
	}
	if err := run(context.Background(), []string{"-quick", "-only", "nothing-matches"}, &stderr, &stderr); err == nil ||
		!strings.Contains(err.Error(), "matches no phase") {
		t.Errorf("run with an -only matching nothing: %v", err)
	}
}

// TestCountSpans checks the sink's wire-format count against pdata's.
func TestCountSpans(t *testing.T) {
	td := ptrace.NewTraces()
	want := 0
	for r := range 3 {
		rs := td.ResourceSpans().AppendEmpty()
		rs.Resource().Attributes().PutStr("service.name", "agentwrap")
		for s := range r + 1 {
			ss := rs.ScopeSpans().AppendEmpty()
			ss.Scope().SetName("scope")
			for i := range s + 2 {
				sp := ss.Spans().AppendEmpty()
				sp.SetName("chat gpt-bench")
				sp.Attributes().PutInt("i", int64(i))
				sp.Events().AppendEmpty().SetName("event")
				want++
			}
		}
	}
	b, err := ptraceotlp.NewExportRequestFromTraces(td).MarshalProto()
	if err != nil {
		t.Fatal(err)
	}
	if got, err := countSpans(b); err != nil || got != want || want != td.SpanCount() {
		t.Errorf("countSpans = %d, %v; want %d", got, err, want)
	}
	if _, err := countSpans(b[:len(b)-3]); err == nil {
		t.Error("a truncated request was counted without an error")
	}
}
