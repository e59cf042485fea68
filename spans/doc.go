// Package spans turns gateway call records into OpenTelemetry spans: the
// attribute schema as documented constants, classification of each call
// (pass, fail, needs_follow_up), the run span, and the tracer provider with
// its OTLP/HTTP exporter and local run file.
package spans
