package redact_test

import (
	"fmt"

	"go.opentelemetry.io/otel/attribute"

	"github.com/agentwrap/agentwrap/redact"
)

func ExampleScanner_Scrub() {
	sc := redact.NewScanner("per-run-token-0001")
	out, hit := sc.Scrub("retry with per-run-token-0001, key sk-canary-0123456789abcdefgh")
	fmt.Println(out, hit)
	// Output: retry with [REDACTED], key [REDACTED] true
}

func ExampleScanner_Note() {
	fmt.Println(redact.NewScanner().Note("upstream 429,\n  retry-after present"))
	// Output: upstream 429, retry-after present
}

func ExampleGuard_Attributes() {
	g := redact.NewGuard([]string{"gen_ai.request.model", "agentwrap.notes"}, nil)
	out, dropped, masked := g.Attributes([]attribute.KeyValue{
		attribute.String("gen_ai.request.model", "claude-sonnet-4-5"),
		attribute.String("agentwrap.notes", "Authorization: Bearer sk-canary-0123456789abcdef"),
		attribute.String("prompt", "hello"),
	})
	for _, kv := range out {
		fmt.Printf("%s=%s\n", kv.Key, kv.Value.String())
	}
	fmt.Println("dropped", dropped, "masked", masked)
	// Output:
	// gen_ai.request.model=claude-sonnet-4-5
	// agentwrap.notes=Authorization: Bearer [REDACTED]
	// dropped 1 masked 1
}

func ExampleSecret() {
	key := redact.NewSecret("sk-canary-0123456789abcdefgh")
	fmt.Printf("%v %q %s\n", key, key, redact.Label(key)[:5])
	// Output: [REDACTED] "[REDACTED]" cred-
}
