package spans

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/agentwrap/agentwrap/internal/otlptest"
	"github.com/agentwrap/agentwrap/spans/runfile"
)

func testSpans(n int) []sdktrace.ReadOnlySpan {
	out := make([]sdktrace.ReadOnlySpan, n)
	for i := range out {
		out[i] = tracetest.SpanStub{
			Name: "chat gpt-5", Attributes: []attribute.KeyValue{RunID.String("run-1"), GenAIRequestModel.String("gpt-5")},
			StartTime: time.Unix(1, 0), EndTime: time.Unix(2, 0),
			SpanContext: trace.NewSpanContext(trace.SpanContextConfig{TraceID: trace.TraceID{1}, SpanID: trace.SpanID{byte(i + 1)}}),
		}.Snapshot()
	}
	return out
}

func testExporter(t *testing.T, url string, edit func(*ExportConfig)) *protoExporter {
	t.Helper()
	c := ExportConfig{Protocol: ProtocolHTTPProtobuf, URL: url, Timeout: 5 * time.Second,
		Headers: map[string]string{"X-Team": "platform"}}
	if edit != nil {
		edit(&c)
	}
	e := newProtoExporter(c)
	e.retry = retryPolicy{initial: 10 * time.Millisecond, max: 40 * time.Millisecond, elapsed: 5 * time.Second}
	t.Cleanup(func() { _ = e.Shutdown(context.Background()) })
	return e
}

// TestProtoExporterToAReceiver: plain and gzip-compressed requests reach an
// OTLP receiver whole, with the configured headers.
func TestProtoExporterToAReceiver(t *testing.T) {
	for _, gz := range []bool{false, true} {
		rcv := otlptest.NewReceiver(t)
		e := testExporter(t, rcv.TracesURL(), func(c *ExportConfig) { c.Gzip = gz })
		in := testSpans(3)
		if err := e.ExportSpans(context.Background(), in); err != nil {
			t.Fatalf("gzip %v: %v", gz, err)
		}
		got := rcv.Traces()
		if len(got) != 1 {
			t.Fatalf("gzip %v: %d requests", gz, len(got))
		}
		sameTraces(t, got[0], runfile.ToTraces(in))
		h := rcv.Headers()[0]
		if h.Get("X-Team") != "platform" || h.Get("Content-Type") != "application/x-protobuf" || h.Get("User-Agent") != userAgent {
			t.Errorf("gzip %v: headers %v", gz, h)
		}
		if gz != (h.Get("Content-Encoding") == "gzip") {
			t.Errorf("gzip %v: Content-Encoding %q", gz, h.Get("Content-Encoding"))
		}
	}
}

// collector answers each export with the next of replies (the last one
// repeats) and counts the attempts.
type collector struct {
	replies  []func(w http.ResponseWriter)
	attempts atomic.Int32
}

func (c *collector) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, r.Body)
	n := int(c.attempts.Add(1)) - 1
	c.replies[min(n, len(c.replies)-1)](w)
}

func status(code int, header ...string) func(w http.ResponseWriter) {
	return func(w http.ResponseWriter) {
		for i := 0; i+1 < len(header); i += 2 {
			w.Header().Set(header[i], header[i+1])
		}
		w.WriteHeader(code)
		_, _ = io.WriteString(w, http.StatusText(code))
	}
}

func TestProtoExporterRetries(t *testing.T) {
	t.Run("retryable statuses until success", func(t *testing.T) {
		c := &collector{replies: []func(http.ResponseWriter){status(503), status(429), status(502), status(504), status(200)}}
		srv := httptest.NewServer(c)
		defer srv.Close()
		if err := testExporter(t, srv.URL, nil).ExportSpans(context.Background(), testSpans(1)); err != nil {
			t.Fatal(err)
		}
		if n := c.attempts.Load(); n != 5 {
			t.Errorf("%d attempts, want 5", n)
		}
	})
	t.Run("permanent failure at once", func(t *testing.T) {
		c := &collector{replies: []func(http.ResponseWriter){status(400)}}
		srv := httptest.NewServer(c)
		defer srv.Close()
		err := testExporter(t, srv.URL, nil).ExportSpans(context.Background(), testSpans(1))
		if err == nil || !strings.Contains(err.Error(), "400 Bad Request") {
			t.Errorf("error %v, want the status", err)
		}
		if n := c.attempts.Load(); n != 1 {
			t.Errorf("%d attempts of a permanent failure", n)
		}
	})
	t.Run("Retry-After is honoured", func(t *testing.T) {
		c := &collector{replies: []func(http.ResponseWriter){status(503, "Retry-After", "1"), status(200)}}
		srv := httptest.NewServer(c)
		defer srv.Close()
		start := time.Now()
		if err := testExporter(t, srv.URL, nil).ExportSpans(context.Background(), testSpans(1)); err != nil {
			t.Fatal(err)
		}
		// Jitter waits at least half the interval asked for.
		if d := time.Since(start); d < 500*time.Millisecond {
			t.Errorf("retried after %s, before the Retry-After of 1 s allows", d)
		}
	})
	t.Run("gives up within the context", func(t *testing.T) {
		c := &collector{replies: []func(http.ResponseWriter){status(503)}}
		srv := httptest.NewServer(c)
		defer srv.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		defer cancel()
		err := testExporter(t, srv.URL, nil).ExportSpans(ctx, testSpans(1))
		if err == nil || !strings.Contains(err.Error(), "503") {
			t.Errorf("error %v, want the last status", err)
		}
	})
	t.Run("shutdown ends a retry wait", func(t *testing.T) {
		c := &collector{replies: []func(http.ResponseWriter){status(503, "Retry-After", "30")}}
		srv := httptest.NewServer(c)
		defer srv.Close()
		e := testExporter(t, srv.URL, nil)
		done := make(chan error, 1)
		go func() { done <- e.ExportSpans(context.Background(), testSpans(1)) }()
		for c.attempts.Load() == 0 {
			time.Sleep(time.Millisecond)
		}
		_ = e.Shutdown(context.Background())
		select {
		case err := <-done:
			if err == nil {
				t.Error("an export ended by shutdown reports success")
			}
		case <-time.After(10 * time.Second):
			t.Fatal("shutdown did not end the retry wait")
		}
		if err := e.ExportSpans(context.Background(), testSpans(1)); err == nil {
			t.Error("export after shutdown succeeded")
		}
	})
	t.Run("connection refused at once", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		url := "http://" + ln.Addr().String() + "/v1/traces"
		ln.Close()
		if err := testExporter(t, url, nil).ExportSpans(context.Background(), testSpans(1)); err == nil {
			t.Error("export to a closed port succeeded")
		}
	})
}

// TestProtoExporterReplies: a partial success is an error naming the
// rejected spans; a huge or hostile error reply is cut to one bounded line.
func TestProtoExporterReplies(t *testing.T) {
	partial := ptraceotlp.NewExportResponse()
	partial.PartialSuccess().SetRejectedSpans(2)
	partial.PartialSuccess().SetErrorMessage("spans too old")
	body, err := partial.MarshalProto()
	if err != nil {
		t.Fatal(err)
	}
	c := &collector{replies: []func(http.ResponseWriter){func(w http.ResponseWriter) {
		w.Header().Set("Content-Type", "application/x-protobuf")
		_, _ = w.Write(body)
	}}}
	srv := httptest.NewServer(c)
	defer srv.Close()
	err = testExporter(t, srv.URL, nil).ExportSpans(context.Background(), testSpans(3))
	if err == nil || !strings.Contains(err.Error(), "2 spans rejected") || !strings.Contains(err.Error(), "spans too old") {
		t.Errorf("partial success: %v", err)
	}

	huge := &collector{replies: []func(http.ResponseWriter){func(w http.ResponseWriter) {
		w.WriteHeader(http.StatusBadRequest)
		_, _ = io.WriteString(w, "<html>\n"+strings.Repeat("x", 8<<20))
	}}}
	srv2 := httptest.NewServer(huge)
	defer srv2.Close()
	err = testExporter(t, srv2.URL, nil).ExportSpans(context.Background(), testSpans(1))
	if err == nil || len(err.Error()) > 400 || strings.Contains(err.Error(), "\n") {
		t.Errorf("error reply not bounded to a line: %.120q (%d bytes)", err, len(err.Error()))
	}
}

func TestRetryAfter(t *testing.T) {
	for v, want := range map[string]time.Duration{"": 0, "3": 3 * time.Second, "x": 0, "-1": 0} {
		if got := retryAfter(v); got != want {
			t.Errorf("retryAfter(%q) = %s, want %s", v, got, want)
		}
	}
	if d := retryAfter(time.Now().Add(time.Minute).UTC().Format(http.TimeFormat)); d < 50*time.Second || d > time.Minute {
		t.Errorf("an HTTP date a minute ahead gives %s", d)
	}
}
