package gateway

import (
	"context"
	"sync"
	"time"

	"github.com/agentwrap/agentwrap/call"
)

// callState follows one call through the proxy: the record being filled, the
// request body scanner, and the exactly-once finish that hands the record to
// the observer.
//
// It is the context of the request the reverse proxy forwards: its Value
// finds it for rewrite, modifyResponse and errorHandler, without a context
// of its own per call. It holds the call's helpers (scanner, body tees,
// masking writer and body, reply parser) in one allocation: none outlives
// the call state.
type callState struct {
	// Context is the agent's request's context.
	context.Context
	g *Gateway
	// body is &tee when the request has a body, else nil.
	body *teeRequestBody
	// headers are the request's header names, for the contract check.
	headers []string
	// rejected holds the problems for which enforcement stopped the body.
	rejected []string

	scan      keyScanner
	tee       teeRequestBody
	writer    maskingWriter
	masking   maskingBody
	reply     teeResponseBody
	parser    bodyParser
	headerBuf [16]string
	// outValues are the values of the key's and the Accept-Encoding
	// header of the upstream request in managed mode (see rewrite).
	outValues [2]string

	// fin holds finish's arguments for record: set once, before the call
	// is queued to the observer.
	fin struct {
		p              responseParser
		end            time.Time
		complete, gone bool
	}

	mu   sync.Mutex
	c    call.Call
	once sync.Once
	// rec is the completed record record hands to the observer: a copy
	// of c in the call state's own allocation rather than one of its own.
	rec call.Call
}

type stateKey struct{}

// Value returns the call state for stateKey, else the request context's
// value.
func (s *callState) Value(key any) any {
	if key == (stateKey{}) {
		return s
	}
	return s.Context.Value(key)
}

func stateFrom(ctx context.Context) *callState {
	st, _ := ctx.Value(stateKey{}).(*callState)
	return st
}

func (s *callState) firstByte(t time.Time) {
	s.mu.Lock()
	s.c.FirstChunk = t.Sub(s.c.Start)
	s.mu.Unlock()
}

// update runs f on the record under the lock.
func (s *callState) update(f func(c *call.Call)) {
	s.mu.Lock()
	f(&s.c)
	s.mu.Unlock()
}

// finish ends the call once: its record is queued to be completed and
// handed to the observer off the call's goroutine (see Gateway.observe), so
// that neither delays the bytes still on their way to the agent.
func (s *callState) finish(p responseParser, complete bool) {
	s.finishAs(p, complete, false)
}

// finishClosed finishes a call whose body the proxy closed before its end:
// every upstream read error already finished the call, so an early close
// means the copy to the agent stopped, that is, the agent went away (its
// request context may not be cancelled yet when the write fails first).
func (s *callState) finishClosed(p responseParser) {
	s.finishAs(p, false, true)
}

func (s *callState) finishAs(p responseParser, complete, agentGone bool) {
	s.once.Do(func() {
		end := time.Now()
		gone := !complete && (agentGone || s.Err() != nil)
		s.fin.p, s.fin.end, s.fin.complete, s.fin.gone = p, end, complete, gone
		// Parsing, the request scan and the contract check run with the
		// observer, after the last byte went to the agent.
		if !s.g.observe(s) && s.body != nil {
			// No record will be completed: drop the bytes kept for
			// the scan now.
			s.body.finishScan(false)
		}
	})
}

// record completes the call's record from finish's arguments: the parser
// (nil when there was no body to parse) fills the response fields, the
// scanner the request fields, then the contract check runs.
func (s *callState) record() *call.Call {
	p, end, complete, gone := s.fin.p, s.fin.end, s.fin.complete, s.fin.gone
	s.mu.Lock()
	s.rec = s.c
	s.mu.Unlock()
	c := &s.rec
	c.End = end
	if p != nil {
		// An agent that hangs up after the stream's terminal event
		// (Codex does) got the whole answer: parse as complete and let
		// the terminal event decide.
		p.finish(c, complete || gone)
	}
	if !complete && c.TransportError == "" {
		switch {
		case gone && c.Stream && c.StreamComplete:
		case gone:
			c.Cancelled = true
		case p != nil:
			c.TransportError = "response_interrupted"
		}
	}
	if s.body != nil {
		fillRequest(c, &s.scan, s.body.finishScan(true))
	}
	bodyRead := s.body == nil || s.body.eof.Load()
	if !bodyRead {
		// Never sent whole: what was not read is unknown, not missing.
		c.RequestJSONError = false
	}
	s.checkRequest(c, bodyRead)
	return c
}
