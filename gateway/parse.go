package gateway

import (
	"io"

	"github.com/agentwrap/agentwrap/call"
)

// responseParser reads a tee of one upstream response body as it passes to
// the agent. Write must never block, never fail and never retain more than a
// bounded amount of memory: the stream it observes must not be delayed or
// buffered on its account.
type responseParser interface {
	io.Writer
	// finish fills the response fields of c once the body ended. complete is
	// false when the body was cut short (read error or client gone).
	finish(c *call.Call, complete bool)
}
