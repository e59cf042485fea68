package redact

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log"
	"log/slog"
	"regexp"
	"strings"
	"testing"
)

const (
	canaryKey   = "sk-canary-secret-value-0123456789"
	pinnedLabel = "cred-e2fb" // HMAC-SHA256 computed independently
)

type holder struct {
	Key    Secret
	hidden Secret
	Ptr    *Secret
}

func TestSecretPrinting(t *testing.T) {
	s := NewSecret(canaryKey)
	h := holder{Key: s, hidden: s, Ptr: &s}
	outputs := map[string]string{}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%10s", "%-12v", "%T"} {
		outputs["secret "+verb] = fmt.Sprintf(verb, s)
		outputs["holder "+verb] = fmt.Sprintf(verb, h)
		outputs["pointer "+verb] = fmt.Sprintf(verb, &s)
	}
	outputs["String"] = s.String()
	outputs["GoString"] = s.GoString()
	outputs["Sprint"] = fmt.Sprint(s, h)
	outputs["Sprintln"] = fmt.Sprintln(s, h)
	js, err := json.Marshal(h)
	if err != nil {
		t.Fatal(err)
	}
	outputs["json"] = string(js)
	txt, _ := s.MarshalText()
	outputs["text"] = string(txt)
	outputs["MarshalLog"] = fmt.Sprint(s.MarshalLog())

	var buf bytes.Buffer
	log.New(&buf, "", 0).Printf("key=%v holder=%+v", s, h)
	slog.New(slog.NewTextHandler(&buf, nil)).Info("call", "key", s, "holder", h)
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("call", "key", s, "holder", h)
	outputs["log"] = buf.String()

	for name, out := range outputs {
		if strings.Contains(out, canaryKey) || strings.Contains(out, "canary-secret") {
			t.Errorf("%s leaks the value: %s", name, out)
		}
	}
	if outputs["secret %v"] != Marker || outputs["secret %q"] != `"[REDACTED]"` {
		t.Errorf("%%v = %q, %%q = %q", outputs["secret %v"], outputs["secret %q"])
	}
	if outputs["json"] != `{"Key":"[REDACTED]","Ptr":"[REDACTED]"}` {
		t.Errorf("json = %s", outputs["json"])
	}
	if s.Reveal() != canaryKey || s.IsZero() {
		t.Fatalf("Reveal = %q, IsZero = %v", s.Reveal(), s.IsZero())
	}
}

func TestSecretZero(t *testing.T) {
	for _, s := range []Secret{{}, NewSecret("")} {
		if !s.IsZero() || s.Reveal() != "" || s.String() != "" || Label(s) != "" {
			t.Fatalf("zero Secret: IsZero=%v Reveal=%q String=%q Label=%q", s.IsZero(), s.Reveal(), s.String(), Label(s))
		}
	}
}

func TestLabel(t *testing.T) {
	a, b := NewSecret(canaryKey), NewSecret(canaryKey)
	c := NewSecret(canaryKey + "x")
	la := Label(a)
	if !regexp.MustCompile(`^cred-[0-9a-f]{4}$`).MatchString(la) {
		t.Fatalf("Label = %q", la)
	}
	if Label(b) != la {
		t.Fatalf("Label not stable: %q vs %q", la, Label(b))
	}
	if Label(c) == la {
		t.Fatalf("different credentials share label %q", la)
	}
	// Fixed across runs and machines: the value pinned here must not change,
	// or teams lose the ability to correlate calls.
	if got := Label(NewSecret("sk-canary-label-pin")); got != pinnedLabel {
		t.Fatalf("Label changed: %q, want %q", got, pinnedLabel)
	}
}
