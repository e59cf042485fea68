package wrap

import (
	"sync"
	"sync/atomic"

	"go.opentelemetry.io/otel"
)

// The OpenTelemetry SDK reports export failures to a process-wide error
// handler whose default prints them to stderr: the agent's terminal, in
// the middle of its TUI, and with the exporter's error text (which can
// quote an endpoint URL). agentwrap replaces it once with a counter; a run
// reports how many failures it saw in its one-line summary instead.
var (
	otelErrorsOnce sync.Once
	otelErrors     atomic.Int64
)

// countOTelErrors installs the counting handler (once per process) and
// returns the count so far, the baseline for a run.
func countOTelErrors() int64 {
	otelErrorsOnce.Do(func() {
		otel.SetErrorHandler(otel.ErrorHandlerFunc(func(error) { otelErrors.Add(1) }))
	})
	return otelErrors.Load()
}
