// Package otlptest provides the one in-process OTLP trace receiver of
// agentwrap's tests and benchmarks: point an exporter (or the agentwrap
// binary, through OTEL_EXPORTER_OTLP_ENDPOINT) at Receiver.URL, or a
// collector's OTLP/gRPC exporter at Receiver.Addr, and inspect the spans it
// received, flattened into plain Go values or as pdata, and the raw request
// bodies, for proving that a canary secret was never sent. The collector
// tests use it through internal/collectortest; the benchmark harness uses a
// counting receiver (WithCountOnly) as its sink.
//
// The receiver can also misbehave on demand (SetMode): fail every request,
// answer 503 (gRPC Unavailable) the way an overloaded collector does, or
// hang until the client gives up, so tests can show that a broken collector
// never breaks the wrapped command. RefusedURL and Blackhole are the
// collectors that never answer at all.
//
// Flatten is exported separately so that tests reading a local run file
// can inspect its spans the same way.
package otlptest
