package upstreamtest_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/agentwrap/agentwrap/internal/upstreamtest"
)

// geminiResponse is the part of a GenerateContentResponse the tests read.
type geminiResponse struct {
	Candidates []struct {
		Content struct {
			Parts []struct {
				Text string `json:"text"`
			} `json:"parts"`
			Role string `json:"role"`
		} `json:"content"`
		FinishReason string `json:"finishReason"`
	} `json:"candidates"`
	UsageMetadata *struct {
		PromptTokenCount        int `json:"promptTokenCount"`
		CandidatesTokenCount    int `json:"candidatesTokenCount"`
		TotalTokenCount         int `json:"totalTokenCount"`
		CachedContentTokenCount int `json:"cachedContentTokenCount"`
		ThoughtsTokenCount      int `json:"thoughtsTokenCount"`
	} `json:"usageMetadata"`
	ModelVersion string `json:"modelVersion"`
	ResponseID   string `json:"responseId"`
}

const geminiBody = `{"contents":[{"role":"user","parts":[{"text":"ping"}]}]}`

// checkGemini checks the text, finish reason and final usage of the chunks.
func checkGemini(t *testing.T, chunks []geminiResponse, model string) {
	t.Helper()
	var text strings.Builder
	for i, c := range chunks {
		if c.ModelVersion != model || c.ResponseID == "" || c.ResponseID != chunks[0].ResponseID || len(c.Candidates) != 1 {
			t.Fatalf("chunk %d = %+v", i, c)
		}
		text.WriteString(c.Candidates[0].Content.Parts[0].Text)
	}
	last := chunks[len(chunks)-1]
	if text.String() != upstreamtest.ReplyText || last.Candidates[0].FinishReason != "STOP" || last.Candidates[0].Content.Role != "model" {
		t.Errorf("text %q, last chunk %+v", text.String(), last)
	}
	u := last.UsageMetadata
	if u == nil || u.PromptTokenCount != upstreamtest.InputTokens || u.CandidatesTokenCount != upstreamtest.GeminiCandidatesTokens ||
		u.ThoughtsTokenCount != upstreamtest.Reasoning || u.CachedContentTokenCount != upstreamtest.CacheRead ||
		u.TotalTokenCount != upstreamtest.TotalTokens || u.CandidatesTokenCount+u.ThoughtsTokenCount != upstreamtest.OutputTokens {
		t.Errorf("usage = %+v", u)
	}
}

func TestGeminiGenerateContent(t *testing.T) {
	s := upstreamtest.Start(t, upstreamtest.WithKey(canaryKey))
	resp := post(t, s.URL()+"/v1beta/models/gemini-2.5-flash:generateContent", geminiBody, "X-Goog-Api-Key: "+canaryKey)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/json; charset=UTF-8" {
		t.Fatalf("status %d, Content-Type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	var r geminiResponse
	if err := json.Unmarshal(readAll(t, resp.Body), &r); err != nil {
		t.Fatal(err)
	}
	checkGemini(t, []geminiResponse{r}, "gemini-2.5-flash")
	if rec := s.Requests()[0]; rec.Family != upstreamtest.FamilyGemini || rec.Header.Get("X-Goog-Api-Key") != canaryKey {
		t.Errorf("recorded %+v", rec)
	}
}

func TestGeminiStreamSSE(t *testing.T) {
	s := upstreamtest.Start(t, upstreamtest.WithKey(canaryKey), upstreamtest.WithDeltas(3, 0))
	resp := post(t, s.URL()+"/v1beta/models/gemini-2.5-pro:streamGenerateContent?alt=sse&key="+canaryKey, geminiBody)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("status %d, Content-Type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	body := readAll(t, resp.Body)
	// Google frames each event as "data: {...}\r\n\r\n".
	if n := bytes.Count(body, []byte("\r\n\r\n")); n != 3 || !bytes.HasPrefix(body, []byte("data: {")) {
		t.Fatalf("body has %d CRLF-framed events:\n%q", n, body)
	}
	var chunks []geminiResponse
	for _, e := range parseSSE(t, body) {
		var r geminiResponse
		if err := json.Unmarshal([]byte(e.data), &r); err != nil || e.name != "" {
			t.Fatalf("event %q: %v", e.data, err)
		}
		chunks = append(chunks, r)
	}
	checkGemini(t, chunks, "gemini-2.5-pro")
	if rec := s.Requests()[0]; rec.RawQuery != "alt=sse&key="+canaryKey {
		t.Errorf("recorded query %q", rec.RawQuery)
	}
}

func TestGeminiStreamJSONArray(t *testing.T) {
	s := upstreamtest.Start(t, upstreamtest.WithDeltas(3, 0))
	resp := post(t, s.URL()+"/v1beta/models/gemini-2.5-flash:streamGenerateContent", geminiBody)
	if resp.Header.Get("Content-Type") != "application/json; charset=UTF-8" {
		t.Errorf("Content-Type %q", resp.Header.Get("Content-Type"))
	}
	var chunks []geminiResponse
	if err := json.Unmarshal(readAll(t, resp.Body), &chunks); err != nil || len(chunks) != 3 {
		t.Fatalf("%d chunks: %v", len(chunks), err)
	}
	checkGemini(t, chunks, "gemini-2.5-flash")
}

func TestGeminiCountTokens(t *testing.T) {
	s := upstreamtest.Start(t)
	resp := post(t, s.URL()+"/v1beta/models/gemini-2.5-flash:countTokens", geminiBody)
	if got := decode(t, readAll(t, resp.Body)); got["totalTokens"] != float64(upstreamtest.InputTokens) {
		t.Errorf("reply %v", got)
	}
	if rec := s.Requests()[0]; rec.Family != upstreamtest.FamilyGeminiCountTokens {
		t.Errorf("family %s", rec.Family)
	}
}

func TestGeminiRejectsInvalidJSON(t *testing.T) {
	s := upstreamtest.Start(t)
	resp := post(t, s.URL()+"/v1beta/models/gemini-2.5-flash:generateContent", `{"contents":`)
	body := decode(t, readAll(t, resp.Body))
	if resp.StatusCode != 400 || path(body, "error", "status") != "INVALID_ARGUMENT" || path(body, "error", "code") != 400.0 {
		t.Errorf("status %d, body %v", resp.StatusCode, body)
	}
}
