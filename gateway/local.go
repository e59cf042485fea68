package gateway

import (
	"net/http"
	"strings"

	"github.com/agentwrap/agentwrap/call"
)

// maxLocalPath bounds call.LocalRequest.Path: a flood of requests with long
// paths must not make long records.
const maxLocalPath = 200

// probe is one kind of connectivity probe the agents send, and the answer
// a reachable gateway gives it.
type probe struct {
	path   string
	status int
	body   string
}

// probes are the non-model requests agents send to their base URL before
// or beside their model calls (found by running each supported agent in a
// default environment; see README). Claude Code sends HEAD /api/hello
// without a credential to warm its connection and ignores the answer.
var probes = []probe{
	{path: "/", status: http.StatusOK, body: "agentwrap gateway\n"},
	{path: "/api/hello", status: http.StatusOK, body: "agentwrap gateway\n"},
	{path: "/favicon.ico", status: http.StatusNotFound, body: "not found\n"},
}

// answerProbe answers r itself when it is a connectivity probe and reports
// whether it did. GET and HEAD of a probe path and OPTIONS of any path are
// probes; no credential is needed, since nothing is forwarded.
func answerProbe(w http.ResponseWriter, r *http.Request) bool {
	if r.Method == http.MethodOptions {
		w.Header().Set("Allow", "GET, HEAD, POST, OPTIONS")
		w.WriteHeader(http.StatusNoContent)
		return true
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return false
	}
	for _, p := range probes {
		if r.URL.Path == p.path {
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			w.WriteHeader(p.status)
			if r.Method == http.MethodGet {
				_, _ = w.Write([]byte(p.body))
			}
			return true
		}
	}
	return false
}

// local reports a request the gateway answered itself to Config.Local.
func (g *Gateway) local(r *http.Request, reason call.LocalReason, rt call.Match) {
	if g.cfg.Local == nil {
		return
	}
	p := r.URL.Path
	if len(p) > maxLocalPath {
		p = strings.ToValidUTF8(p[:maxLocalPath], "") + "…"
	}
	g.cfg.Local(call.LocalRequest{
		Method: r.Method, Path: p, UserAgent: r.UserAgent(),
		Reason: reason, ModelPath: rt.Family != call.FamilyUnknown,
	})
}

// tokenReason says how a request failed the run-token check.
func tokenReason(presented string) call.LocalReason {
	if presented == "" {
		return call.LocalNoToken
	}
	return call.LocalWrongToken
}
