package gateway

import (
	"context"
	"crypto/subtle"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"github.com/agentwrap/agentwrap/call"
)

// credentialHeaders are the request headers that can carry a model-gateway
// credential. All of them are removed before a request goes upstream.
var credentialHeaders = []string{"Authorization", "X-Api-Key", "X-Goog-Api-Key", "Proxy-Authorization", "Api-Key"}

// presented returns the credential a request carries, in the order agents
// send them: Authorization Bearer, x-api-key, x-goog-api-key, ?key=.
func presented(h http.Header, q url.Values) string {
	if v := h.Get("Authorization"); v != "" {
		if scheme, tok, ok := strings.Cut(v, " "); ok && strings.EqualFold(scheme, "Bearer") {
			return strings.TrimSpace(tok)
		}
		return v
	}
	for _, k := range []string{"X-Api-Key", "X-Goog-Api-Key", "Api-Key"} {
		if v := h.Get(k); v != "" {
			return v
		}
	}
	return q.Get("key")
}

// tokenMatches compares a presented credential with the run token in
// constant time.
func tokenMatches(got string, token []byte) bool {
	// A copy on the stack: converting got, as long as a run token, would
	// allocate on every call.
	var buf [128]byte
	return subtle.ConstantTimeCompare(append(buf[:0], got...), token) == 1
}

// swapCredential removes every credential from the outgoing request and
// sets the key's header, name (canonical) and value, the one the family
// uses.
func swapCredential(out *http.Request, name string, value []string) {
	for _, k := range credentialHeaders {
		out.Header.Del(k)
	}
	// Most calls have no query: parsing one would allocate for nothing.
	if out.URL.RawQuery != "" {
		q := out.URL.Query()
		if q.Has("key") {
			q.Del("key")
			out.URL.RawQuery = q.Encode()
		}
	}
	out.Header[name] = value
}

// credentialHeader is the header that carries the key in one credential
// style.
type credentialHeader struct{ name, value string }

// keyHeaders returns the key's header in each credential style,
// indexed by style, made once instead of per call ("Bearer " + key).
func keyHeaders(key string) (h [call.CredentialGoogAPIKey + 1]credentialHeader) {
	for s := call.CredentialBearer; s <= call.CredentialGoogAPIKey; s++ {
		h[s].name, h[s].value = s.Header(key)
	}
	return h
}

// peerState is the verdict on one connection's peer, taken at the
// connection's first request (on its own goroutine, not the accept loop)
// and kept for the requests after it.
type peerState struct {
	local, remote net.Addr
	once          sync.Once
	allowed       bool
}

type peerKey struct{}

// withPeer is the server's ConnContext: it notes the connection's
// addresses for the lookup.
func withPeer(ctx context.Context, c net.Conn) context.Context {
	return context.WithValue(ctx, peerKey{}, &peerState{local: c.LocalAddr(), remote: c.RemoteAddr()})
}

// peerAllowed reports whether the connection of a request may use the run
// token, looking its peer up at the connection's first request.
func (g *Gateway) peerAllowed(ctx context.Context) bool {
	p, _ := ctx.Value(peerKey{}).(*peerState)
	if p == nil {
		return true
	}
	p.once.Do(func() { p.allowed = g.cfg.Peer(p.local, p.remote) })
	return p.allowed
}
