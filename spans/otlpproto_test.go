package spans

import (
	"context"
	"encoding/binary"
	"math"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/agentwrap/agentwrap/call"
	"github.com/agentwrap/agentwrap/spans/runfile"
)

// decodeRequest decodes an encoded ExportTraceServiceRequest with pdata's
// generated protobuf decoder, as a collector does.
func decodeRequest(t testing.TB, b []byte) ptrace.Traces {
	t.Helper()
	req := ptraceotlp.NewExportRequest()
	if err := req.UnmarshalProto(b); err != nil {
		t.Fatalf("the collector's decoder refuses the request: %v", err)
	}
	return req.Traces()
}

// sameTraces compares two Traces through their OTLP JSON.
func sameTraces(t testing.TB, got, want ptrace.Traces) {
	t.Helper()
	var m ptrace.JSONMarshaler
	g, err := m.MarshalTraces(got)
	if err != nil {
		t.Fatal(err)
	}
	w, err := m.MarshalTraces(want)
	if err != nil {
		t.Fatal(err)
	}
	if string(g) != string(w) {
		t.Fatalf("decoded request differs from the spans:\n got %s\nwant %s", g, w)
	}
}

// every attribute type, empty and odd values included.
var allTypes = []attribute.KeyValue{
	attribute.String("s", "chat gpt-5 \x00\xff é"), attribute.String("empty", ""),
	attribute.Bool("t", true), attribute.Bool("f", false),
	attribute.Int64("neg", -1), attribute.Int64("max", math.MaxInt64), attribute.Int64("zero", 0),
	attribute.Float64("pi", 3.14159), attribute.Float64("nan", math.NaN()), attribute.Float64("inf", math.Inf(-1)),
	attribute.Float64("fzero", 0),
	attribute.StringSlice("ss", []string{"stop", "", "length"}), attribute.StringSlice("ss0", nil),
	attribute.BoolSlice("bs", []bool{true, false}), attribute.Int64Slice("is", []int64{1, -2, 1 << 40}),
	attribute.Float64Slice("fs", []float64{0.5, -0}),
	attribute.String("long", string(make([]byte, 300))),
}

func TestProtoEncodingDecodesToTheSpans(t *testing.T) {
	res := resource.NewWithAttributes("https://opentelemetry.io/schemas/1.41.0",
		attribute.String("service.name", "agentwrap"), attribute.String("service.version", "dev"))
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithResource(res), sdktrace.WithSpanProcessor(rec))
	tr := tp.Tracer(ScopeName, trace.WithInstrumentationVersion("1.2.3"), trace.WithSchemaURL("https://opentelemetry.io/schemas/1.41.0"))
	ctx, root := tr.Start(context.Background(), "invoke_agent claude", trace.WithSpanKind(trace.SpanKindInternal))
	_, a := tr.Start(ctx, "chat gpt-5", trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(allTypes...))
	a.SetStatus(codes.Error, "unexpected_response: 502")
	a.AddEvent("event", trace.WithAttributes(attribute.Int("n", 1)))
	a.End()
	_, b := tr.Start(ctx, "", trace.WithLinks(trace.Link{SpanContext: root.SpanContext(), Attributes: []attribute.KeyValue{attribute.String("l", "x")}}))
	b.SetStatus(codes.Ok, "")
	b.End()
	// A remote parent, trace state and a span of a second scope.
	remote := trace.NewSpanContext(trace.SpanContextConfig{TraceID: trace.TraceID{1}, SpanID: trace.SpanID{2},
		TraceFlags: trace.FlagsSampled, Remote: true})
	ts, _ := trace.ParseTraceState("k=v")
	_, c := tp.Tracer("other").Start(trace.ContextWithRemoteSpanContext(context.Background(), remote.WithTraceState(ts)), "remote child")
	c.End()
	root.End()
	got := rec.Ended()
	if len(got) != 4 {
		t.Fatalf("%d spans", len(got))
	}
	// Spans of one scope together: ToTraces groups them so too.
	got[2], got[3] = got[3], got[2]
	enc := appendExportRequest(nil, got)
	sameTraces(t, decodeRequest(t, enc), runfile.ToTraces(got))

	// Appending to a buffer with bytes in it leaves them alone.
	prefix := []byte("prefix")
	enc2 := appendExportRequest(append([]byte(nil), prefix...), got)
	if string(enc2[:len(prefix)]) != "prefix" || string(enc2[len(prefix):]) != string(enc) {
		t.Error("appendExportRequest does not append")
	}
	// nil entries are skipped; no span is an empty request.
	if e := appendExportRequest(nil, []sdktrace.ReadOnlySpan{nil, got[0], nil}); string(e) != string(appendExportRequest(nil, got[:1])) {
		t.Error("nil spans change the request")
	}
	if e := appendExportRequest(nil, nil); len(e) != 0 {
		t.Errorf("no span encodes as %x", e)
	}
}

func TestProtoEncodingGroupsResources(t *testing.T) {
	var all []sdktrace.ReadOnlySpan
	for i, name := range []string{"a", "a", "b", "a"} {
		stub := tracetest.SpanStub{
			Name:      "span " + name,
			Resource:  resource.NewSchemaless(attribute.String("service.name", name)),
			StartTime: time.Unix(1, int64(i)), EndTime: time.Unix(2, 0),
			SpanContext: trace.NewSpanContext(trace.SpanContextConfig{TraceID: trace.TraceID{byte(i + 1)}, SpanID: trace.SpanID{byte(i + 1)}}),
		}
		all = append(all, stub.Snapshot())
	}
	td := decodeRequest(t, appendExportRequest(nil, all))
	var names, services []string
	for _, rs := range td.ResourceSpans().All() {
		svc, _ := rs.Resource().Attributes().Get("service.name")
		services = append(services, svc.Str())
		for _, ss := range rs.ScopeSpans().All() {
			for _, s := range ss.Spans().All() {
				names = append(names, s.Name())
			}
		}
	}
	if got := len(names); got != 4 || names[0] != "span a" || names[2] != "span b" || names[3] != "span a" {
		t.Errorf("spans %q", names)
	}
	if len(services) != 3 || services[0] != "a" || services[1] != "b" || services[2] != "a" {
		t.Errorf("resources %q: want one per run of equal resources", services)
	}
}

// FuzzProtoEncoding: attributes of every type and value decode, with
// pdata's decoder, to what the run file's converter makes of the span.
func FuzzProtoEncoding(f *testing.F) {
	f.Add([]byte("\x00key\x00value"), "chat", uint8(1))
	f.Add([]byte("\x05k\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09"), "", uint8(2))
	f.Fuzz(func(t *testing.T, data []byte, name string, status uint8) {
		var kvs []attribute.KeyValue
		for len(data) > 1 {
			typ, rest := data[0]%9, data[1:]
			key, rest := cut(rest)
			val, rest := cut(rest)
			data = rest
			var n int64
			if len(val) >= 8 {
				n = int64(binary.LittleEndian.Uint64([]byte(val)))
			}
			switch typ {
			case 0:
				kvs = append(kvs, attribute.String(key, val))
			case 1:
				kvs = append(kvs, attribute.Bool(key, len(val)%2 == 0))
			case 2:
				kvs = append(kvs, attribute.Int64(key, n))
			case 3:
				kvs = append(kvs, attribute.Float64(key, math.Float64frombits(uint64(n))))
			case 4:
				kvs = append(kvs, attribute.StringSlice(key, []string{val, key}))
			case 5:
				kvs = append(kvs, attribute.Int64Slice(key, []int64{n, -n}))
			case 6:
				kvs = append(kvs, attribute.BoolSlice(key, []bool{n > 0}))
			case 7:
				kvs = append(kvs, attribute.Float64Slice(key, []float64{float64(n)}))
			default:
				kvs = append(kvs, attribute.String(key, key+val))
			}
		}
		stub := tracetest.SpanStub{
			Name: name, Attributes: kvs, SpanKind: trace.SpanKind(status % 7),
			Status:    sdktrace.Status{Code: codes.Code(status % 3), Description: name},
			StartTime: time.Unix(0, int64(status)), EndTime: time.Unix(int64(status), 0),
			Resource: resource.NewSchemaless(attribute.String("service.name", "agentwrap")),
			SpanContext: trace.NewSpanContext(trace.SpanContextConfig{TraceID: trace.TraceID{status}, SpanID: trace.SpanID{1, status},
				TraceFlags: trace.TraceFlags(status)}),
		}
		if stub.Status.Code != codes.Error {
			stub.Status.Description = ""
		}
		spans := []sdktrace.ReadOnlySpan{stub.Snapshot()}
		sameTraces(t, decodeRequest(t, appendExportRequest(nil, spans)), runfile.ToTraces(spans))
	})
}

// cut splits b at its first NUL byte.
func cut(b []byte) (string, []byte) {
	for i, c := range b {
		if c == 0 {
			return string(b[:i]), b[i+1:]
		}
	}
	return string(b), nil
}

// BenchmarkProtoEncoding compares the encoding of a batch of call spans
// with what OTLP exporting cost before it: pdata's conversion and
// generated encoder (the OTel exporter's structs cost more still).
func BenchmarkProtoEncoding(b *testing.B) {
	c := okCall()
	c.RequestModel, c.ResponseModel, c.ResponseID, c.UserAgent = "gpt-5", "gpt-5-2025-08-07", "chatcmpl-abc123", "codex_cli_rs/0.40.0"
	c.Start, c.End = time.Now(), time.Now().Add(time.Second)
	c.Usage = call.Usage{Input: 12034, Output: 812, CacheRead: 11000, CacheCreation: -1, Reasoning: -1}
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	r := NewRecorder(tp.Tracer(ScopeName), context.Background(), "bench", func(s string) string { return s })
	r.Observe(&c)
	one := rec.Ended()[0]
	batch := make([]sdktrace.ReadOnlySpan, 512)
	for i := range batch {
		batch[i] = one
	}
	perSpan := func(b *testing.B) {
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(batch)), "ns/span")
	}
	b.Run("direct", func(b *testing.B) {
		b.ReportAllocs()
		var buf []byte
		for b.Loop() {
			buf = appendExportRequest(buf[:0], batch)
		}
		perSpan(b)
	})
	b.Run("pdata", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := ptraceotlp.NewExportRequestFromTraces(runfile.ToTraces(batch)).MarshalProto(); err != nil {
				b.Fatal(err)
			}
		}
		perSpan(b)
	})
}
