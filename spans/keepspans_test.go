package spans

import (
	"context"
	"slices"
	"sync"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// KeepSpans is a run file for tests that keeps every span it is given,
// past Shutdown. It is exported for the external tests (metrics_test.go)
// too.
type KeepSpans struct {
	mu    sync.Mutex
	spans []sdktrace.ReadOnlySpan
}

func (k *KeepSpans) ExportSpans(_ context.Context, s []sdktrace.ReadOnlySpan) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.spans = append(k.spans, s...)
	return nil
}

func (k *KeepSpans) Shutdown(context.Context) error { return nil }

// Spans returns the spans kept so far.
func (k *KeepSpans) Spans() []sdktrace.ReadOnlySpan {
	k.mu.Lock()
	defer k.mu.Unlock()
	return slices.Clone(k.spans)
}
