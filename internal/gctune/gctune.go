// Package gctune sets agentwrap's garbage-collector policy. agentwrap's
// live heap is small (a few MB: the gateway streams bodies and keeps only
// per-call summaries), while each call allocates tens of KB; with Go's
// default GOGC=100 and its 4 MB minimum heap goal, a collection runs every
// few hundred calls, and at loopback speeds the collector costs a large
// share of a call's CPU. A higher GOGC collects a quarter as often; the
// soft memory limit keeps the peak bounded all the same, since the
// collector runs sooner as the process nears it (PERFORMANCE.md, "Garbage
// collection").
package gctune

import (
	"runtime/debug"
	"strings"
)

// Defaults applied by Apply when the environment sets neither.
const (
	// Percent is the GOGC value: the heap may grow to five times the live
	// heap before a collection.
	Percent = 400
	// MemoryLimit is the soft limit (GOMEMLIMIT) on the Go runtime's
	// memory, in bytes: below the 64 MB the memory benchmarks hold a
	// gateway to.
	MemoryLimit = 48 << 20
)

// Apply sets Percent and MemoryLimit, each unless the user chose its own
// through GOGC or GOMEMLIMIT (read with getenv), which the runtime has
// applied already. It changes only this process: the agent's environment
// is not touched.
func Apply(getenv func(string) string) {
	if strings.TrimSpace(getenv("GOGC")) == "" {
		debug.SetGCPercent(Percent)
	}
	if strings.TrimSpace(getenv("GOMEMLIMIT")) == "" {
		debug.SetMemoryLimit(MemoryLimit)
	}
}
