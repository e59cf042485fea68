package main

import (
	"context"
	"errors"
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
			"Needs the real credential in COMETAPI_KEY (or the variable named by --key-env).",
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
			if errors.Is(err, wrap.ErrNoCredential) {
				return cli.Exit("smoke: "+err.Error(), 2)
			}
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

// runOptions reads the shared run flags.
func runOptions(c *cli.Context, argv []string) wrap.Options {
	return wrap.Options{
		Argv:            argv,
		Upstream:        c.String("upstream"),
		KeyEnv:          c.String("key-env"),
		RunID:           c.String("run-id"),
		StateDir:        c.String("state-dir"),
		Profile:         c.String("profile"),
		Note:            c.String("note"),
		Contract:        c.String("contract"),
		EnforceContract: c.Bool("enforce-contract"),
		KeepRuns:        unlimitedIfZero(c.Int("keep-runs")),
		KeepDays:        unlimitedIfZero(c.Int("keep-days")),
		FlushTimeout:    c.Duration("flush-timeout"),
		Quiet:           c.Bool("quiet"),
		Version:         version,
		Environ:         os.Environ(),
	}
}

// unlimitedIfZero maps a retention flag's 0 (unlimited) to wrap.Options'
// negative value; wrap.Options reads 0 as its default.
func unlimitedIfZero(n int) int {
	if n == 0 {
		return -1
	}
	return n
}
