package wrap

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
)

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

// homeOf returns the child's home directory: HOME in its environment, else
// the user's.
func homeOf(e *envList) string {
	if home, _ := e.get("HOME"); home != "" {
		return home
	}
	home, _ := os.UserHomeDir()
	return home
}

// geminiHome selects API-key auth in Gemini CLI. When the child has a Gemini
// key and the run has a files directory, it does so through an overlay home
// (see geminiOverlay): the user's own files are never written. In managed
// mode it also preselects API-key auth in Gemini CLI's auth dialog
// (GEMINI_DEFAULT_AUTH_TYPE).
func geminiHome(e *envList, gw Gateway) {
	if key, _ := e.get("GEMINI_API_KEY"); gw.FilesDir != "" && key != "" {
		home, _ := e.get(geminiHomeEnv)
		if home == "" {
			home = homeOf(e)
		}
		if overlay, err := geminiOverlay(gw.FilesDir, home); err == nil {
			e.set(geminiHomeEnv, overlay)
		}
	}
	if gw.managed() {
		e.set("GEMINI_DEFAULT_AUTH_TYPE", "gemini-api-key")
	}
}

// opencodeConfig points OpenCode's Anthropic, OpenAI and Google providers
// at the gateway through OPENCODE_CONFIG_CONTENT, the inline configuration
// OpenCode merges over its configuration files: the AI SDK's Google
// provider reads no base-URL variable, and a provider base URL in the
// user's opencode.json would win over the variables. A configuration the
// user already passes inline is kept, with the base URLs set in it.
func opencodeConfig(e *envList, gw Gateway) error {
	cfg := map[string]any{}
	if old, _ := e.get(opencodeConfigEnv); strings.TrimSpace(old) != "" {
		if err := json.Unmarshal(stripJSONComments([]byte(old)), &cfg); err != nil || cfg == nil {
			return fmt.Errorf("cannot read %s: %w", opencodeConfigEnv, err)
		}
	}
	base := baseURL(gw)
	for id, url := range map[string]string{"anthropic": base + "/v1", "openai": base + "/v1", "google": base + "/v1beta"} {
		setPath(cfg, url, "provider", id, "options", "baseURL")
	}
	b, err := json.Marshal(cfg)
	if err != nil {
		return err
	}
	e.set(opencodeConfigEnv, string(b))
	return nil
}

// opencodeConfigEnv is OpenCode's inline configuration variable.
const opencodeConfigEnv = "OPENCODE_CONFIG_CONTENT"

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
