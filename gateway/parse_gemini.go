package gateway

import "github.com/agentwrap/agentwrap/call"

// geminiParser reads Gemini generateContent replies: a
// GenerateContentResponse object, a stream of them as SSE `data:` events
// (streamGenerateContent?alt=sse), or a JSON array of them
// (streamGenerateContent without alt=sse). The last usageMetadata wins; a
// stream is complete when its last chunk carried a finishReason.
type geminiParser struct {
	usageSeen bool
}

func (p *geminiParser) event(r *result, _, data []byte) {
	if !p.readChunk(r, data) {
		r.jsonErr = true
	}
}

func (p *geminiParser) skipped(r *result, _ []byte) {
	r.unparsed = true
	r.terminal = false
}

func (p *geminiParser) document(r *result, doc []byte) {
	i := skipSpace(doc, 0)
	if i < len(doc) && doc[i] == '[' {
		ok := eachElem(doc, func(el []byte) bool {
			if !p.readChunk(r, el) {
				r.jsonErr = true
			}
			return true
		})
		if !ok {
			r.jsonErr = true
		}
		return
	}
	if !p.readChunk(r, doc) {
		r.jsonErr = true
	}
}

func (p *geminiParser) done(r *result, stream bool) {
	if r.errType == "" && r.errCode == "" && (!stream || r.terminal) {
		r.need(p.usageSeen, "usageMetadata")
	}
}

// readChunk reads one GenerateContentResponse (or an error object in its
// place) and notes whether it ended the stream.
func (p *geminiParser) readChunk(r *result, v []byte) bool {
	final := false
	ok := eachField(v, func(k, val []byte) bool {
		switch string(k) {
		case "responseId":
			setString(&r.id, val)
		case "modelVersion":
			setString(&r.model, val)
		case "candidates":
			final = readCandidates(r, val)
		case "usageMetadata":
			if p.readUsage(r, val) {
				p.usageSeen = true
			}
		case "error":
			readErrorObject(r, val)
		}
		return true
	})
	r.terminal = final
	return ok
}

// readCandidates records each candidate's finishReason and reports whether
// any had one.
func readCandidates(r *result, v []byte) bool {
	any := false
	eachIndexed(v, "finishReason", func(idx int64, reason []byte) {
		if !isNull(reason) && string(reason) != `""` {
			any = true
			r.setReason(idx, reason)
		}
	})
	return any
}

// readUsage reads usageMetadata. Gemini omits zero counts, so an absent
// prompt, candidates or thoughts count is zero; cache and reasoning counts
// stay unreported when absent. Input includes cached content; output is
// candidates plus thoughts.
func (p *geminiParser) readUsage(r *result, v []byte) bool {
	if isNull(v) {
		return false
	}
	var prompt, cands, thoughts int64
	cached := int64(-1)
	thoughtsSeen := false
	if !eachField(v, func(k, val []byte) bool {
		switch string(k) {
		case "promptTokenCount":
			setCount(&prompt, val)
		case "candidatesTokenCount":
			setCount(&cands, val)
		case "cachedContentTokenCount":
			setCount(&cached, val)
		case "thoughtsTokenCount":
			thoughtsSeen = true
			setCount(&thoughts, val)
		}
		return true
	}) {
		return false
	}
	u := call.Usage{Input: prompt, Output: cands + thoughts, CacheRead: cached, CacheCreation: -1, Reasoning: -1}
	if thoughtsSeen {
		u.Reasoning = thoughts
	}
	r.usage, r.usageSeen = u, true
	return true
}
