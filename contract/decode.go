package contract

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// decoder walks a manifest's yaml.Node tree, building the Manifest and
// collecting findings with the line of the node they concern.
type decoder struct {
	file     string
	now      time.Time
	findings []Finding
}

func (d *decoder) add(line int, sev, format string, args ...any) {
	d.findings = append(d.findings, Finding{File: d.file, Line: line, Severity: sev, Msg: fmt.Sprintf(format, args...)})
}

func (d *decoder) errorf(n *yaml.Node, format string, args ...any) {
	d.add(lineOf(n), SeverityError, format, args...)
}

func (d *decoder) warnf(n *yaml.Node, format string, args ...any) {
	d.add(lineOf(n), SeverityWarning, format, args...)
}

func lineOf(n *yaml.Node) int {
	if n == nil {
		return 0
	}
	return n.Line
}

// parse decodes and lints data. It returns the manifest (possibly partial
// when there are errors) and every finding, sorted by line.
func parse(name string, data []byte, now time.Time) (*Manifest, []Finding) {
	d := &decoder{file: name, now: now}
	m := &Manifest{File: name}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		line, msg := yamlError(data, err)
		d.add(line, SeverityError, "invalid YAML: %s", msg)
		return m, d.findings
	}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		d.add(0, SeverityError, "empty manifest")
		return m, d.findings
	}
	d.manifest(m, doc.Content[0])
	sort.SliceStable(d.findings, func(i, j int) bool { return d.findings[i].Line < d.findings[j].Line })
	return m, d.findings
}

var yamlLineRE = regexp.MustCompile(`^yaml: (?:line (\d+): )?(.*)$`)

// yamlError splits a yaml syntax error into a line and a message. The yaml
// package reports the line where the enclosing construct began, not the
// offending line; the offending line is the shortest prefix of the document,
// in lines, that fails with the same message (found by binary search: a
// prefix that holds the offending line fails as the whole document does).
func yamlError(data []byte, err error) (int, string) {
	line, msg := splitYAMLError(err)
	lines := strings.SplitAfter(string(data), "\n")
	prefixFails := func(k int) bool {
		var n yaml.Node
		perr := yaml.Unmarshal([]byte(strings.Join(lines[:k], "")), &n)
		if perr == nil {
			return false
		}
		_, m := splitYAMLError(perr)
		return m == msg
	}
	k := sort.Search(len(lines), func(i int) bool { return prefixFails(i + 1) })
	if k < len(lines) {
		return k + 1, msg
	}
	return line, msg
}

func splitYAMLError(err error) (int, string) {
	msg := strings.SplitN(err.Error(), "\n", 2)[0]
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		return line, m[2]
	}
	return 0, msg
}

// resolve follows aliases to the node they name.
func resolve(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < 16; i++ {
		n = n.Alias
	}
	return n
}

type entry struct {
	key, val *yaml.Node
}

// mapping returns the entries of mapping node n by key, reporting unknown
// keys, duplicate keys and merge keys. It returns nil when n is not a mapping.
func (d *decoder) mapping(n *yaml.Node, what string, known ...string) map[string]entry {
	n = resolve(n)
	if n == nil || n.Kind != yaml.MappingNode {
		d.errorf(n, "%s must be a mapping", what)
		return nil
	}
	out := make(map[string]entry, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		key := k.Value
		switch {
		case k.Kind != yaml.ScalarNode:
			d.errorf(k, "%s has a key that is not a string", what)
		case key == "<<":
			d.errorf(k, "merge keys (<<) are not supported")
		case !contains(known, key):
			d.errorf(k, "unknown key %q in %s", clip(key), what)
		case out[key].key != nil:
			d.errorf(k, "duplicate key %q in %s (first at line %d)", key, what, out[key].key.Line)
		default:
			out[key] = entry{k, v}
		}
	}
	return out
}

// str returns the scalar value of entry key, or "" (reporting a non-scalar).
func (d *decoder) str(fields map[string]entry, key string) (string, *yaml.Node) {
	e, ok := fields[key]
	if !ok {
		return "", nil
	}
	v := resolve(e.val)
	if v == nil || v.Kind != yaml.ScalarNode {
		d.errorf(e.val, "%s must be a single value", key)
		return "", e.key
	}
	if v.Tag == "!!null" {
		return "", e.key
	}
	return strings.TrimSpace(v.Value), v
}

// list returns the scalar items of sequence entry key.
func (d *decoder) list(fields map[string]entry, key string) ([]string, []*yaml.Node) {
	e, ok := fields[key]
	if !ok {
		return nil, nil
	}
	v := resolve(e.val)
	if v != nil && v.Kind == yaml.ScalarNode && v.Tag == "!!null" {
		return nil, nil
	}
	if v == nil || v.Kind != yaml.SequenceNode {
		d.errorf(e.val, "%s must be a list", key)
		return nil, nil
	}
	var vals []string
	var nodes []*yaml.Node
	for _, it := range v.Content {
		item := resolve(it)
		if item == nil || item.Kind != yaml.ScalarNode || item.Tag == "!!null" {
			d.errorf(it, "%s items must be single non-empty values", key)
			continue
		}
		s := strings.TrimSpace(item.Value)
		if s == "" {
			d.errorf(item, "%s has an empty item", key)
			continue
		}
		vals = append(vals, s)
		nodes = append(nodes, item)
	}
	return vals, nodes
}

// names returns a list of field or header names, reporting malformed names
// and duplicates.
func (d *decoder) names(fields map[string]entry, key string) []string {
	out, _ := d.nameNodes(fields, key)
	return out
}

func (d *decoder) nameNodes(fields map[string]entry, key string) ([]string, []*yaml.Node) {
	vals, nodes := d.list(fields, key)
	seen := map[string]bool{}
	var out []string
	var outNodes []*yaml.Node
	for i, s := range vals {
		switch {
		case strings.ContainsAny(s, " \t\r\n"):
			d.errorf(nodes[i], "%s item %q contains whitespace", key, clip(s))
		case seen[s]:
			d.errorf(nodes[i], "%s lists %q twice", key, clip(s))
		default:
			seen[s] = true
			out = append(out, s)
			outNodes = append(outNodes, nodes[i])
		}
	}
	return out, outNodes
}

func or(a, b *yaml.Node) *yaml.Node {
	if a != nil {
		return a
	}
	return b
}

func contains(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

func containsInt(xs []int, c int) bool {
	for _, x := range xs {
		if x == c {
			return true
		}
	}
	return false
}

// clip shortens a value quoted in a message.
func clip(s string) string {
	const max = 80
	if len(s) <= max {
		return s
	}
	return s[:max] + "..."
}
