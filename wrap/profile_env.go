package wrap

import "strings"

// envList is an environment being edited: one value per name, in the order
// names first appeared, where a later assignment replaces an earlier one.
type envList struct {
	names  []string
	values map[string]string
}

// parseEnv reads an environment in os.Environ form. Entries without "=" are
// dropped; for a repeated name the last assignment wins.
func parseEnv(env []string) *envList {
	e := &envList{values: make(map[string]string, len(env))}
	for _, kv := range env {
		// A leading "=" belongs to the name (Windows keeps "=C:" entries).
		i := strings.IndexByte(kv[min(1, len(kv)):], '=')
		if i < 0 {
			continue
		}
		i += min(1, len(kv))
		e.set(kv[:i], kv[i+1:])
	}
	return e
}

// get returns the value of name and whether it is set.
func (e *envList) get(name string) (string, bool) {
	v, ok := e.values[name]
	return v, ok
}

// set assigns name, keeping its position when it is already present.
func (e *envList) set(name, value string) {
	if _, ok := e.values[name]; !ok {
		e.names = append(e.names, name)
	}
	e.values[name] = value
}

// unset removes name.
func (e *envList) unset(name string) {
	if _, ok := e.values[name]; !ok {
		return
	}
	delete(e.values, name)
	for i, n := range e.names {
		if n == name {
			e.names = append(e.names[:i], e.names[i+1:]...)
			return
		}
	}
}

// environ returns the environment in os.Environ form, one entry per name.
func (e *envList) environ() []string {
	out := make([]string, 0, len(e.names))
	for _, n := range e.names {
		out = append(out, n+"="+e.values[n])
	}
	return out
}

// minScrubKey is the shortest key whose copies are searched inside values:
// a shorter one would match unrelated text. Shorter keys are still removed
// where a value equals them.
const minScrubKey = 8

// WithoutKey removes from env (os.Environ form) every variable whose value
// equals or contains key, whatever its name: a copy of the real key in
// OPENAI_API_KEY, ANTHROPIC_API_KEY or any other variable must not reach
// the agent (README "Security"). Run it after Profile.Apply, whose
// credential variables then already hold the run token. An empty key
// (passthrough) changes nothing.
func WithoutKey(env []string, key string) []string {
	if key == "" {
		return env
	}
	out := env[:0:0]
	for _, kv := range env {
		_, v, _ := strings.Cut(kv, "=")
		if v == key || len(key) >= minScrubKey && strings.Contains(v, key) {
			continue
		}
		out = append(out, kv)
	}
	return out
}
