package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestMain(m *testing.M) {
	// The memory checks re-execute this test binary as their child.
	if name := os.Getenv(memEnv); name != "" {
		os.Exit(memChild(name, os.Stdout))
	}
	// The report checks run this test binary as a buffering agentwrap.
	if os.Getenv(reportBufferEnv) == "true" {
		os.Exit(bufferingReport(os.Args[1:], os.Stdout))
	}
	os.Exit(m.Run())
}

// TestQuickRun runs the harness in -quick mode and checks its structure
// only, never its timings: every phase of every target ran without error,
// stream events arrived one by one (see checkPhase), every span is in the
// run file (with the collector refused and blackholed too) and at the sink
// (the flush timeout is long, so that a loaded machine cannot cut the
// last export short), and the memory checks ran and passed.
func TestQuickRun(t *testing.T) {
	if testing.Short() {
		t.Skip("the quick benchmark run takes about 15 s")
	}
	out := filepath.Join(t.TempDir(), "bench.json")
	var stdout, stderr bytes.Buffer
	if err := run(context.Background(), []string{"-quick", "-json", out, "-flush-timeout", "3s"}, &stdout, &stderr); err != nil {
		t.Fatalf("run: %v\n%s", err, stderr.String())
	}
	rep := readReport(t, out)
	p := quickPlan(1)
	targets := targetNames
	if _, err := exec.LookPath("node"); err != nil {
		// Only a machine without Node.js runs without D, and says so.
		if !strings.Contains(rep.PeerSkipped, "node not found") || !strings.Contains(stdout.String(), "target D skipped") {
			t.Errorf("without Node.js, D's absence is not reported: %q", rep.PeerSkipped)
		}
		targets = targetNames[:len(targetNames)-1]
	} else if rep.PeerSkipped != "" {
		t.Errorf("target D skipped with Node.js present: %s", rep.PeerSkipped)
	}
	want := 0
	for _, spec := range p.Phases {
		want += len(spec.targets(targets))
	}
	if len(rep.Phases) != want {
		t.Fatalf("%d phases ran, want %d", len(rep.Phases), want)
	}
	peerPhases := 0
	for _, ph := range rep.Phases {
		if ph.Target == targetPeer {
			peerPhases++
			if !strings.HasPrefix(ph.Mode, "messages") {
				t.Errorf("D ran in %s, a phase it does not speak", ph.Mode)
			}
		}
	}
	if len(targets) == len(targetNames) && (peerPhases == 0 || !strings.Contains(stdout.String(), "| messages-1KB | 1 |")) {
		t.Errorf("D ran in %d phases; tables:\n%s", peerPhases, stdout.String())
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
		if m.Error != "" || m.PeakKB <= 0 || !m.Pass {
			t.Errorf("memory check %s: peak %d KiB (limit %d MB), pass %v, error %q", m.Name, m.PeakKB, m.LimitMB, m.Pass, m.Error)
		}
	}
	// The report checks read a 256 MiB run file with the agentwrap
	// program built from this module, within their limit.
	if len(rep.Report) != len(reportCommands) {
		t.Errorf("%d report checks, want %d", len(rep.Report), len(reportCommands))
	}
	for _, m := range rep.Report {
		if m.Error != "" || m.PeakKB <= 0 || !m.Pass || !strings.Contains(m.Detail, "256 MB run file") {
			t.Errorf("report check %s: peak %d KiB (limit %d MB), pass %v, %s, error %q", m.Name, m.PeakKB, m.LimitMB, m.Pass, m.Detail, m.Error)
		}
	}
	// The first-call benchmark ran; run already failed on its structural
	// results (HTTP/2, no connection left open without a call).
	if f := rep.FirstCall; f == nil || f.DirectFirst <= 0 || f.GatewayFirst <= 0 || f.DirectAfterGap <= 0 || f.GatewayAfterGap <= 0 {
		t.Errorf("first-call benchmark: %+v", rep.FirstCall)
	}
	for _, want := range []string{"| json-1KB | 1 |", "| sse-8x20ms | 8 |", "| streams-256 |", "round trips saved", "| agentwrap report --format md |"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("tables lack %q:\n%s", want, stdout.String())
		}
	}
}

// readReport reads the measurements -json wrote to path.
func readReport(t *testing.T, path string) report {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var rep report
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatal(err)
	}
	return rep
}

func checkPhase(t *testing.T, ph phaseResult) {
	t.Helper()
	name := ph.Target + " " + ph.Mode
	if ph.Errors != 0 || ph.FirstError != "" {
		t.Errorf("%s: %d errors, %q", name, ph.Errors, ph.FirstError)
	}
	// A proxy that does not flush per event delivers a call's deltas
	// together (all but one coalesced); a loaded machine may coalesce one
	// now and then, which the tables report and this check allows.
	if events := ph.GapSamples + ph.Coalesced + ph.Samples; strings.HasPrefix(ph.Mode, "sse") && ph.Coalesced*4 > events {
		t.Errorf("%s: %d of %d events coalesced: the proxy does not flush per event", name, ph.Coalesced, events)
	}
	if ph.LatencyP50 <= 0 || ph.Throughput <= 0 {
		t.Errorf("%s: no latency or throughput measured: %+v", name, ph)
	}
	if strings.HasPrefix(ph.Mode, "sse") && ph.GapP50 <= 0 {
		t.Errorf("%s: no inter-event gaps measured", name)
	}
	if ph.Target == targetDirect || ph.Target == targetProxy || ph.Target == targetPeer {
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
	for _, args := range [][]string{{"-targets", "A,E"}, {"-only", "("}, {"stray"}} {
		if _, err := parseOptions(args, &stderr); err == nil {
			t.Errorf("parseOptions(%q) accepted", args)
		}
	}
	if err := run(context.Background(), []string{"-quick", "-only", "nothing-matches"}, &stderr, &stderr); err == nil ||
		!strings.Contains(err.Error(), "matches no phase") {
		t.Errorf("run with an -only matching nothing: %v", err)
	}
}

// TestMemoryChecksFailForABufferingGateway proves the memory checks can
// fail, with the quick run's sizes: a proxy in front of the gateway that
// holds whole request and reply bodies in memory puts the 64 MiB request
// and the 96 MiB streamed reply over their 64 MB limit, and failures
// reports it. The same checks through the gateway alone pass.
func TestMemoryChecksFailForABufferingGateway(t *testing.T) {
	if testing.Short() {
		t.Skip("moves 160 MiB through the gateway twice")
	}
	for _, name := range []string{"request-64MB", "reply-256MB-streamed"} {
		buffered := runMemChild(name, true, true)
		if buffered.Error != "" {
			t.Fatalf("%s through a buffering proxy: %s", name, buffered.Error)
		}
		if buffered.Pass {
			t.Errorf("%s through a buffering proxy passed with peak RSS %d KiB (limit %d MB): the check cannot fail", name, buffered.PeakKB, buffered.LimitMB)
		}
		if err := failures(report{Memory: []memResult{buffered}}); err == nil || !strings.Contains(err.Error(), "over its limit") {
			t.Errorf("failures(%s over its limit) = %v, want an over-limit error", name, err)
		}
		plain := runMemChild(name, true, false)
		if plain.Error != "" || !plain.Pass {
			t.Errorf("%s through the gateway: peak RSS %d KiB, limit %d MB, error %q: want a pass", name, plain.PeakKB, plain.LimitMB, plain.Error)
		}
	}
}

func TestEnoughSamples(t *testing.T) {
	for _, c := range []struct {
		n    int
		p    float64
		want bool
	}{{1, 50, false}, {2, 50, true}, {99, 99, false}, {100, 99, true}, {4, 99, false}} {
		if got := enough(c.n, c.p); got != c.want {
			t.Errorf("enough(%d, p%v) = %v, want %v", c.n, c.p, got, c.want)
		}
	}
	var out bytes.Buffer
	row := summaryRow{Mode: "sse-64x20ms", Conc: 1, Targets: map[string]targetSummary{
		targetDirect: {LatencyP50: 1000, LatencyP99: 2000, Samples: 4, GapSamples: 252},
		targetProxy:  {LatencyP50: 1100, LatencyP99: 2100, Samples: 4, GapSamples: 252},
	}}
	writeTables(&out, report{Summary: []summaryRow{row}})
	if !strings.Contains(out.String(), "| sse-64x20ms | 1 | 1000 | "+notEnough+" |") {
		t.Errorf("a p99 of 4 samples was printed:\n%s", out.String())
	}
}

// TestPacedLatencyCountsFromTheSchedule: a call that was due 40 ms before
// it could be sent is charged for those 40 ms.
func TestPacedLatencyCountsFromTheSchedule(t *testing.T) {
	up, err := serve(upstream())
	if err != nil {
		t.Fatal(err)
	}
	defer up.close()
	body := requestBody(1, false)
	late := doCall(newClient(), up.url, mode{Name: "json"}, body, time.Now().Add(-40*time.Millisecond))
	onTime := doCall(newClient(), up.url, mode{Name: "json"}, body, time.Time{})
	if late.err != nil || onTime.err != nil {
		t.Fatal(late.err, onTime.err)
	}
	if late.latency < 40*time.Millisecond || onTime.latency >= 40*time.Millisecond {
		t.Errorf("latency of a call due 40 ms earlier %s, of one sent when due %s", late.latency, onTime.latency)
	}
}

// TestReportChecksFailForABufferingReport proves the report checks can
// fail: a stand-in for agentwrap that reads the run file whole before it
// answers goes over the limit on a 150 MiB file (the report before it read
// run files as a stream used 900 MB on 256 MiB), and failures reports it.
func TestReportChecksFailForABufferingReport(t *testing.T) {
	if testing.Short() {
		t.Skip("writes and reads a 150 MiB run file")
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv(reportBufferEnv, "true")
	results := runReportChecks(150<<20, exe, io.Discard)
	if len(results) != len(reportCommands) {
		t.Fatalf("%d results: %+v", len(results), results)
	}
	for _, r := range results {
		if r.Error != "" || r.Pass || r.PeakKB < 150<<10 {
			t.Errorf("%s with a buffering report: peak RSS %d KiB, pass %v, error %q: want over the limit", r.Name, r.PeakKB, r.Pass, r.Error)
		}
	}
	if err := failures(report{Report: results}); err == nil || !strings.Contains(err.Error(), "over its limit") {
		t.Errorf("failures(report checks over their limit) = %v", err)
	}
}

// TestWriteAllocProfile writes the allocation profile -memprofile asks
// for: a gzipped pprof profile, and an error for a path it cannot create.
func TestWriteAllocProfile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "mem.out")
	if err := writeAllocProfile(path); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatalf("the profile is not gzipped, as pprof writes it: %v", err)
	}
	if b, err := io.ReadAll(zr); err != nil || len(b) == 0 {
		t.Fatalf("the profile reads %d bytes, %v", len(b), err)
	}
	if err := writeAllocProfile(filepath.Join(t.TempDir(), "missing", "mem.out")); err == nil {
		t.Error("no error for a profile in a directory that does not exist")
	}
}

// TestTraceRegions writes the execution trace -trace asks for and reads it
// back with go tool trace: every measured call of the phase, and no
// warm-up call, is a region named after its target.
func TestTraceRegions(t *testing.T) {
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command to read the trace with")
	}
	dir := t.TempDir()
	path, out := filepath.Join(dir, "trace.out"), filepath.Join(dir, "bench.json")
	var stdout, stderr bytes.Buffer
	args := []string{"-quick", "-only", "json-1KB x1$", "-targets", "B", "-memory=false", "-report=false",
		"-first-call=false", "-json", out, "-trace", path}
	if err := run(context.Background(), args, &stdout, &stderr); err != nil {
		t.Fatalf("run: %v\n%s", err, stderr.String())
	}
	rep := readReport(t, out)
	if len(rep.Phases) != 1 || rep.Phases[0].Target != targetProxy {
		t.Fatalf("phases %+v, want one of B", rep.Phases)
	}
	dump, err := exec.Command(goCmd, "tool", "trace", "-d=parsed", path).Output()
	if err != nil {
		t.Fatalf("go tool trace cannot read the trace: %v", err)
	}
	begins := strings.Count(string(dump), `RegionBegin`)
	calls := 0
	for line := range strings.Lines(string(dump)) {
		if strings.Contains(line, "RegionBegin") && strings.Contains(line, `Type="call B"`) {
			calls++
		}
	}
	if want := rep.Phases[0].Calls; calls != want || begins != want {
		t.Errorf("%d regions, %d of them \"call B\", want %d: one per measured call", begins, calls, want)
	}
	if err := run(context.Background(), []string{"-quick", "-trace", filepath.Join(dir, "missing", "t.out")}, &stdout, &stderr); err == nil {
		t.Error("no error for a trace in a directory that does not exist")
	}
}

// TestReportProgramBuiltFirst: started outside the module, the harness
// cannot build the agentwrap its report checks run; it says so, with the
// ways out, before any phase runs rather than after all of them.
func TestReportProgramBuiltFirst(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command")
	}
	t.Chdir(t.TempDir())
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), []string{"-quick", "-only", "json-1KB x1$", "-targets", "B", "-memory=false", "-first-call=false"}, &stdout, &stderr)
	if err == nil || !strings.Contains(err.Error(), "-agentwrap PROGRAM or -report=false") {
		t.Fatalf("run outside the module: %v", err)
	}
	if strings.Contains(stderr.String(), "round") || stdout.Len() > 0 {
		t.Errorf("phases ran before the build failed:\n%s%s", stderr.String(), stdout.String())
	}
}
