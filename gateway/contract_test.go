package gateway

import (
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/agentwrap/agentwrap/call"
)

// fakeChecker knows one endpoint, POST /v1/messages, which requires the
// anthropic-version header and the max_tokens field.
type fakeChecker struct{}

func (fakeChecker) CheckRequest(c *call.Call, headers []string, bodyRead bool) call.ContractResult {
	if c.Method != "POST" || c.Path != "/v1/messages" {
		return call.ContractResult{RequestProblems: []string{"request not in the contract manifest"}}
	}
	r := call.ContractResult{Endpoint: "anthropic.messages", CheckedAt: "2026-11-30", SourceURLs: []string{"https://example.com/messages"}}
	if !slices.Contains(headers, "anthropic-version") {
		r.RequestProblems = append(r.RequestProblems, "missing required header: anthropic-version")
	}
	if bodyRead && !slices.Contains(c.RequestKeys, "max_tokens") {
		r.RequestProblems = append(r.RequestProblems, "missing required field: max_tokens")
	}
	return r
}

func (fakeChecker) CheckResponse(c *call.Call, r *call.ContractResult) {
	if c.StatusCode == 200 && c.ContentType != "application/json" {
		r.ResponseProblems = append(r.ResponseProblems, "response not JSON")
	}
}

// completeBodies counts request bodies the upstream read to their end
// without error: requests it could have acted on.
type completeBodies struct {
	mu sync.Mutex
	n  int
}

func (cb *completeBodies) get() int {
	cb.mu.Lock()
	defer cb.mu.Unlock()
	return cb.n
}

func newContractHarness(t *testing.T, enforce bool) (*harness, *completeBodies) {
	t.Helper()
	cb := &completeBodies{}
	reply := jsonReply(`{"id":"msg_1","type":"message","model":"m","content":[],"stop_reason":"end_turn","usage":{"input_tokens":1,"output_tokens":1}}`)
	h := newHarness(t, "", func(w http.ResponseWriter, r *http.Request) {
		reply(w, r)
	})
	h.up.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := io.ReadAll(r.Body); err != nil {
			return
		}
		cb.mu.Lock()
		cb.n++
		cb.mu.Unlock()
		reply(w, r)
	})
	h.gw.cfg.Contract = fakeChecker{}
	h.gw.cfg.Enforce = enforce
	return h, cb
}

func TestContractResultRecordedWithoutEnforcement(t *testing.T) {
	h, cb := newContractHarness(t, false)
	resp, _ := h.do(t, "POST", "/v1/messages?beta=true", map[string]string{"Anthropic-Version": "2023-06-01"}, `{"model":"m","messages":[]}`)
	if resp.StatusCode != 200 || cb.get() != 1 {
		t.Fatalf("status %d, upstream completed %d requests: observation must not change traffic", resp.StatusCode, cb.get())
	}
	c := h.call(t)
	if c.Contract.Endpoint != "anthropic.messages" || c.Contract.CheckedAt != "2026-11-30" || c.Contract.Enforced {
		t.Errorf("contract result %+v", c.Contract)
	}
	if !slices.Equal(c.Contract.RequestProblems, []string{"missing required field: max_tokens"}) {
		t.Errorf("request problems %q", c.Contract.RequestProblems)
	}
}

func TestEnforceRejectsMissingHeaderBeforeForwarding(t *testing.T) {
	h, cb := newContractHarness(t, true)
	resp, body := h.do(t, "POST", "/v1/messages", nil, `{"model":"m","max_tokens":1,"messages":[]}`)
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), "missing required header: anthropic-version") {
		t.Fatalf("status %d body %s", resp.StatusCode, body)
	}
	if !strings.Contains(string(body), `"type":"error"`) {
		t.Errorf("error body not in the Anthropic shape: %s", body)
	}
	if cb.get() != 0 {
		t.Errorf("upstream received %d requests", cb.get())
	}
	if c := h.call(t); !c.Contract.Enforced || c.StatusCode != 400 {
		t.Errorf("call %+v", c.Contract)
	}
}

func TestEnforceRejectsMissingFieldWithoutUpstreamActing(t *testing.T) {
	h, cb := newContractHarness(t, true)
	resp, body := h.do(t, "POST", "/v1/messages", map[string]string{"Anthropic-Version": "2023-06-01"}, `{"model":"m","messages":[{"role":"user","content":"hi"}]}`)
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), "missing required field: max_tokens") {
		t.Fatalf("status %d body %s", resp.StatusCode, body)
	}
	// The upstream handler may have started, but it never read a complete
	// body it could act on.
	if cb.get() != 0 {
		t.Errorf("upstream read %d complete request bodies", cb.get())
	}
	c := h.call(t)
	if !c.Contract.Enforced || !slices.Contains(c.Contract.RequestProblems, "missing required field: max_tokens") {
		t.Errorf("contract result %+v", c.Contract)
	}

	resp, _ = h.do(t, "POST", "/v1/messages", map[string]string{"Anthropic-Version": "2023-06-01"}, `{"model":"m","max_tokens":8,"messages":[]}`)
	if resp.StatusCode != 200 || cb.get() != 1 {
		t.Fatalf("matching request answered %d, upstream completed %d", resp.StatusCode, cb.get())
	}
	if c := h.call(t); c.Contract.Enforced || len(c.Contract.RequestProblems) != 0 {
		t.Errorf("matching request: %+v", c.Contract)
	}
}
