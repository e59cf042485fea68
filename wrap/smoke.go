package wrap

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/agentwrap/agentwrap/call"
	"github.com/agentwrap/agentwrap/spans"
)

// Smoke exit statuses, per the usage-trace workflow.
const (
	smokePass        = 0
	smokeFail        = 1
	smokeFollowUp    = 3
	smokePrompt      = "Return the word pong."
	smokeAgentName   = "agentwrap-smoke"
	smokeCallTimeout = 2 * time.Minute
	// maxNote is the bound on agentwrap.notes.
	maxNote = 200
)

// ErrNoCredential is returned by Smoke when the credential variable is
// unset: the smoke test runs with the real key only.
var ErrNoCredential = errors.New("no credential")

// SmokeRecord is the usage-trace record of the seed workflow, with exactly
// its logging fields.
type SmokeRecord struct {
	RunID              string   `yaml:"run_id" json:"run_id"`
	CheckedAt          string   `yaml:"checked_at" json:"checked_at"`
	SourceURLs         []string `yaml:"source_urls" json:"source_urls"`
	RequestFamily      string   `yaml:"request_family" json:"request_family"`
	CredentialRedacted bool     `yaml:"credential_redacted" json:"credential_redacted"`
	ResultClass        string   `yaml:"result_class" json:"result_class"`
	FailureClass       string   `yaml:"failure_class" json:"failure_class"`
	Notes              string   `yaml:"notes" json:"notes"`
}

// ExitCode is the smoke command's exit status for the record: 0 pass, 1
// fail, 3 needs_follow_up.
func (r SmokeRecord) ExitCode() int {
	switch r.ResultClass {
	case spans.ResultPass:
		return smokePass
	case spans.ResultNeedsFollowUp:
		return smokeFollowUp
	}
	return smokeFail
}

// smokeRequest is one family's smoke request (from the registry) with the
// model to send it with.
type smokeRequest struct {
	*call.SmokeRequest
	family call.Family
	cred   call.CredentialStyle
	model  string
}

// SmokeFamilies are the families the smoke test knows, by --family name,
// in the registry's order.
func SmokeFamilies() []string {
	var out []string
	for _, sp := range call.Specs() {
		if sp.Smoke != nil {
			out = append(out, sp.Smoke.Name)
		}
	}
	return out
}

// smokeRequestFor returns the smoke request of the family with --family
// name, with its default model.
func smokeRequestFor(name string) (smokeRequest, bool) {
	for _, sp := range call.Specs() {
		if sp.Smoke != nil && sp.Smoke.Name == name {
			return smokeRequest{SmokeRequest: sp.Smoke, family: sp.Family, cred: sp.Credential, model: sp.Smoke.Model}, true
		}
	}
	return smokeRequest{}, false
}

// header returns the request's headers for credential token.
func (r smokeRequest) header(token string) http.Header {
	h := http.Header{}
	h.Set(r.cred.Header(token))
	for k, v := range r.Headers {
		h.Set(k, v)
	}
	return h
}

// SmokeOptions configures Smoke.
type SmokeOptions struct {
	// Options are the run options; Argv is ignored.
	Options
	// Family is chat, responses, messages or gemini; empty means chat.
	Family string
	// Model overrides the family's default model.
	Model string
}

// Smoke runs the seed's smoke-test workflow through the gateway an agent
// would use: one minimal documented request (happy path) and the same
// request without a required field (error path). It emits the same spans
// as a wrapped run and returns the usage-trace record. The record's result
// is fail when the error path was not recorded as a failure or when any
// recorded output holds the credential, the run token, the prompt or the
// reply.
func Smoke(ctx context.Context, so SmokeOptions) (SmokeRecord, error) {
	o := withDefaults(so.Options)
	if so.Family == "" {
		so.Family = "chat"
	}
	req, ok := smokeRequestFor(so.Family)
	if !ok {
		return SmokeRecord{}, fmt.Errorf("unknown family %q (valid: %s)", so.Family, strings.Join(SmokeFamilies(), ", "))
	}
	if so.Model != "" {
		req.model = so.Model
	}
	if o.KeyFile == "" && o.KeyCmd == "" && o.Getenv(o.KeyEnv) == "" {
		return SmokeRecord{}, fmt.Errorf("%w: set %s to the real key (or name another variable with --key-env)", ErrNoCredential, o.KeyEnv)
	}
	o.Argv = []string{smokeAgentName}
	o.Profile = "generic"
	s, err := prepare(ctx, o)
	if err != nil {
		return SmokeRecord{}, err
	}
	s.startRun(ctx, o, smokeAgentName)
	obs := &smokeObserver{}
	gw, err := s.startGateway(o, func(c *call.Call) { s.recorder.Observe(c); obs.add(c) })
	if err != nil {
		s.finish(o, 1, err)
		return SmokeRecord{}, err
	}
	happyText := s.smokeCall(ctx, gw.URL(), req, "")
	s.smokeCall(ctx, gw.URL(), req, req.Required)
	s.closeGateway(gw, o)
	rec := s.smokeRecord(req, obs.calls())
	// The call spans are in the run file once the gateway closed: the
	// verdict on them goes into the run span and the summary line too, so
	// that record, run span, summary and exit status agree.
	s.verifyRecorded(&rec, happyText, 2)
	s.result = rec.ResultClass
	s.finish(o, rec.ExitCode(), nil)
	before := rec.ResultClass
	s.verifyRecorded(&rec, happyText, 3)
	if rec.ResultClass != before && !o.Quiet {
		fmt.Fprintf(o.Stderr, "agentwrap: run %s: the run span failed the read-back: %s\n", s.runID, rec.ResultClass)
	}
	return rec, nil
}

// smokeObserver collects the calls of a smoke run.
type smokeObserver struct {
	mu sync.Mutex
	cs []*call.Call
}

func (o *smokeObserver) add(c *call.Call) {
	o.mu.Lock()
	o.cs = append(o.cs, c)
	o.mu.Unlock()
}

func (o *smokeObserver) calls() []*call.Call {
	o.mu.Lock()
	defer o.mu.Unlock()
	return slices.Clone(o.cs)
}

// smokeCall sends the family's request, without the field drop when it is
// set, and returns the reply body for the leak check. Transport errors are
// recorded by the gateway; the call's outcome comes from its span.
func (s *session) smokeCall(ctx context.Context, base string, r smokeRequest, drop string) []byte {
	body := r.Body(r.model, smokePrompt)
	delete(body, drop)
	b, _ := json.Marshal(body)
	ctx, cancel := context.WithTimeout(ctx, smokeCallTimeout)
	defer cancel()
	hr, err := http.NewRequestWithContext(ctx, r.Method, base+r.SmokePath(r.model), bytes.NewReader(b))
	if err != nil {
		return nil
	}
	hr.Header = r.header(s.token)
	hr.Header.Set("Content-Type", "application/json")
	hr.Header.Set("User-Agent", "agentwrap-smoke")
	tr := &http.Transport{DisableCompression: true}
	defer tr.CloseIdleConnections()
	resp, err := tr.RoundTrip(hr)
	if err != nil {
		return nil
	}
	defer resp.Body.Close()
	reply, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return reply
}

// smokeRecord builds the record from the two calls: the happy path's
// outcome, unless the error path was not recorded as a failure.
func (s *session) smokeRecord(r smokeRequest, calls []*call.Call) SmokeRecord {
	rec := SmokeRecord{RunID: s.runID, RequestFamily: string(r.family), CredentialRedacted: true}
	if ep := s.manifest.ForFamily(string(r.family)); ep != nil {
		rec.CheckedAt, rec.SourceURLs = ep.CheckedAtRFC3339(), ep.SourceURLs
	}
	if len(calls) != 2 {
		rec.ResultClass, rec.FailureClass = spans.ResultFail, spans.FailureUnexpectedResponse
		rec.Notes = fmt.Sprintf("expected 2 recorded calls, got %d", len(calls))
		return rec
	}
	happy, bad := calls[0], calls[1]
	if happy.Start.After(bad.Start) {
		happy, bad = bad, happy
	}
	if happy.Contract.CheckedAt != "" {
		rec.CheckedAt, rec.SourceURLs = happy.Contract.CheckedAt, happy.Contract.SourceURLs
	}
	ho, bo := spans.Classify(happy), spans.Classify(bad)
	rec.ResultClass, rec.FailureClass = ho.Result, ho.Failure
	happyNote := "happy path: " + ho.Result
	if ho.Note != "" {
		happyNote = "happy path: " + ho.Note
	}
	if len(happyNote) > maxNote {
		// Keep a follow-up's note (what to ask, and where) whole.
		happyNote = ho.Note
	}
	notes := []string{happyNote}
	if bo.Result == spans.ResultPass {
		rec.ResultClass, rec.FailureClass = spans.ResultFail, spans.FailureUnexpectedResponse
		notes = []string{"error path: request without " + r.Required + " was not recorded as a failure", happyNote}
	} else if errNote := fmt.Sprintf("error path: %s recorded (%s)", bo.Failure, bo.Note); len(happyNote)+2+len(errNote) <= maxNote {
		notes = append(notes, errNote)
	}
	rec.Notes = s.scanner.Note(strings.Join(notes, "; "))
	return rec
}
