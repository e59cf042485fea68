package collector_test

import (
	"io/fs"
	"net"
	"net/url"
	"os"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/agentwrap/agentwrap/collector"
	"github.com/agentwrap/agentwrap/spans"
)

func readYAML(t *testing.T, name string, v any) {
	t.Helper()
	b, err := fs.ReadFile(collector.Files(), name)
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(b, v); err != nil {
		t.Fatalf("%s is not valid YAML: %v", name, err)
	}
}

type composeFile struct {
	Services map[string]struct {
		Image       string            `yaml:"image"`
		Command     []string          `yaml:"command"`
		Volumes     []string          `yaml:"volumes"`
		Environment map[string]string `yaml:"environment"`
		Ports       []string          `yaml:"ports"`
		DependsOn   yaml.Node         `yaml:"depends_on"`
	} `yaml:"services"`
	Volumes map[string]any `yaml:"volumes"`
}

// dependencies returns the service names of a depends_on node, in either
// the list or the map form.
func dependencies(t *testing.T, n yaml.Node) []string {
	t.Helper()
	var list []string
	if n.Kind == yaml.SequenceNode {
		if err := n.Decode(&list); err != nil {
			t.Fatal(err)
		}
		return list
	}
	var m map[string]any
	if err := n.Decode(&m); err != nil {
		t.Fatal(err)
	}
	for k := range m {
		list = append(list, k)
	}
	return list
}

func TestComposeReferencesExistingFilesAndServices(t *testing.T) {
	var c composeFile
	readYAML(t, collector.ComposeFile, &c)
	for _, want := range []string{"otelcol", "jaeger", "tempo", "grafana"} {
		if _, ok := c.Services[want]; !ok {
			t.Errorf("compose.yaml has no %s service", want)
		}
	}
	for name, s := range c.Services {
		if s.Image == "" || !strings.Contains(s.Image, ":") || strings.HasSuffix(s.Image, ":latest") {
			t.Errorf("service %s: image %q is not pinned to a version", name, s.Image)
		}
		for _, v := range s.Volumes {
			src := strings.SplitN(v, ":", 2)[0]
			if strings.HasPrefix(src, "./") {
				if _, err := fs.Stat(collector.Files(), strings.TrimPrefix(src, "./")); err != nil {
					t.Errorf("service %s mounts %s, which is not shipped: %v", name, src, err)
				}
			} else if _, ok := c.Volumes[src]; !ok {
				t.Errorf("service %s mounts volume %q, which is not declared", name, src)
			}
		}
		for _, d := range dependencies(t, s.DependsOn) {
			if _, ok := c.Services[d]; !ok {
				t.Errorf("service %s depends on unknown service %s", name, d)
			}
		}
		for _, p := range s.Ports {
			if !strings.HasPrefix(p, "127.0.0.1:") {
				t.Errorf("service %s publishes %s beyond loopback", name, p)
			}
		}
	}
}

func TestComposeCollectorMatchesItsConfig(t *testing.T) {
	var c composeFile
	readYAML(t, collector.ComposeFile, &c)
	otelcol := c.Services["otelcol"]
	var builder struct {
		Dist struct {
			Version string `yaml:"version"`
		} `yaml:"dist"`
	}
	readYAML(t, collector.BuilderFile, &builder)
	if want := "otel/opentelemetry-collector-contrib:" + builder.Dist.Version; otelcol.Image != want {
		t.Errorf("collector image %q, want %q (the builder.yaml version)", otelcol.Image, want)
	}
	if !slices.Contains(otelcol.Volumes, "./otelcol.yaml:/etc/agentwrap/otelcol.yaml:ro") ||
		!slices.Contains(otelcol.Command, "--config=/etc/agentwrap/otelcol.yaml") {
		t.Errorf("collector does not run the shipped otelcol.yaml: volumes %v, command %v", otelcol.Volumes, otelcol.Command)
	}
	config := string(collector.Config(spans.ExportedNames()))
	for k := range otelcol.Environment {
		if !strings.Contains(config, "${env:"+k+":-") {
			t.Errorf("compose sets %s, which otelcol.yaml does not read", k)
		}
	}
	checkPublished(t, "otelcol", otelcol.Ports, otelcol.Environment, "OTLP_GRPC_LISTEN", "OTLP_HTTP_LISTEN")
	for _, k := range []string{"OTLP_GRPC_LISTEN", "OTLP_HTTP_LISTEN"} {
		if _, port, _ := net.SplitHostPort(otelcol.Environment[k]); port != map[string]string{"OTLP_GRPC_LISTEN": collector.GRPCPort, "OTLP_HTTP_LISTEN": collector.HTTPPort}[k] {
			t.Errorf("compose %s=%s: want the port otelcol.yaml uses without Docker", k, otelcol.Environment[k])
		}
	}
	var exporters []string
	if err := yaml.Unmarshal([]byte(otelcol.Environment["OTELCOL_EXPORTERS"]), &exporters); err != nil ||
		!slices.Equal(exporters, []string{"otlp_http/jaeger", "otlp_grpc/tempo"}) {
		t.Errorf("compose OTELCOL_EXPORTERS=%q, want both backends (%v)", otelcol.Environment["OTELCOL_EXPORTERS"], err)
	}
	jaeger := c.Services["jaeger"]
	tempoGRPC, tempoHTTP := tempoPorts(t)
	checkEndpoint(t, c, otelcol.Environment["JAEGER_OTLP_ENDPOINT"], "jaeger", listenPort(t, jaeger.Environment, "JAEGER_OTLP_HTTP_LISTEN"))
	checkEndpoint(t, c, "grpc://"+otelcol.Environment["TEMPO_OTLP_ENDPOINT"], "tempo", tempoGRPC)
	var ds struct {
		Datasources []struct {
			Type string `yaml:"type"`
			UID  string `yaml:"uid"`
			URL  string `yaml:"url"`
		} `yaml:"datasources"`
	}
	readYAML(t, collector.DatasourcesFile, &ds)
	urls := map[string]string{}
	for _, d := range ds.Datasources {
		urls[d.Type] = d.URL
	}
	if len(ds.Datasources) != 2 || urls["tempo"] == "" || urls["jaeger"] == "" {
		t.Fatalf("datasources = %+v, want tempo and jaeger", ds.Datasources)
	}
	checkEndpoint(t, c, urls["tempo"], "tempo", tempoHTTP)
	checkEndpoint(t, c, urls["jaeger"], "jaeger", listenPort(t, jaeger.Environment, "JAEGER_QUERY_HTTP_LISTEN"))
}

// TestComposeJaegerRunsTheShippedConfig: the Compose Jaeger runs jaeger.yaml
// with listeners on the same ports as without Docker (only the host
// differs), and publishes its UI on loopback.
func TestComposeJaegerRunsTheShippedConfig(t *testing.T) {
	var c composeFile
	readYAML(t, collector.ComposeFile, &c)
	j := c.Services["jaeger"]
	if !strings.HasPrefix(j.Image, "jaegertracing/jaeger:2.") {
		t.Errorf("jaeger image %q, want jaegertracing/jaeger:2.x (Jaeger v2, the binary build-jaeger.sh builds)", j.Image)
	}
	if !slices.Contains(j.Volumes, "./jaeger.yaml:/etc/agentwrap/jaeger.yaml:ro") || !slices.Contains(j.Command, "--config=/etc/agentwrap/jaeger.yaml") {
		t.Errorf("jaeger does not run the shipped jaeger.yaml: volumes %v, command %v", j.Volumes, j.Command)
	}
	b, err := fs.ReadFile(collector.Files(), collector.JaegerFile)
	if err != nil {
		t.Fatal(err)
	}
	config := string(b)
	defaults := map[string]string{}
	for _, m := range regexp.MustCompile(`\$\{env:(JAEGER_[A-Z_]+_LISTEN):-([^}]+)\}`).FindAllStringSubmatch(config, -1) {
		defaults[m[1]] = m[2]
	}
	if len(defaults) != 4 {
		t.Errorf("jaeger.yaml has listeners %v, want 4", defaults)
	}
	for k, def := range defaults {
		host, port, err := net.SplitHostPort(def)
		if err != nil || host != "127.0.0.1" {
			t.Errorf("jaeger.yaml %s defaults to %q, want a loopback address", k, def)
		}
		if _, p, _ := net.SplitHostPort(j.Environment[k]); p != port {
			t.Errorf("compose %s=%q, want port %s as without Docker", k, j.Environment[k], port)
		}
		for _, taken := range []string{"4317", "4318", "16685", "16686", collector.GRPCPort, collector.HTTPPort} {
			if port == taken {
				t.Errorf("jaeger.yaml %s defaults to port %s, which Jaeger's defaults or otelcol.yaml take", k, port)
			}
		}
	}
	for k := range j.Environment {
		if _, ok := defaults[k]; !ok {
			t.Errorf("compose sets %s, which jaeger.yaml does not read", k)
		}
	}
	checkPublished(t, "jaeger", j.Ports, j.Environment, "JAEGER_QUERY_HTTP_LISTEN")
	for _, bad := range []string{"0.0.0.0", ":8888", "enable_tracing: true"} {
		if strings.Contains(config, bad) {
			t.Errorf("jaeger.yaml contains %q", bad)
		}
	}
}

// listenPort returns the port of the host:port env[key].
func listenPort(t *testing.T, env map[string]string, key string) string {
	t.Helper()
	_, port, err := net.SplitHostPort(env[key])
	if err != nil {
		t.Fatalf("%s=%q: %v", key, env[key], err)
	}
	return port
}

// checkPublished asserts the service publishes exactly the container ports
// of the listeners keys, each on the same host port of 127.0.0.1.
func checkPublished(t *testing.T, service string, ports []string, env map[string]string, keys ...string) {
	t.Helper()
	var want []string
	for _, k := range keys {
		p := listenPort(t, env, k)
		want = append(want, "127.0.0.1:"+p+":"+p)
	}
	if !slices.Equal(ports, want) {
		t.Errorf("%s publishes %v, want %v", service, ports, want)
	}
}

// checkEndpoint asserts raw is a URL to the compose service at port.
func checkEndpoint(t *testing.T, c composeFile, raw, service, port string) {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatalf("endpoint %q: %v", raw, err)
	}
	if _, ok := c.Services[u.Hostname()]; !ok || u.Hostname() != service || u.Port() != port {
		t.Errorf("endpoint %q, want service %s port %s", raw, service, port)
	}
}

// tempoPorts returns the OTLP/gRPC and the HTTP (query) ports tempo.yaml
// listens on.
func tempoPorts(t *testing.T) (grpcPort, httpPort string) {
	t.Helper()
	var tempo struct {
		Server struct {
			HTTPListenPort int `yaml:"http_listen_port"`
		} `yaml:"server"`
		Distributor struct {
			Receivers struct {
				OTLP struct {
					Protocols struct {
						GRPC struct {
							Endpoint string `yaml:"endpoint"`
						} `yaml:"grpc"`
					} `yaml:"protocols"`
				} `yaml:"otlp"`
			} `yaml:"receivers"`
		} `yaml:"distributor"`
	}
	readYAML(t, collector.TempoFile, &tempo)
	_, grpcPort, err := net.SplitHostPort(tempo.Distributor.Receivers.OTLP.Protocols.GRPC.Endpoint)
	if err != nil {
		t.Fatalf("tempo.yaml OTLP gRPC endpoint: %v", err)
	}
	if tempo.Server.HTTPListenPort == 0 {
		t.Fatal("tempo.yaml sets no http_listen_port")
	}
	return grpcPort, strconv.Itoa(tempo.Server.HTTPListenPort)
}

// componentModules maps each component type the configurations use to the
// Go module that provides it.
var componentModules = map[string]string{
	"otlp":           "go.opentelemetry.io/collector/receiver/otlpreceiver",
	"memory_limiter": "go.opentelemetry.io/collector/processor/memorylimiterprocessor",
	"batch":          "go.opentelemetry.io/collector/processor/batchprocessor",
	"redaction":      "github.com/open-telemetry/opentelemetry-collector-contrib/processor/redactionprocessor",
	"otlp_grpc":      "go.opentelemetry.io/collector/exporter/otlpexporter",
	"otlp_http":      "go.opentelemetry.io/collector/exporter/otlphttpexporter",
	"load_balancing": "github.com/open-telemetry/opentelemetry-collector-contrib/exporter/loadbalancingexporter",
}

// usedComponents returns the component types named in the pipelines of
// both shipped configurations, by kind.
func usedComponents(t *testing.T) map[string][]string {
	t.Helper()
	used := map[string][]string{}
	add := func(kind string, ids []string) {
		for _, id := range ids {
			typ := strings.SplitN(id, "/", 2)[0]
			if !slices.Contains(used[kind], typ) {
				used[kind] = append(used[kind], typ)
			}
		}
	}
	for _, gen := range shipped {
		c := parseConfig(t, gen())
		for _, p := range c.Service.Pipelines {
			add("receivers", p.Receivers)
			add("processors", p.Processors)
		}
		// Every configured exporter: OTELCOL_EXPORTERS may select any.
		for id := range c.Exporters {
			add("exporters", []string{id})
		}
	}
	return used
}

func TestBuilderHasExactlyTheUsedComponents(t *testing.T) {
	type module struct {
		GoMod string `yaml:"gomod"`
	}
	var b struct {
		Receivers  []module `yaml:"receivers"`
		Processors []module `yaml:"processors"`
		Exporters  []module `yaml:"exporters"`
		Extensions []module `yaml:"extensions"`
		Connectors []module `yaml:"connectors"`
	}
	readYAML(t, collector.BuilderFile, &b)
	manifest := map[string][]module{
		"receivers": b.Receivers, "processors": b.Processors, "exporters": b.Exporters,
		"extensions": b.Extensions, "connectors": b.Connectors,
	}
	version := regexp.MustCompile(`^v0\.160\.0$`)
	for kind, types := range usedComponents(t) {
		var want, got []string
		for _, typ := range types {
			mod, ok := componentModules[typ]
			if !ok {
				t.Fatalf("no module known for %s %q", kind, typ)
			}
			want = append(want, mod)
		}
		for _, m := range manifest[kind] {
			path, v, _ := strings.Cut(m.GoMod, " ")
			got = append(got, path)
			if !version.MatchString(v) {
				t.Errorf("%s is pinned to %q, want v0.160.0", path, v)
			}
		}
		sort.Strings(want)
		sort.Strings(got)
		if !slices.Equal(got, want) {
			t.Errorf("builder.yaml %s = %v, want exactly %v", kind, got, want)
		}
	}
	for _, kind := range []string{"extensions", "connectors"} {
		if len(manifest[kind]) > 0 {
			t.Errorf("builder.yaml has %s the configurations do not use: %v", kind, manifest[kind])
		}
	}
}

// TestREADMEPortsMatchTheConfigs: every address of the README's port table
// and every endpoint its viewing commands use is a default of a shipped
// file, so the README cannot drift from what runs.
func TestREADMEPortsMatchTheConfigs(t *testing.T) {
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	start := strings.Index(readme, "### Ports")
	end := strings.Index(readme, "### What the collector filters")
	if start < 0 || end < start {
		t.Fatal("README has no Ports section before the collector's filtering section")
	}
	section := readme[start:end]
	var shippedText strings.Builder
	for _, name := range []string{collector.ConfigFile, collector.JaegerFile, collector.ComposeFile} {
		f, err := fs.ReadFile(collector.Files(), name)
		if err != nil {
			t.Fatal(err)
		}
		shippedText.Write(f)
	}
	addrs := regexp.MustCompile(`127\.0\.0\.1:(\d+)`).FindAllStringSubmatch(section, -1)
	if len(addrs) < 8 {
		t.Fatalf("the viewing section names %d loopback addresses, want the port table's", len(addrs))
	}
	text := shippedText.String()
	for _, a := range addrs {
		// host:port, or the port of OTELCOL_METRICS_PORT.
		if !strings.Contains(text, a[0]) && !strings.Contains(text, "PORT:-"+a[1]+"}") {
			t.Errorf("README names %s, which no shipped file sets", a[0])
		}
	}
	if !strings.Contains(section, "OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:"+collector.HTTPPort+" agentwrap") {
		t.Errorf("README's viewing commands do not send to the collector's OTLP/HTTP port %s", collector.HTTPPort)
	}
}
