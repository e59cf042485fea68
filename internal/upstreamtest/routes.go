package upstreamtest

import (
	"net/http"
	"strings"
)

// route is what the method and path of a request select.
type route struct {
	family string
	shape  shape
	// model and stream come from the path (Gemini only).
	model  string
	stream bool
	// handler answers a successful request; nil for unknown routes.
	handler func(*call)
}

// routeOf maps a request to its family and handler.
func routeOf(r *http.Request) route {
	post := r.Method == http.MethodPost
	switch p := r.URL.Path; {
	case post && p == "/v1/chat/completions":
		return route{family: FamilyChatCompletions, handler: (*call).chat}
	case post && p == "/v1/responses":
		return route{family: FamilyResponses, handler: (*call).responses}
	case post && p == "/v1/messages":
		return route{family: FamilyMessages, shape: shapeAnthropic, handler: (*call).messages}
	case post && p == "/v1/messages/count_tokens":
		return route{family: FamilyCountTokens, shape: shapeAnthropic, handler: (*call).countTokens}
	case post && p == "/v1/embeddings":
		return route{family: FamilyEmbeddings, handler: (*call).embeddings}
	case r.Method == http.MethodGet && p == "/v1/models":
		return modelsRoute(r)
	case post && strings.HasPrefix(p, "/v1beta/models/"):
		return geminiRoute(r, strings.TrimPrefix(p, "/v1beta/models/"))
	}
	return route{family: FamilyUnknown}
}

// modelsRoute answers in Anthropic's shape when the request carries
// anthropic-version (as Anthropic's SDKs send it), else in OpenAI's.
func modelsRoute(r *http.Request) route {
	if r.Header.Get("Anthropic-Version") != "" {
		return route{family: FamilyModels, shape: shapeAnthropic, handler: (*call).anthropicModels}
	}
	return route{family: FamilyModels, handler: (*call).openAIModels}
}

// geminiRoute recognises {model}:generateContent, :streamGenerateContent
// and :countTokens.
func geminiRoute(r *http.Request, rest string) route {
	model, method, ok := strings.Cut(rest, ":")
	if !ok || model == "" || strings.Contains(model, "/") {
		return route{family: FamilyUnknown}
	}
	rt := route{family: FamilyGemini, shape: shapeGoogle, model: model}
	switch method {
	case "generateContent":
		rt.handler = (*call).gemini
	case "streamGenerateContent":
		rt.stream = true
		rt.handler = (*call).gemini
	case "countTokens":
		rt.family = FamilyGeminiCountTokens
		rt.handler = (*call).geminiCountTokens
	default:
		return route{family: FamilyUnknown}
	}
	return rt
}
