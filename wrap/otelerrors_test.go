//go:build unix

package wrap

import (
	"bytes"
	"context"
	"errors"
	"os"
	"testing"

	"go.opentelemetry.io/otel"
)

// recordingHandler is an OTel error handler a test can recognise.
type recordingHandler struct{ n int }

func (h *recordingHandler) Handle(error) { h.n++ }

// TestRunLeavesTheErrorHandlerAlone: the process-wide OTel error handler
// belongs to the command; a library run neither replaces it nor counts
// without it, and counts with the handler the command installs.
func TestRunLeavesTheErrorHandlerAlone(t *testing.T) {
	prev := otel.GetErrorHandler()
	t.Cleanup(func() { otel.SetErrorHandler(prev) })
	mine := &recordingHandler{}
	otel.SetErrorHandler(mine)

	before := otelErrors.Load()
	code, err := Run(context.Background(), Options{
		Argv: []string{testChild, "-exit", "0"}, StateDir: t.TempDir(),
		Environ: []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()},
		Stdout:  &bytes.Buffer{}, Stderr: &bytes.Buffer{}, Quiet: true,
	})
	if err != nil || code != 0 {
		t.Fatalf("Run = %d, %v", code, err)
	}
	if h, ok := otel.GetErrorHandler().(*recordingHandler); !ok || h != mine {
		t.Fatalf("Run replaced the process's OTel error handler with %T", otel.GetErrorHandler())
	}

	otel.SetErrorHandler(OTelErrorHandler())
	otel.Handle(errors.New("export failed"))
	if got := otelErrors.Load() - before; got != 1 {
		t.Errorf("OTelErrorHandler counted %d errors, want 1", got)
	}
	if mine.n != 0 {
		t.Errorf("the replaced handler still got %d errors", mine.n)
	}
}
