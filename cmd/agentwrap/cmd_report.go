package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/agentwrap/agentwrap/internal/format"
	"github.com/agentwrap/agentwrap/spans/report"
)

// reportCommand prints the one-page usage trace of a run.
func reportCommand() *cli.Command {
	return &cli.Command{
		Name:      "report",
		Usage:     "print the one-page usage trace of a run (default: the latest)",
		ArgsUsage: "[RUN_ID|latest]",
		Flags: []cli.Flag{
			stateDirFlag(),
			&cli.StringFlag{Name: "format", Aliases: []string{"f"}, Usage: "`FORMAT`: " + strings.Join(format.Names(), ", ") + " (html: a self-contained page with a call timeline)", Value: format.Markdown},
			&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "write the report to `FILE` instead of standard output"},
			&cli.IntFlag{Name: "max-calls", Usage: "show at most `N` calls in the calls table (those that did not pass first, then the earliest); totals and follow-ups always count every call", Value: report.DefaultMaxCalls},
		},
		Action: func(c *cli.Context) error {
			if c.NArg() > 1 {
				return cli.Exit("report takes one run id (or latest)", 2)
			}
			f, err := format.Parse(c.String("format"))
			if err != nil {
				return cli.Exit(err.Error(), 2)
			}
			if c.Int("max-calls") < 1 {
				return cli.Exit(fmt.Sprintf("--max-calls %d: want at least 1", c.Int("max-calls")), 2)
			}
			path, err := resolveRun(c, c.Args().First())
			if err != nil {
				return err
			}
			run, err := report.LoadWith(path, report.Options{MaxCalls: c.Int("max-calls")})
			if err != nil {
				return cli.Exit(err.Error(), 1)
			}
			warnLineErrors(c, run.LineErrors, run.LineErrorsOmitted)
			return writeReport(c, run, f)
		},
	}
}

// writeReport renders run to --output or standard output.
func writeReport(c *cli.Context, run *report.Run, form string) error {
	out := c.String("output")
	if out == "" {
		return report.Render(c.App.Writer, run, form)
	}
	f, err := os.OpenFile(out, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return cli.Exit(fmt.Sprintf("cannot write report: %v", err), 1)
	}
	if err := report.Render(f, run, form); err != nil {
		f.Close()
		return cli.Exit(err.Error(), 1)
	}
	if err := f.Close(); err != nil {
		return cli.Exit(fmt.Sprintf("cannot write report: %v", err), 1)
	}
	return nil
}

// warnLineErrors reports each unreadable run file line the report lists on
// one stderr line, and how many more there are.
func warnLineErrors(c *cli.Context, errs []report.LineError, omitted int) {
	for _, e := range errs {
		fmt.Fprintf(c.App.ErrWriter, "agentwrap: run file line %d skipped: %s\n", e.Line, e.Error)
	}
	if omitted > 0 {
		fmt.Fprintf(c.App.ErrWriter, "agentwrap: %d more run file line(s) skipped\n", omitted)
	}
}
