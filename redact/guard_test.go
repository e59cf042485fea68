package redact

import (
	"strings"
	"testing"

	"go.opentelemetry.io/otel/attribute"
)

var testAllow = []string{
	"agentwrap.run_id", "agentwrap.notes", "agentwrap.source_urls",
	"gen_ai.request.model", "gen_ai.usage.input_tokens", "gen_ai.request.stream",
	"agentwrap.blob", FlagKey,
}

func TestGuardAttributes(t *testing.T) {
	g := NewGuard(testAllow, NewScanner("run-token-canary-42"))
	in := []attribute.KeyValue{
		attribute.String("agentwrap.run_id", "20261130T025754Z-3f9a2c"),
		attribute.String("gen_ai.request.model", "claude-sonnet-4-5"),
		attribute.Int("gen_ai.usage.input_tokens", 1200),
		attribute.Bool("gen_ai.request.stream", true),
		attribute.Bool(FlagKey, true),
		attribute.String("agentwrap.notes", "token run-token-canary-42 rejected"),
		attribute.StringSlice("agentwrap.source_urls", []string{"https://apidoc.cometapi.com/api-13851472", "key=AIzaSyCanary0123456789abcdefghijklmnop"}),
		attribute.String("http.request.header.authorization", "Bearer sk-canary-0123456789abcdef"),
		attribute.String("prompt", "hello"),
		attribute.ByteSlice("agentwrap.blob", []byte("sk-canary-bytes-0123456789")),
	}
	orig := append([]attribute.KeyValue(nil), in...)
	out, dropped, masked := g.Attributes(in)
	if dropped != 3 || masked != 2 {
		t.Fatalf("dropped=%d masked=%d, want 3 and 2", dropped, masked)
	}
	got := map[attribute.Key]attribute.Value{}
	for _, kv := range out {
		got[kv.Key] = kv.Value
	}
	if len(got) != 7 {
		t.Fatalf("out has %d attributes: %v", len(out), out)
	}
	if v := got["agentwrap.notes"].AsString(); v != "token [REDACTED] rejected" {
		t.Errorf("notes = %q", v)
	}
	urls := got["agentwrap.source_urls"].AsStringSlice()
	if urls[0] != "https://apidoc.cometapi.com/api-13851472" || urls[1] != Marker {
		t.Errorf("source_urls = %q", urls)
	}
	if got["gen_ai.request.model"].AsString() != "claude-sonnet-4-5" || got["gen_ai.usage.input_tokens"].AsInt64() != 1200 || !got[FlagKey].AsBool() {
		t.Errorf("clean attributes changed: %v", out)
	}
	for i := range in {
		if in[i] != orig[i] {
			t.Fatalf("input modified at %d", i)
		}
	}
	for _, kv := range out {
		if s := kv.Value.String(); strings.Contains(s, "canary") {
			t.Errorf("%s = %q leaks a canary", kv.Key, s)
		}
	}
}

func TestGuardEmptyAllowlist(t *testing.T) {
	for _, allow := range [][]string{nil, {}} {
		out, dropped, masked := NewGuard(allow, nil).Attributes([]attribute.KeyValue{
			attribute.String("agentwrap.run_id", "r"), attribute.Int("x", 1),
		})
		if len(out) != 0 || dropped != 2 || masked != 0 {
			t.Fatalf("allow=%v: out=%v dropped=%d masked=%d", allow, out, dropped, masked)
		}
	}
}

func TestGuardCleanSpanUnchanged(t *testing.T) {
	in := typicalAttributes()
	allow := make([]string, 0, len(in))
	for _, kv := range in {
		allow = append(allow, string(kv.Key))
	}
	out, dropped, masked := NewGuard(allow, NewScanner(canaryKey)).Attributes(in)
	if dropped != 0 || masked != 0 || len(out) != len(in) {
		t.Fatalf("dropped=%d masked=%d len=%d", dropped, masked, len(out))
	}
	for i := range in {
		if in[i] != out[i] {
			t.Errorf("%s changed: %v -> %v", in[i].Key, in[i].Value.String(), out[i].Value.String())
		}
	}
}

// typicalAttributes is a call span as the spans package records it.
func typicalAttributes() []attribute.KeyValue {
	return []attribute.KeyValue{
		attribute.String("agentwrap.run_id", "20261130T025754Z-3f9a2c"),
		attribute.String("agentwrap.checked_at", "2026-11-28T00:00:00Z"),
		attribute.StringSlice("agentwrap.source_urls", []string{
			"https://apidoc.cometapi.com/api-13851472",
			"https://docs.anthropic.com/en/api/messages",
		}),
		attribute.String("agentwrap.request_family", "anthropic.messages"),
		attribute.Bool(FlagKey, true),
		attribute.String("agentwrap.credential_label", "cred-3f9a"),
		attribute.String("agentwrap.result_class", "needs_follow_up"),
		attribute.String("agentwrap.failure_class", "operator_follow_up"),
		attribute.String("agentwrap.notes", "upstream 429, retry-after present"),
		attribute.String("agentwrap.contract.endpoint", "anthropic.messages"),
		attribute.String("gen_ai.operation.name", "chat"),
		attribute.String("gen_ai.provider.name", "anthropic"),
		attribute.String("gen_ai.request.model", "claude-sonnet-4-5"),
		attribute.Bool("gen_ai.request.stream", true),
		attribute.Int("gen_ai.request.max_tokens", 32000),
		attribute.String("gen_ai.response.model", "claude-sonnet-4-5-20250929"),
		attribute.String("gen_ai.response.id", "msg_01XFDUDYJgAACzvnptvVoYEL"),
		attribute.StringSlice("gen_ai.response.finish_reasons", []string{"end_turn"}),
		attribute.Int("gen_ai.usage.input_tokens", 18234),
		attribute.Int("gen_ai.usage.output_tokens", 412),
		attribute.Int("gen_ai.usage.cache_read.input_tokens", 17000),
		attribute.String("http.request.method", "POST"),
		attribute.Int("http.response.status_code", 429),
		attribute.String("url.path", "/v1/messages"),
		attribute.String("server.address", "api.cometapi.com"),
		attribute.Int("server.port", 443),
		attribute.String("user_agent.original", "claude-cli/2.0.14 (external, cli)"),
	}
}
