package collector

import "slices"

// Pattern is one entry of the redaction processor's blocked_values: a Go
// regular expression (RE2 syntax, the collector's engine) whose matches in an
// allowed attribute value are replaced with ****.
type Pattern struct {
	// Name says which credential format the pattern catches.
	Name string
	// Regexp is the regular expression.
	Regexp string
}

// blockedValues are the credential formats the collector masks. Order
// matters only for readability of the masked result.
var blockedValues = []Pattern{
	{"OpenAI, Anthropic and CometAPI keys (sk-...)", `\bsk-[A-Za-z0-9_-]{16,}`},
	{"Google API keys (AIza...)", `\bAIza[0-9A-Za-z_-]{35}`},
	{"AWS access key ids (AKIA..., ASIA...)", `\b(?:AKIA|ASIA)[0-9A-Z]{16}\b`},
	{"GitHub tokens (ghp_, gho_, ghu_, ghs_, ghr_, github_pat_)", `\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})`},
	{"JSON Web Tokens", `\beyJ[A-Za-z0-9_-]+\.eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*`},
	{"Bearer tokens", `(?i)\bbearer\s+[A-Za-z0-9._~+/=-]+`},
	{"PEM private keys", `-----BEGIN[A-Z ]*PRIVATE KEY-----(?:[\s\S]*?-----END[A-Z ]*PRIVATE KEY-----|[\s\S]*)`},
	{"credentials in URLs (scheme://user:password@)", `[A-Za-z][A-Za-z0-9+.-]*://[^/\s:@]+:[^/\s@]+@`},
}

// BlockedValues returns the credential patterns the generated
// configurations mask, in the order the collector applies them.
func BlockedValues() []Pattern {
	return slices.Clone(blockedValues)
}
