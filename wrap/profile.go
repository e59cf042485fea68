package wrap

import (
	_ "embed"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
)

// DefaultKeyEnv is the environment variable that holds the real gateway
// credential unless --key-env names another.
const DefaultKeyEnv = "COMETAPI_KEY"

// ErrUnknownProfile is wrapped by LookupProfile's error for a name that is
// not a profile.
var ErrUnknownProfile = errors.New("unknown profile")

// BuiltinSource is the Source of the built-in profiles.
const BuiltinSource = "built-in"

// Gateway is what a profile points the child at.
type Gateway struct {
	// BaseURL is the loopback gateway's root, http://127.0.0.1:PORT, without
	// a trailing /v1.
	BaseURL string
	// Token is the per-run token the child presents in managed mode; empty
	// means passthrough: the child keeps and sends its own credential.
	Token string
	// RunID is the run id; empty leaves AGENTWRAP_RUN_ID and
	// OTEL_RESOURCE_ATTRIBUTES alone.
	RunID string
	// TraceParent is the W3C traceparent of the run span; empty means the
	// child gets none.
	TraceParent string
	// KeyEnv names the variable holding the real credential, removed from
	// the child's environment; empty means DefaultKeyEnv.
	KeyEnv string
	// FilesDir is a private per-run directory where a profile may write the
	// files its agent needs (the overlays of Gemini CLI, Codex and Cline);
	// empty means profiles write nothing.
	FilesDir string
}

// String prints the gateway with the token redacted.
func (g Gateway) String() string {
	token := ""
	if g.Token != "" {
		token = "[redacted]"
	}
	return fmt.Sprintf("{BaseURL:%s Token:%s RunID:%s TraceParent:%s KeyEnv:%s FilesDir:%s}",
		g.BaseURL, token, g.RunID, g.TraceParent, g.KeyEnv, g.FilesDir)
}

// GoString prints the gateway with the token redacted, for %#v.
func (g Gateway) GoString() string { return "wrap.Gateway" + g.String() }

// managed reports whether the child gets the per-run token.
func (g Gateway) managed() bool { return g.Token != "" }

// EnvVar is one variable a profile sets: Value may hold the placeholders
// listed in Placeholders.
type EnvVar struct {
	Name, Value string
}

// Profile says how one kind of agent is pointed at the gateway: the
// variables it sets, the ones it removes and, for agents that read their
// settings from files, a setup step that builds a per-run overlay of them.
type Profile struct {
	// Name is the profile name accepted by --profile.
	Name string
	// Description is a one-line summary for help output.
	Description string
	// Agents lists the executable base names that select this profile.
	Agents []string
	// Env is set in the child's environment, in order. An entry whose
	// value uses {token} is set only in managed mode.
	Env []EnvVar
	// Unset is removed from the child's environment in managed mode.
	Unset []string
	// Setup names a built-in step (Setups) run after Env; empty for none.
	Setup string
	// Source is BuiltinSource or the file:line that defines the profile.
	Source string
}

// Placeholders are the names a profile value may use, in braces.
var Placeholders = []string{"token", "base_url", "openai_base_url", "anthropic_base_url", "gemini_base_url"}

// Setups are the setup steps a profile may name.
var Setups = []string{"codex-home", "gemini-home", "cline-data-dir", "opencode-config"}

//go:embed profiles.yaml
var builtinYAML []byte

// builtins are the built-in profiles, parsed once.
var builtins = func() []Profile {
	ps, err := parseProfiles(BuiltinSource, builtinYAML)
	if err != nil {
		panic("wrap: built-in profiles: " + err.Error())
	}
	for i := range ps {
		ps[i].Source = BuiltinSource
	}
	return ps
}()

// Profiles returns the built-in profiles in the order of profiles.yaml:
// claude, codex, gemini, opencode, cline, crush, qwen, aider, ai-sdk and
// generic.
func Profiles() []Profile {
	out := make([]Profile, len(builtins))
	for i, p := range builtins {
		out[i] = p.clone()
	}
	return out
}

func (p Profile) clone() Profile {
	p.Agents = slices.Clone(p.Agents)
	p.Env = slices.Clone(p.Env)
	p.Unset = slices.Clone(p.Unset)
	return p
}

// DetectProfile returns the name of the built-in profile for an agent
// command (see ProfileSet.Detect).
func DetectProfile(agent string) string {
	return (&ProfileSet{list: builtins}).Detect(agent).Name
}

// LookupProfile returns the built-in profile called name.
func LookupProfile(name string) (Profile, error) {
	return (&ProfileSet{list: builtins}).Lookup(name)
}

// ProfileSet is the profiles a run chooses from: the user's, then the
// built-in ones they do not replace.
type ProfileSet struct {
	list []Profile
}

// NewProfileSet returns the built-in profiles with user's added: a user
// profile replaces the built-in one of the same name and is chosen before
// the built-in ones for its agents.
func NewProfileSet(user []Profile) *ProfileSet {
	s := &ProfileSet{}
	names := map[string]bool{}
	for _, p := range user {
		s.list = append(s.list, p.clone())
		names[p.Name] = true
	}
	for _, p := range builtins {
		if !names[p.Name] {
			s.list = append(s.list, p.clone())
		}
	}
	return s
}

// All returns the profiles, user profiles first.
func (s *ProfileSet) All() []Profile {
	out := make([]Profile, len(s.list))
	for i, p := range s.list {
		out[i] = p.clone()
	}
	return out
}

// Detect returns the profile for an agent command, from its base name
// without a .exe, .cmd or .js extension; an unknown agent gets "generic".
func (s *ProfileSet) Detect(agent string) Profile {
	base := strings.ToLower(filepath.Base(strings.ReplaceAll(agent, `\`, "/")))
	for _, ext := range []string{".exe", ".cmd", ".js"} {
		base = strings.TrimSuffix(base, ext)
	}
	for _, p := range s.list {
		if slices.ContainsFunc(p.Agents, func(a string) bool { return strings.ToLower(a) == base }) {
			return p.clone()
		}
	}
	p, _ := s.Lookup("generic")
	return p
}

// Lookup returns the profile called name.
func (s *ProfileSet) Lookup(name string) (Profile, error) {
	names := make([]string, 0, len(s.list))
	for _, p := range s.list {
		if p.Name == name {
			return p.clone(), nil
		}
		names = append(names, p.Name)
	}
	return Profile{}, fmt.Errorf("%w %q (valid: %s)", ErrUnknownProfile, name, strings.Join(names, ", "))
}

// Apply returns the child's argv and environment for this profile. env is
// the parent's environment in os.Environ form; the result has one entry per
// name (the last assignment wins). Every profile removes the real-key
// variable (gw.KeyEnv), replaces TRACEPARENT and drops TRACESTATE, sets
// AGENTWRAP_RUN_ID and appends agentwrap.run_id to OTEL_RESOURCE_ATTRIBUTES.
// Credential variables are set to gw.Token only in managed mode; in
// passthrough mode the child's own credentials are left as they are. The
// error is a setup step's: an overlay that could not be built, without
// which the agent would not reach the gateway.
func (p Profile) Apply(argv, env []string, gw Gateway) (childArgv, childEnv []string, err error) {
	e := parseEnv(env)
	applyCommon(e, gw)
	for _, v := range p.Env {
		if strings.Contains(v.Value, "{token}") && !gw.managed() {
			continue
		}
		e.set(v.Name, expand(v.Value, gw))
	}
	if gw.managed() {
		for _, name := range p.Unset {
			e.unset(name)
		}
	}
	switch p.Setup {
	case "codex-home":
		err = codexHome(e, gw)
	case "gemini-home":
		geminiHome(e, gw)
	case "cline-data-dir":
		err = clineDataDir(e, gw)
	case "opencode-config":
		err = opencodeConfig(e, gw)
	}
	if err != nil {
		return nil, nil, err
	}
	return slices.Clone(argv), e.environ(), nil
}

// expand replaces the placeholders of a profile value.
func expand(v string, gw Gateway) string {
	base := baseURL(gw)
	return strings.NewReplacer(
		"{token}", gw.Token,
		"{base_url}", base,
		"{openai_base_url}", base+"/v1",
		"{anthropic_base_url}", base,
		"{gemini_base_url}", base,
	).Replace(v)
}

// baseURL returns the gateway root without a trailing slash.
func baseURL(gw Gateway) string { return strings.TrimRight(gw.BaseURL, "/") }
