package gateway

import "github.com/agentwrap/agentwrap/call"

// countTokensParser reads Anthropic count_tokens: {"input_tokens": N}.
type countTokensParser struct{}

func (countTokensParser) event(r *result, _, _ []byte) { r.jsonErr = true }
func (countTokensParser) skipped(r *result, _ []byte)  { r.jsonErr = true }
func (countTokensParser) done(*result, bool)           {}

func (countTokensParser) document(r *result, doc []byte) {
	seen := false
	if !eachField(doc, func(k, val []byte) bool {
		if string(k) == "input_tokens" {
			seen = true
			u := call.NoUsage()
			setCount(&u.Input, val)
			r.usage, r.usageSeen = u, true
		}
		return true
	}) {
		r.jsonErr = true
		return
	}
	r.need(seen, "input_tokens")
}

// embeddingsParser reads OpenAI embeddings: model, data and
// usage.prompt_tokens. The vectors are skipped unread.
type embeddingsParser struct{}

func (embeddingsParser) event(r *result, _, _ []byte) { r.jsonErr = true }
func (embeddingsParser) skipped(r *result, _ []byte)  { r.jsonErr = true }
func (embeddingsParser) done(*result, bool)           {}

func (embeddingsParser) document(r *result, doc []byte) {
	var seen presence
	if !eachField(doc, func(k, val []byte) bool {
		switch string(k) {
		case "model":
			seen.model = !isNull(val)
			setString(&r.model, val)
		case "data":
			seen.data = !isNull(val)
		case "usage":
			seen.usage = !isNull(val)
			readOpenAIUsage(r, val, "prompt_tokens", "completion_tokens")
		}
		return true
	}) {
		r.jsonErr = true
		return
	}
	r.need(seen.data, "data")
	r.need(seen.model, "model")
	r.need(seen.usage, "usage")
}

// modelsParser reads a models list: only that it is JSON with data.
type modelsParser struct{}

func (modelsParser) event(r *result, _, _ []byte) { r.jsonErr = true }
func (modelsParser) skipped(r *result, _ []byte)  { r.jsonErr = true }
func (modelsParser) done(*result, bool)           {}

func (modelsParser) document(r *result, doc []byte) {
	seen := false
	if !eachField(doc, func(k, val []byte) bool {
		if string(k) == "data" {
			seen = !isNull(val)
		}
		return true
	}) {
		r.jsonErr = true
		return
	}
	r.need(seen, "data")
}

// unknownParser reads replies of unrecognised requests: nothing is
// documented, so nothing is required; error bodies are still read, and a
// stream counts as complete when it ended cleanly.
type unknownParser struct{}

func (unknownParser) event(*result, []byte, []byte) {}
func (unknownParser) skipped(*result, []byte)       {}
func (unknownParser) document(*result, []byte)      {}
func (unknownParser) done(r *result, stream bool)   { r.terminal = stream }
