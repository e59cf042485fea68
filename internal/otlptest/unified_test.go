package otlptest_test

import (
	"bytes"
	"context"
	"net/http"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"

	"github.com/agentwrap/agentwrap/internal/otlptest"
)

// TestCountSpans checks the wire-format count against pdata's.
func TestCountSpans(t *testing.T) {
	td := ptrace.NewTraces()
	want := 0
	for r := range 3 {
		rs := td.ResourceSpans().AppendEmpty()
		rs.Resource().Attributes().PutStr("service.name", "agentwrap")
		for s := range r + 1 {
			ss := rs.ScopeSpans().AppendEmpty()
			ss.Scope().SetName("scope")
			for i := range s + 2 {
				sp := ss.Spans().AppendEmpty()
				sp.SetName("chat gpt-bench")
				sp.Attributes().PutInt("i", int64(i))
				sp.Events().AppendEmpty().SetName("event")
				want++
			}
		}
	}
	b, err := ptraceotlp.NewExportRequestFromTraces(td).MarshalProto()
	if err != nil {
		t.Fatal(err)
	}
	if got, err := otlptest.CountSpans(b); err != nil || got != want || want != td.SpanCount() {
		t.Errorf("CountSpans = %d, %v; want %d", got, err, want)
	}
	if _, err := otlptest.CountSpans(b[:len(b)-3]); err == nil {
		t.Error("a truncated request was counted without an error")
	}
}

func exportRequest(t *testing.T, names ...string) ptraceotlp.ExportRequest {
	t.Helper()
	td := ptrace.NewTraces()
	ss := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty()
	for _, n := range names {
		ss.Spans().AppendEmpty().SetName(n)
	}
	return ptraceotlp.NewExportRequestFromTraces(td)
}

// TestGRPCReceiverModes: the gRPC receiver records what it accepts (spans,
// pdata, raw bytes) and answers its failure modes with the gRPC codes OTLP
// exporters treat as permanent (Internal) and retryable (Unavailable).
func TestGRPCReceiverModes(t *testing.T) {
	r := otlptest.NewGRPCReceiver(t)
	conn, err := grpc.NewClient(r.Addr(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	client := ptraceotlp.NewGRPCClient(conn)
	ctx := context.Background()
	if _, err := client.Export(ctx, exportRequest(t, "one", canary)); err != nil {
		t.Fatalf("export: %v", err)
	}
	if spans, err := r.WaitSpans(2, time.Second); err != nil || spans[1].Name != canary {
		t.Fatalf("spans %v, %v", spans, err)
	}
	if tr := r.Traces(); len(tr) != 1 || tr[0].SpanCount() != 2 || r.SpanCount() != 2 {
		t.Errorf("traces %d, count %d", len(tr), r.SpanCount())
	}
	if raw := r.Raw(); len(raw) != 1 || !bytes.Contains(raw[0], []byte(canary)) {
		t.Errorf("raw bodies %q", raw)
	}
	for mode, want := range map[otlptest.Mode]codes.Code{otlptest.ModeFail: codes.Internal, otlptest.ModeUnavailable: codes.Unavailable} {
		r.SetMode(mode)
		if _, err := client.Export(ctx, exportRequest(t, "x")); status.Code(err) != want {
			t.Errorf("%s: export error %v, want %s", mode, err, want)
		}
	}
	r.SetMode(otlptest.ModeHang)
	hctx, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	if _, err := client.Export(hctx, exportRequest(t, "x")); err == nil || time.Since(start) < 150*time.Millisecond {
		t.Errorf("hang: export ended after %v with %v, want it held until the client's deadline", time.Since(start), err)
	}
	if r.SpanCount() != 2 {
		t.Errorf("failed exports were counted: %d", r.SpanCount())
	}
}

// TestCountingReceiver: a counting receiver counts protobuf spans without
// keeping them, still refuses what is not protobuf, and still fails in its
// failure modes.
func TestCountingReceiver(t *testing.T) {
	r := otlptest.NewReceiver(t, otlptest.WithCountOnly())
	body, err := exportRequest(t, "a", "b", "c").MarshalProto()
	if err != nil {
		t.Fatal(err)
	}
	send := func(b []byte) int {
		resp, err := http.Post(r.TracesURL(), otlptest.ContentTypeProto, bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := send(body); code != http.StatusOK || r.SpanCount() != 3 || len(r.Spans()) != 0 || len(r.Raw()) != 0 {
		t.Errorf("status %d, count %d, kept %d spans and %d bodies", code, r.SpanCount(), len(r.Spans()), len(r.Raw()))
	}
	if code := send(body[:len(body)-2]); code != http.StatusBadRequest || r.SpanCount() != 3 {
		t.Errorf("truncated body: status %d, count %d", code, r.SpanCount())
	}
	r.SetMode(otlptest.ModeUnavailable)
	if code := send(body); code != http.StatusServiceUnavailable || r.SpanCount() != 3 {
		t.Errorf("unavailable: status %d, count %d", code, r.SpanCount())
	}
}

// TestUnreachableCollectors: a refused port refuses, a blackhole accepts
// and never answers.
func TestUnreachableCollectors(t *testing.T) {
	refused, err := otlptest.RefusedURL()
	if err != nil {
		t.Fatal(err)
	}
	client := &http.Client{Timeout: 300 * time.Millisecond}
	if resp, err := client.Post(refused+otlptest.TracesPath, otlptest.ContentTypeProto, nil); err == nil {
		resp.Body.Close()
		t.Error("the refused URL answered")
	}
	b, err := otlptest.StartBlackhole()
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	start := time.Now()
	resp, err := client.Post(b.URL()+otlptest.TracesPath, otlptest.ContentTypeProto, nil)
	if err == nil {
		resp.Body.Close()
		t.Fatal("the blackhole answered")
	}
	if time.Since(start) < 250*time.Millisecond {
		t.Errorf("the blackhole failed fast (%v): %v", time.Since(start), err)
	}
}
