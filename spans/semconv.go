package spans

import (
	"strings"

	"go.opentelemetry.io/otel/attribute"
)

// Semantic-convention versions agentwrap can follow (README, "Metrics and the conventions version").
//
// By default the attributes and metrics follow the GenAI conventions as
// published in OpenTelemetry semantic conventions v1.41.0, the last release
// that held them. OTEL_SEMCONV_STABILITY_OPT_IN=gen_ai_latest_experimental
// switches to the newest names of the GenAI semantic conventions repository
// they moved to, as the GenAI conventions ask instrumentations to do.
const (
	// SchemaURL is the schema of the default conventions.
	SchemaURL = "https://opentelemetry.io/schemas/1.41.0"
	// LatestSchemaURL is the schema of the GenAI semantic conventions
	// repository, used with gen_ai_latest_experimental.
	LatestSchemaURL = "https://opentelemetry.io/schemas/gen-ai/1.42.0"
	// OptInLatest is the OTEL_SEMCONV_STABILITY_OPT_IN value that selects
	// the newest GenAI conventions.
	OptInLatest = "gen_ai_latest_experimental"
)

// Conventions is the semantic-convention version a run's telemetry
// follows. The zero value is the default (v1.41.0).
type Conventions struct {
	// Latest is set by OTEL_SEMCONV_STABILITY_OPT_IN=gen_ai_latest_experimental.
	Latest bool
}

// ConventionsFrom reads OTEL_SEMCONV_STABILITY_OPT_IN, a comma-separated
// list of opt-in values; only gen_ai_latest_experimental is acted on.
func ConventionsFrom(getenv func(string) string) Conventions {
	for _, v := range strings.Split(getenv("OTEL_SEMCONV_STABILITY_OPT_IN"), ",") {
		if strings.TrimSpace(v) == OptInLatest {
			return Conventions{Latest: true}
		}
	}
	return Conventions{}
}

// SchemaURL is the schema URL of the resource and instrumentation scope.
func (c Conventions) SchemaURL() string {
	if c.Latest {
		return LatestSchemaURL
	}
	return SchemaURL
}

// CacheCreationKey is the span attribute of input tokens written to a
// provider cache: cache_creation in v1.41.0, cache_write in the latest.
func (c Conventions) CacheCreationKey() attribute.Key {
	if c.Latest {
		return GenAIUsageCacheWriteTokens
	}
	return GenAIUsageCacheCreationTokens
}
