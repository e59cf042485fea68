package contract

import (
	"regexp"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// maxEndpoints bounds the work one manifest can ask for.
const maxEndpoints = 1000

// manifest decodes the top-level mapping.
func (d *decoder) manifest(m *Manifest, n *yaml.Node) {
	f := d.mapping(n, "manifest", "version", "name", "base_url", "owner", "support", "endpoints")
	if f == nil {
		return
	}
	d.version(f, n)
	m.Name, _ = d.str(f, "name")
	if m.Name == "" {
		m.Name = m.File
	}
	var bn *yaml.Node
	m.BaseURL, bn = d.str(f, "base_url")
	d.checkBaseURL(m.BaseURL, bn, n)
	m.Owner, _ = d.str(f, "owner")
	var sn *yaml.Node
	m.Support, sn = d.str(f, "support")
	if m.Support != "" {
		d.checkSourceURL("support", m.Support, sn)
	}
	d.endpoints(m, f, n)
}

func (d *decoder) version(f map[string]entry, n *yaml.Node) {
	v, vn := d.str(f, "version")
	switch {
	case vn == nil:
		d.errorf(n, "missing version (want %d)", FormatVersion)
	case v != strconv.Itoa(FormatVersion):
		d.errorf(vn, "unsupported version %q (want %d)", clip(v), FormatVersion)
	}
}

// endpoints decodes the endpoint list and the rules across endpoints.
func (d *decoder) endpoints(m *Manifest, f map[string]entry, n *yaml.Node) {
	e, ok := f["endpoints"]
	list := resolve(e.val)
	if !ok || list == nil || (list.Kind == yaml.ScalarNode && list.Tag == "!!null") {
		d.errorf(n, "manifest has no endpoints")
		return
	}
	if list.Kind != yaml.SequenceNode {
		d.errorf(e.val, "endpoints must be a list")
		return
	}
	if len(list.Content) == 0 {
		d.errorf(e.key, "manifest has no endpoints")
		return
	}
	if len(list.Content) > maxEndpoints {
		d.errorf(e.key, "too many endpoints (%d, limit %d)", len(list.Content), maxEndpoints)
		return
	}
	ids := map[string]int{}
	routes := map[string]int{}
	for _, item := range list.Content {
		ep, idNode := d.endpoint(m, item)
		if ep == nil {
			continue
		}
		if ep.ID != "" {
			if first, dup := ids[ep.ID]; dup {
				d.errorf(idNode, "duplicate id %q (first at line %d)", ep.ID, first)
			} else {
				ids[ep.ID] = lineOf(idNode)
			}
		}
		if ep.route != nil && ep.Method != "" {
			r := ep.Method + " " + canonicalRoute(ep.route)
			if first, dup := routes[r]; dup {
				d.errorf(resolve(item), "duplicate route %s %s (first at line %d)", ep.Method, ep.Path, first)
			} else {
				routes[r] = ep.Line
			}
		}
		m.Endpoints = append(m.Endpoints, *ep)
	}
}

var idRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

// endpoint decodes one endpoint entry.
func (d *decoder) endpoint(m *Manifest, item *yaml.Node) (*Endpoint, *yaml.Node) {
	n := resolve(item)
	f := d.mapping(n, "endpoint", "id", "family", "method", "path", "source_urls", "checked_at", "owner",
		"credential_headers", "required_headers", "required_fields", "optional_fields", "response_fields",
		"stream", "error_shape", "retryable", "non_retryable", "unknowns", "notes", "validation")
	if f == nil {
		return nil, nil
	}
	ep := &Endpoint{Line: n.Line}
	var idNode *yaml.Node
	ep.ID, idNode = d.str(f, "id")
	switch {
	case idNode == nil || ep.ID == "":
		d.errorf(n, "endpoint has no id")
		idNode = n
	case !idRE.MatchString(ep.ID):
		d.errorf(idNode, "id %q must be letters, digits, '.', '_' or '-'", clip(ep.ID))
	}
	d.family(ep, f, n)
	d.method(ep, f, n)
	d.path(ep, f, n)
	d.sources(ep, f, n)
	d.checkedAt(ep, f, n)
	ep.Owner, _ = d.str(f, "owner")
	if ep.Owner == "" {
		ep.Owner = m.Owner
	}
	if ep.Owner == "" {
		d.errorf(n, "endpoint %q has no owner (set owner here or at the top)", clip(ep.ID))
	}
	d.headers(ep, f)
	ep.RequiredFields = d.names(f, "required_fields")
	ep.OptionalFields = d.names(f, "optional_fields")
	ep.ResponseFields = d.names(f, "response_fields")
	d.stream(ep, f)
	d.errorShape(ep, f, n)
	d.statuses(ep, f)
	d.validation(ep, f)
	ep.Unknowns, _ = d.list(f, "unknowns")
	ep.Notes, _ = d.str(f, "notes")
	return ep, idNode
}

func (d *decoder) family(ep *Endpoint, f map[string]entry, n *yaml.Node) {
	var fn *yaml.Node
	ep.Family, fn = d.str(f, "family")
	switch {
	case ep.Family == "":
		d.errorf(or(fn, n), "endpoint has no family (one of %s)", strings.Join(families, ", "))
	case !contains(families, ep.Family):
		d.errorf(fn, "unknown family %q (one of %s)", clip(ep.Family), strings.Join(families, ", "))
	}
}

var methods = []string{"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"}

func (d *decoder) method(ep *Endpoint, f map[string]entry, n *yaml.Node) {
	var mn *yaml.Node
	ep.Method, mn = d.str(f, "method")
	switch {
	case ep.Method == "":
		d.errorf(or(mn, n), "endpoint has no method")
	case contains(methods, strings.ToUpper(ep.Method)) && ep.Method != strings.ToUpper(ep.Method):
		d.errorf(mn, "method %q must be upper case", ep.Method)
		ep.Method = ""
	case !contains(methods, ep.Method):
		d.errorf(mn, "unknown method %q (one of %s)", clip(ep.Method), strings.Join(methods, ", "))
		ep.Method = ""
	}
}

func (d *decoder) path(ep *Endpoint, f map[string]entry, n *yaml.Node) {
	p, pn := d.str(f, "path")
	ep.Path = p
	if pn == nil {
		d.errorf(n, "endpoint has no path")
		return
	}
	segs, err := compilePath(p)
	if err != nil {
		d.errorf(pn, "malformed path %q: %v", clip(p), err)
		return
	}
	ep.route = segs
}

func (d *decoder) sources(ep *Endpoint, f map[string]entry, n *yaml.Node) {
	urls, nodes := d.list(f, "source_urls")
	if len(urls) == 0 {
		d.errorf(or(f["source_urls"].key, n), "endpoint has no source_urls (the documentation it was checked against)")
	}
	for i, u := range urls {
		d.checkSourceURL("source URL", u, nodes[i])
	}
	ep.SourceURLs = urls
}

func (d *decoder) checkedAt(ep *Endpoint, f map[string]entry, n *yaml.Node) {
	s, sn := d.str(f, "checked_at")
	ep.CheckedAt = s
	if s == "" {
		d.errorf(or(sn, n), "endpoint has no checked_at (the access date of its documentation)")
		return
	}
	t, err := parseDate(s)
	if err != nil {
		d.errorf(sn, "checked_at %q is not a date (YYYY-MM-DD or RFC 3339)", clip(s))
		return
	}
	ep.checked = t
	if d.now.IsZero() {
		return
	}
	// A day of slack absorbs time zones: a date written today east of UTC.
	if t.After(d.now.Add(24 * time.Hour)) {
		d.errorf(sn, "checked_at %s is in the future", s)
	} else if age := d.now.Sub(t); age > MaxAge {
		d.warnf(sn, "checked_at %s is %d days old (over %d): check the documentation again",
			s, int(age.Hours()/24), int(MaxAge.Hours()/24))
	}
}

// parseDate reads YYYY-MM-DD (midnight UTC) or RFC 3339.
func parseDate(s string) (time.Time, error) {
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	return time.Parse(time.RFC3339, s)
}

var headerRE = regexp.MustCompile("^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")

func (d *decoder) headers(ep *Endpoint, f map[string]entry) {
	for _, key := range []string{"credential_headers", "required_headers"} {
		hs, nodes := d.nameNodes(f, key)
		var ok []string
		for i, h := range hs {
			if !headerRE.MatchString(h) {
				d.errorf(nodes[i], "%s item %q is not a valid header name", key, clip(h))
				continue
			}
			ok = append(ok, strings.ToLower(h))
		}
		if key == "credential_headers" {
			ep.CredentialHeaders = ok
		} else {
			ep.RequiredHeaders = ok
		}
	}
}

func (d *decoder) errorShape(ep *Endpoint, f map[string]entry, n *yaml.Node) {
	var sn *yaml.Node
	ep.ErrorShape, sn = d.str(f, "error_shape")
	switch {
	case ep.ErrorShape == "":
		d.errorf(or(sn, n), "endpoint has no error_shape (one of %s)", strings.Join(ErrorShapes(), ", "))
	case !contains(ErrorShapes(), ep.ErrorShape):
		d.errorf(sn, "unknown error_shape %q (one of %s)", clip(ep.ErrorShape), strings.Join(ErrorShapes(), ", "))
	}
}

func (d *decoder) statuses(ep *Endpoint, f map[string]entry) {
	ep.Retryable = d.codes(f, "retryable")
	ep.NonRetryable = d.codes(f, "non_retryable")
	for _, c := range ep.Retryable {
		if containsInt(ep.NonRetryable, c) {
			d.errorf(f["non_retryable"].key, "status %d is both retryable and non_retryable", c)
		}
	}
}

// codes reads a list of HTTP error statuses.
func (d *decoder) codes(f map[string]entry, key string) []int {
	vals, nodes := d.list(f, key)
	var out []int
	for i, s := range vals {
		c, err := strconv.Atoi(s)
		switch {
		case err != nil || c < 100 || c > 599:
			d.errorf(nodes[i], "%s item %q is not an HTTP status", key, clip(s))
		case c < 400:
			d.errorf(nodes[i], "%s item %d is not an error status", key, c)
		case containsInt(out, c):
			d.errorf(nodes[i], "%s lists %d twice", key, c)
		default:
			out = append(out, c)
		}
	}
	return out
}

// stream decodes the optional stream block.
func (d *decoder) stream(ep *Endpoint, f map[string]entry) {
	e, ok := f["stream"]
	if !ok {
		return
	}
	sf := d.mapping(e.val, "stream", "always", "events", "terminal")
	if sf == nil {
		return
	}
	ep.Streams = true
	if a, an := d.str(sf, "always"); an != nil {
		b, err := strconv.ParseBool(a)
		if err != nil {
			d.errorf(an, "stream.always must be true or false")
		}
		ep.StreamAlways = b
	}
	d.events(ep, sf)
	terms, tnodes := d.list(sf, "terminal")
	for i, t := range terms {
		if t != "[DONE]" && ep.Event(t) == nil {
			d.errorf(tnodes[i], "terminal event %q is not among the stream's events", clip(t))
		}
	}
	ep.StreamTerminal = terms
}

func (d *decoder) events(ep *Endpoint, sf map[string]entry) {
	e, ok := sf["events"]
	if !ok {
		return
	}
	list := resolve(e.val)
	if list == nil || list.Kind != yaml.SequenceNode {
		d.errorf(e.val, "stream.events must be a list")
		return
	}
	for _, it := range list.Content {
		ef := d.mapping(it, "stream event", "type", "fields")
		if ef == nil {
			continue
		}
		t, tn := d.str(ef, "type")
		switch {
		case t == "":
			d.errorf(or(tn, resolve(it)), "stream event has no type")
			continue
		case ep.Event(t) != nil:
			d.errorf(tn, "stream event %q is listed twice", clip(t))
			continue
		}
		ep.StreamEvents = append(ep.StreamEvents, StreamEvent{Type: t, Fields: d.names(ef, "fields")})
	}
}
