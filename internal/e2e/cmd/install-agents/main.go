// Command install-agents installs the pinned agent CLIs of the end-to-end
// tests into their cache, so that CI spends that time before the tests run.
package main

import (
	"fmt"
	"os"
	"sort"

	"github.com/agentwrap/agentwrap/internal/e2e"
)

func main() {
	names := make([]string, 0, len(e2e.Agents))
	for n := range e2e.Agents {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		bin, err := e2e.Install(n)
		if err != nil {
			fmt.Fprintf(os.Stderr, "install-agents: %v\n", err)
			os.Exit(1)
		}
		fmt.Println(bin)
	}
}
