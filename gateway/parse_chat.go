package gateway

import "github.com/agentwrap/agentwrap/call"

// chatParser reads OpenAI chat completions: a chat.completion object, or a
// stream of chat.completion.chunk objects as `data:` events ending with
// `data: [DONE]`. The usage chunk (stream_options.include_usage) has empty
// choices and the usage of the whole call.
type chatParser struct{}

func (chatParser) event(r *result, _, data []byte) {
	if string(data) == "[DONE]" {
		r.terminal = true
		return
	}
	if !readChat(r, data, nil) {
		r.jsonErr = true
	}
}

func (chatParser) skipped(r *result, _ []byte) { r.unparsed = true }

func (chatParser) document(r *result, doc []byte) {
	var seen presence
	if !readChat(r, doc, &seen) {
		r.jsonErr = true
		return
	}
	r.need(seen.id, "id")
	r.need(seen.model, "model")
	r.need(seen.choices, "choices")
	r.need(seen.usage, "usage")
}

func (chatParser) done(*result, bool) {}

// presence notes which documented members a body had (non-null).
type presence struct {
	id, model, choices, usage, status, content, stop, data, output bool
}

// readChat reads one completion or chunk object. seen, when not nil,
// receives the members present.
func readChat(r *result, v []byte, seen *presence) bool {
	var p presence
	ok := eachField(v, func(k, val []byte) bool {
		switch string(k) {
		case "id":
			p.id = !isNull(val)
			if r.id == "" {
				setString(&r.id, val)
			}
		case "model":
			p.model = !isNull(val)
			setString(&r.model, val)
		case "choices":
			p.choices = !isNull(val)
			readChoices(r, val)
		case "usage":
			p.usage = !isNull(val)
			readOpenAIUsage(r, val, "prompt_tokens", "completion_tokens")
		case "error":
			readErrorObject(r, val)
		}
		return true
	})
	if seen != nil {
		*seen = p
	}
	return ok
}

func readChoices(r *result, v []byte) {
	eachIndexed(v, "finish_reason", r.setReason)
}

// eachIndexed calls fn with the "index" member (0 when absent) and the raw
// key member (nil when absent) of each element of the JSON array v: the
// finish reasons of chat choices and Gemini candidates.
func eachIndexed(v []byte, key string, fn func(idx int64, val []byte)) {
	eachElem(v, func(el []byte) bool {
		idx := int64(0)
		var found []byte
		eachField(el, func(k, val []byte) bool {
			switch string(k) {
			case "index":
				if n, ok := jsonInt(val); ok {
					idx = n
				}
			case key:
				found = val
			}
			return true
		})
		fn(idx, found)
		return true
	})
}

// readOpenAIUsage reads an OpenAI usage object whose input and output
// counts are named in and out (chat: prompt_tokens/completion_tokens;
// responses: input_tokens/output_tokens). Input includes cached tokens and
// output includes reasoning tokens, as OpenAI reports them.
func readOpenAIUsage(r *result, v []byte, in, out string) {
	if isNull(v) {
		return
	}
	u := call.NoUsage()
	if !eachField(v, func(k, val []byte) bool {
		switch string(k) {
		case in:
			setCount(&u.Input, val)
		case out:
			setCount(&u.Output, val)
		case "prompt_tokens_details", "input_tokens_details":
			readDetail(val, "cached_tokens", &u.CacheRead)
		case "completion_tokens_details", "output_tokens_details":
			readDetail(val, "reasoning_tokens", &u.Reasoning)
		}
		return true
	}) {
		return
	}
	r.usage, r.usageSeen = u, true
}

// readDetail reads the count named key of a *_tokens_details object.
func readDetail(v []byte, key string, dst *int64) {
	eachField(v, func(k, val []byte) bool {
		if string(k) == key {
			setCount(dst, val)
		}
		return true
	})
}
