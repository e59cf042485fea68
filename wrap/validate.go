package wrap

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/agentwrap/agentwrap/spans"
	"github.com/agentwrap/agentwrap/validate"
)

// validateAgentName is the agent name of a validation run.
const validateAgentName = "agentwrap-validate"

// ErrNotConfirmed is returned by Validate when Confirm declined.
var ErrNotConfirmed = errors.New("not confirmed")

// ValidateOptions configures Validate.
type ValidateOptions struct {
	// Options are the run options; Argv, Profile and EnforceContract are
	// ignored (the gateway forwards every request, so that the upstream
	// answers the invalid ones).
	Options
	// Endpoints and Families select manifest endpoints; empty selects all.
	Endpoints, Families []string
	// MaxRequests bounds the requests sent; checks beyond it are not run.
	// Zero means no bound.
	MaxRequests int
	// Confirm is shown the plan ("N requests to HOST ...") before anything
	// is sent and returns whether to go on. Nil means go on.
	Confirm func(plan string) bool
}

// Validate runs the contract runbook's validation sequence (see package
// validate) for the selected endpoints of the manifest through the
// gateways an agent uses: the managed gateway, which puts the real key
// upstream, for the checks with a valid credential, and a passthrough
// gateway for the missing and invalid credential checks. Every request is
// a call span of the run; the run span holds the checklist totals. It
// returns the checklist; its ExitCode is the command's status.
func Validate(ctx context.Context, vo ValidateOptions) (*validate.Checklist, error) {
	o := withDefaults(vo.Options)
	o.Argv, o.Profile, o.EnforceContract = []string{validateAgentName}, "generic", false
	if o.Getenv(o.KeyEnv) == "" {
		return nil, fmt.Errorf("%w: set %s to the real key (or name another variable with --key-env)", ErrNoCredential, o.KeyEnv)
	}
	up, err := parseUpstream(o.Upstream)
	if err != nil {
		return nil, err
	}
	m, err := loadManifest(o.Contract)
	if err != nil {
		return nil, err
	}
	eps, err := validate.Select(m, validate.Selection{Endpoints: vo.Endpoints, Families: vo.Families})
	if err != nil {
		return nil, err
	}
	steps := validate.Plan(eps)
	n := validate.Requests(steps)
	planLine := fmt.Sprintf("%d request(s) to %s (%d endpoint(s) of %s, one at a time)", n, up.Host, len(eps), manifestName(m))
	if vo.MaxRequests > 0 && vo.MaxRequests < n {
		planLine = fmt.Sprintf("%d of %d planned request(s) to %s (--max-requests; %d endpoint(s) of %s, one at a time)",
			vo.MaxRequests, n, up.Host, len(eps), manifestName(m))
	}
	if vo.Confirm != nil && !vo.Confirm(planLine) {
		return nil, ErrNotConfirmed
	}
	s, err := prepare(ctx, o)
	if err != nil {
		return nil, err
	}
	s.startRun(ctx, o, validateAgentName)
	v, err := s.startValidator(o, n)
	if err != nil {
		s.finish(o, 1, err)
		return nil, err
	}
	cl := &validate.Checklist{RunID: s.runID, Manifest: manifestName(s.manifest),
		Upstream: s.upstream.Scheme + "://" + s.upstream.Host}
	v.run(ctx, steps, vo.MaxRequests, cl)
	v.close(o)
	cl.Rows = append(cl.Rows, s.secretsRow(v.leaks(), false))
	cl.Finish(s.manifest, eps)
	s.setChecklist(cl)
	s.finish(o, cl.ExitCode(), nil)
	if row := s.secretsRow(v.leaks(), true); row.Result != validate.Pass {
		cl.Rows[len(cl.Rows)-1] = row
		cl.Finish(s.manifest, eps)
	}
	return cl, nil
}

// setChecklist records the checklist totals on the run span, and its
// verdict as the run's result: drift needs a teammate to escalate.
func (s *session) setChecklist(cl *validate.Checklist) {
	t := cl.Totals
	s.runSpan.SetAttributes(spans.ChecksPass.Int(t.Pass), spans.ChecksFail.Int(t.Fail),
		spans.ChecksDrift.Int(t.Drift), spans.ChecksNotApplicable.Int(t.NotApplicable),
		spans.ChecksNotRun.Int(t.NotRun), spans.ChecksOperator.Int(t.OperatorToConfirm))
	switch cl.Verdict {
	case validate.Pass:
		s.result = spans.ResultPass
	case validate.Drift:
		s.result = spans.ResultNeedsFollowUp
	default:
		s.result = spans.ResultFail
	}
	s.notes = append(s.notes, fmt.Sprintf("validate: %d pass, %d fail, %d drift, %d not applicable, %d not run",
		t.Pass, t.Fail, t.Drift, t.NotApplicable, t.NotRun))
}

// secretsRow checks the run file for the credential, the run token, the
// wrong key, the prompt and reply texts, and for spans the guard had to
// mask. Before the run span is written (final false) it reads the call
// spans only.
func (s *session) secretsRow(leaks []string, final bool) validate.Row {
	row := validate.Row{Endpoint: "(run)", Check: validate.SecretsRow,
		Title:    "nothing sensitive in the run file or this checklist",
		Expected: "no credential, run token, wrong key, prompt or reply text in any recorded value"}
	if problem := s.verifyFile(leaks, final); problem != "" {
		row.Result, row.Observed = validate.Fail, problem
		return row
	}
	row.Result, row.Observed = validate.Pass, "none found"
	return row
}

// verifyFile reads back the run file and names what is wrong with it, or
// returns "".
func (s *session) verifyFile(leaks []string, final bool) string {
	b, err := os.ReadFile(s.runFile.Path())
	if err != nil {
		return "run file unreadable"
	}
	for _, l := range leaks {
		if l != "" && bytes.Contains(b, []byte(l)) {
			return "sensitive text in the run file: stop and fix the logging path"
		}
	}
	n, masked, err := recordedSpans(b)
	switch {
	case masked:
		return "the exporter-side guard had to mask a recorded value: stop and fix the logging path"
	case err != nil:
		return "run file holds an unreadable line"
	case final && n == 0:
		return "run file holds no spans"
	}
	return ""
}
