package main

import (
	"slices"
	"strings"

	"github.com/urfave/cli/v2"
)

// interspersedCommands take flags after their arguments too:
// `agentwrap report latest --format md` means `report --format md latest`.
var interspersedCommands = []string{"report", "export", "runs"}

// reorderArgs moves the flags of an interspersed command ahead of its
// arguments; urfave/cli stops reading flags at the first argument. Other
// command lines, and everything after "--", are left as they are.
func reorderArgs(app *cli.App, args []string) []string {
	if len(args) < 2 {
		return args
	}
	values := valueFlags(app.Flags)
	for i := 1; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			return args
		case isFlag(a):
			if takesValue(a, values) {
				i++
			}
			continue
		}
		cmd := app.Command(a)
		if cmd == nil || !slices.Contains(interspersedCommands, cmd.Name) {
			return args
		}
		out := slices.Clone(args[:i+1])
		return append(out, flagsFirst(args[i+1:], valueFlags(cmd.Flags))...)
	}
	return args
}

// flagsFirst returns args with its flags (and their values) ahead of the
// other arguments, each group in its order.
func flagsFirst(args []string, values map[string]bool) []string {
	var flags, rest []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			return append(append(flags, rest...), args[i:]...)
		case isFlag(a):
			flags = append(flags, a)
			if takesValue(a, values) && i+1 < len(args) {
				i++
				flags = append(flags, args[i])
			}
		default:
			rest = append(rest, a)
		}
	}
	return append(flags, rest...)
}

func isFlag(a string) bool { return len(a) > 1 && a[0] == '-' }

// takesValue reports whether flag a is followed by its value as the next
// argument: a non-boolean flag written without "=".
func takesValue(a string, values map[string]bool) bool {
	name := strings.TrimLeft(a, "-")
	return !strings.Contains(name, "=") && values[name]
}

// valueFlags maps every name of flags to whether the flag takes a value.
func valueFlags(flags []cli.Flag) map[string]bool {
	out := map[string]bool{}
	for _, f := range flags {
		_, isBool := f.(*cli.BoolFlag)
		for _, n := range f.Names() {
			out[n] = !isBool
		}
	}
	return out
}
