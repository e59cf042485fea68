package main

import (
	"fmt"
	"os/exec"
	"strings"
	"text/tabwriter"

	"github.com/urfave/cli/v2"

	"github.com/agentwrap/agentwrap/wrap"
)

// agentsCommand lists the agent profiles and whether each profile's agents
// are found on PATH.
func agentsCommand() *cli.Command {
	return &cli.Command{
		Name:      "agents",
		Usage:     "list agent profiles and whether each agent is found on PATH",
		ArgsUsage: " ",
		Action: func(c *cli.Context) error {
			w := tabwriter.NewWriter(c.App.Writer, 0, 4, 2, ' ', 0)
			fmt.Fprintln(w, "PROFILE\tAGENT\tFOUND\tWIRING")
			for _, p := range wrap.Profiles() {
				agents := p.Agents
				if len(agents) == 0 {
					fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", p.Name, "(any other)", "-", p.Description)
					continue
				}
				for _, a := range agents {
					found := "no"
					if path, err := exec.LookPath(a); err == nil {
						found = path
					}
					fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", p.Name, a, found, strings.TrimSpace(p.Description))
				}
			}
			return w.Flush()
		},
	}
}
