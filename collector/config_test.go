package collector_test

import (
	"bytes"
	"flag"
	"io/fs"
	"os"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/agentwrap/agentwrap/collector"
	"github.com/agentwrap/agentwrap/spans"
)

var update = flag.Bool("update", false, "rewrite otelcol.yaml and otelcol-gateway.yaml from the span schema")

// shipped maps each checked-in configuration to the generator that must
// produce it from the span schema.
var shipped = map[string]func([]string) []byte{
	collector.ConfigFile:        collector.Config,
	collector.GatewayConfigFile: collector.GatewayConfig,
}

func TestShippedConfigsMatchSchema(t *testing.T) {
	for name, gen := range shipped {
		want := gen(spans.SchemaNames())
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
			Exporters  []string `yaml:"exporters"`
		} `yaml:"pipelines"`
	} `yaml:"service"`
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

func TestConfigsRedactWithTheSchema(t *testing.T) {
	want := append(spans.SchemaNames(), collector.ExtraKeys()...)
	var patterns []string
	for _, p := range collector.BlockedValues() {
		patterns = append(patterns, p.Regexp)
	}
	for name, gen := range shipped {
		t.Run(name, func(t *testing.T) {
			c := parseConfig(t, gen(spans.SchemaNames()))
			r := c.Processors.Redaction
			if r.AllowAllKeys || len(r.IgnoredKeys) > 0 {
				t.Errorf("redaction lets keys bypass the allowlist: allow_all_keys=%v ignored_keys=%v", r.AllowAllKeys, r.IgnoredKeys)
			}
			if !slices.Equal(r.AllowedKeys, want) {
				t.Errorf("allowed_keys = %v\nwant spans.SchemaNames() + ExtraKeys() = %v", r.AllowedKeys, want)
			}
			if !slices.Equal(r.BlockedValues, patterns) {
				t.Errorf("blocked_values = %q, want %q", r.BlockedValues, patterns)
			}
			if r.Summary != "info" || !r.RedactAllTypes {
				t.Errorf("summary = %q, redact_all_types = %v; want info, true", r.Summary, r.RedactAllTypes)
			}
			checkPipeline(t, c)
		})
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
	if !slices.Contains(p.Processors, "redaction") {
		t.Errorf("traces pipeline processors %v lack redaction", p.Processors)
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
	for _, e := range p.Exporters {
		if _, ok := c.Exporters[e]; !ok {
			t.Errorf("pipeline exporter %q is not configured", e)
		}
	}
	if len(p.Exporters) != len(c.Exporters) {
		t.Errorf("configured exporters %d, used %d: remove the unused ones", len(c.Exporters), len(p.Exporters))
	}
}

func TestConfigExportsToJaegerAndTempo(t *testing.T) {
	c := parseConfig(t, collector.Config(spans.SchemaNames()))
	got := c.Service.Pipelines["traces"].Exporters
	want := []string{"otlp_http/jaeger", "otlp_grpc/tempo"}
	if !slices.Equal(got, want) {
		t.Errorf("exporters = %v, want %v", got, want)
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
				RoutingKey string `yaml:"routing_key"`
				Resolver   struct {
					DNS struct {
						Hostname string `yaml:"hostname"`
					} `yaml:"dns"`
				} `yaml:"resolver"`
			} `yaml:"load_balancing"`
		} `yaml:"exporters"`
	}
	if err := yaml.Unmarshal(collector.GatewayConfig(spans.SchemaNames()), &c); err != nil {
		t.Fatal(err)
	}
	if c.Exporters.LB.RoutingKey != "traceID" {
		t.Errorf("routing_key = %q, want traceID", c.Exporters.LB.RoutingKey)
	}
	if !strings.Contains(c.Exporters.LB.Resolver.DNS.Hostname, "COLLECTOR_TIER_HOST") {
		t.Errorf("dns hostname %q is not taken from COLLECTOR_TIER_HOST", c.Exporters.LB.Resolver.DNS.Hostname)
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
	schema := spans.SchemaNames()
	for _, k := range collector.ExtraKeys() {
		if slices.Contains(schema, k) {
			t.Errorf("extra key %q is also a span schema key", k)
		}
	}
}
