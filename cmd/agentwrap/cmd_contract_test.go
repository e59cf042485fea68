package main

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/agentwrap/agentwrap/contract"
)

// inProcess runs the command line in this process and returns its exit
// status (as main would map it), standard output and standard error.
func inProcess(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	argv := append([]string{"agentwrap"}, args...)
	var out, errOut bytes.Buffer
	app := newApp(argv)
	app.Writer, app.ErrWriter = &out, &errOut
	err := app.Run(argv)
	var ec cli.ExitCoder
	switch {
	case err == nil:
		return 0, out.String(), errOut.String()
	case errors.As(err, &ec):
		errOut.WriteString(err.Error())
		return ec.ExitCode(), out.String(), errOut.String()
	}
	errOut.WriteString(err.Error())
	return 1, out.String(), errOut.String()
}

// goldenDir holds the contract package's lint inputs and expected findings.
const goldenDir = "../../contract/testdata/lint/"

// manifestDated writes a copy of the good golden manifest whose access
// dates are date.
func manifestDated(t *testing.T, date time.Time) string {
	t.Helper()
	b, err := os.ReadFile(goldenDir + "good.yaml")
	if err != nil {
		t.Fatal(err)
	}
	s := strings.ReplaceAll(string(b), "2026-11-01", date.Format("2006-01-02"))
	s = strings.ReplaceAll(s, "2026-11-29T10:00:00Z", date.Format(time.RFC3339))
	p := filepath.Join(t.TempDir(), "contract.yaml")
	if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestContractInitWritesTheBuiltinManifest(t *testing.T) {
	code, out, _ := inProcess(t, "contract", "init")
	if code != 0 || out != string(contract.BuiltinYAML()) {
		t.Fatalf("exit %d; stdout is not the built-in manifest (%d bytes)", code, len(out))
	}
	p := filepath.Join(t.TempDir(), "contract.yaml")
	if code, _, errOut := inProcess(t, "contract", "init", "--output", p); code != 0 || !strings.Contains(errOut, "contract lint "+p) {
		t.Fatalf("init --output: exit %d, stderr %q", code, errOut)
	}
	if code, out, _ := inProcess(t, "contract", "lint", p); code != 0 || !strings.Contains(out, "0 errors, 0 warnings") {
		t.Fatalf("the written manifest does not lint clean: exit %d\n%s", code, out)
	}
	if _, err := contract.Load(p); err != nil {
		t.Fatalf("the written manifest does not load: %v", err)
	}
}

func TestContractInitRefusesToOverwrite(t *testing.T) {
	p := filepath.Join(t.TempDir(), "contract.yaml")
	if err := os.WriteFile(p, []byte("mine\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := inProcess(t, "contract", "init", "--output", p)
	if code != 1 || !strings.Contains(errOut, "--force") {
		t.Fatalf("exit %d, stderr %q: want 1 and a hint at --force", code, errOut)
	}
	if b, _ := os.ReadFile(p); string(b) != "mine\n" {
		t.Fatal("the existing file was changed")
	}
	if code, _, _ := inProcess(t, "contract", "init", "--output", p, "--force"); code != 0 {
		t.Fatalf("--force: exit %d", code)
	}
	if b, _ := os.ReadFile(p); !bytes.Equal(b, contract.BuiltinYAML()) {
		t.Fatal("--force did not overwrite the file")
	}
	if code, _, _ := inProcess(t, "contract", "init", "extra"); code != 2 {
		t.Fatalf("an argument: exit %d, want 2", code)
	}
}

// TestContractLintGolden lints each golden input through the command: the
// findings are the package's, one file:line: severity: msg line each,
// with a summary, and the exit status is 1 exactly when there are errors.
// Clock-relative findings (age, future dates) are judged against the real
// clock here, so they are left out of the comparison.
func TestContractLintGolden(t *testing.T) {
	files, _ := filepath.Glob(goldenDir + "*.yaml")
	if len(files) < 10 {
		t.Fatalf("%d golden inputs", len(files))
	}
	clock := func(l string) bool { return strings.Contains(l, "days old") || strings.Contains(l, "in the future") }
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".yaml")
		t.Run(name, func(t *testing.T) {
			want, err := os.ReadFile(strings.TrimSuffix(file, ".yaml") + ".want")
			if err != nil {
				t.Fatal(err)
			}
			code, out, _ := inProcess(t, "contract", "lint", file)
			lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
			summary := lines[len(lines)-1]
			var got, exp []string
			wantErrs := 0
			for _, l := range lines[:len(lines)-1] {
				if !clock(l) {
					got = append(got, l)
				}
			}
			for _, l := range strings.Split(strings.TrimSpace(string(want)), "\n") {
				if l == "" || clock(l) {
					continue
				}
				exp = append(exp, strings.Replace(l, "testdata/lint/", goldenDir, 1))
				if strings.Contains(l, ": error: ") {
					wantErrs++
				}
			}
			if strings.Join(got, "\n") != strings.Join(exp, "\n") {
				t.Errorf("findings differ\n--- got\n%s\n--- want\n%s", strings.Join(got, "\n"), strings.Join(exp, "\n"))
			}
			if !strings.HasSuffix(summary, " warnings") && !strings.HasSuffix(summary, " warning") {
				t.Errorf("last line %q is not the summary", summary)
			}
			if wantErrs > 0 && code != 1 {
				t.Errorf("exit %d with %d errors, want 1", code, wantErrs)
			}
			if !strings.Contains(string(want), ": error: ") && code != 0 {
				t.Errorf("exit %d without errors, want 0", code)
			}
		})
	}
}

// TestContractLintIssueRules covers each rule the issue names with the
// file:line the finding must point at.
func TestContractLintIssueRules(t *testing.T) {
	for _, tc := range []struct{ file, want string }{
		{"path_empty", "path_empty.yaml:10: error: malformed path \"\": empty path"},
		{"path_no_slash", "path_no_slash.yaml:10: error: malformed path"},
		{"checked_at_missing", "checked_at_missing.yaml:7: error: endpoint has no checked_at"},
		{"source_not_https", "source_not_https.yaml:12: error: source URL is not https"},
		{"base_url_staging", "base_url_staging.yaml:3: error: base_url host staging-api.cometapi.com is not a production host"},
		{"base_url_localhost", "base_url_localhost.yaml:3: error: "},
		{"duplicate_id", "duplicate_id.yaml:30: error: duplicate id \"chat\" (first at line 7)"},
	} {
		code, out, _ := inProcess(t, "contract", "lint", goldenDir+tc.file+".yaml")
		if code != 1 || !strings.Contains(out, goldenDir+tc.want) {
			t.Errorf("%s: exit %d, output:\n%s\nwant a line containing %q", tc.file, code, out, tc.want)
		}
	}
}

func TestContractLintAccessDates(t *testing.T) {
	now := time.Now().UTC()
	fresh := manifestDated(t, now.AddDate(0, 0, -3))
	if code, out, _ := inProcess(t, "contract", "lint", fresh); code != 0 || strings.TrimSpace(out) != "0 errors, 0 warnings" {
		t.Errorf("fresh manifest: exit %d\n%s", code, out)
	}
	stale := manifestDated(t, now.AddDate(0, 0, -100))
	code, out, _ := inProcess(t, "contract", "lint", stale)
	if code != 0 || !strings.Contains(out, stale+":13: warning: checked_at ") || !strings.Contains(out, "0 errors, 2 warnings") {
		t.Errorf("stale manifest: exit %d (want 0, warnings only)\n%s", code, out)
	}
	future := manifestDated(t, now.AddDate(0, 0, 10))
	if code, out, _ := inProcess(t, "contract", "lint", future); code != 1 || !strings.Contains(out, "is in the future") {
		t.Errorf("future access date: exit %d\n%s", code, out)
	}
}

func TestContractLintSeveralFilesAndUsage(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "nope.yaml")
	code, out, _ := inProcess(t, "contract", "lint", goldenDir+"good.yaml", goldenDir+"duplicate_id.yaml", missing)
	if code != 1 || !strings.Contains(out, missing+": error: cannot read manifest: no such file or directory") ||
		!strings.Contains(out, "duplicate id") || !strings.HasSuffix(out, "2 errors, 0 warnings\n") {
		t.Errorf("exit %d\n%s", code, out)
	}
	if code, _, errOut := inProcess(t, "contract", "lint"); code != 2 || !strings.Contains(errOut, "FILE") {
		t.Errorf("no file: exit %d, stderr %q", code, errOut)
	}
}

func TestContractShowBuiltin(t *testing.T) {
	code, out, _ := inProcess(t, "contract", "show")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	m := contract.Builtin()
	for _, want := range []string{"ID", "FAMILY", "METHOD", "PATH", "CHECKED_AT", "AGE_DAYS", "SOURCE_URLS", "unknowns", m.Support} {
		if !strings.Contains(out, want) {
			t.Errorf("show lacks %q", want)
		}
	}
	for _, e := range m.Endpoints {
		if !containsLine(out, e.ID, e.Family, e.Method, e.Path, e.CheckedAt, e.SourceURLs[0]) {
			t.Errorf("no row for %s with family, method, path, access date and first source", e.ID)
		}
		for _, u := range e.SourceURLs {
			if !strings.Contains(out, u) {
				t.Errorf("source %s of %s not shown", u, e.ID)
			}
		}
	}
}

func TestContractShowFileWithAge(t *testing.T) {
	p := manifestDated(t, time.Now().UTC().AddDate(0, 0, -100))
	code, out, _ := inProcess(t, "contract", "show", "--contract", p)
	if code != 0 || !strings.Contains(out, "example-gateway") {
		t.Fatalf("exit %d\n%s", code, out)
	}
	if !containsLine(out, "chat", "openai.chat_completions", "POST", "/v1/chat/completions", "100 (stale") ||
		!strings.Contains(out, "rate limits: ask support") {
		t.Errorf("show output:\n%s", out)
	}
	if code, out2, _ := inProcess(t, "--contract", p, "contract", "show"); code != 0 || out2 != out {
		t.Errorf("--contract before the subcommand: exit %d, output differs", code)
	}
	code, _, errOut := inProcess(t, "contract", "show", "--contract", goldenDir+"duplicate_id.yaml")
	if code != 1 || !strings.Contains(errOut, "duplicate_id.yaml:30: error: duplicate id") {
		t.Errorf("broken manifest: exit %d, stderr %q", code, errOut)
	}
}

// containsLine reports whether one line of s contains every part, in order.
func containsLine(s string, parts ...string) bool {
	for _, l := range strings.Split(s, "\n") {
		rest, ok := l, true
		for _, p := range parts {
			i := strings.Index(rest, p)
			if i < 0 {
				ok = false
				break
			}
			rest = rest[i+len(p):]
		}
		if ok {
			return true
		}
	}
	return false
}

// TestContractLintBinary runs the built binary: errors exit 1 with
// file:line findings on standard output.
func TestContractLintBinary(t *testing.T) {
	r := runBinary(t, invocation{args: []string{"contract", "lint", goldenDir + "path_empty.yaml"}, env: baseEnv(t), timeout: time.Minute})
	if r.code != 1 || !strings.Contains(r.stdout, goldenDir+"path_empty.yaml:10: error: malformed path") || !strings.Contains(r.stdout, "1 error, 0 warnings") {
		t.Fatalf("exit %d\nstdout %s\nstderr %s", r.code, r.stdout, r.stderr)
	}
	r = runBinary(t, invocation{args: []string{"contract", "lint", goldenDir + "good.yaml"}, env: baseEnv(t), timeout: time.Minute})
	if r.code != 0 {
		t.Fatalf("good manifest: exit %d\n%s", r.code, r.stdout)
	}
}

// TestManifestSizeLimit: a manifest over 1 MiB (here the built-in one
// padded with comments, valid YAML otherwise) is refused by lint, show and
// a run with one line each, without being read whole.
func TestManifestSizeLimit(t *testing.T) {
	p := filepath.Join(t.TempDir(), "big.yaml")
	pad := bytes.Repeat([]byte("# padding padding padding padding padding padding padding padding\n"), contract.MaxManifestSize/60)
	if err := os.WriteFile(p, append(contract.BuiltinYAML(), pad...), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := inProcess(t, "contract", "lint", p)
	if code != 1 || !strings.Contains(out, p+": error: cannot read manifest: larger than 1 MiB, the limit for a contract manifest\n") {
		t.Errorf("lint: exit %d\n%s%s", code, out, errOut)
	}
	code, out, errOut = inProcess(t, "contract", "show", "--contract", p)
	if code == 0 || strings.Count(strings.TrimSpace(errOut), "\n") != 0 || !strings.Contains(errOut, "larger than 1 MiB") {
		t.Errorf("show: exit %d\n%s%s", code, out, errOut)
	}
	if _, err := contract.Load(p); !errors.Is(err, contract.ErrManifestTooLarge) {
		t.Errorf("Load: %v", err)
	}
	// Just under the limit it is read.
	if err := os.WriteFile(p, append(contract.BuiltinYAML(), pad[:contract.MaxManifestSize-len(contract.BuiltinYAML())-len("\n")]...), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := contract.Load(p); err != nil {
		t.Errorf("Load of a manifest under the limit: %v", err)
	}
}
