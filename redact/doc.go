// Package redact is the fail-closed guard in front of every span exporter:
// only attribute keys on the schema allowlist pass, and every string value
// is scanned for secrets and replaced by a fixed marker when one matches.
//
// # Pieces
//
//   - [Secret] holds a credential; every way of printing or encoding it
//     (fmt verbs, JSON, text, logr, slog) yields a stripped form, and [Label]
//     names it in spans by the last four hex digits of a keyed hash.
//   - [Scanner] masks the literal values it knows (the real key, the per-run
//     token) and everything its patterns match, with [Marker].
//   - [Guard] applies the attribute allowlist and the scanner to span
//     attributes; [WrapExporter] applies the guard to whole spans (name,
//     status, events, links, trace state, resource) and records its verdict
//     in [FlagKey] and [CountKey].
//   - [AllowedHeader] and [URLPath] decide what of an HTTP request may be
//     recorded at all.
//
// # What the scanner finds
//
// Credentials with a documented prefix: OpenAI, Anthropic, CometAPI and
// other OpenAI-compatible "sk-" keys, Stripe-style "sk_"/"rk_", Google API
// keys ("AIza") and OAuth tokens ("ya29.", "GOCSPX-"), AWS access key ids,
// GitHub, GitLab, Slack, Hugging Face, Groq, xAI, Replicate, Perplexity and
// npm tokens, and JWTs. Then structural forms: "Bearer"/"Basic" followed by
// a token, PEM private key blocks (to the end of the string when the END
// line is missing), user information in URLs, and the value of name=value
// or name: value pairs whose name ends in password, secret, token, api_key
// and the like. Finally high-entropy tokens: blobs of 24 characters or more
// of the base64 alphabets that mix upper case, lower case and digits the way
// random text does, and bare hex of 40 digits or more.
//
// The prefixed credentials and the Bearer, Basic, PEM and URL forms are one
// table, CredentialFormats, from which the OpenTelemetry Collector
// configuration's patterns are generated too (package collector); the
// name=value and entropy checks have no regular-expression form and run here
// only.
//
// Deliberately not flagged: model names, URL paths, dates, 32-digit trace
// ids, UUIDs, run ids, hex digests written "sha256:<hex>" (content hashes of
// instruction files are recorded on purpose), and ids with a known non-secret
// prefix ("chatcmpl-", "msg_", "resp_", "toolu_", ...). A 40-digit bare hex
// string such as a git commit id is masked: when in doubt, the guard fails
// closed.
//
// # Cost
//
// Patterns are hand-written byte scans over lookup tables, compiled into
// the package; no regular expression runs. A clean string costs one pass and
// no allocation, and a typical call span of about 25 attributes passes the
// guard in a few microseconds with three allocations (the output slice and
// one copy per string-slice attribute); see BenchmarkGuardTypicalSpan.
//
// # Why not gitleaks
//
// The gitleaks ruleset (github.com/zricethezav/gitleaks/v8) was considered
// and not taken. Its go.mod (as examined) requires about fifty modules,
// among them viper, cobra, zerolog, lipgloss, sprig and a WebAssembly
// regular-expression engine (wazero, go-re2): a larger dependency tree than
// the rest of agentwrap. Its detector finds rule keywords with Aho-Corasick
// and then runs the regular expressions of every rule whose keyword occurs
// (and of the rules without keywords), allocating fragments and findings;
// that does not fit 5 µs and 10 allocations per span. This package instead
// covers the credential formats an agent's model traffic can carry, keyed
// on the prefixes those providers document (the prefixes gitleaks' rules
// key on too), with the entropy check as the catch-all; its table and fuzz
// tests guard against regressions.
package redact
