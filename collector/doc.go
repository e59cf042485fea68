// Package collector ships OpenTelemetry Collector configurations that filter
// sensitive attributes a second time, and the tests that load them.
package collector
