package gateway

import (
	"net"
	"net/http"
	"testing"
	"time"
)

// TestConnLimiterVictimOrder: to make room the limiter closes an idle
// connection that carried one call, then a new one, then an idle one that
// carried more, the oldest first, never one serving a call or one that
// changed state within evictGrace.
func TestConnLimiterVictimOrder(t *testing.T) {
	now := time.Now()
	old := now.Add(-time.Minute)
	l := newConnLimiter(nil, 8, nil)
	add := func(state http.ConnState, calls int, since time.Time) *limitedConn {
		c := &limitedConn{l: l, state: state, calls: calls, since: since}
		l.conns[c] = struct{}{}
		return c
	}
	add(http.StateActive, 1, old.Add(-time.Hour))
	recent := add(http.StateIdle, 1, now.Add(-evictGrace/2))
	agent := add(http.StateIdle, 5, old.Add(-time.Hour))
	fresh := add(http.StateNew, 0, old)
	oneCallNewer := add(http.StateIdle, 1, old)
	oneCallOlder := add(http.StateIdle, 1, old.Add(-time.Second))
	for _, want := range []*limitedConn{oneCallOlder, oneCallNewer, fresh, agent} {
		got, _ := l.victim(now)
		if got != want {
			t.Fatalf("victim %+v, want %+v", got, want)
		}
		delete(l.conns, got)
	}
	got, wait := l.victim(now)
	if got != nil || wait <= 0 || wait > evictGrace/2 {
		t.Fatalf("victim %v after %v, want none until %v", got, wait, recent.since.Add(evictGrace).Sub(now))
	}
	delete(l.conns, recent)
	if got, wait := l.victim(now); got != nil || wait != 0 {
		t.Fatalf("victim %v after %v with only an active connection left", got, wait)
	}
	var _ net.Conn = (*limitedConn)(nil)
}
