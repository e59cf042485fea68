package runfile

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"time"

	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"

	"github.com/agentwrap/agentwrap/redact"
)

// DefaultReplayTimeout bounds each request of a Replayer without a Client.
const DefaultReplayTimeout = 10 * time.Second

// Replayer sends the export requests of a run file to an OTLP/HTTP traces
// endpoint, one protobuf request per line, for runs made without a
// collector. A run file can have been edited since the run wrote it, so
// every line passes through Guard as live spans do before they leave
// (allowlist, scanned strings, no events or links; see
// redact.Guard.Traces). Lines are read and sent one at a time.
type Replayer struct {
	// URL is the full traces endpoint URL (…/v1/traces).
	URL string
	// Headers are set on every request, e.g. authentication. Their values
	// never appear in an error.
	Headers map[string]string
	// Client sends the requests; nil means a client with
	// DefaultReplayTimeout.
	Client *http.Client
	// Guard filters every span before it is sent; nil is the guard with
	// an empty allowlist, which drops every span attribute.
	Guard *redact.Guard
}

// ReplayResult is what a replay sent and skipped.
type ReplayResult struct {
	// Requests and Spans count what the endpoint accepted.
	Requests, Spans int
	// LineErrors are the run file lines that could not be read; they were
	// skipped.
	LineErrors []LineError
}

// ReplayFile sends every readable line of the run file at path, in order,
// and stops at the first request the endpoint does not accept.
func (rp *Replayer) ReplayFile(ctx context.Context, path string) (ReplayResult, error) {
	f, err := os.Open(path)
	if err != nil {
		return ReplayResult{}, fmt.Errorf("cannot open run file: %w", err)
	}
	defer f.Close()
	return rp.Replay(ctx, f)
}

// Replay sends every readable line of the run file r; see ReplayFile.
func (rp *Replayer) Replay(ctx context.Context, r io.Reader) (ReplayResult, error) {
	var res ReplayResult
	bad, err := eachRequest(r, MaxLineSize, func(td ptrace.Traces) error {
		rp.Guard.Traces(td)
		if err := rp.Send(ctx, td); err != nil {
			return fmt.Errorf("cannot export request %d: %w", res.Requests+1, err)
		}
		res.Requests++
		res.Spans += td.SpanCount()
		return nil
	})
	res.LineErrors = bad
	return res, err
}

// Send posts td as one OTLP/HTTP protobuf export request. An error names
// the endpoint by scheme, host and path only, and never quotes a header.
func (rp *Replayer) Send(ctx context.Context, td ptrace.Traces) error {
	body, err := ptraceotlp.NewExportRequestFromTraces(td).MarshalProto()
	if err != nil {
		return fmt.Errorf("cannot encode spans: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, rp.URL, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("endpoint %s is not a valid URL", redact.Endpoint(rp.URL))
	}
	for k, v := range rp.Headers {
		req.Header.Set(k, v)
	}
	req.Header.Set("Content-Type", "application/x-protobuf")
	resp, err := rp.client().Do(req)
	if err != nil {
		return fmt.Errorf("%s: %s", redact.Endpoint(rp.URL), transportClass(ctx, err))
	}
	defer resp.Body.Close()
	reply, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("%s answered %s", redact.Endpoint(rp.URL), resp.Status)
	}
	return partialSuccess(reply)
}

func (rp *Replayer) client() *http.Client {
	if rp.Client != nil {
		return rp.Client
	}
	return &http.Client{Timeout: DefaultReplayTimeout}
}

// partialSuccess reports spans a collector accepted the request of but
// rejected; a reply that is not a protobuf ExportTraceServiceResponse is
// taken as full success, as OTLP exporters do.
func partialSuccess(reply []byte) error {
	resp := ptraceotlp.NewExportResponse()
	if len(reply) == 0 || resp.UnmarshalProto(reply) != nil {
		return nil
	}
	if n := resp.PartialSuccess().RejectedSpans(); n > 0 {
		return fmt.Errorf("the collector rejected %d span(s)", n)
	}
	return nil
}

// transportClass describes a failed request without quoting it: a URL in
// an error can carry credentials.
func transportClass(ctx context.Context, err error) string {
	var ue *url.Error
	switch {
	case ctx.Err() != nil:
		return "cancelled"
	case errors.As(err, &ue) && ue.Timeout():
		return "collector did not answer in time"
	}
	return "collector unreachable"
}
