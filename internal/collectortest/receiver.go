package collectortest

import (
	"bytes"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

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

// Receiver is a backend the collector exports to: otlptest's receiver,
// seen as pdata spans.
type Receiver struct {
	// Endpoint is where to send: a base URL such as http://127.0.0.1:PORT
	// for an OTLP/HTTP receiver (traces go to Endpoint + "/v1/traces"), or a
	// host:port for an OTLP/gRPC receiver.
	Endpoint string
	// OTLP is the receiver itself, with its failure modes (SetMode).
	OTLP *otlptest.Receiver
}

// NewHTTPReceiver starts an OTLP/HTTP receiver on loopback that accepts
// protobuf or JSON on /v1/traces, plain or gzip-compressed.
func NewHTTPReceiver(tb testing.TB) *Receiver {
	tb.Helper()
	r := otlptest.NewReceiver(tb)
	return &Receiver{Endpoint: r.URL(), OTLP: r}
}

// NewGRPCReceiver starts an OTLP/gRPC receiver on loopback.
func NewGRPCReceiver(tb testing.TB) *Receiver {
	tb.Helper()
	r := otlptest.NewGRPCReceiver(tb)
	return &Receiver{Endpoint: r.Addr(), OTLP: r}
}

// Spans returns every span received so far, in arrival order.
func (r *Receiver) Spans() []Span {
	var out []Span
	for _, t := range r.OTLP.Traces() {
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
func (r *Receiver) Raw() []byte { return bytes.Join(r.OTLP.Raw(), []byte("\n")) }

// Wait returns the received spans once there are at least n, and fails the
// test if they have not arrived within a minute.
func (r *Receiver) Wait(tb testing.TB, n int) []Span {
	tb.Helper()
	if _, err := r.OTLP.WaitSpans(n, waitTimeout); err != nil {
		tb.Fatalf("receiver %s: %v", r.Endpoint, err)
	}
	return r.Spans()
}
