package main

import (
	"context"
	"os"
	"strings"

	"github.com/urfave/cli/v2"
	"go.yaml.in/yaml/v3"

	"github.com/agentwrap/agentwrap/wrap"
)

// smokeCommand runs the seed's smoke-test workflow and prints the
// usage-trace record as YAML.
func smokeCommand() *cli.Command {
	flags := []cli.Flag{
		&cli.StringFlag{Name: "family", Usage: "request family: " + strings.Join(wrap.SmokeFamilies(), ", "), Value: "chat"},
		&cli.StringFlag{Name: "model", Usage: "model for the minimal request (default: a small model of the family)"},
	}
	for _, f := range runFlags() {
		if n := f.Names()[0]; n != "profile" && n != "quiet" {
			flags = append(flags, f)
		}
	}
	return &cli.Command{
		Name:      "smoke",
		Usage:     "one minimal documented request and one invalid request through the gateway; prints the usage-trace record",
		ArgsUsage: " ",
		Description: "Exit status: 0 pass, 1 fail, 3 needs_follow_up, 2 usage or configuration error.\n" +
			"Needs the real credential in COMETAPI_KEY (or the variable named by --key-env), or --key-file or --key-cmd.",
		Flags: flags,
		Action: func(c *cli.Context) error {
			if c.NArg() > 0 {
				return cli.Exit("smoke takes no arguments", 2)
			}
			rec, err := wrap.Smoke(context.Background(), wrap.SmokeOptions{
				Options: runOptions(c, nil),
				Family:  c.String("family"),
				Model:   c.String("model"),
			})
			// A missing credential (wrap.ErrNoCredential) and every other
			// configuration error are one line and exit 2.
			if err != nil {
				return cli.Exit("smoke: "+err.Error(), 2)
			}
			out, err := yaml.Marshal(rec)
			if err != nil {
				return err
			}
			if _, err := c.App.Writer.Write(out); err != nil {
				return err
			}
			if code := rec.ExitCode(); code != 0 {
				return cli.Exit("", code)
			}
			return nil
		},
	}
}

// runOptions reads the shared run flags. A subcommand that repeats them
// (smoke) also takes them before its name: agentwrap --state-dir D smoke.
func runOptions(c *cli.Context, argv []string) wrap.Options {
	return wrap.Options{
		Argv:            argv,
		Upstream:        setIn(c, "upstream").String("upstream"),
		KeyEnv:          setIn(c, "key-env").String("key-env"),
		RequireKey:      setIn(c, "key-env").IsSet("key-env"),
		KeyFile:         setIn(c, "key-file").String("key-file"),
		KeyCmd:          setIn(c, "key-cmd").String("key-cmd"),
		RunID:           setIn(c, "run-id").String("run-id"),
		StateDir:        setIn(c, "state-dir").String("state-dir"),
		Profile:         setIn(c, "profile").String("profile"),
		ProfilesFile:    setIn(c, "profiles").String("profiles"),
		Note:            setIn(c, "note").String("note"),
		Contract:        setIn(c, "contract").String("contract"),
		EnforceContract: setIn(c, "enforce-contract").Bool("enforce-contract"),
		FlushTimeout:    setIn(c, "flush-timeout").Duration("flush-timeout"),
		KeepRuns:        unlimitedIfZero(setIn(c, "keep-runs").Int("keep-runs")),
		KeepDays:        unlimitedIfZero(setIn(c, "keep-days").Int("keep-days")),
		Quiet:           setIn(c, "quiet").Bool("quiet"),
		Version:         version,
		Environ:         os.Environ(),
	}
}

// setIn returns the nearest context of c's lineage in which flag name was
// set (on the command line or through its environment variable), else c:
// a subcommand's own flag shadows the app's flag of the same name even when
// only the app's was given.
func setIn(c *cli.Context, name string) *cli.Context {
	for _, x := range c.Lineage() {
		if x.IsSet(name) {
			return x
		}
	}
	return c
}

// unlimitedIfZero maps a retention flag's 0 (unlimited) to wrap.Options'
// negative value; wrap.Options reads 0 as its default.
func unlimitedIfZero(n int) int {
	if n == 0 {
		return -1
	}
	return n
}
