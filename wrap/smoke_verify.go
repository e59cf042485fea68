package wrap

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/agentwrap/agentwrap/spans"
	"github.com/agentwrap/agentwrap/spans/runfile"
)

// verifyRecorded reads back the run file and fails the record when it holds
// the credential, the run token, the prompt or the happy path's reply text,
// when the exporter-side guard had to mask anything (a span with
// credential_redacted false), or when it does not hold the run span and
// both calls: want is the number of spans the file holds by now (the two
// calls, then the run span too). A record that failed already is left as
// it is.
func (s *session) verifyRecorded(rec *SmokeRecord, reply []byte, want int) {
	if !rec.CredentialRedacted || strings.HasPrefix(rec.Notes, "run file") {
		return
	}
	b, err := os.ReadFile(s.runFile.Path())
	if err != nil {
		rec.ResultClass, rec.FailureClass = spans.ResultFail, spans.FailureUnexpectedResponse
		rec.Notes = s.scanner.Note("run file unreadable; " + rec.Notes)
		return
	}
	leaks := []string{s.key.Reveal(), s.token, smokePrompt}
	leaks = append(leaks, replyTexts(reply)...)
	leaked := false
	for _, l := range leaks {
		if l != "" && bytes.Contains(b, []byte(l)) {
			leaked = true
		}
	}
	n, masked, err := recordedSpans(b)
	if leaked || masked {
		rec.CredentialRedacted = false
		rec.ResultClass, rec.FailureClass = spans.ResultFail, spans.FailureUnexpectedResponse
		rec.Notes = s.scanner.Note("sensitive text in the recorded output: stop and fix the logging path; " + rec.Notes)
		return
	}
	if err != nil || n != want {
		rec.ResultClass, rec.FailureClass = spans.ResultFail, spans.FailureUnexpectedResponse
		rec.Notes = s.scanner.Note(fmt.Sprintf("run file holds %d readable spans, want %d; ", n, want) + rec.Notes)
	}
}

// recordedSpans decodes a run file and returns its span count and whether
// any span carries credential_redacted=false (the guard masked something).
// err is set when a line could not be decoded.
func recordedSpans(b []byte) (n int, masked bool, err error) {
	td, lineErrs, err := runfile.Read(bytes.NewReader(b))
	if err == nil && len(lineErrs) > 0 {
		err = lineErrs[0]
	}
	rss := td.ResourceSpans()
	for i := 0; i < rss.Len(); i++ {
		sss := rss.At(i).ScopeSpans()
		for j := 0; j < sss.Len(); j++ {
			ss := sss.At(j).Spans()
			for k := 0; k < ss.Len(); k++ {
				n++
				v, ok := ss.At(k).Attributes().Get(string(spans.CredentialRedacted))
				if ok && (v.Type() != pcommon.ValueTypeBool || !v.Bool()) {
					masked = true
				}
			}
		}
	}
	return n, masked, err
}

// replyTexts pulls the generated text out of a reply of any family, for the
// leak check; short texts (a few characters) are skipped as too common.
func replyTexts(reply []byte) []string {
	var out []string
	var walk func(v any)
	walk = func(v any) {
		switch t := v.(type) {
		case map[string]any:
			for k, x := range t {
				if s, ok := x.(string); ok && (k == "text" || k == "content") && len(s) >= 12 {
					out = append(out, s)
				}
				walk(x)
			}
		case []any:
			for _, x := range t {
				walk(x)
			}
		}
	}
	var v any
	if json.Unmarshal(reply, &v) == nil {
		walk(v)
	}
	return out
}
