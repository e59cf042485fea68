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
)

// connLimiter is the gateway's listener: it caps the open connections at
// max. When a new connection would exceed the cap, one waiting for a
// request is closed to make room: an idle one before a new one (a new one
// is most likely an agent's about to send its call), among idle ones the
// one that carried the fewest calls (an agent reuses its connections, a
// flood opens many for one call each), then the one idle longest.
// Connections serving a call are never closed, and when all of them are,
// Accept waits for one to end. The first time the cap is reached,
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
		victim := l.oldestWaiting()
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

// oldestWaiting is the connection to close to make room (see
// connLimiter). Nil means every connection serves a call.
func (l *connLimiter) oldestWaiting() *limitedConn {
	var idle, fresh *limitedConn
	for c := range l.conns {
		switch c.state {
		case http.StateIdle:
			if idle == nil || c.calls < idle.calls || (c.calls == idle.calls && c.since.Before(idle.since)) {
				idle = c
			}
		case http.StateNew:
			if fresh == nil || c.since.Before(fresh.since) {
				fresh = c
			}
		}
	}
	if idle != nil {
		return idle
	}
	return fresh
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
