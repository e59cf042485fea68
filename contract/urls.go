package contract

import (
	"net"
	"net/url"
	"strings"

	"go.yaml.in/yaml/v3"
)

// checkSourceURL reports a documentation URL that is not an absolute https
// URL. Messages show scheme, host and path only: never user info or query.
func (d *decoder) checkSourceURL(what, raw string, n *yaml.Node) {
	u, err := url.Parse(raw)
	switch {
	case err != nil || u.Host == "":
		d.errorf(n, "%s is not an absolute URL", what)
	case u.Scheme != "https":
		d.errorf(n, "%s is not https: %s", what, showURL(u))
	case u.User != nil:
		d.errorf(n, "%s must not carry user info", what)
	}
}

// checkBaseURL reports a base URL that is missing, not https, carries a path,
// query or user info, or points at a non-production host.
func (d *decoder) checkBaseURL(raw string, vn, mn *yaml.Node) {
	if raw == "" {
		d.errorf(or(vn, mn), "missing base_url (the production base URL)")
		return
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		d.errorf(vn, "base_url is not an absolute URL")
		return
	}
	if u.User != nil {
		d.errorf(vn, "base_url must not carry user info (credentials belong in the environment)")
		return
	}
	if u.Scheme != "https" {
		d.errorf(vn, "base_url is not https: %s", showURL(u))
	}
	if u.Path != "" && u.Path != "/" {
		d.errorf(vn, "base_url must not have a path (%s belongs in each endpoint's path)", u.EscapedPath())
	}
	if u.RawQuery != "" || u.Fragment != "" {
		d.errorf(vn, "base_url must not have a query or fragment")
	}
	if why := nonProduction(u.Hostname()); why != "" {
		d.errorf(vn, "base_url host %s is not a production host (%s)", u.Hostname(), why)
	}
}

// nonProductionLabels are host name labels that mark a non-production
// environment.
var nonProductionLabels = []string{
	"staging", "stage", "stg", "dev", "develop", "development", "test", "testing",
	"qa", "uat", "sandbox", "preview", "preprod", "canary", "demo", "mock", "local", "localhost",
}

// nonProduction says why host is not a production host, or "".
func nonProduction(host string) string {
	h := strings.TrimSuffix(strings.ToLower(host), ".")
	if ip := net.ParseIP(h); ip != nil {
		if ip.IsLoopback() {
			return "loopback address"
		}
		return "IP address, not a host name"
	}
	if h == "localhost" {
		return "loopback host"
	}
	for _, suf := range []string{".local", ".internal", ".localhost", ".lan", ".home.arpa", ".test", ".example", ".invalid"} {
		if strings.HasSuffix(h, suf) {
			return "reserved or private domain " + suf
		}
	}
	for _, dom := range []string{"example.com", "example.net", "example.org"} {
		if h == dom || strings.HasSuffix(h, "."+dom) {
			return "reserved example domain"
		}
	}
	if !strings.Contains(h, ".") {
		return "single-label host name"
	}
	for _, label := range strings.FieldsFunc(h, func(r rune) bool { return r == '.' || r == '-' }) {
		if contains(nonProductionLabels, label) {
			return "name says " + label
		}
	}
	return ""
}

func showURL(u *url.URL) string {
	return (&url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path}).String()
}
