package wrap

import (
	"sync/atomic"

	"go.opentelemetry.io/otel"
)

// otelErrors counts the errors the OpenTelemetry SDK reported to
// OTelErrorHandler; a run reports how many it saw in its summary line.
var otelErrors atomic.Int64

// OTelErrorHandler returns the handler that counts the OpenTelemetry SDK's
// errors for the summary line of each run. The SDK reports export failures
// to one process-wide handler whose default prints them to stderr: the
// agent's terminal, in the middle of its TUI, with error text that can
// quote an endpoint URL. A command that runs agents installs this handler
// once with otel.SetErrorHandler; wrap never does it itself. Without it,
// runs report no export failures and the process's own handler decides
// what is printed.
func OTelErrorHandler() otel.ErrorHandler {
	return otel.ErrorHandlerFunc(func(error) { otelErrors.Add(1) })
}
