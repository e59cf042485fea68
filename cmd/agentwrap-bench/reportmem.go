package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/agentwrap/agentwrap/internal/format"
	"github.com/agentwrap/agentwrap/internal/runfilegen"
)

// The report checks: agentwrap report (every format) and agentwrap runs
// read a generated run file in a child process, as a user runs them; the
// child's peak RSS must stay under reportLimitMB whatever the file's size
// (README, "After a run").
const (
	reportLimitMB   = 100
	reportSizeFull  = 1 << 30
	reportSizeQuick = 256 << 20
	// reportBadEvery puts an unreadable line among the calls now and then.
	reportBadEvery = 50_000
	// reportBufferEnv makes this program a stand-in for agentwrap that
	// reads the whole run file into memory before it answers: the tests
	// use it to prove that the checks fail for a report that buffers.
	reportBufferEnv = "AGENTWRAP_BENCH_REPORT_BUFFERING"
)

// reportCommands are the commands each check runs, with --state-dir.
var reportCommands = [][]string{
	{"report", "--format", "md"},
	{"report", "--format", "html"},
	{"report", "--format", "json"},
	{"report", "--format", "yaml"},
	{"runs"},
}

// reportProgram returns the agentwrap program the report checks run: exe,
// or, when exe is empty, one built from this module into a temporary
// directory that cleanup removes. run calls it before the phases, so that
// a harness that cannot build agentwrap (started outside the module) says
// so at once instead of after every phase has run.
func reportProgram(exe string, stderr io.Writer) (path string, cleanup func(), err error) {
	if exe != "" {
		return exe, func() {}, nil
	}
	dir, err := os.MkdirTemp("", "agentwrap-bench-program-")
	if err != nil {
		return "", nil, err
	}
	path = filepath.Join(dir, "agentwrap")
	fmt.Fprintln(stderr, "report checks: building agentwrap")
	if out, err := exec.Command("go", "build", "-o", path, "github.com/agentwrap/agentwrap/cmd/agentwrap").CombinedOutput(); err != nil {
		os.RemoveAll(dir)
		return "", nil, fmt.Errorf("the report checks cannot build agentwrap (run from this module's directory, or pass -agentwrap PROGRAM or -report=false): %v\n%s", err, out)
	}
	return path, func() { os.RemoveAll(dir) }, nil
}

// runReportChecks writes a run file of size bytes and runs each of
// reportCommands on it with the agentwrap program at exe.
func runReportChecks(size int64, exe string, stderr io.Writer) []memResult {
	fail := func(err error) []memResult {
		return []memResult{{Name: "agentwrap report", LimitMB: reportLimitMB, Error: err.Error()}}
	}
	dir, err := os.MkdirTemp("", "agentwrap-bench-report-")
	if err != nil {
		return fail(err)
	}
	defer os.RemoveAll(dir)
	state := filepath.Join(dir, "state")
	runs := filepath.Join(state, "runs")
	if err := os.MkdirAll(runs, 0o700); err != nil {
		return fail(err)
	}
	start := time.Now()
	st, err := runfilegen.Write(runs, runfilegen.Options{Size: size, BadEvery: reportBadEvery})
	if err != nil {
		return fail(err)
	}
	fmt.Fprintf(stderr, "report checks: wrote a %.0f MB run file of %d calls (%d did not pass) in %s\n",
		float64(st.Size)/(1<<20), st.Calls, st.Fail+st.FollowUp, time.Since(start).Round(time.Millisecond))
	var out []memResult
	for _, args := range reportCommands {
		fmt.Fprintf(stderr, "report check: agentwrap %s\n", strings.Join(args, " "))
		out = append(out, reportCheck(exe, state, st, args))
	}
	return out
}

// reportCheck runs agentwrap with args on the run file of st and measures
// the child's peak RSS and time; the output must name every call.
func reportCheck(exe, state string, st runfilegen.Stats, args []string) memResult {
	r := memResult{Name: "agentwrap " + strings.Join(args, " "), LimitMB: reportLimitMB}
	cmd := exec.Command(exe, append(args, "--state-dir", state)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Start()
	var polled int64
	if err == nil {
		stop, peak := make(chan struct{}), make(chan int64, 1)
		go func() { peak <- pollPeakRSS(cmd.Process.Pid, stop) }()
		err = cmd.Wait()
		close(stop)
		polled = <-peak
	}
	took := time.Since(start)
	if cmd.ProcessState != nil {
		r.PeakKB = childPeakRSS(cmd.ProcessState, polled)
	}
	mb := float64(st.Size) / (1 << 20)
	r.Detail = fmt.Sprintf("%.0f MB run file, %d calls: %.1f s, %.0f MB/s", mb, st.Calls, took.Seconds(), mb/took.Seconds())
	if err != nil {
		r.Error = fmt.Sprintf("%v: %s", err, strings.TrimSpace(stderr.String()))
		return r
	}
	r.Pass = r.PeakKB > 0 && r.PeakKB < int64(r.LimitMB)<<10
	if want := reportShows(args, st); r.Pass && !strings.Contains(stdout.String(), want) {
		r.Error = fmt.Sprintf("output (%d bytes) lacks %q", stdout.Len(), want)
	}
	return r
}

// reportShows is what the output of args must hold: the count of all the
// file's calls, where the format states it.
func reportShows(args []string, st runfilegen.Stats) string {
	switch args[len(args)-1] {
	case "md", "html":
		return fmt.Sprintf("of %s calls", format.Grouped(int64(st.Calls)))
	case "json":
		return fmt.Sprintf(`"calls_total": %d`, st.Calls)
	case "yaml":
		return fmt.Sprintf("calls_total: %d", st.Calls)
	}
	return fmt.Sprintf("%d", st.Calls)
}

// bufferingReport is the stand-in for agentwrap of reportBufferEnv: it
// reads the newest run file of --state-dir whole, as a report that holds
// the file would, and prints what a report prints about it.
func bufferingReport(args []string, stdout io.Writer) int {
	state := ""
	for i, a := range args {
		if a == "--state-dir" && i+1 < len(args) {
			state = args[i+1]
		}
	}
	b, err := os.ReadFile(filepath.Join(state, "runs", runfilegen.RunID+".jsonl"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	calls := bytes.Count(b, []byte(`"agentwrap.request_family"`))
	fmt.Fprintf(stdout, "of %s calls\n\"calls_total\": %d\ncalls_total: %d\n", format.Grouped(int64(calls)), calls, calls)
	return 0
}
