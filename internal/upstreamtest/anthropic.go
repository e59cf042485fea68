package upstreamtest

// anthropicUsage is the usage object of a message: input_tokens excludes
// cache reads and writes; output_tokens includes thinking. message_start
// reports an early output count, without the thinking breakdown.
func anthropicUsage(outputTokens int) obj {
	o := obj{
		{"input_tokens", AnthropicUncachedInputTokens},
		{"cache_creation_input_tokens", CacheCreation},
		{"cache_read_input_tokens", CacheRead},
		{"cache_creation", obj{{"ephemeral_5m_input_tokens", CacheCreation}, {"ephemeral_1h_input_tokens", 0}}},
		{"output_tokens", outputTokens},
	}
	if outputTokens >= Reasoning {
		o = append(o, kv{"output_tokens_details", obj{{"thinking_tokens", Reasoning}}})
	}
	return append(o, kv{"service_tier", "standard"})
}

// anthropicMessage is the message object; content and stop_reason are
// empty while it streams.
func (c *call) anthropicMessage(id string, content []any, stop any, outputTokens int) obj {
	o := obj{
		{"id", id}, {"type", "message"}, {"role", "assistant"}, {"model", c.model},
		{"content", content}, {"stop_reason", stop}, {"stop_sequence", nil},
	}
	if c.withUsage() {
		o = append(o, kv{"usage", anthropicUsage(outputTokens)})
	}
	return o
}

// messages answers POST /v1/messages (with or without ?beta=true).
func (c *call) messages() {
	id := newID("msg_01")
	if c.stream {
		c.runStream(c.messagesStream(id))
		return
	}
	text := obj{{"type", "text"}, {"text", c.text()}}
	c.writeJSON(200, c.anthropicMessage(id, list(text), "end_turn", OutputTokens))
}

// messagesStream is the named-event stream from message_start to
// message_stop. message_delta carries the cumulative usage.
func (c *call) messagesStream(id string) streamPlan {
	ev := func(typ string, fields ...kv) event {
		return event{name: typ, data: append(obj{{"type", typ}}, fields...)}
	}
	index := kv{"index", 0}
	return streamPlan{
		contentType: "text/event-stream; charset=utf-8",
		encoder:     sse("\n\n"),
		head: []event{
			ev("message_start", kv{"message", c.anthropicMessage(id, list(), nil, 1)}),
			ev("content_block_start", index, kv{"content_block", obj{{"type", "text"}, {"text", ""}}}),
			ev("ping"),
		},
		delta: func(_, _ int, text string) []event {
			return []event{ev("content_block_delta", index, kv{"delta", obj{{"type", "text_delta"}, {"text", text}}})}
		},
		tail: func(string) []event {
			delta := []kv{{"delta", obj{{"stop_reason", "end_turn"}, {"stop_sequence", nil}}}}
			if c.withUsage() {
				delta = append(delta, kv{"usage", obj{
					{"input_tokens", AnthropicUncachedInputTokens},
					{"cache_creation_input_tokens", CacheCreation},
					{"cache_read_input_tokens", CacheRead},
					{"output_tokens", OutputTokens},
					{"output_tokens_details", obj{{"thinking_tokens", Reasoning}}},
				}})
			}
			return []event{ev("content_block_stop", index), ev("message_delta", delta...), ev("message_stop")}
		},
	}
}

// countTokens answers POST /v1/messages/count_tokens with the total input
// (cached tokens included, as a fresh request would be counted).
func (c *call) countTokens() {
	if !c.withUsage() {
		c.writeJSON(200, obj{})
		return
	}
	c.writeJSON(200, obj{{"input_tokens", InputTokens}})
}

// anthropicModels answers GET /v1/models in Anthropic's shape.
func (c *call) anthropicModels() {
	data := make([]any, 0, len(knownModels))
	for _, m := range knownModels {
		if m.owner == "anthropic" {
			data = append(data, obj{{"type", "model"}, {"id", m.id}, {"display_name", m.display}, {"created_at", m.created}})
		}
	}
	first, last := data[0].(obj)[1].v, data[len(data)-1].(obj)[1].v
	c.writeJSON(200, obj{{"data", data}, {"has_more", false}, {"first_id", first}, {"last_id", last}})
}
