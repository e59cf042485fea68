package runfile_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/agentwrap/agentwrap/spans/runfile"
)

// lines returns n run-file lines, each holding one span named span-1 ..
// span-n.
func lines(t *testing.T, n int) [][]byte {
	t.Helper()
	exp := create(t)
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(sdktrace.NewSimpleSpanProcessor(exp)))
	for i := range n {
		_, s := tp.Tracer("t").Start(context.Background(), "span-"+string(rune('1'+i)))
		s.End()
	}
	if err := tp.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(exp.Path())
	if err != nil {
		t.Fatal(err)
	}
	out := bytes.SplitAfter(data, []byte("\n"))
	return out[:len(out)-1]
}

func names(t *testing.T, data []byte) ([]string, []runfile.LineError) {
	t.Helper()
	td, bad, err := runfile.Read(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, rs := range td.ResourceSpans().All() {
		for _, ss := range rs.ScopeSpans().All() {
			for _, s := range ss.Spans().All() {
				got = append(got, s.Name())
			}
		}
	}
	return got, bad
}

// TestReadSkipsBadLines: a corrupt line in the middle and a last line torn
// by a crash are reported with their numbers; every other line is read.
func TestReadSkipsBadLines(t *testing.T) {
	l := lines(t, 5)
	var data []byte
	data = append(data, l[0]...)
	data = append(data, l[1][:len(l[1])/2]...) // line 2: torn, then a newline
	data = append(data, '\n')
	data = append(data, l[2]...)
	data = append(data, "\n"...)               // line 4: blank, ignored
	data = append(data, "not json\n"...)       // line 5
	data = append(data, l[3]...)               // line 6
	data = append(data, l[4][:len(l[4])/3]...) // line 7: torn, no newline
	got, bad := names(t, data)
	if strings.Join(got, ",") != "span-1,span-3,span-4" {
		t.Errorf("spans read = %v", got)
	}
	if len(bad) != 3 || bad[0].Line != 2 || bad[1].Line != 5 || bad[2].Line != 7 {
		t.Fatalf("bad lines = %v, want lines 2, 5 and 7", bad)
	}
	if !strings.HasPrefix(bad[2].Error(), "line 7: not an OTLP JSON trace request: ") || errors.Unwrap(bad[2]) == nil {
		t.Errorf("LineError = %q", bad[2].Error())
	}
}

// TestLineErrorQuotesNothing: a damaged line may hold anything, so its
// bytes never appear in the error.
func TestLineErrorQuotesNothing(t *testing.T) {
	for _, line := range []string{
		"Authorization: Bearer " + canary, `{"resourceSpans":[{"x":"` + canary, canary + "}",
		`{"resourceSpans":[{"scopeSpans":[{"spans":[{"startTimeUnixNano":"` + canary + `"}]}]}]}`,
		`{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"` + canary + `"}]}]}]}`,
	} {
		_, bad := names(t, []byte(line+"\n"))
		if len(bad) != 1 || strings.Contains(bad[0].Error(), "canary") {
			t.Errorf("LineError quotes the line: %v", bad)
		}
	}
}

func TestReadRequestsKeepsLines(t *testing.T) {
	l := lines(t, 3)
	data := bytes.Join([][]byte{l[0], []byte("{\n"), l[1], l[2]}, nil)
	reqs, bad, err := runfile.ReadRequests(bytes.NewReader(data))
	if err != nil || len(reqs) != 3 || len(bad) != 1 || bad[0].Line != 2 {
		t.Fatalf("ReadRequests = %d requests, bad %v, err %v", len(reqs), bad, err)
	}
	for i, r := range reqs {
		if r.SpanCount() != 1 {
			t.Errorf("request %d holds %d spans", i, r.SpanCount())
		}
	}
}

func TestReadOddLines(t *testing.T) {
	for _, line := range []string{"123", `"str"`, "[]", "{", `{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"zz"}]}]}]}`} {
		_, bad := names(t, []byte(line+"\n"))
		if len(bad) != 1 || bad[0].Line != 1 {
			t.Errorf("%s: bad lines %v, want line 1", line, bad)
		}
	}
	if got, bad := names(t, []byte("{}\n\r\n  \n")); len(got) != 0 || len(bad) != 0 {
		t.Errorf("an empty request and blank lines: %v %v", got, bad)
	}
	if got, bad := names(t, nil); len(got) != 0 || len(bad) != 0 {
		t.Errorf("empty file: %v %v", got, bad)
	}
}

func TestReadCRLF(t *testing.T) {
	l := lines(t, 2)
	data := bytes.ReplaceAll(bytes.Join(l, nil), []byte("\n"), []byte("\r\n"))
	if got, bad := names(t, data); len(got) != 2 || len(bad) != 0 {
		t.Errorf("CRLF lines: %v %v", got, bad)
	}
}

func TestReadPartialBeforeError(t *testing.T) {
	l := lines(t, 2)
	r := ioErrAfter{data: bytes.Join(l, nil), err: errors.New("disk gone")}
	td, bad, err := runfile.Read(&r)
	if err == nil || td.SpanCount() != 2 || len(bad) != 0 {
		t.Errorf("spans before a read error: %d, bad %v, err %v", td.SpanCount(), bad, err)
	}
	if err.Error() != "cannot read run file: line 3: disk gone" {
		t.Errorf("err = %q", err)
	}
}

// ioErrAfter returns data, then err instead of EOF.
type ioErrAfter struct {
	data []byte
	err  error
}

func (r *ioErrAfter) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, r.err
	}
	n := copy(p, r.data)
	r.data = r.data[n:]
	return n, nil
}

// TestReadLongLine reads a line far beyond bufio.Scanner's 64 KB default.
func TestReadLongLine(t *testing.T) {
	exp := create(t)
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(sdktrace.NewSimpleSpanProcessor(exp)))
	_, s := tp.Tracer("t").Start(context.Background(), "long")
	s.SetAttributes(attribute.String("big", strings.Repeat("x", 300<<10)))
	s.End()
	_, s = tp.Tracer("t").Start(context.Background(), "after")
	s.End()
	if err := tp.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	td, bad, err := runfile.ReadFile(exp.Path())
	if err != nil || len(bad) != 0 || td.SpanCount() != 2 {
		t.Fatalf("%d spans, bad %v, err %v", td.SpanCount(), bad, err)
	}
	v, _ := td.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0).Attributes().Get("big")
	if len(v.Str()) != 300<<10 {
		t.Errorf("long attribute has %d bytes", len(v.Str()))
	}
}

func TestReadFileMissing(t *testing.T) {
	_, _, err := runfile.ReadFile(filepath.Join(t.TempDir(), "nope.jsonl"))
	if !errors.Is(err, os.ErrNotExist) || !strings.HasPrefix(err.Error(), "cannot open run file: ") {
		t.Errorf("err = %v", err)
	}
}

func FuzzRead(f *testing.F) {
	f.Add([]byte(`{"resourceSpans":[{"scopeSpans":[{"spans":[{"name":"a","traceId":"0102030405060708090a0b0c0d0e0f10"}]}]}]}` + "\n"))
	f.Add([]byte("{\n\n}garbage\n{}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		td, bad, err := runfile.Read(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("reading from memory failed: %v", err)
		}
		n := bytes.Count(data, []byte("\n")) + 1
		for _, b := range bad {
			if b.Line < 1 || b.Line > n {
				t.Fatalf("line number %d outside 1..%d", b.Line, n)
			}
		}
		_ = td.SpanCount()
	})
}

// TestScanStreamsLines: Scan hands over each line's spans in file order and
// each bad line as it reaches it, and stops at the first error fn returns.
func TestScanStreamsLines(t *testing.T) {
	l := lines(t, 4)
	data := bytes.Join([][]byte{l[0], []byte("not json\n"), l[1], []byte("\n"), l[2], l[3]}, nil)
	var events []string
	err := runfile.Scan(bytes.NewReader(data), func(td ptrace.Traces) error {
		events = append(events, td.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0).Name())
		return nil
	}, func(e runfile.LineError) { events = append(events, e.Error()[:len("line 2")]) })
	if err != nil {
		t.Fatal(err)
	}
	if want := "span-1 line 2 span-2 span-3 span-4"; strings.Join(events, " ") != want {
		t.Errorf("Scan saw %q, want %q", strings.Join(events, " "), want)
	}

	stop := errors.New("stop")
	n := 0
	err = runfile.Scan(bytes.NewReader(data), func(ptrace.Traces) error {
		n++
		if n == 2 {
			return stop
		}
		return nil
	}, nil)
	if !errors.Is(err, stop) || n != 2 {
		t.Errorf("Scan returned %v after %d lines, want the callback's error after 2", err, n)
	}
}
