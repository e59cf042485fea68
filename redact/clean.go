package redact

import (
	"strings"
	"sync"
)

// cleanCache remembers short strings a Scanner found clean, so that each
// distinct value is scanned once rather than once per call: most of the
// strings a call's record and span hold (family, operation, provider,
// path, model, server address, user agent) repeat from call to call.
// Scrub is a pure function of the string and the scanner's known values,
// so an entry is valid exactly as long as the known values it was scanned
// with: the cache is emptied when they change (Scanner.Add in passthrough
// runs).
type cleanCache struct {
	mu sync.Mutex
	// known is the scanner's list of known values the entries were
	// scanned with (the pointer Scanner.known held).
	known *[]string
	m     map[string]struct{}
}

const (
	// maxCleanLen bounds the strings cached: long values are rare and
	// mostly unique (notes).
	maxCleanLen = 256
	// maxCleanEntries bounds the cache (at most 256 KiB of strings); when
	// full it starts over. Unique values (response IDs) pass through it.
	maxCleanEntries = 1024
)

// scrub scrubs s with sc's patterns and known values, answering from c
// when s was found clean before with the same known values. c is sc's.
func (c *cleanCache) scrub(sc *Scanner, s string) (string, bool) {
	known := sc.known.Load()
	if len(s) > maxCleanLen {
		return sc.scrubWith(s, derefKnown(known))
	}
	c.mu.Lock()
	if c.known != known {
		clear(c.m)
		c.known = known
	}
	_, clean := c.m[s]
	c.mu.Unlock()
	if clean {
		return s, false
	}
	out, hit := sc.scrubWith(s, derefKnown(known))
	if hit {
		return out, true
	}
	c.mu.Lock()
	if c.known == known {
		if c.m == nil || len(c.m) >= maxCleanEntries {
			c.m = make(map[string]struct{}, 64)
		}
		// A copy: s may be a slice of a larger string the cache must
		// not keep alive.
		c.m[strings.Clone(s)] = struct{}{}
	}
	c.mu.Unlock()
	return s, false
}

// derefKnown is the list p points to, or nil.
func derefKnown(p *[]string) []string {
	if p == nil {
		return nil
	}
	return *p
}
