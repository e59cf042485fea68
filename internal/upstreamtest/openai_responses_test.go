package upstreamtest_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/responses"

	"github.com/agentwrap/agentwrap/internal/upstreamtest"
)

func responseParams(model string) responses.ResponseNewParams {
	return responses.ResponseNewParams{Model: model, Input: responses.ResponseNewParamsInputUnion{OfString: openai.String("ping")}}
}

func checkResponse(t *testing.T, r responses.Response, model string) {
	t.Helper()
	if r.Model != model || r.Status != "completed" || !strings.HasPrefix(r.ID, "resp_") || r.OutputText() != upstreamtest.ReplyText {
		t.Errorf("response = %s", r.RawJSON())
	}
	u := r.Usage
	if u.InputTokens != upstreamtest.InputTokens || u.OutputTokens != upstreamtest.OutputTokens || u.TotalTokens != upstreamtest.TotalTokens ||
		u.InputTokensDetails.CachedTokens != upstreamtest.CacheRead || u.InputTokensDetails.CacheWriteTokens != upstreamtest.CacheCreation ||
		u.OutputTokensDetails.ReasoningTokens != upstreamtest.Reasoning {
		t.Errorf("usage = %s", u.RawJSON())
	}
}

func TestResponses(t *testing.T) {
	s := upstreamtest.Start(t, upstreamtest.WithKey(canaryKey))
	client := openAIClient(s)
	got, err := client.Responses.New(testContext(t), responseParams("gpt-5-codex"))
	if err != nil {
		t.Fatal(err)
	}
	checkResponse(t, *got, "gpt-5-codex")
}

// codexEvents is the event sequence Codex CLI consumes for a text reply.
var codexEvents = []string{
	"response.created", "response.in_progress", "response.output_item.added", "response.content_part.added",
	"response.output_text.delta", "response.output_text.delta", "response.output_text.delta",
	"response.output_text.done", "response.content_part.done", "response.output_item.done", "response.completed",
}

func TestResponsesStream(t *testing.T) {
	s := upstreamtest.Start(t, upstreamtest.WithDeltas(3, 0))
	client := openAIClient(s)
	stream := client.Responses.NewStreaming(testContext(t), responseParams("gpt-5"))
	var types, deltas []string
	var completed responses.Response
	for i := int64(0); stream.Next(); i++ {
		e := stream.Current()
		if e.SequenceNumber != i {
			t.Errorf("event %d has sequence_number %d", i, e.SequenceNumber)
		}
		types = append(types, e.Type)
		switch e.Type {
		case "response.output_text.delta":
			deltas = append(deltas, e.Delta)
		case "response.output_text.done":
			if e.AsResponseOutputTextDone().Text != upstreamtest.ReplyText {
				t.Errorf("output_text.done = %s", e.RawJSON())
			}
		case "response.completed":
			completed = e.AsResponseCompleted().Response
		}
	}
	if err := stream.Err(); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(types, codexEvents) || strings.Join(deltas, "") != upstreamtest.ReplyText {
		t.Errorf("events %v, deltas %q", types, deltas)
	}
	checkResponse(t, completed, "gpt-5")
	if len(completed.Output) != 1 || completed.Output[0].Type != "message" || completed.Output[0].Status != "completed" {
		t.Errorf("completed output = %+v", completed.Output)
	}
}

// TestResponsesStreamEventNames checks the SSE framing: each event's name
// matches the type in its data.
func TestResponsesStreamEventNames(t *testing.T) {
	s := upstreamtest.Start(t)
	resp := post(t, s.URL()+"/v1/responses", `{"model":"gpt-5","stream":true,"input":"ping"}`)
	for _, e := range parseSSE(t, readAll(t, resp.Body)) {
		if typ := decode(t, []byte(e.data))["type"]; typ != e.name {
			t.Errorf("event %q carries type %v", e.name, typ)
		}
	}
}
