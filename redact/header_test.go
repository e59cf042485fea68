package redact

import "testing"

func TestAllowedHeader(t *testing.T) {
	allowed := []string{
		"User-Agent", "content-type", "Content-Length", "content-encoding",
		"Retry-After", "X-Request-Id", "request-id", "anthropic-version",
		"Anthropic-Beta", "openai-beta", "X-Stainless-Retry-Count",
		"x-stainless-lang", "x-stainless-package-version", "x-stainless-os",
		"x-stainless-arch", "x-stainless-runtime", "x-stainless-runtime-version",
		"openai-processing-ms",
	}
	for _, h := range allowed {
		if !AllowedHeader(h) {
			t.Errorf("AllowedHeader(%q) = false", h)
		}
	}
	denied := []string{
		"Authorization", "authorization", "X-Api-Key", "x-goog-api-key", "Cookie",
		"Set-Cookie", "Proxy-Authorization", "api-key", "Api-Key", "x-auth-token",
		"openai-organization", "openai-project", "x-stainless-anything-new",
		"X-Forwarded-For", "", "user-agent-x", "traceparent",
	}
	for _, h := range denied {
		if AllowedHeader(h) {
			t.Errorf("AllowedHeader(%q) = true", h)
		}
	}
}

func TestURLPath(t *testing.T) {
	tests := []struct{ in, want string }{
		{"/v1/messages?beta=true", "/v1/messages"},
		{"https://alice:sk-canary-pass@api.cometapi.com/v1/chat/completions?key=AIzaCanary#frag", "/v1/chat/completions"},
		{"/v1beta/models/gemini-2.5-pro:streamGenerateContent?alt=sse&key=AIzaCanary", "/v1beta/models/gemini-2.5-pro:streamGenerateContent"},
		{"http://127.0.0.1:8080", ""},
		{"/a%20b/c", "/a%20b/c"},
		{"mailto:someone@example.com", ""},
		{"http://[::1", ""},
		{"/ctl\x7f?x=1", ""},
		{"", ""},
	}
	for _, tc := range tests {
		if got := URLPath(tc.in); got != tc.want {
			t.Errorf("URLPath(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
