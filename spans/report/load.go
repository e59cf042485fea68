package report

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/otel/attribute"

	"github.com/agentwrap/agentwrap/spans"
	"github.com/agentwrap/agentwrap/spans/runfile"
)

// DefaultMaxCalls is how many calls the calls table of a report shows by
// default; see Options.MaxCalls.
const DefaultMaxCalls = 1000

// Options tune how a run file is read into a Run.
type Options struct {
	// MaxCalls caps the rows of the calls table (Run.Calls); 0 means
	// DefaultMaxCalls. A run with more calls keeps the calls that did not
	// pass first, then the earliest, shown in start order; every total,
	// follow-up and the record still count all calls.
	MaxCalls int
}

// Load reads the run file at path into a Run named after the file, with
// the default Options. Lines that cannot be decoded are skipped and listed
// in Run.LineErrors; the error is non-nil only when the file cannot be
// read.
func Load(path string) (*Run, error) { return LoadWith(path, Options{}) }

// LoadWith is Load with opts.
func LoadWith(path string, opts Options) (*Run, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("cannot open run file: %w", err)
	}
	defer f.Close()
	return ReadWith(strings.TrimSuffix(filepath.Base(path), runfile.Ext), f, opts)
}

// Read reads a run file from r into the Run with id; see Load.
func Read(id string, r io.Reader) (*Run, error) { return ReadWith(id, r, Options{}) }

// ReadWith reads a run file from r into the Run with id as a stream, one
// line at a time (ARCHITECTURE.md, Invariants, "Reports"): it keeps the
// run span's context, at most opts.MaxCalls call rows and the running
// aggregates, so its memory does not grow with the file's size beyond a
// few bytes per call (each call's start time and result, for numbering
// the calls in start order and for the timeline).
func ReadWith(id string, r io.Reader, opts Options) (*Run, error) {
	b := newBuilder(clean(id), opts)
	err := runfile.Scan(r, func(td ptrace.Traces) error {
		b.add(td)
		return nil
	}, b.lineError)
	if err != nil {
		return nil, err
	}
	return b.finish(), nil
}

// isRunSpan reports whether s is the run span. The operation is compared
// as recorded: cleaning changes no string into "invoke_agent".
func isRunSpan(s ptrace.Span) bool {
	op, ok := s.Attributes().Get(string(spans.GenAIOperationName))
	return (ok && op.Type() == pcommon.ValueTypeStr && op.Str() == "invoke_agent") || strings.HasPrefix(s.Name(), "invoke_agent ")
}

func hasKey(s ptrace.Span, k attribute.Key) bool {
	_, ok := s.Attributes().Get(string(k))
	return ok
}

// runContext reads the run span.
func runContext(s ptrace.Span, res pcommon.Map, memo *cleaner) Context {
	a := attrs{s.Attributes(), memo}
	c := Context{
		Agent:            a.str(spans.GenAIAgentName),
		Profile:          a.str(spans.Profile),
		Upstream:         a.str(spans.Upstream),
		Manifest:         a.str(spans.ContractManifest),
		TraceID:          s.TraceID().String(),
		Version:          attrs{res, memo}.str("service.version"),
		Result:           a.str(spans.ResultClass),
		Notes:            a.str(spans.Notes),
		InstructionFiles: a.strs(spans.InstructionFiles),
	}
	if c.InstructionFiles == nil {
		c.InstructionFiles = []string{}
	}
	if c.Agent == "" {
		c.Agent = clean(strings.TrimPrefix(s.Name(), "invoke_agent "))
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

// setAgent sets the run's user agent and agent version from the user agent
// of its first call that has one.
func setAgent(ctx *Context, ua string) {
	if ua == "" {
		return
	}
	ctx.UserAgent = ua
	first, _, _ := strings.Cut(ua, " ")
	// name/version, and for Gemini CLI name/version/model.
	if _, v, ok := strings.Cut(first, "/"); ok {
		ctx.AgentVersion, _, _ = strings.Cut(v, "/")
	}
}

// newCall reads a call span. Its number and offset from the run's start
// are set once the whole file is read.
func newCall(s ptrace.Span, memo *cleaner) Call {
	a := attrs{s.Attributes(), memo}
	start, end := utc(s.StartTimestamp()), utc(s.EndTimestamp())
	c := Call{
		Name: memo.clean(s.Name()), Start: start,
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
