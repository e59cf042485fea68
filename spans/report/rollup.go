package report

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/agentwrap/agentwrap/internal/format"
	"github.com/agentwrap/agentwrap/spans"
)

// rank orders result classes by severity.
func rank(result string) int {
	switch result {
	case spans.ResultFail:
		return 2
	case spans.ResultNeedsFollowUp:
		return 1
	}
	return 0
}

// validationResult is the record's result of an `agentwrap validate` run:
// the checklist's verdict on the run span (pass, needs_follow_up for drift,
// fail), not the roll-up of its calls, which fail on purpose (a missing
// credential, malformed JSON).
func validationResult(verdict string) (string, string) {
	switch verdict {
	case spans.ResultPass:
		return spans.ResultPass, spans.FailureNone
	case spans.ResultNeedsFollowUp:
		return spans.ResultNeedsFollowUp, spans.FailureOperatorFollowUp
	}
	return spans.ResultFail, spans.FailureContractMismatch
}

// appendNew appends the non-empty values of vs not in list yet.
func appendNew(list []string, vs ...string) []string {
	for _, v := range vs {
		if v != "" && !slices.Contains(list, v) {
			list = append(list, v)
		}
	}
	return list
}

// checkedTime parses a manifest access date: YYYY-MM-DD or RFC 3339.
func checkedTime(s string) (time.Time, bool) {
	for _, layout := range []string{time.RFC3339, time.DateOnly} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// before reports whether access date a is earlier than b.
func before(a, b string) bool {
	ta, okA := checkedTime(a)
	tb, okB := checkedTime(b)
	if okA && okB {
		return ta.Before(tb)
	}
	return a < b
}

func (t *Total) add(c *Call) {
	t.Calls++
	switch c.Result {
	case spans.ResultPass:
		t.Pass++
	case spans.ResultFail:
		t.Fail++
	default:
		t.FollowUp++
	}
	if c.InputTokens != nil {
		t.InputTokens += *c.InputTokens
	}
	if c.OutputTokens != nil {
		t.OutputTokens += *c.OutputTokens
	}
	t.DurationMS = round(t.DurationMS + c.DurationMS)
}

// advice is what to do about a group of calls and where to escalate it.
func advice(f FollowUp, docs []string) (string, []string) {
	help := []string{spans.HelpCenterURL}
	switch {
	case strings.HasPrefix(f.Note, "cancelled"):
		return "Check whether the agent or its operator interrupted the call; rerun only if its result matters.", []string{}
	case f.Failure == spans.FailureOperatorFollowUp:
		return "Ask the account owner about quota, billing, rate limits or model access before retrying; do not switch models or retry behaviour to get past it.", help
	case f.Failure == spans.FailureAuthRejected:
		return "The upstream refused the key: check that COMETAPI_KEY (or the --key-env variable) holds a valid key for this upstream (agentwrap smoke --upstream URL tries it on its own); never paste the key into a log or ticket. Ask support only if a key that works elsewhere is refused.", help
	case f.Failure == spans.FailureContractMismatch:
		if len(docs) == 0 {
			return "The request matched no documented endpoint: check it against the contract manifest before changing the agent, model or endpoint.", help
		}
		return "Compare the request with the documented contract before changing the agent, model or endpoint; record any change as a separate decision.", docs
	case f.Failure == spans.FailureUnexpectedResponse && strings.HasPrefix(f.Note, "upstream not reached"):
		return "The upstream could not be reached (the note names the error: connection refused, DNS, TLS or timeout): check --upstream and this machine's network; agentwrap smoke --upstream URL reproduces it in seconds. Nothing to ask support until it is reachable.", []string{}
	case f.Failure == spans.FailureUnexpectedResponse:
		return "Keep the call's time, status and family as evidence and check the documentation; if it persists, ask support instead of retrying repeatedly.", appendNew(slices.Clone(docs), help...)
	}
	return "Review the call before relying on the run.", help
}

// runFollowUps are the problems of the run itself: no run span, unreadable
// lines, no calls, values past a bound of the report.
func runFollowUps(run *Run, dropped int) []FollowUp {
	var out []FollowUp
	add := func(note, action string) {
		out = append(out, FollowUp{Result: spans.ResultNeedsFollowUp, Failure: spans.FailureOperatorFollowUp,
			Note: note, Calls: []int{}, Action: action, Escalate: []string{}})
	}
	for _, n := range strings.Split(run.Context.Notes, "; ") {
		if strings.HasPrefix(n, "gateway refused ") {
			add(n, "A model call reached the gateway without the run token and was refused: look for a key or base URL of the agent's own (its settings file, a key helper, an environment variable it prefers) that bypasses the one agentwrap gives it, remove it and run again.")
		}
	}
	if !run.Complete {
		add("the run file has no run span: the run did not finish, or its last line was lost",
			"Check whether agentwrap was stopped before the agent ended; the calls recorded before are listed.")
	}
	if n := len(run.LineErrors); n > 0 {
		lines := make([]string, n)
		for i, e := range run.LineErrors {
			lines[i] = fmt.Sprint(e.Line)
		}
		more := ""
		if run.LineErrorsOmitted > 0 {
			more = fmt.Sprintf(" and %s more", format.Grouped(int64(run.LineErrorsOmitted)))
		}
		add(fmt.Sprintf("run file line(s) %s%s could not be read and were skipped", strings.Join(lines, ", "), more),
			"Keep the run file as it is for inspection; every other line was read.")
	}
	if run.Complete && run.Context.Calls != run.Total.Calls {
		add(fmt.Sprintf("the run span counted %d call(s) but the run file holds %d: lines were lost or edited", run.Context.Calls, run.Total.Calls),
			"Treat the totals as incomplete; keep the run file as it is for inspection.")
	}
	if run.Complete && run.Total.Calls == 0 {
		add("no model calls were recorded",
			"Check that the agent sent its model calls through the gateway (agentwrap agents shows each profile's wiring); a run without calls shows nothing about the contract.")
	}
	if dropped > 0 {
		add(fmt.Sprintf("the run file holds more distinct families, models, contract entries, documentation URLs or notes than the report lists (at most %d of each): %s use(s) of further values are counted but not listed", maxDistinct, format.Grouped(int64(dropped))),
			"The run file was likely edited or written by something else: keep it as it is for inspection.")
	}
	return out
}

// finish assembles the Run once every line is read.
func (b *builder) finish() *Run {
	run := &Run{ID: b.id, NotAsserted: notAsserted(), Calls: []Call{}, LineErrors: b.lineErrs,
		LineErrorsOmitted: b.moreLineErrs, Complete: b.complete, Context: b.ctx, validation: b.validation}
	start, end := b.minStart, b.maxEnd
	if b.complete {
		start, end = b.rootStart, b.rootEnd
	}
	run.Context.Start, run.Context.End = utc(start), utc(end)
	run.Context.DurationMS = ms(run.Context.End.Sub(run.Context.Start))
	setAgent(&run.Context, b.ua)

	rows := []row(b.rows)
	slices.SortFunc(rows, func(a, c row) int { return comparePos(a.pos, c.pos) })
	groups := make([]*group, 0, len(b.groups))
	for _, g := range b.groups {
		g.trim()
		groups = append(groups, g)
	}
	slices.SortFunc(groups, func(a, c *group) int { return comparePos(a.first, c.first) })
	number := b.numbers(rows, groups)

	for _, r := range rows {
		r.c.N = number[r.pos]
		r.c.OffsetMS = ms(r.c.Start.Sub(run.Context.Start))
		run.Calls = append(run.Calls, r.c)
	}
	if b.log.n > len(rows) {
		run.CallsTotal, run.CallsShown = b.log.n, len(rows)
	}
	run.Sources = b.sourceList(run.Context.Start)
	run.Totals, run.Total = b.totalList(), b.all
	run.FollowUps = []FollowUp{}
	for _, g := range groups {
		f := g.f
		for _, p := range g.calls {
			f.Calls = append(f.Calls, number[p])
		}
		f.MoreCalls = g.n - len(g.calls)
		f.Action, f.Escalate = advice(f, g.urls.list())
		b.dropped += g.urls.dropped
		run.FollowUps = append(run.FollowUps, f)
	}
	b.dropped += b.families.dropped + b.urls.dropped
	run.FollowUps = append(run.FollowUps, runFollowUps(run, b.dropped)...)
	run.Record = b.record(run)
	if len(run.Calls) < run.Total.Calls || len(run.Calls) > tlMaxBars {
		run.hist = b.histogram(run)
	}
	return run
}

// numbers numbers the rows and the calls the follow-ups list in start
// order, counting every call of the run.
func (b *builder) numbers(rows []row, groups []*group) map[pos]int {
	var need []pos
	for _, r := range rows {
		need = append(need, r.pos)
	}
	for _, g := range groups {
		need = append(need, g.calls...)
	}
	slices.SortFunc(need, comparePos)
	need = slices.Compact(need)
	out := make(map[pos]int, len(need))
	for i, n := range b.log.ranks(need) {
		out[need[i]] = n + 1
	}
	return out
}

// sourceList lists the contract entries the calls matched, in order of
// first use, with how many days before the run their docs were checked.
func (b *builder) sourceList(runStart time.Time) []Source {
	list := make([]*source, 0, len(b.sources))
	for _, s := range b.sources {
		list = append(list, s)
	}
	slices.SortFunc(list, func(a, c *source) int { return comparePos(a.first, c.first) })
	out := make([]Source, 0, len(list))
	for _, s := range list {
		src := s.src
		if t, ok := checkedTime(src.CheckedAt); ok && !runStart.IsZero() {
			days := int(runStart.Sub(t) / (24 * time.Hour))
			src.AgeDays = &days
		}
		out = append(out, src)
	}
	return out
}

// totalList lists the totals per family and model, sorted by family then
// model, and last the calls past the bound of distinct pairs.
func (b *builder) totalList() []Total {
	out := make([]Total, 0, len(b.totals)+1)
	for _, t := range b.totals {
		out = append(out, *t)
	}
	slices.SortFunc(out, func(a, c Total) int {
		return cmp.Or(cmp.Compare(a.Family, c.Family), cmp.Compare(a.Model, c.Model))
	})
	if b.other != nil {
		out = append(out, *b.other)
	}
	return out
}

// record rolls the calls up into the seed's record: the worst call's
// result and failure class (the earliest of the worst), raised to
// needs_follow_up by any problem of the run itself.
func (b *builder) record(run *Run) Record {
	r := Record{RunID: run.ID, CredentialRedacted: b.redacted, SourceURLs: b.urls.list(), CheckedAt: b.checked,
		ResultClass: spans.ResultPass, FailureClass: spans.FailureNone, Notes: run.Context.Notes}
	r.RequestFamily = strings.Join(b.families.list(), ", ")
	if r.RequestFamily == "" {
		r.RequestFamily = "none"
	}
	if b.worst != nil {
		r.ResultClass, r.FailureClass = b.worst.c.Result, b.worst.c.Failure
	}
	for _, f := range run.FollowUps {
		if rank(f.Result) > rank(r.ResultClass) {
			r.ResultClass, r.FailureClass = f.Result, f.Failure
		}
	}
	if run.validation {
		r.ResultClass, r.FailureClass = validationResult(run.Context.Result)
	}
	return r
}
