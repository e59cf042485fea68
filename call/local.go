package call

// LocalRequest is a request the gateway answered itself: a connectivity
// probe, or a request it refused. It was never forwarded and is never a
// Call, so it is never a call span (README, "Only model calls are
// classified").
type LocalRequest struct {
	Method string
	// Path is the request path without the query string, cut to 200
	// bytes by the gateway.
	Path      string
	UserAgent string
	// Reason says why the gateway answered it itself.
	Reason LocalReason
	// ModelPath is set when method and path are those of a model API call
	// (a known request family): a refused request that looks like the
	// agent's own model call.
	ModelPath bool
}

// Refused reports whether the request was refused rather than answered.
func (l LocalRequest) Refused() bool { return l.Reason != LocalProbe }

// LocalReason is why the gateway answered a request itself.
type LocalReason string

// The reasons of a LocalRequest.
const (
	// LocalProbe is a connectivity probe (HEAD /api/hello, GET /, OPTIONS,
	// /favicon.ico), answered as a reachable gateway answers it.
	LocalProbe LocalReason = "probe"
	// LocalNoToken is a request without any credential in managed mode.
	LocalNoToken LocalReason = "run_token_missing"
	// LocalWrongToken is a request whose credential is not the run token.
	LocalWrongToken LocalReason = "run_token_wrong"
	// LocalHostRefused is a request whose Host names another server
	// (DNS-rebinding guard).
	LocalHostRefused LocalReason = "host_not_allowed"
	// LocalOriginRefused is a browser request (Origin header).
	LocalOriginRefused LocalReason = "origin_not_allowed"
	// LocalOutsideTree is a request with the run token on a connection
	// from a process outside the wrapped agent's process tree.
	LocalOutsideTree LocalReason = "caller_outside_agent_process_tree"
	// LocalUpgradeRefused is a protocol upgrade (WebSocket) in managed
	// mode, where an upgraded stream could not be masked.
	LocalUpgradeRefused LocalReason = "protocol_upgrade_refused"
)
