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
	BuildScript       = "build.sh"
)

//go:embed otelcol.yaml otelcol-gateway.yaml builder.yaml compose.yaml tempo.yaml grafana-datasources.yaml build.sh
var files embed.FS

// Files returns the shipped collector files, read-only: the generated
// otelcol.yaml and otelcol-gateway.yaml as checked in, the builder manifest,
// the Compose stack with its Tempo configuration and Grafana data source,
// and the build script.
func Files() fs.FS {
	return files
}
