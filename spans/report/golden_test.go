package report_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/agentwrap/agentwrap/internal/format"
	"github.com/agentwrap/agentwrap/spans/report"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// checkGolden compares got with the golden file, or rewrites it with
// -update.
func checkGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./spans/report -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the output; run go test ./spans/report -run Golden -update and review the diff\n%s",
			path, firstDiff(string(want), string(got)))
	}
}

// firstDiff shows the first differing line.
func firstDiff(want, got string) string {
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := range max(len(wl), len(gl)) {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			return "line " + strconv.Itoa(i+1) + ":\nwant: " + w + "\ngot:  " + g
		}
	}
	return ""
}

func render(t *testing.T, run *report.Run, format string) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := report.Render(&buf, run, format); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestGoldenReports renders the golden run (passes, failures of every
// class, follow-ups, a cancelled call) in every format.
func TestGoldenReports(t *testing.T) {
	run, err := report.Load(fixtureFile(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range format.Names() {
		t.Run(f, func(t *testing.T) {
			checkGolden(t, filepath.Join("testdata", "golden."+f), render(t, run, f))
		})
	}
}

// TestGoldenTruncatedRun renders a run file with a corrupt line and its
// last line (the run span's) cut in half.
func TestGoldenTruncatedRun(t *testing.T) {
	path := truncatedFile(t)
	run, err := report.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	checkGolden(t, filepath.Join("testdata", "truncated.md"), render(t, run, format.Markdown))
}
