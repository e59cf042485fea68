//go:build unix

package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/agentwrap/agentwrap/internal/runfilegen"
)

// TestReportMaxCalls runs the built binary on a generated run file with
// more calls than --max-calls and more unreadable lines than a report
// lists: the table is capped and says so, the totals count every call,
// stderr names the first unreadable lines and counts the others, and runs
// counts every call and bad line.
func TestReportMaxCalls(t *testing.T) {
	state := t.TempDir()
	runs := filepath.Join(state, "runs")
	if err := os.MkdirAll(runs, 0o700); err != nil {
		t.Fatal(err)
	}
	st, err := runfilegen.Write(runs, runfilegen.Options{Size: 600 << 10, BadEvery: 1})
	if err != nil {
		t.Fatal(err)
	}
	env := baseEnv(t)
	out, errOut, code := command(t, env, "--state-dir", state, "report", "--max-calls", "5", "-f", "json")
	if code != 0 {
		t.Fatalf("report exited %d: %s", code, errOut)
	}
	var rep struct {
		Total int                 `json:"calls_total"`
		Shown int                 `json:"calls_shown"`
		Calls []json.RawMessage   `json:"calls"`
		All   struct{ Calls int } `json:"total"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Total != st.Calls || rep.Shown != 5 || len(rep.Calls) != 5 || rep.All.Calls != st.Calls {
		t.Errorf("calls_total %d, calls_shown %d, %d rows, total.calls %d; want %d, 5, 5, %d", rep.Total, rep.Shown, len(rep.Calls), rep.All.Calls, st.Calls, st.Calls)
	}
	if n := strings.Count(errOut, "skipped: "); n != 100 || !strings.Contains(errOut, fmt.Sprintf("agentwrap: %d more run file line(s) skipped\n", st.BadLines-100)) {
		t.Errorf("stderr names %d bad lines, want 100 and a count of the %d others:\n%s", n, st.BadLines-100, errOut[max(0, len(errOut)-300):])
	}

	out, _, code = command(t, env, "--state-dir", state, "report", "-f", "md")
	if code != 0 || strings.Contains(out, "Showing ") || !strings.Contains(out, fmt.Sprintf("| %d | ", st.Calls)) {
		t.Errorf("report under the default cap (exit %d) is capped or lacks call #%d", code, st.Calls)
	}
	if _, errOut, code = command(t, env, "--state-dir", state, "report", "--max-calls", "0"); code != 2 || !strings.Contains(errOut, "--max-calls 0: want at least 1") {
		t.Errorf("--max-calls 0: exit %d, %q", code, errOut)
	}
	out, _, code = command(t, env, "--state-dir", state, "runs")
	if code != 0 || !strings.Contains(out, fmt.Sprintf("  %d  ", st.Calls)) || !strings.Contains(out, fmt.Sprintf("(%d bad line(s))", st.BadLines)) {
		t.Errorf("runs (exit %d):\n%s", code, out)
	}
}
