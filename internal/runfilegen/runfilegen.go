// Package runfilegen writes large run files for the memory and speed checks
// of their readers (agentwrap report and runs): real call spans, recorded by
// the gateway's recorder through the redaction guard and the run file
// exporter, then repeated with new span ids and start times until the file
// has the size asked for, with the run span last as a run writes it.
package runfilegen

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/agentwrap/agentwrap/call"
	"github.com/agentwrap/agentwrap/redact"
	"github.com/agentwrap/agentwrap/spans"
	"github.com/agentwrap/agentwrap/spans/runfile"
)

// RunID is the id of the run files Write writes.
const RunID = "20261205T120000Z-b1667e57"

// Options describe the run file to write.
type Options struct {
	// Size is the least size of the file in bytes; whole rounds of the
	// template's calls are written until it is reached.
	Size int64
	// BadEvery writes an unreadable line after every BadEvery call lines,
	// alternately a call line torn in half and a line that is not JSON;
	// 0 writes none.
	BadEvery int
	// NoRunSpan leaves the run span out, as a run killed before its end
	// leaves its run file.
	NoRunSpan bool
}

// Stats describe the run file written.
type Stats struct {
	Path                      string
	Size                      int64
	Calls                     int
	Pass, Fail, FollowUp      int
	InputTokens, OutputTokens int64
	BadLines                  int
}

// period is how far each round of the template's calls starts after the
// previous one; the template's calls start within it.
const period = 30 * time.Second

// t0 is the run's start.
var t0 = time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)

// Write writes the run file <dir>/<RunID>.jsonl.
func Write(dir string, opts Options) (Stats, error) {
	tmp, err := os.MkdirTemp(dir, "template-")
	if err != nil {
		return Stats{}, err
	}
	defer os.RemoveAll(tmp)
	tpl, err := record(tmp)
	if err != nil {
		return Stats{}, err
	}
	defer tpl.tp.Shutdown(context.Background()) //nolint:errcheck // ended below when the run span is written
	st := Stats{Path: filepath.Join(dir, RunID+runfile.Ext)}
	f, err := os.OpenFile(st.Path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return Stats{}, fmt.Errorf("cannot create run file: %w", err)
	}
	defer f.Close()
	w := bufio.NewWriterSize(f, 1<<20)
	var line []byte
	round := 0
	for ; st.Size < opts.Size || round == 0; round++ {
		for i, l := range tpl.calls {
			line = vary(line[:0], l, uint64(round)*uint64(period), uint64(round*len(tpl.calls)+i+16))
			n, _ := w.Write(line)
			st.Size += int64(n)
			st.Calls++
			if opts.BadEvery > 0 && st.Calls%opts.BadEvery == 0 {
				bad := []byte("{\"resourceSpans\": [not json\n")
				if st.BadLines%2 == 0 {
					bad = append(line[:len(line)/2:len(line)/2], '\n')
				}
				n, _ := w.Write(bad)
				st.Size += int64(n)
				st.BadLines++
			}
		}
	}
	st.Pass, st.Fail, st.FollowUp = round*tpl.sum.Counts[spans.ResultPass], round*tpl.sum.Counts[spans.ResultFail], round*tpl.sum.Counts[spans.ResultNeedsFollowUp]
	st.InputTokens, st.OutputTokens = int64(round)*tpl.sum.Usage.Input, int64(round)*tpl.sum.Usage.Output
	if !opts.NoRunSpan {
		end := t0.Add(time.Duration(round) * period)
		runLine, err := tpl.endRun(st.Calls, end)
		if err != nil {
			return Stats{}, err
		}
		n, _ := w.Write(runLine)
		st.Size += int64(n)
	}
	if err := w.Flush(); err != nil {
		return Stats{}, fmt.Errorf("cannot write run file: %w", err)
	}
	if err := f.Close(); err != nil {
		return Stats{}, fmt.Errorf("cannot write run file: %w", err)
	}
	return st, nil
}

// template is one round of calls as the run file exporter wrote them, and
// the run span, still open.
type template struct {
	calls [][]byte
	sum   spans.Summary
	// endRun ends the run span after n calls at end and returns its line.
	endRun func(n int, end time.Time) ([]byte, error)
	tp     *sdktrace.TracerProvider
}

// record records the template's calls into a run file of its own in tmp,
// and reads their lines back.
func record(tmp string) (*template, error) {
	exp, err := runfile.Create(tmp, RunID)
	if err != nil {
		return nil, err
	}
	guard := redact.NewGuard(spans.SchemaNames(), redact.NewScanner())
	tp := sdktrace.NewTracerProvider(
		sdktrace.WithResource(spans.Resource(func(string) string { return "" }, "1.0.0-bench", spans.Conventions{})),
		sdktrace.WithSpanProcessor(sdktrace.NewSimpleSpanProcessor(redact.WrapExporter(exp, guard))))
	tr := tp.Tracer("github.com/agentwrap/agentwrap")
	ctx, run := tr.Start(context.Background(), "invoke_agent claude", trace.WithTimestamp(t0),
		trace.WithAttributes(spans.RunID.String(RunID), spans.GenAIAgentName.String("claude"),
			spans.GenAIOperationName.String("invoke_agent"), spans.Profile.String("claude"),
			spans.Upstream.String("https://api.cometapi.com"), spans.ContractManifest.String("builtin:cometapi.yaml")))
	rec := spans.NewRecorder(tr, ctx, RunID, nil)
	for _, c := range calls() {
		rec.Observe(c)
	}
	b, err := os.ReadFile(exp.Path())
	if err != nil {
		return nil, err
	}
	lines := bytes.SplitAfter(b, []byte("\n"))
	t := &template{calls: lines[:len(lines)-1], sum: rec.Summary(), tp: tp}
	t.endRun = func(n int, end time.Time) ([]byte, error) {
		run.SetAttributes(spans.ProcessExitCode.Int(0), spans.Calls.Int(n),
			spans.ResultClass.String(t.sum.Result), spans.Notes.String("generated run"))
		run.SetAttributes(spans.RunAttributes(t.sum, spans.Conventions{})...)
		run.End(trace.WithTimestamp(end))
		if err := tp.Shutdown(context.Background()); err != nil {
			return nil, err
		}
		b, err := os.ReadFile(exp.Path())
		if err != nil {
			return nil, err
		}
		return b[bytes.LastIndexByte(bytes.TrimSuffix(b, []byte("\n")), '\n')+1:], nil
	}
	return t, nil
}

// calls are one round: mostly streamed calls that pass, a rate-limited
// pair (needs_follow_up), a request the contract rejects and an upstream
// error (fail).
func calls() []*call.Call {
	var out []*call.Call
	for i := range 20 {
		at := time.Duration(i) * period / 20
		c := mkCall(at, 300*time.Millisecond+time.Duration(i)*70*time.Millisecond, call.FamilyMessages, "claude-sonnet-4-5", 200)
		switch i {
		case 5, 6:
			c.StatusCode, c.RetryAfter, c.UpstreamErrorType = 429, true, "rate_limit_error"
		case 11:
			c.Family, c.Path, c.RequestModel, c.StatusCode = call.FamilyChatCompletions, "/v1/chat/completions", "gpt-5-mini", 400
			c.Contract = call.ContractResult{Endpoint: "openai.chat_completions", CheckedAt: "2026-11-15",
				SourceURLs:      []string{"https://apidoc.cometapi.com/", "https://apidoc.cometapi.com/api/text/chat"},
				RequestProblems: []string{"missing required field: messages"}}
		case 17:
			c.StatusCode, c.UpstreamErrorType = 502, "api_error"
		default:
			c.RequestStream, c.Stream, c.StreamComplete = true, true, true
			c.ContentType = "text/event-stream"
			c.Usage = call.Usage{Input: 12000 + int64(i)*100, Output: 800 + int64(i), CacheRead: 6000, CacheCreation: -1, Reasoning: -1}
			c.FirstChunk = 250 * time.Millisecond
			c.ResponseModel, c.ResponseID = "claude-sonnet-4-5-20260601", "msg_"+strconv.Itoa(i)
			c.FinishReasons = []string{"end_turn"}
		}
		out = append(out, c)
	}
	return out
}

func mkCall(offset, dur time.Duration, family call.Family, model string, status int) *call.Call {
	return &call.Call{
		Family: family, Method: "POST", Path: "/v1/messages", ServerAddress: "api.cometapi.com", ServerPort: 443,
		CredentialLabel: "a1b2", Start: t0.Add(offset), End: t0.Add(offset + dur),
		RequestModel: model, RequestMaxTokens: -1, StatusCode: status, ContentType: "application/json",
		Usage: call.NoUsage(), UserAgent: "claude-cli/2.1.330 (external, cli)",
		Contract: call.ContractResult{Endpoint: "anthropic.messages", CheckedAt: "2026-11-15",
			SourceURLs: []string{"https://apidoc.cometapi.com/", "https://apidoc.cometapi.com/api/anthropic/messages"}},
	}
}

var (
	spanIDKey = []byte(`"spanId":"`)
	nanoKey   = []byte(`UnixNano":"`)
)

// vary appends line to dst with its span id replaced by id and every
// timestamp moved by shift nanoseconds.
func vary(dst, line []byte, shift, id uint64) []byte {
	for len(line) > 0 {
		i := bytes.Index(line, nanoKey)
		j := bytes.Index(line, spanIDKey)
		switch {
		case i < 0 && j < 0:
			return append(dst, line...)
		case j >= 0 && (i < 0 || j < i):
			j += len(spanIDKey)
			dst = append(dst, line[:j]...)
			dst = fmt.Appendf(dst, "%016x", id)
			line = line[j+16:]
		default:
			i += len(nanoKey)
			dst = append(dst, line[:i]...)
			line = line[i:]
			e := bytes.IndexByte(line, '"')
			ts, err := strconv.ParseUint(string(line[:e]), 10, 64)
			if err != nil {
				dst = append(dst, line[:e]...)
			} else {
				dst = strconv.AppendUint(dst, ts+shift, 10)
			}
			line = line[e:]
		}
	}
	return dst
}
