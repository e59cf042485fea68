package gateway

import (
	"bytes"
	"strings"
)

// responsesParser reads the OpenAI Responses API: a response object, or a
// stream of typed events (response.created, response.output_text.delta, …)
// ending with response.completed, response.failed or response.incomplete,
// whose `response` carries status and usage. An `error` event carries a
// code.
type responsesParser struct {
	// terminalUsage notes whether the terminal event's response had usage.
	terminalUsage bool
	completed     bool
}

func (p *responsesParser) event(r *result, name, data []byte) {
	if len(name) == 0 || string(name) == "message" {
		name = eventType(data)
	}
	switch string(name) {
	case "response.created", "response.in_progress", "response.queued":
		p.readEvent(r, data, false)
	case "response.completed", "response.failed", "response.incomplete":
		r.terminal = true
		p.completed = string(name) == "response.completed"
		p.terminalUsage = p.readEvent(r, data, true)
	case "error":
		if !eachField(data, func(k, val []byte) bool {
			switch string(k) {
			case "code":
				setErrToken(&r.errCode, val)
			case "error":
				readErrorObject(r, val)
			}
			return true
		}) {
			r.jsonErr = true
		}
	}
}

// readEvent reads the `response` member of an event and reports whether it
// had usage. final is true for terminal events, whose status is the
// finish reason.
func (p *responsesParser) readEvent(r *result, data []byte, final bool) bool {
	var seen presence
	if !eachField(data, func(k, val []byte) bool {
		if string(k) == "response" {
			readResponse(r, val, &seen, final)
		}
		return true
	}) {
		r.jsonErr = true
	}
	return seen.usage
}

func (p *responsesParser) skipped(r *result, name []byte) {
	switch string(name) {
	case "response.completed", "response.failed", "response.incomplete":
		r.terminal = true
		r.unparsed = true
	case "", "message", "response.created", "error":
		r.unparsed = true
	}
}

func (p *responsesParser) document(r *result, doc []byte) {
	var seen presence
	if !readResponse(r, doc, &seen, true) {
		r.jsonErr = true
		return
	}
	r.need(seen.id, "id")
	r.need(seen.model, "model")
	r.need(seen.output, "output")
	r.need(seen.usage, "usage")
}

func (p *responsesParser) done(r *result, stream bool) {
	if stream && p.completed && !p.terminalUsage {
		r.need(false, "response.usage")
	}
}

// readResponse reads a response object: id, model, status, usage and error
// code; when final, the finish reason its status, incomplete_details and
// output items make (responsesFinishReason).
func readResponse(r *result, v []byte, seen *presence, final bool) bool {
	var status, incomplete string
	toolCall := false
	ok := eachField(v, func(k, val []byte) bool {
		switch string(k) {
		case "id":
			seen.id = !isNull(val)
			setString(&r.id, val)
		case "model":
			seen.model = !isNull(val)
			setString(&r.model, val)
		case "status":
			seen.status = !isNull(val)
			setString(&status, val)
		case "incomplete_details":
			eachField(val, func(k, v []byte) bool {
				if string(k) == "reason" {
					setString(&incomplete, v)
				}
				return true
			})
		case "output":
			seen.output = !isNull(val)
			if final {
				toolCall = hasToolCall(val)
			}
		case "usage":
			seen.usage = !isNull(val)
			readOpenAIUsage(r, val, "input_tokens", "output_tokens")
		case "error":
			if !isNull(val) {
				readErrorObject(r, val)
			}
		}
		return true
	})
	if final && status != "" {
		r.reasons = append(r.reasons[:0], responsesFinishReason(status, incomplete, toolCall))
	}
	return ok
}

// responsesFinishReason maps a Responses API response, which has a status
// and no finish reason, to the finish reasons the GenAI conventions list
// (those of Chat Completions): completed is "stop", or "tool_calls" when
// an output item is a tool call; incomplete is "length" for
// max_output_tokens and "content_filter" for content_filter; failed is
// "error". Any other status or reason is kept as the API names it.
func responsesFinishReason(status, incomplete string, toolCall bool) string {
	switch status {
	case "completed":
		if toolCall {
			return "tool_calls"
		}
		return "stop"
	case "incomplete":
		switch incomplete {
		case "max_output_tokens":
			return "length"
		case "":
			return status
		}
		return incomplete
	case "failed":
		return "error"
	}
	return status
}

// hasToolCall reports whether an output array holds a tool call item
// (function_call, custom_tool_call, or a built-in tool's *_call).
func hasToolCall(output []byte) bool {
	found := false
	eachElem(output, func(item []byte) bool {
		eachField(item, func(k, v []byte) bool {
			if string(k) == "type" {
				var t string
				setString(&t, v)
				found = strings.HasSuffix(t, "_call")
				return false
			}
			return true
		})
		return !found
	})
	return found
}

// eventType returns the "type" member of an event's data, for streams that
// carry no `event:` lines. It stops reading at that member.
func eventType(data []byte) []byte {
	var t []byte
	eachField(data, func(k, val []byte) bool {
		if string(k) != "type" {
			return true
		}
		if len(val) >= 2 && val[0] == '"' && bytes.IndexByte(val, '\\') < 0 {
			t = val[1 : len(val)-1]
		}
		return false
	})
	return t
}
