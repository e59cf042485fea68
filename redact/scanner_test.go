package redact

import (
	"strings"
	"sync"
	"testing"
)

// secretCases are canary values in each supported format. canary is a
// substring of the secret that must not survive scrubbing.
var secretCases = []struct {
	name, secret, canary string
}{
	{"openai", "sk-canary-Zq3xT9vLm2Kp8RwY4nB6", "Zq3xT9vLm2Kp8RwY4nB6"},
	{"openai project", "sk-proj-canaryAbC123dEf456GhI789jKl012mNo345_pQ-rS", "canaryAbC123"},
	{"anthropic", "sk-ant-api03-canaryXyZ0123456789abcdefABCDEF-ghIJklMN_opQR-AA", "canaryXyZ"},
	{"cometapi", "sk-canaryCometAPI0123456789abcdefghijklmnopqrstuvwx", "canaryCometAPI"},
	{"openrouter", "sk-or-v1-canary0123456789abcdef0123456789abcdef0123456789abcdef", "canary0123"},
	{"google api key", "AIzaSyCanary0123456789abcdefghijklmnop", "Canary0123"},
	{"google oauth", "ya29.a0AfH6SMCanary0123456789abcdefGHIJKLMN", "Canary0123"},
	{"aws access key id", "AKIACANARY0123456789", "CANARY0123"},
	{"aws secret key", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYCANARYKEY", "bPxRfiCY"},
	{"github classic", "ghp_canary0123456789ABCDEFGHIJKLMNOPQRS", "canary0123"},
	{"github fine-grained", "github_pat_11CANARY0_abcdefghij0123456789ABCDEFGHIJ", "11CANARY0"},
	{"gitlab", "glpat-canary0123456789abcd", "canary0123"},
	{"slack", "xoxb-123456789012-canary0123456", "canary0123"},
	{"hugging face", "hf_canaryABCDEFGHIJKLMNOPQRSTUVWXYZab", "canaryABCD"},
	{"groq", "gsk_canary0123456789ABCDEFGHIJ", "canary0123"},
	{"jwt", "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJjYW5hcnkiLCJpYXQiOjE3MDAwMDAwMDB9.c2lnbmF0dXJlLWNhbmFyeQ", "c2lnbmF0dXJlLWNhbmFyeQ"},
	{"bearer", "Bearer canarytoken.abc123", "canarytoken"},
	{"bearer lower", "authorization: bearer canary-run-token-0123", "canary-run-token"},
	{"basic", "Basic Y2FuYXJ5OnBhc3N3b3JkMTIz", "Y2FuYXJ5"},
	{"private key", "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7canary\nabc\n-----END PRIVATE KEY-----", "abc"},
	{"private key truncated", "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAACmNhbmFyeQ\nxyz", "xyz"},
	{"rsa private key", "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEAcanary\n-----END RSA PRIVATE KEY-----", "MIIEpAIBAAKCAQEAcanary"},
	{"high entropy", "Xk9fQ2mZ7pL4vR8sT1wY6bN3cJ5hD0gA", "Xk9fQ2mZ"},
	{"high entropy base64url", "q7Hn_x2Kp9Lw-Zt4Rv8Bm3Yc6Fd1Gs0J", "q7Hn_x2K"},
	{"bare hex key", "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", "9f86d081884c"},
	{"32-digit hex key", "key was 4bf92f3577b34da6a3ce929d0e0e4736 today", "4bf92f3577b3"},
	{"key glued into a response id", `"id":"chatcmpl-sk-canary0123456789abcdef0123"`, "canary0123"},
	{"key after an underscore", "run_sk-ant-api03-canary0123456789abcdef", "canary0123"},
	{"key deep inside a word", "x-gen-AIzaSyCanary0123456789abcdefghijklmnop", "Canary0123"},
	{"api_key assignment", "api_key=canarysecret99", "canarysecret99"},
	{"x-api-key header", "x-api-key: canary-api-key-value", "canary-api-key-value"},
	{"client secret json", `"client_secret": "canaryClientSecret"`, "canaryClientSecret"},
	{"password", "password=hunter2canary", "hunter2canary"},
	{"url userinfo", "https://alice:canarypass@example.com/v1", "canarypass"},
	{"key in path", "/v1/keys/sk-canary-0123456789abcdefgh/usage", "0123456789abcdefgh"},
}

func TestScrubSecretFormats(t *testing.T) {
	var sc *Scanner // nil: patterns only
	for _, tc := range secretCases {
		t.Run(tc.name, func(t *testing.T) {
			in := "upstream said: " + tc.secret + " (end)"
			out, hit := sc.Scrub(in)
			if !hit {
				t.Fatalf("Scrub(%q) reported nothing", in)
			}
			if strings.Contains(out, tc.canary) {
				t.Fatalf("Scrub(%q) = %q still holds %q", in, out, tc.canary)
			}
			// A private key without its END line is masked to the end.
			tail := " (end)"
			if strings.HasSuffix(tc.name, "truncated") {
				tail = Marker
			}
			if !strings.Contains(out, Marker) || !strings.HasPrefix(out, "upstream said: ") || !strings.HasSuffix(out, tail) {
				t.Fatalf("Scrub(%q) = %q: want the context kept around %s", in, out, Marker)
			}
			if again, hit := sc.Scrub(out); hit || again != out {
				t.Fatalf("Scrub not idempotent: %q -> %q", out, again)
			}
		})
	}
}

func TestScrubSecretAlone(t *testing.T) {
	for _, tc := range secretCases {
		out, hit := (*Scanner)(nil).Scrub(tc.secret)
		if !hit || strings.Contains(out, tc.canary) {
			t.Errorf("%s: Scrub(%q) = %q, %v", tc.name, tc.secret, out, hit)
		}
	}
}

// cleanValues are typical recorded values that must pass unchanged.
var cleanValues = []string{
	"claude-sonnet-4-5", "claude-sonnet-4-5-20250929", "claude-opus-4-1-20250805",
	"claude-3-5-haiku-latest", "gpt-5-codex", "gpt-4o-mini-2024-07-18", "o4-mini",
	"gemini-2.5-pro", "gemini-2.5-flash-preview-09-2025", "qwen3-coder-plus",
	"Qwen/Qwen3-Coder-480B-A35B-Instruct", "meta-llama/Llama-3.3-70B-Instruct-Turbo",
	"deepseek-ai/DeepSeek-V3.1-Terminus", "mistralai/Mixtral-8x22B-Instruct-v0.1",
	"NousResearch/Hermes-3-Llama-3.1-405B", "x-ai/grok-4-fast", "xai-grok-4-fast-reasoning",
	"/v1/messages", "/v1/messages/count_tokens", "/v1/chat/completions", "/v1/responses",
	"/v1beta/models/gemini-2.5-pro:streamGenerateContent", "/v1/models",
	"openai.chat_completions", "openai.responses", "anthropic.messages",
	"anthropic.count_tokens", "gemini.generate_content", "models.list", "unknown",
	"upstream 429, retry-after present", "missing required field: max_tokens",
	"max_tokens: 4096", "max_tokens=1024", "input_tokens=123456789",
	"credential rejected by the upstream", "request refused by the upstream",
	"upstream server error", "stream ended without message_stop", "cancelled",
	"non-JSON reply where JSON is documented (text/html)", "token: expired",
	"bearer token missing", "Bearer authentication failed", "Basic authentication failed",
	"Bearer", "x-api-key", "api_key", "password reset", "secret: none",
	"2026-11-30T02:57:54Z", "2026-11-30T02:57:54.123456789+01:00", "2026-11-30",
	"https://apidoc.cometapi.com/api-13851472",
	"https://apidoc.cometapi.com/chat-completions-7073131m0",
	"https://docs.anthropic.com/en/api/messages",
	"https://platform.openai.com/docs/api-reference/responses/create",
	"https://ai.google.dev/api/generate-content#v1beta.models.generateContent",
	"https://api.cometapi.com", "api.cometapi.com", "127.0.0.1:43117",
	"20261130T025754Z-3f9a2c", "20261130T025754Z-3f9a2c1d4e5f",
	"CLAUDE.md sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
	"AGENTS.md sha256:E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855",
	"00f067aa0ba902b7",
	"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
	"3f9a2c4e-1b2d-4c5e-8f9a-0b1c2d3e4f5a",
	"claude-cli/2.0.14 (external, cli)",
	"codex_cli_rs/0.46.0 (Ubuntu 24.4.0; x86_64) xterm-256color",
	"GeminiCLI/0.9.0 (linux; x64)", "OpenAI/Python 1.99.9", "Anthropic/JS 0.65.0",
	"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko)",
	"chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG", "msg_01XFDUDYJgAACzvnptvVoYEL",
	"resp_67ccd2bed1ec8190b14f964abc0542670bb6a6b452d3795b",
	"toolu_01A09q90qw90lq917835lq9", "x2eVaNGYMISz1dkPz9vdiAo",
	"end_turn", "stop", "tool_use", "max_tokens", "contract_mismatch", "auth_rejected",
	"needs_follow_up", "operator_follow_up", "unexpected_response",
	"invoke_agent claude", "chat gpt-5", "x-stainless-package-version",
	"stale gateway: CLAUDE.md names api.openai.com, upstream is api.cometapi.com",
	"text/event-stream; charset=utf-8", "application/json", "HTTP/1.1 502 Bad Gateway",
	"ThisIsAVeryLongCamelCaseIdentifierName", "streamGenerateContent",
	"XMLHttpRequestEventTargetPrototype", "task-runner", "disk-usage-report-2026",
	Marker, "key " + Marker, "Bearer " + Marker, "api_key=" + Marker, "",
}

func TestScrubNoFalsePositives(t *testing.T) {
	sc := NewScanner("sk-canary-known-value-0001")
	for _, v := range cleanValues {
		if out, hit := sc.Scrub(v); hit || out != v {
			t.Errorf("Scrub(%q) = %q, %v: want unchanged", v, out, hit)
		}
	}
}

func TestScrubKnownValues(t *testing.T) {
	real := "cometKEYcanary"    // no pattern would catch it
	token := "run-token-canary" // nor this
	sc := NewScanner("", real, token)
	in := "sent " + real + " and " + token + " and " + real + "x"
	out, hit := sc.Scrub(in)
	if !hit || strings.Contains(out, real) || strings.Contains(out, token) {
		t.Fatalf("Scrub(%q) = %q, %v", in, out, hit)
	}
	if want := "sent [REDACTED] and [REDACTED] and [REDACTED]x"; out != want {
		t.Fatalf("Scrub = %q, want %q", out, want)
	}
	sc.Add("lateADDEDvalue")
	if out := sc.ScrubText("a lateADDEDvalue b"); out != "a [REDACTED] b" {
		t.Fatalf("after Add: %q", out)
	}
}

func TestScrubKnownOverlappingMarker(t *testing.T) {
	sc := NewScanner("RED", "x[REDACTED]y", "ED]zz")
	for _, in := range []string{"RED", "x" + "sk-canary-0123456789abcdefgh" + "y", "[REDACTED]zz", "REDACTED"} {
		out, _ := sc.Scrub(in)
		if strings.Contains(out, "x[REDACTED]y") || strings.Contains(out, "ED]zz") {
			t.Errorf("Scrub(%q) = %q still holds a known value", in, out)
		}
		if again, hit := sc.Scrub(out); hit {
			t.Errorf("Scrub(%q) not stable: %q -> %q", in, out, again)
		}
	}
}

func TestScrubConcurrent(t *testing.T) {
	sc := NewScanner("first-known-canary")
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 200 {
				if i == 0 && j%50 == 0 {
					sc.Add("added-canary-" + string(rune('a'+j/50)))
				}
				if out := sc.ScrubText("x first-known-canary y"); out != "x [REDACTED] y" {
					t.Errorf("got %q", out)
					return
				}
			}
		}()
	}
	wg.Wait()
	if out := sc.ScrubText("added-canary-d"); out != Marker {
		t.Fatalf("added value not masked: %q", out)
	}
}

func TestNote(t *testing.T) {
	sc := NewScanner("per-run-token-canary")
	tests := []struct{ in, want string }{
		{"upstream 429,\n\tretry-after   present\x00", "upstream 429, retry-after present"},
		{"  leading and trailing  ", "leading and trailing"},
		{"token per-run-token-canary rejected", "token [REDACTED] rejected"},
		{"Bearer\x00\x01canary0123456789token", "Bearer [REDACTED]"},
		{"bad \xff byte", "bad \ufffd byte"},
		{"zero\u200bwidth", "zero width"},
	}
	for _, tc := range tests {
		if got := sc.Note(tc.in); got != tc.want {
			t.Errorf("Note(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestNoteTruncates(t *testing.T) {
	long := strings.Repeat("é", 300)
	got := (*Scanner)(nil).Note(long)
	if n := len([]rune(got)); n != MaxNote {
		t.Fatalf("len = %d runes, want %d", n, MaxNote)
	}
	if !strings.HasSuffix(got, "…") {
		t.Fatalf("no ellipsis: %q", got[len(got)-8:])
	}
	exact := strings.Repeat("a", MaxNote)
	if got := (*Scanner)(nil).Note(exact); got != exact {
		t.Fatalf("a note of exactly %d characters was changed", MaxNote)
	}
}

func TestScrubLinearTime(t *testing.T) {
	// Many regions and many PEM headers in one string must not take
	// quadratic time; this runs in milliseconds when linear.
	var b strings.Builder
	for range 20000 {
		b.WriteString("sk-canary-0123456789abcdefgh -----BEGIN CERTIFICATE ")
	}
	out, hit := (*Scanner)(nil).Scrub(b.String())
	if !hit || strings.Contains(out, "sk-canary") {
		t.Fatal("keys not masked")
	}
}
