package upstreamtest

import "time"

// systemFingerprint is the system_fingerprint of chat completions.
const systemFingerprint = "fp_upstreamtest"

// chatUsage is the usage object of chat completions.
func chatUsage() obj {
	return obj{
		{"prompt_tokens", InputTokens},
		{"completion_tokens", OutputTokens},
		{"total_tokens", TotalTokens},
		{"prompt_tokens_details", obj{{"cached_tokens", CacheRead}, {"cache_write_tokens", CacheCreation}, {"audio_tokens", 0}}},
		{"completion_tokens_details", obj{{"reasoning_tokens", Reasoning}, {"audio_tokens", 0},
			{"accepted_prediction_tokens", 0}, {"rejected_prediction_tokens", 0}}},
	}
}

// chat answers POST /v1/chat/completions.
func (c *call) chat() {
	id, created := newLowerID("chatcmpl-"), time.Now().Unix()
	if c.scenario == ScenarioEchoSecret && c.key != "" {
		id = "chatcmpl-" + c.key
	}
	if c.stream {
		c.runStream(c.chatStream(id, created))
		return
	}
	message := obj{{"role", "assistant"}, {"content", c.text()}, {"refusal", nil}, {"annotations", list()}}
	reply := obj{
		{"id", id}, {"object", "chat.completion"}, {"created", created}, {"model", c.model},
		{"choices", list(obj{{"index", 0}, {"message", message}, {"logprobs", nil}, {"finish_reason", "stop"}})},
	}
	if c.withUsage() {
		reply = append(reply, kv{"usage", chatUsage()})
	}
	reply = append(reply, kv{"service_tier", "default"}, kv{"system_fingerprint", systemFingerprint})
	c.writeJSON(200, reply)
}

// chatStream is the data-only chunk stream ending in "data: [DONE]". With
// stream_options.include_usage every chunk carries "usage": null and a
// last chunk with empty choices carries the usage; ScenarioMissingUsage
// drops both, as a gateway that ignores include_usage would.
func (c *call) chatStream(id string, created int64) streamPlan {
	chunk := func(choices []any, usage any) event {
		o := obj{{"id", id}, {"object", "chat.completion.chunk"}, {"created", created}, {"model", c.model},
			{"service_tier", "default"}, {"system_fingerprint", systemFingerprint}, {"choices", choices}}
		if c.includeUsage() && c.withUsage() {
			o = append(o, kv{"usage", usage})
		}
		return event{data: o}
	}
	choice := func(delta obj, finish any) []any {
		return list(obj{{"index", 0}, {"delta", delta}, {"logprobs", nil}, {"finish_reason", finish}})
	}
	return streamPlan{
		contentType: "text/event-stream; charset=utf-8",
		encoder:     sse("\n\n"),
		head:        []event{chunk(choice(obj{{"role", "assistant"}, {"content", ""}, {"refusal", nil}}, nil), nil)},
		delta: func(_, _ int, text string) []event {
			return []event{chunk(choice(obj{{"content", text}}, nil), nil)}
		},
		tail: func(string) []event {
			evs := []event{chunk(choice(obj{}, "stop"), nil)}
			if c.includeUsage() && c.withUsage() {
				evs = append(evs, chunk(list(), chatUsage()))
			}
			return append(evs, event{data: rawData("[DONE]")})
		},
	}
}
