package otlpattr

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"
)

// dedupeReference is the rule written out plainly: a key's first place,
// its last value.
func dedupeReference(kvs []attribute.KeyValue) []attribute.KeyValue {
	var out []attribute.KeyValue
	for i, kv := range kvs {
		if slices.ContainsFunc(kvs[:i], func(p attribute.KeyValue) bool { return p.Key == kv.Key }) {
			continue
		}
		last := kv
		for _, later := range kvs[i+1:] {
			if later.Key == kv.Key {
				last = later
			}
		}
		out = append(out, last)
	}
	return out
}

// TestDedupeAgainstReference compares the filter and both dedupe paths
// (up to 64 keys and beyond) with the plain rule on random key sets, with
// and without repeats; the keys come from a small alphabet, so that
// hashes collide often.
func TestDedupeAgainstReference(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 5000 {
		n := r.IntN(100)
		kvs := make([]attribute.KeyValue, n)
		alphabet := 1 + r.IntN(200)
		for i := range kvs {
			kvs[i] = attribute.Int(fmt.Sprintf("k.%d", r.IntN(alphabet)), i)
		}
		want := dedupeReference(kvs)
		if got := HasDuplicateKeys(kvs); got != (len(want) != len(kvs)) {
			t.Fatalf("HasDuplicateKeys(%v) = %v", kvs, got)
		}
		if got := DedupeKeys(kvs); !slices.Equal(got, want) && !(len(got) == 0 && len(want) == 0) {
			t.Fatalf("DedupeKeys(%v) = %v, want %v", kvs, got, want)
		}
		if got := Unique(kvs); !slices.Equal(got, want) && !(len(got) == 0 && len(want) == 0) {
			t.Fatalf("Unique(%v) = %v, want %v", kvs, got, want)
		}
	}
}

func TestDedupeKeepsFirstPlaceLastValue(t *testing.T) {
	in := []attribute.KeyValue{attribute.String("a", "1"), attribute.String("b", "2"), attribute.String("a", "3"), attribute.String("", "x"), attribute.String("", "y")}
	want := []attribute.KeyValue{attribute.String("a", "3"), attribute.String("b", "2"), attribute.String("", "y")}
	if got := Unique(in); !slices.Equal(got, want) {
		t.Errorf("Unique = %v, want %v", got, want)
	}
	clean := in[:2]
	if got := Unique(clean); &got[0] != &clean[0] {
		t.Error("Unique copied a set without repeats")
	}
}

func TestSpanFlags(t *testing.T) {
	local := trace.NewSpanContext(trace.SpanContextConfig{TraceID: trace.TraceID{1}, SpanID: trace.SpanID{1}})
	remote := local.WithRemote(true)
	for _, c := range []struct {
		tf    trace.TraceFlags
		other trace.SpanContext
		want  uint32
	}{
		{0, trace.SpanContext{}, 0x100},
		{trace.FlagsSampled, local, 0x101},
		{trace.FlagsSampled, remote, 0x301},
		{0, remote, 0x300},
	} {
		if got := SpanFlags(c.tf, c.other); got != c.want {
			t.Errorf("SpanFlags(%v, remote %v) = %#x, want %#x", c.tf, c.other.IsRemote(), got, c.want)
		}
	}
}

// callSpanKeys are the keys of a typical call span.
var callSpanKeys = []string{
	"agentwrap.run_id", "agentwrap.checked_at", "agentwrap.source_urls", "agentwrap.request_family",
	"agentwrap.credential_redacted", "agentwrap.credential_label", "agentwrap.result_class",
	"agentwrap.contract_endpoint", "agentwrap.contract_manifest", "agentwrap.profile", "agentwrap.upstream",
	"gen_ai.operation.name", "gen_ai.provider.name", "gen_ai.request.model", "gen_ai.request.stream",
	"gen_ai.request.max_tokens", "gen_ai.response.model", "gen_ai.response.id", "gen_ai.response.finish_reasons",
	"gen_ai.usage.input_tokens", "gen_ai.usage.output_tokens", "gen_ai.usage.cache_read.input_tokens",
	"gen_ai.response.time_to_first_chunk", "gen_ai.agent.name", "gen_ai.agent.version",
	"http.request.method", "http.response.status_code", "url.path", "server.address", "server.port",
	"user_agent.original", "error.type",
}

func BenchmarkHasDuplicateKeys(b *testing.B) {
	kvs := make([]attribute.KeyValue, len(callSpanKeys))
	for i, k := range callSpanKeys {
		kvs[i] = attribute.String(k, "v")
	}
	for b.Loop() {
		if HasDuplicateKeys(kvs) {
			b.Fatal("a call span's keys repeat")
		}
	}
}
