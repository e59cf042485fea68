// Package gateway is agentwrap's loopback model gateway: a reverse proxy on
// 127.0.0.1 that recognises each model call's request family, swaps the
// per-run token for the real credential, passes streams through byte for
// byte while parsing a tee of them, and hands one sanitized Call record per
// model call to its observer.
//
// Each reply is read by a response parser chosen by family, status,
// media type and Content-Encoding: an event-stream parser following the
// WHATWG rules, or a bounded JSON body buffer, feeding a zero-allocation
// JSON walker that picks out ids, models, finish reasons, token usage and
// error type/code and skips all text. Parsers never block the stream and
// hold a bounded amount of memory whatever the reply's length; what they
// cannot read is marked ResponseUnparsed rather than guessed.
package gateway
