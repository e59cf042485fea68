package collector

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"text/template"

	"go.yaml.in/yaml/v3"
)

//go:embed templates/*.tmpl
var templates embed.FS

// extraKeys are the attribute keys the collector keeps besides the span
// schema. The redaction processor applies allowed_keys to resource, scope,
// span and span event attributes alike, so the resource attributes the
// agentwrap SDK sets must be listed or Jaeger and Tempo lose the service
// name. The redaction.* counts are what the processor itself adds with
// summary: info; listing them lets a second collector tier keep them.
var extraKeys = []string{
	"service.name",
	"service.namespace",
	"service.version",
	"service.instance.id",
	"deployment.environment.name",
	"telemetry.sdk.name",
	"telemetry.sdk.language",
	"telemetry.sdk.version",
	"redaction.redacted.count",
	"redaction.masked.count",
}

// ExtraKeys returns the attribute keys Config and GatewayConfig allow in
// addition to the keys they are given: the resource attributes of the
// agentwrap SDK (service.*, telemetry.sdk.*, deployment.environment.name)
// and the redaction processor's summary counts.
func ExtraKeys() []string {
	return slices.Clone(extraKeys)
}

// AllowedKeys returns the allowed_keys list of the generated configurations:
// schema in its order, then every key of ExtraKeys that schema lacks.
func AllowedKeys(schema []string) []string {
	out := dedupe(schema)
	for _, k := range extraKeys {
		if !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	return out
}

// Config returns the text of otelcol.yaml: an OpenTelemetry Collector
// configuration that receives OTLP, keeps only the attribute keys in allowed
// (normally spans.ExportedNames(): span and metric attributes under both
// convention versions) and ExtraKeys, masks values matching
// BlockedValues, batches, and exports to Jaeger and/or Tempo. Listeners and
// endpoints are environment variables with defaults, documented in the
// file's header; the listeners default to loopback.
func Config(allowed []string) []byte {
	return render("otelcol.yaml.tmpl", allowed, "127.0.0.1")
}

// GatewayConfig returns the text of otelcol-gateway.yaml: a gateway tier
// that load-balances spans by trace id to a tier of collectors running
// Config, listed in an environment variable. It does not filter: the tier
// does, once. Its listeners default to every interface, since developers'
// machines send to it.
func GatewayConfig() []byte {
	return render("otelcol-gateway.yaml.tmpl", nil, "0.0.0.0")
}

// Default ports of the OTLP receivers of both configurations: not the OTLP
// defaults 4317 and 4318, which Jaeger and Tempo listen on (README: "Ports").
const (
	GRPCPort = "14317"
	HTTPPort = "14318"
)

// view is the data the configuration templates see; every string in it is
// already a YAML scalar.
type view struct {
	Schema     []string
	Extra      []string
	Blocked    []Pattern
	GRPCListen string
	HTTPListen string
}

func render(name string, allowed []string, host string) []byte {
	t := template.Must(template.ParseFS(templates, "templates/*.tmpl"))
	schema := dedupe(allowed)
	v := view{GRPCListen: host + ":" + GRPCPort, HTTPListen: host + ":" + HTTPPort}
	for _, k := range schema {
		v.Schema = append(v.Schema, yamlScalar(k))
	}
	for _, k := range extraKeys {
		if !slices.Contains(schema, k) {
			v.Extra = append(v.Extra, yamlScalar(k))
		}
	}
	for _, p := range BlockedValues() {
		v.Blocked = append(v.Blocked, Pattern{Name: p.Name, Regexp: yamlScalar(p.Regexp)})
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, name, v); err != nil {
		// The templates are embedded and covered by tests; failing here is
		// a bug in this package, not an input error.
		panic(fmt.Sprintf("collector: cannot render %s: %v", name, err))
	}
	return buf.Bytes()
}

// yamlScalar returns s as a YAML scalar that fits on one line.
func yamlScalar(s string) string {
	out, err := yaml.Marshal(s)
	text := strings.TrimSuffix(string(out), "\n")
	if err != nil || strings.Contains(text, "\n") {
		quoted, _ := json.Marshal(s) // a JSON string is a YAML double-quoted scalar
		return string(quoted)
	}
	return text
}

// dedupe returns keys without empty strings and repeated keys, in order.
func dedupe(keys []string) []string {
	out := make([]string, 0, len(keys))
	for _, k := range keys {
		if k != "" && !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	return out
}
