package wrap

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// ProfilesFileEnv names the variable that sets the user's profiles file,
// like --profiles.
const ProfilesFileEnv = "AGENTWRAP_PROFILES"

// ProfileError is a problem in a profiles file, at a line (0 when the
// problem is the file as a whole).
type ProfileError struct {
	File string
	Line int
	Msg  string
}

func (e *ProfileError) Error() string {
	if e.Line <= 0 {
		return e.File + ": " + e.Msg
	}
	return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
}

// UserProfilesFile returns the user's profiles file: explicit when set,
// else $AGENTWRAP_PROFILES, else $XDG_CONFIG_HOME/agentwrap/profiles.yaml, else
// ~/.config/agentwrap/profiles.yaml. required reports whether the file must
// exist (it was named explicitly).
func UserProfilesFile(explicit string, getenv func(string) string) (path string, required bool) {
	if explicit == "" {
		explicit = getenv(ProfilesFileEnv)
	}
	if explicit != "" {
		return explicit, true
	}
	if x := getenv("XDG_CONFIG_HOME"); x != "" && filepath.IsAbs(x) {
		return filepath.Join(x, "agentwrap", "profiles.yaml"), false
	}
	home := getenv("HOME")
	if home == "" {
		home, _ = os.UserHomeDir()
	}
	if home == "" {
		return "", false
	}
	return filepath.Join(home, ".config", "agentwrap", "profiles.yaml"), false
}

// LoadProfiles returns the built-in profiles and the user's, read from the
// file UserProfilesFile names. A default file that does not exist means no
// user profiles; an explicit one must exist. Every problem in the file is
// reported with its file:line.
func LoadProfiles(explicit string, getenv func(string) string) (*ProfileSet, error) {
	path, required := UserProfilesFile(explicit, getenv)
	if path == "" {
		return NewProfileSet(nil), nil
	}
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) && !required {
		return NewProfileSet(nil), nil
	}
	if err != nil {
		return nil, fmt.Errorf("cannot read profiles file: %w", err)
	}
	user, err := parseProfiles(path, data)
	if err != nil {
		return nil, fmt.Errorf("invalid profiles file:\n%w", err)
	}
	return NewProfileSet(user), nil
}

// profileDecoder collects the problems of one profiles file.
type profileDecoder struct {
	file string
	errs []error
}

func (d *profileDecoder) errorf(n *yaml.Node, format string, args ...any) {
	line := 0
	if n != nil {
		line = n.Line
	}
	d.errs = append(d.errs, &ProfileError{File: d.file, Line: line, Msg: fmt.Sprintf(format, args...)})
}

var (
	profileNameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]*$`)
	envNameRE     = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	placeholderRE = regexp.MustCompile(`\{[^{}]*\}`)
	yamlLineRE    = regexp.MustCompile(`^yaml: (?:line (\d+): )?(.*)$`)
)

// parseProfiles reads a profiles file:
//
//	profiles:
//	  - name: NAME
//	    description: TEXT
//	    agents: [EXECUTABLE, ...]
//	    env: {VARIABLE: VALUE, ...}
//	    unset: [VARIABLE, ...]
//	    setup: STEP
func parseProfiles(file string, data []byte) ([]Profile, error) {
	d := &profileDecoder{file: file}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		line, msg := yamlErrorLine(data, err)
		return nil, &ProfileError{File: file, Line: line, Msg: "invalid YAML: " + msg}
	}
	if len(doc.Content) == 0 {
		return nil, nil
	}
	var out []Profile
	top := d.mapping(doc.Content[0], "the file", "profiles")
	if list := top["profiles"]; list != nil {
		seq := resolveNode(list)
		if seq.Kind != yaml.SequenceNode {
			d.errorf(seq, "profiles must be a list")
		} else {
			out = d.profiles(seq)
		}
	} else if top != nil {
		d.errorf(doc.Content[0], "no profiles: the file must hold a profiles list")
	}
	return out, errors.Join(d.errs...)
}

func (d *profileDecoder) profiles(seq *yaml.Node) []Profile {
	var out []Profile
	names := map[string]int{}
	agents := map[string]string{}
	for _, n := range seq.Content {
		p, ok := d.profile(n)
		if !ok {
			continue
		}
		if line, dup := names[p.Name]; dup {
			d.errorf(n, "profile %q is defined twice (first at line %d)", p.Name, line)
			continue
		}
		names[p.Name] = resolveNode(n).Line
		for _, a := range p.Agents {
			if other, dup := agents[strings.ToLower(a)]; dup {
				d.errorf(n, "agent %q is claimed by profiles %q and %q", a, other, p.Name)
			}
			agents[strings.ToLower(a)] = p.Name
		}
		out = append(out, p)
	}
	return out
}

func (d *profileDecoder) profile(n *yaml.Node) (Profile, bool) {
	fields := d.mapping(n, "a profile", "name", "description", "agents", "env", "unset", "setup")
	if fields == nil {
		return Profile{}, false
	}
	p := Profile{Source: fmt.Sprintf("%s:%d", d.file, resolveNode(n).Line)}
	before := len(d.errs)
	if v := fields["name"]; v == nil {
		d.errorf(n, "a profile needs a name")
	} else if p.Name = d.str(v, "name"); p.Name != "" && !profileNameRE.MatchString(p.Name) {
		d.errorf(v, "profile name %q must be lower case letters, digits, '.', '_' or '-'", p.Name)
	}
	if v := fields["description"]; v != nil {
		p.Description = d.str(v, "description")
	}
	if v := fields["agents"]; v != nil {
		p.Agents = d.strings(v, "agents")
		for _, a := range p.Agents {
			if a == "" || strings.ContainsAny(a, `/\`) {
				d.errorf(v, "agent %q must be an executable's base name", a)
			}
		}
	}
	if v := fields["env"]; v != nil {
		p.Env = d.env(v)
	}
	if v := fields["unset"]; v != nil {
		p.Unset = d.strings(v, "unset")
		for _, name := range p.Unset {
			if !envNameRE.MatchString(name) {
				d.errorf(v, "%q is not an environment variable name", name)
			}
		}
	}
	if v := fields["setup"]; v != nil {
		if p.Setup = d.str(v, "setup"); !slices.Contains(Setups, p.Setup) {
			d.errorf(v, "unknown setup %q (known: %s)", p.Setup, strings.Join(Setups, ", "))
		}
	}
	if p.Description == "" {
		p.Description = "user profile"
	}
	return p, len(d.errs) == before
}

func (d *profileDecoder) env(n *yaml.Node) []EnvVar {
	fields := d.mapping(n, "env", "")
	var out []EnvVar
	m := resolveNode(n)
	if fields == nil {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		if !envNameRE.MatchString(k.Value) {
			d.errorf(k, "%q is not an environment variable name", k.Value)
			continue
		}
		val := d.str(v, k.Value)
		for _, ph := range placeholderRE.FindAllString(val, -1) {
			if !slices.Contains(Placeholders, strings.Trim(ph, "{}")) {
				d.errorf(v, "%s: unknown placeholder %s (known: {%s})", k.Value, ph, strings.Join(Placeholders, "}, {"))
			}
		}
		out = append(out, EnvVar{Name: k.Value, Value: val})
	}
	return out
}

// mapping returns the values of mapping node n by key, reporting unknown
// and repeated keys; known "" accepts any key. It returns nil when n is not
// a mapping.
func (d *profileDecoder) mapping(n *yaml.Node, what string, known ...string) map[string]*yaml.Node {
	n = resolveNode(n)
	if n == nil || n.Kind != yaml.MappingNode {
		d.errorf(n, "%s must be a mapping", what)
		return nil
	}
	out := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		switch {
		case len(known) > 0 && known[0] != "" && !slices.Contains(known, k.Value):
			d.errorf(k, "unknown key %q in %s (known: %s)", k.Value, what, strings.Join(known, ", "))
		case out[k.Value] != nil:
			d.errorf(k, "key %q appears twice in %s", k.Value, what)
		default:
			out[k.Value] = n.Content[i+1]
		}
	}
	return out
}

func (d *profileDecoder) str(n *yaml.Node, what string) string {
	n = resolveNode(n)
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		d.errorf(n, "%s must be a string", what)
		return ""
	}
	return n.Value
}

func (d *profileDecoder) strings(n *yaml.Node, what string) []string {
	n = resolveNode(n)
	if n.Kind == yaml.ScalarNode {
		return []string{d.str(n, what)}
	}
	if n.Kind != yaml.SequenceNode {
		d.errorf(n, "%s must be a list", what)
		return nil
	}
	out := make([]string, 0, len(n.Content))
	for _, c := range n.Content {
		out = append(out, d.str(c, what))
	}
	return out
}

// resolveNode follows aliases to the node they name.
func resolveNode(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < 16; i++ {
		n = n.Alias
	}
	return n
}

// yamlErrorLine splits a YAML syntax error into a line and a message. The
// yaml package reports the line where the enclosing construct began; the
// offending line is the shortest prefix of the file, in lines, that fails
// with the same message.
func yamlErrorLine(data []byte, err error) (int, string) {
	line, msg := splitYAMLError(err)
	lines := strings.SplitAfter(string(data), "\n")
	k := sort.Search(len(lines), func(i int) bool {
		var n yaml.Node
		perr := yaml.Unmarshal([]byte(strings.Join(lines[:i+1], "")), &n)
		if perr == nil {
			return false
		}
		_, m := splitYAMLError(perr)
		return m == msg
	})
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
	return 0, strings.TrimPrefix(msg, "yaml: ")
}
