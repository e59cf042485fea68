package upstreamtest_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/agentwrap/agentwrap/internal/upstreamtest"
)

// errorRoute is one POST route and the error shape its family uses.
type errorRoute struct {
	name, path, body string
	shape            int // 0 OpenAI, 1 Anthropic, 2 Google
}

var errorRoutes = []errorRoute{
	{"chat", "/v1/chat/completions", `{"model":"gpt-5","messages":[]}`, 0},
	{"chat-stream", "/v1/chat/completions", `{"model":"gpt-5","stream":true,"messages":[]}`, 0},
	{"responses", "/v1/responses", `{"model":"gpt-5","stream":true,"input":"x"}`, 0},
	{"embeddings", "/v1/embeddings", `{"model":"text-embedding-3-small","input":"x"}`, 0},
	{"messages", "/v1/messages?beta=true", `{"model":"claude-x","max_tokens":8,"stream":true,"messages":[]}`, 1},
	{"count-tokens", "/v1/messages/count_tokens", `{"model":"claude-x","messages":[]}`, 1},
	{"gemini", "/v1beta/models/gemini-2.5-flash:generateContent", geminiBody, 2},
	{"gemini-sse", "/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse", geminiBody, 2},
}

// wantError is an error scenario's status and type (OpenAI type,
// Anthropic type, google.rpc status) in each shape, plus the OpenAI code.
type wantError struct {
	status [3]int
	typ    [3]string
	code   any
}

var errorScenarios = map[string]wantError{
	upstreamtest.ScenarioUnauthorized:    {[3]int{401, 401, 401}, [3]string{"invalid_request_error", "authentication_error", "UNAUTHENTICATED"}, "invalid_api_key"},
	upstreamtest.ScenarioForbidden:       {[3]int{403, 403, 403}, [3]string{"invalid_request_error", "permission_error", "PERMISSION_DENIED"}, nil},
	upstreamtest.ScenarioPaymentRequired: {[3]int{402, 402, 402}, [3]string{"insufficient_quota", "billing_error", "RESOURCE_EXHAUSTED"}, "insufficient_quota"},
	upstreamtest.ScenarioRateLimited:     {[3]int{429, 429, 429}, [3]string{"requests", "rate_limit_error", "RESOURCE_EXHAUSTED"}, "rate_limit_exceeded"},
	upstreamtest.ScenarioServerError:     {[3]int{500, 500, 500}, [3]string{"server_error", "api_error", "INTERNAL"}, nil},
	upstreamtest.ScenarioOverloaded:      {[3]int{503, 529, 503}, [3]string{"server_error", "overloaded_error", "UNAVAILABLE"}, nil},
	upstreamtest.ScenarioModelNotFound:   {[3]int{404, 404, 404}, [3]string{"invalid_request_error", "not_found_error", "NOT_FOUND"}, "model_not_found"},
	upstreamtest.ScenarioBadRequest:      {[3]int{400, 400, 400}, [3]string{"invalid_request_error", "invalid_request_error", "INVALID_ARGUMENT"}, nil},
}

// checkErrorBody checks an error body against its family's documented shape.
func checkErrorBody(t *testing.T, resp *http.Response, shape int, want wantError) map[string]any {
	t.Helper()
	if resp.StatusCode != want.status[shape] {
		t.Errorf("status %d, want %d", resp.StatusCode, want.status[shape])
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type %q", ct)
	}
	body := decode(t, readAll(t, resp.Body))
	msg, _ := path(body, "error", "message").(string)
	switch shape {
	case 0:
		inner, _ := body["error"].(map[string]any)
		_, hasParam := inner["param"]
		if code, hasCode := inner["code"]; inner["type"] != want.typ[0] || code != want.code || !hasCode || !hasParam || len(body) != 1 {
			t.Errorf("OpenAI error body %v", body)
		}
	case 1:
		if body["type"] != "error" || path(body, "error", "type") != want.typ[1] || body["request_id"] != resp.Header.Get("Request-Id") || body["request_id"] == "" {
			t.Errorf("Anthropic error body %v", body)
		}
	case 2:
		if path(body, "error", "code") != float64(want.status[2]) || path(body, "error", "status") != want.typ[2] {
			t.Errorf("Google error body %v", body)
		}
	}
	if msg == "" {
		t.Errorf("error body without message: %v", body)
	}
	return body
}

func TestErrorScenarios(t *testing.T) {
	s := upstreamtest.Start(t)
	for name, want := range errorScenarios {
		for _, r := range errorRoutes {
			t.Run(name+"/"+r.name, func(t *testing.T) {
				resp := post(t, s.URL()+r.path, r.body, upstreamtest.HeaderScenario+": "+name, "Authorization: Bearer "+canaryKey,
					"X-Api-Key: "+canaryKey, "X-Goog-Api-Key: "+canaryKey)
				checkErrorBody(t, resp, r.shape, want)
			})
		}
	}
}

func TestScenarioByModelName(t *testing.T) {
	s := upstreamtest.Start(t)
	model := upstreamtest.ScenarioModel(upstreamtest.ScenarioModelNotFound) + "-claude-sonnet"
	resp := post(t, s.URL()+"/v1/messages", `{"model":"`+model+`","max_tokens":8,"messages":[]}`)
	body := checkErrorBody(t, resp, 1, errorScenarios[upstreamtest.ScenarioModelNotFound])
	if path(body, "error", "message") != "model: "+model {
		t.Errorf("message %v", path(body, "error", "message"))
	}
	resp = post(t, s.URL()+"/v1beta/models/scenario-overloaded:streamGenerateContent?alt=sse", geminiBody)
	checkErrorBody(t, resp, 2, errorScenarios[upstreamtest.ScenarioOverloaded])
	resp = post(t, s.URL()+"/v1/chat/completions", `{"model":"scenario-no-such-thing","messages":[]}`)
	checkErrorBody(t, resp, 0, wantError{[3]int{400}, [3]string{"invalid_request_error"}, nil})
}

func TestUnknownScenarioHeader(t *testing.T) {
	s := upstreamtest.Start(t)
	resp := post(t, s.URL()+"/v1/messages", `{"model":"claude-x","max_tokens":8}`, upstreamtest.HeaderScenario+": nope")
	checkErrorBody(t, resp, 1, wantError{[3]int{0, 400}, [3]string{"", "invalid_request_error"}, nil})
}

// TestUnauthorizedEchoesKey proves the 401 echoes the presented credential
// in every family, from the header that family uses.
func TestUnauthorizedEchoesKey(t *testing.T) {
	const wrong = "sk-canary-wrong-0d9e"
	s := upstreamtest.Start(t, upstreamtest.WithKey(canaryKey))
	cases := []struct {
		r      errorRoute
		header string
	}{
		{errorRoutes[0], "Authorization: Bearer " + wrong},
		{errorRoutes[2], "Authorization: Bearer " + wrong},
		{errorRoutes[4], "X-Api-Key: " + wrong},
		{errorRoutes[4], "Authorization: Bearer " + wrong},
		{errorRoutes[5], "X-Api-Key: " + wrong},
		{errorRoutes[6], "X-Goog-Api-Key: " + wrong},
	}
	want := errorScenarios[upstreamtest.ScenarioUnauthorized]
	for _, c := range cases {
		t.Run(c.r.name+"/"+strings.Fields(c.header)[0], func(t *testing.T) {
			body := checkErrorBody(t, post(t, s.URL()+c.r.path, c.r.body, c.header), c.r.shape, want)
			if msg := fmt.Sprint(path(body, "error", "message")); !strings.Contains(msg, wrong) {
				t.Errorf("message %q does not echo the key", msg)
			}
		})
	}
	t.Run("gemini-query", func(t *testing.T) {
		body := checkErrorBody(t, post(t, s.URL()+errorRoutes[7].path+"&key="+wrong, geminiBody), 2, want)
		if !strings.Contains(fmt.Sprint(body), wrong) || !strings.Contains(fmt.Sprint(body), "API_KEY_INVALID") {
			t.Errorf("body %v", body)
		}
	})
	t.Run("missing", func(t *testing.T) {
		checkErrorBody(t, post(t, s.URL()+errorRoutes[0].path, errorRoutes[0].body), 0, wantError{[3]int{401}, [3]string{"invalid_request_error"}, nil})
	})
	t.Run("right-key-scenario", func(t *testing.T) {
		resp := post(t, s.URL()+errorRoutes[4].path, errorRoutes[4].body, "X-Api-Key: "+canaryKey, upstreamtest.HeaderScenario+": unauthorized")
		if msg := fmt.Sprint(path(checkErrorBody(t, resp, 1, want), "error", "message")); !strings.Contains(msg, canaryKey) {
			t.Errorf("message %q does not echo the key", msg)
		}
	})
}

func TestRateLimitedRetryHint(t *testing.T) {
	rate := upstreamtest.HeaderScenario + ": " + upstreamtest.ScenarioRateLimited
	s := upstreamtest.Start(t, upstreamtest.WithRetryAfter(7))
	for _, r := range errorRoutes {
		resp := post(t, s.URL()+r.path, r.body, rate)
		body := fmt.Sprint(checkErrorBody(t, resp, r.shape, errorScenarios[upstreamtest.ScenarioRateLimited]))
		if resp.Header.Get("Retry-After") != "7" || (r.shape == 2 && !strings.Contains(body, "retryDelay:7s")) {
			t.Errorf("%s: Retry-After %q, body %s", r.name, resp.Header.Get("Retry-After"), body)
		}
	}
	quiet := upstreamtest.Start(t, upstreamtest.WithNoRetryHint())
	for _, r := range errorRoutes {
		resp := post(t, quiet.URL()+r.path, r.body, rate)
		body := fmt.Sprint(checkErrorBody(t, resp, r.shape, errorScenarios[upstreamtest.ScenarioRateLimited]))
		if _, ok := resp.Header["Retry-After"]; ok || strings.Contains(body, "retry") || strings.Contains(body, "try again") {
			t.Errorf("%s: retry hint without hints: %v %s", r.name, resp.Header, body)
		}
	}
}

func TestHTML404(t *testing.T) {
	s := upstreamtest.Start(t)
	for _, r := range errorRoutes {
		resp := post(t, s.URL()+r.path, r.body, upstreamtest.HeaderScenario+": "+upstreamtest.ScenarioHTML404)
		body := readAll(t, resp.Body)
		if resp.StatusCode != 404 || resp.Header.Get("Content-Type") != "text/html; charset=utf-8" || !strings.HasPrefix(string(body), "<html>") {
			t.Errorf("%s: status %d, %q: %.40s", r.name, resp.StatusCode, resp.Header.Get("Content-Type"), body)
		}
	}
}
