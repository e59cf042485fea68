package wrap

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestGeminiSettingsOverlayKeepsSystemSettingsAndSelectsAPIKeyAuth(t *testing.T) {
	dir := t.TempDir()
	system := filepath.Join(t.TempDir(), "system.json")
	orig := `{"general":{"vimMode":true},"security":{"auth":{"selectedType":"oauth-personal","useExternal":false}}}`
	if err := os.WriteFile(system, []byte(orig), 0o644); err != nil {
		t.Fatal(err)
	}
	base := []string{"PATH=/bin", geminiSystemSettingsEnv + "=" + system}
	p, _ := LookupProfile("gemini")
	_, env := p.Apply([]string{"gemini"}, base, Gateway{BaseURL: "http://127.0.0.1:1", Token: "tok", FilesDir: dir})
	path := lookupEnv(env, geminiSystemSettingsEnv)
	if !strings.HasPrefix(path, dir) {
		t.Fatalf("%s = %q, want a file in the run directory", geminiSystemSettingsEnv, path)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		General  map[string]any
		Security struct{ Auth map[string]any }
	}
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	if got.Security.Auth["selectedType"] != "gemini-api-key" || got.Security.Auth["useExternal"] != false || got.General["vimMode"] != true {
		t.Errorf("overlay %s", b)
	}
	if after, _ := os.ReadFile(system); string(after) != orig {
		t.Errorf("system settings file modified: %s", after)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("overlay mode %v, %v", fi.Mode(), err)
	}
}

func TestGeminiSettingsOverlayWithoutFilesDirLeavesVariableAlone(t *testing.T) {
	p, _ := LookupProfile("gemini")
	_, env := p.Apply([]string{"gemini"}, []string{"PATH=/bin"}, Gateway{BaseURL: "http://127.0.0.1:1", Token: "tok"})
	if v := lookupEnv(env, geminiSystemSettingsEnv); v != "" {
		t.Errorf("%s set to %q without a files directory", geminiSystemSettingsEnv, v)
	}
}
