package collector

import (
	"embed"
	"io/fs"
)

// Names of the files Files serves, as they are laid out in the collector
// directory of the repository (compose.yaml refers to them by these names).
const (
	ConfigFile        = "otelcol.yaml"
	GatewayConfigFile = "otelcol-gateway.yaml"
	BuilderFile       = "builder.yaml"
	ComposeFile       = "compose.yaml"
	TempoFile         = "tempo.yaml"
	DatasourcesFile   = "grafana-datasources.yaml"
	DashboardsFile    = "grafana-dashboards.yaml"
	DashboardFile     = "agentwrap-runs.json"
	JaegerFile        = "jaeger.yaml"
	BuildScript       = "build.sh"
	JaegerBuildScript = "build-jaeger.sh"
)

//go:embed otelcol.yaml otelcol-gateway.yaml builder.yaml compose.yaml tempo.yaml jaeger.yaml
//go:embed grafana-datasources.yaml grafana-dashboards.yaml agentwrap-runs.json build.sh build-jaeger.sh
var files embed.FS

// Files returns the shipped collector files, read-only: the generated
// otelcol.yaml and otelcol-gateway.yaml as checked in, the builder manifest,
// Jaeger's configuration, the Compose stack with its Tempo configuration
// and Grafana provisioning (data sources, the agentwrap dashboard), and the
// build scripts of the collector and of Jaeger.
func Files() fs.FS {
	return files
}
