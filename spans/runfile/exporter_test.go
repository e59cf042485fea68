package runfile_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/agentwrap/agentwrap/spans/runfile"
)

func create(t *testing.T) *runfile.Exporter {
	t.Helper()
	exp, err := runfile.Create(filepath.Join(t.TempDir(), "runs"), "run-1")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = exp.Shutdown(context.Background()) })
	return exp
}

// TestRoundTrip records a run through a real tracer provider into a run
// file and reads every field back.
func TestRoundTrip(t *testing.T) {
	exp := create(t)
	tp := sdktrace.NewTracerProvider(sdktrace.WithResource(testResource()),
		sdktrace.WithSpanProcessor(sdktrace.NewSimpleSpanProcessor(exp)))
	root, child := recordRun(tp)
	if err := tp.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	reqs, bad, err := readRequests(t, exp.Path())
	if err != nil || len(bad) != 0 || len(reqs) != 2 {
		t.Fatalf("ReadRequests: %d requests, bad lines %v, err %v; want 2 clean lines", len(reqs), bad, err)
	}
	td, bad, err := runfile.ReadFile(exp.Path())
	if err != nil || len(bad) != 0 || td.SpanCount() != 2 {
		t.Fatalf("ReadFile: %d spans, bad lines %v, err %v", td.SpanCount(), bad, err)
	}
	rs := td.ResourceSpans().At(0)
	if v, _ := rs.Resource().Attributes().Get("agentwrap.run_id"); v.Str() != "run-1" {
		t.Errorf("resource = %v", rs.Resource().Attributes().AsRaw())
	}
	scope := rs.ScopeSpans().At(0).Scope()
	if scope.Name() != "agentwrap/test" || scope.Version() != "1.2.3" || scope.Attributes().AsRaw()["scope.attr"] != "s" {
		t.Errorf("scope = %q %q %v", scope.Name(), scope.Version(), scope.Attributes().AsRaw())
	}
	checkChild(t, rs.ScopeSpans().At(0).Spans().At(0), root, child)
	checkRoot(t, td.ResourceSpans().At(1).ScopeSpans().At(0).Spans().At(0), root)
}

func readRequests(t *testing.T, path string) ([]ptrace.Traces, []runfile.LineError, error) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	return runfile.ReadRequests(f)
}

func checkRoot(t *testing.T, s ptrace.Span, root trace.SpanContext) {
	t.Helper()
	if s.Name() != "invoke_agent claude" || s.Kind() != ptrace.SpanKindInternal || !s.ParentSpanID().IsEmpty() {
		t.Errorf("root: %q %v parent %v", s.Name(), s.Kind(), s.ParentSpanID())
	}
	if s.SpanID() != pcommon.SpanID(root.SpanID()) || s.Status().Code() != ptrace.StatusCodeOk {
		t.Errorf("root id %v status %v", s.SpanID(), s.Status().Code())
	}
}

func checkChild(t *testing.T, s ptrace.Span, root, child trace.SpanContext) {
	t.Helper()
	if s.Name() != "chat gpt-5" || s.Kind() != ptrace.SpanKindClient {
		t.Errorf("child: %q %v", s.Name(), s.Kind())
	}
	if s.TraceID() != pcommon.TraceID(child.TraceID()) || s.SpanID() != pcommon.SpanID(child.SpanID()) ||
		s.ParentSpanID() != pcommon.SpanID(root.SpanID()) {
		t.Errorf("child ids %v %v parent %v", s.TraceID(), s.SpanID(), s.ParentSpanID())
	}
	if s.Flags() != 0x101 {
		t.Errorf("flags = %#x, want sampled with has-is-remote", s.Flags())
	}
	if s.StartTimestamp() == 0 || s.EndTimestamp() < s.StartTimestamp() {
		t.Errorf("times %v .. %v", s.StartTimestamp(), s.EndTimestamp())
	}
	if st := s.Status(); st.Code() != ptrace.StatusCodeError || st.Message() != "upstream 500" {
		t.Errorf("status %v %q", st.Code(), st.Message())
	}
	checkAttrs(t, s.Attributes())
	if s.Events().Len() != 1 || s.Events().At(0).Name() != "first_chunk" || s.Events().At(0).Attributes().AsRaw()["chunk"] != int64(1) {
		t.Errorf("events = %d", s.Events().Len())
	}
	if s.Links().Len() != 1 || s.Links().At(0).SpanID() != pcommon.SpanID(root.SpanID()) ||
		s.Links().At(0).Attributes().AsRaw()["link.attr"] != "l" {
		t.Errorf("links = %d", s.Links().Len())
	}
}

func checkAttrs(t *testing.T, m pcommon.Map) {
	t.Helper()
	want := map[string]string{
		"t.string": `value`, "t.bool": `true`, "t.int": `-42`, "t.float": `2.5`,
		"t.strings": `["a","b"]`, "t.bools": `[true,false]`, "t.ints": `[1,2,3]`, "t.floats": `[0.5,1.5]`,
		"t.bytes": `AAH/`, "t.slice": `["x",7]`, "t.map": `{"k":"v","n":1}`, "agentwrap.notes": canary,
	}
	types := map[string]pcommon.ValueType{
		"t.string": pcommon.ValueTypeStr, "t.bool": pcommon.ValueTypeBool, "t.int": pcommon.ValueTypeInt,
		"t.float": pcommon.ValueTypeDouble, "t.bytes": pcommon.ValueTypeBytes, "t.map": pcommon.ValueTypeMap,
		"t.strings": pcommon.ValueTypeSlice, "t.slice": pcommon.ValueTypeSlice,
	}
	if m.Len() != len(want) {
		t.Errorf("%d attributes, want %d: %v", m.Len(), len(want), m.AsRaw())
	}
	for k, w := range want {
		v, ok := m.Get(k)
		if !ok || v.AsString() != w {
			t.Errorf("attribute %s = %q, want %q", k, v.AsString(), w)
		}
		if typ, ok := types[k]; ok && v.Type() != typ {
			t.Errorf("attribute %s has type %v, want %v", k, v.Type(), typ)
		}
	}
}

// TestLineIsCollectorOTLPJSON checks each line is an OTLP JSON
// ExportTraceServiceRequest as the collector decodes it: hex ids, one
// request per line.
func TestLineIsCollectorOTLPJSON(t *testing.T) {
	exp := create(t)
	spans := snapshots(t)
	if err := exp.ExportSpans(context.Background(), spans); err != nil {
		t.Fatal(err)
	}
	if err := exp.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(exp.Path())
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Count(data, []byte("\n")) != 1 || !bytes.HasSuffix(data, []byte("\n")) {
		t.Fatalf("one export must be exactly one line:\n%s", data)
	}
	req := ptraceotlp.NewExportRequest()
	if err := req.UnmarshalJSON(data); err != nil {
		t.Fatalf("collector cannot decode the line: %v", err)
	}
	u := ptrace.JSONUnmarshaler{DisallowUnknownFields: true}
	td, err := u.UnmarshalTraces(bytes.TrimSpace(data))
	if err != nil || td.SpanCount() != 2 || req.Traces().SpanCount() != 2 {
		t.Fatalf("JSONUnmarshaler: %v, %d spans", err, td.SpanCount())
	}
	for _, want := range []string{`{"resourceSpans":[`, `"traceId":"` + spans[0].SpanContext().TraceID().String() + `"`,
		`"spanId":"` + spans[0].SpanContext().SpanID().String() + `"`, canary} {
		if !bytes.Contains(data, []byte(want)) {
			t.Errorf("line lacks %s:\n%s", want, data)
		}
	}
}

func TestPermissions(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state", "runs")
	exp, err := runfile.Create(dir, "run-1")
	if err != nil {
		t.Fatal(err)
	}
	defer exp.Shutdown(context.Background())
	if exp.Path() != filepath.Join(dir, "run-1.jsonl") {
		t.Errorf("Path = %q", exp.Path())
	}
	checkMode(t, exp.Path(), 0o600)
	checkMode(t, dir, 0o700)

	loose := filepath.Join(t.TempDir(), "shared")
	if err := os.Mkdir(loose, 0o755); err != nil {
		t.Fatal(err)
	}
	exp2, err := runfile.Create(loose, "run-2")
	if err != nil {
		t.Fatal(err)
	}
	defer exp2.Shutdown(context.Background())
	checkMode(t, loose, 0o755) // an existing directory is left as it is
	checkMode(t, exp2.Path(), 0o600)
}

func checkMode(t *testing.T, path string, want os.FileMode) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := fi.Mode().Perm(); got != want {
		t.Errorf("%s has mode %v, want %v", path, got, want)
	}
}

func TestCreateExisting(t *testing.T) {
	dir := t.TempDir()
	first, err := runfile.Create(dir, "run-1")
	if err != nil {
		t.Fatal(err)
	}
	if err := first.ExportSpans(context.Background(), snapshots(t)); err != nil {
		t.Fatal(err)
	}
	defer first.Shutdown(context.Background())
	_, err = runfile.Create(dir, "run-1")
	if !errors.Is(err, runfile.ErrExists) || !strings.HasPrefix(err.Error(), "cannot create run file: run file already exists") ||
		!strings.Contains(err.Error(), "run-1.jsonl") {
		t.Fatalf("second Create = %v, want ErrExists naming the file", err)
	}
	if td, bad, err := runfile.ReadFile(first.Path()); err != nil || len(bad) != 0 || td.SpanCount() != 2 {
		t.Errorf("the first run's file was disturbed: %d spans, %v, %v", td.SpanCount(), bad, err)
	}
}

func TestCreateInvalidRunID(t *testing.T) {
	dir := t.TempDir()
	for _, id := range []string{"", ".", "..", "a/b", "../escape", `a\b`, "nul\x00"} {
		_, err := runfile.Create(dir, id)
		if !errors.Is(err, runfile.ErrInvalidRunID) || !strings.HasPrefix(err.Error(), "cannot create run file: ") {
			t.Errorf("Create(%q) = %v, want ErrInvalidRunID", id, err)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("invalid ids created %d entries", len(entries))
	}
	if err := runfile.ValidateRunID("20260701T120000Z-3f9a"); err != nil {
		t.Error(err)
	}
}

func TestCreateUnwritableDir(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := runfile.Create(filepath.Join(file, "runs"), "run-1"); err == nil || !strings.HasPrefix(err.Error(), "cannot create run file: ") {
		t.Errorf("Create under a file = %v", err)
	}
}

func TestShutdown(t *testing.T) {
	exp := create(t)
	if err := exp.ExportSpans(context.Background(), nil); err != nil {
		t.Errorf("empty export: %v", err)
	}
	if err := exp.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := exp.Shutdown(context.Background()); err != nil {
		t.Errorf("second Shutdown: %v", err)
	}
	if err := exp.ExportSpans(context.Background(), snapshots(t)); !errors.Is(err, runfile.ErrShutdown) {
		t.Errorf("export after Shutdown = %v, want ErrShutdown", err)
	}
	if data, err := os.ReadFile(exp.Path()); err != nil || len(data) != 0 {
		t.Errorf("file holds %q (%v), want nothing", data, err)
	}
}

func TestExportCanceled(t *testing.T) {
	exp := create(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := exp.ExportSpans(ctx, snapshots(t)); !errors.Is(err, context.Canceled) {
		t.Errorf("export with a canceled context = %v", err)
	}
}

func TestConcurrentExport(t *testing.T) {
	exp := create(t)
	spans := snapshots(t)
	const workers, each = 8, 25
	var wg sync.WaitGroup
	errs := make(chan error, workers*each)
	for range workers {
		wg.Go(func() {
			for range each {
				errs <- exp.ExportSpans(context.Background(), spans)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := exp.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	reqs, bad, err := readRequests(t, exp.Path())
	if err != nil || len(bad) != 0 || len(reqs) != workers*each {
		t.Fatalf("%d lines, bad %v, err %v; want %d clean lines", len(reqs), bad, err, workers*each)
	}
	for i, r := range reqs {
		if r.SpanCount() != len(spans) {
			t.Fatalf("line %d holds %d spans", i+1, r.SpanCount())
		}
	}
}

func ExampleCreate() {
	dir, _ := os.MkdirTemp("", "agentwrap-state")
	defer os.RemoveAll(dir)
	exp, err := runfile.Create(filepath.Join(dir, "runs"), "run-1")
	if err != nil {
		fmt.Println(err)
		return
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(sdktrace.NewSimpleSpanProcessor(exp)))
	_, span := tp.Tracer("example").Start(context.Background(), "invoke_agent claude")
	span.End()
	_ = tp.Shutdown(context.Background()) // shuts the exporter down: sync and close

	td, bad, err := runfile.ReadFile(exp.Path())
	fmt.Println(filepath.Base(exp.Path()), td.SpanCount(), len(bad), err)
	// Output: run-1.jsonl 1 0 <nil>
}
