//go:build unix

package wrap

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/agentwrap/agentwrap/contract"
	"github.com/agentwrap/agentwrap/spans"
	"github.com/agentwrap/agentwrap/spans/runfile"
)

// oldRun writes a run file last written age ago.
func oldRun(t *testing.T, dir, id string, age time.Duration) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, id+runfile.Ext)
	if err := os.WriteFile(p, []byte("{}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	mt := time.Now().Add(-age)
	if err := os.Chtimes(p, mt, mt); err != nil {
		t.Fatal(err)
	}
}

func TestRunPrunesOldRunFiles(t *testing.T) {
	state := t.TempDir()
	runs := RunsDir(state)
	oldRun(t, runs, "hour-old", time.Hour)
	oldRun(t, runs, "two-hours-old", 2*time.Hour)
	oldRun(t, runs, "forty-days-old", 40*24*time.Hour)
	var stderr bytes.Buffer
	code, err := Run(context.Background(), Options{
		Argv: []string{testChild, "-exit", "4"}, RunID: "current", StateDir: state,
		KeepRuns: 2, Environ: []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()},
		Stdout: &bytes.Buffer{}, Stderr: &stderr, Quiet: true,
	})
	if err != nil || code != 4 {
		t.Fatalf("Run = %d, %v (stderr %q)", code, err, stderr.String())
	}
	es, err := runfile.List(runs)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range es {
		got = append(got, e.ID)
	}
	if !slices.Equal(got, []string{"current", "hour-old"}) {
		t.Errorf("runs left %v, want the current run and the newest old one", got)
	}
	if stderr.Len() != 0 {
		t.Errorf("stderr %q", stderr.String())
	}
	td, _, err := runfile.ReadFile(filepath.Join(runs, "current"+runfile.Ext))
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, rs := range td.ResourceSpans().All() {
		for _, ss := range rs.ScopeSpans().All() {
			for _, s := range ss.Spans().All() {
				if v, ok := s.Attributes().Get(string(spans.ContractManifest)); ok {
					found = v.Str() == contract.BuiltinFile
				}
			}
		}
	}
	if !found {
		t.Errorf("run span lacks %s=%s", spans.ContractManifest, contract.BuiltinFile)
	}
}

func TestRunKeepsEverythingWhenUnlimited(t *testing.T) {
	state := t.TempDir()
	oldRun(t, RunsDir(state), "ancient", 400*24*time.Hour)
	code, err := Run(context.Background(), Options{
		Argv: []string{testChild}, RunID: "now", StateDir: state, KeepRuns: -1, KeepDays: -1,
		Environ: []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()},
		Stdout:  &bytes.Buffer{}, Stderr: &bytes.Buffer{}, Quiet: true,
	})
	if err != nil || code != 0 {
		t.Fatalf("Run = %d, %v", code, err)
	}
	if _, err := os.Stat(filepath.Join(RunsDir(state), "ancient"+runfile.Ext)); err != nil {
		t.Errorf("an unlimited run removed an old run file: %v", err)
	}
}

// TestPruneFailureIsOneLine: a runs directory that cannot be listed is
// reported on one stderr line and the run goes on.
func TestPruneFailureIsOneLine(t *testing.T) {
	var stderr bytes.Buffer
	pruneRuns(Options{KeepRuns: 1, Stderr: &stderr}, filepath.Join(t.TempDir(), "file"), "")
	if stderr.Len() != 0 {
		t.Errorf("missing runs directory reported: %q", stderr.String())
	}
	notDir := filepath.Join(t.TempDir(), "plain")
	if err := os.WriteFile(notDir, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	pruneRuns(Options{KeepRuns: 1, Stderr: &stderr}, notDir, "")
	out := stderr.String()
	if !strings.HasPrefix(out, "agentwrap: cannot list run files: ") || strings.Count(out, "\n") != 1 {
		t.Errorf("stderr %q, want one line", out)
	}
}

func TestManifestName(t *testing.T) {
	for file, want := range map[string]string{
		contract.BuiltinFile:               "builtin:cometapi.yaml",
		"/home/someone/work/contract.yaml": "contract.yaml",
		"contract.yaml":                    "contract.yaml",
	} {
		if got := manifestName(&contract.Manifest{File: file}); got != want {
			t.Errorf("manifestName(%q) = %q, want %q", file, got, want)
		}
	}
}
