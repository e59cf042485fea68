package otlptest_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/agentwrap/agentwrap/internal/otlptest"
)

const canary = "sk-canary-otlptest-7f3a"

// recorded returns ended spans from a real tracer provider: a root span and
// a client child with attributes of several types and an error status.
func recorded(t *testing.T) []sdktrace.ReadOnlySpan {
	t.Helper()
	var rec recorder
	tp := sdktrace.NewTracerProvider(
		sdktrace.WithResource(resource.NewSchemaless(attribute.String("service.name", "agentwrap-test"))),
		sdktrace.WithSyncer(&rec))
	defer func() { _ = tp.Shutdown(context.Background()) }()
	ctx, root := tp.Tracer("otlptest").Start(context.Background(), "invoke_agent claude")
	_, child := tp.Tracer("otlptest").Start(ctx, "chat gpt-5", trace.WithSpanKind(trace.SpanKindClient))
	child.SetAttributes(
		attribute.String("agentwrap.notes", canary),
		attribute.Int64("gen_ai.usage.input_tokens", 1200),
		attribute.Float64("gen_ai.response.time_to_first_chunk", 0.25),
		attribute.Bool("agentwrap.credential_redacted", true),
		attribute.StringSlice("gen_ai.response.finish_reasons", []string{"stop", "length"}),
	)
	child.AddEvent("first_chunk")
	child.SetStatus(codes.Error, "upstream 500")
	child.End()
	root.End()
	return rec.spans
}

type recorder struct{ spans []sdktrace.ReadOnlySpan }

func (r *recorder) ExportSpans(_ context.Context, s []sdktrace.ReadOnlySpan) error {
	r.spans = append(r.spans, s...)
	return nil
}
func (r *recorder) Shutdown(context.Context) error { return nil }

func newExporter(t *testing.T, r *otlptest.Receiver, opts ...otlptracehttp.Option) *otlptrace.Exporter {
	t.Helper()
	opts = append([]otlptracehttp.Option{otlptracehttp.WithEndpointURL(r.TracesURL())}, opts...)
	exp, err := otlptracehttp.New(context.Background(), opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = exp.Shutdown(context.Background()) })
	return exp
}

func checkSpans(t *testing.T, got []otlptest.Span) {
	t.Helper()
	if len(got) != 2 {
		t.Fatalf("got %d spans, want 2", len(got))
	}
	child, root := got[0], got[1]
	if child.Name != "chat gpt-5" || child.Kind != "Client" || root.Kind != "Internal" {
		t.Errorf("names/kinds = %q %q, %q %q", child.Name, child.Kind, root.Name, root.Kind)
	}
	if child.ParentSpanID != root.SpanID || root.ParentSpanID != "" || child.TraceID != root.TraceID || len(child.TraceID) != 32 {
		t.Errorf("ids: child %+v root %+v", child, root)
	}
	if child.Str("agentwrap.notes") != canary || child.Int("gen_ai.usage.input_tokens") != 1200 ||
		child.Float("gen_ai.response.time_to_first_chunk") != 0.25 || !child.Bool("agentwrap.credential_redacted") ||
		strings.Join(child.Strs("gen_ai.response.finish_reasons"), ",") != "stop,length" {
		t.Errorf("attributes = %v", child.Attrs)
	}
	if child.Float("gen_ai.usage.input_tokens") != 1200 || child.Has("missing") || child.Str("gen_ai.usage.input_tokens") != "" {
		t.Errorf("helper conversions wrong on %v", child.Attrs)
	}
	if child.StatusCode != "Error" || child.StatusMessage != "upstream 500" || child.Events != 1 {
		t.Errorf("status %q %q, events %d", child.StatusCode, child.StatusMessage, child.Events)
	}
	if child.Resource["service.name"] != "agentwrap-test" {
		t.Errorf("resource = %v", child.Resource)
	}
	if child.Start.IsZero() || child.End.Before(child.Start) {
		t.Errorf("times %v .. %v", child.Start, child.End)
	}
}

func TestExporterProtobuf(t *testing.T) {
	r := otlptest.NewReceiver(t)
	if err := newExporter(t, r).ExportSpans(context.Background(), recorded(t)); err != nil {
		t.Fatal(err)
	}
	checkSpans(t, r.Spans())
	raw := r.Raw()
	if len(raw) != 1 || !bytes.Contains(raw[0], []byte(canary)) {
		t.Errorf("raw bodies do not hold the canary: %d bodies", len(raw))
	}
}

func TestExporterJSONAndGzip(t *testing.T) {
	for name, opts := range map[string][]otlptracehttp.Option{
		"json":      {otlptracehttp.WithEncoding(otlptracehttp.EncodingJSON)},
		"gzip":      {otlptracehttp.WithCompression(otlptracehttp.GzipCompression)},
		"json+gzip": {otlptracehttp.WithEncoding(otlptracehttp.EncodingJSON), otlptracehttp.WithCompression(otlptracehttp.GzipCompression)},
	} {
		t.Run(name, func(t *testing.T) {
			r := otlptest.NewReceiver(t)
			if err := newExporter(t, r, opts...).ExportSpans(context.Background(), recorded(t)); err != nil {
				t.Fatal(err)
			}
			checkSpans(t, r.Spans())
			if raw := r.Raw(); len(raw) != 1 || !bytes.Contains(raw[0], []byte(canary)) {
				t.Error("raw body is not decompressed or lacks the canary")
			}
		})
	}
}

func post(t *testing.T, url, ct, enc string, body []byte) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", ct)
	if enc != "" {
		req.Header.Set("Content-Encoding", enc)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out bytes.Buffer
	_, _ = out.ReadFrom(resp.Body)
	return resp, out.Bytes()
}

func jsonRequest(t *testing.T) []byte {
	t.Helper()
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", "posted")
	s := rs.ScopeSpans().AppendEmpty().Spans().AppendEmpty()
	s.SetName("posted span")
	s.Attributes().PutInt("n", 7)
	b, err := ptraceotlp.NewExportRequestFromTraces(td).MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func gzipped(t *testing.T, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestPostJSON(t *testing.T) {
	r := otlptest.NewReceiver(t)
	body := jsonRequest(t)
	for _, enc := range []string{"", "gzip"} {
		b := body
		if enc == "gzip" {
			b = gzipped(t, body)
		}
		resp, out := post(t, r.TracesURL(), "application/json; charset=utf-8", enc, b)
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != otlptest.ContentTypeJSON {
			t.Fatalf("%q: status %d, content type %q", enc, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		if err := ptraceotlp.NewExportResponse().UnmarshalJSON(out); err != nil {
			t.Errorf("%q: response is not an ExportTraceServiceResponse: %v (%s)", enc, err, out)
		}
	}
	spans, err := r.WaitSpans(2, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if spans[1].Name != "posted span" || spans[1].Int("n") != 7 || spans[1].Resource["service.name"] != "posted" {
		t.Errorf("spans = %+v", spans)
	}
}

func TestBadRequests(t *testing.T) {
	r := otlptest.NewReceiver(t)
	for _, c := range []struct {
		name, ct, enc string
		body          []byte
		want          int
	}{
		{"undecodable protobuf", otlptest.ContentTypeProto, "", []byte("\xff\xff\xff"), http.StatusBadRequest},
		{"undecodable json", otlptest.ContentTypeJSON, "", []byte("{"), http.StatusBadRequest},
		{"bad gzip", otlptest.ContentTypeJSON, "gzip", []byte("not gzip"), http.StatusBadRequest},
		{"unknown encoding", otlptest.ContentTypeJSON, "br", jsonRequest(t), http.StatusBadRequest},
		{"unknown content type", "text/plain", "", jsonRequest(t), http.StatusUnsupportedMediaType},
	} {
		if resp, _ := post(t, r.TracesURL(), c.ct, c.enc, c.body); resp.StatusCode != c.want {
			t.Errorf("%s: status %d, want %d", c.name, resp.StatusCode, c.want)
		}
	}
	resp, err := http.Get(r.TracesURL())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET: status %d", resp.StatusCode)
	}
	if n := len(r.Spans()); n != 0 {
		t.Errorf("bad requests recorded %d spans", n)
	}
}

func TestModeFail(t *testing.T) {
	r := otlptest.NewReceiver(t)
	r.SetMode(otlptest.ModeFail)
	err := newExporter(t, r).ExportSpans(context.Background(), recorded(t))
	if err == nil || !strings.Contains(err.Error(), "500") {
		t.Fatalf("export to a failing receiver: err = %v, want a 500 error", err)
	}
	if len(r.Spans()) != 0 || len(r.Raw()) != 1 {
		t.Errorf("failed export recorded %d spans, %d bodies; want 0 and 1", len(r.Spans()), len(r.Raw()))
	}
	r.SetMode(otlptest.ModeOK)
	if err := newExporter(t, r).ExportSpans(context.Background(), recorded(t)); err != nil {
		t.Fatalf("after ModeOK: %v", err)
	}
}

func TestModeFailStatusBody(t *testing.T) {
	r := otlptest.NewReceiver(t)
	r.SetMode(otlptest.ModeUnavailable)
	resp, out := post(t, r.TracesURL(), otlptest.ContentTypeJSON, "", jsonRequest(t))
	if resp.StatusCode != http.StatusServiceUnavailable || !bytes.Contains(out, []byte(`"code":14`)) {
		t.Errorf("503 answer: %d %s", resp.StatusCode, out)
	}
}

func TestModeUnavailableRetriesUntilDeadline(t *testing.T) {
	r := otlptest.NewReceiver(t)
	r.SetMode(otlptest.ModeUnavailable)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	err := newExporter(t, r).ExportSpans(ctx, recorded(t))
	if err == nil || ctx.Err() == nil {
		t.Fatalf("err = %v, ctx.Err() = %v; want an error once the deadline passed", err, ctx.Err())
	}
}

func TestModeHang(t *testing.T) {
	r := otlptest.NewReceiver(t)
	r.SetMode(otlptest.ModeHang)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	err := newExporter(t, r).ExportSpans(ctx, recorded(t))
	if err == nil || ctx.Err() == nil {
		t.Fatalf("err = %v, ctx.Err() = %v; want the export to block until the deadline", err, ctx.Err())
	}
	if len(r.Spans()) != 0 {
		t.Error("a hung request recorded spans")
	}
}

func TestModeHangReleasedOnClose(t *testing.T) {
	done := make(chan error, 1)
	t.Run("receiver", func(t *testing.T) {
		r := otlptest.NewReceiver(t)
		r.SetMode(otlptest.ModeHang)
		body := jsonRequest(t)
		go func() {
			resp, err := http.Post(r.TracesURL(), otlptest.ContentTypeJSON, bytes.NewReader(body))
			if err == nil {
				resp.Body.Close()
			}
			done <- err
		}()
		if _, err := r.WaitSpans(1, 100*time.Millisecond); err == nil {
			t.Error("a hung request delivered spans")
		}
	})
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("closing the receiver did not release the hung request")
	}
}

func TestWaitSpans(t *testing.T) {
	r := otlptest.NewReceiver(t)
	body := jsonRequest(t)
	go func() {
		time.Sleep(20 * time.Millisecond)
		resp, err := http.Post(r.TracesURL(), otlptest.ContentTypeJSON, bytes.NewReader(body))
		if err == nil {
			resp.Body.Close()
		}
	}()
	spans, err := r.WaitSpans(1, 10*time.Second)
	if err != nil || len(spans) != 1 {
		t.Fatalf("WaitSpans = %d spans, %v", len(spans), err)
	}
	spans, err = r.WaitSpans(2, 10*time.Millisecond)
	if err == nil || len(spans) != 1 || !strings.Contains(err.Error(), "got 1 spans") {
		t.Errorf("WaitSpans beyond what arrived = %d spans, %v", len(spans), err)
	}
}

func TestURLs(t *testing.T) {
	r := otlptest.NewReceiver(t)
	if !strings.HasPrefix(r.URL(), "http://127.0.0.1:") || r.TracesURL() != r.URL()+"/v1/traces" {
		t.Errorf("URL %q, TracesURL %q", r.URL(), r.TracesURL())
	}
	if otlptest.ModeHang.String() != "hang" || otlptest.Mode(9).String() != "Mode(9)" {
		t.Error("mode names")
	}
}

// TestEnvEndpoint shows URL is what OTEL_EXPORTER_OTLP_ENDPOINT takes.
func TestEnvEndpoint(t *testing.T) {
	r := otlptest.NewReceiver(t)
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", r.URL())
	exp, err := otlptracehttp.New(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = exp.Shutdown(context.Background()) }()
	if err := exp.ExportSpans(context.Background(), recorded(t)); err != nil {
		t.Fatal(err)
	}
	checkSpans(t, r.Spans())
}
