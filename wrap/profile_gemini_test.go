package wrap

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestGeminiOverlayHomeSelectsAPIKeyAuthWithoutTouchingUserFiles(t *testing.T) {
	run := t.TempDir()
	home := t.TempDir()
	real := filepath.Join(home, ".gemini")
	if err := os.MkdirAll(filepath.Join(real, "tmp"), 0o700); err != nil {
		t.Fatal(err)
	}
	orig := "{\n  // the user's choice\n  \"general\": {\"vimMode\": true, \"note\": \"a // b\"},\n  /* auth */ \"security\": {\"auth\": {\"selectedType\": \"oauth-personal\"}}\n}\n"
	for name, body := range map[string]string{"settings.json": orig, "GEMINI.md": "memory", "oauth_creds.json": "{}"} {
		if err := os.WriteFile(filepath.Join(real, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	p, _ := LookupProfile("gemini")
	_, env, _ := p.Apply([]string{"gemini"}, []string{"PATH=/bin", "HOME=" + home}, Gateway{BaseURL: "http://127.0.0.1:1", Token: "tok", FilesDir: run})
	overlay := lookupEnv(env, geminiHomeEnv)
	if !strings.HasPrefix(overlay, run) {
		t.Fatalf("%s = %q, want a directory in the run's files", geminiHomeEnv, overlay)
	}
	b, err := os.ReadFile(filepath.Join(overlay, ".gemini", "settings.json"))
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
	if got.Security.Auth["selectedType"] != "gemini-api-key" || got.General["vimMode"] != true || got.General["note"] != "a // b" {
		t.Errorf("overlay settings %s", b)
	}
	for _, name := range []string{"GEMINI.md", "oauth_creds.json", "tmp"} {
		target, err := os.Readlink(filepath.Join(overlay, ".gemini", name))
		if err != nil || target != filepath.Join(real, name) {
			t.Errorf("%s: link to %q, %v", name, target, err)
		}
	}
	if after, _ := os.ReadFile(filepath.Join(real, "settings.json")); string(after) != orig {
		t.Errorf("user settings modified: %s", after)
	}
}

func TestGeminiOverlayNeedsFilesDirAndAKey(t *testing.T) {
	p, _ := LookupProfile("gemini")
	home := t.TempDir()
	for _, tc := range []struct {
		name string
		env  []string
		gw   Gateway
	}{
		{"no files dir", []string{"HOME=" + home}, Gateway{BaseURL: "http://127.0.0.1:1", Token: "tok"}},
		{"passthrough without a key", []string{"HOME=" + home}, Gateway{BaseURL: "http://127.0.0.1:1", FilesDir: t.TempDir()}},
	} {
		_, env, _ := p.Apply([]string{"gemini"}, tc.env, tc.gw)
		if v := lookupEnv(env, geminiHomeEnv); v != "" {
			t.Errorf("%s: %s set to %q", tc.name, geminiHomeEnv, v)
		}
	}
	_, env, _ := p.Apply([]string{"gemini"}, []string{"HOME=" + home, "GEMINI_API_KEY=user-key"}, Gateway{BaseURL: "http://127.0.0.1:1", FilesDir: t.TempDir()})
	if lookupEnv(env, geminiHomeEnv) == "" {
		t.Error("passthrough with the user's key: no overlay home")
	}
}
