// Package collectortest runs the otelcol-agentwrap collector distribution in
// tests: it finds (or, under CI, builds) the binary that collector/build.sh
// caches, starts it on loopback ports with a shipped configuration, and
// provides the backends it exports to: otlptest's OTLP/HTTP and OTLP/gRPC
// receivers, whose spans it hands out as pdata.
package collectortest
