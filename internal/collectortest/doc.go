// Package collectortest runs the otelcol-agentwrap collector distribution in
// tests: it finds (or, under CI, builds) the binary that collector/build.sh
// caches, starts it on loopback ports with a shipped configuration, and
// provides in-process OTLP/HTTP and OTLP/gRPC receivers that record what the
// collector exports, decoded and as raw bytes.
package collectortest
