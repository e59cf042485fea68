package redact

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// TestRandomTokensCaught measures the entropy check on random tokens of the
// alphabets keys are made of. Letter-only tokens are not required: they
// cannot be told from camel case reliably, and real keys carry digits.
func TestRandomTokensCaught(t *testing.T) {
	const (
		base62    = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
		base64url = base62 + "-_"
		base64std = base62 + "+/"
	)
	rng := rand.New(rand.NewPCG(1, 2))
	for _, alpha := range []string{base62, base64url, base64std} {
		for _, n := range []int{24, 32, 40, 64} {
			const tries = 2000
			miss := 0
			for range tries {
				var b strings.Builder
				for range n {
					b.WriteByte(alpha[rng.IntN(len(alpha))])
				}
				if _, hit := (*Scanner)(nil).Scrub("v " + b.String() + " v"); !hit {
					miss++
				}
			}
			rate := float64(miss) / tries
			limit := 0.005
			if n == 24 {
				limit = 0.05
			}
			if rate > limit {
				t.Errorf("alphabet %d chars, length %d: missed %.2f%%, want at most %.1f%%", len(alpha), n, 100*rate, 100*limit)
			}
		}
	}
}

func TestRandomHexCaught(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	const hex = "0123456789abcdef"
	for range 500 {
		var b strings.Builder
		for range 64 {
			b.WriteByte(hex[rng.IntN(16)])
		}
		h := b.String()
		if _, hit := (*Scanner)(nil).Scrub("key " + h); !hit {
			t.Fatalf("bare 64-digit hex %s not caught", h)
		}
		if _, hit := (*Scanner)(nil).Scrub("CLAUDE.md sha256:" + h); hit {
			t.Fatalf("sha256: digest %s flagged", h)
		}
		// A 32-digit key (Azure OpenAI's format) is caught; a trace id of
		// the same shape is too, which costs nothing: spans carry trace ids
		// in their context, never in attribute values.
		if _, hit := (*Scanner)(nil).Scrub("key " + h[:32]); !hit && hexLooksRandom(h[:32]) {
			t.Fatalf("32-digit hex key %s not caught", h[:32])
		}
	}
}
