package upstreamtest_test

import (
	"encoding/json"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/agentwrap/agentwrap/internal/upstreamtest"
)

// reply reads a response's status, Retry-After and JSON body.
func reply(t *testing.T, resp *http.Response) (int, string, map[string]any) {
	t.Helper()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	return resp.StatusCode, resp.Header.Get("Retry-After"), m
}

// TestRequiredFields: a server built WithRequiredFields answers a request
// without a documented required field with the family's 400, in its error
// shape; without the option the bare body is served.
func TestRequiredFields(t *testing.T) {
	strict := upstreamtest.Start(t, upstreamtest.WithRequiredFields())
	plain := upstreamtest.Start(t)
	for _, tc := range []struct {
		path, body, header, errType string
	}{
		{"/v1/chat/completions", `{"model":"gpt-5"}`, "", "invalid_request_error"},
		{"/v1/messages", `{"model":"claude-haiku-4-5","max_tokens":8}`, "anthropic-version: 2023-06-01", "invalid_request_error"},
		{"/v1/messages/count_tokens", `{"model":"claude-haiku-4-5"}`, "anthropic-version: 2023-06-01", "invalid_request_error"},
		{"/v1/embeddings", `{"model":"text-embedding-3-small"}`, "", "invalid_request_error"},
		{"/v1beta/models/gemini-2.5-flash:generateContent", `{}`, "", "INVALID_ARGUMENT"},
	} {
		var hs []string
		if tc.header != "" {
			hs = append(hs, tc.header)
		}
		st, _, m := reply(t, post(t, strict.URL()+tc.path, tc.body, hs...))
		e, _ := m["error"].(map[string]any)
		if st != 400 || e == nil || (e["type"] != tc.errType && e["status"] != tc.errType) {
			t.Errorf("strict %s: %d %v", tc.path, st, m)
		}
		if st, _, m := reply(t, post(t, plain.URL()+tc.path, tc.body, hs...)); st != 200 {
			t.Errorf("plain %s: %d %v", tc.path, st, m)
		}
	}
}

// TestModelCatalog: with WithModelCatalog a model outside the model list
// gets the family's model-not-found 404; listed and scenario models are
// served.
func TestModelCatalog(t *testing.T) {
	s := upstreamtest.Start(t, upstreamtest.WithModelCatalog())
	chat := s.URL() + "/v1/chat/completions"
	if st, _, m := reply(t, post(t, chat, `{"model":"no-such-model","messages":[]}`)); st != 404 || m["error"].(map[string]any)["code"] != "model_not_found" {
		t.Errorf("unknown model: %d %v", st, m)
	}
	if st, _, _ := reply(t, post(t, s.URL()+"/v1beta/models/no-such-model:generateContent", `{"contents":[]}`)); st != 404 {
		t.Errorf("unknown gemini model: %d", st)
	}
	if st, _, m := reply(t, post(t, chat, `{"model":"gpt-5-mini","messages":[]}`)); st != 200 {
		t.Errorf("listed model: %d %v", st, m)
	}
	if st, _, _ := reply(t, post(t, chat, `{"model":"scenario-missing-usage","messages":[]}`)); st != 200 {
		t.Errorf("scenario model: %d", st)
	}
}

// TestLatency: every reply waits WithLatency before its first byte.
func TestLatency(t *testing.T) {
	s := upstreamtest.Start(t, upstreamtest.WithLatency(150*time.Millisecond))
	start := time.Now()
	reply(t, post(t, s.URL()+"/v1/chat/completions", `{"model":"gpt-5","messages":[]}`))
	if d := time.Since(start); d < 150*time.Millisecond {
		t.Errorf("reply after %s, want at least 150ms", d)
	}
}

// TestDrift: each drift departs from the documented behaviour as its
// documentation says, and only then.
func TestDrift(t *testing.T) {
	body := `{"model":"gpt-5","messages":[]}`
	bad := `{"messages":[]}`
	chat := "/v1/chat/completions"

	s := upstreamtest.Start(t, upstreamtest.WithDrift(upstreamtest.DriftErrorShape))
	if st, _, m := reply(t, post(t, s.URL()+chat, bad)); st != 400 || m["error"] != nil || m["message"] == nil {
		t.Errorf("error shape: %d %v", st, m)
	}
	s = upstreamtest.Start(t, upstreamtest.WithDrift(upstreamtest.DriftExtraField))
	if _, _, m := reply(t, post(t, s.URL()+chat, body)); m[upstreamtest.DriftFieldName] == nil {
		t.Errorf("extra field: %v", m)
	}
	if _, _, m := reply(t, post(t, s.URL()+chat, bad)); m[upstreamtest.DriftFieldName] != nil {
		t.Errorf("extra field on an error: %v", m)
	}
	s = upstreamtest.Start(t, upstreamtest.WithDrift(upstreamtest.DriftRetryHint))
	if st, ra, _ := reply(t, post(t, s.URL()+chat, bad)); st != 400 || ra == "" {
		t.Errorf("retry hint: %d %q", st, ra)
	}
	if _, ra, _ := reply(t, post(t, s.URL()+chat, body)); ra != "" {
		t.Errorf("retry hint on a success: %q", ra)
	}
	plain := upstreamtest.Start(t)
	if st, ra, m := reply(t, post(t, plain.URL()+chat, bad)); st != 400 || ra != "" || m["error"] == nil {
		t.Errorf("documented: %d %q %v", st, ra, m)
	}
}
