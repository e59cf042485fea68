package otlptest

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pmetric/pmetricotlp"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
	"google.golang.org/grpc"
)

// TracesPath and MetricsPath are the OTLP/HTTP paths of traces and
// metrics.
const (
	TracesPath  = "/v1/traces"
	MetricsPath = "/v1/metrics"
)

// Content types of OTLP/HTTP.
const (
	ContentTypeProto = "application/x-protobuf"
	ContentTypeJSON  = "application/json"
)

// Mode is how the receiver answers export requests.
type Mode int

const (
	// ModeOK accepts every well-formed request and records its spans.
	ModeOK Mode = iota
	// ModeFail answers 500 Internal Server Error with a google.rpc.Status
	// body (over gRPC, status Internal). OTLP exporters treat both as
	// permanent and do not retry, so an export fails at once.
	ModeFail
	// ModeUnavailable answers 503 Service Unavailable with a Status body
	// (over gRPC, status Unavailable), like an overloaded collector. OTLP
	// exporters retry both with backoff until their timeout, so this mode
	// exercises flush deadlines.
	ModeUnavailable
	// ModeHang reads the request and then holds it, answering nothing,
	// until the client goes away or the receiver is closed.
	ModeHang
)

// String returns the mode's name.
func (m Mode) String() string {
	switch m {
	case ModeOK:
		return "ok"
	case ModeFail:
		return "fail"
	case ModeUnavailable:
		return "unavailable"
	case ModeHang:
		return "hang"
	}
	return fmt.Sprintf("Mode(%d)", int(m))
}

// Receiver is an OTLP trace receiver on a loopback port: OTLP/HTTP
// (NewReceiver, Start) or OTLP/gRPC (NewGRPCReceiver). Over HTTP it accepts
// POST /v1/traces in protobuf or JSON, plain or gzip-compressed, and
// answers an ExportTraceServiceResponse in the request's encoding. It
// records every request's spans, flattened (Spans) and as pdata (Traces),
// and its body (Raw), and answers as its Mode says. It receives metrics the
// same way (POST /v1/metrics, the gRPC metrics service): Metrics. A counting receiver
// (WithCountOnly) only counts spans. It is safe for concurrent use.
type Receiver struct {
	srv       *http.Server
	grpc      *grpc.Server
	addr      string // host:port
	closing   chan struct{}
	closeOnce sync.Once
	countOnly bool
	count     atomic.Int64

	mu      sync.Mutex
	mode    Mode
	spans   []Span
	traces  []ptrace.Traces
	raw     [][]byte
	headers []http.Header
	points  []Point
	arrived chan struct{} // closed and replaced whenever spans or points arrive
}

// Option configures a Receiver.
type Option func(*Receiver)

// WithCountOnly makes an OTLP/HTTP receiver count the spans of protobuf
// requests in ModeOK by walking the wire format, without decoding or
// keeping them (SpanCount): a collector in another process, whose own work
// should weigh as little as possible on what is measured in this one (the
// benchmark harness's sink).
func WithCountOnly() Option { return func(r *Receiver) { r.countOnly = true } }

func newReceiver(opts []Option) *Receiver {
	r := &Receiver{closing: make(chan struct{}), arrived: make(chan struct{})}
	for _, o := range opts {
		o(r)
	}
	return r
}

// Start starts an OTLP/HTTP receiver in ModeOK on 127.0.0.1, for use
// outside tests; Close stops it.
func Start(opts ...Option) (*Receiver, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("cannot start the OTLP receiver: %w", err)
	}
	r := newReceiver(opts)
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+TracesPath, r.serveTraces)
	mux.HandleFunc("POST "+MetricsPath, r.serveMetrics)
	r.srv = &http.Server{Handler: mux}
	r.addr = ln.Addr().String()
	go func() { _ = r.srv.Serve(ln) }()
	return r, nil
}

// NewReceiver starts an OTLP/HTTP receiver in ModeOK on 127.0.0.1. It is
// closed when the test ends; requests held by ModeHang are released first.
func NewReceiver(tb testing.TB, opts ...Option) *Receiver {
	tb.Helper()
	r, err := Start(opts...)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(r.Close)
	return r
}

// NewGRPCReceiver starts an OTLP/gRPC receiver in ModeOK on 127.0.0.1,
// closed when the test ends. Its Raw bodies are the requests re-encoded as
// protobuf, which hold every value the client sent.
func NewGRPCReceiver(tb testing.TB) *Receiver {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("cannot listen for OTLP/gRPC: %v", err)
	}
	r := newReceiver(nil)
	r.grpc = grpc.NewServer()
	ptraceotlp.RegisterGRPCServer(r.grpc, &grpcTraces{r: r})
	pmetricotlp.RegisterGRPCServer(r.grpc, &grpcMetrics{r: r})
	r.addr = ln.Addr().String()
	go func() { _ = r.grpc.Serve(ln) }()
	tb.Cleanup(r.Close)
	return r
}

// Close releases requests held by ModeHang and stops the receiver.
func (r *Receiver) Close() {
	r.closeOnce.Do(func() {
		close(r.closing)
		if r.srv != nil {
			_ = r.srv.Close()
		}
		if r.grpc != nil {
			r.grpc.Stop()
		}
	})
}

// Addr returns the receiver's host:port, the endpoint of an OTLP/gRPC
// exporter.
func (r *Receiver) Addr() string { return r.addr }

// URL returns the receiver's base URL, http://127.0.0.1:PORT, the value
// for OTEL_EXPORTER_OTLP_ENDPOINT.
func (r *Receiver) URL() string { return "http://" + r.addr }

// TracesURL returns URL()+"/v1/traces", the value for
// OTEL_EXPORTER_OTLP_TRACES_ENDPOINT.
func (r *Receiver) TracesURL() string { return r.URL() + TracesPath }

// MetricsURL returns URL()+"/v1/metrics", the value for
// OTEL_EXPORTER_OTLP_METRICS_ENDPOINT.
func (r *Receiver) MetricsURL() string { return r.URL() + MetricsPath }

// Metrics returns a copy of every metric data point accepted so far, in
// arrival order.
func (r *Receiver) Metrics() []Point {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Point(nil), r.points...)
}

// WaitMetrics returns the accepted data points once done reports true for
// them, or the points so far and an error when timeout passes first.
func (r *Receiver) WaitMetrics(done func([]Point) bool, timeout time.Duration) ([]Point, error) {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		r.mu.Lock()
		points, arrived := append([]Point(nil), r.points...), r.arrived
		r.mu.Unlock()
		if done(points) {
			return points, nil
		}
		select {
		case <-arrived:
		case <-deadline.C:
			return points, fmt.Errorf("OTLP receiver got %d data points in %v, not what was waited for", len(points), timeout)
		}
	}
}

// Headers returns the headers of every OTLP/HTTP request received so far,
// in arrival order.
func (r *Receiver) Headers() []http.Header {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]http.Header, len(r.headers))
	for i, h := range r.headers {
		out[i] = h.Clone()
	}
	return out
}

// SetMode changes how later requests are answered.
func (r *Receiver) SetMode(m Mode) {
	r.mu.Lock()
	r.mode = m
	r.mu.Unlock()
}

// Spans returns a copy of every span accepted so far, in arrival order.
func (r *Receiver) Spans() []Span {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Span(nil), r.spans...)
}

// Traces returns a copy of the spans of every request accepted so far, as
// pdata, in arrival order.
func (r *Receiver) Traces() []ptrace.Traces {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]ptrace.Traces, len(r.traces))
	for i, t := range r.traces {
		out[i] = ptrace.NewTraces()
		t.CopyTo(out[i])
	}
	return out
}

// SpanCount returns the number of spans accepted so far: the only record
// a counting receiver keeps.
func (r *Receiver) SpanCount() int64 { return r.count.Load() }

// Raw returns the body of every request received so far, in any mode and
// whether or not it decoded, decompressed when it was gzip-compressed.
// Grep these for canary secrets.
func (r *Receiver) Raw() [][]byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([][]byte, len(r.raw))
	for i, b := range r.raw {
		out[i] = bytes.Clone(b)
	}
	return out
}

// WaitSpans returns the accepted spans once there are at least n, or the
// spans so far and an error when timeout passes first.
func (r *Receiver) WaitSpans(n int, timeout time.Duration) ([]Span, error) {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		r.mu.Lock()
		spans, arrived := append([]Span(nil), r.spans...), r.arrived
		r.mu.Unlock()
		if len(spans) >= n {
			return spans, nil
		}
		select {
		case <-arrived:
		case <-deadline.C:
			return spans, fmt.Errorf("OTLP receiver got %d spans in %v, want %d", len(spans), timeout, n)
		}
	}
}

func (r *Receiver) serveTraces(w http.ResponseWriter, req *http.Request) {
	ct, _, _ := mime.ParseMediaType(req.Header.Get("Content-Type"))
	if ct != ContentTypeProto && ct != ContentTypeJSON {
		http.Error(w, "unsupported Content-Type", http.StatusUnsupportedMediaType)
		return
	}
	body, err := ReadBody(req)
	r.recordHeader(req.Header)
	mode := r.currentMode()
	if err == nil && r.countOnly && ct == ContentTypeProto && mode == ModeOK {
		r.countProto(w, body)
		return
	}
	r.recordRaw(body)
	if err != nil {
		writeStatus(w, ct, http.StatusBadRequest, err.Error())
		return
	}
	if r.failExport(w, req, ct, mode) {
		return
	}
	r.accept(w, ct, body)
}

// failExport answers an export as the failure mode says (an error status,
// or no answer at all) and reports whether it did; ModeOK answers nothing.
func (r *Receiver) failExport(w http.ResponseWriter, req *http.Request, ct string, mode Mode) bool {
	switch mode {
	case ModeFail:
		writeStatus(w, ct, http.StatusInternalServerError, "export failed (otlptest ModeFail)")
	case ModeUnavailable:
		writeStatus(w, ct, http.StatusServiceUnavailable, "collector unavailable (otlptest ModeUnavailable)")
	case ModeHang:
		r.hang(req.Context().Done())
	default:
		return false
	}
	return true
}

// hang holds a request until its client goes away or the receiver closes.
func (r *Receiver) hang(gone <-chan struct{}) {
	select {
	case <-gone:
	case <-r.closing:
	}
}

func (r *Receiver) currentMode() Mode {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.mode
}

// accept decodes an export request, records its spans and answers with an
// empty (fully successful) response.
func (r *Receiver) accept(w http.ResponseWriter, ct string, body []byte) {
	req := ptraceotlp.NewExportRequest()
	var err error
	if ct == ContentTypeJSON {
		err = req.UnmarshalJSON(body)
	} else {
		err = req.UnmarshalProto(body)
	}
	if err != nil {
		writeStatus(w, ct, http.StatusBadRequest, "cannot decode export request: "+err.Error())
		return
	}
	r.recordSpans(req.Traces())
	writeExportResponse(w, ct, ptraceotlp.NewExportResponse())
}

// exportResponse is an OTLP export response of either signal.
type exportResponse interface {
	MarshalJSON() ([]byte, error)
	MarshalProto() ([]byte, error)
}

// writeExportResponse answers an accepted export with resp encoded as the
// request was (ct).
func writeExportResponse(w http.ResponseWriter, ct string, resp exportResponse) {
	var out []byte
	var err error
	if ct == ContentTypeJSON {
		out, err = resp.MarshalJSON()
	} else {
		out, err = resp.MarshalProto()
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", ct)
	_, _ = w.Write(out)
}

// countProto counts the spans of a protobuf export request and answers
// success (an empty ExportTraceServiceResponse), or 400 when the body is
// not protobuf.
func (r *Receiver) countProto(w http.ResponseWriter, body []byte) {
	n, err := CountSpans(body)
	if err != nil {
		writeStatus(w, ContentTypeProto, http.StatusBadRequest, "cannot decode export request: "+err.Error())
		return
	}
	r.count.Add(int64(n))
	w.Header().Set("Content-Type", ContentTypeProto)
	w.WriteHeader(http.StatusOK)
}

func (r *Receiver) recordHeader(h http.Header) {
	r.mu.Lock()
	r.headers = append(r.headers, h.Clone())
	r.mu.Unlock()
}

// serveMetrics accepts POST /v1/metrics like serveTraces accepts traces.
func (r *Receiver) serveMetrics(w http.ResponseWriter, req *http.Request) {
	ct, _, _ := mime.ParseMediaType(req.Header.Get("Content-Type"))
	if ct != ContentTypeProto && ct != ContentTypeJSON {
		http.Error(w, "unsupported Content-Type", http.StatusUnsupportedMediaType)
		return
	}
	body, err := ReadBody(req)
	r.recordHeader(req.Header)
	r.recordRaw(body)
	if err != nil {
		writeStatus(w, ct, http.StatusBadRequest, err.Error())
		return
	}
	if r.failExport(w, req, ct, r.currentMode()) {
		return
	}
	mr := pmetricotlp.NewExportRequest()
	if ct == ContentTypeJSON {
		err = mr.UnmarshalJSON(body)
	} else {
		err = mr.UnmarshalProto(body)
	}
	if err != nil {
		writeStatus(w, ct, http.StatusBadRequest, "cannot decode export request: "+err.Error())
		return
	}
	r.recordPoints(FlattenMetrics(mr.Metrics()))
	writeExportResponse(w, ct, pmetricotlp.NewExportResponse())
}

func (r *Receiver) recordPoints(points []Point) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.points = append(r.points, points...)
	close(r.arrived)
	r.arrived = make(chan struct{})
}

func (r *Receiver) recordRaw(body []byte) {
	r.mu.Lock()
	r.raw = append(r.raw, body)
	r.mu.Unlock()
}

// recordSpans keeps the spans of one request; t must not be used after.
func (r *Receiver) recordSpans(t ptrace.Traces) {
	spans := Flatten(t)
	r.count.Add(int64(len(spans)))
	r.mu.Lock()
	defer r.mu.Unlock()
	r.spans = append(r.spans, spans...)
	r.traces = append(r.traces, t)
	close(r.arrived)
	r.arrived = make(chan struct{})
}

// ReadBody reads an OTLP/HTTP request's body, decompressing gzip. When
// decompression fails, it returns the bytes as sent with the error.
func ReadBody(req *http.Request) ([]byte, error) {
	var raw []byte
	var err error
	if n := req.ContentLength; n > 0 && n <= 64<<20 {
		// Sized from the header, read once: the benchmark's sink counts
		// every export in the measured process, and io.ReadAll's doubling
		// of a 1 MB batch was most of its CPU.
		raw = make([]byte, n)
		_, err = io.ReadFull(req.Body, raw)
	} else {
		raw, err = io.ReadAll(req.Body)
	}
	if err != nil {
		return raw, fmt.Errorf("cannot read body: %w", err)
	}
	switch enc := req.Header.Get("Content-Encoding"); enc {
	case "", "identity":
		return raw, nil
	case "gzip":
		zr, err := gzip.NewReader(bytes.NewReader(raw))
		if err != nil {
			return raw, fmt.Errorf("cannot read gzip body: %w", err)
		}
		body, err := io.ReadAll(zr)
		if err != nil {
			return raw, fmt.Errorf("cannot read gzip body: %w", err)
		}
		return body, nil
	default:
		return raw, fmt.Errorf("unsupported Content-Encoding %q", enc)
	}
}
