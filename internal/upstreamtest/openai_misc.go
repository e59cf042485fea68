package upstreamtest

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"math"
	"time"
)

// embeddingDims is the vector length when the request sets no dimensions.
const embeddingDims = 8

// embeddings answers POST /v1/embeddings with one vector per input, as
// floats or, with encoding_format "base64", as base64 little-endian
// float32s.
func (c *call) embeddings() {
	dims := embeddingDims
	if c.body.Dimensions > 0 {
		dims = c.body.Dimensions
	}
	data := make([]any, 0, 1)
	for i := range inputCount(c.body.Input) {
		data = append(data, obj{{"object", "embedding"}, {"index", i}, {"embedding", vector(dims, c.body.EncodingFormat == "base64")}})
	}
	reply := obj{{"object", "list"}, {"data", data}, {"model", c.model}}
	if c.withUsage() {
		reply = append(reply, kv{"usage", obj{{"prompt_tokens", InputTokens}, {"total_tokens", InputTokens}}})
	}
	c.writeJSON(200, reply)
}

// inputCount is the number of inputs an embeddings request holds: one for
// a string or a token array, else one per array element.
func inputCount(input json.RawMessage) int {
	var items []json.RawMessage
	if json.Unmarshal(input, &items) != nil || len(items) == 0 {
		return 1
	}
	var n float64
	if json.Unmarshal(items[0], &n) == nil {
		return 1
	}
	return len(items)
}

// vector is a fixed unit-length embedding.
func vector(dims int, b64 bool) any {
	v := make([]float32, dims)
	for i := range v {
		v[i] = float32(1 / math.Sqrt(float64(dims)))
	}
	if !b64 {
		return v
	}
	buf := make([]byte, 0, 4*dims)
	for _, f := range v {
		buf = binary.LittleEndian.AppendUint32(buf, math.Float32bits(f))
	}
	return base64.StdEncoding.EncodeToString(buf)
}

// model is one entry of the model list.
type model struct {
	id, owner, display, created string
}

// knownModels is the model list; any other model name is served too,
// unless the server was built [WithModelCatalog].
var knownModels = []model{
	{"gpt-5", "openai", "GPT-5", "2025-08-07T00:00:00Z"},
	{"gpt-5-mini", "openai", "GPT-5 mini", "2025-08-07T00:00:00Z"},
	{"gpt-5-codex", "openai", "GPT-5 Codex", "2025-09-15T00:00:00Z"},
	{"gpt-4o-mini", "openai", "GPT-4o mini", "2024-07-18T00:00:00Z"},
	{"text-embedding-3-small", "openai", "text-embedding-3-small", "2024-01-25T00:00:00Z"},
	{"claude-sonnet-4-5-20250929", "anthropic", "Claude Sonnet 4.5", "2025-09-29T00:00:00Z"},
	{"claude-haiku-4-5-20251001", "anthropic", "Claude Haiku 4.5", "2025-10-01T00:00:00Z"},
	{"claude-haiku-4-5", "anthropic", "Claude Haiku 4.5", "2025-10-01T00:00:00Z"},
	{"claude-opus-4-1-20250805", "anthropic", "Claude Opus 4.1", "2025-08-05T00:00:00Z"},
	{"gemini-2.5-pro", "google", "Gemini 2.5 Pro", "2025-06-17T00:00:00Z"},
	{"gemini-2.5-flash", "google", "Gemini 2.5 Flash", "2025-06-17T00:00:00Z"},
	{"qwen3-coder-plus", "alibaba", "Qwen3 Coder Plus", "2025-07-22T00:00:00Z"},
}

// openAIModels answers GET /v1/models in OpenAI's shape.
func (c *call) openAIModels() {
	data := make([]any, 0, len(knownModels))
	for _, m := range knownModels {
		t, _ := time.Parse(time.RFC3339, m.created)
		data = append(data, obj{{"id", m.id}, {"object", "model"}, {"created", t.Unix()}, {"owned_by", m.owner}})
	}
	c.writeJSON(200, obj{{"object", "list"}, {"data", data}})
}

// inCatalog reports whether model m is in the model list.
func inCatalog(m string) bool {
	for _, k := range knownModels {
		if k.id == m {
			return true
		}
	}
	return false
}
