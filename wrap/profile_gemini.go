package wrap

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
)

// geminiHomeEnv relocates Gemini CLI's home (the parent of its .gemini
// directory: settings, history, credentials, memory).
const geminiHomeEnv = "GEMINI_CLI_HOME"

// Why an overlay home: with GOOGLE_GEMINI_BASE_URL set and no auth type
// saved in settings, Gemini CLI infers the "gateway" auth type and then
// refuses it in non-interactive mode ("Invalid auth method selected"). The
// auth type can only come from a settings file; system settings files are
// ignored unless root owns them and every parent directory; and agentwrap
// must not edit the user's files. So the child gets GEMINI_CLI_HOME pointing
// at a per-run overlay whose .gemini holds a symlink to every entry of the
// user's real .gemini except settings.json, and a settings.json that is the
// user's with security.auth.selectedType set to "gemini-api-key". History,
// credentials and memory are the user's own files through the symlinks;
// only top-level .gemini entries first created during the run, and settings
// changed during the run, stay in the overlay and go when the run ends.

// geminiOverlay builds the overlay home under dir for a child whose home
// is home and returns its path.
func geminiOverlay(dir, home string) (string, error) {
	overlay := filepath.Join(dir, "gemini-home")
	gdir := filepath.Join(overlay, ".gemini")
	if err := os.MkdirAll(gdir, 0o700); err != nil {
		return "", fmt.Errorf("cannot create Gemini CLI overlay home: %w", err)
	}
	real := filepath.Join(home, ".gemini")
	entries, _ := os.ReadDir(real)
	for _, e := range entries {
		if e.Name() == "settings.json" {
			continue
		}
		if err := os.Symlink(filepath.Join(real, e.Name()), filepath.Join(gdir, e.Name())); err != nil {
			return "", fmt.Errorf("cannot link Gemini CLI file into the overlay: %w", err)
		}
	}
	settings := map[string]any{}
	if b, err := os.ReadFile(filepath.Join(real, "settings.json")); err == nil {
		if err := json.Unmarshal(stripJSONComments(b), &settings); err != nil || settings == nil {
			return "", fmt.Errorf("cannot read Gemini CLI settings: %w", err)
		}
	}
	setPath(settings, "gemini-api-key", "security", "auth", "selectedType")
	b, err := json.MarshalIndent(settings, "", "  ")
	if err != nil {
		return "", err
	}
	if err := os.WriteFile(filepath.Join(gdir, "settings.json"), b, 0o600); err != nil {
		return "", fmt.Errorf("cannot write Gemini CLI overlay settings: %w", err)
	}
	return overlay, nil
}

// setPath sets m[keys[0]][keys[1]]...= v, creating or replacing
// intermediate objects.
func setPath(m map[string]any, v any, keys ...string) {
	for _, k := range keys[:len(keys)-1] {
		next, ok := m[k].(map[string]any)
		if !ok {
			next = map[string]any{}
			m[k] = next
		}
		m = next
	}
	m[keys[len(keys)-1]] = v
}

// stripJSONComments removes // and /* */ comments outside strings, as
// Gemini CLI accepts them in settings files.
func stripJSONComments(b []byte) []byte {
	out := make([]byte, 0, len(b))
	inStr, esc := false, false
	for i := 0; i < len(b); i++ {
		c := b[i]
		switch {
		case inStr:
			out = append(out, c)
			if esc {
				esc = false
			} else if c == '\\' {
				esc = true
			} else if c == '"' {
				inStr = false
			}
		case c == '"':
			inStr = true
			out = append(out, c)
		case c == '/' && i+1 < len(b) && b[i+1] == '/':
			for i < len(b) && b[i] != '\n' {
				i++
			}
			if i < len(b) {
				out = append(out, '\n')
			}
		case c == '/' && i+1 < len(b) && b[i+1] == '*':
			i += 2
			for i+1 < len(b) && !(b[i] == '*' && b[i+1] == '/') {
				i++
			}
			i++
		default:
			out = append(out, c)
		}
	}
	return out
}
