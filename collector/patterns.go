package collector

import "github.com/agentwrap/agentwrap/redact"

// Pattern is one entry of the redaction processor's blocked_values: a Go
// regular expression (RE2 syntax, the collector's engine) whose matches in an
// allowed attribute value are replaced with ****.
type Pattern struct {
	// Name says which credential format the pattern catches.
	Name string
	// Regexp is the regular expression.
	Regexp string
}

// BlockedValues returns the credential patterns the generated
// configurations mask, in the order the collector applies them: one per
// format of agentwrap's own credential table (redact.CredentialFormats), so
// that the collector covers every provider agentwrap's guard does. The
// guard's entropy and key=value checks have no RE2 form and run in
// agentwrap only.
func BlockedValues() []Pattern {
	var out []Pattern
	for _, f := range redact.CredentialFormats() {
		out = append(out, Pattern{Name: f.Name, Regexp: f.RE2()})
	}
	return out
}
