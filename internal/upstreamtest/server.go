package upstreamtest

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// Request is one request as it arrived at the server.
type Request struct {
	Method string
	// Path is the URL path, RawQuery the query string without "?".
	Path     string
	RawQuery string
	Header   http.Header
	Body     []byte
	// Family is the request family the route belongs to (Family...).
	Family string
}

// Server is a fake model gateway. Its zero value is not usable; build one
// with [New] or [Start]. A Server is an [http.Handler], so it can also be
// mounted on any test server.
type Server struct {
	cfg config

	mu       sync.Mutex
	requests []Request
	srv      *http.Server
	url      string
}

// New builds a server that does not listen yet; call [Server.Open] to
// listen on its address, or use it as an [http.Handler].
func New(opts ...Option) *Server {
	s := &Server{cfg: defaultConfig()}
	for _, o := range opts {
		o(&s.cfg)
	}
	return s
}

// Start builds a server, listens on 127.0.0.1:0 (or the [WithAddr]
// address) and closes it when the test ends.
func Start(tb testing.TB, opts ...Option) *Server {
	tb.Helper()
	s := New(opts...)
	if err := s.Open(); err != nil {
		tb.Fatalf("upstreamtest: %v", err)
	}
	tb.Cleanup(s.Close)
	return s
}

// Open listens on the server's address and serves in the background.
func (s *Server) Open() error {
	l, err := net.Listen("tcp", s.cfg.addr)
	if err != nil {
		return fmt.Errorf("cannot listen on %s: %w", s.cfg.addr, err)
	}
	srv := &http.Server{Handler: s}
	s.mu.Lock()
	s.srv = srv
	s.url = "http://" + l.Addr().String()
	s.mu.Unlock()
	go func() { _ = srv.Serve(l) }()
	return nil
}

// URL returns the base URL, such as http://127.0.0.1:PORT, without /v1. It
// is empty until the server listens.
func (s *Server) URL() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.url
}

// Close stops listening and drops open connections, streams included.
func (s *Server) Close() {
	s.mu.Lock()
	srv := s.srv
	s.mu.Unlock()
	if srv != nil {
		_ = srv.Close()
	}
}

// Requests returns a copy of the requests received so far, oldest first
// (at most the last 10000).
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Request, len(s.requests))
	for i, r := range s.requests {
		r.Header = r.Header.Clone()
		r.Body = append([]byte(nil), r.Body...)
		out[i] = r
	}
	return out
}

func (s *Server) record(r Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.requests) >= maxRecorded {
		s.requests = append(s.requests[:0], s.requests[1:]...)
	}
	s.requests = append(s.requests, r)
}

// ServeHTTP answers one request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, maxBody))
	rt := routeOf(r)
	s.record(Request{Method: r.Method, Path: r.URL.Path, RawQuery: r.URL.RawQuery,
		Header: r.Header.Clone(), Body: body, Family: rt.family})
	enc, algo := replyEncoding(r.Header)
	c := &call{cfg: &s.cfg, r: r, w: newReplyWriter(w, enc, algo),
		family: rt.family, shape: rt.shape, model: rt.model, stream: rt.stream,
		key: presentedKey(r, rt.shape), scenario: ScenarioOK}
	c.setRequestID()
	defer s.logCall(c)
	c.sleep(s.cfg.latency)
	c.serve(rt, body)
}

// serve checks the credential and the body, then answers with the
// scenario's reply.
func (c *call) serve(rt route, body []byte) {
	if rt.handler == nil {
		c.writeAPIError("", apiError{404, "invalid_request_error", "", "Invalid URL (" + c.r.Method + " " + c.r.URL.Path + ")", nil})
		return
	}
	if c.cfg.key != "" && c.key != c.cfg.key {
		c.writeError(ScenarioUnauthorized)
		return
	}
	if err := c.parse(body); err != nil {
		c.writeAPIError("", badRequest(c.shape, err.Error()))
		return
	}
	name, known := scenarioOf(c.r.Header, c.model)
	if !known {
		c.writeAPIError("", badRequest(c.shape, "unknown upstreamtest scenario "+strconv.Quote(name)))
		return
	}
	if c.cfg.catalog && c.model != "" && !strings.HasPrefix(c.model, scenarioPrefix) && !inCatalog(c.model) {
		name = ScenarioModelNotFound
	}
	c.scenario = name
	c.plan()
	if name == ScenarioSlowFirstByte {
		c.sleep(c.delay())
	}
	if isError(name) {
		c.writeError(name)
		return
	}
	rt.handler(c)
}

// setRequestID sets the family's request-id header.
func (c *call) setRequestID() {
	switch c.shape {
	case shapeOpenAI:
		c.requestID = newLowerID("req_")
		c.w.header().Set("X-Request-Id", c.requestID)
	case shapeAnthropic:
		c.requestID = newID("req_011C")
		c.w.header().Set("Request-Id", c.requestID)
	}
}

// logCall writes one line about c, also when the reply was cut short.
func (s *Server) logCall(c *call) {
	if s.cfg.log == nil {
		return
	}
	v := recover()
	status := strconv.Itoa(c.w.status)
	if v != nil {
		status += " (cut)"
	}
	fmt.Fprintf(s.cfg.log, "upstreamtest: %s %s family=%s scenario=%s stream=%t status=%s\n",
		c.r.Method, c.r.URL.Path, c.family, c.scenario, c.stream, status)
	if v != nil {
		panic(v)
	}
}

// presentedKey returns the credential a request presents in the headers
// its family uses.
func presentedKey(r *http.Request, sh shape) string {
	bearer, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	switch sh {
	case shapeAnthropic:
		return firstNonEmpty(r.Header.Get("X-Api-Key"), bearer)
	case shapeGoogle:
		return firstNonEmpty(r.Header.Get("X-Goog-Api-Key"), r.URL.Query().Get("key"))
	}
	return bearer
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}

func isTrue(v string) bool {
	b, err := strconv.ParseBool(v)
	return err == nil && b
}
