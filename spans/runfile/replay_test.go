package runfile_test

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/agentwrap/agentwrap/internal/otlptest"
	"github.com/agentwrap/agentwrap/redact"
	"github.com/agentwrap/agentwrap/spans"
	"github.com/agentwrap/agentwrap/spans/runfile"
)

// recordedFile writes the recordRun spans to a run file, with a corrupt
// line between the two lines, and returns its path.
func recordedFile(t *testing.T) string {
	t.Helper()
	exp := create(t)
	tp := sdktrace.NewTracerProvider(sdktrace.WithResource(testResource()),
		sdktrace.WithSpanProcessor(sdktrace.NewSimpleSpanProcessor(exp)))
	recordRun(tp)
	if err := tp.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(exp.Path())
	if err != nil {
		t.Fatal(err)
	}
	first, rest, _ := bytes.Cut(b, []byte("\n"))
	out := bytes.Join([][]byte{first, []byte("{torn"), rest}, []byte("\n"))
	if err := os.WriteFile(exp.Path(), out, 0o600); err != nil {
		t.Fatal(err)
	}
	return exp.Path()
}

// TestReplayFile replays a run file to an in-process OTLP receiver: every
// span arrives as the run file holds it once the guard has passed over it
// (the planted secret masked, the event and the scope attribute dropped),
// the corrupt line is reported and skipped.
func TestReplayFile(t *testing.T) {
	path := recordedFile(t)
	recv := otlptest.NewReceiver(t)
	guard := redact.NewGuard(spans.SchemaNames(), redact.NewScanner())
	rp := &runfile.Replayer{URL: recv.TracesURL(), Guard: guard}
	res, err := rp.ReplayFile(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	if res.Requests != 2 || res.Spans != 2 || len(res.LineErrors) != 1 || res.LineErrors[0].Line != 2 {
		t.Errorf("result %+v", res)
	}
	got, err := recv.WaitSpans(2, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	td, _, err := runfile.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	guard.Traces(td)
	if want := otlptest.Flatten(td); !reflect.DeepEqual(got, want) {
		t.Errorf("replayed spans differ from the guarded run file:\n got %+v\nwant %+v", got, want)
	}
	for _, body := range recv.Raw() {
		if bytes.Contains(body, []byte(canary)) || bytes.Contains(body, []byte("first_chunk")) || bytes.Contains(body, []byte("scope.attr")) {
			t.Errorf("the replay sent the planted secret, the event or the scope attribute")
		}
	}
	names := map[string]bool{}
	for _, s := range got {
		names[s.Name] = true
	}
	if !names["invoke_agent claude"] || len(got) != 2 {
		t.Errorf("replayed spans %+v", got)
	}
}

// TestReplayHeadersAndErrors: headers are sent, and no error quotes a
// header value or URL credentials.
func TestReplayHeadersAndErrors(t *testing.T) {
	path := recordedFile(t)
	const secret = "sk-canary-replay-Hd7Kq2Lm9Xw4"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+secret || r.Header.Get("Content-Type") != "application/x-protobuf" {
			http.Error(w, "denied "+secret, http.StatusUnauthorized)
			return
		}
		resp := ptraceotlp.NewExportResponse()
		resp.PartialSuccess().SetRejectedSpans(1)
		b, _ := resp.MarshalProto()
		w.Header().Set("Content-Type", "application/x-protobuf")
		_, _ = w.Write(b)
	}))
	defer srv.Close()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := "http://user:" + secret + "@" + l.Addr().String() + "/v1/traces?token=" + secret
	l.Close()
	for _, tc := range []struct {
		name, url string
		headers   map[string]string
		want      string
	}{
		{"refused", srv.URL + "/v1/traces", map[string]string{"Authorization": "Bearer wrong-" + secret}, "answered 401 Unauthorized"},
		{"partial", srv.URL + "/v1/traces", map[string]string{"Authorization": "Bearer " + secret}, "the collector rejected 1 span(s)"},
		{"unreachable", dead, nil, "collector unreachable"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rp := &runfile.Replayer{URL: tc.url, Headers: tc.headers}
			res, err := rp.ReplayFile(context.Background(), path)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "cannot export request 1: ") {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
			if strings.Contains(err.Error(), secret) || res.Requests != 0 {
				t.Errorf("err %q quotes the secret, or %d requests counted", err, res.Requests)
			}
		})
	}
}

func TestReplayMissingFileAndEndpoint(t *testing.T) {
	rp := &runfile.Replayer{URL: "http://127.0.0.1:1/v1/traces"}
	if _, err := rp.ReplayFile(context.Background(), "/nonexistent/run.jsonl"); err == nil || !strings.HasPrefix(err.Error(), "cannot open run file: ") {
		t.Errorf("missing file: %v", err)
	}
	if got := redact.Endpoint("https://u:p@collector.example:4318/v1/traces?x=1#f"); got != "https://collector.example:4318/v1/traces" {
		t.Errorf("Endpoint = %q", got)
	}
	if got := redact.Endpoint("::"); got != "(invalid URL)" {
		t.Errorf("Endpoint(invalid) = %q", got)
	}
}
