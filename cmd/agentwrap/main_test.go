package main

import (
	"fmt"
	"os"
	"testing"

	"github.com/agentwrap/agentwrap/internal/e2e"
)

// testTmp holds programs built for the tests of this package.
var testTmp string

func TestMain(m *testing.M) {
	var err error
	if testTmp, err = os.MkdirTemp("", "agentwrap-cmd-test-"); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := m.Run()
	e2e.Cleanup()
	os.RemoveAll(testTmp)
	os.Exit(code)
}
