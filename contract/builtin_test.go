package contract_test

import (
	"net/url"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/agentwrap/agentwrap/call"
	"github.com/agentwrap/agentwrap/contract"
)

// checkedDay is the day the built-in manifest's documentation was checked.
var checkedDay = time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)

func TestBuiltinLintsClean(t *testing.T) {
	fs := contract.Lint(contract.BuiltinFile, contract.BuiltinYAML(), checkedDay)
	if len(fs) != 0 {
		t.Errorf("built-in manifest has findings on %s:", checkedDay.Format(time.DateOnly))
		for _, f := range fs {
			t.Log(f)
		}
	}
	if _, err := contract.Parse("builtin.yaml", contract.BuiltinYAML()); err != nil {
		t.Errorf("Parse(builtin) = %v", err)
	}
	// After 90 days the built-in warns but still has no errors.
	later := contract.Lint(contract.BuiltinFile, contract.BuiltinYAML(), checkedDay.AddDate(0, 4, 0))
	if len(contract.Errors(later)) != 0 || len(contract.Warnings(later)) == 0 {
		t.Errorf("four months on: want warnings only, got %v", later)
	}
}

// gatewayFamilies are the gateway's Family constants a manifest can declare.
var gatewayFamilies = []call.Family{
	call.FamilyChatCompletions, call.FamilyResponses, call.FamilyMessages,
	call.FamilyCountTokens, call.FamilyGemini, call.FamilyEmbeddings, call.FamilyModels,
}

func TestFamiliesMatchGateway(t *testing.T) {
	var want []string
	for _, f := range gatewayFamilies {
		want = append(want, string(f))
	}
	if got := contract.Families(); !reflect.DeepEqual(got, want) {
		t.Errorf("Families() = %v, want the gateway's %v", got, want)
	}
	for _, f := range contract.Families() {
		if f == string(call.FamilyUnknown) {
			t.Errorf("Families() includes %q", f)
		}
	}
}

func TestBuiltinCoversEveryFamily(t *testing.T) {
	m := contract.Builtin()
	covered := map[string]int{}
	for _, e := range m.Endpoints {
		covered[e.Family]++
	}
	for _, f := range gatewayFamilies {
		if covered[string(f)] == 0 {
			t.Errorf("built-in manifest has no endpoint for family %s", f)
		}
	}
	if covered[string(call.FamilyGemini)] != 2 {
		t.Errorf("want generateContent and streamGenerateContent as two gemini endpoints, got %d", covered[string(call.FamilyGemini)])
	}
}

func TestBuiltinMatchesEveryFamilyPath(t *testing.T) {
	m := contract.Builtin()
	for _, c := range []struct {
		method, path string
		family       call.Family
		id           string
		model        string
	}{
		{"POST", "/v1/chat/completions", call.FamilyChatCompletions, "cometapi.chat_completions", ""},
		{"POST", "/v1/responses", call.FamilyResponses, "cometapi.responses", ""},
		{"POST", "/v1/messages", call.FamilyMessages, "cometapi.messages", ""},
		{"POST", "/v1/messages?beta=true", call.FamilyMessages, "cometapi.messages", ""},
		{"POST", "/v1/messages/count_tokens", call.FamilyCountTokens, "cometapi.count_tokens", ""},
		{"POST", "/v1/messages/count_tokens?beta=true", call.FamilyCountTokens, "cometapi.count_tokens", ""},
		{"POST", "/v1beta/models/gemini-2.5-pro:generateContent", call.FamilyGemini, "cometapi.gemini_generate_content", "gemini-2.5-pro"},
		{"POST", "/v1beta/models/gemini-3-flash-preview:streamGenerateContent?alt=sse", call.FamilyGemini, "cometapi.gemini_stream_generate_content", "gemini-3-flash-preview"},
		{"POST", "/v1/embeddings", call.FamilyEmbeddings, "cometapi.embeddings", ""},
		{"GET", "/v1/models", call.FamilyModels, "cometapi.models", ""},
	} {
		path, _, _ := strings.Cut(c.path, "?") // the gateway strips the query
		e, params := m.Match(c.method, path)
		if e == nil {
			t.Errorf("Match(%s %s) = nil", c.method, path)
			continue
		}
		if e.ID != c.id || e.Family != string(c.family) || params["model"] != c.model {
			t.Errorf("Match(%s %s) = %s %s %v, want %s %s model=%q", c.method, path, e.ID, e.Family, params, c.id, c.family, c.model)
		}
		// Match also ignores a query the caller forgot to strip.
		if e2, _ := m.Match(c.method, c.path); e2 != e {
			t.Errorf("Match(%s %s) with query differs", c.method, c.path)
		}
	}
	for _, c := range [][2]string{
		{"GET", "/v1/chat/completions"}, {"POST", "/v1/models"}, {"POST", "/v1/completions"},
		{"POST", "/v1beta/models/gemini:countTokens"}, {"POST", "/v1/messages/batches"}, {"GET", "/api/models"},
	} {
		if e, _ := m.Match(c[0], c[1]); e != nil {
			t.Errorf("Match(%s %s) = %s, want no endpoint", c[0], c[1], e.ID)
		}
	}
}

func TestBuiltinEntries(t *testing.T) {
	m := contract.Builtin()
	if m.BaseURL != "https://api.cometapi.com" || m.Support != "https://apidoc.cometapi.com/support/help-center" {
		t.Errorf("base_url %q support %q", m.BaseURL, m.Support)
	}
	retryable := []int{408, 409, 429, 500, 502, 503, 504, 524, 529}
	for _, e := range m.Endpoints {
		if e.CheckedAtRFC3339() != "2026-11-30T00:00:00Z" {
			t.Errorf("%s checked_at %s", e.ID, e.CheckedAtRFC3339())
		}
		cometDoc := false
		for _, u := range e.SourceURLs {
			p, err := url.Parse(u)
			if err != nil || p.Scheme != "https" {
				t.Errorf("%s source %s", e.ID, u)
			}
			cometDoc = cometDoc || p.Host == "apidoc.cometapi.com"
		}
		if !cometDoc {
			t.Errorf("%s cites no CometAPI documentation page", e.ID)
		}
		got := append([]int(nil), e.Retryable...)
		sort.Ints(got)
		if !reflect.DeepEqual(got, retryable) {
			t.Errorf("%s retryable %v", e.ID, got)
		}
		helpCenter := false
		for _, u := range e.Unknowns {
			helpCenter = helpCenter || strings.Contains(u, m.Support)
		}
		if !helpCenter {
			t.Errorf("%s unknowns do not point at the help center", e.ID)
		}
		if len(e.CredentialHeaders) == 0 {
			t.Errorf("%s declares no credential header", e.ID)
		}
	}
	required := map[string][]string{
		"cometapi.chat_completions":               {"model", "messages"},
		"cometapi.responses":                      {"model"},
		"cometapi.messages":                       {"model", "messages", "max_tokens"},
		"cometapi.count_tokens":                   {"model", "messages"},
		"cometapi.gemini_generate_content":        {"contents"},
		"cometapi.gemini_stream_generate_content": {"contents"},
		"cometapi.embeddings":                     {"model", "input"},
		"cometapi.models":                         nil,
	}
	for id, want := range required {
		e := m.Endpoint(id)
		if e == nil {
			t.Errorf("no endpoint %s", id)
			continue
		}
		if !reflect.DeepEqual(e.RequiredFields, want) {
			t.Errorf("%s required fields %v, want %v", id, e.RequiredFields, want)
		}
	}
	if h := m.Endpoint("cometapi.messages").RequiredHeaders; !contains(h, "anthropic-version") {
		t.Errorf("messages required headers %v lack anthropic-version", h)
	}
	if !m.Endpoint("cometapi.messages").IsTerminal("message_stop") || !m.Endpoint("cometapi.chat_completions").IsTerminal("[DONE]") ||
		!m.Endpoint("cometapi.responses").IsTerminal("response.completed") {
		t.Error("stream terminal events wrong")
	}
}

func TestBuiltinIsShared(t *testing.T) {
	if a, b := contract.Builtin(), contract.Builtin(); a != b {
		t.Error("Builtin() parses more than once")
	}
}

func contains(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}
