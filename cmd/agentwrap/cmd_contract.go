package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/agentwrap/agentwrap/contract"
)

// contractCommand groups the contract manifest subcommands: init, lint and
// show.
func contractCommand() *cli.Command {
	return &cli.Command{
		Name:  "contract",
		Usage: "write, lint and show contract manifests (the documented endpoints calls are checked against)",
		Subcommands: []*cli.Command{
			contractInitCommand(),
			contractLintCommand(),
			contractShowCommand(),
		},
	}
}

// contractInitCommand writes the built-in manifest for editing.
func contractInitCommand() *cli.Command {
	return &cli.Command{
		Name:      "init",
		Usage:     "write the built-in CometAPI manifest, to start a manifest of your own",
		ArgsUsage: " ",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "write to `FILE` instead of standard output"},
			&cli.BoolFlag{Name: "force", Usage: "overwrite FILE when it exists"},
		},
		Action: func(c *cli.Context) error {
			if c.NArg() > 0 {
				return cli.Exit("contract init takes no arguments (use --output FILE)", 2)
			}
			out := c.String("output")
			if out == "" {
				_, err := c.App.Writer.Write(contract.BuiltinYAML())
				return err
			}
			if err := writeManifest(out, contract.BuiltinYAML(), c.Bool("force")); err != nil {
				return cli.Exit("contract init: "+err.Error(), 1)
			}
			fmt.Fprintf(c.App.ErrWriter, "agentwrap: wrote %s; edit it, then check it with: agentwrap contract lint %s\n", out, out)
			return nil
		},
	}
}

// writeManifest writes data to path, refusing to replace an existing file
// unless force is set.
func writeManifest(path string, data []byte, force bool) error {
	flags := os.O_WRONLY | os.O_CREATE | os.O_EXCL
	if force {
		flags = os.O_WRONLY | os.O_CREATE | os.O_TRUNC
	}
	f, err := os.OpenFile(path, flags, 0o644)
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("%s exists; use --force to overwrite it", path)
	}
	if err != nil {
		return fmt.Errorf("cannot create %s: %w", path, err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("cannot write %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("cannot write %s: %w", path, err)
	}
	return nil
}

// contractLintCommand lints manifest files: one "file:line: severity: msg"
// line per finding, a summary, exit 1 when any error was found.
func contractLintCommand() *cli.Command {
	return &cli.Command{
		Name:      "lint",
		Usage:     "check manifest files; prints file:line: severity: msg, exits 1 on any error",
		ArgsUsage: "FILE...",
		Description: "Errors: an empty or malformed path, a missing or future access date (checked_at),\n" +
			"a source URL that is not https, a base URL that is not a production https host,\n" +
			"duplicate ids or routes, unknown keys. Warning: an access date older than 90 days.\n" +
			"Exit status: 0 no errors (warnings allowed), 1 errors, 2 usage error.",
		Action: func(c *cli.Context) error {
			if c.NArg() == 0 {
				return cli.Exit("contract lint needs at least one FILE", 2)
			}
			errs, warns := lintFiles(c.App.Writer, c.Args().Slice(), time.Now())
			fmt.Fprintf(c.App.Writer, "%s, %s\n", plural(errs, "error"), plural(warns, "warning"))
			if errs > 0 {
				return cli.Exit("", 1)
			}
			return nil
		},
	}
}

// lintFiles lints each file against now and prints its findings to w; an
// unreadable file counts as one error. It returns the error and warning
// counts.
func lintFiles(w io.Writer, files []string, now time.Time) (errs, warns int) {
	for _, file := range files {
		data, err := contract.ReadFile(file)
		if err != nil {
			f := contract.Finding{File: file, Severity: contract.SeverityError, Msg: "cannot read manifest: " + readProblem(err)}
			fmt.Fprintln(w, f.String())
			errs++
			continue
		}
		found := contract.Lint(file, data, now)
		for _, f := range found {
			fmt.Fprintln(w, f.String())
		}
		errs += len(contract.Errors(found))
		warns += len(contract.Warnings(found))
	}
	return errs, warns
}

// readProblem describes a read error without repeating the path.
func readProblem(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
