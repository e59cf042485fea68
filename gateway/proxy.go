package gateway

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/agentwrap/agentwrap/call"
)

// ServeHTTP guards the gateway, answers connectivity probes, refuses
// requests without the run token (none of these is a call: each is
// reported to Config.Local), opens the call record and hands the request to
// the reverse proxy.
func (g *Gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rt := g.router.Match(r.Method, r.URL.Path)
	if rt.Forward != "" {
		// An alias (/messages for /v1/messages): the call is the documented
		// endpoint's, for the upstream, the contract and the span alike.
		r.URL.Path, r.URL.RawPath = rt.Forward, ""
	}
	shape := shapeOf(rt.Family, r.URL.Path)
	if refused, why := g.refuse(r); refused != nil {
		refused.write(w, shape)
		g.local(r, why, rt)
		return
	}
	if answerProbe(w, r) {
		g.local(r, call.LocalProbe, rt)
		return
	}
	// Most calls have no query: parsing one would allocate for nothing.
	var query url.Values
	if r.URL.RawQuery != "" {
		query = r.URL.Query()
	}
	cred := presented(r.Header, query)
	if g.cfg.Key != "" {
		if !tokenMatches(cred, g.tokenBytes) {
			errTokenRejected.write(w, shape)
			g.local(r, tokenReason(cred), rt)
			return
		}
		// The token alone is not enough where the connection's process
		// can be looked up: it must be the agent's (README "Security").
		if !g.peerAllowed(r.Context()) {
			errPeerRefused.write(w, shape)
			g.local(r, call.LocalOutsideTree, rt)
			return
		}
		// An upgraded connection is a byte stream the gateway cannot
		// mask; managed mode refuses it.
		if isUpgrade(r.Header) {
			errUpgradeRefused.write(w, shape)
			g.local(r, call.LocalUpgradeRefused, rt)
			return
		}
	}
	st := &callState{Context: r.Context(), g: g}
	st.c = call.Call{
		Family: rt.Family, Method: r.Method, Path: r.URL.Path,
		UserAgent: r.UserAgent(), Start: time.Now(),
		ServerAddress: g.srvHost, ServerPort: g.srvPort,
		RequestModel: rt.Model, RequestStream: rt.Stream,
		RequestMaxTokens: -1, Usage: call.NoUsage(),
		ResendCount: resendCount(r.Header),
	}
	if g.cfg.Key != "" {
		st.c.CredentialLabel = g.keyLabel
	} else if cred != "" {
		if g.cfg.Presented != nil {
			g.cfg.Presented(cred)
		}
		if g.cfg.Label != nil {
			st.c.CredentialLabel = g.cfg.Label(cred)
		}
	}
	if g.cfg.Contract != nil {
		st.headers = headerNames(st.headerBuf[:0], r.Header, query)
	}
	hasBody := r.Body != nil && r.Body != http.NoBody
	if g.enforcing() {
		if problems := st.precheck(hasBody); len(problems) > 0 {
			st.c.Contract.Enforced = true
			st.c.StatusCode = http.StatusBadRequest
			contractError(problems).write(w, shape)
			st.finish(nil, true)
			return
		}
	}
	if hasBody {
		st.scan.init(wantRequestKey)
		var check func() error
		if g.enforcing() {
			check = st.bodyCheck
		}
		st.tee.start(r.Body, r.ContentLength, &st.scan, check)
		st.body = &st.tee
		r.Body = st.body
	}
	// The transport reads the request body to its EOF after the upstream
	// may have answered; without full duplex, the server closes an HTTP/1
	// body that is not at EOF when the reply's header goes out, that read
	// fails, and the transport drops the upstream connection mid-stream.
	_ = http.NewResponseController(w).EnableFullDuplex()
	if g.cfg.Key != "" {
		st.writer = maskingWriter{ResponseWriter: w, key: g.cfg.Key}
		w = &st.writer
	}
	g.proxy.ServeHTTP(w, r.WithContext(st))
}

func (g *Gateway) enforcing() bool { return g.cfg.Enforce && g.cfg.Contract != nil }

// refuse applies the DNS-rebinding and browser guards.
func (g *Gateway) refuse(r *http.Request) (*gatewayError, call.LocalReason) {
	if !g.hosts[strings.ToLower(r.Host)] {
		return &errHostRefused, call.LocalHostRefused
	}
	if r.Header.Get("Origin") != "" {
		return &errOriginRefused, call.LocalOriginRefused
	}
	return nil, ""
}

// isUpgrade reports whether a request asks to switch protocols.
func isUpgrade(h http.Header) bool {
	if h.Get("Upgrade") == "" {
		return false
	}
	for _, v := range h.Values("Connection") {
		for _, t := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(t), "upgrade") {
				return true
			}
		}
	}
	return false
}

func resendCount(h http.Header) int {
	v := h.Get("X-Stainless-Retry-Count")
	if v == "" {
		// Most calls are not resent: Atoi would allocate its error.
		return 0
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0
	}
	return n
}

// rewrite aims the outgoing request at the upstream and swaps credentials.
func (g *Gateway) rewrite(pr *httputil.ProxyRequest) {
	pr.SetURL(g.upstream)
	st := stateFrom(pr.In.Context())
	if st != nil && st.body != nil && st.body.atEOF != nil {
		// Enforcement may abandon the body at its end: send it chunked so
		// that the upstream never sees a complete request it could act on
		// (with a Content-Length, the last byte would complete it).
		pr.Out.ContentLength = -1
		pr.Out.Header.Del("Content-Length")
	}
	if g.cfg.Key == "" {
		return
	}
	f := call.FamilyUnknown
	if st != nil {
		f = st.c.Family
	}
	style, _ := call.Style(f, pr.In.URL.Path)
	cred := g.creds[style]
	// The two header values are held in the call's state, so that setting
	// them allocates nothing; each slice is capped at its one value.
	var vals *[2]string
	if st != nil {
		vals = &st.outValues
	} else {
		vals = new([2]string)
	}
	vals[0], vals[1] = cred.value, managedAcceptEncoding
	swapCredential(pr.Out, cred.name, vals[0:1:1])
	// The gateway decodes the reply itself to mask it; the agent's own
	// Accept-Encoding would let codings it cannot decode through.
	pr.Out.Header["Accept-Encoding"] = vals[1:2:2]
}

// modifyResponse records the response head and tees its body to the
// family's parser. In managed mode the reply is decoded and every
// occurrence of the key in its header, body and trailers is masked; a
// coding the gateway cannot decode and a protocol upgrade are refused
// (README "Security"). In passthrough, protocol upgrades pass untouched.
func (g *Gateway) modifyResponse(resp *http.Response) error {
	st := stateFrom(resp.Request.Context())
	if st == nil {
		return nil
	}
	managed := g.cfg.Key != ""
	if managed {
		if resp.StatusCode == http.StatusSwitchingProtocols {
			return errUpgradeReply
		}
		if err := decodeReply(resp); err != nil {
			return err
		}
		maskHeader(resp.Header, g.cfg.Key)
	}
	ct := resp.Header.Get("Content-Type")
	st.update(func(c *call.Call) {
		c.StatusCode = resp.StatusCode
		c.ContentType = ct
		c.RetryAfter = resp.Header.Get("Retry-After") != "" || resp.Header.Get("Retry-After-Ms") != ""
	})
	if resp.StatusCode == http.StatusSwitchingProtocols {
		st.finish(nil, true)
		return nil
	}
	body := resp.Body
	enc := resp.Header.Get("Content-Encoding")
	if managed {
		// In managed mode the agent never sees the real key, even when
		// the upstream echoes it.
		st.masking = maskingBody{ReadCloser: body, key: g.keyBytes, trailers: resp}
		body = &st.masking
	}
	st.parser.init(st.c.Family, resp.StatusCode, ct, enc)
	st.reply = teeResponseBody{body: body, parser: &st.parser, call: st}
	resp.Body = &st.reply
	return nil
}

// errorHandler answers a call the upstream could not serve.
func (g *Gateway) errorHandler(w http.ResponseWriter, r *http.Request, err error) {
	st := stateFrom(r.Context())
	if st == nil {
		w.WriteHeader(http.StatusBadGateway)
		return
	}
	if st.Err() != nil {
		st.update(func(c *call.Call) { c.Cancelled = true })
		st.finish(nil, false)
		return
	}
	st.mu.Lock()
	rejected := st.rejected
	st.mu.Unlock()
	if rejected != nil {
		st.update(func(c *call.Call) { c.Contract.Enforced = true; c.StatusCode = http.StatusBadRequest })
		contractError(rejected).write(w, shapeOf(st.c.Family, r.URL.Path))
		st.finish(nil, true)
		return
	}
	reply := errUpstream
	var undecodable *errUndecodable
	switch {
	case errors.As(err, &undecodable):
		reply = errUndecodableReply(undecodable.encoding)
		st.update(func(c *call.Call) { c.TransportError = "undecodable_content_encoding"; c.StatusCode = reply.status })
	case errors.Is(err, errUpgradeReply):
		reply = errUpgradeRefused
		st.update(func(c *call.Call) { c.TransportError = "protocol_upgrade_refused"; c.StatusCode = reply.status })
	default:
		st.update(func(c *call.Call) { c.TransportError = transportErrorClass(err) })
	}
	reply.write(w, shapeOf(st.c.Family, r.URL.Path))
	st.finish(nil, false)
}

// transportErrorClass names a failure to reach the upstream without
// quoting the error, which may contain the URL.
func transportErrorClass(err error) string {
	var dnsErr *net.DNSError
	var netErr net.Error
	var certErr *tls.CertificateVerificationError
	var recErr tls.RecordHeaderError
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return "timeout"
	case errors.As(err, &dnsErr):
		return "dns_error"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection_refused"
	case errors.Is(err, syscall.ECONNRESET):
		return "connection_reset"
	case errors.As(err, &certErr), errors.As(err, &recErr):
		return "tls_error"
	case errors.As(err, &netErr) && netErr.Timeout():
		return "timeout"
	}
	return "network_error"
}

// shapeOf is the error shape the gateway answers a call of family f on path
// in.
func shapeOf(f call.Family, path string) call.ErrorShape {
	_, shape := call.Style(f, path)
	return shape
}
