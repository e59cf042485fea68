package wrap

import (
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
	// files its agent needs (Gemini CLI's settings overlay); empty means
	// profiles write nothing.
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

// wiring is one way of pointing an agent at the gateway.
type wiring int

const (
	wireAnthropic wiring = iota // ANTHROPIC_* variables
	wireCodex                   // codex -c overrides
	wireGemini                  // GEMINI_* and GOOGLE_GEMINI_BASE_URL
	wireOpenAIEnv               // OPENAI_BASE_URL, OPENAI_API_BASE, OPENAI_API_KEY
)

// Profile says how one kind of agent is pointed at the gateway.
type Profile struct {
	// Name is the profile name accepted by --profile.
	Name string
	// Description is a one-line summary for help output.
	Description string
	// Agents lists the executable base names that select this profile.
	Agents []string
	wiring []wiring
}

// Profiles returns the built-in profiles: claude, codex, gemini, qwen, aider
// and generic, in that order.
func Profiles() []Profile {
	all := []wiring{wireAnthropic, wireGemini, wireOpenAIEnv}
	return []Profile{
		{Name: "claude", Description: "Claude Code: ANTHROPIC_BASE_URL and ANTHROPIC_API_KEY",
			Agents: []string{"claude"}, wiring: []wiring{wireAnthropic}},
		{Name: "codex", Description: "Codex CLI: -c model provider overrides and OPENAI_API_KEY",
			Agents: []string{"codex"}, wiring: []wiring{wireCodex}},
		{Name: "gemini", Description: "Gemini CLI: GOOGLE_GEMINI_BASE_URL and GEMINI_API_KEY",
			Agents: []string{"gemini"}, wiring: []wiring{wireGemini}},
		{Name: "qwen", Description: "Qwen Code: OpenAI, Anthropic and Gemini base URLs and keys",
			Agents: []string{"qwen"}, wiring: all},
		{Name: "aider", Description: "aider: OpenAI, Anthropic and Gemini base URLs and keys",
			Agents: []string{"aider"}, wiring: all},
		{Name: "generic", Description: "any other agent: OpenAI, Anthropic and Gemini base URLs and keys",
			wiring: all},
	}
}

// DetectProfile returns the name of the profile for an agent command, from
// its base name without a .exe, .cmd or .js extension; an unknown agent gets
// "generic".
func DetectProfile(agent string) string {
	base := strings.ToLower(filepath.Base(strings.ReplaceAll(agent, `\`, "/")))
	for _, ext := range []string{".exe", ".cmd", ".js"} {
		base = strings.TrimSuffix(base, ext)
	}
	for _, p := range Profiles() {
		if slices.Contains(p.Agents, base) {
			return p.Name
		}
	}
	return "generic"
}

// LookupProfile returns the profile called name.
func LookupProfile(name string) (Profile, error) {
	profiles := Profiles()
	names := make([]string, 0, len(profiles))
	for _, p := range profiles {
		if p.Name == name {
			return p, nil
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
// passthrough mode the child's own credentials are left as they are.
func (p Profile) Apply(argv, env []string, gw Gateway) (childArgv, childEnv []string) {
	e := parseEnv(env)
	applyCommon(e, gw)
	childArgv = slices.Clone(argv)
	for _, w := range p.wiring {
		switch w {
		case wireAnthropic:
			wireAnthropicEnv(e, gw)
		case wireCodex:
			childArgv = codexArgv(childArgv, gw)
			wireOpenAIKey(e, gw)
		case wireGemini:
			wireGeminiEnv(e, gw)
		case wireOpenAIEnv:
			base := baseURL(gw) + "/v1"
			e.set("OPENAI_BASE_URL", base)
			e.set("OPENAI_API_BASE", base)
			wireOpenAIKey(e, gw)
		}
	}
	return childArgv, e.environ()
}

// baseURL returns the gateway root without a trailing slash.
func baseURL(gw Gateway) string { return strings.TrimRight(gw.BaseURL, "/") }
