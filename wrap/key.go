package wrap

import (
	"context"
	"fmt"

	"github.com/agentwrap/agentwrap/redact"
)

// MinKeyLength is the shortest credential agentwrap accepts. Every
// occurrence of the key is masked in what agentwrap records, so a value of
// a few characters would mask ordinary text ("sensitive te****t"); no API
// key is that short.
const MinKeyLength = 8

// readKey reads the real credential from o.KeyFile or o.KeyCmd when one is
// set (see keySource), else from o.KeyEnv. An unset or empty
// variable means passthrough, unless the user named it (RequireKey); a
// value too short to be a key is refused. Both are configuration errors
// (exit 2), and neither message shows the value.
func readKey(ctx context.Context, o Options) (redact.Secret, error) {
	if o.KeyFile != "" || o.KeyCmd != "" {
		v, err := keySource(ctx, o)
		if err != nil {
			return redact.Secret{}, &ExitError{Code: 2, Err: err}
		}
		if len(v) < MinKeyLength {
			return redact.Secret{}, &ExitError{Code: 2, Err: fmt.Errorf("%w: it holds %d character(s), too short to be an API key (at least %d)", ErrKeySource, len(v), MinKeyLength)}
		}
		return redact.NewSecret(v), nil
	}
	v := o.Getenv(o.KeyEnv)
	switch {
	case v == "" && o.RequireKey:
		return redact.Secret{}, &ExitError{Code: 2, Err: fmt.Errorf("--key-env names %s, which is unset or empty: set it to the real key, or leave out --key-env to pass the agent's own credential through", o.KeyEnv)}
	case v != "" && len(v) < MinKeyLength:
		return redact.Secret{}, &ExitError{Code: 2, Err: fmt.Errorf("%s holds %d character(s), too short to be an API key (at least %d): set it to the real key, or unset it to pass the agent's own credential through", o.KeyEnv, len(v), MinKeyLength)}
	}
	return redact.NewSecret(v), nil
}
