// Command agentwrap runs a coding agent behind a loopback model gateway and
// emits one sanitized OpenTelemetry span per model call.
package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Fprintln(os.Stderr, "agentwrap: not yet implemented")
	os.Exit(2)
}
