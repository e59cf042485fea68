package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"time"

	"github.com/agentwrap/agentwrap/gateway"
)

// firstCallSpec shapes the first-call benchmark: an upstream that speaks
// TLS (and HTTP/2) behind a relay that delays every byte by half of RTT
// each way and the connection's opening by one RTT, as a real network
// would; an agent that boots for Boot before its first call, and makes a
// second call after an idle gap.
type firstCallSpec struct {
	RTT     time.Duration
	Boot    time.Duration
	IdleGap time.Duration
	Rounds  int
	// NoCallIdle is the gateway's Prewarm in the run that makes no call:
	// the connection it opened must be closed after it.
	NoCallIdle time.Duration
}

// firstCallResult is the first-call benchmark's medians over rounds.
type firstCallResult struct {
	RTTms float64 `json:"rtt_ms"`
	// First calls, time to the reply's first byte and to its end, ms.
	DirectFirstTTFB  float64 `json:"direct_first_ttfb_ms"`
	GatewayFirstTTFB float64 `json:"gateway_first_ttfb_ms"`
	DirectFirst      float64 `json:"direct_first_ms"`
	GatewayFirst     float64 `json:"gateway_first_ms"`
	// The calls after the idle gap.
	DirectAfterGap  float64 `json:"direct_after_gap_ms"`
	GatewayAfterGap float64 `json:"gateway_after_gap_ms"`
	// SavedRTTs is (direct first − gateway first) / RTT: the target is
	// at least 1.
	SavedRTTs float64 `json:"saved_round_trips"`
	// Connections the relay saw in the run that made no call: opened at
	// all, and still open after the gateway's idle limit.
	NoCallOpened int `json:"no_call_connections_opened"`
	NoCallOpen   int `json:"no_call_connections_open_after_idle"`
	// HTTP2 is true when the gateway's first call reached the upstream
	// over HTTP/2.
	HTTP2 bool   `json:"http2"`
	Error string `json:"error,omitempty"`
}

// runFirstCall measures the agent's first call straight to the upstream
// and through the gateway, in rounds, and the run that makes no call.
func runFirstCall(ctx context.Context, spec firstCallSpec) firstCallResult {
	res := firstCallResult{RTTms: ms(spec.RTT)}
	up, protos := tlsUpstream()
	defer up.Close()
	rl, err := startRelay(up.Listener.Addr().String(), spec.RTT)
	if err != nil {
		res.Error = err.Error()
		return res
	}
	defer rl.close()
	pool := x509.NewCertPool()
	pool.AddCert(up.Certificate())
	base := "https://" + rl.addr()
	var dTTFB, gTTFB, dFirst, gFirst, dGap, gGap []float64
	for range spec.Rounds {
		d, err := directCalls(base, pool, spec.IdleGap)
		if err != nil {
			res.Error = "direct: " + err.Error()
			return res
		}
		protos.reset()
		g, err := gatewayCalls(ctx, base, pool, spec)
		if err != nil {
			res.Error = "through the gateway: " + err.Error()
			return res
		}
		res.HTTP2 = protos.first() == 2
		dTTFB, gTTFB = append(dTTFB, ms(d[0].firstChunk)), append(gTTFB, ms(g[0].firstChunk))
		dFirst, gFirst = append(dFirst, ms(d[0].latency)), append(gFirst, ms(g[0].latency))
		dGap, gGap = append(dGap, ms(d[1].latency)), append(gGap, ms(g[1].latency))
	}
	res.DirectFirstTTFB, res.GatewayFirstTTFB = median(dTTFB), median(gTTFB)
	res.DirectFirst, res.GatewayFirst = median(dFirst), median(gFirst)
	res.DirectAfterGap, res.GatewayAfterGap = median(dGap), median(gGap)
	res.SavedRTTs = (res.DirectFirst - res.GatewayFirst) / ms(spec.RTT)
	opened, open, err := noCallRun(ctx, base, pool, rl, spec)
	if err != nil {
		res.Error = "no-call run: " + err.Error()
	}
	res.NoCallOpened, res.NoCallOpen = opened, open
	return res
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// protoLog records the HTTP major version of each call the upstream got.
type protoLog struct {
	mu     sync.Mutex
	protos []int
}

func (p *protoLog) reset() { p.mu.Lock(); p.protos = nil; p.mu.Unlock() }
func (p *protoLog) first() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.protos) == 0 {
		return 0
	}
	return p.protos[0]
}

// tlsUpstream is the bench upstream over TLS with HTTP/2 offered.
func tlsUpstream() (*httptest.Server, *protoLog) {
	log := &protoLog{}
	h := upstream()
	up := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		log.mu.Lock()
		log.protos = append(log.protos, r.ProtoMajor)
		log.mu.Unlock()
		h.ServeHTTP(w, r)
	}))
	up.EnableHTTP2 = true
	up.StartTLS()
	return up, log
}

// agentTransport is a fresh agent-like client transport: nothing cached,
// HTTP/2 attempted, trusting the bench upstream's certificate.
func agentTransport(pool *x509.CertPool) *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.TLSClientConfig = &tls.Config{RootCAs: pool}
	t.ForceAttemptHTTP2 = true
	return t
}

// directCalls is an agent calling the upstream itself: its first call,
// then one after the idle gap.
func directCalls(base string, pool *x509.CertPool, gap time.Duration) ([2]callResult, error) {
	tr := agentTransport(pool)
	defer tr.CloseIdleConnections()
	return twoCalls(&http.Client{Transport: tr}, base, gap)
}

func twoCalls(client *http.Client, base string, gap time.Duration) ([2]callResult, error) {
	var out [2]callResult
	body := requestBody(1, false)
	out[0] = doCall(client, base, mode{Name: "first"}, body, time.Time{})
	if out[0].err != nil {
		return out, out[0].err
	}
	time.Sleep(gap)
	out[1] = doCall(client, base, mode{Name: "after-gap"}, body, time.Time{})
	return out, out[1].err
}

// gatewayCalls starts a wrapped run's gateway (with Prewarm, as wrap.Run
// starts it), lets the agent boot, then makes the same two calls through
// it.
func gatewayCalls(ctx context.Context, base string, pool *x509.CertPool, spec firstCallSpec) ([2]callResult, error) {
	tr := gateway.NewTransport()
	tr.TLSClientConfig = &tls.Config{RootCAs: pool}
	r, err := startRunWith(ctx, base, "", tr, gateway.DefaultPrewarm, false)
	if err != nil {
		return [2]callResult{}, err
	}
	defer r.finish(time.Second)
	time.Sleep(spec.Boot)
	client := newClient()
	defer client.CloseIdleConnections()
	return twoCalls(client, r.gw.URL(), spec.IdleGap)
}

// noCallRun starts a gateway whose agent makes no call and reports the
// connections the relay saw opened, and still open after the idle limit.
func noCallRun(ctx context.Context, base string, pool *x509.CertPool, rl *relay, spec firstCallSpec) (opened, open int, err error) {
	before := rl.opened.Load()
	tr := gateway.NewTransport()
	tr.TLSClientConfig = &tls.Config{RootCAs: pool}
	r, err := startRunWith(ctx, base, "", tr, spec.NoCallIdle, false)
	if err != nil {
		return 0, 0, err
	}
	defer r.finish(time.Second)
	// The limit, then time for the relay to see the close.
	deadline := time.Now().Add(spec.NoCallIdle + 2*spec.RTT + 5*time.Second)
	time.Sleep(spec.NoCallIdle)
	for rl.open.Load() > 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	return int(rl.opened.Load() - before), int(rl.open.Load()), nil
}

// relay forwards TCP connections to an upstream address on loopback with
// a network's delays: one round trip before a new connection carries
// anything (the handshake), half a round trip for every byte each way.
type relay struct {
	ln     net.Listener
	target string
	rtt    time.Duration
	opened atomic.Int64
	open   atomic.Int64
	wg     sync.WaitGroup
}

func startRelay(target string, rtt time.Duration) (*relay, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("cannot listen: %w", err)
	}
	r := &relay{ln: ln, target: target, rtt: rtt}
	r.wg.Add(1)
	go r.serve()
	return r, nil
}

func (r *relay) addr() string { return r.ln.Addr().String() }

func (r *relay) close() {
	_ = r.ln.Close()
	r.wg.Wait()
}

func (r *relay) serve() {
	defer r.wg.Done()
	for {
		c, err := r.ln.Accept()
		if err != nil {
			return
		}
		r.opened.Add(1)
		r.open.Add(1)
		r.wg.Add(1)
		go r.forward(c)
	}
}

func (r *relay) forward(c net.Conn) {
	defer r.wg.Done()
	defer r.open.Add(-1)
	defer c.Close()
	time.Sleep(r.rtt) // SYN, SYN-ACK: one round trip before the first byte
	u, err := net.Dial("tcp", r.target)
	if err != nil {
		return
	}
	defer u.Close()
	done := make(chan struct{}, 2)
	go func() { delayedCopy(u, c, r.rtt/2); done <- struct{}{} }()
	go func() { delayedCopy(c, u, r.rtt/2); done <- struct{}{} }()
	<-done
	// One side ended: end the other, as a closed connection would.
	_ = c.Close()
	_ = u.Close()
	<-done
}

// delayedCopy copies src to dst, each read's bytes arriving delay after
// they were read, in order.
func delayedCopy(dst, src net.Conn, delay time.Duration) {
	type chunk struct {
		at time.Time
		b  []byte
	}
	ch := make(chan chunk, 4096)
	go func() {
		defer close(ch)
		buf := make([]byte, 32<<10)
		for {
			n, err := src.Read(buf)
			if n > 0 {
				ch <- chunk{time.Now().Add(delay), append([]byte(nil), buf[:n]...)}
			}
			if err != nil {
				return
			}
		}
	}()
	for c := range ch {
		time.Sleep(time.Until(c.at))
		if _, err := dst.Write(c.b); err != nil {
			break
		}
	}
	for range ch {
	}
	if tc, ok := dst.(*net.TCPConn); ok {
		_ = tc.CloseWrite()
	}
}

// firstCallFailures are the first-call results that must hold whatever
// the timings: both paths answered, the gateway reached the upstream over
// HTTP/2, and the run without a call opened one connection and left none
// open after its idle limit.
func firstCallFailures(f *firstCallResult) error {
	var errs []error
	if f.Error != "" {
		errs = append(errs, errors.New(f.Error))
	}
	if f.Error == "" && !f.HTTP2 {
		errs = append(errs, errors.New("the gateway did not reach the TLS upstream over HTTP/2"))
	}
	if f.NoCallOpened != 1 || f.NoCallOpen != 0 {
		errs = append(errs, fmt.Errorf("with no call the gateway opened %d connection(s) and left %d open after its idle limit; want 1 and 0", f.NoCallOpened, f.NoCallOpen))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("first call: %w", err)
	}
	return nil
}

// writeFirstCall prints the first-call table.
func writeFirstCall(w io.Writer, f *firstCallResult, spec firstCallSpec) {
	fmt.Fprintf(w, "\nfirst call over a network of %s RTT (TLS, HTTP/2 offered), agent boot %s, idle gap %s, %d round(s), medians, ms\n\n",
		spec.RTT, spec.Boot, spec.IdleGap, spec.Rounds)
	table(w, []string{"first call: TTFB direct", "through agentwrap", "total direct", "through agentwrap", "round trips saved", "HTTP/2",
		"after gap: direct", "through agentwrap", "no call: connections opened", "open after idle limit"},
		[]*firstCallResult{f}, func(f *firstCallResult) []string {
			return []string{fmt.Sprintf("%.1f", f.DirectFirstTTFB), fmt.Sprintf("%.1f", f.GatewayFirstTTFB),
				fmt.Sprintf("%.1f", f.DirectFirst), fmt.Sprintf("%.1f", f.GatewayFirst), fmt.Sprintf("%.2f", f.SavedRTTs),
				fmt.Sprint(f.HTTP2), fmt.Sprintf("%.1f", f.DirectAfterGap), fmt.Sprintf("%.1f", f.GatewayAfterGap),
				fmt.Sprint(f.NoCallOpened), fmt.Sprint(f.NoCallOpen)}
		})
}
