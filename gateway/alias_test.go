package gateway_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/agentwrap/agentwrap/call"
	"github.com/agentwrap/agentwrap/contract"
	"github.com/agentwrap/agentwrap/gateway"
	"github.com/agentwrap/agentwrap/internal/upstreamtest"
)

// aliasCase is one request sent on its documented path and on the alias an
// SDK that expects the version prefix in the base URL (or not) uses.
type aliasCase struct {
	method, alias, documented string
	hdr                       map[string]string
	body                      string
	family                    call.Family
}

func aliasCases() []aliasCase {
	anth := map[string]string{"Anthropic-Version": "2023-06-01"}
	chat := `{"model":"gpt-5-mini","messages":[{"role":"user","content":"hi"}]}`
	gem := `{"contents":[{"role":"user","parts":[{"text":"hi"}]}]}`
	return []aliasCase{
		{"POST", "/chat/completions", "/v1/chat/completions", nil, chat, call.FamilyChatCompletions},
		{"POST", "/responses", "/v1/responses", nil, `{"model":"gpt-5-mini","input":"hi"}`, call.FamilyResponses},
		{"POST", "/messages", "/v1/messages", anth, `{"model":"claude-sonnet-4-5","max_tokens":8,"messages":[{"role":"user","content":"hi"}]}`, call.FamilyMessages},
		{"POST", "/messages/count_tokens", "/v1/messages/count_tokens", anth, `{"model":"claude-sonnet-4-5","messages":[{"role":"user","content":"hi"}]}`, call.FamilyCountTokens},
		{"POST", "/embeddings", "/v1/embeddings", nil, `{"model":"text-embedding-3-small","input":"hi"}`, call.FamilyEmbeddings},
		{"GET", "/models", "/v1/models", nil, "", call.FamilyModels},
		{"POST", "/models/gemini-2.5-flash:generateContent", "/v1beta/models/gemini-2.5-flash:generateContent", nil, gem, call.FamilyGemini},
		{"POST", "/models/gemini-2.5-flash:streamGenerateContent", "/v1beta/models/gemini-2.5-flash:streamGenerateContent", nil, gem, call.FamilyGemini},
	}
}

// aliasHarness is a managed gateway with the built-in contract in front of
// the test upstream, which serves only the documented paths.
type aliasHarness struct {
	up    *upstreamtest.Server
	gw    *gateway.Gateway
	calls chan *call.Call
}

func newAliasHarness(t *testing.T, enforce bool) *aliasHarness {
	t.Helper()
	h := &aliasHarness{up: upstreamtest.Start(t, upstreamtest.WithKey(familyKey)), calls: make(chan *call.Call, 64)}
	u, _ := url.Parse(h.up.URL())
	gw, err := gateway.New(gateway.Config{
		Upstream: u, Key: familyKey, Token: familyToken,
		Observe:  func(c *call.Call) { cc := *c; h.calls <- &cc },
		Contract: contract.NewChecker(contract.Builtin()), Enforce: enforce,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = gw.Close(context.Background()) })
	h.gw = gw
	return h
}

// send makes one request with the run token in the family's header and
// returns the status and the call the gateway recorded.
func (h *aliasHarness) send(t *testing.T, c aliasCase, path, body string) (int, *call.Call) {
	t.Helper()
	req, err := http.NewRequest(c.method, h.gw.URL()+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range c.hdr {
		req.Header.Set(k, v)
	}
	switch c.family {
	case call.FamilyMessages, call.FamilyCountTokens:
		req.Header.Set("X-Api-Key", familyToken)
	case call.FamilyGemini:
		req.Header.Set("X-Goog-Api-Key", familyToken)
	default:
		req.Header.Set("Authorization", "Bearer "+familyToken)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	select {
	case got := <-h.calls:
		return resp.StatusCode, got
	case <-time.After(10 * time.Second):
		t.Fatalf("%s %s: no call observed", c.method, path)
		return 0, nil
	}
}

// TestAliasesForwardToDocumentedPaths: each alias reaches the upstream on
// the family's documented path (the test upstream answers nothing else),
// with the real key; the call is recorded as its family on the documented
// path, and the contract check sees the same endpoint and the same result
// as for the documented path.
func TestAliasesForwardToDocumentedPaths(t *testing.T) {
	h := newAliasHarness(t, false)
	for _, c := range aliasCases() {
		t.Run(c.alias, func(t *testing.T) {
			wantStatus, want := h.send(t, c, c.documented, c.body)
			status, got := h.send(t, c, c.alias, c.body)
			reqs := h.up.Requests()
			last := reqs[len(reqs)-1]
			if status != http.StatusOK || wantStatus != http.StatusOK {
				t.Fatalf("status %d on the alias, %d on the documented path", status, wantStatus)
			}
			if last.Path != c.documented || !strings.Contains(last.Header.Get("Authorization")+last.Header.Get("X-Api-Key")+last.Header.Get("X-Goog-Api-Key"), familyKey) {
				t.Errorf("upstream got %s %s (real key: %v)", last.Method, last.Path, strings.Contains(last.Header.Get("Authorization")+last.Header.Get("X-Api-Key")+last.Header.Get("X-Goog-Api-Key"), familyKey))
			}
			if got.Family != c.family || got.Path != c.documented || got.RequestModel != want.RequestModel || got.RequestStream != want.RequestStream {
				t.Errorf("alias call: family %s path %s model %q stream %v; documented: %s %s %q %v",
					got.Family, got.Path, got.RequestModel, got.RequestStream, want.Family, want.Path, want.RequestModel, want.RequestStream)
			}
			if got.Contract.Endpoint == "" || got.Contract.Endpoint != want.Contract.Endpoint ||
				!slices.Equal(got.Contract.RequestProblems, want.Contract.RequestProblems) ||
				!slices.Equal(got.Contract.ResponseProblems, want.Contract.ResponseProblems) {
				t.Errorf("contract on the alias %+v, on the documented path %+v", got.Contract, want.Contract)
			}
		})
	}
}

// TestAliasesUnderEnforcement: --enforce-contract refuses a request that
// breaks the contract on an alias exactly as on the documented path, before
// anything reaches the upstream, and forwards a good one.
func TestAliasesUnderEnforcement(t *testing.T) {
	h := newAliasHarness(t, true)
	for _, c := range aliasCases() {
		if c.method != "POST" || c.family == call.FamilyGemini {
			continue
		}
		t.Run(c.alias, func(t *testing.T) {
			bad := `{}`
			n0 := settled(h.up)
			wantStatus, want := h.send(t, c, c.documented, bad)
			n1 := settled(h.up)
			status, got := h.send(t, c, c.alias, bad)
			n2 := settled(h.up)
			if status != http.StatusBadRequest || wantStatus != http.StatusBadRequest || !got.Contract.Enforced || !want.Contract.Enforced {
				t.Errorf("bad request: status %d (documented %d), enforced %v (documented %v)", status, wantStatus, got.Contract.Enforced, want.Contract.Enforced)
			}
			if !slices.Equal(got.Contract.RequestProblems, want.Contract.RequestProblems) || len(got.Contract.RequestProblems) == 0 {
				t.Errorf("problems on the alias %q, on the documented path %q", got.Contract.RequestProblems, want.Contract.RequestProblems)
			}
			// A refused body is cut before its end (the upstream may see the
			// request start, never its end): the same on both paths.
			if n2-n1 != n1-n0 {
				t.Errorf("upstream saw %d requests for the alias, %d for the documented path", n2-n1, n1-n0)
			}
			if status, _ := h.send(t, c, c.alias, c.body); status != http.StatusOK {
				t.Errorf("good request on the alias: status %d", status)
			}
		})
	}
}

// settled is the number of requests the upstream recorded, once none
// arrived for 100 ms. The start of a refused request may reach the
// upstream after the call was observed (about 1 ms after its end; on a
// loaded machine the start can come later), and a count taken at once
// would credit it to the next request.
func settled(up *upstreamtest.Server) int {
	n := len(up.Requests())
	for {
		time.Sleep(100 * time.Millisecond)
		m := len(up.Requests())
		if m == n {
			return n
		}
		n = m
	}
}
