package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/agentwrap/agentwrap/internal/format"
	"github.com/agentwrap/agentwrap/validate"
	"github.com/agentwrap/agentwrap/wrap"
)

// validateCommand runs the contract runbook's validation sequence and
// prints the release-gate checklist.
func validateCommand() *cli.Command {
	flags := []cli.Flag{
		&cli.StringSliceFlag{Name: "endpoint", Usage: "validate only the manifest endpoint `ID` (repeatable; default: all)"},
		&cli.StringSliceFlag{Name: "family", Usage: "validate only the endpoints of request family `F` (repeatable)"},
		&cli.IntFlag{Name: "max-requests", Usage: "send at most `N` requests; checks beyond are not run (0: no bound)"},
		&cli.BoolFlag{Name: "yes", Aliases: []string{"y"}, Usage: "send the requests without asking (needed without a terminal)"},
		&cli.StringFlag{Name: "format", Aliases: []string{"f"}, Usage: "`FORMAT`: " + strings.Join(format.Names(), ", "), Value: format.Markdown},
		&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "write the checklist to `FILE` instead of standard output"},
	}
	for _, f := range runFlags() {
		if n := f.Names()[0]; n != "profile" && n != "enforce-contract" {
			flags = append(flags, f)
		}
	}
	return &cli.Command{
		Name:      "validate",
		Usage:     "run the contract runbook's validation sequence for every manifest endpoint; prints the release-gate checklist",
		ArgsUsage: " ",
		Description: "Exit status: 0 every check passed, 1 a check failed (or was not run), 4 drift only,\n" +
			"2 usage or configuration error (no credential, not confirmed).\n" +
			"Needs the real credential in COMETAPI_KEY (or the variable named by --key-env), and --yes\n" +
			"or a terminal to confirm the number of requests.",
		Flags:  flags,
		Action: validateAction,
	}
}

func validateAction(c *cli.Context) error {
	if c.NArg() > 0 {
		return cli.Exit("validate takes no arguments", 2)
	}
	f, err := format.Parse(c.String("format"))
	if err != nil {
		return cli.Exit(err.Error(), 2)
	}
	if c.Int("max-requests") < 0 {
		return cli.Exit("--max-requests must be 0 (no bound) or more, e.g. --max-requests 20", 2)
	}
	refusal := ""
	confirm := func(plan string) bool {
		switch {
		case c.Bool("yes"):
			fmt.Fprintf(c.App.ErrWriter, "agentwrap: validate: sending %s\n", plan)
			return true
		case !isTerminal(c.App.Reader):
			refusal = "validate: not sending " + plan + " without confirmation: run with --yes"
			return false
		}
		fmt.Fprintf(c.App.ErrWriter, "agentwrap: validate will send %s. Send them? [y/N] ", plan)
		line, err := bufio.NewReader(c.App.Reader).ReadString('\n')
		if a := strings.ToLower(strings.TrimSpace(line)); a == "y" || a == "yes" {
			return true
		}
		refusal = "validate: nothing sent"
		if err != nil {
			fmt.Fprintln(c.App.ErrWriter)
			refusal = "validate: no answer; nothing sent (run with --yes to send without asking)"
		}
		return false
	}
	opts := runOptions(c, nil)
	cl, err := wrap.Validate(context.Background(), wrap.ValidateOptions{
		Options: opts, Endpoints: c.StringSlice("endpoint"), Families: c.StringSlice("family"),
		MaxRequests: c.Int("max-requests"), Confirm: confirm,
	})
	switch {
	case errors.Is(err, wrap.ErrNotConfirmed):
		return cli.Exit(refusal, 2)
	case err != nil:
		return cli.Exit("validate: "+err.Error(), 2)
	}
	var buf bytes.Buffer
	if err := validate.Render(&buf, cl, f); err != nil {
		return cli.Exit(err.Error(), 1)
	}
	if key := os.Getenv(keyEnv(opts)); key != "" && bytes.Contains(buf.Bytes(), []byte(key)) {
		return cli.Exit("validate: the checklist holds the credential; not written", 1)
	}
	if err := writeOut(c, buf.Bytes()); err != nil {
		return err
	}
	if code := cl.ExitCode(); code != 0 {
		return cli.Exit("", code)
	}
	return nil
}

func keyEnv(o wrap.Options) string {
	if o.KeyEnv == "" {
		return wrap.DefaultKeyEnv
	}
	return o.KeyEnv
}

// writeOut writes b to --output or standard output.
func writeOut(c *cli.Context, b []byte) error {
	out := c.String("output")
	if out == "" {
		_, err := c.App.Writer.Write(b)
		return err
	}
	if err := os.WriteFile(out, b, 0o600); err != nil {
		return cli.Exit(fmt.Sprintf("cannot write checklist: %v", err), 1)
	}
	return nil
}

// isTerminal reports whether r is a terminal: a character device other
// than /dev/null.
func isTerminal(r io.Reader) bool {
	f, ok := r.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	if err != nil || fi.Mode()&os.ModeCharDevice == 0 {
		return false
	}
	null, err := os.Stat(os.DevNull)
	return err != nil || !os.SameFile(fi, null)
}
