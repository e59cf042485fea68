package wrap

import (
	"bytes"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"
)

// urlPattern matches http(s) URLs in free text (an IPv6 literal host in
// brackets included), stopping at characters that end a URL in Markdown,
// JSON, TOML or prose.
var urlPattern = regexp.MustCompile(`(?i)https?://(?:\[[0-9a-f:.]+\]|` + urlChar + `)` + urlChar + `*`)

// urlChar is one character that may continue a URL.
const urlChar = "[^\\s\"'<>()\\[\\]{}`,;|\\\\]"

// knownGatewayHosts are model API hosts named outright; any subdomain of
// cometapi.com counts too.
func knownGatewayHosts() []string {
	return []string{"api.openai.com", "api.anthropic.com", "generativelanguage.googleapis.com", "openrouter.ai", "cometapi.com"}
}

// baseURLKeys are lower-case fragments of configuration keys that set a
// model base URL (ANTHROPIC_BASE_URL, OPENAI_BASE_URL, OPENAI_API_BASE,
// GOOGLE_GEMINI_BASE_URL, base_url, baseURL, ...).
func baseURLKeys() []string {
	return []string{"base_url", "baseurl", "base-url", "api_base", "apibase", "api-base"}
}

// gatewayOrigins returns, in order of first appearance, the origins of the
// URLs in body that name a model gateway.
func gatewayOrigins(body []byte) []string {
	var origins []string
	for line := range bytes.Lines(body) {
		for _, loc := range urlPattern.FindAllIndex(line, -1) {
			origin, host, ok := parseOrigin(string(line[loc[0]:loc[1]]))
			if !ok || slices.Contains(origins, origin) {
				continue
			}
			if isGatewayHost(host) || hasBaseURLKey(line[:loc[0]]) {
				origins = append(origins, origin)
			}
		}
	}
	return origins
}

// parseOrigin returns scheme://host[:port] and the host of a URL, dropping
// its user info, path and query.
func parseOrigin(raw string) (origin, host string, ok bool) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", "", false
	}
	host = strings.TrimRight(strings.ToLower(u.Hostname()), ".")
	if !validHost(host) {
		return "", "", false
	}
	hostport := host
	if strings.Contains(host, ":") {
		hostport = "[" + host + "]"
	}
	if port := u.Port(); port != "" {
		hostport = net.JoinHostPort(host, port)
	}
	return strings.ToLower(u.Scheme) + "://" + hostport, host, true
}

// validHost accepts DNS names and IP addresses only.
func validHost(host string) bool {
	if host == "" || len(host) > 253 {
		return false
	}
	for _, c := range host {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || strings.ContainsRune(".-_:", c)) {
			return false
		}
	}
	return true
}

// isGatewayHost reports whether host looks like a model API gateway.
func isGatewayHost(host string) bool {
	if slices.Contains(knownGatewayHosts(), host) || strings.HasSuffix(host, ".cometapi.com") {
		return true
	}
	return slices.Contains(strings.Split(host, "."), "api")
}

// hasBaseURLKey reports whether the text before a URL on its line names a
// base-URL setting.
func hasBaseURLKey(prefix []byte) bool {
	lower := strings.ToLower(string(prefix))
	for _, k := range baseURLKeys() {
		if strings.Contains(lower, k) {
			return true
		}
	}
	return false
}

// normalizeHost reduces a host, host:port or URL to a lower-case host.
func normalizeHost(s string) string {
	s = strings.TrimSpace(s)
	if strings.Contains(s, "://") {
		if u, err := url.Parse(s); err == nil {
			s = u.Hostname()
		}
	} else if h, _, err := net.SplitHostPort(s); err == nil {
		s = h
	}
	return strings.TrimRight(strings.ToLower(strings.Trim(s, "[]")), ".")
}

// gatewayNotes returns one note per gateway host in f other than upstream.
func gatewayNotes(f instructionFile, upstream string) []string {
	var notes, seen []string
	for _, origin := range f.GatewayURLs {
		_, host, _ := parseOrigin(origin)
		if host == upstream || slices.Contains(seen, host) {
			continue
		}
		seen = append(seen, host)
		note := fmt.Sprintf("%s names model gateway %s", clipPath(f.Path), clipText(host, 80))
		if upstream != "" {
			note += fmt.Sprintf(", not upstream %s", clipText(upstream, 60))
		}
		notes = append(notes, clip(note))
	}
	return notes
}

// clipPath keeps the end of a long path, which names the file.
func clipPath(p string) string {
	const keep = 50
	if utf8.RuneCountInString(p) <= keep {
		return p
	}
	r := []rune(p)
	return "..." + string(r[len(r)-keep:])
}

// clipText keeps the start of s, at most n runes.
func clipText(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-3]) + "..."
}

// clip bounds a note to maxNoteLen bytes on a rune boundary.
func clip(note string) string {
	if len(note) <= maxNoteLen {
		return note
	}
	cut := maxNoteLen
	for cut > 0 && !utf8.RuneStart(note[cut]) {
		cut--
	}
	return note[:cut]
}
