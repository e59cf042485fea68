package wrap

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/BurntSushi/toml"
)

// codexProvider is the model provider id agentwrap registers with Codex.
const codexProvider = "agentwrap"

// Why an overlay home: Codex reads model providers only from config.toml or
// from -c overrides, and newer Codex versions run without their shared
// background server when given -c overrides (and say so in the TUI). So
// the child gets CODEX_HOME pointing at a per-run overlay that holds a
// symlink to every entry of the user's Codex home except:
//   - config.toml, which is the user's with the gateway registered as the
//     model provider "agentwrap" and selected, at the top level and in every
//     profile that names a provider;
//   - the background server's control directories (app-server-control,
//     app-server-daemon), so that the run starts a background server of its
//     own, with the overlay's configuration, instead of joining one the user
//     started outside agentwrap (which would send calls around the gateway);
//     it ends with the run;
//   - the SQLite state databases: config.toml's sqlite_home points Codex at
//     the user's own (unless the user set it), so that a database and its
//     write-ahead log are never split between two directories.
// Sessions, history, logs, installed packages and credentials are the
// user's own files through the symlinks; top-level entries first created
// during the run, and configuration Codex writes during the run, stay in
// the overlay and go when the run ends (README, "Agents").

// codexHome builds the overlay Codex home and points CODEX_HOME at it. It
// needs the run's files directory.
func codexHome(e *envList, gw Gateway) error {
	if gw.FilesDir == "" {
		return fmt.Errorf("cannot register the gateway with Codex: no run directory for its overlay home")
	}
	real, _ := e.get("CODEX_HOME")
	if real == "" {
		real = filepath.Join(homeOf(e), ".codex")
	}
	overlay, err := codexOverlay(gw.FilesDir, real, baseURL(gw)+"/v1")
	if err != nil {
		return err
	}
	e.set("CODEX_HOME", overlay)
	return nil
}

// codexOverlay builds the overlay of the Codex home real under dir, with
// the provider at base, and returns its path.
func codexOverlay(dir, real, base string) (string, error) {
	overlay := filepath.Join(dir, "codex-home")
	skip := []string{"config.toml", "app-server-control", "app-server-daemon"}
	if entries, err := os.ReadDir(real); err == nil {
		for _, e := range entries {
			if n := e.Name(); strings.HasSuffix(n, ".sqlite") || strings.HasSuffix(n, ".sqlite-wal") || strings.HasSuffix(n, ".sqlite-shm") {
				skip = append(skip, n)
			}
		}
	}
	if err := linkOverlay(real, overlay, skip...); err != nil {
		return "", fmt.Errorf("cannot build Codex's overlay home: %w", err)
	}
	cfg := map[string]any{}
	if b, err := os.ReadFile(filepath.Join(real, "config.toml")); err == nil {
		if err := toml.Unmarshal(b, &cfg); err != nil {
			return "", fmt.Errorf("cannot read Codex's config.toml: %w", err)
		}
	}
	providers, _ := cfg["model_providers"].(map[string]any)
	if providers == nil {
		providers = map[string]any{}
	}
	providers[codexProvider] = map[string]any{
		"name": codexProvider, "base_url": base, "env_key": "OPENAI_API_KEY",
		"wire_api": "responses", "supports_websockets": false,
	}
	cfg["model_providers"] = providers
	cfg["model_provider"] = codexProvider
	if _, set := cfg["sqlite_home"]; !set {
		if fi, err := os.Stat(real); err == nil && fi.IsDir() {
			cfg["sqlite_home"] = real
		}
	}
	if profiles, ok := cfg["profiles"].(map[string]any); ok {
		for _, p := range profiles {
			if p, ok := p.(map[string]any); ok && p["model_provider"] != nil {
				p["model_provider"] = codexProvider
			}
		}
	}
	var buf bytes.Buffer
	if err := toml.NewEncoder(&buf).Encode(cfg); err != nil {
		return "", fmt.Errorf("cannot write Codex's overlay config.toml: %w", err)
	}
	if err := os.WriteFile(filepath.Join(overlay, "config.toml"), buf.Bytes(), 0o600); err != nil {
		return "", fmt.Errorf("cannot write Codex's overlay config.toml: %w", err)
	}
	return overlay, nil
}

// linkOverlay creates the directory overlay holding a symlink to every
// entry of real except the names in skip. A missing real directory gives
// an empty overlay.
func linkOverlay(real, overlay string, skip ...string) error {
	if err := os.MkdirAll(overlay, 0o700); err != nil {
		return err
	}
	entries, _ := os.ReadDir(real)
	for _, e := range entries {
		if slices.Contains(skip, e.Name()) {
			continue
		}
		if err := os.Symlink(filepath.Join(real, e.Name()), filepath.Join(overlay, e.Name())); err != nil {
			return err
		}
	}
	return nil
}
