package redact

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// CredentialFormat is one credential format: how the scanner recognises it
// and the RE2 expression the collector's redaction processor masks it with.
// The table of formats (CredentialFormats) is the one source of both: the
// scanner's prefix rules are built from it, and the collector configuration's
// blocked_values are generated from it.
type CredentialFormat struct {
	// Name says which issuer's credentials the format catches.
	Name string
	// Prefixes are the fixed prefixes the issuer puts on its credentials
	// (the public formats each provider documents, as collected by secret
	// scanners such as gitleaks). Empty for a structural format.
	Prefixes []string
	// MinRest is the least number of Rest characters that must follow a
	// prefix.
	MinRest int
	// Rest is the alphabet of the characters after a prefix.
	Rest Alphabet
	// Structure, for a format without prefixes, is its RE2 expression; the
	// scanner recognises it in code (patterns.go).
	Structure string
	// Example, for a structural format, is a canary value in the format
	// whose secret part holds "canary"; prefix formats get theirs from
	// Examples.
	Example string
}

// Alphabet is the set of characters that may follow a credential prefix.
type Alphabet int

// The alphabets.
const (
	// AlphabetWord is letters, digits, '_' and '-' (base64url).
	AlphabetWord Alphabet = iota + 1
	// AlphabetAlnum is letters and digits.
	AlphabetAlnum
	// AlphabetUpper is upper-case letters and digits.
	AlphabetUpper
)

// class is the scanner's character class of the alphabet.
func (a Alphabet) class() uint16 {
	switch a {
	case AlphabetWord:
		return clsWord
	case AlphabetAlnum:
		return clsUpper | clsLower | clsDigit
	case AlphabetUpper:
		return clsUpper | clsDigit
	}
	panic("redact: invalid Alphabet")
}

// re2 is the alphabet as an RE2 character class.
func (a Alphabet) re2() string {
	switch a {
	case AlphabetWord:
		return `[A-Za-z0-9_-]`
	case AlphabetAlnum:
		return `[A-Za-z0-9]`
	case AlphabetUpper:
		return `[A-Z0-9]`
	}
	panic("redact: invalid Alphabet")
}

// filler is a low-entropy character of the alphabet, for examples that only
// a prefix rule catches.
func (a Alphabet) filler() string {
	if a == AlphabetUpper {
		return "X"
	}
	return "x"
}

// blobRE2 is what the scanner masks after a recognised prefix: the rest of
// the blob (base64 included) and dotted continuations (a JWT's payload and
// signature).
const blobRE2 = `[A-Za-z0-9_+/=-]*(?:\.[A-Za-z0-9_+/=-]+)*`

// credentialFormats is the table. Order matters only for readability of the
// collector's configuration.
var credentialFormats = []CredentialFormat{
	{Name: "OpenAI, Anthropic, CometAPI, DeepSeek, OpenRouter and other OpenAI-compatible keys",
		Prefixes: []string{"sk-"}, MinRest: 16, Rest: AlphabetWord},
	{Name: "Stripe-style secret and restricted keys",
		Prefixes: []string{"sk_", "rk_"}, MinRest: 16, Rest: AlphabetWord},
	{Name: "Google API keys (Gemini, Maps, ...)",
		Prefixes: []string{"AIza"}, MinRest: 30, Rest: AlphabetWord},
	{Name: "Google OAuth client secrets",
		Prefixes: []string{"GOCSPX-"}, MinRest: 20, Rest: AlphabetWord},
	{Name: "AWS access key ids",
		Prefixes: []string{"AKIA", "ASIA", "ABIA", "ACCA", "AGPA", "AIDA", "AROA", "AIPA", "ANPA", "ANVA", "APKA"},
		MinRest:  12, Rest: AlphabetUpper},
	{Name: "GitHub tokens",
		Prefixes: []string{"ghp_", "gho_", "ghu_", "ghs_", "ghr_"}, MinRest: 30, Rest: AlphabetAlnum},
	{Name: "GitHub fine-grained personal access tokens",
		Prefixes: []string{"github_pat_"}, MinRest: 20, Rest: AlphabetWord},
	{Name: "GitLab personal access tokens",
		Prefixes: []string{"glpat-"}, MinRest: 20, Rest: AlphabetWord},
	{Name: "Slack tokens",
		Prefixes: []string{"xoxb-", "xoxp-", "xoxa-", "xoxr-", "xoxs-", "xoxe-"}, MinRest: 10, Rest: AlphabetWord},
	{Name: "Hugging Face tokens", Prefixes: []string{"hf_"}, MinRest: 30, Rest: AlphabetAlnum},
	{Name: "Groq keys", Prefixes: []string{"gsk_"}, MinRest: 20, Rest: AlphabetAlnum},
	{Name: "xAI keys", Prefixes: []string{"xai-"}, MinRest: 40, Rest: AlphabetAlnum},
	{Name: "Replicate tokens", Prefixes: []string{"r8_"}, MinRest: 20, Rest: AlphabetAlnum},
	{Name: "Perplexity keys", Prefixes: []string{"pplx-"}, MinRest: 20, Rest: AlphabetAlnum},
	{Name: "npm tokens", Prefixes: []string{"npm_"}, MinRest: 30, Rest: AlphabetAlnum},
	// base64url of `{"` begins every JWT header.
	{Name: "JSON Web Tokens", Prefixes: []string{"eyJ"}, MinRest: 13, Rest: AlphabetWord},
	{Name: "Google OAuth access tokens",
		Structure: `\bya29\.[A-Za-z0-9_+/=-]{20}` + blobRE2,
		Example:   "ya29.canary-oauth-access-token-0123456789"},
	{Name: "Bearer tokens",
		Structure: `(?i)\bbearer\s+[A-Za-z0-9._~+/=-]+`,
		Example:   "Authorization: Bearer canary-bearer-0123456789"},
	{Name: "Basic credentials",
		Structure: `(?i)\bbasic\s+[A-Za-z0-9+/=]*[0-9+/=][A-Za-z0-9+/=]*`,
		Example:   "Authorization: Basic canary0123456789+/=="},
	{Name: "PEM private keys",
		Structure: `-----BEGIN[A-Z ]*PRIVATE KEY-----(?:[\s\S]*?-----END[A-Z ]*PRIVATE KEY-----|[\s\S]*)`,
		Example:   "-----BEGIN PRIVATE KEY-----\nMIIcanary0123456789\n-----END PRIVATE KEY-----"},
	{Name: "credentials in URLs (scheme://user:password@)",
		Structure: `[A-Za-z][A-Za-z0-9+.-]*://[^/\s:@]+:[^/\s@]+@`,
		Example:   "https://alice:canary-password-0123@proxy.example.com/v1"},
}

// CredentialFormats returns the credential formats agentwrap masks, in the
// order the collector applies them. The slices are copies.
func CredentialFormats() []CredentialFormat {
	out := slices.Clone(credentialFormats)
	for i := range out {
		out[i].Prefixes = slices.Clone(out[i].Prefixes)
	}
	return out
}

// RE2 returns the format's regular expression in RE2 syntax (the collector's
// engine): Structure, or for a prefix format the prefixes at a word start,
// MinRest characters of Rest, and the rest of the blob the scanner masks
// with them.
func (f CredentialFormat) RE2() string {
	if len(f.Prefixes) == 0 {
		return f.Structure
	}
	quoted := make([]string, len(f.Prefixes))
	for i, p := range f.Prefixes {
		quoted[i] = regexp.QuoteMeta(p)
	}
	alt := quoted[0]
	if len(quoted) > 1 {
		alt = "(?:" + strings.Join(quoted, "|") + ")"
	}
	return `\b` + alt + f.Rest.re2() + "{" + strconv.Itoa(f.MinRest) + "}" + blobRE2
}

// Examples returns canary values in the format, each holding "canary" (in
// any case) in its secret part: for a prefix format one per prefix, just
// long enough and of low enough entropy that only the format's own rule
// catches it.
func (f CredentialFormat) Examples() []string {
	if len(f.Prefixes) == 0 {
		return []string{f.Example}
	}
	canary := "canary"
	if f.Rest == AlphabetUpper {
		canary = "CANARY"
	}
	out := make([]string, len(f.Prefixes))
	for i, p := range f.Prefixes {
		out[i] = p + canary + strings.Repeat(f.Rest.filler(), max(0, f.MinRest-len(canary)))
	}
	return out
}
