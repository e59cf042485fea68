package gateway

import (
	"context"
	"crypto/tls"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"
)

// warmer opens one connection to the upstream while the agent boots, so
// that the agent's first model call does not pay for DNS, TCP and TLS (the
// gateway knows the upstream before the agent makes a call; an agent that
// connects straight to the upstream pays those round trips on its first
// call). The transport takes that connection for the first dial to the
// upstream's address; a connection nobody took within the idle limit is
// closed, so an agent that makes no call leaves no connection open.
type warmer struct {
	addr string
	// done is closed when the dial ended, with conn or err set.
	done chan struct{}

	mu    sync.Mutex
	conn  net.Conn
	spent bool // taken, expired or closed: never hand out a connection again
	timer *time.Timer
}

// dialFunc dials a network address, as http.Transport's hooks do.
type dialFunc func(ctx context.Context, network, addr string) (net.Conn, error)

// startWarmer arranges for t to take a connection to u opened now, and
// closes that connection when no dial took it within idle. It changes t's
// DialContext (plain http) or DialTLSContext (https), keeping what they
// did for every other dial. It returns nil, and leaves t alone, when t
// sends requests for u through a proxy: the connection to open would then
// be the proxy's.
func startWarmer(t *http.Transport, u *url.URL, idle time.Duration) *warmer {
	if t.Proxy != nil {
		if p, err := t.Proxy(&http.Request{URL: u}); err != nil || p != nil {
			return nil
		}
	}
	w := &warmer{addr: net.JoinHostPort(u.Hostname(), strconv.Itoa(upstreamPort(u))), done: make(chan struct{})}
	plain := t.DialContext
	if plain == nil {
		var d net.Dialer
		plain = d.DialContext
	}
	var open dialFunc
	if u.Scheme == "https" {
		base := t.DialTLSContext
		if base == nil {
			base = tlsDial(t, plain)
		}
		t.DialTLSContext = w.wrap(base)
		open = base
	} else {
		t.DialContext = w.wrap(plain)
		open = plain
	}
	w.mu.Lock()
	w.timer = time.AfterFunc(idle, w.close)
	w.mu.Unlock()
	go w.open(open, idle)
	return w
}

// tlsDial is what http.Transport does for an https dial without a
// DialTLSContext: dial, then a TLS handshake with the transport's TLS
// configuration, offering HTTP/2 when the transport attempts it. The
// configuration is copied now: the transport itself changes its
// TLSClientConfig when its first request sets HTTP/2 up, which may happen
// while a dial is under way.
func tlsDial(t *http.Transport, plain dialFunc) dialFunc {
	base := &tls.Config{}
	if t.TLSClientConfig != nil {
		base = t.TLSClientConfig.Clone()
	}
	if len(base.NextProtos) == 0 && t.ForceAttemptHTTP2 {
		base.NextProtos = []string{"h2", "http/1.1"}
	}
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		raw, err := plain(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		cfg := base.Clone()
		if cfg.ServerName == "" {
			host, _, _ := net.SplitHostPort(addr)
			cfg.ServerName = host
		}
		c := tls.Client(raw, cfg)
		if err := c.HandshakeContext(ctx); err != nil {
			raw.Close()
			return nil, err
		}
		return c, nil
	}
}

// open dials the upstream, bounded by the idle limit.
func (w *warmer) open(dial dialFunc, idle time.Duration) {
	ctx, cancel := context.WithTimeout(context.Background(), idle)
	defer cancel()
	c, err := dial(ctx, "tcp", w.addr)
	w.mu.Lock()
	if err == nil && w.spent {
		c.Close()
	} else if err == nil {
		w.conn = c
	}
	w.mu.Unlock()
	close(w.done)
}

// wrap makes dial hand out the warm connection for the first dial to the
// upstream's address: it waits for the warm dial when that is still under
// way (it started earlier, so it ends sooner than a new one would).
func (w *warmer) wrap(dial dialFunc) dialFunc {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		if c := w.take(ctx, addr); c != nil {
			return c, nil
		}
		return dial(ctx, network, addr)
	}
}

func (w *warmer) take(ctx context.Context, addr string) net.Conn {
	if addr != w.addr {
		return nil
	}
	w.mu.Lock()
	spent := w.spent
	w.mu.Unlock()
	if spent {
		return nil
	}
	select {
	case <-w.done:
	case <-ctx.Done():
		return nil
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.spent || w.conn == nil {
		return nil
	}
	c := w.conn
	w.conn, w.spent = nil, true
	w.timer.Stop()
	return c
}

// close closes the warm connection unless a dial took it, and hands out
// no connection afterwards.
func (w *warmer) close() {
	if w == nil {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.spent = true
	w.timer.Stop()
	if w.conn != nil {
		w.conn.Close()
		w.conn = nil
	}
}
