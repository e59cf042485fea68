package gateway

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strconv"
	"sync"
	"time"

	"github.com/agentwrap/agentwrap/call"
)

// Config configures a Gateway. The zero value of each field is documented.
type Config struct {
	// Upstream is the real gateway's base URL: scheme, host and an optional
	// path prefix that request paths are appended to. Required.
	Upstream *url.URL
	// Key is the real credential. Non-empty selects managed mode: requests
	// must carry Token, and Key is put on the upstream request in the header
	// the family uses. Empty selects passthrough: the agent's own credential
	// goes upstream untouched.
	Key string
	// Token is the per-run token the agent presents in managed mode.
	Token string
	// Addr is the listen address; empty means 127.0.0.1:0. It must be a
	// loopback address.
	Addr string
	// Transport sends requests upstream. Nil means NewTransport().
	Transport http.RoundTripper
	// Observe receives every call about 1 ms after its end (later while
	// an earlier call's Observe is still running), never on the goroutine
	// serving a call. Calls are observed one at a time, in the order they
	// ended: Observe is never called concurrently. Nil means calls are not
	// observed.
	Observe func(*call.Call)
	// ObserveDone, when set, is called on the same goroutine after each
	// batch of Observe calls (the calls of one 1 ms window): a sink that
	// buffers what Observe recorded writes it out then, once per batch.
	ObserveDone func()
	// Local receives every request the gateway answered itself without
	// forwarding it: connectivity probes, and requests refused by the
	// Host and Origin guards or for lacking the run token. It is called on
	// the goroutine serving the request, after the answer was written, and
	// may be called concurrently; it must be cheap (a flood of refused
	// requests calls it once each). None of these requests is a call. Nil
	// means they are not reported.
	Local func(call.LocalRequest)
	// Label returns the stable label of a credential value. Nil means calls
	// carry no credential label.
	Label func(credential string) string
	// Contract checks each call against the contract manifest. Nil means no
	// check: only unknown paths are contract mismatches.
	Contract Checker
	// Presented, in passthrough, receives the credential of each request
	// before it is forwarded, so that the run's secret scanner knows it
	// before the upstream can echo it. Nil means it is not passed on.
	Presented func(credential string)
	// Peer, in managed mode, decides once per new connection whether the
	// process at its other end may use the run token (local and remote
	// are the gateway's and the client's addresses): a call on a refused
	// connection is answered 401 even with the token. Nil means the token
	// alone decides. See README "Security".
	Peer func(local, remote net.Addr) bool
	// Enforce rejects requests that do not match Contract with a 400 in the
	// family's error format instead of forwarding them. Without Contract it
	// has no effect.
	Enforce bool
	// Routes add paths to the registry's (package call): a request no
	// registry route matches is matched against them, so a contract
	// manifest can map a new path to a known family. Each Route's Family
	// must be a registered family. Nil means the registry's routes only.
	Routes []call.Route
	// Prewarm, when positive, opens one connection to the upstream (DNS,
	// TCP, TLS, HTTP/2 where the upstream offers it) as the gateway
	// starts, for the agent's first call, and closes it when no call took
	// it within Prewarm. It needs Transport to be nil or an
	// *http.Transport, whose dial hooks it wraps, and does nothing when
	// that transport reaches the upstream through a proxy. Zero means the
	// first call opens the first connection.
	Prewarm time.Duration
	// MaxConns caps the gateway's open connections (see connLimiter);
	// zero means DefaultMaxConns.
	MaxConns int
	// Warn receives the gateway's own warnings, one line each without a
	// trailing newline, e.g. when the connection cap is first reached. Nil
	// means they are dropped.
	Warn func(line string)
}

// DefaultPrewarm is how long a wrapped run keeps the connection it opened
// for the agent's first call: long enough for an agent to boot, shorter
// than the idle timeouts of common servers and CDNs (60 s and more), so
// that the connection is still open when the agent takes it.
const DefaultPrewarm = 30 * time.Second

// Gateway is the loopback model gateway.
type Gateway struct {
	cfg      Config
	upstream *url.URL
	ln       net.Listener
	srv      *http.Server
	warm     *warmer
	proxy    *httputil.ReverseProxy
	router   *call.Router
	hosts    map[string]bool
	srvHost  string
	srvPort  int
	keyLabel string
	// keyBytes is Key as the masking bodies look for it, creds the
	// header that carries it in each credential style, tokenBytes Token
	// as tokenMatches compares it.
	keyBytes   []byte
	creds      [call.CredentialGoogAPIKey + 1]credentialHeader
	tokenBytes []byte

	mu     sync.Mutex
	closed bool
	// pending are the ended calls not yet observed; drain, run by timer,
	// completes their records and observes them.
	pending []*callState
	timer   *time.Timer
	// draining is set while a drain observes: one drainer at a time keeps
	// the calls of later batches behind those of earlier ones.
	draining bool
	wg       sync.WaitGroup
}

// observeDelay is how long an ended call waits before its record is
// completed and observed. Calls that end within it are observed together
// by one goroutine that a timer starts: no goroutine is started or woken
// on a call's own path, where it would compete with the agent's goroutine
// for the CPU just as the reply reaches the agent. It is short so that
// a batch is short: under load, a batch takes a CPU for as long as its
// calls' observation takes, and on a small machine the calls that overlap
// it wait (10 ms batches gave a p99 latency ratio of 2.6–5.1 over a bare
// proxy on two vCPUs, 1 ms batches 2.0–3.2, at the same CPU per call:
// PERFORMANCE.md, "Where the p99 comes from").
const observeDelay = time.Millisecond

// New starts a gateway listening on loopback.
func New(cfg Config) (*Gateway, error) {
	if cfg.Upstream == nil || cfg.Upstream.Scheme == "" || cfg.Upstream.Host == "" {
		return nil, errors.New("upstream URL must have a scheme and host")
	}
	if cfg.Key != "" && cfg.Token == "" {
		return nil, errors.New("managed mode needs a run token")
	}
	router := call.DefaultRouter()
	if len(cfg.Routes) > 0 {
		var err error
		if router, err = call.NewRouter(cfg.Routes); err != nil {
			return nil, fmt.Errorf("cannot route the gateway's paths: %w", err)
		}
	}
	addr := cfg.Addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	if host, _, err := net.SplitHostPort(addr); err != nil || !net.ParseIP(host).IsLoopback() {
		return nil, fmt.Errorf("gateway address %q is not a loopback IP address", addr)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("cannot listen on %s: %w", addr, err)
	}
	g := &Gateway{cfg: cfg, upstream: cfg.Upstream, router: router}
	g.init(ln)
	go func() { _ = g.srv.Serve(g.ln) }()
	return g, nil
}

func (g *Gateway) init(ln net.Listener) {
	maxConns := g.cfg.MaxConns
	if maxConns <= 0 {
		maxConns = DefaultMaxConns
	}
	limiter := newConnLimiter(ln, maxConns, func() {
		if g.cfg.Warn != nil {
			g.cfg.Warn(fmt.Sprintf("gateway: %d connections open, its cap: closing idle ones to make room (is a local process opening connections in bulk?)", maxConns))
		}
	})
	g.ln = limiter
	port := strconv.Itoa(g.ln.Addr().(*net.TCPAddr).Port)
	if g.router == nil {
		g.router = call.DefaultRouter()
	}
	g.hosts = map[string]bool{g.ln.Addr().String(): true, "localhost:" + port: true}
	g.srvHost = g.upstream.Hostname()
	g.srvPort = upstreamPort(g.upstream)
	if g.cfg.Key != "" {
		g.keyBytes = []byte(g.cfg.Key)
		g.creds = keyHeaders(g.cfg.Key)
		g.tokenBytes = []byte(g.cfg.Token)
	}
	if g.cfg.Key != "" && g.cfg.Label != nil {
		g.keyLabel = g.cfg.Label(g.cfg.Key)
	}
	tr := g.cfg.Transport
	if tr == nil {
		tr = NewTransport()
	}
	if t, ok := tr.(*http.Transport); ok && g.cfg.Prewarm > 0 {
		g.warm = startWarmer(t, g.upstream, g.cfg.Prewarm)
	}
	quiet := log.New(io.Discard, "", 0)
	g.proxy = &httputil.ReverseProxy{
		Rewrite:        g.rewrite,
		ModifyResponse: g.modifyResponse,
		ErrorHandler:   g.errorHandler,
		Transport:      tr,
		FlushInterval:  -1,
		ErrorLog:       quiet,
		BufferPool:     CopyBuffers(),
	}
	g.srv = &http.Server{Handler: g, ErrorLog: quiet, ConnState: limiter.connState,
		ReadHeaderTimeout: readHeaderTimeout, IdleTimeout: idleTimeout}
	if g.cfg.Key != "" && g.cfg.Peer != nil {
		g.srv.ConnContext = withPeer
	}
}

// NewTransport returns the transport a gateway uses when Config.Transport
// is nil: a clone of http.DefaultTransport that leaves compression to the
// agent and keeps up to 64 idle connections to the upstream. Benchmarks
// give their bare proxies the same one, so that what they compare is the
// gateway's own work.
func NewTransport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.DisableCompression = true
	t.MaxIdleConnsPerHost = 64
	return t
}

// CopyBuffers returns the pool of 32 KiB copy buffers the gateway's reverse
// proxy uses (without a pool, httputil.ReverseProxy allocates one per
// call); benchmarks give their bare proxies the same pool.
func CopyBuffers() httputil.BufferPool { return copyBuffers{} }

// copyBuffers recycles the reverse proxy's copy buffers.
type copyBuffers struct{}

var copyBufferPool = sync.Pool{New: func() any { b := make([]byte, 32<<10); return &b }}

func (copyBuffers) Get() []byte  { return *copyBufferPool.Get().(*[]byte) }
func (copyBuffers) Put(b []byte) { copyBufferPool.Put(&b) }

func upstreamPort(u *url.URL) int {
	if p, err := strconv.Atoi(u.Port()); err == nil {
		return p
	}
	if u.Scheme == "http" {
		return 80
	}
	return 443
}

// URL is the gateway's base URL, e.g. http://127.0.0.1:41234.
func (g *Gateway) URL() string { return "http://" + g.ln.Addr().String() }

// Close stops accepting calls, waits for calls in flight until ctx is done,
// observes the calls that ended and waits for their observers. Calls that
// end after Close returned are not observed.
func (g *Gateway) Close(ctx context.Context) error {
	g.warm.close()
	err := g.srv.Shutdown(ctx)
	if err != nil {
		_ = g.srv.Close()
	}
	g.mu.Lock()
	g.closed = true
	if g.timer != nil {
		g.timer.Stop()
	}
	g.mu.Unlock()
	g.drain()
	g.wg.Wait()
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}

// observe queues an ended call: drain completes its record and hands it to
// the observer within observeDelay. It reports false when the call will not
// be observed (no observer, or the gateway closed).
func (g *Gateway) observe(s *callState) bool {
	if g.cfg.Observe == nil {
		return false
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		return false
	}
	g.wg.Add(1)
	g.pending = append(g.pending, s)
	if len(g.pending) > 1 {
		return true
	}
	if g.timer == nil {
		g.timer = time.AfterFunc(observeDelay, g.drain)
	} else {
		g.timer.Reset(observeDelay)
	}
	return true
}

// drain observes the pending calls, in the order they ended. Only one
// drain observes at a time: a drain that finds another one running leaves
// the pending calls to it, and the running one takes the calls that ended
// meanwhile before it stops, so a later batch never overtakes an earlier
// one.
func (g *Gateway) drain() {
	g.mu.Lock()
	if g.draining {
		g.mu.Unlock()
		return
	}
	g.draining = true
	for len(g.pending) > 0 {
		batch := g.pending
		g.pending = nil
		g.mu.Unlock()
		for _, s := range batch {
			g.cfg.Observe(s.record())
		}
		if g.cfg.ObserveDone != nil {
			g.cfg.ObserveDone()
		}
		// Close waits for the batch's calls only now: what ObserveDone
		// writes out is written before Close returns.
		for range batch {
			g.wg.Done()
		}
		g.mu.Lock()
	}
	g.draining = false
	g.mu.Unlock()
}

// String prints the configuration with the key and the token stripped, so
// that a Config in an error or log line never shows them.
func (c Config) String() string {
	up := ""
	if c.Upstream != nil {
		up = c.Upstream.Scheme + "://" + c.Upstream.Host
	}
	return fmt.Sprintf("{Upstream:%s Key:%s Token:%s Addr:%s Enforce:%v}", up, stripped(c.Key), stripped(c.Token), c.Addr, c.Enforce)
}

// GoString is String, for %#v.
func (c Config) GoString() string { return "gateway.Config" + c.String() }

func stripped(s string) string {
	if s == "" {
		return ""
	}
	return "[REDACTED]"
}

// String describes the gateway without its credentials.
func (g *Gateway) String() string { return "gateway " + g.URL() + " " + g.cfg.String() }

// GoString is String, for %#v.
func (g *Gateway) GoString() string { return g.String() }
