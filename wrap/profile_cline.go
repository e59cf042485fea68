package wrap

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// Why an overlay data directory: Cline CLI reads its providers, their keys
// and base URLs only from <data-dir>/settings/providers.json (no base-URL
// variables), and finds its hub daemon through <data-dir>/locks. So the
// child gets CLINE_DATA_DIR pointing at a per-run overlay holding a symlink
// to every entry of the user's data directory except settings and locks;
// settings holds a symlink to every settings file except providers.json,
// which is the user's with the providers agentwrap can route pointed at the
// gateway. The run gets its own hub daemon (its locks are the overlay's),
// which ends with the run. Sessions, history and the task database are the
// user's own files through the symlinks.

// clineRoutes maps the Cline providers agentwrap routes to the gateway path
// their SDK appends its endpoints to.
var clineRoutes = map[string]string{
	"anthropic":     "/v1",
	"openai-native": "/v1",
	"openai":        "/v1",
	"gemini":        "/v1beta",
}

// clineDefaultProvider is selected in managed mode when the user's selected
// provider cannot be routed (Cline's own account service, the default).
const clineDefaultProvider = "anthropic"

// clineDataDir builds the overlay data directory and points CLINE_DATA_DIR
// at it. It needs the run's files directory.
func clineDataDir(e *envList, gw Gateway) error {
	if gw.FilesDir == "" {
		return fmt.Errorf("cannot point Cline at the gateway: no run directory for its overlay data directory")
	}
	real, _ := e.get("CLINE_DATA_DIR")
	if real == "" {
		dir, _ := e.get("CLINE_DIR")
		if dir == "" {
			dir = filepath.Join(homeOf(e), ".cline")
		}
		real = filepath.Join(dir, "data")
	}
	providers, _ := e.get("CLINE_PROVIDER_SETTINGS_PATH")
	if providers == "" {
		providers = filepath.Join(real, "settings", "providers.json")
	}
	overlay := filepath.Join(gw.FilesDir, "cline-data")
	if err := linkOverlay(real, overlay, "settings", "locks"); err != nil {
		return fmt.Errorf("cannot build Cline's overlay data directory: %w", err)
	}
	settings := filepath.Join(overlay, "settings")
	if err := linkOverlay(filepath.Join(real, "settings"), settings, "providers.json"); err != nil {
		return fmt.Errorf("cannot build Cline's overlay data directory: %w", err)
	}
	doc, err := clineProviders(providers, gw, time.Now())
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(settings, "providers.json"), doc, 0o600); err != nil {
		return fmt.Errorf("cannot write Cline's overlay provider settings: %w", err)
	}
	e.unset("CLINE_PROVIDER_SETTINGS_PATH")
	e.set("CLINE_DATA_DIR", overlay)
	return nil
}

// clineProviders returns the provider settings file: the user's (at path)
// with every routable provider's baseUrl set to the gateway and, in managed
// mode, its apiKey set to the run token; Anthropic, OpenAI and Gemini
// entries added when missing; and the Anthropic provider selected when the
// selected one cannot be routed.
func clineProviders(path string, gw Gateway, now time.Time) ([]byte, error) {
	doc := map[string]any{}
	if b, err := os.ReadFile(path); err == nil {
		if err := json.Unmarshal(b, &doc); err != nil || doc == nil {
			return nil, fmt.Errorf("cannot read Cline's provider settings: %w", err)
		}
	}
	if doc["version"] == nil {
		doc["version"] = 1
	}
	if _, ok := doc["modes"].(map[string]any); !ok {
		doc["modes"] = map[string]any{}
	}
	providers, _ := doc["providers"].(map[string]any)
	if providers == nil {
		providers = map[string]any{}
		doc["providers"] = providers
	}
	stamp := now.UTC().Format("2006-01-02T15:04:05.000Z")
	for id, suffix := range clineRoutes {
		entry, ok := providers[id].(map[string]any)
		if !ok {
			if !gw.managed() || id == "openai" {
				// The OpenAI-compatible provider needs a model the user names.
				continue
			}
			entry = map[string]any{"updatedAt": stamp, "tokenSource": "manual"}
			providers[id] = entry
		}
		s, _ := entry["settings"].(map[string]any)
		if s == nil {
			s = map[string]any{}
			entry["settings"] = s
		}
		s["provider"] = id
		s["baseUrl"] = baseURL(gw) + suffix
		if gw.managed() {
			s["apiKey"] = gw.Token
		}
	}
	if last, _ := doc["lastUsedProvider"].(string); gw.managed() && clineRoutes[last] == "" {
		doc["lastUsedProvider"] = clineDefaultProvider
	}
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return nil, err
	}
	return b, nil
}
