package wrap

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const preflightCanary = "sk-canary-preflight-0001"

// writeTree creates files (slash paths relative to root) with their content.
func writeTree(t *testing.T, root string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func sha(content string) string {
	s := sha256.Sum256([]byte(content))
	return hex.EncodeToString(s[:])
}

// skipIfInsideRepo skips a test whose temp dir has a .git above it, where
// the parent walk would legitimately leave the temp tree.
func skipIfInsideRepo(t *testing.T, dir string) {
	t.Helper()
	for d := filepath.Dir(dir); ; d = filepath.Dir(d) {
		if _, err := os.Lstat(filepath.Join(d, ".git")); err == nil {
			t.Skipf("temp dir %s is inside a repository at %s", dir, d)
		}
		if filepath.Dir(d) == d {
			return
		}
	}
}

func byPath(files []instructionFile) map[string]instructionFile {
	m := make(map[string]instructionFile, len(files))
	for _, f := range files {
		m[f.Path] = f
	}
	return m
}

func TestPreflightRepoWalk(t *testing.T) {
	top := t.TempDir()
	root := filepath.Join(top, "repo")
	contents := map[string]string{
		"CLAUDE.md":                      "outside the repository",
		"repo/.git/HEAD":                 "ref: refs/heads/main\n",
		"repo/CLAUDE.md":                 "Use ANTHROPIC_BASE_URL=https://api.anthropic.com/v1?key=" + preflightCanary + "\nsecret words here\n",
		"repo/sub/AGENTS.md":             "Gateway: https://api.cometapi.com/v1/chat/completions\n",
		"repo/sub/GEMINI.md":             "See https://github.com/org/repo and https://docs.example.com/x.\n",
		"repo/sub/.codex/config.toml":    "[model_providers.local]\nbase_url = \"http://localhost:8080/v1\"\n",
		"repo/sub/.claude/settings.json": `{"env": {"X": "https://user:` + preflightCanary + `@openrouter.ai/api/v1"}}`,
		"repo/sub/deeper/CLAUDE.md":      "below the working directory",
	}
	writeTree(t, top, contents)
	if err := os.Mkdir(filepath.Join(root, "sub", "QWEN.md"), 0o755); err != nil {
		t.Fatal(err)
	}
	files, notes, err := scanPreflight(filepath.Join(root, "sub"), "api.cometapi.com")
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, f := range files {
		paths = append(paths, f.Path)
	}
	wantPaths := []string{"AGENTS.md", "GEMINI.md", filepath.FromSlash(".claude/settings.json"),
		filepath.FromSlash(".codex/config.toml"), filepath.Join(root, "CLAUDE.md")}
	if !slices.Equal(paths, wantPaths) {
		t.Fatalf("paths = %q, want %q", paths, wantPaths)
	}
	m := byPath(files)
	for _, p := range wantPaths {
		name := "repo/sub/" + filepath.ToSlash(p)
		if filepath.IsAbs(p) {
			name = "repo/" + filepath.Base(p)
		}
		if got := m[p].SHA256; got != sha(contents[name]) {
			t.Errorf("%s hash = %s, want %s", p, got, sha(contents[name]))
		}
	}
	wantURLs := map[string][]string{
		"AGENTS.md": {"https://api.cometapi.com"},
		"GEMINI.md": nil,
		filepath.FromSlash(".claude/settings.json"): {"https://openrouter.ai"},
		filepath.FromSlash(".codex/config.toml"):    {"http://localhost:8080"},
		filepath.Join(root, "CLAUDE.md"):            {"https://api.anthropic.com"},
	}
	for p, want := range wantURLs {
		if got := m[p].GatewayURLs; !slices.Equal(got, want) {
			t.Errorf("%s GatewayURLs = %q, want %q", p, got, want)
		}
	}
	checkNotes(t, notes, []string{
		filepath.FromSlash(".claude/settings.json") + " names model gateway openrouter.ai",
		filepath.FromSlash(".codex/config.toml") + " names model gateway localhost",
		"CLAUDE.md names model gateway api.anthropic.com",
	})
}

// checkNotes checks that each want fragment is in its own note, that there
// are no other notes, and that no note carries file content.
func checkNotes(t *testing.T, notes, want []string) {
	t.Helper()
	if len(notes) != len(want) {
		t.Errorf("notes = %q, want %d notes", notes, len(want))
	}
	for i, n := range notes {
		if i < len(want) && !strings.Contains(n, want[i]) {
			t.Errorf("note %q lacks %q", n, want[i])
		}
		if len(n) > maxNoteLen {
			t.Errorf("note longer than %d: %q", maxNoteLen, n)
		}
		for _, leak := range []string{preflightCanary, "secret", "key=", "/v1", "user"} {
			if strings.Contains(n, leak) {
				t.Errorf("note %q carries file content %q", n, leak)
			}
		}
	}
}

func TestPreflightNoRepository(t *testing.T) {
	top := t.TempDir()
	skipIfInsideRepo(t, top)
	writeTree(t, top, map[string]string{
		"CLAUDE.md":         "parent, not searched without a repository",
		"work/AGENTS.md":    "here",
		"work/.cursorrules": "rules",
	})
	files, notes, err := scanPreflight(filepath.Join(top, "work"), "api.cometapi.com")
	if err != nil {
		t.Fatal(err)
	}
	if got := byPath(files); len(got) != 2 || got["AGENTS.md"].SHA256 != sha("here") || got[".cursorrules"].SHA256 != sha("rules") {
		t.Errorf("files = %+v", files)
	}
	if len(notes) != 0 {
		t.Errorf("notes = %q", notes)
	}
}

func TestPreflightRootIsDirAndGitFile(t *testing.T) {
	top := t.TempDir()
	writeTree(t, top, map[string]string{
		"CLAUDE.md":    "parent of a worktree",
		"wt/.git":      "gitdir: /elsewhere/.git/worktrees/wt\n",
		"wt/CLAUDE.md": "worktree",
	})
	files, _, err := scanPreflight(filepath.Join(top, "wt"), "")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 1 || files[0].Path != "CLAUDE.md" || files[0].SHA256 != sha("worktree") {
		t.Errorf("files = %+v", files)
	}
}

func TestPreflightSameHostNoNote(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{
		".git/HEAD": "x",
		"CLAUDE.md": "ANTHROPIC_BASE_URL=https://API.Anthropic.com:443/v1\nhttps://api.anthropic.com/docs\n",
	})
	for _, upstream := range []string{"api.anthropic.com", "https://api.anthropic.com", "api.anthropic.com:443", "API.ANTHROPIC.COM."} {
		files, notes, err := scanPreflight(dir, upstream)
		if err != nil {
			t.Fatal(err)
		}
		if len(notes) != 0 {
			t.Errorf("upstream %q: notes = %q", upstream, notes)
		}
		if want := []string{"https://api.anthropic.com:443", "https://api.anthropic.com"}; !slices.Equal(files[0].GatewayURLs, want) {
			t.Errorf("GatewayURLs = %q, want %q", files[0].GatewayURLs, want)
		}
	}
	_, notes, _ := scanPreflight(dir, "api.cometapi.com")
	if len(notes) != 1 {
		t.Errorf("other upstream: notes = %q, want one note per host", notes)
	}
}

func TestPreflightLargeFile(t *testing.T) {
	dir := t.TempDir()
	content := "OPENAI_BASE_URL=https://api.openai.com/v1\n" + strings.Repeat("x", maxScanBytes)
	writeTree(t, dir, map[string]string{".git/HEAD": "x", "AGENTS.md": content})
	files, notes, err := scanPreflight(dir, "api.cometapi.com")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 1 || files[0].SHA256 != sha(content) || files[0].GatewayURLs != nil {
		t.Errorf("files = %+v", files)
	}
	if len(notes) != 0 {
		t.Errorf("notes = %q", notes)
	}
}

func TestPreflightBadDir(t *testing.T) {
	if _, _, err := scanPreflight(filepath.Join(t.TempDir(), "missing"), ""); err == nil {
		t.Error("missing dir: want error")
	}
}

func TestGatewayOrigins(t *testing.T) {
	cases := []struct {
		text string
		want []string
	}{
		{"[docs](https://api.openai.com/v1/responses).", []string{"https://api.openai.com"}},
		{"https://generativelanguage.googleapis.com/v1beta/models", []string{"https://generativelanguage.googleapis.com"}},
		{"https://eu.cometapi.com/v1 and https://cometapi.com", []string{"https://eu.cometapi.com", "https://cometapi.com"}},
		{"https://api.deepseek.com/chat", []string{"https://api.deepseek.com"}},
		{"https://www.example.com/api/v1 https://rapid.example.com", nil},
		{`"baseURL": "http://[::1]:9000/v1"`, []string{"http://[::1]:9000"}},
		{"base_url = 'http://10.0.0.5/v1'", []string{"http://10.0.0.5"}},
		{"http://10.0.0.5/v1 base_url", nil},
		{"OPENAI_API_BASE=http://proxy.internal:8080", []string{"http://proxy.internal:8080"}},
		{"https://user:" + preflightCanary + "@api.openai.com/x?k=1", []string{"https://api.openai.com"}},
		{"https://%zz.api.com", nil},
	}
	for _, c := range cases {
		if got := gatewayOrigins([]byte(c.text)); !slices.Equal(got, c.want) {
			t.Errorf("gatewayOrigins(%q) = %q, want %q", c.text, got, c.want)
		}
	}
}

func TestNoteClipping(t *testing.T) {
	f := instructionFile{Path: "/" + strings.Repeat("d/", 150) + "CLAUDE.md", GatewayURLs: []string{"https://" + strings.Repeat("a", 200) + ".api.io"}}
	notes := gatewayNotes(f, strings.Repeat("u", 150)+".com")
	if len(notes) != 1 || len(notes[0]) > maxNoteLen || !strings.Contains(notes[0], "CLAUDE.md") {
		t.Errorf("notes = %q", notes)
	}
}

func TestPreflightUnreadableFile(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{".git/HEAD": "x", "AGENTS.md": "ok"})
	// A symlink to itself exists but cannot be opened (too many levels).
	if err := os.Symlink("CLAUDE.md", filepath.Join(dir, "CLAUDE.md")); err != nil {
		t.Skipf("cannot create symlink: %v", err)
	}
	files, notes, err := scanPreflight(dir, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 1 || files[0].Path != "AGENTS.md" {
		t.Errorf("files = %+v", files)
	}
	if len(notes) != 1 || notes[0] != "CLAUDE.md could not be read" {
		t.Errorf("notes = %q", notes)
	}
}
