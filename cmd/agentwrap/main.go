// Command agentwrap runs a coding agent behind a loopback model gateway and
// emits one sanitized OpenTelemetry span per model call.
package main

import (
	"errors"
	"fmt"
	"os"
	"slices"

	"github.com/urfave/cli/v2"
	"go.opentelemetry.io/otel"

	"github.com/agentwrap/agentwrap/internal/gctune"
	"github.com/agentwrap/agentwrap/wrap"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	// Before anything reads the key: the agent must not be able to read
	// agentwrap's memory or environment (README "Security").
	if err := wrap.ProtectProcess(); err != nil {
		fmt.Fprintln(os.Stderr, "agentwrap: warning:", err)
	}
	gctune.Apply(os.Getenv)
	os.Exit(run(os.Args))
}

// run executes the command line and maps its outcome to an exit status:
// the agent's own status for a wrapped run, 2 for usage errors, 1 for other
// errors. It is the only place errors become exit codes.
func run(args []string) int {
	// The SDK's process-wide error handler would print export failures
	// over the agent's terminal; runs count them for their summary instead.
	otel.SetErrorHandler(wrap.OTelErrorHandler())
	app := newApp(args)
	err := app.Run(reorderArgs(app, args))
	var ec cli.ExitCoder
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ec):
		if msg := err.Error(); msg != "" {
			fmt.Fprintln(os.Stderr, "agentwrap:", msg)
		}
		return ec.ExitCode()
	default:
		fmt.Fprintln(os.Stderr, "agentwrap:", err)
		return 1
	}
}

// newApp builds the command line. A command line with "--" whose first
// argument is not a subcommand wraps an agent: subcommands are then left out
// so that an agent that happens to share a subcommand's name (agentwrap --
// agents) is run, not shadowed.
func newApp(args []string) *cli.App {
	cmds := commands()
	if len(args) > 1 && slices.Contains(args[1:], "--") && !isCommand(cmds, args[1]) {
		cmds = nil
	}
	app := &cli.App{
		Name:      "agentwrap",
		Usage:     "run a coding agent behind a loopback model gateway, one sanitized OpenTelemetry span per model call",
		UsageText: "agentwrap [flags] -- AGENT [ARGS...]\nagentwrap COMMAND [flags]",
		Version:   version,
		Flags:     runFlags(),
		Action:    runAction,
		Commands:  cmds,
		// `agentwrap help [COMMAND]` shows the help; with "--" and an
		// agent, no command exists, so an agent named help still runs.
		HideHelpCommand: cmds == nil,
		ExitErrHandler:  func(*cli.Context, error) {},
	}
	strictUsage(app)
	return app
}

func isCommand(cmds []*cli.Command, name string) bool {
	for _, c := range cmds {
		if c.Name == name || slices.Contains(c.Aliases, name) {
			return true
		}
	}
	return false
}
