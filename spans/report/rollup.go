package report

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/agentwrap/agentwrap/spans"
)

// rollUp fills the run's record, contract sources, totals and follow-ups
// from its context and calls.
func rollUp(run *Run) {
	run.Sources = sources(run)
	run.Totals, run.Total = totals(run.Calls)
	run.FollowUps = followUps(run)
	run.Record = record(run)
}

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

// record rolls the calls up into the seed's record: the worst call's
// result and failure class, raised to needs_follow_up by any problem of the
// run itself.
func record(run *Run) Record {
	r := Record{RunID: run.ID, CredentialRedacted: true, SourceURLs: []string{},
		ResultClass: spans.ResultPass, FailureClass: spans.FailureNone, Notes: run.Context.Notes}
	var families []string
	for _, c := range run.Calls {
		families = appendNew(families, c.Family)
		r.SourceURLs = appendNew(r.SourceURLs, c.sourceURLs...)
		r.CredentialRedacted = r.CredentialRedacted && c.CredentialRedacted
		if c.CheckedAt != "" && (r.CheckedAt == "" || before(c.CheckedAt, r.CheckedAt)) {
			r.CheckedAt = c.CheckedAt
		}
		if rank(c.Result) > rank(r.ResultClass) {
			r.ResultClass, r.FailureClass = c.Result, c.Failure
		}
	}
	r.RequestFamily = strings.Join(families, ", ")
	if r.RequestFamily == "" {
		r.RequestFamily = "none"
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

// sources lists the contract entries the calls matched, in order of first
// use, with how many days before the run their docs were checked.
func sources(run *Run) []Source {
	out := []Source{}
	idx := map[string]int{}
	for _, c := range run.Calls {
		if c.Endpoint == "" {
			continue
		}
		i, ok := idx[c.Endpoint]
		if !ok {
			i = len(out)
			idx[c.Endpoint] = i
			out = append(out, Source{Endpoint: c.Endpoint, Family: c.Family, CheckedAt: c.CheckedAt, SourceURLs: appendNew([]string{}, c.sourceURLs...)})
			if t, ok := checkedTime(c.CheckedAt); ok && !run.Context.Start.IsZero() {
				days := int(run.Context.Start.Sub(t) / (24 * time.Hour))
				out[i].AgeDays = &days
			}
		}
		out[i].Calls++
	}
	return out
}

// totals sums the calls per family and model, sorted by family then
// model, and over all calls.
func totals(calls []Call) ([]Total, Total) {
	all := Total{Family: "all"}
	byKey := map[[2]string]*Total{}
	for _, c := range calls {
		k := [2]string{c.Family, c.Model}
		t, ok := byKey[k]
		if !ok {
			t = &Total{Family: c.Family, Model: c.Model}
			byKey[k] = t
		}
		t.add(c)
		all.add(c)
	}
	out := make([]Total, 0, len(byKey))
	for _, t := range byKey {
		out = append(out, *t)
	}
	slices.SortFunc(out, func(a, b Total) int {
		return cmp.Or(cmp.Compare(a.Family, b.Family), cmp.Compare(a.Model, b.Model))
	})
	return out, all
}

func (t *Total) add(c Call) {
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

// followUps groups the calls that did not pass by result, failure class
// and note, then adds the problems of the run itself.
func followUps(run *Run) []FollowUp {
	out := []FollowUp{}
	idx := map[[3]string]int{}
	urls := map[int][]string{}
	for _, c := range run.Calls {
		if c.Result == spans.ResultPass {
			continue
		}
		k := [3]string{c.Result, c.Failure, c.Notes}
		i, ok := idx[k]
		if !ok {
			i = len(out)
			idx[k] = i
			out = append(out, FollowUp{Result: c.Result, Failure: c.Failure, Note: c.Notes})
		}
		out[i].Calls = append(out[i].Calls, c.N)
		urls[i] = appendNew(urls[i], c.sourceURLs...)
	}
	for i := range out {
		out[i].Action, out[i].Escalate = advice(out[i], urls[i])
	}
	return append(out, runFollowUps(run)...)
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
// lines, no calls.
func runFollowUps(run *Run) []FollowUp {
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
		add(fmt.Sprintf("run file line(s) %s could not be read and were skipped", strings.Join(lines, ", ")),
			"Keep the run file as it is for inspection; every other line was read.")
	}
	if run.Complete && run.Context.Calls != len(run.Calls) {
		add(fmt.Sprintf("the run span counted %d call(s) but the run file holds %d: lines were lost or edited", run.Context.Calls, len(run.Calls)),
			"Treat the totals as incomplete; keep the run file as it is for inspection.")
	}
	if run.Complete && len(run.Calls) == 0 {
		add("no model calls were recorded",
			"Check that the agent sent its model calls through the gateway (agentwrap agents shows each profile's wiring); a run without calls shows nothing about the contract.")
	}
	return out
}
