package report_test

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/agentwrap/agentwrap/internal/format"
	"github.com/agentwrap/agentwrap/spans"
	"github.com/agentwrap/agentwrap/spans/report"
	"github.com/agentwrap/agentwrap/spans/runfile"
)

// truncatedFile is the golden run with a corrupt second line and its last
// line (the run span's) cut in half, as a crash of the machine leaves it.
func truncatedFile(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(fixtureFile(t))
	if err != nil {
		t.Fatal(err)
	}
	lines := bytes.SplitAfter(bytes.TrimSuffix(b, []byte("\n")), []byte("\n"))
	last := lines[len(lines)-1]
	var out []byte
	out = append(out, lines[0]...)
	out = append(out, []byte("{\"resourceSpans\": [garbage\n")...)
	for _, l := range lines[1 : len(lines)-1] {
		out = append(out, l...)
	}
	out = append(out, last[:len(last)/2]...)
	path := filepath.Join(t.TempDir(), "truncated"+runfile.Ext)
	if err := os.WriteFile(path, out, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestLoadGoldenRun(t *testing.T) {
	run, err := report.Load(fixtureFile(t))
	if err != nil {
		t.Fatal(err)
	}
	if run.ID != fixtureRunID || !run.Complete || len(run.Calls) != 9 || len(run.LineErrors) != 0 {
		t.Fatalf("run %s complete %v, %d calls, line errors %v", run.ID, run.Complete, len(run.Calls), run.LineErrors)
	}
	c := run.Context
	if c.Agent != "claude" || c.Profile != "claude" || c.Upstream != "https://api.cometapi.com" ||
		c.Manifest != "builtin:cometapi.yaml" || c.ExitCode == nil || *c.ExitCode != 0 || c.Calls != 9 ||
		c.DurationMS != 28000 || len(c.InstructionFiles) != 2 || c.Version != "1.0.0-test" {
		t.Errorf("context %+v", c)
	}
	rec := run.Record
	if rec.ResultClass != spans.ResultFail || rec.FailureClass != spans.FailureContractMismatch ||
		rec.CheckedAt != "2026-06-15" || rec.RequestFamily != "anthropic.messages, openai.chat_completions, unknown" ||
		!rec.CredentialRedacted || len(rec.SourceURLs) != 3 {
		t.Errorf("record %+v", rec)
	}
	var results []string
	for i, call := range run.Calls {
		if call.N != i+1 {
			t.Errorf("call %d numbered %d", i, call.N)
		}
		results = append(results, call.Result)
	}
	want := []string{"pass", "needs_follow_up", "needs_follow_up", "pass", "fail", "fail", "fail", "needs_follow_up", "pass"}
	if !slices.Equal(results, want) {
		t.Errorf("results %v, want %v", results, want)
	}
	first := run.Calls[0]
	if *first.InputTokens != 12034 || *first.OutputTokens != 812 || *first.FirstChunkMS != 420 ||
		first.DurationMS != 3100 || first.OffsetMS != 500 || first.Status != 200 || run.Calls[1].InputTokens != nil {
		t.Errorf("first call %+v", first)
	}
	if run.Total.Calls != 9 || run.Total.Pass != 3 || run.Total.Fail != 3 || run.Total.FollowUp != 3 ||
		run.Total.InputTokens != 12034+3200+900+1500 || len(run.Totals) != 4 {
		t.Errorf("totals %+v %+v", run.Total, run.Totals)
	}
	if len(run.Sources) != 2 || run.Sources[0].Calls != 6 || *run.Sources[0].AgeDays != 16 {
		t.Errorf("sources %+v", run.Sources)
	}
	checkFollowUps(t, run.FollowUps)
}

// checkFollowUps: calls with the same outcome and note are one follow-up,
// and account questions go to the help center.
func checkFollowUps(t *testing.T, fs []report.FollowUp) {
	t.Helper()
	if len(fs) != 5 {
		t.Fatalf("%d follow-ups, want 5: %+v", len(fs), fs)
	}
	quota := fs[0]
	if !slices.Equal(quota.Calls, []int{2, 3}) || quota.Failure != spans.FailureOperatorFollowUp ||
		!slices.Equal(quota.Escalate, []string{spans.HelpCenterURL}) || !strings.Contains(quota.Note, "429") {
		t.Errorf("rate-limited calls: %+v", quota)
	}
	mismatch := fs[1]
	if mismatch.Failure != spans.FailureContractMismatch || !slices.Contains(mismatch.Escalate, docsChat) {
		t.Errorf("contract mismatch: %+v", mismatch)
	}
	if unknown := fs[3]; !slices.Equal(unknown.Calls, []int{7}) || !slices.Equal(unknown.Escalate, []string{spans.HelpCenterURL}) {
		t.Errorf("unknown family: %+v", unknown)
	}
	if cancelled := fs[4]; !strings.HasPrefix(cancelled.Note, "cancelled") || len(cancelled.Escalate) != 0 {
		t.Errorf("cancelled call: %+v", cancelled)
	}
}

// TestLoadCorruptAndTruncated: a corrupt line and a torn last line are
// reported by line number and skipped; the rest of the run is read.
func TestLoadCorruptAndTruncated(t *testing.T) {
	run, err := report.Load(truncatedFile(t))
	if err != nil {
		t.Fatal(err)
	}
	if run.Complete || len(run.Calls) != 9 {
		t.Errorf("complete %v with %d calls; want the 9 calls without the run span", run.Complete, len(run.Calls))
	}
	var lines []int
	for _, e := range run.LineErrors {
		lines = append(lines, e.Line)
		if strings.Contains(e.Error, "garbage") {
			t.Errorf("line error quotes the line: %q", e.Error)
		}
	}
	if !slices.Equal(lines, []int{2, 11}) {
		t.Errorf("line errors at %v, want 2 and 11", lines)
	}
	if run.Record.ResultClass != spans.ResultFail || run.Context.Start.IsZero() || run.Context.ExitCode != nil {
		t.Errorf("record %+v, context %+v", run.Record, run.Context)
	}
	n := len(run.FollowUps)
	if n < 2 || !strings.Contains(run.FollowUps[n-1].Note, "line(s) 2, 11") || !strings.Contains(run.FollowUps[n-2].Note, "no run span") {
		t.Errorf("follow-ups %+v", run.FollowUps)
	}
}

func TestLoadEmptyAndMissing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "empty"+runfile.Ext)
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	run, err := report.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if run.ID != "empty" || run.Complete || len(run.Calls) != 0 || run.Record.ResultClass != spans.ResultNeedsFollowUp {
		t.Errorf("empty run %+v", run)
	}
	for _, f := range format.Names() {
		var buf bytes.Buffer
		if err := report.Render(&buf, run, f); err != nil || buf.Len() == 0 {
			t.Errorf("%s: %v", f, err)
		}
	}
	if _, err := report.Load(filepath.Join(t.TempDir(), "none.jsonl")); err == nil || !strings.HasPrefix(err.Error(), "cannot open run file: ") {
		t.Errorf("missing file: %v", err)
	}
	if err := report.Render(&bytes.Buffer{}, run, "pdf"); err == nil || !strings.Contains(err.Error(), "md, yaml, json, html") {
		t.Errorf("unknown format: %v", err)
	}
}

// TestLoadLostCallLine: a call line lost from a finished run shows as a
// line error and as a mismatch with the run span's call count.
func TestLoadLostCallLine(t *testing.T) {
	b, err := os.ReadFile(fixtureFile(t))
	if err != nil {
		t.Fatal(err)
	}
	lines := bytes.SplitAfter(b, []byte("\n"))
	lines[3] = []byte("{\"resourceSpans\":[{\"scopeSpans\"\n")
	path := filepath.Join(t.TempDir(), "lost"+runfile.Ext)
	if err := os.WriteFile(path, bytes.Join(lines, nil), 0o600); err != nil {
		t.Fatal(err)
	}
	run, err := report.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if !run.Complete || len(run.Calls) != 8 || len(run.LineErrors) != 1 || run.LineErrors[0].Line != 4 {
		t.Fatalf("complete %v, %d calls, line errors %v", run.Complete, len(run.Calls), run.LineErrors)
	}
	last := run.FollowUps[len(run.FollowUps)-1]
	if !strings.Contains(last.Note, "counted 9 call(s) but the run file holds 8") {
		t.Errorf("last follow-up %+v", last)
	}
}
