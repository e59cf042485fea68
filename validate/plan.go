package validate

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/agentwrap/agentwrap/call"
	"github.com/agentwrap/agentwrap/contract"
)

// Check names one step of the runbook's validation sequence.
type Check string

// The checks, in the order they run for each endpoint.
const (
	Minimal           Check = "minimal"
	ProductionShaped  Check = "production_shaped"
	Streamed          Check = "streamed"
	MissingCredential Check = "missing_credential"
	InvalidCredential Check = "invalid_credential"
	MalformedJSON     Check = "malformed_json"
	MissingField      Check = "missing_required_field"
	UnknownModel      Check = "unknown_model"
	Timeout           Check = "timeout"
)

// Checks lists the checks in the order they run.
func Checks() []Check {
	return []Check{Minimal, ProductionShaped, Streamed, MissingCredential, InvalidCredential,
		MalformedJSON, MissingField, UnknownModel, Timeout}
}

// titles are the checklist wording of each check.
var titles = map[Check]string{
	Minimal:           "valid minimal request",
	ProductionShaped:  "production-shaped request (relied-on optional fields)",
	Streamed:          "streamed request (terminal event, usage)",
	MissingCredential: "missing credential",
	InvalidCredential: "invalid credential (well-formed wrong key)",
	MalformedJSON:     "malformed JSON",
	MissingField:      "missing required field",
	UnknownModel:      "unknown model",
	Timeout:           "client deadline shorter than any reply",
}

// Title is the checklist wording of c.
func (c Check) Title() string { return titles[c] }

// Credential is what a request presents.
type Credential int

const (
	// CredentialValid is the run's credential (through the managed
	// gateway, which puts the real key upstream).
	CredentialValid Credential = iota
	// CredentialNone presents no credential.
	CredentialNone
	// CredentialWrong presents a well-formed wrong key.
	CredentialWrong
)

// Prompt is the fixed placeholder prompt of every request.
const Prompt = "Return the word pong."

// UnknownModelName is the model the unknown-model check names.
const UnknownModelName = "agentwrap-validate-no-such-model"

// Request is one planned request, without its credential value.
type Request struct {
	Method string
	// Path has its parameters filled in; Query is without "?".
	Path, Query string
	Header      http.Header
	// Credential is what the request presents, in CredentialHeader (lower
	// case; "authorization" takes "Bearer KEY").
	Credential       Credential
	CredentialHeader string
	// Body is nil for a request without one.
	Body []byte
	// Deadline is set for the timeout check: the client gives up right
	// after the request is written.
	Deadline bool
}

// Step is one check of one endpoint.
type Step struct {
	Endpoint *contract.Endpoint
	Check    Check
	// Expected is the outcome the manifest documents, in words.
	Expected string
	// Request is nil when the check sends nothing: Skip says why, and
	// SkipResult is NotApplicable or Fail (the manifest lacks what the
	// check needs).
	Request    *Request
	Skip       string
	SkipResult Result
}

// Selection picks the endpoints to validate; empty fields select all.
type Selection struct {
	Endpoints []string
	Families  []string
}

// Select returns the selected endpoints of m, in manifest order, or an
// error naming an id or family the manifest lacks.
func Select(m *contract.Manifest, sel Selection) ([]*contract.Endpoint, error) {
	for _, id := range sel.Endpoints {
		if m.Endpoint(id) == nil {
			return nil, fmt.Errorf("no endpoint %q in %s", id, m.File)
		}
	}
	for _, f := range sel.Families {
		if m.ForFamily(f) == nil {
			return nil, fmt.Errorf("no endpoint of family %q in %s", f, m.File)
		}
	}
	var out []*contract.Endpoint
	for i := range m.Endpoints {
		e := &m.Endpoints[i]
		if (len(sel.Endpoints) == 0 && len(sel.Families) == 0) ||
			slices.Contains(sel.Endpoints, e.ID) || slices.Contains(sel.Families, e.Family) {
			out = append(out, e)
		}
	}
	return out, nil
}

// Plan lays out the sequence for endpoints: every check of Checks for each,
// with its request or the reason it sends none.
func Plan(endpoints []*contract.Endpoint) []Step {
	var steps []Step
	for _, e := range endpoints {
		for _, c := range Checks() {
			steps = append(steps, plan(e, c))
		}
	}
	return steps
}

// Requests counts the requests steps send.
func Requests(steps []Step) int {
	n := 0
	for _, s := range steps {
		if s.Request != nil {
			n++
		}
	}
	return n
}

func plan(e *contract.Endpoint, c Check) Step {
	s := Step{Endpoint: e, Check: c, Expected: expected(e, c)}
	skip := func(r Result, why string) Step {
		s.Skip, s.SkipResult = why, r
		if r == NotApplicable {
			s.Expected = "-"
		}
		return s
	}
	tpl := call.Lookup(call.Family(e.Family)).Request
	hasBody := e.Method != http.MethodGet && e.Method != http.MethodHead
	switch {
	case hasBody && tpl.Body == nil:
		return skip(Fail, "no minimal request known for family "+e.Family)
	case e.TakesModel() && e.Validation.Model == "" && c != MissingCredential && c != InvalidCredential:
		return skip(Fail, "the manifest names no model for it (validation.model)")
	case c == ProductionShaped && len(e.Validation.Placeholders) == 0:
		return skip(NotApplicable, "the manifest gives no placeholders for optional fields")
	case c == Streamed && !e.Streams:
		return skip(NotApplicable, "the endpoint documents no stream")
	case c == Streamed && e.StreamAlways:
		return skip(NotApplicable, "every request streams (stream.always): the minimal request checked the stream")
	case c == Streamed && tpl.Stream == nil:
		return skip(Fail, "no way known to ask family "+e.Family+" for a stream")
	case (c == MissingCredential || c == InvalidCredential) && len(e.CredentialHeaders) == 0:
		return skip(NotApplicable, "the endpoint needs no credential")
	case (c == MalformedJSON || c == MissingField) && !hasBody:
		return skip(NotApplicable, "the request has no body")
	case c == MissingField && len(e.RequiredFields) == 0:
		return skip(NotApplicable, "the endpoint documents no required field")
	case c == UnknownModel && !e.TakesModel():
		return skip(NotApplicable, "the request names no model")
	case c == UnknownModel && len(e.Validation.UnknownModel) == 0:
		return skip(Fail, "the manifest does not say which statuses mean an unknown model (validation.unknown_model)")
	}
	model := e.Validation.Model
	if c == UnknownModel {
		model = UnknownModelName
	}
	if model == "" {
		model = "model"
	}
	r := &Request{Method: e.Method, Path: strings.ReplaceAll(e.Path, "{model}", model),
		Header: http.Header{}, CredentialHeader: firstOr(e.CredentialHeaders, "")}
	if e.StreamAlways {
		r.Query = tpl.StreamQuery
	}
	for _, h := range e.RequiredHeaders {
		v, ok := tpl.Headers[h]
		if h == "content-type" {
			v, ok = "application/json", true
		}
		if !ok {
			return skip(Fail, "no value known for required header "+h)
		}
		r.Header.Set(h, v)
	}
	switch c {
	case MissingCredential:
		r.Credential = CredentialNone
	case InvalidCredential:
		r.Credential = CredentialWrong
	case Timeout:
		r.Deadline = true
	}
	if hasBody {
		if r.Header.Get("Content-Type") == "" {
			r.Header.Set("Content-Type", "application/json")
		}
		r.Body = body(e, c, tpl, model)
	}
	s.Request = r
	return s
}

func firstOr(xs []string, def string) string {
	if len(xs) > 0 {
		return xs[0]
	}
	return def
}

// body builds the request body of check c: the family's minimal body,
// with the manifest's placeholders, the stream fields, a required field
// dropped, or cut before its end.
func body(e *contract.Endpoint, c Check, tpl call.RequestTemplate, model string) []byte {
	fields := tpl.Body(model, Prompt)
	switch c {
	case ProductionShaped:
		for _, p := range e.Validation.Placeholders {
			fields[p.Field] = p.JSON
		}
	case Streamed:
		for k, v := range tpl.Stream {
			fields[k] = v
		}
	case MissingField:
		delete(fields, dropField(e))
	}
	b, err := json.Marshal(fields)
	if err != nil {
		panic(err) // the registry's bodies and the manifest's placeholders are JSON
	}
	if c == MalformedJSON {
		// A JSON object cut before its end.
		b = b[:len(b)-1]
	}
	return b
}

// dropField is the required field the missing-field check leaves out: the
// first one that is not the model (which routes the request), else the
// model.
func dropField(e *contract.Endpoint) string {
	for _, f := range e.RequiredFields {
		if f != "model" {
			return f
		}
	}
	return e.RequiredFields[0]
}
