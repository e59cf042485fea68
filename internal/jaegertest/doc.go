// Package jaegertest runs a real Jaeger v2 in tests: it finds (or, under CI,
// builds) the binary that collector/build-jaeger.sh caches, starts it with
// the shipped collector/jaeger.yaml (in-memory storage) on free loopback
// ports, and reads traces back through Jaeger's HTTP query APIs: the v3 API,
// which answers in OTLP JSON, and the v1 API's tag search.
package jaegertest
