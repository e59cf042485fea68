package redact

import "net/url"

// Endpoint shows an endpoint URL without credentials, query or fragment:
// what an error or a log line may say of a collector's URL.
func Endpoint(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "(invalid URL)"
	}
	return u.Scheme + "://" + u.Host + u.EscapedPath()
}
