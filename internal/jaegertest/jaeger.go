package jaegertest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/agentwrap/agentwrap/internal/collectortest"
	"github.com/agentwrap/agentwrap/internal/otlptest"
)

// timeout bounds how long Start waits for Jaeger's listeners and how long
// WaitSpans waits for spans.
const timeout = 60 * time.Second

// Jaeger is a Jaeger process started by Start.
type Jaeger struct {
	// OTLPHTTPEndpoint is the base URL of the OTLP/HTTP receiver, for
	// OTEL_EXPORTER_OTLP_ENDPOINT or the collector's JAEGER_OTLP_ENDPOINT.
	OTLPHTTPEndpoint string
	// OTLPGRPCAddr is the host:port of the OTLP/gRPC receiver.
	OTLPGRPCAddr string
	// QueryURL is the base URL of the UI and the HTTP query APIs.
	QueryURL string

	cmd  *exec.Cmd
	out  *buffer
	done chan struct{}
	err  error

	mu  sync.Mutex
	raw bytes.Buffer // every query response body
}

// Start runs Jaeger with the shipped jaeger.yaml, every listener on a free
// loopback port, waits until its receivers and query API answer, and stops
// it when the test ends.
func Start(tb testing.TB) *Jaeger {
	tb.Helper()
	bin := Binary(tb)
	listen := map[string]string{}
	for _, k := range []string{"JAEGER_OTLP_GRPC_LISTEN", "JAEGER_OTLP_HTTP_LISTEN", "JAEGER_QUERY_HTTP_LISTEN", "JAEGER_QUERY_GRPC_LISTEN"} {
		listen[k] = collectortest.FreeAddr(tb)
	}
	j := &Jaeger{
		OTLPHTTPEndpoint: "http://" + listen["JAEGER_OTLP_HTTP_LISTEN"],
		OTLPGRPCAddr:     listen["JAEGER_OTLP_GRPC_LISTEN"],
		QueryURL:         "http://" + listen["JAEGER_QUERY_HTTP_LISTEN"],
		out:              &buffer{},
		done:             make(chan struct{}),
	}
	env := []string{"HOME=" + os.Getenv("HOME"), "PATH=" + os.Getenv("PATH")}
	for k, v := range listen {
		env = append(env, k+"="+v)
	}
	j.cmd = exec.Command(bin, "--config", ConfigFile())
	j.cmd.Env = env
	j.cmd.Stdout, j.cmd.Stderr = j.out, j.out
	if err := j.cmd.Start(); err != nil {
		tb.Fatalf("cannot start %s: %v", bin, err)
	}
	go func() {
		j.err = j.cmd.Wait()
		close(j.done)
	}()
	tb.Cleanup(j.stop)
	if err := j.waitReady(listen); err != nil {
		tb.Fatalf("Jaeger did not start: %v\n%s", err, j.Output())
	}
	return j
}

func (j *Jaeger) waitReady(listen map[string]string) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	var d net.Dialer
	for _, addr := range listen {
		for {
			conn, err := d.DialContext(ctx, "tcp", addr)
			if err == nil {
				conn.Close()
				break
			}
			select {
			case <-j.done:
				return fmt.Errorf("jaeger exited: %v", j.err)
			case <-ctx.Done():
				return fmt.Errorf("nothing listens on %s: %w", addr, ctx.Err())
			case <-time.After(50 * time.Millisecond):
			}
		}
	}
	return nil
}

func (j *Jaeger) stop() {
	select {
	case <-j.done:
		return
	default:
	}
	if err := j.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		_ = j.cmd.Process.Kill()
	}
	select {
	case <-j.done:
	case <-time.After(timeout):
		_ = j.cmd.Process.Kill()
		<-j.done
	}
}

// Output returns what Jaeger has logged.
func (j *Jaeger) Output() string { return j.out.String() }

// Raw returns every response body the query APIs have sent this Jaeger's
// client so far, for canary checks.
func (j *Jaeger) Raw() []byte {
	j.mu.Lock()
	defer j.mu.Unlock()
	return bytes.Clone(j.raw.Bytes())
}

// get fetches path (with query) from the query API. A 404 is returned as
// a nil body: Jaeger answers 404 when a search finds nothing.
func (j *Jaeger) get(path string, q url.Values) ([]byte, error) {
	u := j.QueryURL + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	resp, err := http.Get(u)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	j.mu.Lock()
	j.raw.Write(body)
	j.mu.Unlock()
	switch resp.StatusCode {
	case http.StatusOK:
		return body, nil
	case http.StatusNotFound:
		return nil, nil
	}
	return nil, fmt.Errorf("GET %s: %s: %s", path, resp.Status, body)
}

// decodeV3 decodes an API v3 answer, {"result": <OTLP JSON TracesData>}.
func decodeV3(body []byte) ([]otlptest.Span, error) {
	if body == nil {
		return nil, nil
	}
	var wrapper struct {
		Result json.RawMessage `json:"result"`
	}
	if err := json.Unmarshal(body, &wrapper); err != nil {
		return nil, fmt.Errorf("cannot decode the API v3 answer: %w", err)
	}
	td, err := (&ptrace.JSONUnmarshaler{}).UnmarshalTraces(wrapper.Result)
	if err != nil {
		return nil, fmt.Errorf("cannot decode the OTLP JSON of the API v3 answer: %w", err)
	}
	return otlptest.Flatten(td), nil
}

// Spans returns every span Jaeger holds for service from the last hour,
// through GET /api/v3/traces (OTLP JSON).
func (j *Jaeger) Spans(tb testing.TB, service string) []otlptest.Span {
	tb.Helper()
	spans, err := j.spans(service)
	if err != nil {
		tb.Fatal(err)
	}
	return spans
}

func (j *Jaeger) spans(service string) ([]otlptest.Span, error) {
	now := time.Now().UTC()
	body, err := j.get("/api/v3/traces", url.Values{
		"query.service_name":   {service},
		"query.start_time_min": {now.Add(-time.Hour).Format(time.RFC3339Nano)},
		"query.start_time_max": {now.Add(time.Minute).Format(time.RFC3339Nano)},
		"query.num_traces":     {"1000"},
	})
	if err != nil {
		return nil, err
	}
	return decodeV3(body)
}

// Trace returns the spans of one trace, through GET /api/v3/traces/{id}.
func (j *Jaeger) Trace(tb testing.TB, traceID string) []otlptest.Span {
	tb.Helper()
	body, err := j.get("/api/v3/traces/"+url.PathEscape(traceID), nil)
	if err == nil {
		var spans []otlptest.Span
		if spans, err = decodeV3(body); err == nil {
			return spans
		}
	}
	tb.Fatal(err)
	return nil
}

// WaitSpans polls Spans until Jaeger holds at least n spans for service,
// then once more after a pause, so that late duplicates show; it fails the
// test after the timeout.
func (j *Jaeger) WaitSpans(tb testing.TB, service string, n int) []otlptest.Span {
	tb.Helper()
	deadline := time.Now().Add(timeout)
	for {
		got, err := j.spans(service)
		if err != nil {
			tb.Fatal(err)
		}
		if len(got) >= n {
			time.Sleep(time.Second)
			return j.Spans(tb, service)
		}
		if time.Now().After(deadline) {
			tb.Fatalf("Jaeger holds %d spans of service %s after %v, want %d\n%s", len(got), service, timeout, n, j.Output())
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// V1Span is a span as the v1 search API (/api/traces) returns it.
type V1Span struct {
	TraceID       string `json:"traceID"`
	SpanID        string `json:"spanID"`
	OperationName string `json:"operationName"`
	Tags          []struct {
		Key   string `json:"key"`
		Type  string `json:"type"`
		Value any    `json:"value"`
	} `json:"tags"`
}

// Tag returns the value of the span's tag key and whether it has it.
func (s V1Span) Tag(key string) (any, bool) {
	for _, t := range s.Tags {
		if t.Key == key {
			return t.Value, true
		}
	}
	return nil, false
}

// SearchTags runs the v1 search GET /api/traces?service=...&tags={...}
// over the last hour and returns the spans of every trace it finds (whole
// traces: Jaeger returns every trace that has a matching span).
func (j *Jaeger) SearchTags(tb testing.TB, service string, tags map[string]string) []V1Span {
	tb.Helper()
	q, err := json.Marshal(tags)
	if err != nil {
		tb.Fatal(err)
	}
	body, err := j.get("/api/traces", url.Values{
		"service": {service}, "tags": {string(q)}, "lookback": {"1h"}, "limit": {"1000"},
	})
	if err != nil {
		tb.Fatal(err)
	}
	if body == nil {
		return nil
	}
	var answer struct {
		Data []struct {
			Spans []V1Span `json:"spans"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &answer); err != nil {
		tb.Fatalf("cannot decode the v1 search answer: %v\n%s", err, body)
	}
	var out []V1Span
	for _, t := range answer.Data {
		out = append(out, t.Spans...)
	}
	return out
}

// buffer is a bytes.Buffer safe for concurrent writes and reads.
type buffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
