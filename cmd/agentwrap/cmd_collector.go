package main

import (
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/agentwrap/agentwrap/collector"
	"github.com/agentwrap/agentwrap/spans"
)

// collectorCommand prints collector configurations generated from the span
// schema of this binary, so that the collector's allowlist never drifts
// from what agentwrap exports.
func collectorCommand() *cli.Command {
	return &cli.Command{
		Name:  "collector",
		Usage: "OpenTelemetry Collector configuration generated from the span schema",
		Subcommands: []*cli.Command{{
			Name:      "config",
			Usage:     "print otelcol.yaml (or the gateway-tier config with --gateway)",
			ArgsUsage: " ",
			Flags: []cli.Flag{
				&cli.BoolFlag{Name: "gateway", Usage: "print the gateway-tier configuration (load-balancing by trace id)"},
			},
			Action: func(c *cli.Context) error {
				if c.NArg() > 0 {
					return cli.Exit("collector config takes no arguments", 2)
				}
				cfg := collector.Config(spans.ExportedNames())
				if c.Bool("gateway") {
					cfg = collector.GatewayConfig()
				}
				_, err := fmt.Fprint(c.App.Writer, string(cfg))
				return err
			},
		}},
	}
}
