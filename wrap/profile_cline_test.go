package wrap

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// clineDoc is the part of Cline's providers.json the overlay sets.
type clineDoc struct {
	Version          int    `json:"version"`
	LastUsedProvider string `json:"lastUsedProvider"`
	Providers        map[string]struct {
		Settings    map[string]any `json:"settings"`
		UpdatedAt   string         `json:"updatedAt"`
		TokenSource string         `json:"tokenSource"`
	} `json:"providers"`
}

func writeFile(t *testing.T, path, body string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
}

func readClineDoc(t *testing.T, env []string) (string, clineDoc) {
	t.Helper()
	overlay := lookupEnv(env, "CLINE_DATA_DIR")
	var doc clineDoc
	b, err := os.ReadFile(filepath.Join(overlay, "settings", "providers.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	return overlay, doc
}

// TestClineOverlayDataDir: the child's data directory is a per-run overlay
// whose providers.json routes the user's providers through the gateway
// (with the run token in managed mode) and keeps the rest; the user's
// other files are linked, their hub locks are not, and nothing of theirs
// is modified.
func TestClineOverlayDataDir(t *testing.T) {
	home := t.TempDir()
	data := filepath.Join(home, ".cline", "data")
	orig := `{"version":1,"lastUsedProvider":"openrouter","modes":{},"providers":{
  "openrouter":{"settings":{"provider":"openrouter","apiKey":"user-or","model":"x/y"},"updatedAt":"2026-01-01T00:00:00.000Z","tokenSource":"manual"},
  "openai-native":{"settings":{"provider":"openai-native","apiKey":"user-oa","model":"gpt-5"},"updatedAt":"2026-01-01T00:00:00.000Z","tokenSource":"manual"}}}`
	writeFile(t, filepath.Join(data, "settings", "providers.json"), orig)
	writeFile(t, filepath.Join(data, "settings", "global-settings.json"), "{}")
	writeFile(t, filepath.Join(data, "db", "tasks.db"), "")
	writeFile(t, filepath.Join(data, "locks", "hub", "production.json"), "{}")
	p, _ := LookupProfile("cline")

	_, env := apply(t, p, []string{"cline", "hi"}, []string{"HOME=" + home, "CLINE_PROVIDER_SETTINGS_PATH=" + filepath.Join(data, "settings", "providers.json")}, testGateway(testToken))
	overlay, doc := readClineDoc(t, env)
	if lookupEnv(env, "CLINE_PROVIDER_SETTINGS_PATH") != "" {
		t.Error("CLINE_PROVIDER_SETTINGS_PATH still set: it would bypass the overlay")
	}
	if doc.LastUsedProvider != "anthropic" {
		t.Errorf("selected %q, want anthropic (openrouter cannot be routed)", doc.LastUsedProvider)
	}
	for id, base := range map[string]string{"anthropic": testBase + "/v1", "openai-native": testBase + "/v1", "gemini": testBase + "/v1beta"} {
		s := doc.Providers[id].Settings
		if s["baseUrl"] != base || s["apiKey"] != testToken || s["provider"] != id || doc.Providers[id].UpdatedAt == "" {
			t.Errorf("%s: %+v", id, doc.Providers[id])
		}
	}
	if doc.Providers["openai-native"].Settings["model"] != "gpt-5" || doc.Providers["openrouter"].Settings["apiKey"] != "user-or" {
		t.Errorf("user settings lost: %+v", doc.Providers)
	}
	if _, ok := doc.Providers["openai"]; ok {
		t.Error("an OpenAI-compatible entry was invented")
	}
	for _, name := range []string{"db", filepath.Join("settings", "global-settings.json")} {
		if target, err := os.Readlink(filepath.Join(overlay, name)); err != nil || target != filepath.Join(data, name) {
			t.Errorf("%s: link to %q, %v", name, target, err)
		}
	}
	if _, err := os.Lstat(filepath.Join(overlay, "locks")); err == nil {
		t.Error("the user's hub locks are in the overlay: the run would use the user's hub")
	}
	if after, _ := os.ReadFile(filepath.Join(data, "settings", "providers.json")); string(after) != orig {
		t.Errorf("user providers.json modified: %s", after)
	}

	// Passthrough: the user's keys and selection stay, base URLs change,
	// nothing is invented.
	_, env = apply(t, p, []string{"cline"}, []string{"HOME=" + home}, testGateway(""))
	_, doc = readClineDoc(t, env)
	if doc.LastUsedProvider != "openrouter" || doc.Providers["openai-native"].Settings["apiKey"] != "user-oa" ||
		doc.Providers["openai-native"].Settings["baseUrl"] != testBase+"/v1" {
		t.Errorf("passthrough: %+v", doc)
	}
	if _, ok := doc.Providers["anthropic"]; ok {
		t.Error("passthrough invented an Anthropic entry")
	}
}

// TestClineOverlayFreshUser: a user who never ran Cline (no data directory)
// gets Anthropic selected with the run token; a malformed providers.json
// stops the run.
func TestClineOverlayFreshUser(t *testing.T) {
	home := t.TempDir()
	p, _ := LookupProfile("cline")
	_, env := apply(t, p, []string{"cline"}, []string{"HOME=" + home}, testGateway(testToken))
	_, doc := readClineDoc(t, env)
	if doc.Version != 1 || doc.LastUsedProvider != "anthropic" || doc.Providers["anthropic"].Settings["apiKey"] != testToken || doc.Providers["anthropic"].TokenSource != "manual" {
		t.Errorf("fresh user: %+v", doc)
	}
	if _, err := os.Stat(filepath.Join(home, ".cline")); err == nil {
		t.Error("the user's home got a .cline")
	}
	writeFile(t, filepath.Join(home, ".cline", "data", "settings", "providers.json"), "{not json")
	gw := testGateway(testToken)
	gw.FilesDir = t.TempDir()
	if _, _, err := p.Apply([]string{"cline"}, []string{"HOME=" + home}, gw); err == nil {
		t.Error("malformed providers.json: no error")
	}
}
