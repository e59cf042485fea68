package main

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/agentwrap/agentwrap/contract"
	"github.com/agentwrap/agentwrap/internal/upstreamtest"
	"github.com/agentwrap/agentwrap/spans"
)

// routedEndpoint documents chat completions on a path the registry does not
// hold, the way OpenRouter serves them (/api/v1/chat/completions).
const routedEndpoint = `
  - id: example.prefixed_chat_completions
    family: openai.chat_completions
    method: POST
    path: /api/v1/chat/completions
    source_urls: [https://openrouter.ai/docs/api-reference/chat-completion]
    checked_at: %DATE%
    credential_headers: [authorization]
    required_fields: [model, messages]
    response_fields: [id, model, choices, usage]
    stream:
      events:
        - type: chat.completion.chunk
          fields: [id, model, choices]
      terminal: ["[DONE]"]
    error_shape: openai
`

// TestManifestRouteIsRecognised runs the binary with a user manifest that
// maps a new path to a known family: the agent's call on that path is
// recorded as that family and checked against that endpoint. Without the
// manifest, the same call is an unknown request family.
func TestManifestRouteIsRecognised(t *testing.T) {
	up := upstreamtest.New(upstreamtest.WithKey(canaryKey))
	// The upstream serves the OpenAI routes under /api as well as at the root.
	srv := httptest.NewServer(http.StripPrefix("/api", up))
	t.Cleanup(srv.Close)

	manifest := filepath.Join(t.TempDir(), "contract.yaml")
	yaml := string(contract.BuiltinYAML()) + strings.ReplaceAll(routedEndpoint, "%DATE%", time.Now().UTC().Format("2006-01-02"))
	if err := os.WriteFile(manifest, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	if r := runBinary(t, invocation{args: []string{"contract", "lint", manifest}, env: baseEnv(t), timeout: time.Minute}); r.code != 0 {
		t.Fatalf("contract lint: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	child := []string{"--", testChild(t), "-call", "OPENAI_BASE_URL", "-callpath", "/api/v1/chat/completions"}
	for _, tc := range []struct {
		name             string
		flags            []string
		family, endpoint string
		result           string
	}{
		{"user manifest", []string{"--contract", manifest}, "openai.chat_completions", "example.prefixed_chat_completions", spans.ResultPass},
		{"builtin manifest", nil, "unknown", "", spans.ResultFail},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append(append([]string{"--upstream", srv.URL, "--quiet"}, tc.flags...), child...)
			r := runBinary(t, invocation{args: args, env: append(baseEnv(t), "COMETAPI_KEY="+canaryKey), timeout: 2 * time.Minute})
			if r.code != 0 || !strings.Contains(r.stdout, "streaming") {
				t.Fatalf("exit %d\nstdout %s\nstderr %s", r.code, r.stdout, r.stderr)
			}
			calls := callSpans(r.spans)
			if len(calls) != 1 {
				t.Fatalf("%d call spans, want 1", len(calls))
			}
			a := calls[0].Attrs
			if a[string(spans.RequestFamily)] != tc.family || a[string(spans.URLPath)] != "/api/v1/chat/completions" ||
				a[string(spans.ResultClass)] != tc.result || a[string(spans.ContractEndpoint)] != tc.endpoint {
				t.Errorf("call span: family %v, path %v, result %v, endpoint %v; want %s, %s, %s",
					a[string(spans.RequestFamily)], a[string(spans.URLPath)], a[string(spans.ResultClass)],
					a[string(spans.ContractEndpoint)], tc.family, tc.result, tc.endpoint)
			}
			if tc.result == spans.ResultPass && (a[string(spans.GenAIOperationName)] != "chat" || a[string(spans.GenAIRequestModel)] != "gpt-testchild") {
				t.Errorf("call span: operation %v, model %v", a[string(spans.GenAIOperationName)], a[string(spans.GenAIRequestModel)])
			}
			assertNoCanary(t, r, nil, canaryKey, "-agentwrap-run-token")
		})
	}
}
