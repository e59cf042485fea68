package report

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/otel/attribute"

	"github.com/agentwrap/agentwrap/spans"
	"github.com/agentwrap/agentwrap/spans/runfile"
)

// Load reads the run file at path into a Run named after the file. Lines
// that cannot be decoded are skipped and listed in Run.LineErrors; the
// error is non-nil only when the file cannot be read.
func Load(path string) (*Run, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("cannot open run file: %w", err)
	}
	defer f.Close()
	return Read(strings.TrimSuffix(filepath.Base(path), runfile.Ext), f)
}

// Read reads a run file from r into the Run with id; see Load.
func Read(id string, r io.Reader) (*Run, error) {
	td, bad, err := runfile.Read(r)
	if err != nil {
		return nil, err
	}
	return build(clean(id), td, bad), nil
}

// spanOf is a span with its resource.
type spanOf struct {
	s   ptrace.Span
	res pcommon.Map
}

// build assembles the Run from the spans of a run file.
func build(id string, td ptrace.Traces, bad []runfile.LineError) *Run {
	run := &Run{ID: id, NotAsserted: notAsserted(), Calls: []Call{}, LineErrors: []LineError{}}
	var root *spanOf
	var calls []spanOf
	for _, rs := range td.ResourceSpans().All() {
		for _, ss := range rs.ScopeSpans().All() {
			for _, s := range ss.Spans().All() {
				so := spanOf{s, rs.Resource().Attributes()}
				switch {
				case isRunSpan(s) && root == nil:
					root = &so
				case hasKey(s, spans.RequestFamily):
					calls = append(calls, so)
				}
			}
		}
	}
	sort.SliceStable(calls, func(i, j int) bool { return calls[i].s.StartTimestamp() < calls[j].s.StartTimestamp() })
	if root != nil {
		run.Complete = true
		run.Context = runContext(*root)
		run.validation = hasKey(root.s, spans.ChecksPass)
	}
	run.Context.Start, run.Context.End = bounds(root, calls)
	run.Context.DurationMS = ms(run.Context.End.Sub(run.Context.Start))
	for i, c := range calls {
		run.Calls = append(run.Calls, newCall(i+1, c.s, run.Context.Start))
	}
	agentOf(run)
	for _, b := range bad {
		run.LineErrors = append(run.LineErrors, LineError{Line: b.Line, Error: clean(b.Err.Error())})
	}
	rollUp(run)
	return run
}

func isRunSpan(s ptrace.Span) bool {
	op := attrs{s.Attributes()}.str(spans.GenAIOperationName)
	return op == "invoke_agent" || strings.HasPrefix(s.Name(), "invoke_agent ")
}

func hasKey(s ptrace.Span, k attribute.Key) bool {
	_, ok := s.Attributes().Get(string(k))
	return ok
}

// runContext reads the run span.
func runContext(root spanOf) Context {
	a := attrs{root.s.Attributes()}
	c := Context{
		Agent:            a.str(spans.GenAIAgentName),
		Profile:          a.str(spans.Profile),
		Upstream:         a.str(spans.Upstream),
		Manifest:         a.str(spans.ContractManifest),
		TraceID:          root.s.TraceID().String(),
		Version:          attrs{root.res}.str("service.version"),
		Result:           a.str(spans.ResultClass),
		Notes:            a.str(spans.Notes),
		InstructionFiles: a.strs(spans.InstructionFiles),
	}
	if c.InstructionFiles == nil {
		c.InstructionFiles = []string{}
	}
	if c.Agent == "" {
		c.Agent = clean(strings.TrimPrefix(root.s.Name(), "invoke_agent "))
	}
	if n, ok := a.integer(spans.Calls); ok {
		c.Calls = int(n)
	}
	if n, ok := a.integer(spans.ProcessExitCode); ok {
		code := int(n)
		c.ExitCode = &code
	}
	if n, ok := a.integer(spans.ProbeRequests); ok {
		c.ProbeRequests = int(n)
	}
	if n, ok := a.integer(spans.RejectedRequests); ok {
		c.RejectedRequests = int(n)
		c.FirstRejected = fmt.Sprintf("%s %s (%s)", a.str(spans.RejectedMethod), a.str(spans.RejectedPath), a.str(spans.RejectedReason))
	}
	return c
}

// agentOf sets the run's user agent and agent version from its first call
// that has one.
func agentOf(run *Run) {
	for _, c := range run.Calls {
		if c.UserAgent == "" {
			continue
		}
		run.Context.UserAgent = c.UserAgent
		first, _, _ := strings.Cut(c.UserAgent, " ")
		// name/version, and for Gemini CLI name/version/model.
		if _, v, ok := strings.Cut(first, "/"); ok {
			run.Context.AgentVersion, _, _ = strings.Cut(v, "/")
		}
		return
	}
}

// bounds is the run span's start and end, or without a run span the
// earliest call start and latest call end.
func bounds(root *spanOf, calls []spanOf) (start, end time.Time) {
	if root != nil {
		return utc(root.s.StartTimestamp()), utc(root.s.EndTimestamp())
	}
	for _, c := range calls {
		if s := utc(c.s.StartTimestamp()); start.IsZero() || s.Before(start) {
			start = s
		}
		if e := utc(c.s.EndTimestamp()); e.After(end) {
			end = e
		}
	}
	return start, end
}

// newCall reads a call span; offsets are from runStart.
func newCall(n int, s ptrace.Span, runStart time.Time) Call {
	a := attrs{s.Attributes()}
	start, end := utc(s.StartTimestamp()), utc(s.EndTimestamp())
	c := Call{
		N: n, Name: clean(s.Name()), Start: start,
		OffsetMS:            ms(start.Sub(runStart)),
		DurationMS:          ms(end.Sub(start)),
		Family:              a.str(spans.RequestFamily),
		Model:               a.str(spans.GenAIRequestModel),
		ResponseModel:       a.str(spans.GenAIResponseModel),
		Stream:              a.boolean(spans.GenAIRequestStream),
		Method:              a.str(spans.HTTPRequestMethod),
		Path:                a.str(spans.URLPath),
		ErrorType:           a.str(spans.ErrorType),
		Result:              a.str(spans.ResultClass),
		Failure:             a.str(spans.FailureClass),
		Notes:               a.str(spans.Notes),
		Endpoint:            a.str(spans.ContractEndpoint),
		CheckedAt:           a.str(spans.CheckedAt),
		InputTokens:         a.count(spans.GenAIUsageInputTokens),
		OutputTokens:        a.count(spans.GenAIUsageOutputTokens),
		CacheReadTokens:     a.count(spans.GenAIUsageCacheReadTokens),
		ReasoningTokens:     a.count(spans.GenAIUsageReasoningTokens),
		CacheCreationTokens: a.count(spans.GenAIUsageCacheCreationTokens),
		UserAgent:           a.str(spans.UserAgent),
		CredentialRedacted:  a.boolean(spans.CredentialRedacted),
		sourceURLs:          a.strs(spans.SourceURLs),
	}
	if c.Model == "" {
		c.Model = c.ResponseModel
	}
	if st, ok := a.integer(spans.HTTPResponseStatusCode); ok {
		c.Status = int(st)
	}
	if f, ok := a.float(spans.GenAIResponseTimeToFirstChunk); ok && f > 0 {
		v := round(f * 1000)
		c.FirstChunkMS = &v
	}
	switch c.Result {
	case spans.ResultPass, spans.ResultFail, spans.ResultNeedsFollowUp:
	default:
		// A span written by something else, or edited by hand.
		c.Result, c.Failure = spans.ResultNeedsFollowUp, spans.FailureOperatorFollowUp
		c.Notes = strings.TrimPrefix(c.Notes+"; no known result class recorded", "; ")
	}
	return c
}

// utc converts ts to UTC; 0 is the zero time.
func utc(ts pcommon.Timestamp) time.Time {
	if ts == 0 {
		return time.Time{}
	}
	return ts.AsTime().UTC()
}

// ms is d in milliseconds, to the microsecond.
func ms(d time.Duration) float64 { return round(float64(d) / float64(time.Millisecond)) }

// round rounds to three decimals.
func round(f float64) float64 {
	if f < 0 {
		return -round(-f)
	}
	return float64(int64(f*1000+0.5)) / 1000
}
