package main

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"text/tabwriter"

	"github.com/urfave/cli/v2"

	"github.com/agentwrap/agentwrap/wrap"
)

// agentsCommand lists the agent profiles, the user's beside the built-in
// ones, and whether each profile's agents are found on PATH. A malformed
// profiles file is an error (exit 2) reported with its file:line.
func agentsCommand() *cli.Command {
	return &cli.Command{
		Name:      "agents",
		Usage:     "list agent profiles (built-in and the user's) and whether each agent is found on PATH",
		ArgsUsage: " ",
		Flags:     []cli.Flag{profilesFlag()},
		Action: func(c *cli.Context) error {
			set, err := wrap.LoadProfiles(setIn(c, "profiles").String("profiles"), os.Getenv)
			if err != nil {
				return cli.Exit(err.Error(), 2)
			}
			w := tabwriter.NewWriter(c.App.Writer, 0, 4, 2, ' ', 0)
			fmt.Fprintln(w, "PROFILE\tAGENT\tFOUND\tSOURCE\tWIRING")
			for _, p := range set.All() {
				desc := strings.TrimSpace(p.Description)
				if len(p.Agents) == 0 {
					sel := "(--profile)"
					if p.Name == "generic" {
						sel = "(any other)"
					}
					fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", p.Name, sel, "-", p.Source, desc)
					continue
				}
				for _, a := range p.Agents {
					found := "no"
					if path, err := exec.LookPath(a); err == nil {
						found = path
					}
					fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", p.Name, a, found, p.Source, desc)
				}
			}
			return w.Flush()
		},
	}
}
