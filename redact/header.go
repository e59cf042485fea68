package redact

import (
	"net/url"
	"strings"
)

// allowedHeaders are the HTTP headers whose values may be recorded: content
// negotiation, protocol versions, SDK identification and retry hints.
// Credentials (authorization, x-api-key, x-goog-api-key, api-key, cookies,
// proxy-authorization) and everything not listed are never recorded.
var allowedHeaders = map[string]struct{}{
	"accept":                      {},
	"accept-encoding":             {},
	"anthropic-beta":              {},
	"anthropic-version":           {},
	"content-encoding":            {},
	"content-length":              {},
	"content-type":                {},
	"openai-beta":                 {},
	"openai-processing-ms":        {},
	"openai-version":              {},
	"request-id":                  {},
	"retry-after":                 {},
	"retry-after-ms":              {},
	"transfer-encoding":           {},
	"user-agent":                  {},
	"x-request-id":                {},
	"x-stainless-arch":            {},
	"x-stainless-async":           {},
	"x-stainless-helper-method":   {},
	"x-stainless-lang":            {},
	"x-stainless-os":              {},
	"x-stainless-package-version": {},
	"x-stainless-read-timeout":    {},
	"x-stainless-retry-count":     {},
	"x-stainless-runtime":         {},
	"x-stainless-runtime-version": {},
	"x-stainless-timeout":         {},
}

// AllowedHeader reports whether the value of the HTTP header name may be
// recorded. The match ignores case. It is an allowlist: a header not named
// in it, credential-bearing or not, is never recorded.
func AllowedHeader(name string) bool {
	_, ok := allowedHeaders[strings.ToLower(strings.TrimSpace(name))]
	return ok
}

// URLPath returns the path of the URL raw, escaped as on the wire, without
// scheme, user information, host, query or fragment. It returns "" when raw
// does not parse or has no path.
func URLPath(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Opaque != "" {
		return ""
	}
	return u.EscapedPath()
}
