package report_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/agentwrap/agentwrap/internal/format"
	"github.com/agentwrap/agentwrap/internal/runfilegen"
	"github.com/agentwrap/agentwrap/spans"
	"github.com/agentwrap/agentwrap/spans/report"
)

// generated writes a run file of real call spans (a fifth of them do not
// pass) of about size bytes.
func generated(t *testing.T, opts runfilegen.Options) runfilegen.Stats {
	t.Helper()
	st, err := runfilegen.Write(t.TempDir(), opts)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// TestCappedCallsTable: a run with more calls than the cap shows the calls
// that did not pass first, then the earliest passes, in start order and
// numbered among all calls, while every aggregate counts all calls.
func TestCappedCallsTable(t *testing.T) {
	st := generated(t, runfilegen.Options{Size: 300 << 10})
	all, err := report.LoadWith(st.Path, report.Options{MaxCalls: st.Calls})
	if err != nil {
		t.Fatal(err)
	}
	if len(all.Calls) != st.Calls || all.CallsTotal != 0 || all.CallsShown != 0 {
		t.Fatalf("uncapped: %d rows, total %d shown %d; want %d rows and no counts", len(all.Calls), all.CallsTotal, all.CallsShown, st.Calls)
	}
	notPass := st.Fail + st.FollowUp
	for _, max := range []int{notPass / 2, notPass + 7} {
		t.Run(fmt.Sprint(max), func(t *testing.T) {
			run, err := report.LoadWith(st.Path, report.Options{MaxCalls: max})
			if err != nil {
				t.Fatal(err)
			}
			if len(run.Calls) != max || run.CallsShown != max || run.CallsTotal != st.Calls {
				t.Fatalf("%d rows, shown %d of %d; want %d of %d", len(run.Calls), run.CallsShown, run.CallsTotal, max, st.Calls)
			}
			// The rows are the first max of the uncapped table in the
			// order a user investigating wants them.
			want := slices.Clone(all.Calls)
			slices.SortStableFunc(want, func(a, b report.Call) int {
				return cmpBool(a.Result == spans.ResultPass, b.Result == spans.ResultPass)
			})
			want = want[:max]
			slices.SortFunc(want, func(a, b report.Call) int { return a.N - b.N })
			if !reflect.DeepEqual(run.Calls, want) {
				t.Errorf("rows %v, want %v", numbers(run.Calls), numbers(want))
			}
			passes := 0
			for _, c := range run.Calls {
				if c.Result == spans.ResultPass {
					passes++
				}
			}
			if passes != max-min(max, notPass) {
				t.Errorf("%d passes among %d rows with %d calls that did not pass", passes, max, notPass)
			}
			// Every aggregate is the uncapped run's.
			capped, full := *run, *all
			capped.Calls, full.Calls = nil, nil
			capped.CallsTotal, capped.CallsShown = 0, 0
			if !reflect.DeepEqual(capped.Record, full.Record) || !reflect.DeepEqual(capped.Totals, full.Totals) ||
				!reflect.DeepEqual(capped.Total, full.Total) || !reflect.DeepEqual(capped.FollowUps, full.FollowUps) ||
				!reflect.DeepEqual(capped.Sources, full.Sources) || !reflect.DeepEqual(capped.Context, full.Context) {
				t.Errorf("aggregates differ from the uncapped run's:\n%+v\n%+v", capped, full)
			}
			if run.Total.Calls != st.Calls || run.Total.Pass != st.Pass || run.Total.Fail != st.Fail ||
				run.Total.FollowUp != st.FollowUp || run.Total.InputTokens != st.InputTokens || run.Total.OutputTokens != st.OutputTokens {
				t.Errorf("total %+v, want the file's %+v", run.Total, st)
			}
			checkCappedFormats(t, run, max, st.Calls)
		})
	}
}

func cmpBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}

func numbers(calls []report.Call) []int {
	var out []int
	for _, c := range calls {
		out = append(out, c.N)
	}
	return out
}

// checkCappedFormats: every format says how many of how many calls it
// shows.
func checkCappedFormats(t *testing.T, run *report.Run, shown, total int) {
	t.Helper()
	say := fmt.Sprintf("Showing %d of %d calls", shown, total)
	for _, f := range []string{format.Markdown, format.HTML} {
		out := string(render(t, run, f))
		if !strings.Contains(out, say) || !strings.Contains(out, fmt.Sprintf("%d model call(s)", total)) {
			t.Errorf("%s lacks %q and the count of all calls", f, say)
		}
	}
	var j struct {
		Total int               `json:"calls_total"`
		Shown int               `json:"calls_shown"`
		Calls []json.RawMessage `json:"calls"`
	}
	if err := json.Unmarshal(render(t, run, format.JSON), &j); err != nil || j.Total != total || j.Shown != shown || len(j.Calls) != shown {
		t.Errorf("json: calls_total %d, calls_shown %d, %d calls (%v)", j.Total, j.Shown, len(j.Calls), err)
	}
	var y struct {
		Total int                      `yaml:"calls_total"`
		Shown int                      `yaml:"calls_shown"`
		Calls []map[string]interface{} `yaml:"calls"`
	}
	if err := yaml.Unmarshal(render(t, run, format.YAML), &y); err != nil || y.Total != total || y.Shown != shown || len(y.Calls) != shown {
		t.Errorf("yaml: calls_total %d, calls_shown %d, %d calls (%v)", y.Total, y.Shown, len(y.Calls), err)
	}
}

// TestCappedRunYAMLIsOneDocument: the YAML report, whose calls are encoded
// a chunk at a time, is the document of the whole Run.
func TestCappedRunYAMLIsOneDocument(t *testing.T) {
	st := generated(t, runfilegen.Options{Size: 400 << 10})
	run, err := report.LoadWith(st.Path, report.Options{MaxCalls: 150})
	if err != nil {
		t.Fatal(err)
	}
	var whole bytes.Buffer
	enc := yaml.NewEncoder(&whole)
	enc.SetIndent(2)
	if err := enc.Encode(run); err != nil {
		t.Fatal(err)
	}
	if err := enc.Close(); err != nil {
		t.Fatal(err)
	}
	if got := render(t, run, format.YAML); !bytes.Equal(got, whole.Bytes()) {
		t.Errorf("chunked YAML differs from the whole document: %s", firstDiff(whole.String(), string(got)))
	}
}

// TestCappedTimeline: the timeline of a run whose table is capped is a
// histogram of all its calls with a bounded number of shapes, not a bar
// per call.
func TestCappedTimeline(t *testing.T) {
	st := generated(t, runfilegen.Options{Size: 2 << 20})
	run, err := report.LoadWith(st.Path, report.Options{MaxCalls: 20})
	if err != nil {
		t.Fatal(err)
	}
	html := string(render(t, run, format.HTML))
	if !strings.Contains(html, `id="timeline-histogram"`) || strings.Contains(html, `data-call=`) {
		t.Fatalf("capped run's timeline is not a histogram")
	}
	counts := regexp.MustCompile(`(?s)<g class="column"><title>from [0-9:.]+, [^:]+: ([0-9,]+) call\(s\): ([0-9,]+) pass, ([0-9,]+) needs follow-up, ([0-9,]+) fail</title>`).FindAllStringSubmatch(html, -1)
	sum := [4]int{}
	for _, m := range counts {
		for i := range sum {
			var n int
			fmt.Sscan(strings.ReplaceAll(m[i+1], ",", ""), &n)
			sum[i] += n
		}
	}
	if len(counts) == 0 || len(counts) > 112 || sum != [4]int{st.Calls, st.Pass, st.FollowUp, st.Fail} {
		t.Errorf("%d columns counting %v, want at most 112 counting %d calls (%d pass, %d follow-up, %d fail)",
			len(counts), sum, st.Calls, st.Pass, st.FollowUp, st.Fail)
	}
	if n := strings.Count(html, "<rect "); n > 3*112 {
		t.Errorf("%d rects in the timeline", n)
	}
}

// TestFollowUpsListTheEarliestCalls: a follow-up lists the numbers of the
// first 50 of its calls and counts the others, in every format.
func TestFollowUpsListTheEarliestCalls(t *testing.T) {
	st := generated(t, runfilegen.Options{Size: 2 << 20})
	run, err := report.LoadWith(st.Path, report.Options{MaxCalls: 10})
	if err != nil {
		t.Fatal(err)
	}
	var limited *report.FollowUp
	for i, f := range run.FollowUps {
		if f.Result == spans.ResultNeedsFollowUp && len(f.Calls) > 0 {
			limited = &run.FollowUps[i]
		}
	}
	if limited == nil {
		t.Fatalf("no follow-up for the rate-limited calls: %+v", run.FollowUps)
	}
	if len(limited.Calls) != 50 || limited.MoreCalls != st.FollowUp-50 || !slices.IsSorted(limited.Calls) {
		t.Errorf("rate-limited follow-up lists %d calls and %d more, want 50 and %d more", len(limited.Calls), limited.MoreCalls, st.FollowUp-50)
	}
	// The 429s are the 6th and 7th call of every 20.
	if limited.Calls[0] != 6 || limited.Calls[1] != 7 || limited.Calls[2] != 26 {
		t.Errorf("rate-limited calls numbered %v, want 6, 7, 26, ...", limited.Calls[:3])
	}
	more := fmt.Sprintf(" and %s more)", format.Grouped(int64(limited.MoreCalls)))
	for _, f := range []string{format.Markdown, format.HTML} {
		if out := string(render(t, run, f)); !strings.Contains(out, more) {
			t.Errorf("%s lacks %q", f, more)
		}
	}
	if out := string(render(t, run, format.JSON)); !strings.Contains(out, fmt.Sprintf(`"more_calls": %d`, limited.MoreCalls)) {
		t.Errorf("json lacks more_calls %d", limited.MoreCalls)
	}
}

// TestLineErrorsAreCapped: a file with more unreadable lines than the
// report lists keeps the first ones, counts the others, and says so.
func TestLineErrorsAreCapped(t *testing.T) {
	st := generated(t, runfilegen.Options{Size: 400 << 10, BadEvery: 1})
	run, err := report.Load(st.Path)
	if err != nil {
		t.Fatal(err)
	}
	if len(run.LineErrors) != 100 || run.LineErrorsOmitted != st.BadLines-100 || run.LineErrors[0].Line != 2 || run.LineErrors[99].Line != 200 {
		t.Fatalf("%d line errors (first %v) and %d omitted; want 100 from line 2 and %d omitted", len(run.LineErrors), run.LineErrors[0], run.LineErrorsOmitted, st.BadLines-100)
	}
	if run.Total.Calls != st.Calls {
		t.Errorf("%d calls read, want %d", run.Total.Calls, st.Calls)
	}
	last := run.FollowUps[len(run.FollowUps)-1]
	if !strings.Contains(last.Note, fmt.Sprintf(", 200 and %d more could not be read", run.LineErrorsOmitted)) {
		t.Errorf("line error follow-up %q", last.Note)
	}
	md := string(render(t, run, format.Markdown))
	if want := fmt.Sprintf("- %d more unreadable line(s), not listed", run.LineErrorsOmitted); !strings.Contains(md, want) {
		t.Errorf("markdown lacks %q", want)
	}
	if out := string(render(t, run, format.YAML)); !strings.Contains(out, fmt.Sprintf("line_errors_omitted: %d", run.LineErrorsOmitted)) {
		t.Errorf("yaml lacks line_errors_omitted")
	}
	list, err := report.List(filepath.Dir(st.Path), 0)
	if err != nil || len(list) != 1 || list[0].LineErrors != st.BadLines || list[0].Calls != st.Calls {
		t.Errorf("runs: %+v (%v), want %d bad lines and %d calls", list, err, st.BadLines, st.Calls)
	}
}

// TestCappedIncompleteRun: a large run killed before its end (no run span)
// reports as a small one does: incomplete, bounded by its calls.
func TestCappedIncompleteRun(t *testing.T) {
	st := generated(t, runfilegen.Options{Size: 300 << 10, NoRunSpan: true})
	run, err := report.LoadWith(st.Path, report.Options{MaxCalls: 10})
	if err != nil {
		t.Fatal(err)
	}
	if run.Complete || run.CallsTotal != st.Calls || run.Context.Start.IsZero() || !run.Context.End.After(run.Context.Start) {
		t.Errorf("complete %v, %d calls, %s to %s", run.Complete, run.CallsTotal, run.Context.Start, run.Context.End)
	}
	all, err := report.LoadWith(st.Path, report.Options{MaxCalls: st.Calls})
	if err != nil {
		t.Fatal(err)
	}
	last := all.Calls[len(all.Calls)-1]
	if !run.Context.Start.Equal(all.Calls[0].Start) || run.Context.DurationMS != last.OffsetMS+last.DurationMS {
		t.Errorf("run from %s for %.0f ms, want from the first call's start %s to the last call's end", run.Context.Start, run.Context.DurationMS, all.Calls[0].Start)
	}
	md := string(render(t, run, format.Markdown))
	if !strings.Contains(md, "The run file has no run span") || !strings.Contains(md, "Showing 10 of") {
		t.Errorf("incomplete capped run's report:\n%s", md[:min(len(md), 800)])
	}
}

// TestLongStringsAreCut: a string far longer than agentwrap records (a
// hand-edited note of 1 MB) is cut in every row and follow-up it reaches.
func TestLongStringsAreCut(t *testing.T) {
	b, err := os.ReadFile(fixtureFile(t))
	if err != nil {
		t.Fatal(err)
	}
	long := strings.Repeat("é", 1<<19)
	b = bytes.Replace(b, []byte(`"agentwrap.notes","value":{"stringValue":""}`), []byte(`"agentwrap.notes","value":{"stringValue":"`+long+`"}`), 1)
	run, err := report.Read("long", bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	n := run.Calls[0].Notes
	if len(n) > 4200 || !strings.HasSuffix(n, fmt.Sprintf("… [%d more bytes cut]", 1<<20-4096)) || !utf8.ValidString(n) {
		t.Errorf("note of %d bytes kept as %d bytes ending %q", 1<<20, len(n), n[len(n)-40:])
	}
}

// TestCallsNumberedInStartOrder: calls are numbered by start time whatever
// order the file holds them in (a run writes them as they end): the same
// run with its call lines reversed numbers and keeps the same rows.
func TestCallsNumberedInStartOrder(t *testing.T) {
	st := generated(t, runfilegen.Options{Size: 300 << 10})
	b, err := os.ReadFile(st.Path)
	if err != nil {
		t.Fatal(err)
	}
	lines := bytes.SplitAfter(b, []byte("\n"))
	calls, rest := lines[:st.Calls], lines[st.Calls:]
	slices.Reverse(calls)
	reversed := bytes.Join(append(calls, rest...), nil)
	all, err := report.ReadWith("reversed", bytes.NewReader(reversed), report.Options{MaxCalls: st.Calls})
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range all.Calls {
		if c.N != i+1 || (i > 0 && c.Start.Before(all.Calls[i-1].Start)) {
			t.Fatalf("row %d: call #%d at %s after %s", i, c.N, c.Start, all.Calls[max(i-1, 0)].Start)
		}
	}
	for _, max := range []int{30, 1} {
		want, err := report.LoadWith(st.Path, report.Options{MaxCalls: max})
		if err != nil {
			t.Fatal(err)
		}
		got, err := report.ReadWith(want.ID, bytes.NewReader(reversed), report.Options{MaxCalls: max})
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got.Calls, want.Calls) || !reflect.DeepEqual(got.FollowUps, want.FollowUps) || !reflect.DeepEqual(got.Record, want.Record) {
			t.Errorf("cap %d: reversed file shows %v, want %v", max, numbers(got.Calls), numbers(want.Calls))
		}
	}
}

// TestDistinctValuesAreBounded: a file with more distinct models than a
// report lists (a hand-edited or foreign file) keeps the totals table
// bounded, counts the other calls under "other", and says so.
func TestDistinctValuesAreBounded(t *testing.T) {
	b, err := os.ReadFile(fixtureFile(t))
	if err != nil {
		t.Fatal(err)
	}
	first := b[:bytes.IndexByte(b, '\n')+1]
	var file []byte
	for i := range 250 {
		file = append(file, bytes.ReplaceAll(first, []byte(`"claude-sonnet-4-5"`), fmt.Appendf(nil, `"model-%d"`, i))...)
	}
	run, err := report.Read("models", bytes.NewReader(file))
	if err != nil {
		t.Fatal(err)
	}
	other := run.Totals[len(run.Totals)-1]
	if len(run.Totals) != 201 || other.Family != "other" || other.Calls != 50 || run.Total.Calls != 250 {
		t.Errorf("%d totals rows, last %+v, %d calls", len(run.Totals), other, run.Total.Calls)
	}
	last := run.FollowUps[len(run.FollowUps)-1]
	if !strings.Contains(last.Note, "more distinct families, models") || !strings.Contains(last.Note, "50 use(s)") {
		t.Errorf("last follow-up %q", last.Note)
	}
}
