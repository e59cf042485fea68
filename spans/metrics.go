package spans

import (
	"context"
	"sync"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	"github.com/agentwrap/agentwrap/call"
)

// Metric names of the GenAI client metrics (README, "Metrics and the conventions version"). The default
// conventions (v1.41.0) use the first block; gen_ai_latest_experimental the
// second, where token usage is split into counters and per-operation
// histograms. Duration and time to first chunk keep their names.
const (
	MetricTokenUsage        = "gen_ai.client.token.usage"
	MetricOperationDuration = "gen_ai.client.operation.duration"
	MetricTimeToFirstChunk  = "gen_ai.client.operation.time_to_first_chunk"

	MetricUsageInputTokens        = "gen_ai.client.inference.usage.input_tokens"
	MetricUsageOutputTokens       = "gen_ai.client.inference.usage.output_tokens"
	MetricUsageCacheReadTokens    = "gen_ai.client.inference.usage.cache_read.input_tokens"
	MetricUsageCacheWriteTokens   = "gen_ai.client.inference.usage.cache_write.input_tokens"
	MetricUsageReasoningTokens    = "gen_ai.client.inference.usage.reasoning.output_tokens"
	MetricOperationInputTokens    = "gen_ai.client.inference.operation.input_tokens"
	MetricOperationOutputTokens   = "gen_ai.client.inference.operation.output_tokens"
	metricUnitTokens, metricUnitS = "{token}", "s"
)

// Values of GenAITokenType. input and output are the conventions'; the
// cache and reasoning counts are recorded with their own types, as the
// conventions allow, when the upstream reports them.
const (
	TokenInput         = "input"
	TokenOutput        = "output"
	TokenCacheRead     = "cache_read"
	TokenCacheCreation = "cache_creation"
	TokenReasoning     = "reasoning"
	// ModalityUnknown is the gen_ai.token.modality of every count: no
	// upstream agentwrap reads breaks usage down by modality.
	ModalityUnknown = "unknown"
)

// Explicit bucket boundaries the GenAI conventions recommend.
var (
	TokenBuckets    = []float64{1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864}
	DurationBuckets = []float64{0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92}
)

// Metrics records the GenAI client metrics of calls. It is fed by the
// Recorder from the same call record and classification as the call's span
// (no second parse), on the observer goroutine, off the call's path. A nil
// *Metrics records nothing.
type Metrics struct {
	conv  Conventions
	agent string

	duration, ttfc metric.Float64Histogram
	// Default conventions.
	tokens metric.Int64Histogram
	// Latest conventions.
	opInput, opOutput                                     metric.Int64Histogram
	usageIn, usageOut, usageRead, usageWrite, usageReason metric.Int64Counter

	bufs sync.Pool
}

// NewMetrics creates the instruments on a meter of mp. agent is the
// gen_ai.agent.name of every data point.
func NewMetrics(mp metric.MeterProvider, conv Conventions, agent string) (*Metrics, error) {
	m := &Metrics{conv: conv, agent: agent}
	m.bufs.New = func() any { b := make([]attribute.KeyValue, 0, 16); return &b }
	meter := mp.Meter(ScopeName, metric.WithSchemaURL(conv.SchemaURL()))
	var err error
	seconds := func(name, desc string) metric.Float64Histogram {
		h, e := meter.Float64Histogram(name, metric.WithUnit(metricUnitS), metric.WithDescription(desc),
			metric.WithExplicitBucketBoundaries(DurationBuckets...))
		if e != nil && err == nil {
			err = e
		}
		return h
	}
	tokens := func(name, desc string) metric.Int64Histogram {
		h, e := meter.Int64Histogram(name, metric.WithUnit(metricUnitTokens), metric.WithDescription(desc),
			metric.WithExplicitBucketBoundaries(TokenBuckets...))
		if e != nil && err == nil {
			err = e
		}
		return h
	}
	counter := func(name, desc string) metric.Int64Counter {
		c, e := meter.Int64Counter(name, metric.WithUnit(metricUnitTokens), metric.WithDescription(desc))
		if e != nil && err == nil {
			err = e
		}
		return c
	}
	m.duration = seconds(MetricOperationDuration, "GenAI operation duration.")
	m.ttfc = seconds(MetricTimeToFirstChunk, "Time to receive the first chunk of a streamed response.")
	if conv.Latest {
		m.opInput = tokens(MetricOperationInputTokens, "The number of input (prompt) tokens used per inference operation.")
		m.opOutput = tokens(MetricOperationOutputTokens, "The number of output (completion) tokens used per inference operation.")
		m.usageIn = counter(MetricUsageInputTokens, "The number of input (prompt) tokens used, including cached tokens.")
		m.usageOut = counter(MetricUsageOutputTokens, "The number of output (completion) tokens used, including reasoning tokens.")
		m.usageRead = counter(MetricUsageCacheReadTokens, "The number of input tokens served from a provider-managed cache.")
		m.usageWrite = counter(MetricUsageCacheWriteTokens, "The number of input tokens written to a provider-managed cache.")
		m.usageReason = counter(MetricUsageReasoningTokens, "The number of output tokens used for reasoning.")
	} else {
		m.tokens = tokens(MetricTokenUsage, "Number of input and output tokens used.")
	}
	if err != nil {
		return nil, err
	}
	return m, nil
}

// Record records the metrics of one call classified as o.
func (m *Metrics) Record(c *call.Call, o Outcome) {
	if m == nil {
		return
	}
	ctx := context.Background()
	buf := m.bufs.Get().(*[]attribute.KeyValue)
	defer func() { clear(*buf); *buf = (*buf)[:0]; m.bufs.Put(buf) }()
	base := m.appendBase((*buf)[:0], c, o)
	n := len(base)

	withErr := base
	if et := errorType(c, o); et != "" {
		withErr = append(withErr, ErrorType.String(et))
	}
	m.duration.Record(ctx, c.End.Sub(c.Start).Seconds(), metric.WithAttributes(withErr...))
	if streamed(c) && c.FirstChunk > 0 {
		m.ttfc.Record(ctx, c.FirstChunk.Seconds(), metric.WithAttributes(base...))
	}
	u := c.Usage
	if !inference(c.Family) {
		// count_tokens counts a prompt, list_models uses none: no
		// token usage (README, "Metrics and the conventions version").
		*buf = withErr
		return
	}
	if m.conv.Latest {
		m.opInput.Record(ctx, max(u.Input, 0), metric.WithAttributes(withErr...))
		m.opOutput.Record(ctx, max(u.Output, 0), metric.WithAttributes(withErr...))
		counted := append(base[:n:n], GenAITokenModality.String(ModalityUnknown))
		for _, t := range []struct {
			c metric.Int64Counter
			v int64
		}{{m.usageIn, u.Input}, {m.usageOut, u.Output}, {m.usageRead, u.CacheRead}, {m.usageWrite, u.CacheCreation}, {m.usageReason, u.Reasoning}} {
			t.c.Add(ctx, max(t.v, 0), metric.WithAttributes(counted...))
		}
		*buf = counted
		return
	}
	typed := base[:n:n]
	for _, t := range []struct {
		typ string
		v   int64
	}{{TokenInput, u.Input}, {TokenOutput, u.Output}, {TokenCacheRead, u.CacheRead}, {TokenCacheCreation, u.CacheCreation}, {TokenReasoning, u.Reasoning}} {
		if t.v >= 0 {
			typed = append(typed[:n], GenAITokenType.String(t.typ))
			m.tokens.Record(ctx, t.v, metric.WithAttributes(typed...))
		}
	}
	*buf = withErr
}

// appendBase appends the attributes every data point of a call carries.
func (m *Metrics) appendBase(a []attribute.KeyValue, c *call.Call, o Outcome) []attribute.KeyValue {
	a = append(a,
		GenAIOperationName.String(call.Lookup(c.Family).Operation),
		GenAIProviderName.String(call.Lookup(c.Family).Provider),
		ServerAddress.String(c.ServerAddress),
		ServerPort.Int(c.ServerPort),
		ResultClass.String(o.Result),
		RequestFamily.String(string(c.Family)),
		GenAIAgentName.String(m.agent),
	)
	if c.RequestModel != "" {
		a = append(a, GenAIRequestModel.String(c.RequestModel))
	}
	if c.ResponseModel != "" {
		a = append(a, GenAIResponseModel.String(c.ResponseModel))
	}
	return a
}

// inference reports whether a family's calls are inference operations,
// whose token usage is recorded (the latest conventions count it even when
// it is zero).
func inference(f call.Family) bool {
	switch call.Lookup(f).Operation {
	case "chat", "generate_content", "embeddings":
		return true
	}
	return false
}

// streamed reports whether a call asked for or received a stream.
func streamed(c *call.Call) bool { return c.RequestStream || c.Stream }
