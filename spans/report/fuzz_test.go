package report_test

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/agentwrap/agentwrap/internal/format"
	"github.com/agentwrap/agentwrap/spans/report"
)

// FuzzRead: any run file, however broken, loads and renders in every
// format, and every line error names a line of the input.
func FuzzRead(f *testing.F) {
	golden, err := os.ReadFile(filepath.Join("testdata", fixtureRunID+".jsonl"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(golden)
	f.Add([]byte(plantedLines))
	f.Add([]byte("{}\n{\n\x00\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		run, err := report.Read("fuzz", bytes.NewReader(data))
		if err != nil {
			t.Fatalf("reading from memory failed: %v", err)
		}
		n := bytes.Count(data, []byte("\n")) + 1
		for _, e := range run.LineErrors {
			if e.Line < 1 || e.Line > n {
				t.Fatalf("line error at %d outside 1..%d", e.Line, n)
			}
		}
		for _, format := range format.Names() {
			if err := report.Render(io.Discard, run, format); err != nil {
				t.Fatalf("%s: %v", format, err)
			}
		}
	})
}
