// Command agentwrap-bench measures what agentwrap's gateway adds to model
// calls, on loopback, in one run.
//
// Every round interleaves four targets for each reply shape and
// concurrency: A calls the upstream directly, B goes through a bare
// httputil.ReverseProxy with the gateway's transport, C goes through the
// gateway wired as a wrapped run wires it (run file and OTLP/HTTP export
// to an in-process sink, both behind the redaction guard), and C' is C
// with the collector unreachable, once refusing connections and once
// accepting and never answering. It prints markdown tables of medians over
// rounds and writes every measurement as JSON with -json. Memory-flat
// checks (a 64 MiB request, a 256 MiB streamed reply, 256 concurrent
// streams) run in child processes that report their own peak RSS.
//
//	go run ./cmd/agentwrap-bench                 # the full matrix, 3 rounds
//	go run ./cmd/agentwrap-bench -quick          # a small smoke run
//	go run ./cmd/agentwrap-bench -json out.json -rounds 5
//	go run ./cmd/agentwrap-bench -only 'json-1KB x1$' -targets C -cpuprofile cpu.out
//	go run ./cmd/agentwrap-bench -only 'json-1KB x32$' -targets B,C -memprofile mem.out
//	go run ./cmd/agentwrap-bench -only 'json-1KB x1$' -targets A,B,C -trace trace.out
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"regexp"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"runtime/trace"
	"slices"
	"strings"
	"sync"
	"time"

	"go.opentelemetry.io/otel"

	"github.com/agentwrap/agentwrap/internal/gctune"
)

// options are the command-line flags.
type options struct {
	quick        bool
	rounds       int
	runs         int
	jsonOut      string
	flushTimeout time.Duration
	memory       bool
	// only keeps the phases whose "MODE xCONC" name it matches.
	only *regexp.Regexp
	// targets are the targets each phase runs, in rotating order.
	targets    []string
	cpuProfile string
	// memProfile is where the allocations of the phases go (pprof's allocs
	// profile), when set.
	memProfile string
	// trace is where the Go execution trace of the phases goes: each
	// measured call is a region named "call TARGET", so that the slowest
	// calls can be found and what ran beside them read (go tool trace).
	trace string
	// firstCall runs the first-call benchmark over a relay of rtt.
	firstCall bool
	rtt       time.Duration
	// report runs the report checks on a run file of reportSize bytes,
	// with the agentwrap program at agentwrap (built when empty).
	report     bool
	reportOnly bool
	reportSize int64
	agentwrap  string
}

func main() {
	// The gateway's garbage-collector policy, as agentwrap sets it: every
	// target runs in this process (and the memory checks in its
	// children), so B, the baseline, gets it as well as C.
	gctune.Apply(os.Getenv)
	if name := os.Getenv(memEnv); name != "" {
		os.Exit(memChild(name, os.Stdout))
	}
	// This process also keeps every sample of every phase: its heap
	// outgrows agentwrap's few MB, and under agentwrap's soft limit the
	// collector would run without pause, charging every target for the
	// harness's own memory. GOGC stays as agentwrap sets it.
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(math.MaxInt64)
	}
	if os.Getenv(reportBufferEnv) == "true" {
		os.Exit(bufferingReport(os.Args[1:], os.Stdout))
	}
	if err := run(context.Background(), os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "agentwrap-bench:", err)
		os.Exit(1)
	}
}

// startProfiles starts the CPU profile and the execution trace the
// options ask for; the function it returns stops them and closes their
// files, once however often it is called.
func startProfiles(o options) (func(), error) {
	var stops []func()
	var once sync.Once
	stop := func() {
		once.Do(func() {
			for _, f := range stops {
				f()
			}
		})
	}
	for _, p := range []struct {
		path, what  string
		start       func(io.Writer) error
		stopWriting func()
	}{
		{o.cpuProfile, "CPU profile", pprof.StartCPUProfile, pprof.StopCPUProfile},
		{o.trace, "execution trace", trace.Start, trace.Stop},
	} {
		if p.path == "" {
			continue
		}
		f, err := os.Create(p.path)
		if err != nil {
			stop()
			return nil, fmt.Errorf("cannot create the %s: %w", p.what, err)
		}
		if err := p.start(f); err != nil {
			f.Close()
			stop()
			return nil, fmt.Errorf("cannot start the %s: %w", p.what, err)
		}
		stops = append(stops, func() { p.stopWriting(); f.Close() })
	}
	return stop, nil
}

func parseOptions(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("agentwrap-bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.BoolVar(&o.quick, "quick", false, "a small smoke run (CI)")
	fs.IntVar(&o.rounds, "rounds", 0, "rounds of interleaved phases; 0 means 3, or 1 with -quick")
	fs.IntVar(&o.runs, "runs", 1, "independent runs of the rounds, each with fresh servers; the targets table shows each run's figures and their median")
	fs.StringVar(&o.jsonOut, "json", "", "write every measurement to this JSON file")
	fs.DurationVar(&o.flushTimeout, "flush-timeout", time.Second, "bound on closing the gateway and on flushing telemetry")
	fs.BoolVar(&o.memory, "memory", true, "run the memory-flat checks in child processes")
	only := fs.String("only", "", `run only the phases whose "MODE xCONC" name matches this regular expression, e.g. "json-1KB x1$"`)
	targets := fs.String("targets", strings.Join(targetNames, ","), "comma-separated targets to run")
	fs.StringVar(&o.cpuProfile, "cpuprofile", "", "write a CPU profile of the phases (not the memory checks) to this file")
	fs.StringVar(&o.memProfile, "memprofile", "", "write an allocation profile of the phases (not the memory checks) to this file")
	fs.StringVar(&o.trace, "trace", "", `write a Go execution trace of the phases (not the memory checks) to this file; each measured call is a region "call TARGET"`)
	fs.BoolVar(&o.firstCall, "first-call", true, "run the first-call benchmark: a TLS upstream behind a relay with network delays")
	fs.DurationVar(&o.rtt, "rtt", 0, "the relay's round-trip time for the first-call benchmark; 0 means 50ms, or 20ms with -quick")
	fs.BoolVar(&o.report, "report", true, "run the report checks: agentwrap report and runs on a large run file in child processes")
	fs.BoolVar(&o.reportOnly, "report-only", false, "run only the report checks")
	fs.Int64Var(&o.reportSize, "report-size", 0, "size of the report checks' run file in bytes; 0 means 1 GiB, or 256 MiB with -quick")
	fs.StringVar(&o.agentwrap, "agentwrap", "", "the agentwrap program the report checks run; empty builds it from this module")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if *only != "" {
		re, err := regexp.Compile(*only)
		if err != nil {
			return o, fmt.Errorf("-only: %w", err)
		}
		o.only = re
	}
	for _, t := range strings.Split(*targets, ",") {
		if !slices.Contains(targetNames, t) {
			return o, fmt.Errorf("-targets: unknown target %q (known: %s)", t, strings.Join(targetNames, ", "))
		}
		o.targets = append(o.targets, t)
	}
	if o.runs <= 0 {
		return o, fmt.Errorf("-runs must be at least 1")
	}
	if o.rounds <= 0 {
		o.rounds = 3
		if o.quick {
			o.rounds = 1
		}
	}
	if o.reportSize <= 0 {
		o.reportSize = reportSizeFull
		if o.quick {
			o.reportSize = reportSizeQuick
		}
	}
	if o.rtt <= 0 {
		o.rtt = 50 * time.Millisecond
		if o.quick {
			o.rtt = 20 * time.Millisecond
		}
	}
	return o, nil
}

// report is everything one run measured; it is the JSON output.
type report struct {
	Quick        bool          `json:"quick"`
	Rounds       int           `json:"rounds"`
	FlushTimeout string        `json:"flush_timeout"`
	GoVersion    string        `json:"go_version"`
	CPUs         int           `json:"cpus"`
	Phases       []phaseResult `json:"phases"`
	// Summary is over every round of every run; Runs holds each run's.
	Summary []summaryRow   `json:"summary"`
	Runs    [][]summaryRow `json:"runs"`
	Memory  []memResult    `json:"memory,omitempty"`
	// Report are the report checks: agentwrap report and runs on a large
	// run file, each in a child process.
	Report []memResult `json:"report,omitempty"`
	// PeerSkipped says why target D did not run, when it did not.
	PeerSkipped string `json:"peer_skipped,omitempty"`
	// FirstCall is the first-call benchmark, when it ran.
	FirstCall *firstCallResult `json:"first_call,omitempty"`
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parseOptions(args, stderr)
	if err != nil {
		return err
	}
	if o.reportOnly {
		exe, cleanup, err := reportProgram(o.agentwrap, stderr)
		if err != nil {
			return err
		}
		defer cleanup()
		rep := report{Quick: o.quick, GoVersion: runtime.Version(), CPUs: runtime.NumCPU(),
			Report: runReportChecks(o.reportSize, exe, stderr)}
		writeReportTable(stdout, rep.Report)
		return failures(rep)
	}
	// C' makes every export fail; the SDK's default handler would log each.
	otel.SetErrorHandler(otel.ErrorHandlerFunc(func(error) {}))
	p := fullPlan(o.rounds)
	if o.quick {
		p = quickPlan(o.rounds)
	}
	if p = p.filter(o.only); len(p.Phases) == 0 {
		return fmt.Errorf("-only %q matches no phase", o.only)
	}
	stopProfiles, err := startProfiles(o)
	if err != nil {
		return err
	}
	defer stopProfiles()
	var exe string
	if o.report {
		path, cleanup, err := reportProgram(o.agentwrap, stderr)
		if err != nil {
			return err
		}
		defer cleanup()
		exe = path
	}
	rep := report{Quick: o.quick, Rounds: o.rounds, FlushTimeout: o.flushTimeout.String(),
		GoVersion: runtime.Version(), CPUs: runtime.NumCPU()}
	for r := range o.runs {
		phases, skipped, err := measureRun(ctx, o, p, r, stderr)
		if err != nil {
			return err
		}
		rep.PeerSkipped = skipped
		rep.Phases = append(rep.Phases, phases...)
		rep.Runs = append(rep.Runs, summarizeRounds(p, phases))
	}
	rep.Summary = summarizeRounds(p, rep.Phases)
	stopProfiles()
	if o.memProfile != "" {
		if err := writeAllocProfile(o.memProfile); err != nil {
			return err
		}
	}
	if o.memory {
		rep.Memory = runMemoryChecks(o.quick, stderr)
	}
	if o.report {
		rep.Report = runReportChecks(o.reportSize, exe, stderr)
	}
	fc := firstCallPlan(o)
	if o.firstCall {
		fmt.Fprintf(stderr, "first call over a %s RTT relay, %d round(s)\n", o.rtt, fc.Rounds)
		f := runFirstCall(ctx, fc)
		rep.FirstCall = &f
	}
	writeTables(stdout, rep)
	if rep.FirstCall != nil {
		writeFirstCall(stdout, rep.FirstCall, fc)
	}
	if o.jsonOut != "" {
		b, err := json.MarshalIndent(rep, "", "  ")
		if err != nil {
			return fmt.Errorf("cannot encode the report: %w", err)
		}
		if err := os.WriteFile(o.jsonOut, append(b, '\n'), 0o644); err != nil {
			return fmt.Errorf("cannot write the report: %w", err)
		}
	}
	return failures(rep)
}

// measureRun runs the rounds of p once, against servers of its own, and
// returns every phase and why D was skipped, if it was.
func measureRun(ctx context.Context, o options, p plan, run int, stderr io.Writer) ([]phaseResult, string, error) {
	e, err := startEnv(o)
	if err != nil {
		return nil, "", err
	}
	defer e.close()
	targets := o.targets
	if e.peerSkipped != "" {
		fmt.Fprintf(stderr, "agentwrap-bench: target D skipped: %s\n", e.peerSkipped)
		targets = slices.DeleteFunc(slices.Clone(targets), func(n string) bool { return n == targetPeer })
	}
	var phases []phaseResult
	for round := range o.rounds {
		for i, spec := range p.Phases {
			fmt.Fprintf(stderr, "run %d/%d, round %d/%d: %s x%d\n", run+1, o.runs, round+1, o.rounds, spec.Mode.Name, spec.Conc)
			for _, name := range rotate(spec.targets(targets), round+i) {
				ph := e.runPhase(ctx, round, name, spec)
				ph.Run = run
				phases = append(phases, ph)
			}
		}
	}
	return phases, e.peerSkipped, nil
}

// firstCallPlan shapes the first-call benchmark: five rounds (one with
// -quick), an agent that boots for 10 round trips, a 2 s idle gap (0.1 s
// quick), and a no-call run whose connection must close after 1 s (0.2 s).
func firstCallPlan(o options) firstCallSpec {
	if o.quick {
		return firstCallSpec{RTT: o.rtt, Boot: 10 * o.rtt, IdleGap: 100 * time.Millisecond, Rounds: 1, NoCallIdle: 200 * time.Millisecond}
	}
	return firstCallSpec{RTT: o.rtt, Boot: 10 * o.rtt, IdleGap: 2 * time.Second, Rounds: 5, NoCallIdle: time.Second}
}

// rotate returns names starting at index k mod len, so that no target
// always runs first (on a warm or a cold machine).
func rotate(names []string, k int) []string {
	if len(names) == 0 {
		return nil
	}
	k %= len(names)
	return append(append([]string(nil), names[k:]...), names[:k]...)
}

// failures reports calls that failed, spans that were lost and memory
// checks over their limit: the results a run must have whatever the
// timings.
func failures(rep report) error {
	var errs []error
	for _, ph := range rep.Phases {
		if ph.Errors > 0 || ph.FirstError != "" {
			errs = append(errs, fmt.Errorf("%s %s x%d round %d: %d errors (%s)", ph.Target, ph.Mode, ph.Conc, ph.Round, ph.Errors, ph.FirstError))
		}
		if lost := ph.lostSpans(); lost != 0 {
			errs = append(errs, fmt.Errorf("%s %s x%d round %d: run file lost %d spans", ph.Target, ph.Mode, ph.Conc, ph.Round, lost))
		}
	}
	if rep.FirstCall != nil {
		if err := firstCallFailures(rep.FirstCall); err != nil {
			errs = append(errs, err)
		}
	}
	for _, m := range append(slices.Clone(rep.Memory), rep.Report...) {
		switch {
		case m.Error != "":
			errs = append(errs, fmt.Errorf("memory check %s: %s", m.Name, m.Error))
		case !m.Pass:
			errs = append(errs, fmt.Errorf("memory check %s: peak RSS %.1f MB over its limit of %d MB", m.Name, float64(m.PeakKB)/1024, m.LimitMB))
		}
	}
	return errors.Join(errs...)
}

// writeAllocProfile writes the allocations sampled so far (pprof's allocs
// profile: the phases, and the harness's own reading of each run file
// after its phase) to path.
func writeAllocProfile(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("cannot create the allocation profile: %w", err)
	}
	if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
		f.Close()
		return fmt.Errorf("cannot write the allocation profile: %w", err)
	}
	return f.Close()
}
