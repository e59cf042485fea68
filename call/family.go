package call

// Family is the request family of a model call: the wire format the gateway
// recognised from method and path. Its value is also the name a contract
// manifest's endpoints declare (`family:`) and the span's
// agentwrap.request_family.
type Family string

// The request families, in the order of the registry (see Specs).
const (
	FamilyChatCompletions Family = "openai.chat_completions"
	FamilyResponses       Family = "openai.responses"
	FamilyMessages        Family = "anthropic.messages"
	FamilyCountTokens     Family = "anthropic.count_tokens"
	FamilyGemini          Family = "gemini.generate_content"
	FamilyEmbeddings      Family = "openai.embeddings"
	FamilyModels          Family = "models.list"
	// FamilyUnknown is a call no route recognised. It has no registry
	// entry; Lookup answers for it with a Spec named "unknown".
	FamilyUnknown Family = "unknown"
)

// CredentialStyle is the header in which an upstream expects the credential
// of a family's requests.
type CredentialStyle int

// The credential styles.
const (
	CredentialBearer     CredentialStyle = iota + 1 // Authorization: Bearer KEY
	CredentialAPIKey                                // x-api-key: KEY
	CredentialGoogAPIKey                            // x-goog-api-key: KEY
)

// Header returns the header name and value that carry key in style s.
func (s CredentialStyle) Header(key string) (name, value string) {
	switch s {
	case CredentialAPIKey:
		return "X-Api-Key", key
	case CredentialGoogAPIKey:
		return "X-Goog-Api-Key", key
	case CredentialBearer:
		return "Authorization", "Bearer " + key
	}
	panic("call: invalid CredentialStyle")
}

// ErrorShape is the wire format of a family's error bodies. Its values are
// the names a contract manifest's `error_shape` uses.
type ErrorShape string

// The error shapes.
const (
	// ShapeOpenAI is {"error":{"message","type","param","code"}}.
	ShapeOpenAI ErrorShape = "openai"
	// ShapeAnthropic is {"type":"error","error":{"type","message"}}.
	ShapeAnthropic ErrorShape = "anthropic"
	// ShapeGemini is {"error":{"code","message","status"}}.
	ShapeGemini ErrorShape = "gemini"
)

// ErrorShapes returns every error shape.
func ErrorShapes() []ErrorShape { return []ErrorShape{ShapeOpenAI, ShapeAnthropic, ShapeGemini} }
