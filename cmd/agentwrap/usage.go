package main

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/urfave/cli/v2"
)

// exitUsage is the exit status of a usage error.
const exitUsage = 2

// strictUsage makes every usage error of app and its commands one line on
// stderr with exit status 2, instead of the help text and status 1: an
// unknown flag, a value that does not parse (with an example of a valid
// one) and a negative number or duration.
func strictUsage(app *cli.App) {
	app.OnUsageError = onUsageError(app.Flags)
	nonNegative(app.Flags)
	for _, c := range app.Commands {
		strictCommand(c)
	}
}

func strictCommand(c *cli.Command) {
	c.OnUsageError = onUsageError(c.Flags)
	nonNegative(c.Flags)
	for _, sub := range c.Subcommands {
		strictCommand(sub)
	}
}

var (
	undefinedFlag = regexp.MustCompile(`^flag provided but not defined: -+(.+)$`)
	invalidValue  = regexp.MustCompile(`^invalid value "(.*)" for flag -+([^:]+):`)
)

// onUsageError rewrites the flag package's errors into one line naming the
// flag as the user types it.
func onUsageError(flags []cli.Flag) cli.OnUsageErrorFunc {
	return func(_ *cli.Context, err error, _ bool) error {
		msg := err.Error()
		if m := undefinedFlag.FindStringSubmatch(msg); m != nil {
			return cli.Exit(fmt.Sprintf("unknown flag %s (agentwrap --help lists the flags)", dashed(m[1])), exitUsage)
		}
		if m := invalidValue.FindStringSubmatch(msg); m != nil {
			return cli.Exit(fmt.Sprintf("invalid value %q for %s: want %s", m[1], dashed(m[2]), example(flags, m[2])), exitUsage)
		}
		return cli.Exit(strings.ReplaceAll(msg, "\n", "; "), exitUsage)
	}
}

// dashed writes a flag name as it is typed: -q, --state-dir.
func dashed(name string) string {
	if len(name) == 1 {
		return "-" + name
	}
	return "--" + name
}

// example describes a valid value of the flag named name.
func example(flags []cli.Flag, name string) string {
	for _, f := range flags {
		for _, n := range f.Names() {
			if n != name {
				continue
			}
			switch f.(type) {
			case *cli.DurationFlag:
				return "a duration like 2s, 500ms or 1m"
			case *cli.IntFlag:
				return "a whole number like 20"
			case *cli.BoolFlag:
				return "true or false"
			}
		}
	}
	return "a valid value"
}

// nonNegative refuses negative values of every number and duration flag:
// none of them has a meaning below zero.
func nonNegative(flags []cli.Flag) {
	for _, f := range flags {
		switch f := f.(type) {
		case *cli.IntFlag:
			if f.Action == nil {
				name := f.Name
				f.Action = func(_ *cli.Context, v int) error {
					if v < 0 {
						return cli.Exit(fmt.Sprintf("%s must not be negative, got %d (0 means no limit)", dashed(name), v), exitUsage)
					}
					return nil
				}
			}
		case *cli.DurationFlag:
			if f.Action == nil {
				name := f.Name
				f.Action = func(_ *cli.Context, v time.Duration) error {
					if v < 0 {
						return cli.Exit(fmt.Sprintf("%s must not be negative, got %s (a duration like 2s)", dashed(name), v), exitUsage)
					}
					return nil
				}
			}
		}
	}
}
