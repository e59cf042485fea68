package contract

import (
	"reflect"
	"strings"
	"testing"
)

func builtinEndpoint(t *testing.T, id string) *Endpoint {
	t.Helper()
	e := Builtin().Endpoint(id)
	if e == nil {
		t.Fatalf("builtin endpoint %s missing", id)
	}
	return e
}

func TestCheckRequest(t *testing.T) {
	msgs := builtinEndpoint(t, "cometapi.messages")
	chat := builtinEndpoint(t, "cometapi.chat_completions")
	models := builtinEndpoint(t, "cometapi.models")
	for _, c := range []struct {
		name    string
		e       *Endpoint
		headers []string
		keys    []string
		jsonErr bool
		want    []string
	}{
		{"messages ok", msgs, []string{"X-Api-Key", "Anthropic-Version", "Content-Type"}, []string{"model", "max_tokens", "messages", "stream"}, false, nil},
		{"messages bearer ok", msgs, []string{"authorization", "anthropic-version", "content-type"}, []string{"model", "max_tokens", "messages"}, false, nil},
		{"messages missing max_tokens and version", msgs, []string{"x-api-key", "content-type"}, []string{"model", "messages"}, false,
			[]string{"missing required header: anthropic-version", "missing required field: max_tokens"}},
		{"no credential", chat, []string{"content-type", "x-api-key"}, []string{"model", "messages"}, false,
			[]string{"missing credential header: one of authorization"}},
		{"json error skips fields", chat, []string{"authorization", "content-type"}, nil, true,
			[]string{"request body is not a JSON object"}},
		{"get without body", models, []string{"Authorization"}, nil, false, nil},
		{"not in manifest", nil, nil, nil, false, []string{"request not in the contract manifest"}},
	} {
		got := CheckRequest(c.e, c.headers, c.keys, c.jsonErr)
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: CheckRequest = %q, want %q", c.name, got, c.want)
		}
	}
}

func TestCheckResponse(t *testing.T) {
	msgs := builtinEndpoint(t, "cometapi.messages")
	chat := builtinEndpoint(t, "cometapi.chat_completions")
	count := builtinEndpoint(t, "cometapi.count_tokens")
	gstream := builtinEndpoint(t, "cometapi.gemini_stream_generate_content")
	gem := builtinEndpoint(t, "cometapi.gemini_generate_content")
	for _, c := range []struct {
		name string
		e    *Endpoint
		r    Response
		want []string
	}{
		{"json ok", chat, Response{Status: 200}, nil},
		{"missing usage", chat, Response{Status: 200, MissingFields: MissingJSONFields(chat, []string{"id", "model", "choices"})},
			[]string{"missing documented field: usage"}},
		{"html 200", chat, Response{Status: 200, JSONError: true}, []string{"response body is not JSON"}},
		{"stream ok", msgs, Response{Status: 200, Stream: true, StreamComplete: true}, nil},
		{"stream cut", msgs, Response{Status: 200, Stream: true}, []string{"stream ended without terminal event message_stop"}},
		{"chat stream cut", chat, Response{Status: 200, Stream: true}, []string{"stream ended without terminal event [DONE]"}},
		{"gemini stream cut", gstream, Response{Status: 200, Stream: true}, []string{"stream ended before its end"}},
		{"gemini stream not sse", gstream, Response{Status: 200}, []string{"response is not the documented event stream"}},
		{"count_tokens stream", count, Response{Status: 200, Stream: true, StreamComplete: true}, []string{"event stream not documented for this endpoint"}},
		{"documented error", msgs, Response{Status: 429, ErrorType: "rate_limit_error"}, nil},
		{"overloaded", msgs, Response{Status: 529, ErrorType: "overloaded_error"}, nil},
		{"error wrong shape", msgs, Response{Status: 400}, []string{"error body not in documented shape (anthropic)"}},
		{"gemini error", gem, Response{Status: 403, ErrorType: "PERMISSION_DENIED"}, nil},
		{"html 404", chat, Response{Status: 404, JSONError: true}, []string{"error body is not JSON"}},
		{"undocumented status", chat, Response{Status: 418, ErrorType: "teapot"}, []string{"undocumented status 418"}},
		{"redirect", chat, Response{Status: 301}, []string{"unexpected status 301"}},
		{"no endpoint", nil, Response{Status: 500}, nil},
	} {
		got := CheckResponse(c.e, c.r)
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: CheckResponse = %q, want %q", c.name, got, c.want)
		}
	}
}

func TestMissingFields(t *testing.T) {
	msgs := builtinEndpoint(t, "cometapi.messages")
	if got := MissingJSONFields(msgs, []string{"id", "type", "role", "content", "model", "stop_reason", "usage", "extra"}); got != nil {
		t.Errorf("complete message: missing %v", got)
	}
	if got := MissingJSONFields(msgs, []string{"id", "content"}); !reflect.DeepEqual(got, []string{"type", "role", "model", "stop_reason", "usage"}) {
		t.Errorf("MissingJSONFields = %v", got)
	}
	if got := MissingEventFields(msgs, "message_delta", []string{"type", "delta"}); !reflect.DeepEqual(got, []string{"usage"}) {
		t.Errorf("MissingEventFields(message_delta) = %v", got)
	}
	if got := MissingEventFields(msgs, "unknown_event", nil); got != nil {
		t.Errorf("undocumented event has fields %v", got)
	}
	if MissingJSONFields(nil, nil) != nil || MissingEventFields(nil, "x", nil) != nil {
		t.Error("nil endpoint should have no documented fields")
	}
}

// TestProblemsAreContentFree feeds request keys and header names that look
// like secrets and proves no problem repeats them.
func TestProblemsAreContentFree(t *testing.T) {
	const canary = "sk-canary-contract-check"
	e := builtinEndpoint(t, "cometapi.messages")
	probs := CheckRequest(e, []string{canary, "authorization: Bearer " + canary}, []string{canary}, false)
	probs = append(probs, CheckResponse(e, Response{Status: 400, MissingFields: MissingJSONFields(e, []string{canary}), ErrorType: canary})...)
	if len(probs) == 0 {
		t.Fatal("expected problems")
	}
	for _, p := range probs {
		if strings.Contains(p, canary) {
			t.Errorf("problem repeats request content: %q", p)
		}
	}
}
