package collectortest

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
	"google.golang.org/grpc"
	_ "google.golang.org/grpc/encoding/gzip" // the collector's gRPC exporters compress with gzip

	"github.com/agentwrap/agentwrap/internal/otlptest"
)

// waitTimeout bounds how long Wait waits for spans to arrive.
const waitTimeout = 60 * time.Second

// Span is one received span with the resource and scope it came with.
type Span struct {
	Resource pcommon.Resource
	Scope    pcommon.InstrumentationScope
	Span     ptrace.Span
}

// Receiver is an in-process OTLP trace receiver that records every export
// request it is sent, decoded and as raw (decompressed) bytes.
type Receiver struct {
	// Endpoint is where to send: a base URL such as http://127.0.0.1:PORT
	// for an OTLP/HTTP receiver (traces go to Endpoint + "/v1/traces"), or a
	// host:port for an OTLP/gRPC receiver.
	Endpoint string

	mu     sync.Mutex
	traces []ptrace.Traces
	raw    [][]byte
	signal chan struct{}
}

func newReceiver() *Receiver {
	return &Receiver{signal: make(chan struct{}, 1)}
}

// NewHTTPReceiver starts an OTLP/HTTP receiver on loopback that accepts
// protobuf or JSON on /v1/traces, plain or gzip-compressed.
func NewHTTPReceiver(tb testing.TB) *Receiver {
	tb.Helper()
	r := newReceiver()
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/traces", r.serveHTTP)
	srv := httptest.NewServer(mux)
	tb.Cleanup(srv.Close)
	r.Endpoint = srv.URL
	return r
}

// NewGRPCReceiver starts an OTLP/gRPC receiver on loopback.
func NewGRPCReceiver(tb testing.TB) *Receiver {
	tb.Helper()
	r := newReceiver()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("cannot listen for OTLP/gRPC: %v", err)
	}
	srv := grpc.NewServer()
	ptraceotlp.RegisterGRPCServer(srv, &grpcTraces{r: r})
	go func() { _ = srv.Serve(l) }()
	tb.Cleanup(srv.Stop)
	r.Endpoint = l.Addr().String()
	return r
}

func (r *Receiver) serveHTTP(w http.ResponseWriter, req *http.Request) {
	body, err := otlptest.ReadBody(req)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	export := ptraceotlp.NewExportRequest()
	json := req.Header.Get("Content-Type") == "application/json"
	if json {
		err = export.UnmarshalJSON(body)
	} else {
		err = export.UnmarshalProto(body)
	}
	if err != nil {
		http.Error(w, "cannot decode export request: "+err.Error(), http.StatusBadRequest)
		return
	}
	r.record(export.Traces(), body)
	resp := ptraceotlp.NewExportResponse()
	var out []byte
	if json {
		out, err = resp.MarshalJSON()
	} else {
		out, err = resp.MarshalProto()
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", req.Header.Get("Content-Type"))
	_, _ = w.Write(out)
}

type grpcTraces struct {
	ptraceotlp.UnimplementedGRPCServer
	r *Receiver
}

// Export records a request; its raw bytes are the request re-encoded as
// protobuf, which holds every value the collector sent.
func (g *grpcTraces) Export(_ context.Context, req ptraceotlp.ExportRequest) (ptraceotlp.ExportResponse, error) {
	raw, err := req.MarshalProto()
	if err != nil {
		return ptraceotlp.NewExportResponse(), fmt.Errorf("cannot encode export request: %w", err)
	}
	traces := ptrace.NewTraces()
	req.Traces().CopyTo(traces)
	g.r.record(traces, raw)
	return ptraceotlp.NewExportResponse(), nil
}

func (r *Receiver) record(t ptrace.Traces, raw []byte) {
	r.mu.Lock()
	r.traces = append(r.traces, t)
	r.raw = append(r.raw, bytes.Clone(raw))
	r.mu.Unlock()
	select {
	case r.signal <- struct{}{}:
	default:
	}
}

// Spans returns every span received so far, in arrival order.
func (r *Receiver) Spans() []Span {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []Span
	for _, t := range r.traces {
		for _, rs := range t.ResourceSpans().All() {
			for _, ss := range rs.ScopeSpans().All() {
				for _, s := range ss.Spans().All() {
					out = append(out, Span{Resource: rs.Resource(), Scope: ss.Scope(), Span: s})
				}
			}
		}
	}
	return out
}

// Raw returns the bodies of every request received so far, decompressed,
// joined by newlines.
func (r *Receiver) Raw() []byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	return bytes.Join(r.raw, []byte("\n"))
}

// Wait returns the received spans once there are at least n, and fails the
// test if they have not arrived within a minute.
func (r *Receiver) Wait(tb testing.TB, n int) []Span {
	tb.Helper()
	deadline := time.After(waitTimeout)
	for {
		if spans := r.Spans(); len(spans) >= n {
			return spans
		}
		select {
		case <-r.signal:
		case <-deadline:
			tb.Fatalf("receiver %s got %d spans, want at least %d", r.Endpoint, len(r.Spans()), n)
		}
	}
}
