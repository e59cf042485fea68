package main

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
	"slices"
	"time"

	"github.com/agentwrap/agentwrap/gateway"
	"github.com/agentwrap/agentwrap/internal/otlptest"
)

// Target names: A direct to the upstream, B a bare reverse proxy, C the
// gateway exporting to a local OTLP sink, C' the gateway with an
// unreachable collector, refused or blackholed, and D claude-code-router,
// a peer proxy (Messages phases only).
const (
	targetDirect    = "A"
	targetProxy     = "B"
	targetGateway   = "C"
	targetRefused   = "C'refused"
	targetBlackhole = "C'blackhole"
	targetPeer      = "D"
	// targetMetrics is C with the GenAI client metrics recorded and
	// exported to the sink too.
	targetMetrics = "C+metrics"
)

// targetNames lists the targets in the order a round runs them.
var targetNames = []string{targetDirect, targetProxy, targetGateway, targetMetrics, targetRefused, targetBlackhole, targetPeer}

// Credentials of the bench: the gateway runs in managed mode, swapping the
// run token for the key.
const (
	benchKey   = "sk-bench-key-0000000000000000000000"
	benchToken = "agentwrap-bench-token-000000"
)

// env is what every phase shares: the upstream, the bare proxy, the
// collector stand-ins and the options.
type env struct {
	opts      options
	upstream  string
	proxy     string
	sink      *otlptest.Receiver
	refused   string
	blackhole *otlptest.Blackhole
	// peer is D, or nil when it is not run (PeerSkipped says why).
	peer        *peer
	peerSkipped string
	closers     []func()
}

// newUpstreamTransport is the transport of both B and C: what the gateway
// uses when its Config.Transport is nil.
func newUpstreamTransport() *http.Transport { return gateway.NewTransport() }

// bareProxy is B: an httputil.ReverseProxy with exactly the gateway's
// transport, copy-buffer pool, flushing, error log and full duplex, so that
// the only difference left between B and C is what the gateway's
// observation adds.
func bareProxy(upstream *url.URL) http.Handler {
	rp := &httputil.ReverseProxy{
		Rewrite:       func(pr *httputil.ProxyRequest) { pr.SetURL(upstream) },
		Transport:     newUpstreamTransport(),
		FlushInterval: -1,
		BufferPool:    gateway.CopyBuffers(),
		ErrorLog:      log.New(io.Discard, "", 0),
	}
	// Without full duplex a bare proxy loses streams to a race in net/http
	// (see gateway.ServeHTTP); B gets the gateway's fix so that it runs.
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = http.NewResponseController(w).EnableFullDuplex()
		rp.ServeHTTP(w, r)
	})
}

func startEnv(o options) (*env, error) {
	e := &env{opts: o}
	up, err := serve(upstream())
	if err != nil {
		return nil, err
	}
	e.upstream = up.url
	e.closers = append(e.closers, up.close)
	u, _ := url.Parse(e.upstream)
	px, err := serve(bareProxy(u))
	if err != nil {
		e.close()
		return nil, err
	}
	e.proxy = px.url
	e.closers = append(e.closers, px.close)
	if e.sink, err = startSink(); err != nil {
		e.close()
		return nil, err
	}
	e.closers = append(e.closers, e.sink.Close)
	if e.refused, err = otlptest.RefusedURL(); err != nil {
		e.close()
		return nil, err
	}
	if e.blackhole, err = otlptest.StartBlackhole(); err != nil {
		e.close()
		return nil, err
	}
	e.closers = append(e.closers, e.blackhole.Close)
	if slices.Contains(o.targets, targetPeer) {
		switch p, err := startPeer(e.upstream); {
		case errors.Is(err, errNoNode):
			// Only a machine without Node.js skips D, and says so.
			e.peerSkipped = err.Error()
		case err != nil:
			e.close()
			return nil, err
		default:
			e.peer = p
			e.closers = append(e.closers, p.close)
		}
	}
	return e, nil
}

func (e *env) close() {
	for i := len(e.closers) - 1; i >= 0; i-- {
		e.closers[i]()
	}
}

// server is a loopback HTTP server with the gateway's server timeouts.
type server struct {
	srv *http.Server
	url string
}

func serve(h http.Handler) (*server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("cannot listen: %w", err)
	}
	s := &server{srv: &http.Server{Handler: h, ReadHeaderTimeout: 30 * time.Second}, url: "http://" + ln.Addr().String()}
	go func() { _ = s.srv.Serve(ln) }()
	return s, nil
}

func (s *server) close() { _ = s.srv.Close() }

// target is one thing calls are sent to during a phase.
type target struct {
	name string
	url  string
	// run is the gateway's run for C and C'; nil for the others.
	run *benchRun
	// peer is D's process, whose CPU time counts with this one's.
	peer *peer
}

// openTarget prepares a target for one phase; C and C' get a fresh run.
func (e *env) openTarget(ctx context.Context, name string) (*target, error) {
	switch name {
	case targetDirect:
		return &target{name: name, url: e.upstream}, nil
	case targetProxy:
		return &target{name: name, url: e.proxy}, nil
	case targetPeer:
		if e.peer == nil {
			return nil, errors.New("target D is not running")
		}
		return &target{name: name, url: e.peer.url, peer: e.peer}, nil
	}
	endpoint := e.sink.URL()
	metrics := false
	switch name {
	case targetMetrics:
		metrics = true
	case targetRefused:
		endpoint = e.refused
	case targetBlackhole:
		endpoint = e.blackhole.URL()
	case targetGateway:
	default:
		return nil, errors.New("unknown target " + name)
	}
	r, err := startRunWith(ctx, e.upstream, endpoint, newUpstreamTransport(), 0, metrics)
	if err != nil {
		return nil, err
	}
	return &target{name: name, url: r.gw.URL(), run: r}, nil
}
