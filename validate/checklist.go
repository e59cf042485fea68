package validate

import (
	"github.com/agentwrap/agentwrap/contract"
)

// Exit statuses of `agentwrap validate`.
const (
	ExitPass  = 0
	ExitFail  = 1
	ExitDrift = 4
)

// Checklist is the release-gate checklist of one validation run.
type Checklist struct {
	RunID string `json:"run_id" yaml:"run_id"`
	// Manifest names the contract manifest; Owner approved it; Support is
	// where drift is escalated.
	Manifest string `json:"contract_manifest" yaml:"contract_manifest"`
	Owner    string `json:"owner" yaml:"owner"`
	Support  string `json:"support" yaml:"support"`
	// Upstream is the scheme and host the requests went to.
	Upstream string `json:"upstream" yaml:"upstream"`
	// Started is when the first request was sent (RFC 3339).
	Started string `json:"started" yaml:"started"`
	// Requests is how many requests were sent.
	Requests int    `json:"requests" yaml:"requests"`
	Verdict  Result `json:"verdict" yaml:"verdict"`
	Totals   Totals `json:"totals" yaml:"totals"`
	// Rows are one per check per endpoint, then the run's own checks.
	Rows []Row `json:"checks" yaml:"checks"`
	// Drift is every drift found, with its escalation fields.
	Drift []DriftReport `json:"drift" yaml:"drift"`
	// Gate is the runbook's release-gate checklist.
	Gate []GateItem `json:"release_gate" yaml:"release_gate"`
	// Unknowns are the manifest's unknowns of the endpoints checked.
	Unknowns []string `json:"unknowns" yaml:"unknowns"`
	// NotAsserted is what this checklist does not claim.
	NotAsserted []string `json:"not_asserted" yaml:"not_asserted"`
}

// Totals counts the rows by result, and the gate items an operator has to
// confirm.
type Totals struct {
	Pass              int `json:"pass" yaml:"pass"`
	Fail              int `json:"fail" yaml:"fail"`
	Drift             int `json:"drift" yaml:"drift"`
	NotApplicable     int `json:"not_applicable" yaml:"not_applicable"`
	NotRun            int `json:"not_run" yaml:"not_run"`
	OperatorToConfirm int `json:"operator_to_confirm" yaml:"operator_to_confirm"`
}

// GateItem is one item of the runbook's release gate.
type GateItem struct {
	Item   string `json:"item" yaml:"item"`
	Status Result `json:"status" yaml:"status"`
	// Owner confirms an operator item (the manifest's owner).
	Owner string `json:"owner,omitempty" yaml:"owner,omitempty"`
	// Evidence says which rows or manifest entries the status comes from.
	Evidence string `json:"evidence" yaml:"evidence"`
}

// SecretsRow is the run's own check that nothing sensitive was recorded.
const SecretsRow Check = "secrets_redaction"

// Finish fills in the totals, the verdict, the release gate and what the
// checklist does not claim, from the rows. m is the manifest checked;
// endpoints are those selected.
func (c *Checklist) Finish(m *contract.Manifest, endpoints []*contract.Endpoint) {
	c.Totals = Totals{}
	for _, r := range c.Rows {
		switch r.Result {
		case Pass:
			c.Totals.Pass++
		case Fail:
			c.Totals.Fail++
		case Drift:
			c.Totals.Drift++
		case NotApplicable:
			c.Totals.NotApplicable++
		case NotRun:
			c.Totals.NotRun++
		}
	}
	if c.Drift == nil {
		c.Drift = []DriftReport{}
	}
	c.Owner, c.Support = m.Owner, m.Support
	c.Gate = gate(c.Rows, m.Owner, m.Support)
	for _, g := range c.Gate {
		if g.Status == OperatorToConfirm {
			c.Totals.OperatorToConfirm++
		}
	}
	c.Unknowns = []string{}
	for _, e := range endpoints {
		for _, u := range e.Unknowns {
			if !contains(c.Unknowns, u) {
				c.Unknowns = append(c.Unknowns, u)
			}
		}
	}
	c.NotAsserted = notAsserted
	switch {
	case c.Totals.Fail > 0 || c.Totals.NotRun > 0:
		c.Verdict = Fail
	case c.Totals.Drift > 0:
		c.Verdict = Drift
	default:
		c.Verdict = Pass
	}
}

// ExitCode is 0 when every check passed, 1 when any failed (or was not
// run), 4 when the only departures are drift.
func (c *Checklist) ExitCode() int {
	switch c.Verdict {
	case Fail:
		return ExitFail
	case Drift:
		return ExitDrift
	}
	return ExitPass
}

var notAsserted = []string{
	"cost: nothing here says what the requests cost",
	"quota and billing: a passing check says nothing about balance or quota",
	"rate limits: the sequence sends a few requests one at a time and says nothing about limits",
	"availability: a check that passed does not show a model or the upstream to be generally available",
}

func contains(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

// gate is the runbook's release-gate checklist: items the checks cover take
// the worst result of their rows; the others are for the operator.
func gate(rows []Row, owner, support string) []GateItem {
	worst := func(checks ...Check) (Result, string) {
		res, n := Result(""), 0
		for _, r := range rows {
			if !containsCheck(checks, r.Check) || r.Result == NotApplicable {
				continue
			}
			n++
			res = worse(res, r.Result)
		}
		if n == 0 {
			return NotApplicable, "no such check was selected"
		}
		return res, "checks: " + checkNames(checks)
	}
	op := func(item string) GateItem {
		return GateItem{Item: item, Status: OperatorToConfirm, Owner: owner, Evidence: "not testable by requests"}
	}
	covered := func(item string, checks ...Check) GateItem {
		r, ev := worst(checks...)
		return GateItem{Item: item, Status: r, Evidence: ev}
	}
	esc := op("Owner and escalation path added to the runbook.")
	esc.Evidence = "manifest owner; escalation: " + firstNonEmpty(support, "none in the manifest")
	return []GateItem{
		{Item: "Documentation source captured with access date.", Status: Pass,
			Evidence: "manifest lint: every endpoint has source_urls and checked_at"},
		op("Endpoint path and method reviewed by another engineer."),
		covered("Auth behavior tested for valid, missing, and invalid credentials.", Minimal, MissingCredential, InvalidCredential),
		op("Request schema converted into automated tests or fixtures."),
		op("Response fields consumed by the app listed in the manifest."),
		covered("Error behavior tested and classified as retryable or non-retryable.", MalformedJSON, MissingField, UnknownModel, MissingCredential, InvalidCredential),
		op("Timeout and retry policy reviewed against your service SLOs."),
		op("Rate-limit or billing assumptions confirmed or explicitly marked unknown."),
		covered("Secrets redaction verified in logs, traces, and error reports.", SecretsRow),
		op("Rollback plan documented."),
		esc,
		op("Internal docs linked from the service README."),
	}
}

func containsCheck(cs []Check, c Check) bool {
	for _, x := range cs {
		if x == c {
			return true
		}
	}
	return false
}

func checkNames(cs []Check) string {
	s := ""
	for i, c := range cs {
		if i > 0 {
			s += ", "
		}
		s += string(c)
	}
	return s
}

// worse returns the more severe result: fail and not_run, then drift,
// then pass.
func worse(a, b Result) Result {
	rank := func(r Result) int {
		switch r {
		case Fail, NotRun:
			return 3
		case Drift:
			return 2
		case Pass:
			return 1
		}
		return 0
	}
	if rank(b) > rank(a) {
		return b
	}
	return a
}
