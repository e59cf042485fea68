package wrap

import (
	"fmt"
	"os"
	"strings"
)

// codexProvider is the model provider id agentwrap registers with Codex.
const codexProvider = "agentwrap"

// applyCommon makes the edits every profile shares.
func applyCommon(e *envList, gw Gateway) {
	keyEnv := gw.KeyEnv
	if keyEnv == "" {
		keyEnv = DefaultKeyEnv
	}
	e.unset(keyEnv)
	e.unset("TRACEPARENT")
	e.unset("TRACESTATE")
	if gw.TraceParent != "" {
		e.set("TRACEPARENT", gw.TraceParent)
	}
	if gw.RunID != "" {
		e.set("AGENTWRAP_RUN_ID", gw.RunID)
		old, _ := e.get("OTEL_RESOURCE_ATTRIBUTES")
		e.set("OTEL_RESOURCE_ATTRIBUTES", withResourceAttr(old, "agentwrap.run_id", gw.RunID))
	}
}

// wireAnthropicEnv points Anthropic clients (Claude Code) at the gateway. In
// managed mode it also removes what Claude Code would prefer over
// ANTHROPIC_API_KEY: ANTHROPIC_AUTH_TOKEN (a real credential, sent as a
// bearer token) and the Bedrock, Vertex and Foundry switches (which bypass
// ANTHROPIC_BASE_URL).
func wireAnthropicEnv(e *envList, gw Gateway) {
	e.set("ANTHROPIC_BASE_URL", baseURL(gw))
	if !gw.managed() {
		return
	}
	for _, name := range []string{"ANTHROPIC_AUTH_TOKEN", "CLAUDE_CODE_USE_BEDROCK", "CLAUDE_CODE_USE_VERTEX", "CLAUDE_CODE_USE_FOUNDRY"} {
		e.unset(name)
	}
	e.set("ANTHROPIC_API_KEY", gw.Token)
}

// wireGeminiEnv points Gemini clients at the gateway. In managed mode it sets
// the key, preselects API-key auth in Gemini CLI's auth dialog
// (GEMINI_DEFAULT_AUTH_TYPE) and removes the switches that route Gemini CLI
// to Google login or Vertex AI. When the child has a Gemini key and the run
// has a files directory, it also selects API-key auth through an overlay
// home (see geminiOverlay): the user's own files are never written.
func wireGeminiEnv(e *envList, gw Gateway) {
	e.set("GOOGLE_GEMINI_BASE_URL", baseURL(gw))
	if key, _ := e.get("GEMINI_API_KEY"); gw.FilesDir != "" && (key != "" || gw.managed()) {
		home, _ := e.get(geminiHomeEnv)
		if home == "" {
			home, _ = e.get("HOME")
		}
		if home == "" {
			home, _ = os.UserHomeDir()
		}
		if overlay, err := geminiOverlay(gw.FilesDir, home); err == nil {
			e.set(geminiHomeEnv, overlay)
		}
	}
	if !gw.managed() {
		return
	}
	e.unset("GOOGLE_GENAI_USE_GCA")
	e.unset("GOOGLE_GENAI_USE_VERTEXAI")
	e.set("GEMINI_API_KEY", gw.Token)
	e.set("GEMINI_DEFAULT_AUTH_TYPE", "gemini-api-key")
}

// wireOpenAIKey sets OPENAI_API_KEY in managed mode.
func wireOpenAIKey(e *envList, gw Gateway) {
	if gw.managed() {
		e.set("OPENAI_API_KEY", gw.Token)
	}
}

// codexArgv inserts, right after argv[0], the -c overrides that register the
// gateway as a Responses-API model provider and select it. Codex reads the
// key from the variable named by env_key (OPENAI_API_KEY).
func codexArgv(argv []string, gw Gateway) []string {
	if len(argv) == 0 {
		return argv
	}
	provider := fmt.Sprintf(
		"model_providers.%s={name=%s,base_url=%s,env_key=%s,wire_api=%s,supports_websockets=false}",
		codexProvider, tomlString(codexProvider), tomlString(baseURL(gw)+"/v1"),
		tomlString("OPENAI_API_KEY"), tomlString("responses"))
	out := make([]string, 0, len(argv)+4)
	out = append(out, argv[0], "-c", "model_provider="+tomlString(codexProvider), "-c", provider)
	return append(out, argv[1:]...)
}

// tomlString quotes s as a TOML basic string.
func tomlString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\u%04X`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// withResourceAttr returns an OTEL_RESOURCE_ATTRIBUTES value with key=value
// appended, replacing an earlier entry for key (a nested run) and keeping the
// other entries as they were.
func withResourceAttr(old, key, value string) string {
	var parts []string
	for _, part := range strings.Split(old, ",") {
		name, _, _ := strings.Cut(part, "=")
		if strings.TrimSpace(part) == "" || strings.TrimSpace(name) == key {
			continue
		}
		parts = append(parts, part)
	}
	return strings.Join(append(parts, key+"="+percentEncode(value)), ",")
}

// percentEncode escapes every byte outside [A-Za-z0-9._~-], as the OTel
// resource-attribute format requires for its values.
func percentEncode(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("._~-", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", c)
	}
	return b.String()
}
