// Command fakeupstream serves the test upstream of package
// internal/upstreamtest on a loopback port, for manual runs of agent CLIs
// and for the benchmark harness. It prints the base URL (no /v1) on the
// first line of stdout and serves until SIGINT or SIGTERM.
//
// Usage:
//
//	fakeupstream [-addr 127.0.0.1:0] [-key-env NAME] [-deltas 2] [-interval 0s]
//	             [-retry-after 1] [-no-retry-hint] [-v]
//
// With -key-env, the credential in that environment variable is the only
// one accepted (it is never taken from the command line, where other users
// could read it). -v logs one line per request to stderr, without
// credentials, bodies or query strings.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/agentwrap/agentwrap/internal/upstreamtest"
)

func main() {
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, os.Interrupt, syscall.SIGTERM)
	if err := run(os.Args[1:], os.Stdout, os.Stderr, os.Getenv, stop); err != nil {
		fmt.Fprintln(os.Stderr, "fakeupstream:", err)
		os.Exit(1)
	}
}

// run parses args, starts the server, prints its URL and serves until stop
// delivers a signal or is closed.
func run(args []string, stdout, stderr io.Writer, getenv func(string) string, stop <-chan os.Signal) error {
	opts, err := parseFlags(args, stderr, getenv)
	if err != nil {
		return err
	}
	s := upstreamtest.New(opts...)
	if err := s.Open(); err != nil {
		return fmt.Errorf("cannot start: %w", err)
	}
	defer s.Close()
	if _, err := fmt.Fprintln(stdout, s.URL()); err != nil {
		return fmt.Errorf("cannot print the URL: %w", err)
	}
	<-stop
	return nil
}

// parseFlags turns the command line into server options.
func parseFlags(args []string, stderr io.Writer, getenv func(string) string) ([]upstreamtest.Option, error) {
	fs := flag.NewFlagSet("fakeupstream", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:0", "listen address")
	keyEnv := fs.String("key-env", "", "name of the environment variable holding the only accepted credential")
	deltas := fs.Int("deltas", upstreamtest.DefaultDeltas, "text deltas per stream")
	interval := fs.Duration("interval", 0, "pause between deltas")
	retryAfter := fs.Int("retry-after", upstreamtest.DefaultRetryAfter, "Retry-After seconds of the rate-limited scenario")
	noRetryHint := fs.Bool("no-retry-hint", false, "answer the rate-limited scenario without retry hints")
	documented := fs.Bool("documented", false, "reject unknown models and missing required fields as the documentation says (for agentwrap validate)")
	latency := fs.Duration("latency", 0, "delay before the first byte of every reply")
	verbose := fs.Bool("v", false, "log one line per request to stderr")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	opts := []upstreamtest.Option{upstreamtest.WithAddr(*addr), upstreamtest.WithRetryAfter(*retryAfter),
		upstreamtest.WithDeltas(*deltas, *interval)}
	if *keyEnv != "" {
		key := getenv(*keyEnv)
		if key == "" {
			return nil, fmt.Errorf("environment variable %s is empty", *keyEnv)
		}
		opts = append(opts, upstreamtest.WithKey(key))
	}
	if *noRetryHint {
		opts = append(opts, upstreamtest.WithNoRetryHint())
	}
	if *documented {
		opts = append(opts, upstreamtest.WithModelCatalog(), upstreamtest.WithRequiredFields())
	}
	if *latency > 0 {
		opts = append(opts, upstreamtest.WithLatency(*latency))
	}
	if *verbose {
		opts = append(opts, upstreamtest.WithLog(stderr))
	}
	return opts, nil
}
