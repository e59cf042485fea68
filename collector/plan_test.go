package collector_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"maps"
	"strings"
	"testing"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/agentwrap/agentwrap/internal/collectortest"
	"github.com/agentwrap/agentwrap/spans"
)

// plan is the set of spans a test sends through a collector, with the
// canaries planted in them and what each span must look like on arrival.
type plan struct {
	sk       string // an sk-canary key
	canaries []string
	creds    []credential
	traceIDs map[string]string // span name -> trace id sent
}

func newPlan(t *testing.T) *plan {
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	id := hex.EncodeToString(b)
	p := &plan{sk: "sk-canary-collector-" + id, creds: credentials(t), traceIDs: map[string]string{}}
	p.canaries = []string{p.sk, "canary-prompt-" + id, "canary-exception-" + id}
	for _, c := range p.creds {
		p.canaries = append(p.canaries, c.Secret)
	}
	return p
}

// cleanAttrs are schema attributes of every type; they must arrive as sent.
var cleanAttrs = []attribute.KeyValue{
	spans.RunID.String("run-0001"),
	spans.RequestFamily.String("anthropic.messages"),
	spans.SourceURLs.StringSlice([]string{"https://docs.cometapi.com/api/messages"}),
	spans.CredentialRedacted.Bool(true),
	spans.ResultClass.String(spans.ResultPass),
	spans.GenAIRequestModel.String("claude-sonnet-4-5"),
	spans.GenAIUsageInputTokens.Int(1200),
	spans.GenAIResponseFinishReason.StringSlice([]string{"end_turn"}),
	spans.GenAIResponseTimeToFirstChunk.Float64(0.42),
	spans.HTTPResponseStatusCode.Int(200),
	spans.URLPath.String("/v1/messages"),
	spans.ServerPort.Int(443),
}

func (p *plan) resource() *resource.Resource {
	return resource.NewSchemaless(
		attribute.String("service.name", "agentwrap"),
		attribute.String("telemetry.sdk.name", "opentelemetry"),
		attribute.String("telemetry.sdk.language", "go"),
		attribute.String("process.command_line", "claude --api-key "+p.sk),
	)
}

// spans is how many spans send sends.
func (p *plan) spans() int { return 2 + len(p.creds) }

// send exports the plan's spans with the OpenTelemetry SDK over OTLP/HTTP to
// endpoint (a base URL), the way agentwrap does.
func (p *plan) send(t *testing.T, endpoint string) {
	t.Helper()
	ctx := context.Background()
	exp, err := otlptracehttp.New(ctx, otlptracehttp.WithEndpointURL(endpoint+"/v1/traces"))
	if err != nil {
		t.Fatal(err)
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp), sdktrace.WithResource(p.resource()))
	tr := tp.Tracer("agentwrap")
	p.start(ctx, tr, "chat clean", cleanAttrs...).End()
	planted := p.start(ctx, tr, "chat planted", append(cleanAttrs,
		attribute.String("http.request.header.authorization", "Bearer "+p.sk),
		attribute.String("gen_ai.prompt", "secret prompt "+p.canaries[1]),
		spans.Notes.String("upstream echoed "+p.sk),
		spans.SourceURLs.StringSlice([]string{"https://docs.cometapi.com/api/messages", "key=" + p.sk}),
	)...)
	planted.AddEvent("exception", trace.WithAttributes(attribute.String("exception.message", p.canaries[2])))
	planted.End()
	for _, c := range p.creds {
		p.start(ctx, tr, "note "+c.Format, spans.RunID.String("run-0001"), spans.Notes.String(c.Value)).End()
	}
	if err := tp.Shutdown(ctx); err != nil {
		t.Fatalf("cannot export spans to %s: %v", endpoint, err)
	}
}

func (p *plan) start(ctx context.Context, tr trace.Tracer, name string, attrs ...attribute.KeyValue) trace.Span {
	_, s := tr.Start(ctx, name, trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(attrs...))
	p.traceIDs[name] = s.SpanContext().TraceID().String()
	return s
}

// check asserts what arrived: allowed attributes intact, unknown keys
// removed, credential values masked, the redaction counts, and trace ids
// unchanged.
func (p *plan) check(t *testing.T, got []collectortest.Span) {
	t.Helper()
	p.checkTraceIDs(t, got)
	byName := map[string]collectortest.Span{}
	for _, s := range got {
		byName[s.Span.Name()] = s
	}
	clean := kvMap(cleanAttrs)
	if s, ok := byName["chat clean"]; !ok {
		t.Error("clean span did not arrive")
	} else if attrs := s.Span.Attributes().AsRaw(); !maps.EqualFunc(attrs, clean, rawEqual) {
		t.Errorf("clean span attributes changed:\n got %v\nwant %v", attrs, clean)
	}
	if s, ok := byName["chat planted"]; !ok {
		t.Error("planted span did not arrive")
	} else {
		p.checkPlanted(t, s)
	}
	for _, c := range p.creds {
		s, ok := byName["note "+c.Format]
		if !ok {
			t.Errorf("span for %s did not arrive", c.Format)
			continue
		}
		want := mask(t, c.Value)
		if got := str(s.Span.Attributes(), string(spans.Notes)); got != want {
			t.Errorf("%s: notes arrived as %q, want %q", c.Format, got, want)
		}
	}
}

func (p *plan) checkPlanted(t *testing.T, s collectortest.Span) {
	t.Helper()
	attrs := s.Span.Attributes().AsRaw()
	want := kvMap(cleanAttrs)
	want[string(spans.Notes)] = "upstream echoed ****"
	want["redaction.redacted.count"] = int64(2) // the header and the prompt
	want["redaction.masked.count"] = int64(2)   // notes and source_urls
	urls, _ := attrs[string(spans.SourceURLs)].(string)
	if !strings.Contains(urls, "docs.cometapi.com") || !strings.Contains(urls, "key=****") {
		t.Errorf("source_urls arrived as %q, want its string form with the key masked", urls)
	}
	delete(attrs, string(spans.SourceURLs))
	delete(want, string(spans.SourceURLs))
	if !maps.EqualFunc(attrs, want, rawEqual) {
		t.Errorf("planted span attributes:\n got %v\nwant %v", attrs, want)
	}
	if s.Span.Events().Len() != 1 {
		t.Fatalf("planted span has %d events, want 1", s.Span.Events().Len())
	}
	ev := s.Span.Events().At(0).Attributes().AsRaw()
	if len(ev) != 1 || ev["redaction.redacted.count"] != int64(1) {
		t.Errorf("event attributes = %v, want only redaction.redacted.count=1", ev)
	}
	res := s.Resource.Attributes().AsRaw()
	wantRes := map[string]any{
		"service.name": "agentwrap", "telemetry.sdk.name": "opentelemetry",
		"telemetry.sdk.language": "go", "redaction.redacted.count": int64(1),
	}
	if !maps.EqualFunc(res, wantRes, rawEqual) {
		t.Errorf("resource attributes = %v, want %v", res, wantRes)
	}
}

// checkTraceIDs asserts every span kept the trace id it was sent with.
func (p *plan) checkTraceIDs(t *testing.T, got []collectortest.Span) {
	t.Helper()
	for _, s := range got {
		if want := p.traceIDs[s.Span.Name()]; s.Span.TraceID().String() != want {
			t.Errorf("span %q arrived with trace id %s, sent with %s", s.Span.Name(), s.Span.TraceID(), want)
		}
	}
}

// checkNoCanary asserts no planted secret appears in out.
func (p *plan) checkNoCanary(t *testing.T, where string, out []byte) {
	t.Helper()
	for _, c := range p.canaries {
		if strings.Contains(string(out), c) {
			t.Errorf("%s holds a planted secret (%d bytes searched)", where, len(out))
		}
	}
}

func kvMap(kvs []attribute.KeyValue) map[string]any {
	m := pcommon.NewMap()
	for _, kv := range kvs {
		switch kv.Value.Type() {
		case attribute.STRINGSLICE:
			s := m.PutEmptySlice(string(kv.Key))
			for _, v := range kv.Value.AsStringSlice() {
				s.AppendEmpty().SetStr(v)
			}
		default:
			if err := m.PutEmpty(string(kv.Key)).FromRaw(kv.Value.AsInterface()); err != nil {
				panic(err)
			}
		}
	}
	return m.AsRaw()
}

func rawEqual(a, b any) bool {
	va, vb := pcommon.NewValueEmpty(), pcommon.NewValueEmpty()
	if va.FromRaw(a) != nil || vb.FromRaw(b) != nil {
		return false
	}
	return va.Equal(vb)
}

func str(m pcommon.Map, key string) string {
	v, ok := m.Get(key)
	if !ok {
		return "<absent>"
	}
	return v.AsString()
}
