package spans

import (
	"strings"
	"testing"

	"github.com/agentwrap/agentwrap/call"
)

func okCall() call.Call {
	return call.Call{Family: call.FamilyChatCompletions, Method: "POST", Path: "/v1/chat/completions", StatusCode: 200, Usage: call.NoUsage(), RequestMaxTokens: -1}
}

func TestClassifyRows(t *testing.T) {
	cases := []struct {
		name            string
		edit            func(c *call.Call)
		result, failure string
		note            string
	}{
		{"pass", func(c *call.Call) {}, ResultPass, FailureNone, ""},
		{"upstream 401", func(c *call.Call) { c.StatusCode = 401; c.UpstreamErrorType = "authentication_error" }, ResultFail, FailureAuthRejected, "authentication_error"},
		{"upstream 403", func(c *call.Call) { c.StatusCode = 403 }, ResultFail, FailureAuthRejected, "403"},
		{"402", func(c *call.Call) { c.StatusCode = 402 }, ResultNeedsFollowUp, FailureOperatorFollowUp, HelpCenterURL},
		{"429 retry-after", func(c *call.Call) { c.StatusCode = 429; c.RetryAfter = true }, ResultNeedsFollowUp, FailureOperatorFollowUp, "retry-after present"},
		{"quota 400", func(c *call.Call) { c.StatusCode = 400; c.UpstreamErrorCode = "insufficient_quota" }, ResultNeedsFollowUp, FailureOperatorFollowUp, "insufficient_quota"},
		{"model not found 404", func(c *call.Call) { c.StatusCode = 404; c.UpstreamErrorCode = "model_not_found" }, ResultNeedsFollowUp, FailureOperatorFollowUp, "model_not_found"},
		{"openai quota as 429", func(c *call.Call) { c.StatusCode = 429; c.UpstreamErrorCode = "insufficient_quota" }, ResultNeedsFollowUp, FailureOperatorFollowUp, "balance and quota"},
		{"429 asks about rate limits", func(c *call.Call) { c.StatusCode = 429 }, ResultNeedsFollowUp, FailureOperatorFollowUp, "which limits apply"},
		{"402 asks about billing", func(c *call.Call) { c.StatusCode = 402 }, ResultNeedsFollowUp, FailureOperatorFollowUp, "balance and quota"},
		{"anthropic model not found", func(c *call.Call) {
			c.StatusCode = 404
			c.UpstreamErrorType = "not_found_error"
			c.Contract.Endpoint = "cometapi.messages"
		}, ResultNeedsFollowUp, FailureOperatorFollowUp, "whether this account can use this model"},
		{"404 not_found_error on an unknown path", func(c *call.Call) {
			c.Family = call.FamilyUnknown
			c.StatusCode = 404
			c.UpstreamErrorType = "not_found_error"
		}, ResultFail, FailureContractMismatch, "unknown request family"},
		{"529 overloaded", func(c *call.Call) { c.StatusCode = 529; c.UpstreamErrorType = "overloaded_error" }, ResultFail, FailureUnexpectedResponse, "529"},
		{"unknown family", func(c *call.Call) { c.Family = call.FamilyUnknown }, ResultFail, FailureContractMismatch, "unknown request family"},
		{"missing required field", func(c *call.Call) {
			c.Contract.RequestProblems = []string{"missing required field: max_tokens"}
		}, ResultFail, FailureContractMismatch, "max_tokens"},
		{"500", func(c *call.Call) { c.StatusCode = 500 }, ResultFail, FailureUnexpectedResponse, "server error"},
		{"network", func(c *call.Call) { c.StatusCode = 0; c.TransportError = "connection_refused" }, ResultFail, FailureUnexpectedResponse, "connection_refused"},
		{"html 404", func(c *call.Call) {
			c.StatusCode = 404
			c.ResponseJSONError = true
			c.ContentType = "text/html; charset=utf-8"
		}, ResultFail, FailureUnexpectedResponse, "text/html"},
		{"truncated stream", func(c *call.Call) { c.Stream = true }, ResultFail, FailureUnexpectedResponse, "terminal event"},
		{"missing field", func(c *call.Call) { c.MissingFields = []string{"usage"} }, ResultFail, FailureUnexpectedResponse, "usage"},
		{"other 4xx", func(c *call.Call) { c.StatusCode = 400; c.UpstreamErrorType = "invalid_request_error" }, ResultFail, FailureContractMismatch, "invalid_request_error"},
		{"cancelled", func(c *call.Call) { c.Cancelled = true; c.Stream = true }, ResultNeedsFollowUp, FailureOperatorFollowUp, "cancelled"},
		{"complete stream", func(c *call.Call) { c.Stream = true; c.StreamComplete = true }, ResultPass, FailureNone, ""},
		{"unparsed stream", func(c *call.Call) { c.Stream = true; c.ResponseUnparsed = true }, ResultPass, FailureNone, ""},
		{"unparsed body with missing field", func(c *call.Call) {
			c.ResponseUnparsed = true
			c.MissingFields = []string{"usage"}
		}, ResultPass, FailureNone, ""},
		{"unparsed body, 500", func(c *call.Call) { c.ResponseUnparsed = true; c.StatusCode = 500 }, ResultFail, FailureUnexpectedResponse, "server error"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := okCall()
			tc.edit(&c)
			o := Classify(&c)
			if o.Result != tc.result || o.Failure != tc.failure {
				t.Fatalf("got %s/%s (%q), want %s/%s", o.Result, o.Failure, o.Note, tc.result, tc.failure)
			}
			if !strings.Contains(o.Note, tc.note) {
				t.Fatalf("note %q does not mention %q", o.Note, tc.note)
			}
			if len([]rune(o.Note)) > 200 {
				t.Fatalf("note longer than 200 characters: %q", o.Note)
			}
		})
	}
}

func TestWorse(t *testing.T) {
	if Worse(ResultPass, ResultFail) != ResultFail || Worse(ResultFail, ResultNeedsFollowUp) != ResultFail ||
		Worse(ResultPass, ResultNeedsFollowUp) != ResultNeedsFollowUp || Worse(ResultPass, ResultPass) != ResultPass {
		t.Fatal("Worse ranks fail > needs_follow_up > pass")
	}
}
