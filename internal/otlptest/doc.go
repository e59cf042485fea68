// Package otlptest provides an in-process OTLP/HTTP trace receiver for
// tests: point an exporter (or the agentwrap binary, through
// OTEL_EXPORTER_OTLP_ENDPOINT) at Receiver.URL and inspect the spans it
// received, flattened into plain Go values, and the raw request bodies, for
// proving that a canary secret was never sent.
//
// The receiver can also misbehave on demand (SetMode): fail every request,
// answer 503 the way an overloaded collector does, or hang until the client
// gives up, so tests can show that a broken collector never breaks the
// wrapped command.
//
// Flatten is exported separately so that tests reading a local run file
// can inspect its spans the same way.
package otlptest
