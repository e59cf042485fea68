package wrap_test

import (
	"fmt"
	"strings"

	"github.com/agentwrap/agentwrap/wrap"
)

// ExampleProfile_Apply shows the environment a managed Claude Code run
// gets: the real key variable is gone, the per-run token takes its place.
func ExampleProfile_Apply() {
	argv := []string{"claude", "-p", "fix the test"}
	p, _ := wrap.LookupProfile(wrap.DetectProfile(argv[0]))
	gw := wrap.Gateway{BaseURL: "http://127.0.0.1:4711", Token: "run-token", RunID: "r1"}
	_, childEnv, _ := p.Apply(argv, []string{"COMETAPI_KEY=sk-real", "HOME=/home/me"}, gw)
	fmt.Println(strings.Join(childEnv, "\n"))
	// Output:
	// HOME=/home/me
	// AGENTWRAP_RUN_ID=r1
	// OTEL_RESOURCE_ATTRIBUTES=agentwrap.run_id=r1
	// ANTHROPIC_BASE_URL=http://127.0.0.1:4711
	// ANTHROPIC_API_KEY=run-token
}
