package collectortest_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"net/http"
	"strings"
	"testing"

	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	grpcgzip "google.golang.org/grpc/encoding/gzip"

	"github.com/agentwrap/agentwrap/internal/collectortest"
)

func request(name string) ptraceotlp.ExportRequest {
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", "agentwrap")
	s := rs.ScopeSpans().AppendEmpty().Spans().AppendEmpty()
	s.SetName(name)
	s.Attributes().PutStr("agentwrap.notes", "note of "+name)
	return ptraceotlp.NewExportRequestFromTraces(td)
}

func post(t *testing.T, r *collectortest.Receiver, body []byte, contentType, encoding string) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, r.Endpoint+"/v1/traces", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	if encoding != "" {
		req.Header.Set("Content-Encoding", encoding)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
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

func TestHTTPReceiverDecodesProtobufAndJSON(t *testing.T) {
	r := collectortest.NewHTTPReceiver(t)
	pb, err := request("proto span").MarshalProto()
	if err != nil {
		t.Fatal(err)
	}
	js, err := request("json span").MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	if code := post(t, r, gzipped(t, pb), "application/x-protobuf", "gzip"); code != http.StatusOK {
		t.Fatalf("gzip protobuf export: status %d", code)
	}
	if code := post(t, r, js, "application/json", ""); code != http.StatusOK {
		t.Fatalf("JSON export: status %d", code)
	}
	spans := r.Wait(t, 2)
	if spans[0].Span.Name() != "proto span" || spans[1].Span.Name() != "json span" {
		t.Errorf("spans = %q, %q", spans[0].Span.Name(), spans[1].Span.Name())
	}
	if v, _ := spans[0].Resource.Attributes().Get("service.name"); v.Str() != "agentwrap" {
		t.Errorf("resource service.name = %q", v.Str())
	}
	if raw := string(r.Raw()); !strings.Contains(raw, "note of proto span") || !strings.Contains(raw, "note of json span") {
		t.Errorf("raw bytes lack the decompressed attribute values: %q", raw)
	}
}

func TestHTTPReceiverRejectsWhatItCannotRead(t *testing.T) {
	r := collectortest.NewHTTPReceiver(t)
	if code := post(t, r, []byte("x"), "application/x-protobuf", "br"); code != http.StatusBadRequest {
		t.Errorf("unknown encoding: status %d, want 400", code)
	}
	if code := post(t, r, []byte("{not json"), "application/json", ""); code != http.StatusBadRequest {
		t.Errorf("bad JSON: status %d, want 400", code)
	}
	if n := len(r.Spans()); n != 0 {
		t.Errorf("recorded %d spans from bad requests", n)
	}
}

func TestGRPCReceiverRecordsCompressedExports(t *testing.T) {
	r := collectortest.NewGRPCReceiver(t)
	conn, err := grpc.NewClient(r.Endpoint, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	client := ptraceotlp.NewGRPCClient(conn)
	if _, err := client.Export(context.Background(), request("grpc span"), grpc.UseCompressor(grpcgzip.Name)); err != nil {
		t.Fatal(err)
	}
	spans := r.Wait(t, 1)
	if spans[0].Span.Name() != "grpc span" {
		t.Errorf("span = %q", spans[0].Span.Name())
	}
	if !bytes.Contains(r.Raw(), []byte("note of grpc span")) {
		t.Error("raw bytes lack the attribute value")
	}
}
