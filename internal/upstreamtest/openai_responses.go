package upstreamtest

import "time"

// responsesUsage is the usage object of the Responses API.
func responsesUsage() obj {
	return obj{
		{"input_tokens", InputTokens},
		{"input_tokens_details", obj{{"cached_tokens", CacheRead}, {"cache_write_tokens", CacheCreation}}},
		{"output_tokens", OutputTokens},
		{"output_tokens_details", obj{{"reasoning_tokens", Reasoning}}},
		{"total_tokens", TotalTokens},
	}
}

// respState is what a Responses reply is built from.
type respState struct {
	id, itemID string
	created    int64
}

// outputText is an output_text content part.
func outputText(text string) obj {
	return obj{{"type", "output_text"}, {"annotations", list()}, {"logprobs", list()}, {"text", text}}
}

// messageItem is the assistant message output item.
func (s respState) messageItem(status string, content []any) obj {
	return obj{{"id", s.itemID}, {"type", "message"}, {"status", status}, {"content", content}, {"role", "assistant"}}
}

// response is the response object; output and usage are set when the
// response is complete.
func (c *call) response(s respState, status string, output []any) obj {
	var completedAt, usage any
	if status == "completed" {
		completedAt, usage = time.Now().Unix(), responsesUsage()
	}
	o := obj{
		{"id", s.id}, {"object", "response"}, {"created_at", s.created}, {"status", status},
		{"background", false}, {"completed_at", completedAt}, {"error", nil}, {"incomplete_details", nil},
		{"instructions", nil}, {"max_output_tokens", nil}, {"max_tool_calls", nil}, {"model", c.model},
		{"output", output}, {"parallel_tool_calls", true}, {"previous_response_id", nil},
		{"prompt_cache_key", nil}, {"reasoning", obj{{"effort", nil}, {"summary", nil}}},
		{"safety_identifier", nil}, {"service_tier", "default"}, {"store", true}, {"temperature", 1.0},
		{"text", obj{{"format", obj{{"type", "text"}}}, {"verbosity", "medium"}}}, {"tool_choice", "auto"},
		{"tools", list()}, {"top_logprobs", 0}, {"top_p", 1.0}, {"truncation", "disabled"},
	}
	if c.withUsage() {
		o = append(o, kv{"usage", usage})
	}
	return append(o, kv{"user", nil}, kv{"metadata", obj{}})
}

// responses answers POST /v1/responses.
func (c *call) responses() {
	s := respState{id: newLowerID("resp_"), itemID: newLowerID("msg_"), created: time.Now().Unix()}
	if c.stream {
		c.runStream(c.responsesStream(s))
		return
	}
	done := s.messageItem("completed", list(outputText(c.text())))
	c.writeJSON(200, c.response(s, "completed", list(done)))
}

// responsesStream is the named-event stream from response.created to
// response.completed.
func (c *call) responsesStream(s respState) streamPlan {
	seq := 0
	ev := func(typ string, fields ...kv) event {
		o := append(obj{{"type", typ}, {"sequence_number", seq}}, fields...)
		seq++
		return event{name: typ, data: o}
	}
	part := kv{"content_index", 0}
	where := []kv{{"item_id", s.itemID}, {"output_index", 0}, part}
	return streamPlan{
		contentType: "text/event-stream; charset=utf-8",
		encoder:     sse("\n\n"),
		head: []event{
			ev("response.created", kv{"response", c.response(s, "in_progress", list())}),
			ev("response.in_progress", kv{"response", c.response(s, "in_progress", list())}),
			ev("response.output_item.added", kv{"output_index", 0}, kv{"item", s.messageItem("in_progress", list())}),
			ev("response.content_part.added", append(where, kv{"part", outputText("")})...),
		},
		delta: func(_, _ int, text string) []event {
			return []event{ev("response.output_text.delta", append(where, kv{"delta", text}, kv{"logprobs", list()})...)}
		},
		tail: func(text string) []event {
			done := s.messageItem("completed", list(outputText(text)))
			return []event{
				ev("response.output_text.done", append(where, kv{"text", text}, kv{"logprobs", list()})...),
				ev("response.content_part.done", append(where, kv{"part", outputText(text)})...),
				ev("response.output_item.done", kv{"output_index", 0}, kv{"item", done}),
				ev("response.completed", kv{"response", c.response(s, "completed", list(done))}),
			}
		},
	}
}
