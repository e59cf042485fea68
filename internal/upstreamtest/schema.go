package upstreamtest

import (
	"encoding/json"
	"strings"
)

// geminiJSONReply returns the reply text for a Gemini request that asks for
// structured output (generationConfig.responseMimeType application/json
// with a responseSchema or responseJsonSchema): a minimal JSON value that
// satisfies the schema, as the real service would produce. ok is false for
// a plain text request.
func geminiJSONReply(body []byte) (string, bool) {
	var req struct {
		GenerationConfig *struct {
			MimeType   string          `json:"responseMimeType"`
			Schema     json.RawMessage `json:"responseSchema"`
			JSONSchema json.RawMessage `json:"responseJsonSchema"`
		} `json:"generationConfig"`
	}
	if json.Unmarshal(body, &req) != nil || req.GenerationConfig == nil || req.GenerationConfig.MimeType != "application/json" {
		return "", false
	}
	raw := req.GenerationConfig.JSONSchema
	if len(raw) == 0 {
		raw = req.GenerationConfig.Schema
	}
	var schema map[string]any
	_ = json.Unmarshal(raw, &schema)
	b, err := json.Marshal(exampleOf(schema, 0))
	if err != nil {
		return "", false
	}
	return string(b), true
}

// exampleOf builds a minimal value of a JSON Schema (or Gemini Schema,
// whose type names are upper case): the first enum value, "pong" for
// strings, the minimum or 1 for numbers, true, an empty array, or an object
// with its required properties (all properties when none are listed).
func exampleOf(s map[string]any, depth int) any {
	if depth > 8 || s == nil {
		return map[string]any{}
	}
	if enum, ok := s["enum"].([]any); ok && len(enum) > 0 {
		return enum[0]
	}
	typ, _ := s["type"].(string)
	switch strings.ToLower(typ) {
	case "string":
		return ReplyText
	case "integer", "number":
		if m, ok := s["minimum"].(float64); ok {
			return m
		}
		return 1
	case "boolean":
		return true
	case "array":
		return []any{}
	}
	props, _ := s["properties"].(map[string]any)
	out := map[string]any{}
	names := map[string]bool{}
	if req, ok := s["required"].([]any); ok && len(req) > 0 {
		for _, r := range req {
			if n, ok := r.(string); ok {
				names[n] = true
			}
		}
	} else {
		for n := range props {
			names[n] = true
		}
	}
	for n := range names {
		p, _ := props[n].(map[string]any)
		out[n] = exampleOf(p, depth+1)
	}
	return out
}
