package spans

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/agentwrap/agentwrap/call"
)

// Recorder turns call records into call spans under a run span and keeps the
// run's tally. It is safe for concurrent use.
type Recorder struct {
	tracer trace.Tracer
	parent context.Context
	runID  string
	note   func(string) string

	// Scrub masks secrets in each string a call took from the wire before
	// it is bounded (see MaxModelLen and the other bounds), so that cutting
	// never leaves part of a secret the exporter's guard would no longer
	// recognise. Nil means the strings are only bounded. Set it before the
	// first Observe.
	Scrub func(string) string

	conv    Conventions
	metrics *Metrics
	agent   string

	lastName atomic.Pointer[spanNameMemo]

	mu      sync.Mutex
	calls   int
	result  string
	classes map[string]int
	follow  []string
	local   LocalTally
	// Run totals for the run span (RunAttributes).
	usage     call.Usage
	providers []string
	version   string
}

// LocalTally counts the requests the gateway answered itself (see
// call.LocalRequest): none of them is a call span.
type LocalTally struct {
	// Probes is the number of connectivity probes answered.
	Probes int
	// Rejected is the number of refused requests, First the first of them.
	Rejected int
	First    call.LocalRequest
	// RejectedModel is the number of refused requests on a model path,
	// FirstModel the first of them.
	RejectedModel int
	FirstModel    call.LocalRequest
}

// Local counts a request the gateway answered itself. It is the gateway's
// Local hook: a flood of refused requests costs a counter each, not a span.
func (r *Recorder) Local(l call.LocalRequest) {
	r.mu.Lock()
	defer r.mu.Unlock()
	t := &r.local
	switch {
	case !l.Refused():
		t.Probes++
		return
	case t.Rejected == 0:
		t.First = l
	}
	t.Rejected++
	if l.ModelPath {
		if t.RejectedModel == 0 {
			t.FirstModel = l
		}
		t.RejectedModel++
	}
}

// NewRecorder returns a Recorder whose spans are children of the span in
// parent. note sanitizes every note before it is recorded; nil means notes
// are only truncated.
func NewRecorder(tracer trace.Tracer, parent context.Context, runID string, note func(string) string) *Recorder {
	if note == nil {
		note = truncateNote
	}
	return &Recorder{tracer: tracer, parent: parent, runID: runID, note: note, result: ResultPass,
		classes: map[string]int{}, usage: call.NoUsage()}
}

// Use sets the conventions the call spans follow, the metrics every call is
// also recorded in (nil: none) and the agent's name, whose version is read
// from the calls' user agents. Call it before the first Observe.
func (r *Recorder) Use(conv Conventions, m *Metrics, agent string) {
	r.conv, r.metrics, r.agent = conv, m, agent
}

// Observe records one call as a span. It is the gateway's observer.
func (r *Recorder) Observe(c *call.Call) {
	bc := boundCall(c, r.Scrub)
	c = &bc
	o := Classify(c)
	o.Note = r.note(o.Note)
	buf := attrBuffers.Get().(*[]attribute.KeyValue)
	attrs := appendCallAttributes((*buf)[:0], c, r.runID, o, r.conv)
	// needs_follow_up is an error for the span too: the call did not
	// succeed (README, "Metrics and the conventions version").
	failed := o.Result != ResultPass
	if rt, ok := r.tracer.(*runTracer); ok {
		var status sdktrace.Status
		if failed {
			status = sdktrace.Status{Code: codes.Error, Description: o.Failure}
		}
		rt.emitCall(trace.SpanContextFromContext(r.parent), r.spanName(c), c.Start, c.End, slices.Clone(attrs), status)
	} else {
		// The attributes are set after Start, which the always-on
		// sampler does not consult: the span is the same, with fewer
		// allocations.
		_, span := r.tracer.Start(r.parent, r.spanName(c), clientKind, trace.WithTimestamp(c.Start))
		span.SetAttributes(attrs...) // copies them: the buffer can be reused
		if failed {
			span.SetStatus(codes.Error, o.Failure)
		}
		span.End(trace.WithTimestamp(c.End))
	}
	clear(attrs)
	*buf = attrs[:0]
	attrBuffers.Put(buf)
	r.metrics.Record(c, o)

	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls++
	r.result = Worse(r.result, o.Result)
	r.classes[o.Result]++
	if o.Result != ResultPass && len(r.follow) < 8 {
		r.follow = append(r.follow, o.Note)
	}
	if inference(c.Family) {
		r.usage = addUsage(r.usage, c.Usage)
	}
	if c.Family != call.FamilyUnknown && c.Family != "" {
		if p := call.Lookup(c.Family).Provider; !slices.Contains(r.providers, p) {
			r.providers = append(r.providers, p)
		}
	}
	if r.version == "" && c.UserAgent != "" {
		r.version = AgentVersion(c.UserAgent, r.agent)
	}
}

// addUsage adds the counts of b to a; a count stays unreported (-1) only
// while no call reported it.
func addUsage(a, b call.Usage) call.Usage {
	add := func(x, y int64) int64 {
		switch {
		case y < 0:
			return x
		case x < 0:
			return y
		}
		return x + y
	}
	return call.Usage{Input: add(a.Input, b.Input), Output: add(a.Output, b.Output),
		CacheRead: add(a.CacheRead, b.CacheRead), CacheCreation: add(a.CacheCreation, b.CacheCreation),
		Reasoning: add(a.Reasoning, b.Reasoning)}
}

// AgentVersion reads an agent's version from a user agent: the version of
// the first product token whose name contains the agent's name, ignoring
// case and punctuation ("claude-cli/2.1.330 (external, cli)" for claude,
// "codex_cli_rs/0.169.0" for codex, "GeminiCLI/0.61.0" for gemini). It is
// "" when no token names the agent: an SDK's own token ("OpenAI/Python
// 1.2.3") is not the agent's version.
func AgentVersion(ua, agent string) string {
	want := squash(agent)
	if want == "" {
		return ""
	}
	for _, tok := range strings.Fields(ua) {
		name, ver, ok := strings.Cut(tok, "/")
		if !ok || ver == "" || ver[0] < '0' || ver[0] > '9' || !strings.Contains(squash(name), want) {
			continue
		}
		if i := strings.IndexAny(ver, ";,()"); i >= 0 {
			ver = ver[:i]
		}
		if len(ver) > 40 {
			ver = ver[:40]
		}
		return ver
	}
	return ""
}

// squash lower-cases s and keeps only letters and digits.
func squash(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		}
	}
	return b.String()
}

var clientKind = trace.WithSpanKind(trace.SpanKindClient)

// attrBuffers recycles the attribute lists Observe builds.
var attrBuffers = sync.Pool{New: func() any { b := make([]attribute.KeyValue, 0, 40); return &b }}

// spanNameMemo is the span name of the last call a Recorder named.
type spanNameMemo struct {
	op, model, name string
}

// spanName is the span name of c, reusing the last name when operation and
// model are the same: an agent's calls mostly are.
func (r *Recorder) spanName(c *call.Call) string {
	op, m := call.Lookup(c.Family).Operation, model(c)
	if memo := r.lastName.Load(); memo != nil && memo.op == op && memo.model == m {
		return memo.name
	}
	name := nameOf(c)
	r.lastName.Store(&spanNameMemo{op: op, model: m, name: name})
	return name
}

// Summary is the run's tally of calls.
type Summary struct {
	Calls  int
	Result string
	// Counts is the number of calls per result class.
	Counts map[string]int
	// Notes are the first few notes of calls that did not pass.
	Notes []string
	// Local counts the requests the gateway answered itself.
	Local LocalTally
	// Usage is the sum of the calls' token counts; a count no call
	// reported is -1.
	Usage call.Usage
	// Providers are the gen_ai.provider.name values of the calls, in the
	// order first seen.
	Providers []string
	// AgentVersion is the agent's version from the first call whose user
	// agent named it, or "".
	AgentVersion string
}

// Summary returns the tally so far.
func (r *Recorder) Summary() Summary {
	r.mu.Lock()
	defer r.mu.Unlock()
	counts := make(map[string]int, len(r.classes))
	for k, v := range r.classes {
		counts[k] = v
	}
	return Summary{Calls: r.calls, Result: r.result, Counts: counts, Notes: append([]string(nil), r.follow...), Local: r.local,
		Usage: r.usage, Providers: slices.Clone(r.providers), AgentVersion: r.version}
}

// nameOf is the span name of c: `{gen_ai.operation.name}
// {gen_ai.request.model}`, or the operation alone when the call named no
// model. The operation comes from the registry ("unknown" for
// call.FamilyUnknown).
func nameOf(c *call.Call) string {
	op := call.Lookup(c.Family).Operation
	if m := model(c); m != "" {
		return op + " " + m
	}
	return op
}

func model(c *call.Call) string {
	if c.RequestModel != "" {
		return c.RequestModel
	}
	return c.ResponseModel
}

// appendCallAttributes appends the span attributes of a call to a.
func appendCallAttributes(a []attribute.KeyValue, c *call.Call, runID string, o Outcome, conv Conventions) []attribute.KeyValue {
	spec := call.Lookup(c.Family)
	a = append(a,
		RunID.String(runID),
		RequestFamily.String(string(c.Family)),
		CredentialRedacted.Bool(true),
		ResultClass.String(o.Result),
		FailureClass.String(o.Failure),
		Notes.String(o.Note),
		ContractEndpoint.String(c.Contract.Endpoint),
		GenAIOperationName.String(spec.Operation),
		GenAIProviderName.String(spec.Provider),
		HTTPRequestMethod.String(c.Method),
		URLPath.String(c.Path),
		ServerAddress.String(c.ServerAddress),
		ServerPort.Int(c.ServerPort),
	)
	if c.Contract.CheckedAt != "" {
		a = append(a, CheckedAt.String(c.Contract.CheckedAt))
	}
	if len(c.Contract.SourceURLs) > 0 {
		a = append(a, SourceURLs.StringSlice(c.Contract.SourceURLs))
	}
	if c.CredentialLabel != "" {
		a = append(a, CredentialLabel.String(c.CredentialLabel))
	}
	if c.RequestModel != "" {
		a = append(a, GenAIRequestModel.String(c.RequestModel))
	}
	if spec.StreamAttribute && c.RequestStream {
		// Set only for streams, as the conventions define it.
		a = append(a, GenAIRequestStream.Bool(true))
	}
	if c.RequestMaxTokens >= 0 {
		a = append(a, GenAIRequestMaxTokens.Int64(c.RequestMaxTokens))
	}
	a = appendResponse(a, c, conv)
	if c.ResendCount > 0 {
		a = append(a, HTTPRequestResendCount.Int(c.ResendCount))
	}
	if c.UserAgent != "" {
		a = append(a, UserAgent.String(c.UserAgent))
	}
	if et := errorType(c, o); et != "" {
		a = append(a, ErrorType.String(et))
	}
	return a
}

func appendResponse(a []attribute.KeyValue, c *call.Call, conv Conventions) []attribute.KeyValue {
	if c.StatusCode > 0 {
		a = append(a, HTTPResponseStatusCode.Int(c.StatusCode))
	}
	if c.ResponseModel != "" {
		a = append(a, GenAIResponseModel.String(c.ResponseModel))
	}
	if c.ResponseID != "" {
		a = append(a, GenAIResponseID.String(c.ResponseID))
	}
	if len(c.FinishReasons) > 0 {
		a = append(a, GenAIResponseFinishReason.StringSlice(c.FinishReasons))
	}
	a = appendUsage(a, c.Usage, conv)
	if c.FirstChunk > 0 && streamed(c) {
		a = append(a, GenAIResponseTimeToFirstChunk.Float64(c.FirstChunk.Seconds()))
	}
	return a
}

// appendUsage appends the token counts of u the upstream reported (an
// unreported count is -1 and left out), under the names of conv.
func appendUsage(a []attribute.KeyValue, u call.Usage, conv Conventions) []attribute.KeyValue {
	for _, t := range []struct {
		k attribute.Key
		v int64
	}{
		{GenAIUsageInputTokens, u.Input}, {GenAIUsageOutputTokens, u.Output},
		{GenAIUsageCacheReadTokens, u.CacheRead}, {conv.CacheCreationKey(), u.CacheCreation},
		{GenAIUsageReasoningTokens, u.Reasoning},
	} {
		if t.v >= 0 {
			a = append(a, t.k.Int64(t.v))
		}
	}
	return a
}

// errorType is error.type for a call that did not pass: the transport error
// class, the HTTP status code, or the failure class.
func errorType(c *call.Call, o Outcome) string {
	switch {
	case o.Result == ResultPass:
		return ""
	case c.TransportError != "":
		return c.TransportError
	case c.Cancelled:
		return "cancelled"
	case c.StatusCode >= 400:
		return strconv.Itoa(c.StatusCode)
	}
	return o.Failure
}

// truncateNote bounds a note to 200 characters.
func truncateNote(s string) string {
	r := []rune(s)
	if len(r) <= 200 {
		return s
	}
	return string(r[:199]) + "…"
}

// RunAttributes returns the run span's attributes from the run's tally:
// gen_ai.provider.name of the first call's provider (a run through several
// providers, e.g. an agent calling Anthropic and OpenAI wire formats, keeps
// the first: the conventions define one string, and the call spans name
// each), gen_ai.agent.version when a call's user agent named it, and the
// sums of the token counts the upstream reported.
func RunAttributes(s Summary, conv Conventions) []attribute.KeyValue {
	var a []attribute.KeyValue
	if len(s.Providers) > 0 {
		a = append(a, GenAIProviderName.String(s.Providers[0]))
	}
	if s.AgentVersion != "" {
		a = append(a, GenAIAgentVersion.String(s.AgentVersion))
	}
	a = appendUsage(a, s.Usage, conv)
	return a
}
