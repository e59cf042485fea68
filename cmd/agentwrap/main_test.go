package main

import (
	"os"
	"testing"

	"github.com/agentwrap/agentwrap/internal/e2e"
)

func TestMain(m *testing.M) {
	code := m.Run()
	e2e.Cleanup()
	os.Exit(code)
}
