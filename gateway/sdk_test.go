package gateway_test

import (
	"context"
	"strings"
	"testing"

	"github.com/anthropics/anthropic-sdk-go"
	aoption "github.com/anthropics/anthropic-sdk-go/option"
	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/responses"

	"github.com/agentwrap/agentwrap/call"
	"github.com/agentwrap/agentwrap/internal/upstreamtest"
	"github.com/agentwrap/agentwrap/spans"
)

// The real SDKs, pointed at the gateway with the run token, must work as
// they do against the real gateway, and each call must produce its span.

func openaiClient(h *familyHarness) openai.Client {
	return openai.NewClient(option.WithBaseURL(h.gw.URL()+"/v1/"), option.WithAPIKey(familyToken), option.WithMaxRetries(0))
}

func TestOpenAISDKChatCompletions(t *testing.T) {
	h := newFamilyHarness(t)
	client := openaiClient(h)
	params := openai.ChatCompletionNewParams{
		Model:    "gpt-5-mini",
		Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("Return the word pong.")},
	}
	c, err := client.Chat.Completions.New(context.Background(), params)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Choices) == 0 || !strings.Contains(c.Choices[0].Message.Content, upstreamtest.ReplyText) || c.Usage.PromptTokens != upstreamtest.InputTokens {
		t.Fatalf("unexpected completion %+v", c)
	}
	checkSDKSpan(t, h, call.FamilyChatCompletions, false)

	params.StreamOptions = openai.ChatCompletionStreamOptionsParam{IncludeUsage: openai.Bool(true)}
	stream := client.Chat.Completions.NewStreaming(context.Background(), params)
	acc := openai.ChatCompletionAccumulator{}
	for stream.Next() {
		acc.AddChunk(stream.Current())
	}
	if err := stream.Err(); err != nil {
		t.Fatal(err)
	}
	if len(acc.Choices) == 0 || !strings.Contains(acc.Choices[0].Message.Content, upstreamtest.ReplyText) {
		t.Fatalf("stream accumulated %+v", acc.ChatCompletion)
	}
	if acc.Usage.CompletionTokens != upstreamtest.OutputTokens {
		t.Errorf("stream usage %+v", acc.Usage)
	}
	checkSDKSpan(t, h, call.FamilyChatCompletions, true)
}

func TestOpenAISDKResponses(t *testing.T) {
	h := newFamilyHarness(t)
	client := openaiClient(h)
	params := responses.ResponseNewParams{
		Model: "gpt-5-mini",
		Input: responses.ResponseNewParamsInputUnion{OfString: openai.String("Return the word pong.")},
	}
	r, err := client.Responses.New(context.Background(), params)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(r.OutputText(), upstreamtest.ReplyText) || r.Usage.OutputTokens != upstreamtest.OutputTokens {
		t.Fatalf("unexpected response: text %q usage %+v", r.OutputText(), r.Usage)
	}
	checkSDKSpan(t, h, call.FamilyResponses, false)

	stream := client.Responses.NewStreaming(context.Background(), params)
	var text strings.Builder
	completed := false
	for stream.Next() {
		ev := stream.Current()
		switch ev.Type {
		case "response.output_text.delta":
			text.WriteString(ev.Delta)
		case "response.completed":
			completed = ev.Response.Usage.InputTokens == upstreamtest.InputTokens
		}
	}
	if err := stream.Err(); err != nil {
		t.Fatal(err)
	}
	if !completed || !strings.Contains(text.String(), upstreamtest.ReplyText) {
		t.Fatalf("stream text %q, completed with usage %v", text.String(), completed)
	}
	checkSDKSpan(t, h, call.FamilyResponses, true)
}

func TestAnthropicSDKMessages(t *testing.T) {
	h := newFamilyHarness(t)
	client := anthropic.NewClient(aoption.WithBaseURL(h.gw.URL()), aoption.WithAPIKey(familyToken), aoption.WithMaxRetries(0))
	params := anthropic.MessageNewParams{
		Model:     "claude-sonnet-4-5",
		MaxTokens: 16,
		Messages:  []anthropic.MessageParam{anthropic.NewUserMessage(anthropic.NewTextBlock("Return the word pong."))},
	}
	m, err := client.Messages.New(context.Background(), params)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Content) == 0 || !strings.Contains(m.Content[0].Text, upstreamtest.ReplyText) || m.Usage.OutputTokens != upstreamtest.OutputTokens {
		t.Fatalf("unexpected message %+v", m)
	}
	checkSDKSpan(t, h, call.FamilyMessages, false)

	stream := client.Messages.NewStreaming(context.Background(), params)
	acc := anthropic.Message{}
	for stream.Next() {
		if err := acc.Accumulate(stream.Current()); err != nil {
			t.Fatal(err)
		}
	}
	if err := stream.Err(); err != nil {
		t.Fatal(err)
	}
	if len(acc.Content) == 0 || !strings.Contains(acc.Content[0].Text, upstreamtest.ReplyText) || acc.StopReason == "" {
		t.Fatalf("stream accumulated %+v", acc)
	}
	checkSDKSpan(t, h, call.FamilyMessages, true)
}

func checkSDKSpan(t *testing.T, h *familyHarness, f call.Family, stream bool) {
	t.Helper()
	a := h.span(t)
	if got := a[spans.RequestFamily].AsString(); got != string(f) {
		t.Errorf("family %q, want %s", got, f)
	}
	if got := a[spans.ResultClass].AsString(); got != spans.ResultPass {
		t.Errorf("result %q (%s), want pass", got, a[spans.Notes].AsString())
	}
	if a[spans.GenAIRequestStream].AsBool() != stream {
		t.Errorf("stream attribute %v, want %v", a[spans.GenAIRequestStream].AsBool(), stream)
	}
	if a[spans.GenAIUsageInputTokens].AsInt64() != upstreamtest.InputTokens || a[spans.GenAIUsageOutputTokens].AsInt64() != upstreamtest.OutputTokens {
		t.Errorf("usage %d/%d", a[spans.GenAIUsageInputTokens].AsInt64(), a[spans.GenAIUsageOutputTokens].AsInt64())
	}
}

// TestSDKRetriesAreSeparateSpansWithResendCount: an agent's own retries
// (the SDKs report them in x-stainless-retry-count) are separate calls,
// each with its http.request.resend_count, and the gateway does not retry
// on its own.
func TestSDKRetriesAreSeparateSpansWithResendCount(t *testing.T) {
	h := newFamilyHarness(t)
	client := openai.NewClient(option.WithBaseURL(h.gw.URL()+"/v1/"), option.WithAPIKey(familyToken),
		option.WithMaxRetries(2), option.WithHeader(upstreamtest.HeaderScenario, upstreamtest.ScenarioRateLimited))
	_, err := client.Chat.Completions.New(context.Background(), openai.ChatCompletionNewParams{
		Model:    "gpt-5-mini",
		Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("Return the word pong.")},
	})
	if err == nil {
		t.Fatal("rate-limited call succeeded")
	}
	if n := len(h.up.Requests()); n != 3 {
		t.Fatalf("upstream saw %d requests, want 3 (1 + 2 SDK retries)", n)
	}
	seen := map[int64]bool{}
	for i := 0; i < 3; i++ {
		a := h.span(t)
		if a[spans.ResultClass].AsString() != spans.ResultNeedsFollowUp || !strings.Contains(a[spans.Notes].AsString(), "retry-after present") {
			t.Errorf("retry %d: %s %q", i, a[spans.ResultClass].AsString(), a[spans.Notes].AsString())
		}
		seen[a[spans.HTTPRequestResendCount].AsInt64()] = true
	}
	if !seen[0] || !seen[1] || !seen[2] {
		t.Errorf("resend counts seen %v, want 0, 1 and 2", seen)
	}
}
