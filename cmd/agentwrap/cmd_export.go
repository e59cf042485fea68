package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/agentwrap/agentwrap/redact"
	"github.com/agentwrap/agentwrap/spans"
	"github.com/agentwrap/agentwrap/spans/runfile"
	"github.com/agentwrap/agentwrap/wrap"
)

// exportCommand replays a run file to an OTLP/HTTP endpoint.
func exportCommand() *cli.Command {
	return &cli.Command{
		Name:      "export",
		Usage:     "replay a run file to an OTLP/HTTP endpoint (for runs made without a collector)",
		ArgsUsage: "RUN_ID|latest",
		Description: "The endpoint is --endpoint, else the standard OTEL_EXPORTER_OTLP_TRACES_ENDPOINT or\n" +
			"OTEL_EXPORTER_OTLP_ENDPOINT; OTEL_EXPORTER_OTLP_HEADERS are sent. Each line of the run file is\n" +
			"one request, filtered as live spans are: span-schema attributes only, every string scanned\n" +
			"for credentials, no events or links.",
		Flags: []cli.Flag{
			stateDirFlag(),
			&cli.StringFlag{Name: "endpoint", Usage: "OTLP/HTTP base `URL` as in OTEL_EXPORTER_OTLP_ENDPOINT (/v1/traces is appended unless the path already ends with it)"},
			&cli.DurationFlag{Name: "timeout", Usage: "bound on each request", Value: runfile.DefaultReplayTimeout},
		},
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 {
				return cli.Exit("export takes one run id (or latest)", 2)
			}
			cfg, err := exportConfig(c.String("endpoint"), os.Getenv)
			if err != nil {
				return err
			}
			path, err := resolveRun(c, c.Args().First())
			if err != nil {
				return err
			}
			return replay(c, cfg, path)
		},
	}
}

// exportConfig is the endpoint and headers of an export: --endpoint
// overrides the endpoint variables; headers come from the environment.
func exportConfig(endpoint string, getenv func(string) string) (spans.OTLPConfig, error) {
	if endpoint != "" {
		env := getenv
		getenv = func(k string) string {
			switch k {
			case "OTEL_EXPORTER_OTLP_ENDPOINT":
				return endpoint
			case "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_TRACES_EXPORTER":
				return ""
			}
			return env(k)
		}
	}
	cfg, err := spans.LoadOTLPConfig(getenv)
	if err != nil {
		return cfg, cli.Exit(strings.Replace(err.Error(), "check OTEL_EXPORTER_OTLP_ENDPOINT", "check --endpoint or OTEL_EXPORTER_OTLP_ENDPOINT", 1), 2)
	}
	if cfg.TracesURL == "" {
		return cfg, cli.Exit("no OTLP endpoint: set --endpoint or OTEL_EXPORTER_OTLP_ENDPOINT", 2)
	}
	if endpoint != "" && strings.HasSuffix(strings.TrimRight(endpoint, "/"), "/v1/traces") {
		cfg.TracesURL = endpoint
	}
	return cfg, nil
}

// replay sends the run file and prints what was sent.
func replay(c *cli.Context, cfg spans.OTLPConfig, path string) error {
	// The guard of a live run: a run file may have been edited since.
	guard := redact.NewGuard(spans.SchemaNames(), redact.NewScanner(os.Getenv(wrap.DefaultKeyEnv)))
	rp := &runfile.Replayer{URL: cfg.TracesURL, Headers: cfg.Headers, Guard: guard}
	if d := c.Duration("timeout"); d > 0 {
		rp.Client = &http.Client{Timeout: d}
	}
	res, err := rp.ReplayFile(context.Background(), path)
	for _, e := range res.LineErrors {
		fmt.Fprintf(c.App.ErrWriter, "agentwrap: run file line %d skipped: %v\n", e.Line, e.Err)
	}
	fmt.Fprintf(c.App.Writer, "exported %d spans in %d requests to %s\n", res.Spans, res.Requests, redact.Endpoint(cfg.TracesURL))
	if err != nil {
		return cli.Exit(err.Error(), 1)
	}
	return nil
}
