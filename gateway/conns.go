package gateway

import (
	"net"
	"net/http"
	"sync"
	"time"
)

// Connection bounds of the gateway's server (README, "Hostile input and
// load"). A local process can open connections to the loopback port as
// fast as it likes; without bounds each one holds a file descriptor and
// about 20 KB until the process runs out of either.
const (
	// DefaultMaxConns is the default cap on the gateway's open
	// connections: an agent uses a few dozen at most, the bench harness
	// drives 256 concurrent calls, and the rest is room for their idle
	// keep-alive connections.
	DefaultMaxConns = 512
	// idleTimeout closes a kept-alive connection that has been silent this
	// long. It is longer than the idle timeouts of the agents' HTTP
	// clients (Node's 4 s to 5 s, Go's 90 s), so that the client, not the
	// gateway, normally closes an idle connection and never sends a call
	// on one the gateway is closing.
	idleTimeout = 2 * time.Minute
	// readHeaderTimeout closes a connection that does not send a complete
	// request head within it.
	readHeaderTimeout = 30 * time.Second
	// evictGrace is how long a connection is safe from being closed to
	// make room after it became idle or was opened.
	evictGrace = 100 * time.Millisecond
)

// connLimiter is the gateway's listener: it caps the open connections at
// max. When a new connection would exceed the cap, one waiting for a
// request is closed to make room: first an idle one that carried one call
// (a flood opens many connections for one call each), then a new one that
// sent no call, then an idle one that carried more (an agent reuses its
// connections); the oldest first within each. A connection that became
// idle or new less than evictGrace ago is not closed (its client may be
// sending a call on it right now), and connections serving a call never
// are: Accept waits until one can be closed or ends. The first time the cap is reached,
// warn is called, once per listener.
type connLimiter struct {
	net.Listener
	max  int
	warn func()

	mu     sync.Mutex
	cond   *sync.Cond
	conns  map[*limitedConn]struct{}
	closed bool
	warned bool
}

func newConnLimiter(ln net.Listener, max int, warn func()) *connLimiter {
	l := &connLimiter{Listener: ln, max: max, warn: warn, conns: make(map[*limitedConn]struct{})}
	l.cond = sync.NewCond(&l.mu)
	return l
}

// limitedConn is one accepted connection and what the server last said
// about it.
type limitedConn struct {
	net.Conn
	l     *connLimiter
	state http.ConnState
	since time.Time
	// calls is how many requests the connection has carried.
	calls int
	once  sync.Once
}

// Close closes the connection and frees its place.
func (c *limitedConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(func() { c.l.remove(c) })
	return err
}

func (l *connLimiter) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	lc := &limitedConn{Conn: c, l: l, state: http.StateNew, since: time.Now()}
	l.mu.Lock()
	for len(l.conns) >= l.max {
		if l.closed {
			l.mu.Unlock()
			_ = c.Close()
			return nil, net.ErrClosed
		}
		if !l.warned && l.warn != nil {
			l.warned = true
			l.mu.Unlock()
			l.warn()
			l.mu.Lock()
			continue
		}
		victim, wait := l.victim(time.Now())
		if victim == nil && wait > 0 {
			l.mu.Unlock()
			time.Sleep(min(wait, 20*time.Millisecond))
			l.mu.Lock()
			continue
		}
		if victim == nil {
			l.cond.Wait()
			continue
		}
		// Closing outside the lock would let the server's ConnState
		// callback for the victim race with the map; the conn is taken out
		// here and closed after unlocking.
		delete(l.conns, victim)
		victim.once.Do(func() {})
		l.mu.Unlock()
		_ = victim.Conn.Close()
		l.mu.Lock()
	}
	l.conns[lc] = struct{}{}
	l.mu.Unlock()
	return lc, nil
}

// victim is the connection to close to make room (see connLimiter), or,
// when every connection waiting for a request changed state less than
// evictGrace ago, how long until one did. Nil and zero means every
// connection serves a call.
func (l *connLimiter) victim(now time.Time) (*limitedConn, time.Duration) {
	var best *limitedConn
	bestTier := 3
	var wait time.Duration
	for c := range l.conns {
		tier := 0
		switch {
		case c.state == http.StateIdle && c.calls <= 1:
			tier = 0
		case c.state == http.StateNew:
			tier = 1
		case c.state == http.StateIdle:
			tier = 2
		default:
			continue
		}
		if left := c.since.Add(evictGrace).Sub(now); left > 0 {
			if wait == 0 || left < wait {
				wait = left
			}
			continue
		}
		if best == nil || tier < bestTier ||
			(tier == bestTier && (c.calls < best.calls || (c.calls == best.calls && c.since.Before(best.since)))) {
			best, bestTier = c, tier
		}
	}
	if best != nil {
		return best, 0
	}
	return nil, wait
}

func (l *connLimiter) remove(c *limitedConn) {
	l.mu.Lock()
	delete(l.conns, c)
	l.cond.Signal()
	l.mu.Unlock()
}

// connState is the server's ConnState hook: it records each connection's
// state, and frees the place of one the server closed.
func (l *connLimiter) connState(c net.Conn, s http.ConnState) {
	lc, ok := c.(*limitedConn)
	if !ok {
		return
	}
	if s == http.StateClosed {
		lc.once.Do(func() { l.remove(lc) })
		return
	}
	l.mu.Lock()
	lc.state, lc.since = s, time.Now()
	if s == http.StateActive {
		lc.calls++
	}
	l.mu.Unlock()
}

// Close stops accepting and wakes an Accept waiting for a free place.
func (l *connLimiter) Close() error {
	err := l.Listener.Close()
	l.mu.Lock()
	l.closed = true
	l.cond.Broadcast()
	l.mu.Unlock()
	return err
}
