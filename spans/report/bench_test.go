package report_test

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/agentwrap/agentwrap/internal/format"
	"github.com/agentwrap/agentwrap/internal/runfilegen"
	"github.com/agentwrap/agentwrap/spans/report"
)

// bigRun writes a run file of 999 calls (the golden run's nine, 111 times)
// and its run span.
func bigRun(b *testing.B) string {
	b.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", fixtureRunID+".jsonl"))
	if err != nil {
		b.Fatal(err)
	}
	lines := bytes.SplitAfter(bytes.TrimSuffix(data, []byte("\n")), []byte("\n"))
	calls, run := bytes.Join(lines[:len(lines)-1], nil), lines[len(lines)-1]
	out := append(bytes.Repeat(calls, 111), run...)
	path := filepath.Join(b.TempDir(), "big.jsonl")
	if err := os.WriteFile(path, out, 0o600); err != nil {
		b.Fatal(err)
	}
	return path
}

func BenchmarkLoad1000Calls(b *testing.B) {
	path := bigRun(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := report.Load(path); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRender1000Calls(b *testing.B) {
	run, err := report.Load(bigRun(b))
	if err != nil {
		b.Fatal(err)
	}
	for _, f := range format.Names() {
		b.Run(f, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := report.Render(io.Discard, run, f); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkLoadStream reads a generated run file of 32 MiB (real call
// spans, a fifth of them not passing) with the default cap; MB/s is the
// reading speed.
func BenchmarkLoadStream(b *testing.B) {
	st, err := runfilegen.Write(b.TempDir(), runfilegen.Options{Size: 32 << 20})
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(st.Size)
	b.ReportAllocs()
	for b.Loop() {
		run, err := report.Load(st.Path)
		if err != nil || run.Total.Calls != st.Calls {
			b.Fatal(err)
		}
	}
}
