// Package gateway is agentwrap's loopback model gateway: a reverse proxy on
// 127.0.0.1 that recognises each model call's request family, swaps the
// per-run token for the real credential, passes streams through byte for
// byte while parsing a tee of them, and hands one sanitized Call record per
// model call to its observer.
package gateway
