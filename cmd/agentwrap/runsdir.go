package main

import (
	"errors"
	"os"

	"github.com/urfave/cli/v2"

	"github.com/agentwrap/agentwrap/spans/report"
	"github.com/agentwrap/agentwrap/wrap"
)

// stateDirFlag is the --state-dir flag of the run-record commands.
func stateDirFlag() cli.Flag {
	return &cli.StringFlag{Name: "state-dir", Usage: "state directory (default: $XDG_STATE_HOME/agentwrap)", EnvVars: []string{"AGENTWRAP_STATE_DIR"}}
}

// runsDir is the runs directory named by --state-dir, given to the command
// or before it (agentwrap --state-dir DIR runs), or the default.
func runsDir(c *cli.Context) (string, error) {
	dir := ""
	for _, cc := range c.Lineage() {
		if cc.IsSet("state-dir") {
			dir = cc.String("state-dir")
			break
		}
	}
	state, err := wrap.StateDir(dir, os.Getenv)
	if err != nil {
		return "", cli.Exit(err.Error(), 1)
	}
	return wrap.RunsDir(state), nil
}

// resolveRun finds the run file of ref (a run id or "latest"); an unknown
// run is a one-line error with exit status 1.
func resolveRun(c *cli.Context, ref string) (string, error) {
	dir, err := runsDir(c)
	if err != nil {
		return "", err
	}
	path, err := report.Resolve(dir, ref)
	switch {
	case errors.Is(err, report.ErrNotFound), errors.Is(err, report.ErrNoRuns):
		return "", cli.Exit(err.Error()+" (agentwrap runs lists the runs)", 1)
	case err != nil:
		return "", cli.Exit(err.Error(), 1)
	}
	return path, nil
}
