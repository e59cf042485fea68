package contract

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestLoadGood(t *testing.T) {
	m, err := Load("testdata/lint/good.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if m.Name != "example-gateway" || m.BaseURL != "https://api.cometapi.com" || m.Owner != "platform team" {
		t.Errorf("manifest head = %q %q %q", m.Name, m.BaseURL, m.Owner)
	}
	if len(m.Endpoints) != 2 {
		t.Fatalf("got %d endpoints, want 2", len(m.Endpoints))
	}
	chat, gem := m.Endpoint("chat"), m.Endpoint("gemini")
	if chat == nil || gem == nil {
		t.Fatal("endpoints chat and gemini not found by id")
	}
	if chat.Owner != "platform team" || gem.Owner != "gemini owners" {
		t.Errorf("owners = %q, %q; want inherited and own", chat.Owner, gem.Owner)
	}
	if got := gem.CheckedAtRFC3339(); got != "2026-11-29T10:00:00Z" {
		t.Errorf("gemini CheckedAtRFC3339 = %q", got)
	}
	if got := chat.CheckedAtRFC3339(); got != "2026-11-01T00:00:00Z" {
		t.Errorf("chat CheckedAtRFC3339 = %q", got)
	}
	// The alias *retry resolves to the anchored list.
	if !equalInts(gem.Retryable, []int{429, 500, 503}) {
		t.Errorf("gemini retryable = %v", gem.Retryable)
	}
	if !chat.Streams || chat.StreamAlways || !chat.IsTerminal("[DONE]") || chat.Event("chat.completion.chunk") == nil {
		t.Errorf("chat stream decoded wrong: %+v", chat)
	}
	if chat.Line != 7 || gem.Line != 30 {
		t.Errorf("lines = %d, %d; want 7, 30", chat.Line, gem.Line)
	}
	if m.Endpoint("nope") != nil {
		t.Error("Endpoint(nope) != nil")
	}
}

func TestLoadFailsOnLintErrors(t *testing.T) {
	_, err := Load("testdata/lint/many_errors.yaml")
	var le *LintError
	if !errors.As(err, &le) {
		t.Fatalf("Load error = %v, want *LintError", err)
	}
	if len(le.Findings) != 10 {
		t.Errorf("got %d error findings, want 10 (warnings excluded): %v", len(le.Findings), le.Findings)
	}
	for _, f := range le.Findings {
		if f.Severity != SeverityError {
			t.Errorf("LintError holds a %s: %v", f.Severity, f)
		}
	}
	if !strings.Contains(err.Error(), "testdata/lint/many_errors.yaml:16: error: malformed path") {
		t.Errorf("error text lacks file:line finding:\n%v", err)
	}
}

func TestLoadWarningsDoNotFail(t *testing.T) {
	// Stale, but the clock-relative check runs against the real clock; write
	// a date far enough back to be stale whenever this runs.
	data, err := os.ReadFile("testdata/lint/good.yaml")
	if err != nil {
		t.Fatal(err)
	}
	stale := strings.Replace(string(data), "checked_at: 2026-11-01", "checked_at: 2020-01-01", 1)
	path := filepath.Join(t.TempDir(), "stale.yaml")
	if err := os.WriteFile(path, []byte(stale), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(path); err != nil {
		t.Fatalf("stale manifest failed to load: %v", err)
	}
	if w := Warnings(Lint(path, []byte(stale), time.Now())); len(w) != 1 {
		t.Errorf("want one staleness warning, got %v", w)
	}
}

func TestParseFutureDateAgainstClock(t *testing.T) {
	data, err := os.ReadFile("testdata/lint/good.yaml")
	if err != nil {
		t.Fatal(err)
	}
	future := time.Now().AddDate(0, 0, 3).Format(time.DateOnly)
	_, err = Parse("f.yaml", []byte(strings.Replace(string(data), "2026-11-01", future, 1)))
	if err == nil || !strings.Contains(err.Error(), "is in the future") {
		t.Errorf("Parse with checked_at %s: err = %v, want future-date error", future, err)
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "absent.yaml"))
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("err = %v, want wrapped fs.ErrNotExist", err)
	}
	if err == nil || !strings.HasPrefix(err.Error(), "cannot read contract manifest: ") {
		t.Errorf("err = %v, want 'cannot read contract manifest: ...'", err)
	}
}

func TestLintZeroNowSkipsClockRules(t *testing.T) {
	for _, name := range []string{"checked_at_future", "checked_at_stale"} {
		data, err := os.ReadFile("testdata/lint/" + name + ".yaml")
		if err != nil {
			t.Fatal(err)
		}
		if fs := Lint(name, data, time.Time{}); len(fs) != 0 {
			t.Errorf("%s with zero now: %v", name, fs)
		}
	}
}

// TestFindingsCarryNoCredentials plants a canary credential in a base URL's
// user info and proves no finding or error repeats it.
func TestFindingsCarryNoCredentials(t *testing.T) {
	const canary = "sk-canary-userinfo"
	data, err := os.ReadFile("testdata/lint/base_url_userinfo.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), canary) {
		t.Fatal("fixture lost its canary")
	}
	for _, f := range Lint("x.yaml", data, lintNow) {
		if strings.Contains(f.String(), canary) || strings.Contains(f.String(), "user:") {
			t.Errorf("finding leaks user info: %s", f)
		}
	}
	_, err = Parse("x.yaml", data)
	if err == nil || strings.Contains(err.Error(), canary) {
		t.Errorf("Parse error leaks or is missing: %v", err)
	}
	for _, raw := range []string{"http://u:" + canary + "@api.cometapi.com/x", "https://u:" + canary + "@docs.example.org/x"} {
		d := &decoder{file: "x"}
		d.checkSourceURL("source URL", raw, nil)
		for _, f := range d.findings {
			if strings.Contains(f.Msg, canary) {
				t.Errorf("source URL finding leaks user info: %s", f)
			}
		}
		if len(d.findings) != 1 {
			t.Errorf("%s: findings = %v, want 1", "source URL with user info", d.findings)
		}
	}
}

func TestFindingString(t *testing.T) {
	f := Finding{File: "m.yaml", Line: 3, Severity: SeverityError, Msg: "bad"}
	if got := f.String(); got != "m.yaml:3: error: bad" {
		t.Errorf("String() = %q", got)
	}
	f.Line = 0
	if got := f.String(); got != "m.yaml: error: bad" {
		t.Errorf("String() = %q", got)
	}
	fs := []Finding{{Severity: SeverityWarning}, {Severity: SeverityError}, {Severity: SeverityWarning}}
	if len(Errors(fs)) != 1 || len(Warnings(fs)) != 2 {
		t.Errorf("Errors/Warnings split wrong")
	}
}

func TestNonProduction(t *testing.T) {
	for host, bad := range map[string]bool{
		"api.cometapi.com": false, "api.anthropic.com": false, "generativelanguage.googleapis.com": false,
		"latest.api.example.ai": false, "contest.example.ai": false,
		"localhost": true, "127.0.0.1": true, "::1": true, "10.0.0.5": true, "gw.local": true,
		"gw.internal": true, "api.staging.cometapi.com": true, "dev-api.cometapi.com": true,
		"api-test.cometapi.com": true, "sandbox.cometapi.com": true, "gateway": true,
		"api.example.com": true, "Api.Dev.CometAPI.com.": true,
	} {
		if got := nonProduction(host) != ""; got != bad {
			t.Errorf("nonProduction(%q) = %q, want non-production %v", host, nonProduction(host), bad)
		}
	}
}

func TestFamiliesCopy(t *testing.T) {
	f := Families()
	f[0] = "changed"
	if Families()[0] == "changed" {
		t.Error("Families returns shared state")
	}
	b := BuiltinYAML()
	b[0] = '!'
	if BuiltinYAML()[0] == '!' {
		t.Error("BuiltinYAML returns shared state")
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
