package upstreamtest

import (
	"encoding/json"
	"testing"
)

func TestGeminiStructuredOutputSatisfiesSchema(t *testing.T) {
	body := `{"contents":[],"generationConfig":{"responseMimeType":"application/json","responseJsonSchema":{"type":"object","properties":{"complexity_reasoning":{"type":"string"},"complexity_score":{"type":"integer","minimum":1,"maximum":100},"mode":{"type":"string","enum":["fast","deep"]}},"required":["complexity_reasoning","complexity_score","mode"]}}}`
	text, ok := geminiJSONReply([]byte(body))
	if !ok {
		t.Fatal("structured request not recognised")
	}
	var got struct {
		Reasoning string  `json:"complexity_reasoning"`
		Score     float64 `json:"complexity_score"`
		Mode      string  `json:"mode"`
	}
	if err := json.Unmarshal([]byte(text), &got); err != nil || got.Reasoning == "" || got.Score != 1 || got.Mode != "fast" {
		t.Errorf("reply %s (%v)", text, err)
	}
	if _, ok := geminiJSONReply([]byte(`{"contents":[]}`)); ok {
		t.Error("plain request answered as structured")
	}
	upper := `{"generationConfig":{"responseMimeType":"application/json","responseSchema":{"type":"OBJECT","properties":{"ok":{"type":"BOOLEAN"}}}}}`
	if text, _ := geminiJSONReply([]byte(upper)); text != `{"ok":true}` {
		t.Errorf("Gemini Schema reply %s", text)
	}
}
