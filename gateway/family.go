package gateway

import (
	"net/http"
	"strings"
)

// route is what the path and method of a request say about it.
type route struct {
	family Family
	// model is the model named in the path (Gemini), or empty.
	model string
	// stream is true when the path itself asks for a stream (Gemini).
	stream bool
}

// detect recognises the request family of a call from its method and path
// (without query). Anything it does not recognise is FamilyUnknown.
func detect(method, path string) route {
	switch {
	case method == http.MethodPost && path == "/v1/chat/completions":
		return route{family: FamilyChatCompletions}
	case method == http.MethodPost && path == "/v1/responses":
		return route{family: FamilyResponses}
	case method == http.MethodPost && path == "/v1/messages":
		return route{family: FamilyMessages}
	case method == http.MethodPost && path == "/v1/messages/count_tokens":
		return route{family: FamilyCountTokens}
	case method == http.MethodPost && path == "/v1/embeddings":
		return route{family: FamilyEmbeddings}
	case method == http.MethodGet && path == "/v1/models":
		return route{family: FamilyModels}
	case method == http.MethodPost && strings.HasPrefix(path, "/v1beta/models/"):
		return detectGemini(strings.TrimPrefix(path, "/v1beta/models/"))
	}
	return route{family: FamilyUnknown}
}

// detectGemini recognises `{model}:generateContent` and
// `{model}:streamGenerateContent`.
func detectGemini(rest string) route {
	model, method, ok := strings.Cut(rest, ":")
	if !ok || model == "" || strings.Contains(model, "/") {
		return route{family: FamilyUnknown}
	}
	switch method {
	case "generateContent":
		return route{family: FamilyGemini, model: model}
	case "streamGenerateContent":
		return route{family: FamilyGemini, model: model, stream: true}
	}
	return route{family: FamilyUnknown}
}

// credentialStyle is how a family carries its credential upstream.
type credentialStyle int

const (
	credBearer     credentialStyle = iota // Authorization: Bearer KEY
	credAPIKey                            // x-api-key: KEY
	credGoogAPIKey                        // x-goog-api-key: KEY
)

// style returns the header the upstream expects the credential in for a
// request of family f on path.
func style(f Family, path string) credentialStyle {
	switch {
	case f == FamilyMessages || f == FamilyCountTokens:
		return credAPIKey
	case f == FamilyGemini || strings.HasPrefix(path, "/v1beta/"):
		return credGoogAPIKey
	case strings.HasPrefix(path, "/v1/messages"):
		return credAPIKey
	}
	return credBearer
}

// errorShape is the wire format of error bodies for a family.
type errorShape int

const (
	shapeOpenAI errorShape = iota
	shapeAnthropic
	shapeGemini
)

func shapeOf(f Family, path string) errorShape {
	switch style(f, path) {
	case credAPIKey:
		return shapeAnthropic
	case credGoogAPIKey:
		return shapeGemini
	}
	return shapeOpenAI
}
