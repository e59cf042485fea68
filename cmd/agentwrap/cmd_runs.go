package main

import (
	"fmt"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/agentwrap/agentwrap/spans/report"
)

// runsCommand lists the recent runs, newest first.
func runsCommand() *cli.Command {
	return &cli.Command{
		Name:      "runs",
		Usage:     "list the recent runs, newest first",
		ArgsUsage: " ",
		Flags: []cli.Flag{
			stateDirFlag(),
			&cli.IntFlag{Name: "limit", Aliases: []string{"n"}, Usage: "show at most `N` runs (0: all)", Value: 20},
		},
		Action: func(c *cli.Context) error {
			if c.NArg() > 0 {
				return cli.Exit("runs takes no arguments", 2)
			}
			dir, err := runsDir(c)
			if err != nil {
				return err
			}
			sums, err := report.List(dir, c.Int("limit"))
			if err != nil {
				return cli.Exit(err.Error(), 1)
			}
			if len(sums) == 0 {
				_, err := fmt.Fprintf(c.App.Writer, "no runs recorded in %s\n", dir)
				return err
			}
			return writeRuns(c, sums)
		},
	}
}

// writeRuns prints one line per run.
func writeRuns(c *cli.Context, sums []report.Summary) error {
	w := tabwriter.NewWriter(c.App.Writer, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "RUN ID\tSTARTED (UTC)\tAGENT\tDURATION\tCALLS\tRESULT\tEXIT")
	for _, s := range sums {
		if s.Err != nil {
			fmt.Fprintf(w, "%s\t-\t-\t-\t-\tunreadable\t-\n", s.ID)
			continue
		}
		result := s.Result
		if !s.Complete {
			result += " (incomplete)"
		}
		if s.LineErrors > 0 {
			result += fmt.Sprintf(" (%d bad line(s))", s.LineErrors)
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%d\t%s\t%s\n", s.ID, started(s.Start), dash(s.Agent),
			s.Duration.Round(time.Millisecond), s.Calls, result, exitCode(s.ExitCode))
	}
	return w.Flush()
}

func started(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format("2006-01-02 15:04:05")
}

func exitCode(p *int) string {
	if p == nil {
		return "-"
	}
	return strconv.Itoa(*p)
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
