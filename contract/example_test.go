package contract_test

import (
	"fmt"
	"strings"
	"time"

	"github.com/agentwrap/agentwrap/contract"
)

// The gateway matches a call to its manifest entry, then checks the request
// and, once it ended, the response.
func Example() {
	m := contract.Builtin()
	path, _, _ := strings.Cut("/v1/messages?beta=true", "?")
	e, _ := m.Match("POST", path)
	fmt.Println(e.ID, e.CheckedAtRFC3339())

	problems := contract.CheckRequest(e,
		[]string{"X-Api-Key", "Content-Type", "Anthropic-Version"},
		[]string{"model", "messages"}, false)
	fmt.Println(problems)

	problems = contract.CheckResponse(e, contract.Response{Status: 200, Stream: true})
	fmt.Println(problems)
	// Output:
	// cometapi.messages 2026-11-30T00:00:00Z
	// [missing required field: max_tokens]
	// [stream ended without terminal event message_stop]
}

// Lint reports each problem at its line.
func ExampleLint() {
	manifest := `version: 1
base_url: https://staging.cometapi.com
owner: platform team
endpoints:
  - id: chat
    family: openai.chat_completions
    method: POST
    path: v1/chat/completions
    source_urls: [http://apidoc.cometapi.com/api/text/chat]
    checked_at: 2026-05-09
    error_shape: openai
`
	now := time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)
	for _, f := range contract.Lint("contract.yaml", []byte(manifest), now) {
		fmt.Println(f)
	}
	// Output:
	// contract.yaml:2: error: base_url host staging.cometapi.com is not a production host (name says staging)
	// contract.yaml:8: error: malformed path "v1/chat/completions": must start with "/"
	// contract.yaml:9: error: source URL is not https: http://apidoc.cometapi.com/api/text/chat
	// contract.yaml:10: warning: checked_at 2026-05-09 is 205 days old (over 90): check the documentation again
}

// Match returns path parameters, including one with a literal suffix in its
// segment.
func ExampleManifest_Match() {
	e, params := contract.Builtin().Match("POST", "/v1beta/models/gemini-2.5-flash:streamGenerateContent")
	fmt.Println(e.ID, params["model"], e.StreamAlways)
	// Output: cometapi.gemini_stream_generate_content gemini-2.5-flash true
}
