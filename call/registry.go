package call

import "strings"

// Spec is everything the code knows about one request family. Each family
// has exactly one Spec, in the registry (see Specs); the gateway, spans,
// contract and smoke look families up there instead of switching over
// them. TestRegistryComplete fails on an entry with a field missing.
type Spec struct {
	// Family names the family.
	Family Family
	// Routes are the method and path templates the gateway recognises the
	// family by, version-prefix aliases included (a route with Forward,
	// forwarded to the documented path): adding a path is one line. A Route's Family is left empty here: it is the Spec's.
	Routes []Route
	// Credential is the header the upstream expects the credential in.
	Credential CredentialStyle
	// ErrorShape is the wire format of the family's error bodies; the
	// gateway answers in it when it refuses a call.
	ErrorShape ErrorShape
	// Operation is the span's gen_ai.operation.name.
	Operation string
	// Provider is the span's gen_ai.provider.name: the wire format's owner.
	Provider string
	// StreamAttribute is true when the family's requests can ask for a
	// stream, so that gen_ai.request.stream is recorded on their spans.
	StreamAttribute bool
	// Smoke is the family's request for `agentwrap smoke`; nil when smoke
	// does not test the family.
	Smoke *SmokeRequest
	// Request is the family's minimal documented request, for the
	// validation sequence of `agentwrap validate`.
	Request RequestTemplate
}

// RequestTemplate is how a family's minimal documented request is written:
// its body, the headers it needs beside the credential, and how it asks for
// a stream.
type RequestTemplate struct {
	// Body returns the minimal body for a model and a prompt; nil means the
	// request has no body (GET).
	Body func(model, prompt string) map[string]any
	// Headers are the values of the headers the family requires beside
	// the credential and Content-Type, by lower-case name.
	Headers map[string]string
	// Stream are the body fields that ask for a stream (with usage, where
	// the family reports it only on request); nil when the body cannot.
	Stream map[string]any
	// StreamQuery is the query a path that always streams takes to answer
	// as an event stream (Gemini's alt=sse); empty when none is needed.
	StreamQuery string
}

// SmokeRequest is a family's minimal documented request for the smoke test,
// and the field whose removal makes the intentionally invalid one.
type SmokeRequest struct {
	// Name is the family's --family name.
	Name string
	// Model is the default model.
	Model string
	// Method and Path address the request; "{model}" in Path is replaced by
	// the model.
	Method string
	Path   string
	// Headers are sent beside the credential (which the family's
	// CredentialStyle places).
	Headers map[string]string
	// Body returns the request body for a model and a prompt.
	Body func(model, prompt string) map[string]any
	// Required is a required top-level body field: the error path sends
	// the body without it.
	Required string
}

// registry is the table of request families, in the order Specs returns
// them (the manifest format's order).
var registry = []Spec{
	{
		Family: FamilyChatCompletions,
		Routes: []Route{
			{Method: "POST", Path: "/v1/chat/completions"},
			{Method: "POST", Path: "/chat/completions", Forward: "/v1/chat/completions"},
		},
		Credential: CredentialBearer, ErrorShape: ShapeOpenAI,
		Operation: "chat", Provider: "openai", StreamAttribute: true,
		Smoke: &SmokeRequest{
			Name: "chat", Model: "gpt-5-mini", Method: "POST", Path: "/v1/chat/completions",
			// Required fields only: newer OpenAI models refuse max_tokens.
			Body: chatBody, Required: "messages",
		},
		Request: RequestTemplate{Body: chatBody,
			Stream: map[string]any{"stream": true, "stream_options": map[string]any{"include_usage": true}}},
	},
	{
		Family: FamilyResponses,
		Routes: []Route{
			{Method: "POST", Path: "/v1/responses"},
			{Method: "POST", Path: "/responses", Forward: "/v1/responses"},
		},
		Credential: CredentialBearer, ErrorShape: ShapeOpenAI,
		Operation: "chat", Provider: "openai", StreamAttribute: true,
		Smoke: &SmokeRequest{
			Name: "responses", Model: "gpt-5-mini", Method: "POST", Path: "/v1/responses",
			Body: func(m, prompt string) map[string]any {
				return map[string]any{"model": m, "input": prompt, "max_output_tokens": 16}
			},
			Required: "model",
		},
		Request: RequestTemplate{Body: modelInput, Stream: map[string]any{"stream": true}},
	},
	{
		Family: FamilyMessages,
		Routes: []Route{
			{Method: "POST", Path: "/v1/messages"},
			{Method: "POST", Path: "/messages", Forward: "/v1/messages"},
		},
		Credential: CredentialAPIKey, ErrorShape: ShapeAnthropic,
		Operation: "chat", Provider: "anthropic", StreamAttribute: true,
		Smoke: &SmokeRequest{
			Name: "messages", Model: "claude-haiku-4-5", Method: "POST", Path: "/v1/messages",
			Headers: map[string]string{"Anthropic-Version": anthropicVersion},
			Body:    messagesBody, Required: "max_tokens",
		},
		Request: RequestTemplate{Body: messagesBody, Headers: map[string]string{"anthropic-version": anthropicVersion},
			Stream: map[string]any{"stream": true}},
	},
	{
		Family: FamilyCountTokens,
		Routes: []Route{
			{Method: "POST", Path: "/v1/messages/count_tokens"},
			{Method: "POST", Path: "/messages/count_tokens", Forward: "/v1/messages/count_tokens"},
		},
		Credential: CredentialAPIKey, ErrorShape: ShapeAnthropic,
		Operation: "count_tokens", Provider: "anthropic", StreamAttribute: true,
		Request: RequestTemplate{Body: chatBody, Headers: map[string]string{"anthropic-version": anthropicVersion}},
	},
	{
		Family: FamilyGemini,
		Routes: []Route{
			{Method: "POST", Path: "/v1beta/models/{model}:generateContent"},
			{Method: "POST", Path: "/v1beta/models/{model}:streamGenerateContent", Stream: true},
			{Method: "POST", Path: "/models/{model}:generateContent", Forward: "/v1beta/models/{model}:generateContent"},
			{Method: "POST", Path: "/models/{model}:streamGenerateContent", Stream: true, Forward: "/v1beta/models/{model}:streamGenerateContent"},
		},
		Credential: CredentialGoogAPIKey, ErrorShape: ShapeGemini,
		Operation: "generate_content", Provider: "gcp.gemini", StreamAttribute: true,
		Smoke: &SmokeRequest{
			Name: "gemini", Model: "gemini-2.5-flash", Method: "POST",
			Path: "/v1beta/models/{model}:generateContent",
			Body: geminiBody, Required: "contents",
		},
		Request: RequestTemplate{Body: geminiBody, StreamQuery: "alt=sse"},
	},
	{
		Family: FamilyEmbeddings,
		Routes: []Route{
			{Method: "POST", Path: "/v1/embeddings"},
			{Method: "POST", Path: "/embeddings", Forward: "/v1/embeddings"},
		},
		Credential: CredentialBearer, ErrorShape: ShapeOpenAI,
		Operation: "embeddings", Provider: "openai", StreamAttribute: true,
		Request: RequestTemplate{Body: modelInput},
	},
	{
		Family: FamilyModels,
		Routes: []Route{
			{Method: "GET", Path: "/v1/models"},
			{Method: "GET", Path: "/models", Forward: "/v1/models"},
		},
		Credential: CredentialBearer, ErrorShape: ShapeOpenAI,
		Operation: "list_models", Provider: "openai",
	},
}

// anthropicVersion is the anthropic-version header the requests send.
const anthropicVersion = "2023-06-01"

func userMessage(prompt string) []any {
	return []any{map[string]any{"role": "user", "content": prompt}}
}

// The minimal documented bodies.
func chatBody(m, prompt string) map[string]any {
	return map[string]any{"model": m, "messages": userMessage(prompt)}
}

func messagesBody(m, prompt string) map[string]any {
	return map[string]any{"model": m, "max_tokens": 16, "messages": userMessage(prompt)}
}

func modelInput(m, prompt string) map[string]any {
	return map[string]any{"model": m, "input": prompt}
}

func geminiBody(_, prompt string) map[string]any {
	return map[string]any{"contents": []any{map[string]any{"role": "user", "parts": []any{map[string]any{"text": prompt}}}}}
}

// unknown is what the code knows about a call no route recognised
// (FamilyUnknown). Its Credential and ErrorShape are zero: Style guesses
// them from the path.
var unknown = Spec{Family: FamilyUnknown, Operation: "unknown", Provider: "unknown"}

// unknownPaths guess the credential style and error shape of an
// unrecognised path from its prefix, first match wins; any other path is
// sent with a bearer credential and answered in OpenAI's shape.
var unknownPaths = []struct {
	prefix     string
	credential CredentialStyle
	shape      ErrorShape
}{
	{"/v1beta/", CredentialGoogAPIKey, ShapeGemini},
	{"/v1/messages", CredentialAPIKey, ShapeAnthropic},
}

var byFamily = func() map[Family]*Spec {
	m := make(map[Family]*Spec, len(registry))
	for i := range registry {
		m[registry[i].Family] = &registry[i]
	}
	return m
}()

// Specs returns the registry: one Spec per request family (FamilyUnknown
// has none), in the manifest format's order. The Specs are shared: callers
// must not modify them.
func Specs() []*Spec {
	out := make([]*Spec, len(registry))
	for i := range registry {
		out[i] = &registry[i]
	}
	return out
}

// Lookup returns the Spec of f. For FamilyUnknown, or a family the registry
// does not hold, it returns the Spec of FamilyUnknown: operation and
// provider "unknown", no routes, and Credential and ErrorShape zero (Style
// guesses them from the path). The Spec is shared: callers must not modify
// it.
func Lookup(f Family) *Spec {
	if s, ok := byFamily[f]; ok {
		return s
	}
	return &unknown
}

// Known reports whether f is a registered family.
func Known(f Family) bool {
	_, ok := byFamily[f]
	return ok
}

// Style returns the credential style and error shape of a call of family f
// on path: the family's, or for a family the registry does not hold, a
// guess from the path.
func Style(f Family, path string) (CredentialStyle, ErrorShape) {
	if s, ok := byFamily[f]; ok {
		return s.Credential, s.ErrorShape
	}
	for _, u := range unknownPaths {
		if strings.HasPrefix(path, u.prefix) {
			return u.credential, u.shape
		}
	}
	return CredentialBearer, ShapeOpenAI
}

// SmokePath returns the smoke request's path for model m.
func (r *SmokeRequest) SmokePath(m string) string {
	return strings.ReplaceAll(r.Path, "{model}", m)
}
