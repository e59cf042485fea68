package gateway

import (
	"encoding/json"
	"net/http"

	"github.com/agentwrap/agentwrap/call"
)

// gatewayError is an error the gateway answers itself, written in the wire
// format of the request's family so the agent shows it like any other API
// error.
type gatewayError struct {
	status  int
	kind    string // OpenAI/Anthropic error type
	code    string // OpenAI error code
	message string
}

var (
	errTokenRejected = gatewayError{http.StatusUnauthorized, "authentication_error", "invalid_api_key",
		"agentwrap: this request does not carry the run's token; only the wrapped agent may use this gateway"}
	errHostRefused = gatewayError{http.StatusForbidden, "permission_error", "host_not_allowed",
		"agentwrap: Host header does not name this gateway (DNS-rebinding guard)"}
	errOriginRefused = gatewayError{http.StatusForbidden, "permission_error", "origin_not_allowed",
		"agentwrap: browser requests (Origin header) are refused"}
	errUpstream = gatewayError{http.StatusBadGateway, "api_error", "upstream_unreachable",
		"agentwrap: the upstream gateway could not be reached"}
	errPeerRefused = gatewayError{http.StatusUnauthorized, "authentication_error", "caller_not_agent",
		"agentwrap: this connection comes from a process outside the wrapped agent's process tree; only the wrapped agent may use this gateway"}
	errUpgradeRefused = gatewayError{http.StatusBadRequest, "invalid_request_error", "upgrade_refused",
		"agentwrap: protocol upgrades (WebSocket) are refused while agentwrap holds the key: it cannot mask an upgraded stream; use plain HTTP"}
)

// errUndecodableReply answers a reply whose content coding the gateway
// cannot decode: in managed mode it is never passed on, since the real key
// could be in it.
func errUndecodableReply(encoding string) gatewayError {
	return gatewayError{http.StatusBadGateway, "api_error", "upstream_encoding_unsupported",
		"agentwrap: the upstream replied with content encoding \"" + encoding +
			"\", which agentwrap cannot decode; the reply was not passed on"}
}

// googleStatus maps an HTTP status to the google.rpc.Code name Gemini uses.
func googleStatus(status int) string {
	switch status {
	case http.StatusUnauthorized:
		return "UNAUTHENTICATED"
	case http.StatusForbidden:
		return "PERMISSION_DENIED"
	case http.StatusBadRequest:
		return "INVALID_ARGUMENT"
	case http.StatusTooManyRequests:
		return "RESOURCE_EXHAUSTED"
	}
	return "UNAVAILABLE"
}

// write sends e in the error body format of shape.
func (e gatewayError) write(w http.ResponseWriter, shape call.ErrorShape) {
	var body any
	switch shape {
	case call.ShapeAnthropic:
		body = map[string]any{"type": "error", "error": map[string]any{"type": e.kind, "message": e.message}}
	case call.ShapeGemini:
		body = map[string]any{"error": map[string]any{"code": e.status, "message": e.message, "status": googleStatus(e.status)}}
	case call.ShapeOpenAI:
		body = map[string]any{"error": map[string]any{"message": e.message, "type": e.kind, "param": nil, "code": e.code}}
	}
	b, _ := json.Marshal(body)
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("X-Agentwrap-Error", e.code)
	w.WriteHeader(e.status)
	_, _ = w.Write(b)
}
