package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/agentwrap/agentwrap/contract"
)

// contractShowCommand prints a manifest as a table: each endpoint with its
// access date, age and documentation, then what the documentation leaves
// open.
func contractShowCommand() *cli.Command {
	return &cli.Command{
		Name:      "show",
		Usage:     "show the manifest in use: endpoints, access dates and their age, documentation URLs, unknowns",
		ArgsUsage: " ",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "contract", Usage: "contract manifest `FILE` (default: built-in CometAPI manifest)", EnvVars: []string{"AGENTWRAP_CONTRACT"}},
		},
		Action: func(c *cli.Context) error {
			if c.NArg() > 0 {
				return cli.Exit("contract show takes no arguments (use --contract FILE)", 2)
			}
			m := contract.Builtin()
			if path := setIn(c, "contract").String("contract"); path != "" {
				var err error
				if m, err = contract.Load(path); err != nil {
					return cli.Exit("contract show: "+err.Error(), 1)
				}
			}
			return showManifest(c.App.Writer, m, time.Now())
		},
	}
}

// showManifest writes m as a table, ages judged against now.
func showManifest(w io.Writer, m *contract.Manifest, now time.Time) error {
	fmt.Fprintf(w, "manifest: %s (%s)\nbase_url: %s\nowner:    %s\n", m.Name, m.File, m.BaseURL, m.Owner)
	if m.Support != "" {
		fmt.Fprintf(w, "support:  %s\n", m.Support)
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tFAMILY\tMETHOD\tPATH\tCHECKED_AT\tAGE_DAYS\tSOURCE_URLS")
	for i := range m.Endpoints {
		e := &m.Endpoints[i]
		urls := e.SourceURLs
		if len(urls) == 0 {
			urls = []string{"-"}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", e.ID, e.Family, e.Method, e.Path, e.CheckedAt, age(e, now), urls[0])
		for _, u := range urls[1:] {
			fmt.Fprintf(tw, "\t\t\t\t\t\t%s\n", u)
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	showUnknowns(w, m)
	return nil
}

// age is the whole number of days since e's access date, marked stale past
// contract.MaxAge.
func age(e *contract.Endpoint, now time.Time) string {
	t := e.CheckedTime()
	if t.IsZero() {
		return "-"
	}
	d := now.Sub(t)
	s := fmt.Sprintf("%d", int(d/(24*time.Hour)))
	if d > contract.MaxAge {
		s += " (stale: check the documentation again)"
	}
	return s
}

// showUnknowns lists what the documentation leaves open, each once, with
// the endpoints it concerns.
func showUnknowns(w io.Writer, m *contract.Manifest) {
	var order []string
	ids := map[string][]string{}
	for _, e := range m.Endpoints {
		for _, u := range e.Unknowns {
			if _, ok := ids[u]; !ok {
				order = append(order, u)
			}
			ids[u] = append(ids[u], e.ID)
		}
	}
	if len(order) == 0 {
		return
	}
	fmt.Fprintln(w, "\nunknowns (not settled by the documentation; never asserted by agentwrap):")
	for _, u := range order {
		which := strings.Join(ids[u], ", ")
		if len(ids[u]) == len(m.Endpoints) {
			which = "all"
		}
		fmt.Fprintf(w, "  - %s\n    endpoints: %s\n", u, which)
	}
}
