package redact

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"strconv"
)

// Marker replaces every redacted value. It matches no secret pattern, so
// scrubbing a scrubbed string changes nothing.
const Marker = "[REDACTED]"

// labelKey is the fixed domain key of Label. It is not a secret: it only
// separates agentwrap labels from other hashes of the same credential, and it
// is fixed so that a label is stable across runs and machines.
const labelKey = "agentwrap credential label v1"

// Secret holds a credential. Its value is reachable only through Reveal:
// every printing and encoding method yields a stripped form. The value is
// held by a closure, so even reflection-based printing (fmt of a struct
// holding a Secret in an unexported field, where fmt cannot call methods)
// shows no more than a function address. The zero Secret holds nothing.
type Secret struct {
	box *secretBox
}

type secretBox struct {
	reveal func() string
	label  string
}

// NewSecret wraps v. An empty v gives the zero Secret.
func NewSecret(v string) Secret {
	if v == "" {
		return Secret{}
	}
	return Secret{box: &secretBox{reveal: func() string { return v }, label: computeLabel(v)}}
}

// Reveal returns the credential itself. Call it only where the value goes
// on the wire to the upstream, never where anything is recorded.
func (s Secret) Reveal() string {
	if s.box == nil {
		return ""
	}
	return s.box.reveal()
}

// IsZero reports whether s holds no credential.
func (s Secret) IsZero() bool { return s.box == nil }

// Label identifies the credential in s by a stable label, "cred-" and the
// last four hex digits of an HMAC-SHA256 of the value under a fixed domain
// key, so that teams can correlate calls made with one credential without
// recording it. It returns "" for the zero Secret.
func Label(s Secret) string {
	if s.box == nil {
		return ""
	}
	return s.box.label
}

func computeLabel(v string) string {
	m := hmac.New(sha256.New, []byte(labelKey))
	m.Write([]byte(v))
	sum := m.Sum(nil)
	return "cred-" + hex.EncodeToString(sum[len(sum)-2:])
}

// stripped is the printed form of s: Marker, or "" for the zero Secret.
func (s Secret) stripped() string {
	if s.box == nil {
		return ""
	}
	return Marker
}

// String returns Marker, or "" for the zero Secret.
func (s Secret) String() string { return s.stripped() }

// GoString returns a Go-syntax form that holds Marker instead of the value.
func (s Secret) GoString() string {
	return "redact.Secret(" + strconv.Quote(s.stripped()) + ")"
}

// Format prints the stripped form for every verb and flag, so no fmt verb
// (%v %+v %#v %s %q %x ...) can reach the value.
func (s Secret) Format(f fmt.State, verb rune) {
	if verb == 'v' && f.Flag('#') {
		_, _ = f.Write([]byte(s.GoString()))
		return
	}
	_, _ = fmt.Fprintf(f, fmt.FormatString(f, verb), s.stripped())
}

// MarshalJSON encodes the stripped form as a JSON string.
func (s Secret) MarshalJSON() ([]byte, error) {
	return []byte(strconv.Quote(s.stripped())), nil
}

// MarshalText encodes the stripped form.
func (s Secret) MarshalText() ([]byte, error) {
	return []byte(s.stripped()), nil
}

// MarshalLog is the logr hook: it returns the stripped form.
func (s Secret) MarshalLog() any { return s.stripped() }

// LogValue is the slog hook: it returns the stripped form.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.stripped()) }
