package report

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/agentwrap/agentwrap/internal/format"
	"github.com/agentwrap/agentwrap/spans"
)

// TestUsageShowsTheUpstreamBreakdown: a call's tokens are shown with the
// cached input and reasoning they include, never only as the sum.
func TestUsageShowsTheUpstreamBreakdown(t *testing.T) {
	n := func(v int64) *int64 { return &v }
	for _, tc := range []struct {
		c    Call
		want string
	}{
		{Call{InputTokens: n(132), CacheReadTokens: n(100), CacheCreationTokens: n(20), OutputTokens: n(7), ReasoningTokens: n(4)},
			"132 in (100 cache read, 20 cache write) / 7 out (4 reasoning)"},
		{Call{InputTokens: n(12), OutputTokens: n(3), CacheReadTokens: n(0)}, "12 in / 3 out"},
		{Call{OutputTokens: n(3)}, "- in / 3 out"},
		{Call{}, ""},
	} {
		if got := usage(tc.c); got != tc.want {
			t.Errorf("usage = %q, want %q", got, tc.want)
		}
	}
}

// TestAdviceIsSpecificToTheCause: a refused model call, a wrong key, an
// unreachable upstream and a contract mismatch each get their own next
// step, and none of them the generic one.
func TestAdviceIsSpecificToTheCause(t *testing.T) {
	run := &Run{Complete: true, Context: Context{Calls: 3, Notes: "operator note; gateway refused POST /v1/messages: no credential, the run token was not used (2 model calls refused)"},
		Calls: []Call{
			{N: 1, Result: spans.ResultFail, Failure: spans.FailureAuthRejected, Notes: "upstream 401: credential rejected by the upstream"},
			{N: 2, Result: spans.ResultFail, Failure: spans.FailureUnexpectedResponse, Notes: "upstream not reached or reply cut short: connection_refused"},
			{N: 3, Result: spans.ResultFail, Failure: spans.FailureContractMismatch, Notes: "missing required field: messages", sourceURLs: []string{"https://apidoc.cometapi.com/"}},
		}}
	fs := rollUp(run).FollowUps
	if len(fs) != 4 {
		t.Fatalf("%d follow-ups: %+v", len(fs), fs)
	}
	want := []string{"holds a valid key for this upstream", "could not be reached", "documented contract", "without the run token and was refused"}
	seen := map[string]bool{}
	for i, f := range fs {
		if !strings.Contains(f.Action, want[i]) {
			t.Errorf("follow-up %d (%s): action %q, want %q", i, f.Note, f.Action, want[i])
		}
		if seen[f.Action] {
			t.Errorf("two causes share the action %q", f.Action)
		}
		seen[f.Action] = true
	}
	if !strings.HasPrefix(fs[3].Note, "gateway refused POST /v1/messages") {
		t.Errorf("refused model call's note %q", fs[3].Note)
	}
}

// longRun is a run of five minutes with calls of a few milliseconds.
func longRun() *Run {
	start := time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)
	run := &Run{ID: "long", Complete: true, Context: Context{Agent: "claude", Start: start, End: start.Add(5 * time.Minute), DurationMS: 300000, Calls: 4}}
	for i, off := range []float64{1000, 1012, 150000, 299990} {
		first := 2.0
		run.Calls = append(run.Calls, Call{N: i + 1, Name: "chat m", Start: start.Add(time.Duration(off) * time.Millisecond),
			OffsetMS: off, DurationMS: 8, FirstChunkMS: &first, Result: spans.ResultPass, Failure: spans.FailureNone, Method: "POST", Path: "/v1/messages"})
	}
	return rollUp(run)
}

// TestTimelineReadableForShortCallsInALongRun: calls of 8 ms in a run of
// five minutes get bars of at least tlMinBarW pixels inside the plot, and
// each bar is labelled with its real duration, inside the SVG.
func TestTimelineReadableForShortCallsInALongRun(t *testing.T) {
	tl := newTimeline(longRun())
	for _, b := range tl.Bars {
		if b.W < tlMinBarW || b.X < tl.PlotX || b.X+b.W > tl.PlotR+0.1 {
			t.Errorf("bar #%d at %.1f, %.1f px wide: not visible inside [%.0f, %.0f]", b.N, b.X, b.W, tl.PlotX, tl.PlotR)
		}
		if b.Label != "8 ms" || b.LabelX < 0 || b.LabelX > float64(tl.Width) || (b.LabelX > b.X) == b.LabelLeft {
			t.Errorf("bar #%d label %q at %.1f (left %v)", b.N, b.Label, b.LabelX, b.LabelLeft)
		}
	}
	if path := os.Getenv("AGENTWRAP_REPORT_SAMPLE"); path != "" {
		var buf bytes.Buffer
		if err := Render(&buf, longRun(), format.HTML); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

// TestAgentVersionFromTheUserAgent: the version is the one the agent's
// user agent names, for the user agents the real agents send.
func TestAgentVersionFromTheUserAgent(t *testing.T) {
	for ua, want := range map[string]string{
		"claude-cli/2.1.330 (external, sdk-cli)":                                          "2.1.330",
		"codex_exec/0.169.0 (Debian 12.0.0; x86_64) xterm-256color (codex_exec; 0.169.0)": "0.169.0",
		"GeminiCLI-tui/0.61.0/gemini-3.1-pro-preview (linux; x64; terminal)":              "0.61.0",
		"QwenCode/0.24.4 (linux; x64)":                                                    "0.24.4",
	} {
		run := rollUp(&Run{Calls: []Call{{}, {UserAgent: ua}}})
		if run.Context.AgentVersion != want || run.Context.UserAgent != ua {
			t.Errorf("%q: version %q, want %q", ua, run.Context.AgentVersion, want)
		}
	}
}

// rollUp is the Run a run file with run's context and calls reads as: the
// calls go through the reader's builder one by one, in order.
func rollUp(run *Run) *Run {
	b := newBuilder(run.ID, Options{})
	b.complete, b.ctx = run.Complete, run.Context
	b.rootStart, b.rootEnd = timestamp(run.Context.Start), timestamp(run.Context.End)
	for _, c := range run.Calls {
		b.addCall(timestamp(c.Start), timestamp(c.Start.Add(time.Duration(c.DurationMS*float64(time.Millisecond)))), c)
	}
	return b.finish()
}

func timestamp(t time.Time) pcommon.Timestamp {
	if t.IsZero() {
		return 0
	}
	return pcommon.NewTimestampFromTime(t)
}
