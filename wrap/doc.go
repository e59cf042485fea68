// Package wrap runs one wrapped agent: it starts the gateway, builds the
// child's environment from an agent profile, runs the child on the user's
// terminal, forwards signals, waits, flushes telemetry within a bounded
// deadline and returns the child's exit code.
package wrap
