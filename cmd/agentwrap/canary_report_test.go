package main

import "testing"

// reportOutputs runs the commands that read the run records; it grows with
// them.
func reportOutputs(t *testing.T, state string, env []string) []result {
	return nil
}
