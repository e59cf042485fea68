package gateway

import "github.com/agentwrap/agentwrap/call"

// messagesParser reads Anthropic Messages: a message object, or the event
// stream message_start, content_block_start/delta/stop, ping, message_delta,
// message_stop (terminal) and error. Usage comes from message_start's
// message.usage and each message_delta's usage (cumulative; the latest count
// of each kind wins).
type messagesParser struct {
	in, out, cacheRead, cacheCreation int64
	started                           bool
	startUsage                        bool
}

func (p *messagesParser) event(r *result, name, data []byte) {
	if len(name) == 0 || string(name) == "message" {
		name = eventType(data)
	}
	var ok bool
	switch string(name) {
	case "message_start":
		p.started = true
		ok = eachField(data, func(k, val []byte) bool {
			if string(k) == "message" {
				var seen presence
				p.readMessage(r, val, &seen)
				p.startUsage = seen.usage
			}
			return true
		})
	case "message_delta":
		ok = eachField(data, func(k, val []byte) bool {
			switch string(k) {
			case "delta":
				readStopReason(r, val)
			case "usage":
				p.readUsage(r, val)
			}
			return true
		})
	case "message_stop":
		r.terminal = true
		return
	case "error":
		ok = readErrorFields(r, data)
	default:
		return
	}
	if !ok {
		r.jsonErr = true
	}
}

func (p *messagesParser) skipped(r *result, name []byte) {
	switch string(name) {
	case "message_stop":
		r.terminal = true
	case "content_block_delta", "content_block_start", "content_block_stop", "ping":
		return
	}
	r.unparsed = true
}

func (p *messagesParser) document(r *result, doc []byte) {
	var seen presence
	if !p.readMessage(r, doc, &seen) {
		r.jsonErr = true
		return
	}
	r.need(seen.id, "id")
	r.need(seen.model, "model")
	r.need(seen.content, "content")
	r.need(seen.stop, "stop_reason")
	r.need(seen.usage, "usage")
}

func (p *messagesParser) done(r *result, stream bool) {
	if stream && r.terminal && p.started && !p.startUsage {
		r.need(false, "message.usage")
	}
}

// readMessage reads a message object.
func (p *messagesParser) readMessage(r *result, v []byte, seen *presence) bool {
	return eachField(v, func(k, val []byte) bool {
		switch string(k) {
		case "id":
			seen.id = !isNull(val)
			setString(&r.id, val)
		case "model":
			seen.model = !isNull(val)
			setString(&r.model, val)
		case "content":
			seen.content = !isNull(val)
		case "stop_reason":
			seen.stop = true
			r.setReason(0, val)
		case "usage":
			seen.usage = !isNull(val)
			p.readUsage(r, val)
		}
		return true
	})
}

func readStopReason(r *result, delta []byte) {
	eachField(delta, func(k, val []byte) bool {
		if string(k) == "stop_reason" {
			r.setReason(0, val)
		}
		return true
	})
}

// readUsage takes the counts a usage object reports (null or absent counts
// keep the previous value) and recomputes the call's usage: input includes
// cache reads and writes, which Anthropic reports apart.
func (p *messagesParser) readUsage(r *result, v []byte) {
	if isNull(v) {
		return
	}
	if !r.usageSeen {
		p.in, p.out, p.cacheRead, p.cacheCreation = -1, -1, -1, -1
	}
	eachField(v, func(k, val []byte) bool {
		switch string(k) {
		case "input_tokens":
			setCount(&p.in, val)
		case "output_tokens":
			setCount(&p.out, val)
		case "cache_read_input_tokens":
			setCount(&p.cacheRead, val)
		case "cache_creation_input_tokens":
			setCount(&p.cacheCreation, val)
		}
		return true
	})
	u := call.NoUsage()
	u.Output, u.CacheRead, u.CacheCreation = p.out, p.cacheRead, p.cacheCreation
	if p.in >= 0 {
		u.Input = p.in + max(p.cacheRead, 0) + max(p.cacheCreation, 0)
	}
	r.usage, r.usageSeen = u, true
}
