package collector_test

import (
	"encoding/json"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/agentwrap/agentwrap/collector"
	"github.com/agentwrap/agentwrap/spans"
)

type dashboard struct {
	UID    string  `json:"uid"`
	Title  string  `json:"title"`
	Panels []panel `json:"panels"`
}

type panel struct {
	ID         int    `json:"id"`
	Type       string `json:"type"`
	Title      string `json:"title"`
	Datasource struct {
		UID string `json:"uid"`
	} `json:"datasource"`
	Targets []struct {
		Datasource struct {
			Type string `json:"type"`
			UID  string `json:"uid"`
		} `json:"datasource"`
		QueryType string `json:"queryType"`
		Query     string `json:"query"`
		TableType string `json:"tableType"`
	} `json:"targets"`
}

func readDashboard(t *testing.T) dashboard {
	t.Helper()
	b, err := fs.ReadFile(collector.Files(), collector.DashboardFile)
	if err != nil {
		t.Fatal(err)
	}
	var d dashboard
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatalf("%s is not valid JSON: %v", collector.DashboardFile, err)
	}
	return d
}

// queries returns every TraceQL query of the dashboard with its panel.
func queries(d dashboard) map[string]string {
	out := map[string]string{}
	for _, p := range d.Panels {
		for _, q := range p.Targets {
			out[q.Query] = p.Title
		}
	}
	return out
}

var (
	// attrRef is a TraceQL attribute reference with its scope.
	attrRef = regexp.MustCompile(`\b(span|resource)\.([a-z_][a-z0-9_.]*[a-z0-9_])`)
	// comparison is a comparison of an attribute with a string literal.
	comparison = regexp.MustCompile(`span\.([a-z0-9_.]+)\s*(?:=|!=)\s*"([^"]*)"`)
)

// TestDashboardQueriesUseEmittedNames: every attribute a query names is a
// span-schema key (spans.SchemaNames) or, for resource attributes, one the
// collector keeps (ExtraKeys); every value compared with is one agentwrap
// sets.
func TestDashboardQueriesUseEmittedNames(t *testing.T) {
	d := readDashboard(t)
	schema := spans.SchemaNames()
	values := map[string][]string{
		string(spans.ResultClass):  {spans.ResultPass, spans.ResultFail, spans.ResultNeedsFollowUp},
		string(spans.FailureClass): {spans.FailureNone, spans.FailureContractMismatch, spans.FailureAuthRejected, spans.FailureUnexpectedResponse, spans.FailureOperatorFollowUp},
		// The run span's operation (wrap, startRun; checked against a real
		// run in cmd/agentwrap's Jaeger test).
		string(spans.GenAIOperationName): {"invoke_agent"},
	}
	qs := queries(d)
	if len(qs) < 10 {
		t.Fatalf("%d queries, want at least 10", len(qs))
	}
	for q, title := range qs {
		refs := attrRef.FindAllStringSubmatch(q, -1)
		if len(refs) == 0 {
			t.Errorf("panel %q: query %q names no attribute", title, q)
		}
		for _, m := range refs {
			scope, key := m[1], m[2]
			if scope == "span" && !slices.Contains(schema, key) || scope == "resource" && !slices.Contains(collector.ExtraKeys(), key) {
				t.Errorf("panel %q: %s.%s is not an attribute agentwrap emits", title, scope, key)
			}
		}
		for _, m := range comparison.FindAllStringSubmatch(q, -1) {
			known, ok := values[m[1]]
			if !ok || !slices.Contains(known, m[2]) {
				t.Errorf("panel %q compares %s with %q, not a value agentwrap sets", title, m[1], m[2])
			}
		}
		if strings.Count(q, "{") != strings.Count(q, "}") || strings.Count(q, "(") != strings.Count(q, ")") {
			t.Errorf("panel %q: unbalanced query %q", title, q)
		}
	}
}

// TestDashboardCoversTheRunView: the panels the dashboard promises
// (README: "Viewing runs") exist, on provisioned data sources.
func TestDashboardCoversTheRunView(t *testing.T) {
	d := readDashboard(t)
	if d.UID == "" || d.Title == "" {
		t.Error("dashboard has no uid or title")
	}
	var ds struct {
		Datasources []struct {
			Type string `json:"type" yaml:"type"`
			UID  string `json:"uid" yaml:"uid"`
		} `yaml:"datasources"`
	}
	readYAML(t, collector.DatasourcesFile, &ds)
	uids := map[string]string{}
	for _, s := range ds.Datasources {
		uids[s.UID] = s.Type
	}
	ids := map[int]bool{}
	for _, p := range d.Panels {
		if ids[p.ID] {
			t.Errorf("panel id %d repeated", p.ID)
		}
		ids[p.ID] = true
		for _, q := range p.Targets {
			if typ, ok := uids[q.Datasource.UID]; !ok || typ != q.Datasource.Type || q.QueryType != "traceql" {
				t.Errorf("panel %q queries data source %+v (%s), not a provisioned Tempo with TraceQL", p.Title, q.Datasource, q.QueryType)
			}
		}
	}
	qs := strings.Join(slices.Collect(func(yield func(string) bool) {
		for q := range queries(d) {
			if !yield(q) {
				return
			}
		}
	}), "\n")
	for what, re := range map[string]string{
		"calls per model":      `rate\(\) by \(span\.gen_ai\.request\.model\)`,
		"calls per agent":      `sum_over_time\(span\.agentwrap\.calls\) by \(span\.gen_ai\.agent\.name\)`,
		"tokens per model":     `sum_over_time\(span\.gen_ai\.usage\.(input|output)_tokens\) by \(span\.gen_ai\.request\.model\)`,
		"tokens per agent":     `sum_over_time\(span\.gen_ai\.usage\.(input|output)_tokens\) by \(span\.user_agent\.original\)`,
		"latency percentiles":  `quantile_over_time\(duration, [.0-9, ]+\)`,
		"failures by class":    `"fail"\} \| count_over_time\(\) by \(span\.agentwrap\.failure_class\)`,
		"follow-ups":           `"needs_follow_up"\}`,
		"time to first chunk":  `quantile_over_time\(span\.gen_ai\.response\.time_to_first_chunk`,
		"runs needing a look":  `invoke_agent" && span\.agentwrap\.result_class != "pass"\}$`,
		"failed calls (table)": `^\{span\.agentwrap\.result_class = "fail"\} \| select\(`,
	} {
		if !regexp.MustCompile(`(?m)` + re).MatchString(qs) {
			t.Errorf("no panel shows %s (/%s/)", what, re)
		}
	}
	tables := 0
	for _, p := range d.Panels {
		if p.Type == "table" && len(p.Targets) == 1 && p.Targets[0].TableType != "" {
			tables++ // a TraceQL search table: its trace ids open the trace
		}
	}
	if tables < 2 {
		t.Errorf("%d trace tables, want the runs and the failed calls", tables)
	}
}

// TestGrafanaProvisionsTheDashboard: compose mounts the dashboard where the
// provider looks and as the home dashboard, and the provisioning files.
func TestGrafanaProvisionsTheDashboard(t *testing.T) {
	var c composeFile
	readYAML(t, collector.ComposeFile, &c)
	g := c.Services["grafana"]
	mounts := map[string]string{}
	for _, v := range g.Volumes {
		parts := strings.Split(v, ":")
		if len(parts) < 2 {
			t.Fatalf("grafana volume %q", v)
		}
		mounts[strings.TrimPrefix(parts[0], "./")] = parts[1]
	}
	var prov struct {
		Providers []struct {
			Type    string `yaml:"type"`
			Options struct {
				Path string `yaml:"path"`
			} `yaml:"options"`
		} `yaml:"providers"`
	}
	readYAML(t, collector.DashboardsFile, &prov)
	if len(prov.Providers) != 1 || prov.Providers[0].Type != "file" {
		t.Fatalf("dashboard providers %+v, want one file provider", prov.Providers)
	}
	target := mounts[collector.DashboardFile]
	if path.Dir(target) != prov.Providers[0].Options.Path {
		t.Errorf("compose mounts %s at %q, the provider reads %q", collector.DashboardFile, target, prov.Providers[0].Options.Path)
	}
	if home := g.Environment["GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH"]; home != target {
		t.Errorf("home dashboard %q, want the mounted %q", home, target)
	}
	for file, dir := range map[string]string{
		collector.DatasourcesFile: "/etc/grafana/provisioning/datasources/",
		collector.DashboardsFile:  "/etc/grafana/provisioning/dashboards/",
	} {
		if !strings.HasPrefix(mounts[file], dir) || !strings.HasSuffix(mounts[file], ".yaml") {
			t.Errorf("compose mounts %s at %q, want a .yaml file in %s", file, mounts[file], dir)
		}
	}
}

// TestTempoGeneratesTraceQLMetrics: tempo.yaml runs the local-blocks
// processor on every span kind, which the dashboard's TraceQL metrics need.
func TestTempoGeneratesTraceQLMetrics(t *testing.T) {
	var tempo struct {
		MetricsGenerator struct {
			Processor struct {
				LocalBlocks struct {
					FilterServerSpans *bool `yaml:"filter_server_spans"`
				} `yaml:"local_blocks"`
			} `yaml:"processor"`
			TracesStorage struct {
				Path string `yaml:"path"`
			} `yaml:"traces_storage"`
		} `yaml:"metrics_generator"`
		Overrides struct {
			Defaults struct {
				MetricsGenerator struct {
					Processors []string `yaml:"processors"`
				} `yaml:"metrics_generator"`
			} `yaml:"defaults"`
		} `yaml:"overrides"`
	}
	readYAML(t, collector.TempoFile, &tempo)
	g := tempo.MetricsGenerator
	if !slices.Contains(tempo.Overrides.Defaults.MetricsGenerator.Processors, "local-blocks") {
		t.Error("tempo.yaml does not enable the local-blocks processor")
	}
	if f := g.Processor.LocalBlocks.FilterServerSpans; f == nil || *f {
		t.Error("local_blocks keeps only SERVER spans; agentwrap's are CLIENT and INTERNAL")
	}
	if !strings.HasPrefix(g.TracesStorage.Path, "/var/tempo/") {
		t.Errorf("traces_storage.path %q is not on the tempo-data volume", g.TracesStorage.Path)
	}
}
