// Command canaryagent is a stand-in agent for agentwrap's canary tests. It
// makes model calls through the gateway it was pointed at, planting the
// canary given in $CANARY_PREFIX in every place a secret could travel:
// extra credential-like headers, the URL query, request bodies, the model
// name (an attribute of spans and metrics); it asks
// the test upstream for replies that echo the presented key (a 401 and an
// SSE event) and presents a wrong credential once. It prints only a count.
package main

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
)

func main() {
	p := os.Getenv("CANARY_PREFIX")
	openai := os.Getenv("OPENAI_BASE_URL")
	anthropic := os.Getenv("ANTHROPIC_BASE_URL")
	gemini := os.Getenv("GOOGLE_GEMINI_BASE_URL")
	token := os.Getenv("OPENAI_API_KEY")
	calls := []struct {
		method, url, body string
		hdr               map[string]string
	}{
		{"POST", openai + "/chat/completions?api_key=" + p + "query", `{"model":"gpt-5-mini","messages":[{"role":"user","content":"` + p + `prompt"}],"metadata":{"secret":"` + p + `body"}}`,
			map[string]string{"Authorization": "Bearer " + token, "X-Custom-Secret": p + "header", "Cookie": "session=" + p + "cookie"}},
		{"POST", openai + "/chat/completions", `{"model":"gpt-5-mini","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"` + p + `prompt"}]}`,
			map[string]string{"Authorization": "Bearer " + token, "X-Upstream-Scenario": "echo-secret-sse"}},
		{"POST", openai + "/chat/completions", `{"model":"` + p + `model","messages":[]}`,
			map[string]string{"Authorization": "Bearer " + token, "X-Upstream-Scenario": "unauthorized"}},
		{"POST", anthropic + "/v1/messages?beta=true", `{"model":"claude-sonnet-4-5","max_tokens":8,"stream":true,"system":"` + p + `system","messages":[{"role":"user","content":"` + p + `prompt"}]}`,
			map[string]string{"X-Api-Key": token, "Anthropic-Version": "2023-06-01", "X-Upstream-Scenario": "echo-secret-sse"}},
		{"POST", gemini + "/v1beta/models/gemini-2.5-flash:generateContent?key=" + token + "&extra=" + p + "query", `{"contents":[{"parts":[{"text":"` + p + `prompt"}]}]}`, nil},
		{"POST", openai + "/chat/completions", `{"model":"gpt-5-mini","messages":[]}`,
			map[string]string{"Authorization": "Bearer " + p + "wrong-credential"}},
	}
	n := 0
	for _, c := range calls {
		req, err := http.NewRequest(c.method, c.url, strings.NewReader(c.body))
		if err != nil {
			fmt.Fprintln(os.Stderr, "canaryagent: bad request")
			os.Exit(2)
		}
		req.Header.Set("Content-Type", "application/json")
		for k, v := range c.hdr {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			fmt.Fprintln(os.Stderr, "canaryagent: call failed")
			os.Exit(3)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		n++
	}
	fmt.Printf("canaryagent: %d calls\n", n)
}
