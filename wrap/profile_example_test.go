package wrap_test

import (
	"fmt"
	"strings"

	"github.com/agentwrap/agentwrap/wrap"
)

// ExampleProfile_Apply shows the argv and environment a managed Codex run
// gets: the real key variable is gone, the per-run token takes its place.
func ExampleProfile_Apply() {
	argv := []string{"codex", "exec", "fix the test"}
	p, _ := wrap.LookupProfile(wrap.DetectProfile(argv[0]))
	gw := wrap.Gateway{BaseURL: "http://127.0.0.1:4711", Token: "run-token", RunID: "r1"}
	childArgv, childEnv := p.Apply(argv, []string{"COMETAPI_KEY=sk-real", "HOME=/home/me"}, gw)
	fmt.Println(strings.Join(childArgv, "\n"))
	fmt.Println(strings.Join(childEnv, "\n"))
	// Output:
	// codex
	// -c
	// model_provider="agentwrap"
	// -c
	// model_providers.agentwrap={name="agentwrap",base_url="http://127.0.0.1:4711/v1",env_key="OPENAI_API_KEY",wire_api="responses",supports_websockets=false}
	// exec
	// fix the test
	// HOME=/home/me
	// AGENTWRAP_RUN_ID=r1
	// OTEL_RESOURCE_ATTRIBUTES=agentwrap.run_id=r1
	// OPENAI_API_KEY=run-token
}
