package upstreamtest

// geminiUsage is the usageMetadata of a complete reply: promptTokenCount
// includes cached tokens; candidatesTokenCount excludes thoughtsTokenCount.
func geminiUsage() obj {
	return obj{
		{"promptTokenCount", InputTokens},
		{"candidatesTokenCount", GeminiCandidatesTokens},
		{"totalTokenCount", TotalTokens},
		{"cachedContentTokenCount", CacheRead},
		{"promptTokensDetails", list(obj{{"modality", "TEXT"}, {"tokenCount", InputTokens}})},
		{"cacheTokensDetails", list(obj{{"modality", "TEXT"}, {"tokenCount", CacheRead}})},
		{"thoughtsTokenCount", Reasoning},
	}
}

// geminiPartialUsage is the usageMetadata of a chunk before the last.
func geminiPartialUsage() obj {
	return obj{
		{"promptTokenCount", InputTokens},
		{"totalTokenCount", InputTokens},
		{"promptTokensDetails", list(obj{{"modality", "TEXT"}, {"tokenCount", InputTokens}})},
	}
}

// geminiChunk is a GenerateContentResponse holding text; the last one
// carries finishReason and the full usage.
func (c *call) geminiChunk(responseID, text string, last bool) obj {
	candidate := obj{{"content", obj{{"parts", list(obj{{"text", text}})}, {"role", "model"}}}}
	usage := geminiPartialUsage()
	if last {
		candidate = append(candidate, kv{"finishReason", "STOP"})
		usage = geminiUsage()
	}
	o := obj{{"candidates", list(append(candidate, kv{"index", 0}))}}
	if c.withUsage() {
		o = append(o, kv{"usageMetadata", usage})
	}
	return append(o, kv{"modelVersion", c.model}, kv{"responseId", responseID})
}

// gemini answers :generateContent and :streamGenerateContent, the latter
// as SSE with alt=sse ("data: {...}\r\n\r\n", as Google frames it) and as
// a streamed JSON array otherwise.
func (c *call) gemini() {
	id := newLowerID("")[:22]
	if !c.stream {
		c.writeJSON(200, c.geminiChunk(id, c.text(), true))
		return
	}
	plan := streamPlan{
		contentType: "text/event-stream",
		encoder:     sse("\r\n\r\n"),
		delta: func(i, n int, text string) []event {
			return []event{{data: c.geminiChunk(id, text, i == n-1)}}
		},
	}
	if c.r.URL.Query().Get("alt") != "sse" {
		plan.contentType = c.jsonType()
		plan.encoder = func(w *replyWriter) encoder { return &arrayEncoder{w: w} }
	}
	c.runStream(plan)
}

// geminiCountTokens answers :countTokens.
func (c *call) geminiCountTokens() {
	reply := obj{}
	if c.withUsage() {
		reply = obj{{"totalTokens", InputTokens},
			{"promptTokensDetails", list(obj{{"modality", "TEXT"}, {"tokenCount", InputTokens}})}}
	}
	c.writeJSON(200, reply)
}
