// Package collector ships OpenTelemetry Collector configurations that filter
// agentwrap spans a second time, behind agentwrap's own exporter-side guard,
// and the files to run them.
//
// Config and GatewayConfig generate the collector configurations from the
// span schema (spans.SchemaNames()): the redaction processor's allowed_keys
// is the schema plus ExtraKeys, and its blocked_values are BlockedValues,
// generated from agentwrap's credential table (redact.CredentialFormats).
// The checked-in otelcol.yaml and otelcol-gateway.yaml are their output; the
// package tests fail when they drift. Files serves them together with the
// OpenTelemetry Collector Builder manifest (builder.yaml), the Docker Compose
// stack for Jaeger, Tempo and Grafana, and build.sh, which builds the
// minimal otelcol-agentwrap distribution into a cache.
package collector

//go:generate go test -run TestShippedConfigsMatchSchema -update .
