package report_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/agentwrap/agentwrap/spans"
	"github.com/agentwrap/agentwrap/spans/report"
	"github.com/agentwrap/agentwrap/spans/runfile"
)

// runsWith is a runs directory holding the golden run, a truncated run
// written after it and a newer file that is not OTLP at all.
func runsWith(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	golden, err := os.ReadFile(fixtureFile(t))
	if err != nil {
		t.Fatal(err)
	}
	truncated, err := os.ReadFile(truncatedFile(t))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	for i, f := range []struct {
		id   string
		data []byte
	}{{fixtureRunID, golden}, {"20260702T080000Z-00000001", truncated}, {"garbage", []byte("not json\n")}} {
		p := filepath.Join(dir, f.id+runfile.Ext)
		if err := os.WriteFile(p, f.data, 0o600); err != nil {
			t.Fatal(err)
		}
		mt := now.Add(time.Duration(i-3) * time.Minute)
		if err := os.Chtimes(p, mt, mt); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestList(t *testing.T) {
	dir := runsWith(t)
	sums, err := report.List(dir, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(sums) != 3 {
		t.Fatalf("%d runs listed, want 3", len(sums))
	}
	g, tr, golden := sums[0], sums[1], sums[2]
	if g.ID != "garbage" || g.Complete || g.LineErrors != 1 || g.Calls != 0 || g.Err != nil {
		t.Errorf("newest (garbage) %+v", g)
	}
	if tr.ID != "20260702T080000Z-00000001" || tr.Complete || tr.LineErrors != 2 || tr.Calls != 9 || tr.ExitCode != nil {
		t.Errorf("truncated %+v", tr)
	}
	if golden.ID != fixtureRunID || !golden.Complete || golden.Agent != "claude" || golden.Calls != 9 ||
		golden.Result != spans.ResultFail || golden.Duration != 28*time.Second || *golden.ExitCode != 0 || !golden.Start.Equal(t0) {
		t.Errorf("golden %+v", golden)
	}
	if sums, _ := report.List(dir, 1); len(sums) != 1 || sums[0].ID != "garbage" {
		t.Errorf("List limited to 1 = %+v", sums)
	}
	if sums, err := report.List(filepath.Join(dir, "none"), 0); err != nil || len(sums) != 0 {
		t.Errorf("missing runs directory: %v %v", sums, err)
	}
}

func TestResolve(t *testing.T) {
	dir := runsWith(t)
	for _, ref := range []string{"", report.Latest} {
		if p, err := report.Resolve(dir, ref); err != nil || filepath.Base(p) != "garbage.jsonl" {
			t.Errorf("Resolve(%q) = %s, %v; want the newest", ref, p, err)
		}
	}
	if p, err := report.Resolve(dir, fixtureRunID); err != nil || p != filepath.Join(dir, fixtureRunID+runfile.Ext) {
		t.Errorf("Resolve(id) = %s, %v", p, err)
	}
	if _, err := report.Resolve(dir, "nope"); !errors.Is(err, report.ErrNotFound) {
		t.Errorf("unknown id: %v", err)
	}
	if _, err := report.Resolve(dir, "../etc/passwd"); err == nil || errors.Is(err, report.ErrNotFound) {
		t.Errorf("path as id: %v", err)
	}
	if _, err := report.Resolve(t.TempDir(), report.Latest); !errors.Is(err, report.ErrNoRuns) {
		t.Errorf("empty runs directory: %v", err)
	}
}
