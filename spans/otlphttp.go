package spans

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/agentwrap/agentwrap/redact"
)

// protoExporter exports spans over OTLP/HTTP with protobuf encoding, the
// default protocol. It does what otlptracehttp's exporter does for that
// protocol (same request, headers, compression, TLS, proxy, timeout,
// retries and partial-success handling) but encodes the request straight
// from the spans (appendExportRequest): with the OTel exporter, building
// and marshalling its protobuf structs was the largest part of the CPU a
// call costs (PERFORMANCE.md, "Where a call's CPU goes"). http/json and
// gRPC keep the OTel exporters.
type protoExporter struct {
	url     string
	headers http.Header
	gzip    bool
	timeout time.Duration
	client  *http.Client
	retry   retryPolicy

	mu      sync.Mutex
	stopped bool
	stop    chan struct{}

	// encMu guards buf, the request buffer reused by each export.
	encMu sync.Mutex
	buf   []byte
}

// retryPolicy is otlptracehttp's default: exponential backoff from 5 s to
// 30 s between attempts, for at most a minute, within the export's
// context; a server's Retry-After wins when it asks for longer.
type retryPolicy struct {
	initial, max, elapsed time.Duration
}

var defaultRetry = retryPolicy{initial: 5 * time.Second, max: 30 * time.Second, elapsed: time.Minute}

// maxResponseBody bounds what is read of a collector's reply: enough for a
// partial-success message or an error text, never an unbounded body.
const maxResponseBody = 64 << 10

// userAgent is sent with every export.
const userAgent = "agentwrap OTLP exporter"

func newProtoExporter(c ExportConfig) *protoExporter {
	tr := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          100,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ExpectContinueTimeout: time.Second,
		TLSClientConfig:       c.TLS,
	}
	h := http.Header{}
	for k, v := range c.Headers {
		h.Set(k, v)
	}
	h.Set("Content-Type", "application/x-protobuf")
	h.Set("User-Agent", userAgent)
	if c.Gzip {
		h.Set("Content-Encoding", "gzip")
	}
	return &protoExporter{url: c.URL, headers: h, gzip: c.Gzip, timeout: c.Timeout,
		client: &http.Client{Transport: tr, Timeout: c.Timeout}, retry: defaultRetry, stop: make(chan struct{})}
}

// gzipWriters recycles the compressors.
var gzipWriters = sync.Pool{New: func() any { return gzip.NewWriter(io.Discard) }}

// maxKeptRequest bounds the request buffer an exporter keeps for reuse: a
// full batch of 512 call spans fits.
const maxKeptRequest = 4 << 20

// spanSizeHint is about what a call span takes in an export request (1.5
// to 2 KB with its attributes), to size the request buffer for a batch.
const spanSizeHint = 2 << 10

// ExportSpans sends spans as one request, retrying what the OTLP
// specification calls retryable (429, 502, 503, 504, and network
// timeouts) within ctx; each attempt is bounded by the configured timeout.
func (e *protoExporter) ExportSpans(ctx context.Context, spans []sdktrace.ReadOnlySpan) error {
	if len(spans) == 0 {
		return nil
	}
	e.mu.Lock()
	stopped := e.stopped
	e.mu.Unlock()
	if stopped {
		return errors.New("OTLP exporter is shut down")
	}
	// The exporter's own buffer, not a pool: a full batch is hundreds of
	// KB, and a sync.Pool is emptied by every other garbage collection.
	// The batcher exports one batch at a time; the lock keeps it so.
	e.encMu.Lock()
	defer e.encMu.Unlock()
	if need := len(spans) * spanSizeHint; cap(e.buf) < need && need <= maxKeptRequest {
		// Sized for the batch at once rather than grown by doubling: each
		// doubling copies the request so far and touches fresh memory.
		e.buf = make([]byte, 0, need)
	}
	body := appendExportRequest(e.buf[:0], spans)
	if cap(body) <= maxKeptRequest {
		e.buf = body[:0]
	}
	if e.gzip {
		zb := new(bytes.Buffer)
		zw := gzipWriters.Get().(*gzip.Writer)
		zw.Reset(zb)
		_, _ = zw.Write(body)
		err := zw.Close()
		gzipWriters.Put(zw)
		if err != nil {
			return fmt.Errorf("cannot compress OTLP request: %w", err)
		}
		body = zb.Bytes()
	}
	start := time.Now()
	var last error // the last retryable failure
	for wait := e.retry.initial; ; {
		again, after, err := e.send(ctx, body)
		if !again {
			if ctx.Err() != nil && last != nil {
				// Cut short during a retry: say why it was retried.
				return errors.Join(err, last)
			}
			return err
		}
		last = err
		if after > wait {
			wait = after
		}
		// Full jitter around the interval, as the OTel exporter's backoff.
		d := wait/2 + rand.N(wait)
		if time.Since(start)+d > e.retry.elapsed {
			return fmt.Errorf("OTLP export gave up after %s: %w", time.Since(start).Round(time.Millisecond), err)
		}
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return errors.Join(ctx.Err(), err)
		case <-e.stop:
			t.Stop()
			return errors.Join(errors.New("OTLP exporter is shut down"), err)
		case <-t.C:
		}
		wait = min(wait*2, e.retry.max)
	}
}

// send makes one attempt. again reports a retryable failure, after the
// delay the collector asked for with Retry-After.
func (e *protoExporter) send(ctx context.Context, body []byte) (again bool, after time.Duration, err error) {
	// Errors name the endpoint by scheme, host and path only: a URL (and
	// the url.Error that quotes it) can carry credentials.
	endpoint := redact.Endpoint(e.url)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, e.url, bytes.NewReader(body))
	if err != nil {
		return false, 0, fmt.Errorf("OTLP endpoint %s is not a valid URL", endpoint)
	}
	req.Header = e.headers.Clone()
	resp, err := e.client.Do(req)
	if err != nil {
		var ne net.Error
		timeout := errors.As(err, &ne) && ne.Timeout()
		switch {
		case ctx.Err() != nil:
			return false, 0, fmt.Errorf("OTLP export to %s: %w", endpoint, ctx.Err())
		case timeout:
			return true, 0, fmt.Errorf("OTLP export to %s: collector did not answer in time", endpoint)
		}
		return false, 0, fmt.Errorf("OTLP export to %s: collector unreachable", endpoint)
	}
	defer resp.Body.Close()
	reply, rerr := io.ReadAll(io.LimitReader(resp.Body, maxResponseBody))
	if rerr != nil {
		return false, 0, fmt.Errorf("OTLP export to %s: reply cut short", endpoint)
	}
	switch code := resp.StatusCode; {
	case code >= 200 && code <= 299:
		if strings.HasPrefix(resp.Header.Get("Content-Type"), "application/x-protobuf") {
			return false, 0, partialSuccess(reply)
		}
		return false, 0, nil
	case code == http.StatusTooManyRequests || code == http.StatusBadGateway ||
		code == http.StatusServiceUnavailable || code == http.StatusGatewayTimeout:
		return true, retryAfter(resp.Header.Get("Retry-After")), fmt.Errorf("OTLP export to %s: %s (%s)", endpoint, resp.Status, replyText(reply))
	default:
		return false, 0, fmt.Errorf("OTLP export to %s: %s (%s)", endpoint, resp.Status, replyText(reply))
	}
}

// partialSuccess reports spans a collector accepted the request of but
// rejected, as the OTel exporter reports them to the error handler; a
// reply that is not an ExportTraceServiceResponse is taken as success.
func partialSuccess(reply []byte) error {
	resp := ptraceotlp.NewExportResponse()
	if len(reply) == 0 || resp.UnmarshalProto(reply) != nil {
		return nil
	}
	ps := resp.PartialSuccess()
	if ps.RejectedSpans() == 0 && ps.ErrorMessage() == "" {
		return nil
	}
	return fmt.Errorf("OTLP partial success: %d spans rejected (%s)", ps.RejectedSpans(), replyText([]byte(ps.ErrorMessage())))
}

// replyText is a collector's reply as one bounded line for an error.
func replyText(b []byte) string {
	s := strings.Join(strings.Fields(string(b)), " ")
	if s == "" {
		return "empty reply"
	}
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return strings.ToValidUTF8(s, "?")
}

// retryAfter reads a Retry-After header in seconds or as an HTTP date.
func retryAfter(v string) time.Duration {
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && s > 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		return time.Until(t)
	}
	return 0
}

// Shutdown ends pending retries and closes idle connections.
func (e *protoExporter) Shutdown(context.Context) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if !e.stopped {
		e.stopped = true
		close(e.stop)
		e.client.CloseIdleConnections()
	}
	return nil
}

// MarshalLog keeps logging of the exporter to its endpoint.
func (e *protoExporter) MarshalLog() any {
	return "OTLP/HTTP protobuf exporter " + redact.Endpoint(e.url)
}
