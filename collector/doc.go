// Package collector ships OpenTelemetry Collector configurations that filter
// agentwrap spans a second time, behind agentwrap's own exporter-side guard,
// and the files to run and view them.
//
// Config generates otelcol.yaml from the attribute schema
// (spans.ExportedNames(): the span schema under both convention versions and
// the metric attributes): the redaction processor's allowed_keys is the
// schema plus ExtraKeys, and its blocked_values are BlockedValues. GatewayConfig generates
// otelcol-gateway.yaml, the team tier's router, which load-balances by trace
// id to collectors running otelcol.yaml and filters nothing itself. The
// checked-in files are their output; the package tests fail when they
// drift. Files serves them together with the OpenTelemetry Collector
// Builder manifest (builder.yaml) and build.sh, which builds the minimal
// otelcol-agentwrap distribution into a cache; Jaeger's configuration
// (jaeger.yaml) and build-jaeger.sh, which builds Jaeger v2 from the Go
// module proxy; and the Docker Compose stack with Tempo's configuration and
// Grafana's provisioning and dashboard (README: "Viewing runs in Jaeger or
// Grafana Tempo").
package collector

//go:generate go test -run TestShippedConfigsMatchSchema -update .
