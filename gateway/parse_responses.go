package gateway

import "bytes"

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

// readResponse reads a response object: id, model, status (kept as the
// finish reason when final), usage and error code.
func readResponse(r *result, v []byte, seen *presence, final bool) bool {
	return eachField(v, func(k, val []byte) bool {
		switch string(k) {
		case "id":
			seen.id = !isNull(val)
			setString(&r.id, val)
		case "model":
			seen.model = !isNull(val)
			setString(&r.model, val)
		case "status":
			seen.status = !isNull(val)
			if final {
				r.setReason(0, val)
			}
		case "output":
			seen.output = !isNull(val)
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
