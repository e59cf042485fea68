// Package call holds what one model call through the gateway produces and
// what the code knows about each request family.
//
// A Call is the sanitized record of one call: metadata only, never a body,
// prompt, response text or credential. The gateway fills it; spans turns it
// into a span; contract checks it; the report reads it back. Keeping these
// types below all of them lets the report renderer and the manifest linter
// name a call without linking the reverse proxy.
//
// The registry (Specs, Lookup) is one table with one entry per request
// family: its routes, credential style, error shape, gen_ai operation and
// provider names and smoke request. Code that needs to know something about
// a family looks it up there instead of switching over families. See
// ARCHITECTURE.md, "Add a request family".
package call
