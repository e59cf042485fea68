package upstreamtest

import (
	"net/http"
	"strconv"
	"strings"
)

// shape is the wire format of a family's error bodies.
type shape int

const (
	shapeOpenAI    shape = iota // {"error":{"message","type","param","code"}}
	shapeAnthropic              // {"type":"error","error":{"type","message"},"request_id"}
	shapeGoogle                 // {"error":{"code","message","status"}}
)

// apiError is one error reply before it is written in a family's shape.
type apiError struct {
	status int
	// typ is the OpenAI or Anthropic error type, or the google.rpc status.
	typ string
	// code is the OpenAI error code; empty is written as null.
	code string
	// message is the text; "{model}", "{key}" and "{retry}" are replaced.
	message string
	// details are Google error details.
	details []any
}

// errorTable maps each error scenario to its reply in each shape.
var errorTable = map[string][3]apiError{
	ScenarioUnauthorized: {
		{401, "invalid_request_error", "invalid_api_key", "Incorrect API key provided: {key}. You can find your API key at https://platform.openai.com/account/api-keys.", nil},
		{401, "authentication_error", "", "invalid x-api-key: {key}", nil},
		{401, "UNAUTHENTICATED", "", "API key not valid: {key}. Please pass a valid API key.", nil},
	},
	ScenarioForbidden: {
		{403, "invalid_request_error", "", "You have insufficient permissions for this operation. Missing scopes: model.request. Check that you have the correct role in your organization (Reader, Writer, Owner) and project (Member, Owner), and if you're using a restricted API key, that it has the necessary scopes.", nil},
		{403, "permission_error", "", "Your API key does not have permission to use the specified resource.", nil},
		{403, "PERMISSION_DENIED", "", "The caller does not have permission", nil},
	},
	ScenarioPaymentRequired: {
		{402, "insufficient_quota", "insufficient_quota", "You exceeded your current quota, please check your plan and billing details. For more information on this error, read the docs: https://platform.openai.com/docs/guides/error-codes/api-errors.", nil},
		{402, "billing_error", "", "Your credit balance is too low to access the Anthropic API. Please go to Plans & Billing to upgrade or purchase credits.", nil},
		{402, "RESOURCE_EXHAUSTED", "", "Your prepayment credits are depleted. Please go to AI Studio at https://ai.studio/projects to manage your project and billing.", nil},
	},
	ScenarioRateLimited: {
		{429, "requests", "rate_limit_exceeded", "Rate limit reached for {model} in organization org-upstreamtest on requests per min (RPM): Limit 3, Used 3, Requested 1.{retry} Visit https://platform.openai.com/account/rate-limits to learn more.", nil},
		{429, "rate_limit_error", "", "This request would exceed the rate limit for your organization of 50 requests per minute. For details, refer to: https://docs.claude.com/en/api/rate-limits. You can see the response headers for current usage.", nil},
		{429, "RESOURCE_EXHAUSTED", "", "Resource has been exhausted (e.g. check quota).{retry}", nil},
	},
	ScenarioServerError: {
		{500, "server_error", "", "The server had an error while processing your request. Sorry about that!", nil},
		{500, "api_error", "", "Internal server error", nil},
		{500, "INTERNAL", "", "An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting", nil},
	},
	ScenarioOverloaded: {
		{503, "server_error", "", "The engine is currently overloaded, please try again later.", nil},
		{529, "overloaded_error", "", "Overloaded", nil},
		{503, "UNAVAILABLE", "", "The model is overloaded. Please try again later.", nil},
	},
	ScenarioModelNotFound: {
		{404, "invalid_request_error", "model_not_found", "The model `{model}` does not exist or you do not have access to it.", nil},
		{404, "not_found_error", "", "model: {model}", nil},
		{404, "NOT_FOUND", "", "models/{model} is not found for API version v1beta, or is not supported for generateContent. Call ListModels to see the list of available models and their supported methods.", nil},
	},
	ScenarioBadRequest: {
		{400, "invalid_request_error", "", "Unrecognized request argument supplied: upstreamtest_bad_request", nil},
		{400, "invalid_request_error", "", "upstreamtest_bad_request: Extra inputs are not permitted", nil},
		{400, "INVALID_ARGUMENT", "", "Invalid JSON payload received. Unknown name \"upstreamtest_bad_request\": Cannot find field.", nil},
	},
}

// missingKey is the 401 for a request that presented no credential.
var missingKey = [3]apiError{
	{401, "invalid_request_error", "", "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY). You can obtain an API key from https://platform.openai.com/account/api-keys.", nil},
	{401, "authentication_error", "", "x-api-key header is required", nil},
	{401, "UNAUTHENTICATED", "", "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.", nil},
}

// badRequest builds a 400 with message msg in shape sh.
func badRequest(sh shape, msg string) apiError {
	if sh == shapeGoogle {
		return apiError{400, "INVALID_ARGUMENT", "", msg, nil}
	}
	return apiError{400, "invalid_request_error", "", msg, nil}
}

// htmlNotFound is the body of ScenarioHTML404, as nginx writes it.
const htmlNotFound = "<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n<center><h1>404 Not Found</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"

// errorBody renders e in shape sh.
func errorBody(sh shape, e apiError, requestID string) obj {
	switch sh {
	case shapeAnthropic:
		return obj{{"type", "error"}, {"error", obj{{"type", e.typ}, {"message", e.message}}}, {"request_id", requestID}}
	case shapeGoogle:
		inner := obj{{"code", e.status}, {"message", e.message}, {"status", e.typ}}
		if len(e.details) > 0 {
			inner = append(inner, kv{"details", e.details})
		}
		return obj{{"error", inner}}
	}
	var code any
	if e.code != "" {
		code = e.code
	}
	return obj{{"error", obj{{"message", e.message}, {"type", e.typ}, {"param", nil}, {"code", code}}}}
}

// writeError answers the call with error scenario s in its family's shape.
func (c *call) writeError(s string) {
	if s == ScenarioHTML404 {
		c.w.header().Set("Content-Type", "text/html; charset=utf-8")
		c.w.writeAll(http.StatusNotFound, []byte(htmlNotFound))
		return
	}
	e := errorTable[s][c.shape]
	if s == ScenarioUnauthorized && c.key == "" {
		e = missingKey[c.shape]
	}
	c.writeAPIError(s, e)
}

// writeAPIError fills in e's placeholders and retry hints and writes it.
func (c *call) writeAPIError(s string, e apiError) {
	retry := ""
	if s == ScenarioRateLimited && !c.cfg.noRetryHint {
		secs := strconv.Itoa(c.cfg.retryAfter)
		c.w.header().Set("Retry-After", secs)
		switch c.shape {
		case shapeOpenAI:
			retry = " Please try again in " + secs + "s."
		case shapeGoogle:
			retry = " Please retry in " + secs + "s."
			e.details = append(e.details, obj{{"@type", "type.googleapis.com/google.rpc.RetryInfo"}, {"retryDelay", secs + "s"}})
		}
	}
	if s == ScenarioUnauthorized && c.shape == shapeGoogle && c.key != "" {
		e.details = append(e.details, obj{{"@type", "type.googleapis.com/google.rpc.ErrorInfo"}, {"reason", "API_KEY_INVALID"},
			{"domain", "googleapis.com"}, {"metadata", obj{{"service", "generativelanguage.googleapis.com"}}}})
	}
	e.message = strings.NewReplacer("{model}", c.model, "{key}", c.key, "{retry}", retry).Replace(e.message)
	if c.cfg.drift&DriftRetryHint != 0 {
		c.w.header().Set("Retry-After", strconv.Itoa(c.cfg.retryAfter))
	}
	if c.cfg.drift&DriftErrorShape != 0 {
		c.writeJSON(e.status, obj{{"message", e.message}, {"status", e.status}})
		return
	}
	c.writeJSON(e.status, errorBody(c.shape, e, c.requestID))
}
