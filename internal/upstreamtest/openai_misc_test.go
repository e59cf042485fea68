package upstreamtest_test

import (
	"net/http"
	"testing"

	"github.com/anthropics/anthropic-sdk-go"
	"github.com/openai/openai-go/v3"

	"github.com/agentwrap/agentwrap/internal/upstreamtest"
)

func TestEmbeddings(t *testing.T) {
	s := upstreamtest.Start(t, upstreamtest.WithKey(canaryKey))
	client := openAIClient(s)
	for _, format := range []openai.EmbeddingNewParamsEncodingFormat{"", "float", "base64"} {
		got, err := client.Embeddings.New(testContext(t), openai.EmbeddingNewParams{
			Model: "text-embedding-3-small", EncodingFormat: format, Dimensions: openai.Int(4),
			Input: openai.EmbeddingNewParamsInputUnion{OfArrayOfStrings: []string{"a", "b"}}})
		if err != nil {
			t.Fatalf("%q: %v", format, err)
		}
		if got.Model != "text-embedding-3-small" || len(got.Data) != 2 || got.Data[1].Index != 1 || len(got.Data[0].Embedding) != 4 ||
			got.Data[0].Embedding[0] != 0.5 {
			t.Errorf("%q: reply %s", format, got.RawJSON())
		}
		if got.Usage.PromptTokens != upstreamtest.InputTokens || got.Usage.TotalTokens != upstreamtest.InputTokens {
			t.Errorf("%q: usage %s", format, got.Usage.RawJSON())
		}
	}
}

func TestModelsList(t *testing.T) {
	s := upstreamtest.Start(t, upstreamtest.WithKey(canaryKey))
	client := openAIClient(s)
	page, err := client.Models.List(testContext(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Data) == 0 || page.Data[0].ID == "" || page.Data[0].Object != "model" || page.Data[0].OwnedBy == "" {
		t.Errorf("models %s", page.RawJSON())
	}
	if r := s.Requests()[0]; r.Method != http.MethodGet || r.Family != upstreamtest.FamilyModels {
		t.Errorf("recorded %s %s", r.Method, r.Family)
	}
}

func TestModelsListAnthropicShape(t *testing.T) {
	s := upstreamtest.Start(t)
	client := anthropicClient(s)
	page, err := client.Models.List(testContext(t), anthropic.ModelListParams{})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Data) == 0 || page.Data[0].Type != "model" || page.Data[0].DisplayName == "" || page.HasMore {
		t.Errorf("models %s", page.RawJSON())
	}
}

func TestUnknownRoute(t *testing.T) {
	s := upstreamtest.Start(t)
	resp := post(t, s.URL()+"/v1/completions/legacy", `{}`)
	body := decode(t, readAll(t, resp.Body))
	if resp.StatusCode != 404 || path(body, "error", "message") != "Invalid URL (POST /v1/completions/legacy)" ||
		path(body, "error", "type") != "invalid_request_error" {
		t.Errorf("status %d, body %v", resp.StatusCode, body)
	}
	if r := s.Requests()[0]; r.Family != upstreamtest.FamilyUnknown {
		t.Errorf("family %s", r.Family)
	}
}
