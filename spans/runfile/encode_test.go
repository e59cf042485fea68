package runfile

import (
	"bytes"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/sdk/instrumentation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
)

// pdataLine is the line the general path writes for spans.
func pdataLine(t *testing.T, spans []sdktrace.ReadOnlySpan) []byte {
	t.Helper()
	line, err := encodeLine(ToTraces(spans))
	if err != nil {
		t.Fatal(err)
	}
	return line
}

// checkSameLine asserts that the fast encoder writes spans byte for byte as
// the pdata path does, and that the line reads back. It reports whether the
// fast encoder took the batch.
func checkSameLine(t *testing.T, e *Exporter, spans []sdktrace.ReadOnlySpan) bool {
	t.Helper()
	want := pdataLine(t, spans)
	got, ok := e.appendLine(nil, spans)
	if !ok {
		if groups(ToTraces(spans)) == 1 {
			t.Fatal("fast encoder refused a batch of one resource and scope")
		}
		return false
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("fast encoder line differs from pdata's:\n got %s\nwant %s", got, want)
	}
	var u ptrace.JSONUnmarshaler
	td, err := u.UnmarshalTraces(bytes.TrimSuffix(got, []byte("\n")))
	if err != nil {
		t.Fatalf("fast line does not read back: %v", err)
	}
	if td.SpanCount() != countSpans(spans) {
		t.Fatalf("read back %d spans, wrote %d", td.SpanCount(), countSpans(spans))
	}
	return true
}

func groups(td ptrace.Traces) int {
	n := 0
	for i := range td.ResourceSpans().Len() {
		n += td.ResourceSpans().At(i).ScopeSpans().Len()
	}
	return n
}

func countSpans(spans []sdktrace.ReadOnlySpan) int {
	n := 0
	for _, s := range spans {
		if s != nil {
			n++
		}
	}
	return n
}

func TestFastLineMatchesPdataRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	e := &Exporter{}
	fast := 0
	for i := range 400 {
		res, scope := randResource(r), randScope(r)
		n := 1 + r.IntN(3)
		spans := make([]sdktrace.ReadOnlySpan, 0, n+1)
		for range n {
			spans = append(spans, randStub(r, res, scope).Snapshot())
		}
		if i%7 == 0 {
			spans = append(spans, nil)
		}
		if checkSameLine(t, e, spans) {
			fast++
		}
	}
	if fast < 350 {
		t.Errorf("fast encoder took %d of 400 batches", fast)
	}
}

func TestFastLineEdgeValues(t *testing.T) {
	e := &Exporter{}
	floats := []float64{0, math.Copysign(0, -1), 1, -1.5, 1e-7, 1e-6, 1e20, 1e21, -1e300, 5e-324, math.MaxFloat64,
		math.NaN(), math.Inf(1), math.Inf(-1), 0.1, 123456789.125}
	for _, f := range floats {
		s := stubWith(attribute.Float64("f", f), attribute.Float64Slice("fs", []float64{f, f}))
		checkSameLine(t, e, []sdktrace.ReadOnlySpan{s.Snapshot()})
	}
	strs := []string{"", "\"\\/", "\x00\x01\x1f\x7f", "\n\r\t\b\f", "é€😀", "\xff\xfe bad", "<&>", "\u2028\u2029"}
	for _, str := range strs {
		s := stubWith(attribute.String(str, str), attribute.StringSlice("ss", []string{str}))
		s.Name, s.Status = str, sdktrace.Status{Code: codes.Error, Description: str}
		checkSameLine(t, e, []sdktrace.ReadOnlySpan{s.Snapshot()})
	}
	empty := []attribute.KeyValue{
		attribute.StringSlice("a", nil), attribute.BoolSlice("b", nil), attribute.Int64Slice("c", nil),
		attribute.Float64Slice("d", nil), attribute.ByteSlice("e", nil), attribute.Slice("f"), attribute.Map("g"),
		{Key: "h"}, attribute.String("", "no key"), attribute.Int64("i", math.MinInt64),
	}
	checkSameLine(t, e, []sdktrace.ReadOnlySpan{stubWith(empty...).Snapshot()})
	dups := stubWith(attribute.String("k", "1"), attribute.Int("j", 1), attribute.String("k", "2"))
	dups.Events = []sdktrace.Event{{Name: "e", Attributes: []attribute.KeyValue{attribute.Int("x", 1), attribute.Int("x", 2)}}}
	checkSameLine(t, e, []sdktrace.ReadOnlySpan{dups.Snapshot()})
	var many []attribute.KeyValue
	for i := range 100 {
		many = append(many, attribute.Int(string(rune('a'+i%40))+"key", i))
	}
	checkSameLine(t, e, []sdktrace.ReadOnlySpan{stubWith(many...).Snapshot()})
	nilRes := stubWith()
	nilRes.Resource = nil
	checkSameLine(t, e, []sdktrace.ReadOnlySpan{nilRes.Snapshot()})
	zero := tracetest.SpanStub{StartTime: time.Unix(-5, 0), Status: sdktrace.Status{Code: codes.Ok}}
	checkSameLine(t, e, []sdktrace.ReadOnlySpan{zero.Snapshot()})
}

func TestFastLineRefusesMixedBatches(t *testing.T) {
	e := &Exporter{}
	a, b := stubWith(), stubWith()
	b.Resource = resource.NewSchemaless(attribute.String("service.name", "other"))
	if _, ok := e.appendLine(nil, []sdktrace.ReadOnlySpan{a.Snapshot(), b.Snapshot()}); ok {
		t.Error("batch of two resources took the fast path")
	}
	b = stubWith()
	b.InstrumentationScope = instrumentation.Scope{Name: "other"}
	if _, ok := e.appendLine(nil, []sdktrace.ReadOnlySpan{a.Snapshot(), b.Snapshot()}); ok {
		t.Error("batch of two scopes took the fast path")
	}
	if _, ok := e.appendLine(nil, []sdktrace.ReadOnlySpan{nil}); ok {
		t.Error("batch of no span took the fast path")
	}
}

var stubRes = resource.NewSchemaless(attribute.String("service.name", "t"))

func stubWith(attrs ...attribute.KeyValue) tracetest.SpanStub {
	return tracetest.SpanStub{
		Name: "s",
		SpanContext: trace.NewSpanContext(trace.SpanContextConfig{
			TraceID: trace.TraceID{1}, SpanID: trace.SpanID{2}, TraceFlags: trace.FlagsSampled,
		}),
		StartTime: time.Unix(1, 5), EndTime: time.Unix(2, 0),
		Attributes: attrs, Resource: stubRes,
	}
}

const alphabet = "ab\"\\\n\t\x01é😀\xff<>/ z"

func randString(r *rand.Rand) string {
	var sb strings.Builder
	runes := []rune(alphabet)
	for range r.IntN(12) {
		if r.IntN(10) == 0 {
			sb.WriteByte(0xff)
			continue
		}
		sb.WriteRune(runes[r.IntN(len(runes))])
	}
	return sb.String()
}

func randFloat(r *rand.Rand) float64 {
	switch r.IntN(8) {
	case 0:
		return math.NaN()
	case 1:
		return math.Inf(1 - 2*r.IntN(2))
	case 2:
		return r.NormFloat64() * 1e-9
	case 3:
		return r.NormFloat64() * 1e25
	case 4:
		return float64(r.IntN(1000))
	}
	return r.NormFloat64() * 1000
}

func randValue(r *rand.Rand, depth int) attribute.Value {
	switch r.IntN(12) {
	case 0:
		return attribute.BoolValue(r.IntN(2) == 0)
	case 1:
		return attribute.Int64Value(r.Int64() - r.Int64())
	case 2:
		return attribute.Float64Value(randFloat(r))
	case 3:
		return attribute.StringSliceValue([]string{randString(r), randString(r)}[:r.IntN(3)])
	case 4:
		return attribute.BoolSliceValue([]bool{true, false, true}[:r.IntN(4)])
	case 5:
		return attribute.Int64SliceValue([]int64{r.Int64(), -1}[:r.IntN(3)])
	case 6:
		return attribute.Float64SliceValue([]float64{randFloat(r), randFloat(r)}[:r.IntN(3)])
	case 7:
		b := make([]byte, r.IntN(6))
		for i := range b {
			b[i] = byte(r.IntN(256))
		}
		return attribute.ByteSliceValue(b)
	case 8:
		if depth < 2 {
			return attribute.SliceValue(randValue(r, depth+1), randValue(r, depth+1))
		}
	case 9:
		if depth < 2 {
			return attribute.MapValue(randAttrs(r, depth+1, 3)...)
		}
	case 10:
		return attribute.Value{}
	}
	return attribute.StringValue(randString(r))
}

func randAttrs(r *rand.Rand, depth, maxN int) []attribute.KeyValue {
	kvs := make([]attribute.KeyValue, r.IntN(maxN+1))
	for i := range kvs {
		k := "k" + string(rune('a'+r.IntN(20)))
		if r.IntN(10) == 0 {
			k = randString(r)
		}
		kvs[i] = attribute.KeyValue{Key: attribute.Key(k), Value: randValue(r, depth)}
	}
	return kvs
}

func randResource(r *rand.Rand) *resource.Resource {
	switch r.IntN(4) {
	case 0:
		return nil
	case 1:
		return resource.NewWithAttributes("https://example.com/"+randString(r), randAttrs(r, 0, 4)...)
	}
	return resource.NewSchemaless(randAttrs(r, 0, 6)...)
}

func randScope(r *rand.Rand) instrumentation.Scope {
	s := instrumentation.Scope{Name: randString(r), Version: randString(r)}
	if r.IntN(2) == 0 {
		s.SchemaURL = randString(r)
		s.Attributes = attribute.NewSet(randAttrs(r, 0, 3)...)
	}
	return s
}

func randSpanContext(r *rand.Rand) trace.SpanContext {
	var tid trace.TraceID
	var sid trace.SpanID
	if r.IntN(8) > 0 {
		tid[r.IntN(16)] = byte(1 + r.IntN(255))
		sid[r.IntN(8)] = byte(1 + r.IntN(255))
	}
	cfg := trace.SpanContextConfig{TraceID: tid, SpanID: sid, TraceFlags: trace.TraceFlags(r.IntN(256)), Remote: r.IntN(2) == 0}
	if r.IntN(3) == 0 {
		cfg.TraceState, _ = trace.ParseTraceState("a=1,vendor=x" + string(rune('a'+r.IntN(26))))
	}
	return trace.NewSpanContext(cfg)
}

func randTime(r *rand.Rand) time.Time {
	switch r.IntN(5) {
	case 0:
		return time.Time{}
	case 1:
		return time.Unix(-r.Int64N(1e9), 0)
	}
	return time.Unix(0, r.Int64N(math.MaxInt64))
}

func randStub(r *rand.Rand, res *resource.Resource, scope instrumentation.Scope) tracetest.SpanStub {
	s := tracetest.SpanStub{
		Name: randString(r), SpanContext: randSpanContext(r), Parent: randSpanContext(r),
		SpanKind: trace.SpanKind(r.IntN(7)), StartTime: randTime(r), EndTime: randTime(r),
		Attributes: randAttrs(r, 0, 8), DroppedAttributes: r.IntN(3) - 1,
		DroppedEvents: r.IntN(3), DroppedLinks: r.IntN(3),
		Status:   sdktrace.Status{Code: codes.Code(r.IntN(4)), Description: randString(r)},
		Resource: res, InstrumentationScope: scope,
	}
	for range r.IntN(3) {
		s.Events = append(s.Events, sdktrace.Event{Name: randString(r), Time: randTime(r),
			Attributes: randAttrs(r, 0, 3), DroppedAttributeCount: r.IntN(2)})
	}
	for range r.IntN(3) {
		s.Links = append(s.Links, sdktrace.Link{SpanContext: randSpanContext(r),
			Attributes: randAttrs(r, 0, 3), DroppedAttributeCount: r.IntN(2)})
	}
	return s
}
