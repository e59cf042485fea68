package gateway

// Upstream error bodies come in three shapes, all read by readError:
//
//	OpenAI:    {"error":{"message":"…","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}
//	Anthropic: {"type":"error","error":{"type":"authentication_error","message":"…"}}
//	Google:    {"error":{"code":429,"message":"…","status":"RESOURCE_EXHAUSTED"}}
//
// Only the machine-readable type (Google: status) and code are kept; the
// message, which may echo the request or a credential, is never read.

// readError reads an error body into r and reports whether it was JSON. A
// Gemini stream endpoint wraps its error in an array; the first element is
// read.
func readError(r *result, doc []byte) bool {
	i := skipSpace(doc, 0)
	if i < len(doc) && doc[i] == '[' {
		first := true
		return eachElem(doc, func(v []byte) bool {
			if first {
				first = false
				readErrorFields(r, v)
			}
			return true
		})
	}
	return readErrorFields(r, doc)
}

// readErrorFields reads the "error" member of the JSON object v, when it is
// an object, and reports whether v was a well-formed object.
func readErrorFields(r *result, v []byte) bool {
	return eachField(v, func(k, val []byte) bool {
		if string(k) == "error" {
			readErrorObject(r, val)
		}
		return true
	})
}

// readErrorObject reads type, code and status of an error object.
func readErrorObject(r *result, v []byte) {
	var status string
	eachField(v, func(k, val []byte) bool {
		switch string(k) {
		case "type":
			setErrToken(&r.errType, val)
		case "code":
			setErrToken(&r.errCode, val)
		case "status":
			setErrToken(&status, val)
		}
		return true
	})
	if r.errType == "" {
		r.errType = status
	}
}

// maxErrToken bounds an error type or code; longer values are dropped.
const maxErrToken = 64

// setErrToken stores the raw JSON string or integer v in *dst when it looks
// like a machine-readable token: letters, digits and _.:- only, short, and
// not shaped like an API key. Anything else is dropped, never stored.
func setErrToken(dst *string, v []byte) {
	if isNull(v) {
		return
	}
	if len(v) >= 2 && v[0] == '"' {
		v = v[1 : len(v)-1]
	}
	if len(v) == 0 || len(v) > maxErrToken || hasKeyPrefix(v) {
		return
	}
	for _, c := range v {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
			c == '_' || c == '.' || c == ':' || c == '-'
		if !ok {
			return
		}
	}
	if string(v) != *dst {
		*dst = string(v)
	}
}

// hasKeyPrefix reports whether v contains "sk-" or "key-", the way API keys
// begin.
func hasKeyPrefix(v []byte) bool {
	for i := 0; i+3 <= len(v); i++ {
		if (v[i]|0x20) == 's' && (v[i+1]|0x20) == 'k' && v[i+2] == '-' {
			return true
		}
		if i+4 <= len(v) && (v[i]|0x20) == 'k' && (v[i+1]|0x20) == 'e' && (v[i+2]|0x20) == 'y' && v[i+3] == '-' {
			return true
		}
	}
	return false
}
