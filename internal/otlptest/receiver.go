package otlptest

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
)

// TracesPath is the OTLP/HTTP traces path.
const TracesPath = "/v1/traces"

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
	// body. OTLP exporters treat 500 as permanent and do not retry, so an
	// export fails at once.
	ModeFail
	// ModeUnavailable answers 503 Service Unavailable with a Status body,
	// like an overloaded collector. OTLP exporters retry 503 with backoff
	// until their timeout, so this mode exercises flush deadlines.
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

// Receiver is an OTLP/HTTP trace receiver on a loopback port. It accepts
// POST /v1/traces in protobuf or JSON, plain or gzip-compressed, and
// answers an ExportTraceServiceResponse in the request's encoding. It is
// safe for concurrent use.
type Receiver struct {
	srv     *httptest.Server
	closing chan struct{}

	mu      sync.Mutex
	mode    Mode
	spans   []Span
	raw     [][]byte
	arrived chan struct{} // closed and replaced whenever spans arrive
}

// NewReceiver starts a receiver in ModeOK on 127.0.0.1. It is closed when
// the test ends; requests held by ModeHang are released first.
func NewReceiver(tb testing.TB) *Receiver {
	tb.Helper()
	r := &Receiver{closing: make(chan struct{}), arrived: make(chan struct{})}
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+TracesPath, r.serveTraces)
	r.srv = httptest.NewServer(mux)
	tb.Cleanup(func() {
		close(r.closing)
		r.srv.Close()
	})
	return r
}

// URL returns the receiver's base URL, http://127.0.0.1:PORT, the value
// for OTEL_EXPORTER_OTLP_ENDPOINT.
func (r *Receiver) URL() string { return r.srv.URL }

// TracesURL returns URL()+"/v1/traces", the value for
// OTEL_EXPORTER_OTLP_TRACES_ENDPOINT.
func (r *Receiver) TracesURL() string { return r.srv.URL + TracesPath }

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
	r.recordRaw(body)
	if err != nil {
		writeStatus(w, ct, http.StatusBadRequest, err.Error())
		return
	}
	switch r.currentMode() {
	case ModeFail:
		writeStatus(w, ct, http.StatusInternalServerError, "export failed (otlptest ModeFail)")
		return
	case ModeUnavailable:
		writeStatus(w, ct, http.StatusServiceUnavailable, "collector unavailable (otlptest ModeUnavailable)")
		return
	case ModeHang:
		select {
		case <-req.Context().Done():
		case <-r.closing:
		}
		return
	}
	r.accept(w, ct, body)
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
	r.recordSpans(Flatten(req.Traces()))
	resp := ptraceotlp.NewExportResponse()
	var out []byte
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

func (r *Receiver) recordRaw(body []byte) {
	r.mu.Lock()
	r.raw = append(r.raw, body)
	r.mu.Unlock()
}

func (r *Receiver) recordSpans(spans []Span) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.spans = append(r.spans, spans...)
	close(r.arrived)
	r.arrived = make(chan struct{})
}

// ReadBody reads an OTLP/HTTP request's body, decompressing gzip. When
// decompression fails, it returns the bytes as sent with the error.
func ReadBody(req *http.Request) ([]byte, error) {
	raw, err := io.ReadAll(req.Body)
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
