package gateway_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/agentwrap/agentwrap/gateway"
)

// connCounter counts the connections a test upstream accepted and closed.
type connCounter struct {
	mu             sync.Mutex
	opened, closed int
	protos         []int
}

func (c *connCounter) track(_ net.Conn, s http.ConnState) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch s {
	case http.StateNew:
		c.opened++
	case http.StateClosed, http.StateHijacked:
		c.closed++
	}
}

func (c *connCounter) counts() (opened, closed int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.opened, c.closed
}

// waitFor polls cond for up to 10 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func warmUpstream(t *testing.T, tls bool) (*httptest.Server, *connCounter) {
	cc := &connCounter{}
	up := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		cc.mu.Lock()
		cc.protos = append(cc.protos, r.ProtoMajor)
		cc.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"object":"list","data":[]}`)
	}))
	up.Config.ConnState = cc.track
	if tls {
		up.EnableHTTP2 = true
		up.StartTLS()
	} else {
		up.Start()
	}
	t.Cleanup(up.Close)
	return up, cc
}

func listModels(t *testing.T, base string) {
	t.Helper()
	resp, err := http.Get(base + "/v1/models")
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
}

// TestPrewarmFirstCallTakesTheOpenConnection: with Prewarm the gateway
// opens its TLS connection to the upstream before any call, negotiating
// HTTP/2, and the agent's first call goes over that same connection.
func TestPrewarmFirstCallTakesTheOpenConnection(t *testing.T) {
	up, cc := warmUpstream(t, true)
	pool := x509.NewCertPool()
	pool.AddCert(up.Certificate())
	tr := gateway.NewTransport()
	tr.TLSClientConfig = &tls.Config{RootCAs: pool}
	u, _ := url.Parse(up.URL)
	gw, err := gateway.New(gateway.Config{Upstream: u, Transport: tr, Prewarm: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer gw.Close(context.Background())
	waitFor(t, "the warm connection", func() bool { o, _ := cc.counts(); return o == 1 })
	listModels(t, gw.URL())
	listModels(t, gw.URL())
	if o, c := cc.counts(); o != 1 || c != 0 {
		t.Errorf("upstream saw %d connections opened, %d closed; want the one warm connection, still open", o, c)
	}
	cc.mu.Lock()
	defer cc.mu.Unlock()
	if len(cc.protos) != 2 || cc.protos[0] != 2 {
		t.Errorf("calls arrived over HTTP/%v, want HTTP/2 for both", cc.protos)
	}
}

// TestPrewarmClosedWhenNoCallCame: a connection no call took is closed at
// the idle limit, and calls after it open their own.
func TestPrewarmClosedWhenNoCallCame(t *testing.T) {
	up, cc := warmUpstream(t, false)
	u, _ := url.Parse(up.URL)
	gw, err := gateway.New(gateway.Config{Upstream: u, Prewarm: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer gw.Close(context.Background())
	waitFor(t, "the warm connection to be opened and closed", func() bool { o, c := cc.counts(); return o == 1 && c == 1 })
	listModels(t, gw.URL())
	if o, _ := cc.counts(); o != 2 {
		t.Errorf("upstream saw %d connections, want the closed warm one and the call's own", o)
	}
}

// TestPrewarmCloseLeavesNoConnection: closing the gateway before any call
// closes the warm connection too.
func TestPrewarmCloseLeavesNoConnection(t *testing.T) {
	up, cc := warmUpstream(t, false)
	u, _ := url.Parse(up.URL)
	gw, err := gateway.New(gateway.Config{Upstream: u, Prewarm: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the warm connection", func() bool { o, _ := cc.counts(); return o == 1 })
	if err := gw.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the warm connection to close", func() bool { _, c := cc.counts(); return c == 1 })
}

// TestPrewarmNotThroughAProxy: a transport that reaches the upstream
// through a proxy gets no direct connection opened behind the proxy's back.
func TestPrewarmNotThroughAProxy(t *testing.T) {
	up, cc := warmUpstream(t, false)
	proxied := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// A forward proxy: requests arrive with the absolute upstream URL.
		if !strings.HasPrefix(r.RequestURI, up.URL) {
			http.Error(w, "not a proxy request", http.StatusBadRequest)
			return
		}
		resp, err := http.Get(r.RequestURI)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		w.WriteHeader(resp.StatusCode)
		_, _ = io.Copy(w, resp.Body)
	}))
	defer proxied.Close()
	pu, _ := url.Parse(proxied.URL)
	tr := gateway.NewTransport()
	tr.Proxy = http.ProxyURL(pu)
	u, _ := url.Parse(up.URL)
	gw, err := gateway.New(gateway.Config{Upstream: u, Transport: tr, Prewarm: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	defer gw.Close(context.Background())
	listModels(t, gw.URL())
	// The one connection the upstream saw is the proxy's, made for the
	// call; a warm connection would have been a second one.
	if o, _ := cc.counts(); o != 1 {
		t.Errorf("upstream saw %d connections, want only the proxy's", o)
	}
}

// TestNoPrewarmNoConnectionBeforeTheFirstCall: without Prewarm nothing
// reaches the upstream until the agent calls.
func TestNoPrewarmNoConnectionBeforeTheFirstCall(t *testing.T) {
	up, cc := warmUpstream(t, false)
	u, _ := url.Parse(up.URL)
	gw, err := gateway.New(gateway.Config{Upstream: u})
	if err != nil {
		t.Fatal(err)
	}
	defer gw.Close(context.Background())
	listModels(t, gw.URL())
	if o, _ := cc.counts(); o != 1 {
		t.Errorf("upstream saw %d connections, want the call's one", o)
	}
}
