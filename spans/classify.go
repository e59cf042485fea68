package spans

import (
	"fmt"
	"strings"

	"github.com/agentwrap/agentwrap/call"
)

// HelpCenterURL is where account-specific questions (quota, billing, limits,
// model availability) are escalated, per the usage-trace workflow.
const HelpCenterURL = "https://apidoc.cometapi.com/support/help-center"

// Outcome is the classification of one call.
type Outcome struct {
	Result  string
	Failure string
	// Note is a short, content-free explanation; empty for a plain pass.
	Note string
}

// Classify applies the classification table (README, "Smoke test and
// contract manifest") to a call: the first matching row wins.
func Classify(c *call.Call) Outcome {
	st := c.StatusCode
	switch {
	case st == 401 || st == 403:
		return Outcome{ResultFail, FailureAuthRejected, upstreamNote(c, "credential rejected by the upstream")}
	case followUp(c) != "":
		return Outcome{ResultNeedsFollowUp, FailureOperatorFollowUp, followUpNote(c, followUp(c))}
	case c.Family == call.FamilyUnknown:
		return Outcome{ResultFail, FailureContractMismatch, "request not in the contract: unknown request family"}
	case len(c.Contract.RequestProblems) > 0:
		return Outcome{ResultFail, FailureContractMismatch, strings.Join(c.Contract.RequestProblems, "; ")}
	case c.Cancelled:
		return Outcome{ResultNeedsFollowUp, FailureOperatorFollowUp, "cancelled: the agent closed the call before it completed"}
	}
	if note := unexpected(c); note != "" {
		return Outcome{ResultFail, FailureUnexpectedResponse, note}
	}
	switch {
	case st >= 400:
		return Outcome{ResultFail, FailureContractMismatch, upstreamNote(c, "request refused by the upstream")}
	case st >= 200 && st < 300, st == 101:
		return Outcome{ResultPass, FailureNone, ""}
	}
	return Outcome{ResultFail, FailureUnexpectedResponse, fmt.Sprintf("upstream answered with unexpected status %d", st)}
}

// unexpected returns a note when the call matches the unexpected_response
// row, else "".
func unexpected(c *call.Call) string {
	switch {
	case c.TransportError != "":
		return "upstream not reached or reply cut short: " + c.TransportError
	case c.StatusCode >= 500:
		return upstreamNote(c, "upstream server error")
	case c.ResponseJSONError:
		return fmt.Sprintf("upstream %d body is not the documented JSON (content-type %s)", c.StatusCode, mediaType(c.ContentType))
	// A body too large or undecodable to read (ResponseUnparsed) leaves its
	// completeness and fields unknown, which is no failure.
	case c.StatusCode < 300 && c.Stream && !c.StreamComplete && !c.ResponseUnparsed:
		return "stream ended without its terminal event"
	case c.StatusCode < 300 && len(c.MissingFields) > 0 && !c.ResponseUnparsed:
		return "missing documented field: " + strings.Join(c.MissingFields, ", ")
	case c.StatusCode < 300 && len(c.Contract.ResponseProblems) > 0:
		return strings.Join(c.Contract.ResponseProblems, "; ")
	}
	return ""
}

// Markers in upstream error types and codes that mean an account question,
// not a defect, by what the operator has to ask.
var (
	rateMarkers    = []string{"rate_limit", "resource_exhausted"}
	billingMarkers = []string{"quota", "billing", "insufficient", "payment", "credit"}
	modelMarkers   = []string{"model_not_found", "model_not_available", "not_available"}
)

// followUp names what an operator has to ask about a call, or "" when the
// call is no account question.
func followUp(c *call.Call) string {
	s := strings.ToLower(c.UpstreamErrorType + " " + c.UpstreamErrorCode)
	switch {
	case c.StatusCode < 400:
		return ""
	case c.StatusCode == 402, hasAny(s, billingMarkers):
		return askBilling
	case c.StatusCode == 429, hasAny(s, rateMarkers):
		return askRate
	case hasAny(s, modelMarkers), modelNotFound(c):
		return askModel
	}
	return ""
}

// What the operator asks the help center, per follow-up kind.
const (
	askBilling = "billing or quota: ask the account owner or CometAPI support about balance and quota"
	askRate    = "rate limited: ask CometAPI support which limits apply to this account"
	askModel   = "model not available: ask CometAPI support whether this account can use this model"
)

// modelNotFound reports a 404 in the documented error format on a
// documented endpoint: the path exists, so what was not found is the model
// (Anthropic's not_found_error, Gemini's NOT_FOUND).
func modelNotFound(c *call.Call) bool {
	return c.StatusCode == 404 && c.Contract.Endpoint != "" && !c.ResponseJSONError &&
		strings.Contains(strings.ToLower(c.UpstreamErrorType+" "+c.UpstreamErrorCode), "not_found")
}

func hasAny(s string, markers []string) bool {
	for _, m := range markers {
		if strings.Contains(s, m) {
			return true
		}
	}
	return false
}

// followUpNote says what happened, what to ask and where, within the
// 200-character bound: the error label goes first when space runs out.
func followUpNote(c *call.Call, ask string) string {
	head := fmt.Sprintf("upstream %d", c.StatusCode)
	if c.RetryAfter {
		head += ", retry-after present"
	}
	tail := "; " + ask + " via " + HelpCenterURL
	if t := errorLabel(c); t != "" && len(head)+len(t)+3+len(tail) <= 200 {
		head += " (" + t + ")"
	}
	return head + tail
}

func upstreamNote(c *call.Call, what string) string {
	n := fmt.Sprintf("upstream %d: %s", c.StatusCode, what)
	if t := errorLabel(c); t != "" {
		n += " (" + t + ")"
	}
	return n
}

func errorLabel(c *call.Call) string {
	switch {
	case c.UpstreamErrorType != "" && c.UpstreamErrorCode != "" && c.UpstreamErrorCode != c.UpstreamErrorType:
		return c.UpstreamErrorType + "/" + c.UpstreamErrorCode
	case c.UpstreamErrorType != "":
		return c.UpstreamErrorType
	}
	return c.UpstreamErrorCode
}

func mediaType(ct string) string {
	mt, _, _ := strings.Cut(ct, ";")
	if mt = strings.TrimSpace(mt); mt == "" {
		return "none"
	}
	return mt
}

// Worse returns the more severe of two result classes: fail, then
// needs_follow_up, then pass.
func Worse(a, b string) string {
	rank := map[string]int{ResultPass: 0, ResultNeedsFollowUp: 1, ResultFail: 2}
	if rank[b] > rank[a] {
		return b
	}
	return a
}
