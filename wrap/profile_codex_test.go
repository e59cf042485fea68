package wrap

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
)

// codexConfig is the part of Codex's config.toml the overlay sets.
type codexConfig struct {
	Model          string `toml:"model"`
	SQLiteHome     string `toml:"sqlite_home"`
	ModelProvider  string `toml:"model_provider"`
	ModelProviders map[string]struct {
		Name               string `toml:"name"`
		BaseURL            string `toml:"base_url"`
		EnvKey             string `toml:"env_key"`
		WireAPI            string `toml:"wire_api"`
		SupportsWebsockets *bool  `toml:"supports_websockets"`
	} `toml:"model_providers"`
	Profiles map[string]map[string]any `toml:"profiles"`
	Projects map[string]map[string]any `toml:"projects"`
}

// TestCodexOverlayHome: the child's CODEX_HOME is a per-run overlay whose
// config.toml is the user's (model, trusted projects, other providers and
// profiles kept) with the gateway registered and selected, in every profile
// that names a provider too; the user's other files are linked, and the
// user's config.toml is not modified. Codex gets no -c overrides.
func TestCodexOverlayHome(t *testing.T) {
	for _, base := range []string{testBase, `http://127.0.0.1:9/a"b\c` + "\t"} {
		real := t.TempDir()
		orig := `# mine
model = "gpt-5.5"
model_provider = "openai"
profile = "work"

[projects."/src/app"]
trust_level = "trusted"

[model_providers.other]
name = "Other"
base_url = "https://other.example/v1"

[profiles.work]
model_provider = "other"
model = "o9"

[profiles.plain]
model = "o1"
`
		for name, body := range map[string]string{"config.toml": orig, "auth.json": "{}", "history.jsonl": "", "state_5.sqlite": "", "state_5.sqlite-wal": ""} {
			if err := os.WriteFile(filepath.Join(real, name), []byte(body), 0o600); err != nil {
				t.Fatal(err)
			}
		}
		for _, d := range []string{"sessions", "packages", "app-server-control", "app-server-daemon"} {
			if err := os.Mkdir(filepath.Join(real, d), 0o700); err != nil {
				t.Fatal(err)
			}
		}
		p, _ := LookupProfile("codex")
		gw := testGateway(testToken)
		gw.BaseURL = base + "/"
		argv, env := apply(t, p, []string{"codex", "exec", "x"}, []string{"CODEX_HOME=" + real, "HOME=/nonexistent"}, gw)
		if strings.Join(argv, " ") != "codex exec x" {
			t.Errorf("argv = %q", argv)
		}
		overlay := lookupEnv(env, "CODEX_HOME")
		if overlay == real || overlay == "" {
			t.Fatalf("CODEX_HOME = %q", overlay)
		}
		var cfg codexConfig
		if _, err := toml.DecodeFile(filepath.Join(overlay, "config.toml"), &cfg); err != nil {
			t.Fatal(err)
		}
		prov, ok := cfg.ModelProviders[cfg.ModelProvider]
		if cfg.ModelProvider != "agentwrap" || !ok {
			t.Fatalf("config = %+v", cfg)
		}
		if prov.Name != "agentwrap" || prov.BaseURL != base+"/v1" || prov.EnvKey != "OPENAI_API_KEY" ||
			prov.WireAPI != "responses" || prov.SupportsWebsockets == nil || *prov.SupportsWebsockets {
			t.Errorf("provider = %+v", prov)
		}
		if cfg.Model != "gpt-5.5" || cfg.Projects["/src/app"]["trust_level"] != "trusted" || cfg.ModelProviders["other"].BaseURL != "https://other.example/v1" {
			t.Errorf("user settings lost: %+v", cfg)
		}
		if cfg.Profiles["work"]["model_provider"] != "agentwrap" || cfg.Profiles["work"]["model"] != "o9" {
			t.Errorf("profile work = %v", cfg.Profiles["work"])
		}
		if _, set := cfg.Profiles["plain"]["model_provider"]; set {
			t.Errorf("profile plain got a provider: %v", cfg.Profiles["plain"])
		}
		for _, name := range []string{"auth.json", "history.jsonl", "sessions", "packages"} {
			if target, err := os.Readlink(filepath.Join(overlay, name)); err != nil || target != filepath.Join(real, name) {
				t.Errorf("%s: link to %q, %v", name, target, err)
			}
		}
		// The run's own background server; the user's databases in place.
		for _, name := range []string{"app-server-control", "app-server-daemon", "state_5.sqlite", "state_5.sqlite-wal"} {
			if _, err := os.Lstat(filepath.Join(overlay, name)); err == nil {
				t.Errorf("%s is in the overlay", name)
			}
		}
		if cfg.SQLiteHome != real {
			t.Errorf("sqlite_home = %q, want the user's %q", cfg.SQLiteHome, real)
		}
		if after, _ := os.ReadFile(filepath.Join(real, "config.toml")); string(after) != orig {
			t.Errorf("user config.toml modified: %s", after)
		}
	}
}

// TestCodexOverlayWithoutUserConfig: a user without a Codex home (HOME
// holds no .codex) still gets the provider; a malformed config.toml stops
// the run instead of sending Codex around the gateway.
func TestCodexOverlayWithoutUserConfig(t *testing.T) {
	p, _ := LookupProfile("codex")
	home := t.TempDir()
	_, env := apply(t, p, []string{"codex"}, []string{"HOME=" + home}, testGateway(testToken))
	var cfg codexConfig
	if _, err := toml.DecodeFile(filepath.Join(lookupEnv(env, "CODEX_HOME"), "config.toml"), &cfg); err != nil || cfg.ModelProvider != "agentwrap" {
		t.Fatalf("config %+v, %v", cfg, err)
	}
	if _, err := os.Stat(filepath.Join(home, ".codex")); err == nil {
		t.Error("the user's home got a .codex")
	}
	if err := os.MkdirAll(filepath.Join(home, ".codex"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(home, ".codex", "config.toml"), []byte("model = \n"), 0o600); err != nil {
		t.Fatal(err)
	}
	gw := testGateway(testToken)
	gw.FilesDir = t.TempDir()
	if _, _, err := p.Apply([]string{"codex"}, []string{"HOME=" + home}, gw); err == nil || !strings.Contains(err.Error(), "config.toml") {
		t.Errorf("malformed config.toml: err = %v", err)
	}
	gw.FilesDir = ""
	if _, _, err := p.Apply([]string{"codex"}, []string{"HOME=" + home}, gw); err == nil {
		t.Error("no files directory: no error")
	}
}
