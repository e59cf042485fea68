package main

import "github.com/agentwrap/agentwrap/internal/otlptest"

// The collectors the gateway exports to in C and C' are the tests' OTLP
// receiver and its unreachable stand-ins (internal/otlptest): the sink is a
// counting receiver, which counts spans by walking the protobuf wire format
// without decoding them, so that a collector that would run in another
// process weighs as little as possible on the gateway measured in this
// one; C'refused exports to a port nothing listens on, C'blackhole to one
// that accepts and never answers.

// startSink starts the counting receiver C exports to.
func startSink() (*otlptest.Receiver, error) {
	return otlptest.Start(otlptest.WithCountOnly())
}
