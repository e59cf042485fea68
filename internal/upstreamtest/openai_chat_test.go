package upstreamtest_test

import (
	"strings"
	"testing"

	"github.com/openai/openai-go/v3"

	"github.com/agentwrap/agentwrap/internal/upstreamtest"
)

func chatParams(model string) openai.ChatCompletionNewParams {
	return openai.ChatCompletionNewParams{Model: model, Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("ping")}}
}

func checkChatUsage(t *testing.T, u openai.CompletionUsage) {
	t.Helper()
	if u.PromptTokens != upstreamtest.InputTokens || u.CompletionTokens != upstreamtest.OutputTokens ||
		u.TotalTokens != upstreamtest.TotalTokens || u.PromptTokensDetails.CachedTokens != upstreamtest.CacheRead ||
		u.CompletionTokensDetails.ReasoningTokens != upstreamtest.Reasoning {
		t.Errorf("usage = %+v", u)
	}
}

func TestChatCompletion(t *testing.T) {
	s := upstreamtest.Start(t, upstreamtest.WithKey(canaryKey))
	client := openAIClient(s)
	got, err := client.Chat.Completions.New(testContext(t), chatParams("gpt-5"))
	if err != nil {
		t.Fatal(err)
	}
	if got.Model != "gpt-5" || got.Object != "chat.completion" || !strings.HasPrefix(got.ID, "chatcmpl-") {
		t.Errorf("reply = %s", got.RawJSON())
	}
	if len(got.Choices) != 1 || got.Choices[0].Message.Content != upstreamtest.ReplyText || got.Choices[0].FinishReason != "stop" {
		t.Errorf("choices = %+v", got.Choices)
	}
	checkChatUsage(t, got.Usage)
	again, err := client.Chat.Completions.New(testContext(t), chatParams("gpt-5"))
	if err != nil || again.ID == got.ID {
		t.Errorf("second reply id %q (err %v) repeats %q", again.ID, err, got.ID)
	}
	r := s.Requests()[0]
	if r.Family != upstreamtest.FamilyChatCompletions || r.Header.Get("Authorization") != "Bearer "+canaryKey {
		t.Errorf("recorded %s with Authorization %q", r.Family, r.Header.Get("Authorization"))
	}
}

func TestChatCompletionStreamIncludeUsage(t *testing.T) {
	s := upstreamtest.Start(t, upstreamtest.WithDeltas(3, 0))
	p := chatParams("qwen3-coder-plus")
	p.StreamOptions = openai.ChatCompletionStreamOptionsParam{IncludeUsage: openai.Bool(true)}
	client := openAIClient(s)
	stream := client.Chat.Completions.NewStreaming(testContext(t), p)
	var acc openai.ChatCompletionAccumulator
	chunks, last := 0, openai.ChatCompletionChunk{}
	for stream.Next() {
		chunks++
		last = stream.Current()
		acc.AddChunk(last)
	}
	if err := stream.Err(); err != nil {
		t.Fatal(err)
	}
	if chunks != 1+3+1+1 || len(last.Choices) != 0 {
		t.Errorf("got %d chunks, last has %d choices", chunks, len(last.Choices))
	}
	if acc.Model != "qwen3-coder-plus" || len(acc.Choices) != 1 || acc.Choices[0].Message.Content != upstreamtest.ReplyText ||
		acc.Choices[0].FinishReason != "stop" {
		t.Errorf("accumulated %s", acc.RawJSON())
	}
	checkChatUsage(t, acc.Usage)
}

func TestChatCompletionStreamWithoutUsage(t *testing.T) {
	s := upstreamtest.Start(t)
	resp := post(t, s.URL()+"/v1/chat/completions", `{"model":"m","stream":true,"messages":[]}`)
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream; charset=utf-8" || resp.Header.Get("Cache-Control") != "no-cache" {
		t.Errorf("Content-Type %q, Cache-Control %q", ct, resp.Header.Get("Cache-Control"))
	}
	events := parseSSE(t, readAll(t, resp.Body))
	if events[len(events)-1].data != "[DONE]" {
		t.Errorf("last event %q, want [DONE]", events[len(events)-1].data)
	}
	for _, e := range events[:len(events)-1] {
		m := decode(t, []byte(e.data))
		if _, ok := m["usage"]; ok || e.name != "" {
			t.Errorf("event %q carries usage or a name without include_usage", e.data)
		}
	}
}
