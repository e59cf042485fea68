package collector_test

import (
	"bytes"
	"flag"
	"fmt"
	"io/fs"
	"net"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/agentwrap/agentwrap/collector"
	"github.com/agentwrap/agentwrap/spans"
)

var update = flag.Bool("update", false, "rewrite otelcol.yaml and otelcol-gateway.yaml from the span schema")

// shipped maps each checked-in configuration to what generates it from the
// span schema.
var shipped = map[string]func() []byte{
	collector.ConfigFile:        func() []byte { return collector.Config(spans.ExportedNames()) },
	collector.GatewayConfigFile: collector.GatewayConfig,
}

func TestShippedConfigsMatchSchema(t *testing.T) {
	for name, gen := range shipped {
		want := gen()
		if *update {
			if err := os.WriteFile(name, want, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from the config generated from spans.Schema; run go generate ./collector", name)
		}
		embedded, err := fs.ReadFile(collector.Files(), name)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(embedded, got) {
			t.Errorf("Files() serves a %s that differs from the checked-in file", name)
		}
	}
}

// otelConfig is the part of a collector configuration the tests inspect.
type otelConfig struct {
	Receivers  map[string]yaml.Node `yaml:"receivers"`
	Processors struct {
		Redaction redactionConfig      `yaml:"redaction"`
		Others    map[string]yaml.Node `yaml:",inline"`
	} `yaml:"processors"`
	Exporters map[string]yaml.Node `yaml:"exporters"`
	Service   struct {
		Pipelines map[string]struct {
			Receivers  []string `yaml:"receivers"`
			Processors []string `yaml:"processors"`
			Exporters  envList  `yaml:"exporters"`
		} `yaml:"pipelines"`
	} `yaml:"service"`
}

// envList is a YAML list, or a ${env:NAME:-default} reference whose default
// is a YAML list (the collector parses the value of an environment variable
// as YAML). Env is NAME, or "" for a plain list.
type envList struct {
	Env  string
	List []string
}

func (l *envList) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.SequenceNode {
		return n.Decode(&l.List)
	}
	name, def, ok := envDefault(n.Value)
	if !ok {
		return fmt.Errorf("%q is neither a list nor ${env:NAME:-[list]}", n.Value)
	}
	l.Env = name
	return yaml.Unmarshal([]byte(def), &l.List)
}

// envDefault splits ${env:NAME:-default} into NAME and default.
func envDefault(s string) (name, def string, ok bool) {
	m := regexp.MustCompile(`^\$\{env:([A-Za-z_][A-Za-z0-9_]*):-(.*)\}$`).FindStringSubmatch(s)
	if m == nil {
		return "", "", false
	}
	return m[1], m[2], true
}

type redactionConfig struct {
	AllowAllKeys   bool     `yaml:"allow_all_keys"`
	AllowedKeys    []string `yaml:"allowed_keys"`
	IgnoredKeys    []string `yaml:"ignored_keys"`
	BlockedValues  []string `yaml:"blocked_values"`
	RedactAllTypes bool     `yaml:"redact_all_types"`
	Summary        string   `yaml:"summary"`
}

func parseConfig(t *testing.T, text []byte) otelConfig {
	t.Helper()
	var c otelConfig
	if err := yaml.Unmarshal(text, &c); err != nil {
		t.Fatalf("config is not valid YAML: %v\n%s", err, text)
	}
	return c
}

func TestConfigRedactsWithTheSchema(t *testing.T) {
	want := append(spans.ExportedNames(), collector.ExtraKeys()...)
	var patterns []string
	for _, p := range collector.BlockedValues() {
		patterns = append(patterns, p.Regexp)
	}
	c := parseConfig(t, collector.Config(spans.ExportedNames()))
	r := c.Processors.Redaction
	if r.AllowAllKeys || len(r.IgnoredKeys) > 0 {
		t.Errorf("redaction lets keys bypass the allowlist: allow_all_keys=%v ignored_keys=%v", r.AllowAllKeys, r.IgnoredKeys)
	}
	if !slices.Equal(r.AllowedKeys, want) {
		t.Errorf("allowed_keys = %v\nwant spans.ExportedNames() + ExtraKeys() = %v", r.AllowedKeys, want)
	}
	if !slices.Equal(r.BlockedValues, patterns) {
		t.Errorf("blocked_values = %q, want %q", r.BlockedValues, patterns)
	}
	if r.Summary != "info" || !r.RedactAllTypes {
		t.Errorf("summary = %q, redact_all_types = %v; want info, true", r.Summary, r.RedactAllTypes)
	}
	checkPipeline(t, c)
	if !slices.Contains(c.Service.Pipelines["traces"].Processors, "redaction") {
		t.Errorf("traces pipeline processors %v lack redaction", c.Service.Pipelines["traces"].Processors)
	}
}

// TestGatewayOnlyRoutes: redaction happens once, at the tier behind the
// gateway (otelcol.yaml), never at the gateway too.
func TestGatewayOnlyRoutes(t *testing.T) {
	c := parseConfig(t, collector.GatewayConfig())
	checkPipeline(t, c)
	p := c.Service.Pipelines["traces"]
	if !slices.Equal(p.Processors, []string{"memory_limiter"}) || !slices.Equal(p.Exporters.List, []string{"load_balancing"}) {
		t.Errorf("gateway pipeline processors %v exporters %v, want [memory_limiter] [load_balancing]", p.Processors, p.Exporters.List)
	}
	if len(c.Processors.Redaction.AllowedKeys) > 0 {
		t.Error("the gateway configures a redaction processor")
	}
}

// checkPipeline asserts the traces pipeline is the only one, that every
// component it names is configured, and that nothing is exported without
// passing the redaction processor.
func checkPipeline(t *testing.T, c otelConfig) {
	t.Helper()
	if len(c.Service.Pipelines) != 1 {
		t.Fatalf("pipelines = %v, want only traces", c.Service.Pipelines)
	}
	p, ok := c.Service.Pipelines["traces"]
	if !ok {
		t.Fatal("no traces pipeline")
	}
	for _, r := range p.Receivers {
		if _, ok := c.Receivers[r]; !ok {
			t.Errorf("pipeline receiver %q is not configured", r)
		}
	}
	for _, name := range p.Processors {
		if _, ok := c.Processors.Others[name]; !ok && name != "redaction" {
			t.Errorf("pipeline processor %q is not configured", name)
		}
	}
	if len(p.Exporters.List) == 0 {
		t.Error("the traces pipeline exports nowhere")
	}
	for _, e := range p.Exporters.List {
		if _, ok := c.Exporters[e]; !ok {
			t.Errorf("pipeline exporter %q is not configured", e)
		}
	}
	if p.Exporters.Env == "" && len(p.Exporters.List) != len(c.Exporters) {
		t.Errorf("configured exporters %d, used %d: remove the unused ones", len(c.Exporters), len(p.Exporters.List))
	}
}

// TestConfigExportsToJaegerAndTempo: the backends are chosen with
// OTELCOL_EXPORTERS, Jaeger alone by default (the path without Docker).
func TestConfigExportsToJaegerAndTempo(t *testing.T) {
	c := parseConfig(t, collector.Config(spans.ExportedNames()))
	got := c.Service.Pipelines["traces"].Exporters
	if got.Env != "OTELCOL_EXPORTERS" || !slices.Equal(got.List, []string{"otlp_http/jaeger"}) {
		t.Errorf("exporters = %+v, want ${env:OTELCOL_EXPORTERS:-[otlp_http/jaeger]}", got)
	}
	if _, ok := c.Exporters["otlp_grpc/tempo"]; !ok || len(c.Exporters) != 2 {
		t.Errorf("exporters configured: %v, want otlp_http/jaeger and otlp_grpc/tempo", c.Exporters)
	}
	procs := c.Service.Pipelines["traces"].Processors
	if slices.Index(procs, "redaction") > slices.Index(procs, "batch") {
		t.Errorf("processors %v batch before redaction", procs)
	}
}

func TestGatewayLoadBalancesByTraceID(t *testing.T) {
	var c struct {
		Exporters struct {
			LB struct {
				RoutingKey string         `yaml:"routing_key"`
				Resolver   map[string]any `yaml:"resolver"`
			} `yaml:"load_balancing"`
		} `yaml:"exporters"`
	}
	if err := yaml.Unmarshal(collector.GatewayConfig(), &c); err != nil {
		t.Fatal(err)
	}
	if c.Exporters.LB.RoutingKey != "traceID" {
		t.Errorf("routing_key = %q, want traceID", c.Exporters.LB.RoutingKey)
	}
	var static struct {
		Resolver struct {
			Static struct {
				Hostnames envList `yaml:"hostnames"`
			} `yaml:"static"`
		} `yaml:"resolver"`
	}
	b, _ := yaml.Marshal(map[string]any{"resolver": c.Exporters.LB.Resolver})
	if err := yaml.Unmarshal(b, &static); err != nil {
		t.Fatal(err)
	}
	h := static.Resolver.Static.Hostnames
	if len(c.Exporters.LB.Resolver) != 1 || h.Env != "COLLECTOR_TIER" || len(h.List) < 2 {
		t.Errorf("resolver %v: want only a static list taken from COLLECTOR_TIER, with two collectors by default", c.Exporters.LB.Resolver)
	}
	for _, host := range h.List {
		if _, port, err := net.SplitHostPort(host); err != nil || port != collector.GRPCPort {
			t.Errorf("default tier collector %q: want host:%s, the OTLP/gRPC port of otelcol.yaml", host, collector.GRPCPort)
		}
	}
}

// TestListenersDoNotCollide: the receivers default to ports that neither
// Jaeger's nor Tempo's defaults take, and otelcol.yaml to loopback.
func TestListenersDoNotCollide(t *testing.T) {
	taken := map[string]string{"4317": "OTLP/gRPC", "4318": "OTLP/HTTP", "8888": "collector and Jaeger metrics",
		"16685": "Jaeger query gRPC", "16686": "Jaeger UI", "3200": "Tempo HTTP", "9095": "Tempo gRPC", "13133": "health check"}
	for name, gen := range shipped {
		text := string(gen())
		listeners := regexp.MustCompile(`\$\{env:[A-Z_]+_LISTEN:-\S+:(\d+)\}|\$\{env:OTELCOL_METRICS_PORT:-(\d+)\}`).FindAllStringSubmatch(text, -1)
		if len(listeners) != 3 {
			t.Errorf("%s: found %d listener defaults, want 3", name, len(listeners))
		}
		for _, m := range listeners {
			port := m[1] + m[2]
			if what, ok := taken[port]; ok {
				t.Errorf("%s listens on port %s by default, the default port of %s", name, port, what)
			}
		}
		for _, key := range []string{"OTLP_GRPC_LISTEN", "OTLP_HTTP_LISTEN", "OTELCOL_METRICS_PORT"} {
			if !strings.Contains(text, "${env:"+key+":-") {
				t.Errorf("%s does not read %s", name, key)
			}
		}
	}
	if c := string(collector.Config(spans.ExportedNames())); strings.Contains(c, "0.0.0.0") {
		t.Error("otelcol.yaml listens beyond loopback by default")
	}
}

func TestConfigQuotesAnyKey(t *testing.T) {
	keys := []string{"plain.key", "a: b", "# not a comment", "'quoted'", "line\nbreak", "[x]", "-dash", "*star", "yes", "tab\tkey", "plain.key", ""}
	c := parseConfig(t, collector.Config(keys))
	want := collector.AllowedKeys(keys)
	if !slices.Equal(c.Processors.Redaction.AllowedKeys, want) {
		t.Errorf("allowed_keys = %q, want %q", c.Processors.Redaction.AllowedKeys, want)
	}
	if slices.Contains(want, "") || strings.Count(strings.Join(want, "|"), "plain.key") != 1 {
		t.Errorf("AllowedKeys(%q) = %q keeps empty or repeated keys", keys, want)
	}
}

func TestConfigWithNoKeysFailsClosed(t *testing.T) {
	c := parseConfig(t, collector.Config(nil))
	if got := c.Processors.Redaction.AllowedKeys; !slices.Equal(got, collector.ExtraKeys()) {
		t.Errorf("allowed_keys = %v, want only ExtraKeys", got)
	}
	if c.Processors.Redaction.AllowAllKeys {
		t.Error("an empty schema allows all keys")
	}
}

func TestExtraKeysAreNotInTheSchema(t *testing.T) {
	schema := spans.ExportedNames()
	for _, k := range collector.ExtraKeys() {
		if slices.Contains(schema, k) {
			t.Errorf("extra key %q is also a span schema key", k)
		}
	}
}
