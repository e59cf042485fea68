// Command customagent is a stand-in for an agent agentwrap has no built-in
// profile for: it reads only its own variable names, ACME_ENDPOINT (an
// OpenAI-style base URL with /v1) and ACME_TOKEN, makes one chat
// completion with the prompt in its arguments and prints the reply. Without
// its variables it exits 3 and calls nothing.
package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strings"
)

func main() {
	endpoint, token := os.Getenv("ACME_ENDPOINT"), os.Getenv("ACME_TOKEN")
	if endpoint == "" || token == "" {
		fmt.Fprintln(os.Stderr, "customagent: ACME_ENDPOINT and ACME_TOKEN must be set")
		os.Exit(3)
	}
	body, _ := json.Marshal(map[string]any{
		"model":    "gpt-5-mini",
		"messages": []any{map[string]any{"role": "user", "content": strings.Join(os.Args[1:], " ")}},
	})
	req, err := http.NewRequest(http.MethodPost, endpoint+"/chat/completions", strings.NewReader(string(body)))
	if err != nil {
		fmt.Fprintln(os.Stderr, "customagent:", err)
		os.Exit(1)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		fmt.Fprintln(os.Stderr, "customagent:", err)
		os.Exit(1)
	}
	defer resp.Body.Close()
	var out struct {
		Choices []struct {
			Message struct{ Content string }
		}
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != http.StatusOK || len(out.Choices) == 0 {
		fmt.Fprintf(os.Stderr, "customagent: status %d: %v\n", resp.StatusCode, err)
		os.Exit(1)
	}
	fmt.Println(out.Choices[0].Message.Content)
}
