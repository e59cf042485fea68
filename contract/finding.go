package contract

import (
	"fmt"
	"strings"
)

// Severities of a Finding.
const (
	SeverityError   = "error"
	SeverityWarning = "warning"
)

// Finding is one problem lint found in a manifest, at a line of its file.
type Finding struct {
	// File is the name the manifest was linted under (usually its path).
	File string
	// Line is the 1-based line the finding refers to; 0 means the whole file.
	Line int
	// Severity is SeverityError or SeverityWarning.
	Severity string
	// Msg is a short description; it never contains credentials.
	Msg string
}

// String formats f as "file:line: severity: msg" (or "file: severity: msg"
// when it concerns the whole file), the form compilers and editors read.
func (f Finding) String() string {
	if f.Line > 0 {
		return fmt.Sprintf("%s:%d: %s: %s", f.File, f.Line, f.Severity, f.Msg)
	}
	return fmt.Sprintf("%s: %s: %s", f.File, f.Severity, f.Msg)
}

// Errors returns the findings of severity error, in order.
func Errors(fs []Finding) []Finding { return bySeverity(fs, SeverityError) }

// Warnings returns the findings of severity warning, in order.
func Warnings(fs []Finding) []Finding { return bySeverity(fs, SeverityWarning) }

func bySeverity(fs []Finding, sev string) []Finding {
	var out []Finding
	for _, f := range fs {
		if f.Severity == sev {
			out = append(out, f)
		}
	}
	return out
}

// LintError is returned by Parse and Load when a manifest has lint errors.
// Findings holds every error finding, in file order.
type LintError struct {
	Findings []Finding
}

// Error lists the error findings, one per line.
func (e *LintError) Error() string {
	lines := make([]string, len(e.Findings))
	for i, f := range e.Findings {
		lines[i] = f.String()
	}
	return "invalid contract manifest:\n" + strings.Join(lines, "\n")
}
