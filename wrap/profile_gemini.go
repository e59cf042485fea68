package wrap

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
)

// geminiSystemSettingsEnv names the variable that points Gemini CLI at its
// system settings file, the layer that overrides user and workspace settings.
const geminiSystemSettingsEnv = "GEMINI_CLI_SYSTEM_SETTINGS_PATH"

// geminiDefaultSystemSettings is where Gemini CLI looks for system settings
// when geminiSystemSettingsEnv is unset.
func geminiDefaultSystemSettings() string {
	switch runtime.GOOS {
	case "darwin":
		return "/Library/Application Support/GeminiCli/settings.json"
	case "windows":
		return `C:\ProgramData\gemini-cli\settings.json`
	}
	return "/etc/gemini-cli/settings.json"
}

// geminiSettingsOverlay writes dir/gemini-system-settings.json: the system
// settings in force (the file named by current, else the default system
// path; none is fine) with security.auth.selectedType set to
// "gemini-api-key", and returns its path. Nothing the user owns is written:
// the overlay lives in the run's private directory and is removed with it.
// A system file that is not plain JSON (Gemini CLI accepts comments) is not
// carried over.
func geminiSettingsOverlay(dir, current string) (string, error) {
	if current == "" {
		current = geminiDefaultSystemSettings()
	}
	settings := map[string]any{}
	if b, err := os.ReadFile(current); err == nil {
		_ = json.Unmarshal(b, &settings)
		if settings == nil {
			settings = map[string]any{}
		}
	}
	security, _ := settings["security"].(map[string]any)
	if security == nil {
		security = map[string]any{}
	}
	auth, _ := security["auth"].(map[string]any)
	if auth == nil {
		auth = map[string]any{}
	}
	auth["selectedType"] = "gemini-api-key"
	security["auth"] = auth
	settings["security"] = security
	b, err := json.MarshalIndent(settings, "", "  ")
	if err != nil {
		return "", err
	}
	path := filepath.Join(dir, "gemini-system-settings.json")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		return "", fmt.Errorf("cannot write Gemini CLI settings overlay: %w", err)
	}
	return path, nil
}
