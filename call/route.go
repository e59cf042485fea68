package call

import (
	"fmt"
	"strings"
)

// Route is a method and path template that selects a family.
type Route struct {
	// Family is the family the route selects. In a Spec's Routes it is left
	// empty: it is the Spec's family.
	Family Family
	// Method is the upper-case HTTP method.
	Method string
	// Path is the path template: literal segments and at most one {name}
	// parameter per segment, which may carry a literal prefix and suffix
	// within it ("/v1beta/models/{model}:generateContent"). A parameter
	// matches a non-empty value without "/" or ":". The value of a {model}
	// parameter is the call's model.
	Path string
	// Stream is true when the path itself asks for a streamed reply.
	Stream bool
	// Forward, for an alias, is the documented path template the request
	// is forwarded to (a Path of another route of the same family, with the
	// same parameters): agents' SDKs differ on whether a base URL holds the
	// version prefix, so "/messages" is "/v1/messages". Empty means the
	// request's own path.
	Forward string
}

// Match is what a route said about a request.
type Match struct {
	Family Family
	// Model is the model named in the path, or empty.
	Model string
	// Stream is true when the path asks for a stream.
	Stream bool
	// Forward is the documented path the request goes to upstream, when
	// it came on an alias (see Route.Forward); empty means its own path.
	Forward string
}

// Router recognises the family of a request from its method and path. It is
// read-only once built and safe for concurrent use.
type Router struct {
	registry, extra routeSet
}

// routeSet holds routes without parameters in a map and the others in a
// list.
type routeSet struct {
	exact     map[routeKey]Match
	templates []template
}

type routeKey struct{ method, path string }

// template is a compiled Route with parameters.
type template struct {
	method string
	segs   []segment
	match  Match
}

// segment is a literal, or a parameter with an optional literal prefix and
// suffix inside its segment.
type segment struct {
	literal        string
	param          string // empty for a literal
	prefix, suffix string
}

var registryRouter = func() *Router {
	r, err := NewRouter(nil)
	if err != nil {
		panic(err)
	}
	return r
}()

// DefaultRouter returns the router of the registry's routes.
func DefaultRouter() *Router { return registryRouter }

// NewRouter returns a router of the registry's routes and extra, whose
// Family must be a registered family. A request is matched against extra
// only when no registry route matches it: extra routes add paths to known
// families, they cannot take one away.
func NewRouter(extra []Route) (*Router, error) {
	r := &Router{}
	for _, s := range registry {
		for _, rt := range s.Routes {
			rt.Family = s.Family
			if err := r.registry.add(rt); err != nil {
				return nil, err
			}
		}
	}
	for _, s := range registry {
		for _, rt := range s.Routes {
			if err := r.checkForward(rt, s.Family); err != nil {
				return nil, err
			}
		}
	}
	for _, rt := range extra {
		if err := r.checkForward(rt, rt.Family); err != nil {
			return nil, err
		}
		if !Known(rt.Family) {
			return nil, fmt.Errorf("route %s %s: unknown family %q", rt.Method, rt.Path, rt.Family)
		}
		if err := r.extra.add(rt); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// checkForward makes sure an alias forwards to a documented route of its
// family, one that is no alias itself.
func (r *Router) checkForward(rt Route, f Family) error {
	if rt.Forward == "" {
		return nil
	}
	m, ok := r.registry.match(rt.Method, strings.Replace(rt.Forward, "{model}", "m", 1))
	if !ok || m.Family != f || m.Forward != "" || strings.Contains(rt.Forward, "{model}") != strings.Contains(rt.Path, "{model}") {
		return fmt.Errorf("route %s %s forwards to %s, which is no documented route of %s", rt.Method, rt.Path, rt.Forward, f)
	}
	return nil
}

func (s *routeSet) add(rt Route) error {
	segs, err := compile(rt.Path)
	if err != nil {
		return fmt.Errorf("route %s %s: %w", rt.Method, rt.Path, err)
	}
	m := Match{Family: rt.Family, Stream: rt.Stream, Forward: rt.Forward}
	for _, sg := range segs {
		if sg.param != "" {
			s.templates = append(s.templates, template{method: rt.Method, segs: segs, match: m})
			return nil
		}
	}
	if s.exact == nil {
		s.exact = map[routeKey]Match{}
	}
	k := routeKey{rt.Method, rt.Path}
	if _, dup := s.exact[k]; !dup {
		s.exact[k] = m
	}
	return nil
}

// Match returns the family of a request with this method and path (without
// query), and what the path says about model and stream. A request no route
// matches is FamilyUnknown.
func (r *Router) Match(method, path string) Match {
	if m, ok := r.registry.match(method, path); ok {
		return m
	}
	if m, ok := r.extra.match(method, path); ok {
		return m
	}
	return Match{Family: FamilyUnknown}
}

// match tries the exact routes, then the template with the most literal
// text among those that match.
func (s *routeSet) match(method, path string) (Match, bool) {
	if m, ok := s.exact[routeKey{method, path}]; ok {
		return m, true
	}
	best, bestScore, found := Match{}, -1, false
	for i := range s.templates {
		t := &s.templates[i]
		if t.method != method {
			continue
		}
		if model, score, ok := t.matchPath(path); ok && score > bestScore {
			best, bestScore, found = t.match, score, true
			best.Model = model
		}
	}
	if found && best.Forward != "" {
		best.Forward = strings.Replace(best.Forward, "{model}", best.Model, 1)
	}
	return best, found
}

// matchPath matches path against the template without allocating. It
// returns the {model} parameter's value and the number of literal bytes
// matched.
func (t *template) matchPath(path string) (model string, score int, ok bool) {
	if !strings.HasPrefix(path, "/") {
		return "", 0, false
	}
	rest := path[1:]
	for i, s := range t.segs {
		part := rest
		if i < len(t.segs)-1 {
			j := strings.IndexByte(rest, '/')
			if j < 0 {
				return "", 0, false
			}
			part, rest = rest[:j], rest[j+1:]
		} else if strings.IndexByte(rest, '/') >= 0 {
			return "", 0, false
		}
		if s.param == "" {
			if part != s.literal {
				return "", 0, false
			}
			score += len(part)
			continue
		}
		if len(part) <= len(s.prefix)+len(s.suffix) || !strings.HasPrefix(part, s.prefix) || !strings.HasSuffix(part, s.suffix) {
			return "", 0, false
		}
		v := part[len(s.prefix) : len(part)-len(s.suffix)]
		if strings.IndexByte(v, ':') >= 0 {
			return "", 0, false
		}
		if s.param == "model" {
			model = v
		}
		score += len(s.prefix) + len(s.suffix)
	}
	return model, score, true
}

// compile splits a path template into segments.
func compile(p string) ([]segment, error) {
	if p == "/" {
		return nil, nil
	}
	if !strings.HasPrefix(p, "/") || strings.HasSuffix(p, "/") || strings.ContainsAny(p, "?#") {
		return nil, fmt.Errorf("path template %q must start with \"/\" and have no trailing \"/\", query or fragment", p)
	}
	var segs []segment
	for _, s := range strings.Split(p[1:], "/") {
		if s == "" {
			return nil, fmt.Errorf("path template %q has an empty segment", p)
		}
		i, j := strings.IndexByte(s, '{'), strings.IndexByte(s, '}')
		switch {
		case i < 0 && j < 0:
			segs = append(segs, segment{literal: s})
		case i >= 0 && j > i+1 && strings.Count(s, "{") == 1 && strings.Count(s, "}") == 1:
			segs = append(segs, segment{param: s[i+1 : j], prefix: s[:i], suffix: s[j+1:]})
		default:
			return nil, fmt.Errorf("path template %q: segment %q must hold at most one {name} parameter", p, s)
		}
	}
	return segs, nil
}
