package main

import (
	"context"
	"errors"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/agentwrap/agentwrap/wrap"
)

func runFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "upstream", Usage: "real gateway base URL (no /v1)", Value: wrap.DefaultUpstream, EnvVars: []string{"AGENTWRAP_UPSTREAM"}},
		&cli.StringFlag{Name: "key-env", Usage: "name of the variable holding the real credential", Value: wrap.DefaultKeyEnv},
		&cli.StringFlag{Name: "key-file", Usage: "read the real credential from `PATH` (mode 0600) instead of the environment"},
		&cli.StringFlag{Name: "key-cmd", Usage: "run `COMMAND` with the shell; its output is the real credential (e.g. \"pass show cometapi\")"},
		&cli.StringFlag{Name: "contract", Usage: "contract manifest `FILE` (default: built-in CometAPI manifest)", EnvVars: []string{"AGENTWRAP_CONTRACT"}},
		&cli.BoolFlag{Name: "enforce-contract", Usage: "reject requests that do not match the contract instead of forwarding them"},
		&cli.StringFlag{Name: "run-id", Usage: "run id (default: generated, unique, sortable)"},
		&cli.StringFlag{Name: "state-dir", Usage: "state directory (default: $XDG_STATE_HOME/agentwrap)", EnvVars: []string{"AGENTWRAP_STATE_DIR"}},
		&cli.StringFlag{Name: "profile", Usage: "agent profile (default: detected from the agent's name)"},
		profilesFlag(),
		&cli.StringFlag{Name: "note", Usage: "operator note recorded (sanitized) on the run span"},
		&cli.IntFlag{Name: "keep-runs", Usage: "keep the newest `N` run files; older ones are removed when a run starts (0: unlimited)", Value: wrap.DefaultKeepRuns},
		&cli.IntFlag{Name: "keep-days", Usage: "remove run files last written more than `N` days ago when a run starts (0: unlimited)", Value: wrap.DefaultKeepDays},
		&cli.DurationFlag{Name: "flush-timeout", Usage: "bound on telemetry export at exit", Value: 2 * time.Second},
		&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "do not print the run summary line"},
	}
}

// runAction wraps the agent named by the arguments and exits with its status.
func runAction(c *cli.Context) error {
	if c.NArg() == 0 {
		_ = cli.ShowAppHelp(c)
		return cli.Exit("no agent given: usage: agentwrap [flags] -- AGENT [ARGS...]", 2)
	}
	code, err := wrap.Run(context.Background(), runOptions(c, c.Args().Slice()))
	var ee *wrap.ExitError
	switch {
	case errors.As(err, &ee):
		return cli.Exit(ee.Error(), ee.Code)
	case errors.Is(err, wrap.ErrKeySource):
		return cli.Exit(err.Error(), 2)
	case err != nil:
		return cli.Exit(err.Error(), 1)
	case code != 0:
		return cli.Exit("", code)
	}
	return nil
}

// profilesFlag names the user's profiles file (run and agents).
func profilesFlag() cli.Flag {
	return &cli.StringFlag{Name: "profiles", Usage: "user profiles `FILE` (default: $XDG_CONFIG_HOME/agentwrap/profiles.yaml)", EnvVars: []string{wrap.ProfilesFileEnv}}
}
