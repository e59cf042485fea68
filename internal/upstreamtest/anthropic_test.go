package upstreamtest_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/anthropics/anthropic-sdk-go"

	"github.com/agentwrap/agentwrap/internal/upstreamtest"
)

func messageParams(model string) anthropic.MessageNewParams {
	return anthropic.MessageNewParams{Model: anthropic.Model(model), MaxTokens: 64,
		Messages: []anthropic.MessageParam{anthropic.NewUserMessage(anthropic.NewTextBlock("ping"))}}
}

func checkAnthropicUsage(t *testing.T, u anthropic.Usage) {
	t.Helper()
	if u.InputTokens != upstreamtest.AnthropicUncachedInputTokens || u.CacheReadInputTokens != upstreamtest.CacheRead ||
		u.CacheCreationInputTokens != upstreamtest.CacheCreation || u.OutputTokens != upstreamtest.OutputTokens ||
		u.OutputTokensDetails.ThinkingTokens != upstreamtest.Reasoning {
		t.Errorf("usage = %s", u.RawJSON())
	}
	if total := u.InputTokens + u.CacheReadInputTokens + u.CacheCreationInputTokens; total != upstreamtest.InputTokens {
		t.Errorf("input incl. cache = %d, want %d", total, upstreamtest.InputTokens)
	}
}

func TestMessages(t *testing.T) {
	s := upstreamtest.Start(t, upstreamtest.WithKey(canaryKey))
	client := anthropicClient(s)
	got, err := client.Messages.New(testContext(t), messageParams("claude-sonnet-4-5"))
	if err != nil {
		t.Fatal(err)
	}
	if got.Model != "claude-sonnet-4-5" || got.StopReason != "end_turn" || !strings.HasPrefix(got.ID, "msg_") ||
		len(got.Content) != 1 || got.Content[0].Text != upstreamtest.ReplyText {
		t.Errorf("message = %s", got.RawJSON())
	}
	checkAnthropicUsage(t, got.Usage)
	r := s.Requests()[0]
	if r.Family != upstreamtest.FamilyMessages || r.Header.Get("X-Api-Key") != canaryKey || r.Header.Get("Authorization") != "" {
		t.Errorf("recorded %s with x-api-key %q, Authorization %q", r.Family, r.Header.Get("X-Api-Key"), r.Header.Get("Authorization"))
	}
}

// anthropicEvents is the documented event sequence of a text reply.
var anthropicEvents = []string{"message_start", "content_block_start", "ping", "content_block_delta",
	"content_block_delta", "content_block_delta", "content_block_stop", "message_delta", "message_stop"}

func TestMessagesStream(t *testing.T) {
	s := upstreamtest.Start(t, upstreamtest.WithDeltas(3, 0))
	client := anthropicClient(s)
	stream := client.Messages.NewStreaming(testContext(t), messageParams("claude-haiku-4-5"))
	var msg anthropic.Message
	var types []string
	for stream.Next() {
		e := stream.Current()
		types = append(types, e.Type)
		if err := msg.Accumulate(e); err != nil {
			t.Fatal(err)
		}
	}
	if err := stream.Err(); err != nil {
		t.Fatal(err)
	}
	// The SDK drops ping events; TestMessagesStreamWire sees them.
	if !slices.Equal(types, slices.DeleteFunc(slices.Clone(anthropicEvents), func(e string) bool { return e == "ping" })) {
		t.Errorf("events %v", types)
	}
	if msg.Model != "claude-haiku-4-5" || msg.StopReason != "end_turn" || len(msg.Content) != 1 || msg.Content[0].Text != upstreamtest.ReplyText {
		t.Errorf("accumulated %s", msg.RawJSON())
	}
	checkAnthropicUsage(t, msg.Usage)
}

// TestMessagesBetaStream uses the beta endpoint, POST /v1/messages?beta=true,
// as Claude Code does.
func TestMessagesBetaStream(t *testing.T) {
	s := upstreamtest.Start(t, upstreamtest.WithKey(canaryKey))
	client := anthropicClient(s)
	stream := client.Beta.Messages.NewStreaming(testContext(t), anthropic.BetaMessageNewParams{
		Model: "claude-opus-4-1", MaxTokens: 64,
		Messages: []anthropic.BetaMessageParam{anthropic.NewBetaUserMessage(anthropic.NewBetaTextBlock("ping"))}})
	var msg anthropic.BetaMessage
	for stream.Next() {
		if err := msg.Accumulate(stream.Current()); err != nil {
			t.Fatal(err)
		}
	}
	if err := stream.Err(); err != nil {
		t.Fatal(err)
	}
	if msg.Content[0].Text != upstreamtest.ReplyText || msg.Usage.OutputTokens != upstreamtest.OutputTokens {
		t.Errorf("accumulated %s", msg.RawJSON())
	}
	if r := s.Requests()[0]; r.Path != "/v1/messages" || r.RawQuery != "beta=true" || r.Family != upstreamtest.FamilyMessages {
		t.Errorf("recorded %s ?%s as %s", r.Path, r.RawQuery, r.Family)
	}
}

func TestCountTokens(t *testing.T) {
	s := upstreamtest.Start(t, upstreamtest.WithKey(canaryKey))
	client := anthropicClient(s)
	got, err := client.Messages.CountTokens(testContext(t), anthropic.MessageCountTokensParams{Model: "claude-haiku-4-5",
		Messages: []anthropic.MessageParam{anthropic.NewUserMessage(anthropic.NewTextBlock("ping"))}})
	if err != nil {
		t.Fatal(err)
	}
	if got.InputTokens != upstreamtest.InputTokens {
		t.Errorf("input_tokens = %d", got.InputTokens)
	}
	if r := s.Requests()[0]; r.Family != upstreamtest.FamilyCountTokens {
		t.Errorf("family = %s", r.Family)
	}
}

func TestMessagesRequireMaxTokens(t *testing.T) {
	s := upstreamtest.Start(t)
	resp := post(t, s.URL()+"/v1/messages", `{"model":"claude-x","messages":[]}`)
	body := decode(t, readAll(t, resp.Body))
	if resp.StatusCode != 400 || body["type"] != "error" || path(body, "error", "type") != "invalid_request_error" ||
		path(body, "error", "message") != "max_tokens: Field required" || body["request_id"] != resp.Header.Get("Request-Id") {
		t.Errorf("status %d, body %v", resp.StatusCode, body)
	}
}

// TestMessagesStreamWire checks the SSE framing: the documented event
// order, ping included, and each event's name matching its data's type.
func TestMessagesStreamWire(t *testing.T) {
	s := upstreamtest.Start(t, upstreamtest.WithDeltas(3, 0))
	resp := post(t, s.URL()+"/v1/messages?beta=true", `{"model":"claude-x","max_tokens":8,"stream":true,"messages":[]}`)
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream; charset=utf-8" || resp.Header.Get("Request-Id") == "" {
		t.Errorf("Content-Type %q, request-id %q", ct, resp.Header.Get("Request-Id"))
	}
	var names []string
	for _, e := range parseSSE(t, readAll(t, resp.Body)) {
		names = append(names, e.name)
		if typ := decode(t, []byte(e.data))["type"]; typ != e.name {
			t.Errorf("event %q carries type %v", e.name, typ)
		}
	}
	if !slices.Equal(names, anthropicEvents) {
		t.Errorf("events %v", names)
	}
}
