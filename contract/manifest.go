package contract

import (
	_ "embed"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/agentwrap/agentwrap/call"
)

// FormatVersion is the manifest format version this package reads (the
// manifest's `version` key).
const FormatVersion = 1

// Manifest is a contract manifest: the documented endpoints of one upstream
// gateway that model calls are checked against. Build one with Parse, Load or
// Builtin; a Manifest is read-only once built and safe for concurrent use.
type Manifest struct {
	// File is the name the manifest was parsed under (its path, or
	// "builtin:cometapi.yaml").
	File string
	// Name names the upstream the manifest describes (YAML `name`; File
	// when absent).
	Name string
	// BaseURL is the production base URL, without a path (YAML `base_url`).
	BaseURL string
	// Owner is who approved the contract (YAML `owner`); endpoints without an
	// owner of their own inherit it.
	Owner string
	// Support is where unknowns are escalated, e.g. the vendor's help center
	// (YAML `support`, optional).
	Support string
	// Endpoints are the documented endpoints, in file order.
	Endpoints []Endpoint
}

// Endpoint is one documented endpoint of a Manifest.
type Endpoint struct {
	// ID is unique within the manifest; it is recorded on every call that
	// matched this endpoint.
	ID string
	// Family is the request family (see ARCHITECTURE.md), one of Families().
	Family string
	// Method is the upper-case HTTP method.
	Method string
	// Path is the path template: literal segments and {name} parameters,
	// which may carry a literal prefix or suffix within their segment
	// ("/v1beta/models/{model}:generateContent"). It has no query.
	Path string
	// SourceURLs are the https documentation pages the entry was checked
	// against.
	SourceURLs []string
	// CheckedAt is the date the documentation was last checked, as written
	// (YYYY-MM-DD or RFC 3339); see CheckedTime.
	CheckedAt string
	// Owner approved this entry (defaults to the manifest's owner).
	Owner string
	// CredentialHeaders lists the headers that may carry the credential
	// (lower case); a request must carry at least one of them. Empty means
	// the endpoint needs no credential.
	CredentialHeaders []string
	// RequiredHeaders lists further headers a request must carry (lower case).
	RequiredHeaders []string
	// RequiredFields lists the top-level request body fields the
	// documentation marks required.
	RequiredFields []string
	// OptionalFields lists optional request fields the team relies on.
	OptionalFields []string
	// ResponseFields lists the top-level fields of a successful JSON
	// (non-stream) response that the team reads.
	ResponseFields []string
	// Streams is true when the endpoint documents an event stream.
	Streams bool
	// StreamAlways is true when every successful response is a stream (the
	// path asks for it); false means only when the request asks for one.
	StreamAlways bool
	// StreamEvents are the documented stream events with the top-level
	// fields of their data the team reads.
	StreamEvents []StreamEvent
	// StreamTerminal lists the events (or the "[DONE]" sentinel) that end a
	// complete stream. Empty means the stream simply ends with the body.
	StreamTerminal []string
	// ErrorShape is the documented error body format: "openai", "anthropic"
	// or "gemini" (see ErrorShapes).
	ErrorShape string
	// Retryable and NonRetryable are documented HTTP statuses by retry
	// decision.
	Retryable    []int
	NonRetryable []int
	// Unknowns lists what the documentation does not settle (rate limits,
	// billing, model availability) and where to ask.
	Unknowns []string
	// Notes is free text for operators.
	Notes string
	// Validation is what `agentwrap validate` needs beyond the contract;
	// its zero value means the manifest gives nothing (see Validation).
	Validation Validation
	// Line is the line of the entry in its manifest file.
	Line int

	checked time.Time
	route   []segment
}

// StreamEvent is one documented stream event.
type StreamEvent struct {
	// Type is the SSE event name or the data's `type`/`object` value.
	Type string
	// Fields are the top-level fields of the event's data the team reads.
	Fields []string
}

// CheckedTime returns CheckedAt parsed (midnight UTC for a bare date).
func (e *Endpoint) CheckedTime() time.Time { return e.checked }

// CheckedAtRFC3339 returns CheckedAt in RFC 3339 form, as recorded on spans.
func (e *Endpoint) CheckedAtRFC3339() string {
	if e.checked.IsZero() {
		return ""
	}
	return e.checked.UTC().Format(time.RFC3339)
}

// Event returns the documented stream event of type t, or nil.
func (e *Endpoint) Event(t string) *StreamEvent {
	for i := range e.StreamEvents {
		if e.StreamEvents[i].Type == t {
			return &e.StreamEvents[i]
		}
	}
	return nil
}

// IsTerminal reports whether event t ends a complete stream.
func (e *Endpoint) IsTerminal(t string) bool {
	for _, x := range e.StreamTerminal {
		if x == t {
			return true
		}
	}
	return false
}

// Endpoint returns the endpoint with the given id, or nil.
func (m *Manifest) Endpoint(id string) *Endpoint {
	for i := range m.Endpoints {
		if m.Endpoints[i].ID == id {
			return &m.Endpoints[i]
		}
	}
	return nil
}

// families are the request families an endpoint may declare: every family
// of the registry (package call), in its order. "unknown", what an
// unmatched call is, is not one.
var families = func() []string {
	var out []string
	for _, s := range call.Specs() {
		out = append(out, string(s.Family))
	}
	return out
}()

// Families returns the request families a manifest endpoint may declare, in
// the registry's order.
func Families() []string { return append([]string(nil), families...) }

// ErrorShapes returns the error body formats an endpoint may declare:
// "openai" ({"error":{"message","type","code"}}), "anthropic"
// ({"type":"error","error":{"type","message"}}) and "gemini"
// ({"error":{"code","message","status"}}).
func ErrorShapes() []string {
	var out []string
	for _, s := range call.ErrorShapes() {
		out = append(out, string(s))
	}
	return out
}

//go:embed cometapi.yaml
var builtinYAML []byte

// BuiltinFile is the name the built-in manifest is parsed under.
const BuiltinFile = "builtin:cometapi.yaml"

var builtin = sync.OnceValue(func() *Manifest {
	// Clock-relative rules are skipped: a stale built-in must still load.
	m, fs := parse(BuiltinFile, builtinYAML, time.Time{})
	if errs := Errors(fs); len(errs) > 0 {
		panic((&LintError{Findings: errs}).Error())
	}
	return m
})

// Builtin returns the built-in CometAPI manifest, parsed once. Callers must
// not modify it.
func Builtin() *Manifest { return builtin() }

// BuiltinYAML returns a copy of the built-in manifest's YAML text (for
// `agentwrap contract init` and `show`).
func BuiltinYAML() []byte { return append([]byte(nil), builtinYAML...) }

// Parse parses and lints a manifest named name. It fails with a *LintError
// when lint finds errors (a checked_at in the future is judged against the
// current time); warnings such as stale access dates do not fail it.
func Parse(name string, data []byte) (*Manifest, error) {
	m, fs := parse(name, data, time.Now())
	if errs := Errors(fs); len(errs) > 0 {
		return nil, &LintError{Findings: errs}
	}
	return m, nil
}

// Load reads and parses the manifest file at path (see Parse).
func Load(path string) (*Manifest, error) {
	data, err := ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read contract manifest: %w", err)
	}
	return Parse(path, data)
}

// MaxManifestSize is the largest contract manifest agentwrap reads: the
// built-in one is a few kilobytes, and a manifest is read whole.
const MaxManifestSize = 1 << 20

// ErrManifestTooLarge is the error of a manifest over MaxManifestSize.
var ErrManifestTooLarge = errors.New("larger than 1 MiB, the limit for a contract manifest")

// ReadFile reads a manifest file, refusing one over MaxManifestSize
// without reading past the limit.
func ReadFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxManifestSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxManifestSize {
		return nil, ErrManifestTooLarge
	}
	return data, nil
}

// Lint checks a manifest named name and returns every finding, in file
// order. now judges access dates: older than MaxAge is a warning, in the
// future an error; a zero now skips both rules.
func Lint(name string, data []byte, now time.Time) []Finding {
	_, fs := parse(name, data, now)
	return fs
}

// MaxAge is how old an access date may be before lint warns that the
// documentation should be checked again.
const MaxAge = 90 * 24 * time.Hour
