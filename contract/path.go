package contract

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// segment is one compiled path segment: a literal, or a parameter with an
// optional literal prefix and suffix inside the segment.
type segment struct {
	literal string
	param   string // empty for a literal segment
	prefix  string
	suffix  string
}

var paramNameRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// compilePath checks a path template and compiles it. The rules: it starts
// with "/", has no query or fragment, no empty, "." or ".." segments, no
// trailing slash, only URL path characters, and parameters of the form
// {name}, at most one per segment, each name once.
func compilePath(p string) ([]segment, error) {
	switch {
	case strings.TrimSpace(p) == "":
		return nil, errors.New("empty path")
	case !strings.HasPrefix(p, "/"):
		return nil, errors.New(`must start with "/"`)
	case strings.ContainsAny(p, "?#"):
		return nil, errors.New("must not contain a query or fragment")
	case p == "/":
		return []segment{}, nil
	case strings.HasSuffix(p, "/"):
		return nil, errors.New("must not end with \"/\"")
	}
	seen := map[string]bool{}
	var segs []segment
	for _, s := range strings.Split(p[1:], "/") {
		seg, err := compileSegment(s)
		if err != nil {
			return nil, err
		}
		if seg.param != "" {
			if seen[seg.param] {
				return nil, fmt.Errorf("parameter {%s} appears twice", seg.param)
			}
			seen[seg.param] = true
		}
		segs = append(segs, seg)
	}
	return segs, nil
}

func compileSegment(s string) (segment, error) {
	switch s {
	case "":
		return segment{}, errors.New(`empty segment ("//")`)
	case ".", "..":
		return segment{}, fmt.Errorf("dot segment %q", s)
	}
	if err := checkPathChars(s); err != nil {
		return segment{}, err
	}
	open, close := strings.Count(s, "{"), strings.Count(s, "}")
	if open == 0 && close == 0 {
		return segment{literal: s}, nil
	}
	if open != 1 || close != 1 {
		return segment{}, fmt.Errorf("segment %q must hold one {name} parameter at most, with balanced braces", s)
	}
	i, j := strings.Index(s, "{"), strings.Index(s, "}")
	if j < i {
		return segment{}, fmt.Errorf("segment %q has unbalanced braces", s)
	}
	name := s[i+1 : j]
	if !paramNameRE.MatchString(name) {
		return segment{}, fmt.Errorf("parameter name %q is not an identifier", name)
	}
	return segment{param: name, prefix: s[:i], suffix: s[j+1:]}, nil
}

// checkPathChars reports a character that may not appear in a URL path
// segment (RFC 3986 pchar, plus the braces of parameters).
func checkPathChars(s string) error {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case strings.IndexByte("-._~!$&'()*+,;=:@{}", c) >= 0:
		case c == '%':
			if i+2 >= len(s) || !isHex(s[i+1]) || !isHex(s[i+2]) {
				return errors.New("malformed percent-escape")
			}
			i += 2
		default:
			return fmt.Errorf("character %q is not allowed in a path", rune(c))
		}
	}
	return nil
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// canonicalRoute renders a compiled path with parameter names erased, so
// that two templates matching the same requests compare equal.
func canonicalRoute(segs []segment) string {
	var b strings.Builder
	for _, s := range segs {
		b.WriteByte('/')
		if s.param == "" {
			b.WriteString(s.literal)
			continue
		}
		b.WriteString(s.prefix + "{}" + s.suffix)
	}
	if b.Len() == 0 {
		return "/"
	}
	return b.String()
}

// splitPath splits a request path into its segments; ok is false when it
// does not start with "/". "/" has no segments.
// The segments are appended to buf (strings.Split's result, without its
// allocation when buf has room).
func splitPath(path string, buf []string) ([]string, bool) {
	switch {
	case !strings.HasPrefix(path, "/"):
		return nil, false
	case path == "/":
		return nil, true
	}
	rest := path[1:]
	for {
		i := strings.IndexByte(rest, '/')
		if i < 0 {
			return append(buf, rest), true
		}
		buf, rest = append(buf, rest[:i]), rest[i+1:]
	}
}

// maxSegments is the room for path segments Match keeps on its stack:
// documented paths have at most five.
const maxSegments = 8

// match matches the segments of a request path against segs. It returns
// whether it matched and a score: the number of literal bytes, so the most
// specific template wins.
func match(segs []segment, parts []string) (int, bool) {
	if len(parts) != len(segs) {
		return 0, false
	}
	score := 0
	for i, s := range segs {
		p := parts[i]
		if s.param == "" {
			if p != s.literal {
				return 0, false
			}
			score += len(p)
			continue
		}
		if len(p) <= len(s.prefix)+len(s.suffix) || !strings.HasPrefix(p, s.prefix) || !strings.HasSuffix(p, s.suffix) {
			return 0, false
		}
		score += len(s.prefix) + len(s.suffix)
	}
	return score, true
}

// params extracts the parameters of a matched path, or nil when the
// template has none.
func params(segs []segment, parts []string) map[string]string {
	var out map[string]string
	for i, s := range segs {
		if s.param == "" {
			continue
		}
		if out == nil {
			out = map[string]string{}
		}
		p := parts[i]
		out[s.param] = p[len(s.prefix) : len(p)-len(s.suffix)]
	}
	return out
}

// Match returns the endpoint documenting a request with this method and path,
// and the path parameters (nil when the template has none). The path should
// come without its query; anything from a "?" on is ignored all the same.
// When several templates match, the one with the most literal text wins.
// It returns nil, nil when no endpoint matches.
func (m *Manifest) Match(method, path string) (*Endpoint, map[string]string) {
	var buf [maxSegments]string
	e, parts := m.match(method, path, buf[:0])
	if e == nil {
		return nil, nil
	}
	return e, params(e.route, parts)
}

// MatchEndpoint is Match without the path parameters, which the gateway's
// check of every call does not need: it allocates nothing.
func (m *Manifest) MatchEndpoint(method, path string) *Endpoint {
	var buf [maxSegments]string
	e, _ := m.match(method, path, buf[:0])
	return e
}

// match is Match's lookup; the path's segments go to buf.
func (m *Manifest) match(method, path string, buf []string) (*Endpoint, []string) {
	if i := strings.IndexAny(path, "?#"); i >= 0 {
		path = path[:i]
	}
	parts, ok := splitPath(path, buf)
	if !ok {
		return nil, nil
	}
	var best *Endpoint
	bestScore := -1
	for i := range m.Endpoints {
		e := &m.Endpoints[i]
		if e.Method != method || e.route == nil {
			continue
		}
		if score, ok := match(e.route, parts); ok && score > bestScore {
			best, bestScore = e, score
		}
	}
	return best, parts
}
