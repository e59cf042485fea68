package gateway

import (
	"time"

	"github.com/agentwrap/agentwrap/call"
)

// ParseCall runs the gateway's half of one call's observation without the
// network: the request body through the key scanner, the reply pieces
// through the family's parser, and the contract check, as ServeHTTP and
// the body tees do. chk may be nil.
func ParseCall(family call.Family, path string, chk Checker, headers []string, reqBody []byte, status int, ct string, pieces [][]byte) *call.Call {
	c := call.Call{Family: family, Method: "POST", Path: path, Start: time.Now(),
		RequestMaxTokens: -1, Usage: call.NoUsage(), StatusCode: status, ContentType: ct}
	scan := newKeyScanner(wantRequestKey)
	_, _ = scan.Write(reqBody)
	p := newResponseParser(family, status, ct, "")
	for i, piece := range pieces {
		if i == 0 {
			c.FirstChunk = time.Since(c.Start)
		}
		_, _ = p.Write(piece)
	}
	c.End = time.Now()
	p.finish(&c, true)
	fillRequest(&c, scan, int64(len(reqBody)))
	if chk != nil {
		c.Contract = chk.CheckRequest(&c, headers, true)
		chk.CheckResponse(&c, &c.Contract)
	}
	return &c
}

// OpenConns is how many connections the gateway holds open.
func OpenConns(g *Gateway) int {
	l := g.ln.(*connLimiter)
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.conns)
}
