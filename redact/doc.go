// Package redact is the fail-closed guard in front of every span exporter:
// only attribute keys on the schema allowlist pass, and every string value
// is scanned for secrets and replaced by a fixed marker when one matches.
package redact
