package validate

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/agentwrap/agentwrap/contract"
)

// Result is the outcome of one checklist row.
type Result string

// Results of a row.
const (
	Pass          Result = "pass"
	Fail          Result = "fail"
	Drift         Result = "drift"
	NotApplicable Result = "not_applicable"
	// NotRun is a check --max-requests left out.
	NotRun Result = "not_run"
	// OperatorToConfirm is a gate item no request can check.
	OperatorToConfirm Result = "operator_to_confirm"
)

// Drift kinds: how observed behaviour differed from the manifest.
const (
	// DriftAccepted: a request the documentation says must fail was
	// accepted.
	DriftAccepted = "accepted_must_fail"
	// DriftErrorShape: an error body not in the documented shape.
	DriftErrorShape = "error_shape"
	// DriftMissingField: a documented response field was missing.
	DriftMissingField = "documented_field_missing"
	// DriftObservedOnly: response fields the manifest does not list.
	DriftObservedOnly = "observed_only"
	// DriftRetryHint: a status the manifest classes as non-retryable came
	// with a retry hint.
	DriftRetryHint = "retry_hint_on_non_retryable"
	// DriftStatus: an error status other than the documented one(s).
	DriftStatus = "status"
)

// Observation is what one request of the sequence showed: the gateway's
// record of the call and what the client saw. It holds names and
// metadata only, never a value from a body.
type Observation struct {
	// Recorded is false when the gateway recorded no call for the request.
	Recorded bool
	Start    time.Time
	Status   int
	// TransportError is the gateway's class of a failure to reach the
	// upstream; Cancelled is set when the client went away first.
	TransportError string
	Cancelled      bool
	// Replied is set when the client got a response head before its
	// deadline (timeout check) or at all.
	Replied bool
	// RetryHint is set when the response carried Retry-After.
	RetryHint bool
	// ErrorType is the upstream error body's type (empty when it had none
	// in the documented shape); JSONError is set when the body was not the
	// documented JSON.
	ErrorType string
	JSONError bool
	// Stream, StreamComplete and Usage describe a successful reply.
	Stream, StreamComplete bool
	Usage                  bool
	// MissingFields are documented response fields the reply lacked.
	MissingFields []string
	// RequestKeys and ResponseKeys are the top-level keys of the request
	// and (JSON, non-stream) response bodies.
	RequestKeys, ResponseKeys []string
	// RequestID is the upstream's request id, sanitized; empty when none.
	RequestID string
	// Note is the gateway's content-free classification note.
	Note string
}

// Row is one line of the checklist.
type Row struct {
	Endpoint string `json:"endpoint" yaml:"endpoint"`
	Family   string `json:"request_family" yaml:"request_family"`
	Check    Check  `json:"check" yaml:"check"`
	Title    string `json:"title" yaml:"title"`
	Expected string `json:"expected" yaml:"expected"`
	Observed string `json:"observed" yaml:"observed"`
	Result   Result `json:"result" yaml:"result"`
	// Drift lists the drift kinds found; empty unless Result is drift.
	Drift []string `json:"drift,omitempty" yaml:"drift,omitempty"`
}

// DriftReport is one drift with what the runbook asks for escalation.
type DriftReport struct {
	Endpoint string `json:"endpoint" yaml:"endpoint"`
	Check    Check  `json:"check" yaml:"check"`
	Kind     string `json:"kind" yaml:"kind"`
	// Detail names fields, statuses and headers only, never values.
	Detail string `json:"detail" yaml:"detail"`
	// RequestID is the upstream's request id, bounded and scanned.
	RequestID string `json:"request_id" yaml:"request_id"`
	Timestamp string `json:"timestamp" yaml:"timestamp"`
	// RequestShape and ResponseShape are top-level keys, never values.
	RequestShape  []string `json:"request_shape" yaml:"request_shape"`
	ResponseShape []string `json:"response_shape" yaml:"response_shape"`
	Status        int      `json:"status" yaml:"status"`
	SourceURLs    []string `json:"source_urls" yaml:"source_urls"`
	CheckedAt     string   `json:"checked_at" yaml:"checked_at"`
	Escalate      string   `json:"escalate" yaml:"escalate"`
}

// expected describes the documented outcome of check c on e.
func expected(e *contract.Endpoint, c Check) string {
	switch c {
	case Minimal, ProductionShaped, Streamed:
		s := "2xx with " + fieldList(e.ResponseFields)
		if c == Streamed || e.StreamAlways {
			s = "2xx event stream"
			if len(e.StreamTerminal) > 0 {
				s += " ending in " + strings.Join(e.StreamTerminal, " or ")
			}
			if documentsUsage(e) {
				s += ", with usage"
			}
		}
		return s
	case MissingCredential, InvalidCredential, MalformedJSON, MissingField, UnknownModel:
		want := expectedStatuses(e, c)
		return fmt.Sprintf("%s (%s), %s error body, no retry hint", statusList(want), retryClass(e, want), e.ErrorShape)
	case Timeout:
		s := "no reply before the client's deadline; the gateway records the call as cancelled"
		if slices.Contains(e.Retryable, 408) || slices.Contains(e.Retryable, 504) {
			s += "; timeouts retryable per manifest"
		}
		return s
	}
	return ""
}

// retryClass is the manifest's retry decision for statuses: retryable,
// non-retryable, or not documented for some.
func retryClass(e *contract.Endpoint, statuses []int) string {
	var retry, noRetry int
	for _, c := range statuses {
		switch {
		case slices.Contains(e.Retryable, c):
			retry++
		case slices.Contains(e.NonRetryable, c):
			noRetry++
		}
	}
	switch {
	case noRetry == len(statuses):
		return "non-retryable per manifest"
	case retry == len(statuses):
		return "retryable per manifest"
	case retry+noRetry < len(statuses):
		return "not all documented in the manifest"
	}
	return "retry decision differs per status"
}

func fieldList(fs []string) string {
	if len(fs) == 0 {
		return "any body"
	}
	return strings.Join(fs, ", ")
}

func statusList(cs []int) string {
	s := make([]string, len(cs))
	for i, c := range cs {
		s[i] = strconv.Itoa(c)
	}
	return strings.Join(s, " or ")
}

// documentsUsage reports whether the endpoint documents a usage field, in
// its response or in a stream event.
func documentsUsage(e *contract.Endpoint) bool {
	isUsage := func(f string) bool { return f == "usage" || f == "usageMetadata" }
	if slices.ContainsFunc(e.ResponseFields, isUsage) {
		return true
	}
	for _, ev := range e.StreamEvents {
		if slices.ContainsFunc(ev.Fields, isUsage) {
			return true
		}
	}
	return false
}

// expectedStatuses are the statuses a must-fail check may see: the
// manifest's unknown-model ones, else those of the auth statuses (401,
// 403) or the validation statuses (400, 422) the manifest documents (all
// of them when it documents none).
func expectedStatuses(e *contract.Endpoint, c Check) []int {
	want := []int{400, 422}
	switch c {
	case MissingCredential, InvalidCredential:
		want = []int{401, 403}
	case UnknownModel:
		return e.Validation.UnknownModel
	}
	var documented []int
	for _, s := range want {
		if slices.Contains(e.Retryable, s) || slices.Contains(e.NonRetryable, s) {
			documented = append(documented, s)
		}
	}
	if len(documented) == 0 {
		return want
	}
	return documented
}

// Judge compares an observation with what the manifest documents for step
// s and returns its row and the drift found, with escalation fields.
func Judge(s Step, o Observation, support string) (Row, []DriftReport) {
	e := s.Endpoint
	row := Row{Endpoint: e.ID, Family: e.Family, Check: s.Check, Title: s.Check.Title(), Expected: s.Expected}
	var kinds []struct{ kind, detail string }
	addDrift := func(k, d string) { kinds = append(kinds, struct{ kind, detail string }{k, d}) }
	switch {
	case s.Check == Timeout:
		row.Result, row.Observed = judgeTimeout(o)
	case !o.Recorded:
		row.Result, row.Observed = Fail, "the gateway recorded no call"
	case o.Status == 0:
		row.Result, row.Observed = Fail, "no reply: "+firstNonEmpty(o.TransportError, cancelled(o), "no response")
	case s.Check == Minimal || s.Check == ProductionShaped || s.Check == Streamed:
		row.Result, row.Observed = judgeSuccess(s, o, addDrift)
	default:
		row.Result, row.Observed = judgeFailure(s, o, addDrift)
	}
	if len(kinds) == 0 {
		return row, nil
	}
	if row.Result == Pass {
		row.Result = Drift
	}
	var out []DriftReport
	for _, k := range kinds {
		row.Drift = append(row.Drift, k.kind)
		out = append(out, DriftReport{
			Endpoint: e.ID, Check: s.Check, Kind: k.kind, Detail: k.detail,
			RequestID: o.RequestID, Timestamp: o.Start.UTC().Format(time.RFC3339Nano),
			RequestShape: nonNil(o.RequestKeys), ResponseShape: nonNil(o.ResponseKeys), Status: o.Status,
			SourceURLs: e.SourceURLs, CheckedAt: e.CheckedAt, Escalate: support,
		})
	}
	return row, out
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func cancelled(o Observation) string {
	if o.Cancelled {
		return "cancelled"
	}
	return ""
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}

func judgeTimeout(o Observation) (Result, string) {
	switch {
	case o.Replied:
		return Fail, fmt.Sprintf("status %d arrived before the client's deadline: the timeout path was not exercised", o.Status)
	case !o.Recorded:
		return Fail, "the client gave up; the gateway recorded no call"
	case o.Cancelled || o.TransportError != "":
		return Pass, "the client gave up; the gateway recorded the call as " + firstNonEmpty(cancelled(o), o.TransportError)
	}
	return Fail, fmt.Sprintf("the client gave up, but the gateway recorded status %d", o.Status)
}

// judgeSuccess judges a request the manifest documents as valid.
func judgeSuccess(s Step, o Observation, drift func(kind, detail string)) (Result, string) {
	e := s.Endpoint
	obs := fmt.Sprintf("status %d", o.Status)
	if o.Status < 200 || o.Status > 299 {
		if o.ErrorType != "" {
			obs += " (" + o.ErrorType + ")"
		}
		if o.Note != "" {
			obs += ": " + o.Note
		}
		return Fail, obs
	}
	wantStream := s.Check == Streamed || e.StreamAlways
	switch {
	case wantStream && !o.Stream:
		return Fail, obs + ", not an event stream"
	case !wantStream && o.Stream:
		return Fail, obs + ", an event stream where JSON was asked for"
	case o.JSONError:
		return Fail, obs + ", body is not the documented JSON"
	case wantStream && !o.StreamComplete:
		return Fail, obs + ", stream ended without its terminal event"
	}
	if wantStream {
		obs += ", stream complete"
	}
	missing := slices.Clone(o.MissingFields)
	if wantStream && documentsUsage(e) && !o.Usage && !slices.Contains(missing, "usage") {
		missing = append(missing, "usage")
	}
	if len(missing) > 0 {
		drift(DriftMissingField, "missing documented field: "+strings.Join(missing, ", "))
		obs += ", missing " + strings.Join(missing, ", ")
	} else if wantStream && documentsUsage(e) {
		obs += ", usage reported"
	}
	if extra := observedOnly(e, o.ResponseKeys); len(extra) > 0 {
		drift(DriftObservedOnly, "response fields the manifest does not list: "+strings.Join(extra, ", "))
		obs += ", observed only: " + strings.Join(extra, ", ")
	}
	return Pass, obs
}

// observedOnly returns the response keys in neither response_fields nor
// validation.known_response_fields.
func observedOnly(e *contract.Endpoint, keys []string) []string {
	var out []string
	for _, k := range keys {
		if !slices.Contains(e.ResponseFields, k) && !slices.Contains(e.Validation.KnownResponseFields, k) {
			out = append(out, clip(k))
		}
	}
	return out
}

// judgeFailure judges a request the manifest documents as one that must
// fail.
func judgeFailure(s Step, o Observation, drift func(kind, detail string)) (Result, string) {
	e := s.Endpoint
	obs := fmt.Sprintf("status %d", o.Status)
	if o.Status >= 200 && o.Status < 300 {
		drift(DriftAccepted, fmt.Sprintf("the request was accepted (status %d); the documentation says it must fail", o.Status))
		return Pass, obs + ": accepted"
	}
	if o.ErrorType != "" {
		obs += " (" + o.ErrorType + ")"
	}
	obs += ", " + retryClass(e, []int{o.Status})
	if o.JSONError || o.ErrorType == "" {
		drift(DriftErrorShape, "error body not in the documented shape ("+e.ErrorShape+")")
		obs += ", error body not in the documented shape"
	}
	want := expectedStatuses(e, s.Check)
	if !slices.Contains(want, o.Status) {
		class := "undocumented"
		switch {
		case slices.Contains(e.Retryable, o.Status):
			class = "retryable"
		case slices.Contains(e.NonRetryable, o.Status):
			class = "non-retryable"
		}
		drift(DriftStatus, fmt.Sprintf("status %d (%s per manifest), expected %s", o.Status, class, statusList(want)))
	}
	if o.RetryHint && slices.Contains(e.NonRetryable, o.Status) {
		drift(DriftRetryHint, fmt.Sprintf("status %d is non-retryable per manifest but came with Retry-After", o.Status))
		obs += ", Retry-After present"
	}
	return Pass, obs
}

// clip bounds a name taken from a response.
func clip(s string) string {
	const max = 64
	if len(s) > max {
		return s[:max] + "..."
	}
	return s
}
