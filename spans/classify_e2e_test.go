package spans_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/agentwrap/agentwrap/call"
	"github.com/agentwrap/agentwrap/contract"
	"github.com/agentwrap/agentwrap/gateway"
	"github.com/agentwrap/agentwrap/internal/upstreamtest"
	"github.com/agentwrap/agentwrap/spans"
)

const (
	canaryKey   = "sk-canary-classify-0123456789abcdef"
	canaryToken = "tok-canary-classify-run-token"
)

// upstream counts what reached the test upstream: every request, and the
// requests whose body arrived whole (ones it could have acted on). A
// request whose body was cut off is not handed to the test upstream, as a
// real server does not act on it.
type upstream struct {
	srv      *upstreamtest.Server
	mu       sync.Mutex
	any      int
	complete int
}

func (u *upstream) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	u.mu.Lock()
	u.any++
	if err == nil {
		u.complete++
	}
	u.mu.Unlock()
	if err != nil {
		return
	}
	r.Body = io.NopCloser(strings.NewReader(string(body)))
	u.srv.ServeHTTP(w, r)
}

func (u *upstream) counts() (int, int) {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.any, u.complete
}

// matrix is a gateway with the built-in contract and a span recorder in
// front of the test upstream.
type matrix struct {
	gw    *gateway.Gateway
	up    *upstream
	exp   *tracetest.InMemoryExporter
	calls chan *call.Call
	rec   *spans.Recorder
}

func newMatrix(t *testing.T, enforce bool, opts ...upstreamtest.Option) *matrix {
	t.Helper()
	up := &upstream{srv: upstreamtest.New(append([]upstreamtest.Option{upstreamtest.WithKey(canaryKey)}, opts...)...)}
	hs := httptest.NewServer(up)
	t.Cleanup(hs.Close)
	u, _ := url.Parse(hs.URL)
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	tracer := tp.Tracer("classify-matrix")
	ctx, run := tracer.Start(context.Background(), "invoke_agent test")
	t.Cleanup(func() { run.End() })
	rec := spans.NewRecorder(tracer, ctx, "run-matrix", nil)
	m := &matrix{up: up, exp: exp, calls: make(chan *call.Call, 8), rec: rec}
	gw, err := gateway.New(gateway.Config{
		Upstream: u, Key: canaryKey, Token: canaryToken,
		Observe:  func(c *call.Call) { rec.Observe(c); m.calls <- c },
		Local:    rec.Local,
		Contract: contract.NewChecker(contract.Builtin()),
		Enforce:  enforce,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = gw.Close(context.Background()) })
	m.gw = gw
	return m
}

// req is one agent request.
type req struct {
	method, path, body string
	header             map[string]string
}

func chatReq(extra string) req {
	return req{"POST", "/v1/chat/completions", `{"model":"gpt-5-mini","messages":[{"role":"user","content":"hi"}]` + extra + `}`,
		map[string]string{"Authorization": "Bearer " + canaryToken}}
}

func messagesReq(fields string) req {
	return req{"POST", "/v1/messages?beta=true", `{"model":"claude-haiku-4-5",` + fields + `"messages":[{"role":"user","content":"hi"}]}`,
		map[string]string{"X-Api-Key": canaryToken, "Anthropic-Version": "2023-06-01"}}
}

func responsesReq(extra string) req {
	return req{"POST", "/v1/responses", `{"model":"gpt-5-mini","input":"hi"` + extra + `}`,
		map[string]string{"Authorization": "Bearer " + canaryToken}}
}

func geminiReq(method string) req {
	return req{"POST", "/v1beta/models/gemini-2.5-flash:" + method, `{"contents":[{"role":"user","parts":[{"text":"hi"}]}]}`,
		map[string]string{"X-Goog-Api-Key": canaryToken}}
}

// with returns r with header k set to v.
func (r req) with(k, v string) req {
	h := map[string]string{}
	for a, b := range r.header {
		h[a] = b
	}
	h[k] = v
	r.header = h
	return r
}

func (r req) without(k string) req {
	h := map[string]string{}
	for a, b := range r.header {
		if a != k {
			h[a] = b
		}
	}
	r.header = h
	return r
}

func scenario(r req, s string) req { return r.with(upstreamtest.HeaderScenario, s) }

// send sends r through the gateway and returns the status, the reply and
// the call's span.
func (m *matrix) send(t *testing.T, r req) (int, string, tracetest.SpanStub) {
	t.Helper()
	status, reply := m.do(t, r)
	return status, reply, m.span(t)
}

// do sends r through the gateway and returns the status and the reply.
func (m *matrix) do(t *testing.T, r req) (int, string) {
	t.Helper()
	hr, err := http.NewRequest(r.method, m.gw.URL()+r.path, strings.NewReader(r.body))
	if err != nil {
		t.Fatal(err)
	}
	hr.Header.Set("Content-Type", "application/json")
	for k, v := range r.header {
		hr.Header.Set(k, v)
	}
	tr := &http.Transport{DisableCompression: true}
	defer tr.CloseIdleConnections()
	resp, err := tr.RoundTrip(hr)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp.StatusCode, string(b)
}

// span waits for the next call and returns its span.
func (m *matrix) span(t *testing.T) tracetest.SpanStub {
	t.Helper()
	select {
	case <-m.calls:
	case <-time.After(15 * time.Second):
		t.Fatal("no call observed")
	}
	got := m.exp.GetSpans()
	return got[len(got)-1]
}

func attrs(s tracetest.SpanStub) map[string]any {
	a := map[string]any{}
	for _, kv := range s.Attributes {
		a[string(kv.Key)] = kv.Value.AsInterface()
	}
	return a
}

type row struct {
	name            string
	r               req
	result, failure string
	// note must appear in agentwrap.notes.
	note string
	// endpoint is the manifest endpoint the call must have matched; empty
	// means none.
	endpoint string
}

// classificationRows are the classification table (README, "Smoke test
// and contract manifest"), each row produced by the test upstream (or the
// gateway) for real.
func classificationRows() []row {
	const (
		fail   = spans.ResultFail
		follow = spans.ResultNeedsFollowUp
		pass   = spans.ResultPass
	)
	return []row{
		{"upstream 401 echoing the key", scenario(chatReq(""), upstreamtest.ScenarioUnauthorized), fail, spans.FailureAuthRejected, "upstream 401", "cometapi.chat_completions"},
		{"upstream 401 echoing the key, gemini", scenario(geminiReq("generateContent"), upstreamtest.ScenarioUnauthorized), fail, spans.FailureAuthRejected, "upstream 401", "cometapi.gemini_generate_content"},
		{"upstream 403", scenario(messagesReq(`"max_tokens":8,`), upstreamtest.ScenarioForbidden), fail, spans.FailureAuthRejected, "upstream 403", "cometapi.messages"},
		{"upstream 402", scenario(chatReq(""), upstreamtest.ScenarioPaymentRequired), follow, spans.FailureOperatorFollowUp, spans.HelpCenterURL, "cometapi.chat_completions"},
		{"upstream 402, anthropic", scenario(messagesReq(`"max_tokens":8,`), upstreamtest.ScenarioPaymentRequired), follow, spans.FailureOperatorFollowUp, spans.HelpCenterURL, "cometapi.messages"},
		{"upstream 429 with retry-after", scenario(chatReq(""), upstreamtest.ScenarioRateLimited), follow, spans.FailureOperatorFollowUp, "retry-after present", "cometapi.chat_completions"},
		{"upstream 429 with retry-after, gemini", scenario(geminiReq("generateContent"), upstreamtest.ScenarioRateLimited), follow, spans.FailureOperatorFollowUp, "retry-after present", "cometapi.gemini_generate_content"},
		{"model not found", scenario(chatReq(""), upstreamtest.ScenarioModelNotFound), follow, spans.FailureOperatorFollowUp, spans.HelpCenterURL, "cometapi.chat_completions"},
		{"model not found, anthropic", scenario(messagesReq(`"max_tokens":8,`), upstreamtest.ScenarioModelNotFound), follow, spans.FailureOperatorFollowUp, spans.HelpCenterURL, "cometapi.messages"},
		{"model not found, gemini", scenario(geminiReq("generateContent"), upstreamtest.ScenarioModelNotFound), follow, spans.FailureOperatorFollowUp, spans.HelpCenterURL, "cometapi.gemini_generate_content"},
		{"unknown path", req{"POST", "/v1/completions/legacy", `{"model":"m"}`, map[string]string{"Authorization": "Bearer " + canaryToken}}, fail, spans.FailureContractMismatch, "not in the contract", ""},
		{"missing required field", messagesReq(""), fail, spans.FailureContractMismatch, "missing required field: max_tokens", "cometapi.messages"},
		{"missing required header", messagesReq(`"max_tokens":8,`).without("Anthropic-Version"), fail, spans.FailureContractMismatch, "missing required header: anthropic-version", "cometapi.messages"},
		{"upstream 500", scenario(chatReq(""), upstreamtest.ScenarioServerError), fail, spans.FailureUnexpectedResponse, "upstream 500", "cometapi.chat_completions"},
		{"upstream 529 overloaded", scenario(messagesReq(`"max_tokens":8,`), upstreamtest.ScenarioOverloaded), fail, spans.FailureUnexpectedResponse, "upstream 529", "cometapi.messages"},
		{"upstream 503 overloaded", scenario(chatReq(""), upstreamtest.ScenarioOverloaded), fail, spans.FailureUnexpectedResponse, "upstream 503", "cometapi.chat_completions"},
		{"HTML 404", scenario(chatReq(""), upstreamtest.ScenarioHTML404), fail, spans.FailureUnexpectedResponse, "text/html", "cometapi.chat_completions"},
		{"truncated stream", scenario(chatReq(`,"stream":true`), upstreamtest.ScenarioTruncated), fail, spans.FailureUnexpectedResponse, "", "cometapi.chat_completions"},
		{"truncated stream, anthropic", scenario(messagesReq(`"max_tokens":8,"stream":true,`), upstreamtest.ScenarioTruncated), fail, spans.FailureUnexpectedResponse, "", "cometapi.messages"},
		{"missing usage", scenario(chatReq(""), upstreamtest.ScenarioMissingUsage), fail, spans.FailureUnexpectedResponse, "missing documented field: usage", "cometapi.chat_completions"},
		{"missing usage, anthropic", scenario(messagesReq(`"max_tokens":8,`), upstreamtest.ScenarioMissingUsage), fail, spans.FailureUnexpectedResponse, "usage", "cometapi.messages"},
		{"other 4xx", scenario(chatReq(""), upstreamtest.ScenarioBadRequest), fail, spans.FailureContractMismatch, "upstream 400", "cometapi.chat_completions"},
		{"2xx chat", chatReq(""), pass, spans.FailureNone, "", "cometapi.chat_completions"},
		{"2xx chat stream", chatReq(`,"stream":true,"stream_options":{"include_usage":true}`), pass, spans.FailureNone, "", "cometapi.chat_completions"},
		{"2xx responses stream", responsesReq(`,"stream":true`), pass, spans.FailureNone, "", "cometapi.responses"},
		{"2xx messages stream", messagesReq(`"max_tokens":8,"stream":true,`), pass, spans.FailureNone, "", "cometapi.messages"},
		{"2xx gemini stream", geminiReq("streamGenerateContent").withQuery("alt=sse"), pass, spans.FailureNone, "", "cometapi.gemini_stream_generate_content"},
		{"2xx count tokens", req{"POST", "/v1/messages/count_tokens", `{"model":"claude-haiku-4-5","messages":[]}`,
			map[string]string{"X-Api-Key": canaryToken, "Anthropic-Version": "2023-06-01"}}, pass, spans.FailureNone, "", "cometapi.count_tokens"},
	}
}

func (r req) withQuery(q string) req { r.path += "?" + q; return r }

// TestClassificationMatrix runs every row of the README's classification
// table through gateway, contract check and span recorder against the test
// upstream, and checks the span: result and failure class, note, contract
// fields, status Error exactly for fail, and no credential anywhere.
func TestClassificationMatrix(t *testing.T) {
	for _, tc := range classificationRows() {
		t.Run(tc.name, func(t *testing.T) {
			m := newMatrix(t, false)
			_, reply, s := m.send(t, tc.r)
			checkRow(t, tc, s)
			// The upstream echoes the key; the gateway masks it on its way
			// to the agent.
			if tc.name == "upstream 401 echoing the key" && (strings.Contains(reply, canaryKey) || !strings.Contains(reply, "Incorrect API key provided: ****")) {
				t.Errorf("the echoed key was not masked for the agent; reply %q", reply)
			}
		})
	}
}

// TestRefusedRequestsAreNoCalls: a request without the run token, or with
// a wrong one, is refused with a 401 in its family's format and never
// reaches the upstream; it is counted by the recorder, never a call span.
// A refused model call makes the run needs_follow_up; a refused request on
// another path, or a probe, leaves it alone.
func TestRefusedRequestsAreNoCalls(t *testing.T) {
	m := newMatrix(t, false)
	for _, r := range []req{
		{"HEAD", "/api/hello", "", nil},
		{"GET", "/v1/organizations/x", "", nil},
		chatReq("").with("Authorization", "Bearer wrong-token"),
		messagesReq(`"max_tokens":8,`).without("X-Api-Key"),
	} {
		status, reply := m.do(t, r)
		want := 401
		if r.method == "HEAD" {
			want = 200
		}
		if status != want || strings.Contains(reply, canaryKey) {
			t.Errorf("%s %s: status %d (want %d), reply %q", r.method, r.path, status, want, reply)
		}
	}
	select {
	case c := <-m.calls:
		t.Fatalf("refused request %s %s recorded as a call", c.Method, c.Path)
	case <-time.After(100 * time.Millisecond):
	}
	if n, _ := m.up.counts(); n != 0 {
		t.Errorf("%d refused requests reached the upstream", n)
	}
	tally := m.rec.Summary().Local
	if tally.Probes != 1 || tally.Rejected != 3 || tally.RejectedModel != 2 || tally.First.Path != "/v1/organizations/x" || tally.FirstModel.Path != "/v1/chat/completions" {
		t.Fatalf("tally %+v", tally)
	}
	if o := tally.Outcome(); o.Result != spans.ResultNeedsFollowUp || !strings.Contains(o.Note, "POST /v1/chat/completions: not the run token") {
		t.Fatalf("outcome %+v", o)
	}
	if n := len(m.exp.GetSpans()); n != 0 {
		t.Fatalf("%d spans for refused requests", n)
	}
}

func checkRow(t *testing.T, tc row, s tracetest.SpanStub) {
	t.Helper()
	a := attrs(s)
	note, _ := a[string(spans.Notes)].(string)
	if a[string(spans.ResultClass)] != tc.result || a[string(spans.FailureClass)] != tc.failure {
		t.Fatalf("%v/%v (%q), want %s/%s", a[string(spans.ResultClass)], a[string(spans.FailureClass)], note, tc.result, tc.failure)
	}
	if !strings.Contains(note, tc.note) || len([]rune(note)) > 200 {
		t.Errorf("note %q does not mention %q (or is over 200 characters)", note, tc.note)
	}
	// Every call that did not pass is an error for the span, with
	// error.type: the HTTP status when the upstream answered >= 400, else
	// the transport or failure class.
	if (s.Status.Code == codes.Error) != (tc.result != spans.ResultPass) {
		t.Errorf("status %v for result %s", s.Status.Code, tc.result)
	}
	et, _ := a[string(spans.ErrorType)].(string)
	switch code, _ := a[string(spans.HTTPResponseStatusCode)].(int64); {
	case tc.result == spans.ResultPass:
		if et != "" {
			t.Errorf("error.type %q on a call that passed", et)
		}
	case s.Status.Description != tc.failure:
		t.Errorf("status description %q, want the failure class %q", s.Status.Description, tc.failure)
	case code >= 400 && et != strconv.Itoa(int(code)):
		t.Errorf("error.type %q for an upstream %d", et, code)
	case code < 400 && !slices.Contains([]string{tc.failure, "cancelled", "timeout", "dns_error", "connection_refused", "connection_reset", "tls_error", "network_error", "response_interrupted"}, et):
		t.Errorf("error.type %q, want the failure class %q or a transport class", et, tc.failure)
	}
	checkContractFields(t, tc.endpoint, a)
	if tc.failure == spans.FailureOperatorFollowUp && tc.note != "cancelled" {
		checkFollowUpNote(t, note, a)
	}
	assertNoSecret(t, s)
}

// checkContractFields checks that endpoint id, access date and source URLs
// are the matched manifest entry's, or absent when nothing matched.
func checkContractFields(t *testing.T, id string, a map[string]any) {
	t.Helper()
	if a[string(spans.ContractEndpoint)] != id {
		t.Errorf("contract.endpoint %v, want %q", a[string(spans.ContractEndpoint)], id)
	}
	if id == "" {
		if _, ok := a[string(spans.CheckedAt)]; ok {
			t.Error("checked_at set for a call that matched no endpoint")
		}
		return
	}
	e := contract.Builtin().Endpoint(id)
	if a[string(spans.CheckedAt)] != e.CheckedAtRFC3339() {
		t.Errorf("checked_at %v, want %s", a[string(spans.CheckedAt)], e.CheckedAtRFC3339())
	}
	if got := fmt.Sprint(a[string(spans.SourceURLs)]); got != fmt.Sprint(e.SourceURLs) {
		t.Errorf("source_urls %s, want %v", got, e.SourceURLs)
	}
}

// checkFollowUpNote: an operator follow-up says where to ask and guesses
// no number: once the status code and the help-center URL are taken out,
// the note holds no digit (no cost, limit or quota figure).
func checkFollowUpNote(t *testing.T, note string, a map[string]any) {
	t.Helper()
	if !strings.Contains(note, spans.HelpCenterURL) || !strings.Contains(note, "ask ") {
		t.Errorf("follow-up note %q does not say what to ask and where", note)
	}
	rest := strings.ReplaceAll(note, spans.HelpCenterURL, "")
	if st, ok := a[string(spans.HTTPResponseStatusCode)].(int64); ok {
		rest = strings.ReplaceAll(rest, fmt.Sprint(st), "")
	}
	if strings.ContainsAny(rest, "0123456789$€") {
		t.Errorf("follow-up note %q states a figure", note)
	}
}

// assertNoSecret fails when the key or the run token appears in the span's
// name, status or any attribute.
func assertNoSecret(t *testing.T, s tracetest.SpanStub) {
	t.Helper()
	text := s.Name + " " + s.Status.Description
	for _, kv := range s.Attributes {
		text += " " + string(kv.Key) + "=" + kv.Value.String()
	}
	for _, secret := range []string{canaryKey, canaryToken, "canary"} {
		if strings.Contains(text, secret) {
			t.Errorf("span holds %q: %s", secret, text)
		}
	}
}

// TestCancelledCallIsFollowUp cancels a stream after its first bytes: the
// call is needs_follow_up with a note that says cancelled.
func TestCancelledCallIsFollowUp(t *testing.T) {
	m := newMatrix(t, false, upstreamtest.WithDeltas(200, 20*time.Millisecond))
	r := chatReq(`,"stream":true`)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	hr, _ := http.NewRequestWithContext(ctx, r.method, m.gw.URL()+r.path, strings.NewReader(r.body))
	hr.Header.Set("Content-Type", "application/json")
	hr.Header.Set("Authorization", "Bearer "+canaryToken)
	resp, err := http.DefaultClient.Do(hr)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadFull(resp.Body, make([]byte, 16)); err != nil {
		t.Fatal(err)
	}
	cancel()
	resp.Body.Close()
	checkRow(t, row{result: spans.ResultNeedsFollowUp, failure: spans.FailureOperatorFollowUp, note: "cancelled",
		endpoint: "cometapi.chat_completions"}, m.span(t))
}

// TestEnforceContractEndToEnd: with enforcement, mismatching requests get a
// 400 in their family's error format from the gateway and no complete
// request reaches the upstream; a matching request passes.
func TestEnforceContractEndToEnd(t *testing.T) {
	for _, tc := range []struct {
		name string
		r    req
		// shape is a fragment of the family's error format.
		shape, problem string
	}{
		{"missing field, anthropic", messagesReq(""), `"type":"error"`, "missing required field: max_tokens"},
		{"missing header, anthropic", messagesReq(`"max_tokens":8,`).without("Anthropic-Version"), `"type":"error"`, "missing required header: anthropic-version"},
		{"missing field, openai", req{"POST", "/v1/chat/completions", `{"model":"gpt-5-mini"}`, map[string]string{"Authorization": "Bearer " + canaryToken}},
			`"code":"contract_mismatch"`, "missing required field: messages"},
		{"missing field, gemini", req{"POST", "/v1beta/models/gemini-2.5-flash:generateContent", `{"generationConfig":{}}`, map[string]string{"X-Goog-Api-Key": canaryToken}},
			`"status":"INVALID_ARGUMENT"`, "missing required field: contents"},
		{"unknown path", req{"POST", "/v1/completions/legacy", `{"model":"m"}`, map[string]string{"Authorization": "Bearer " + canaryToken}},
			`"code":"contract_mismatch"`, "not in the contract"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := newMatrix(t, true)
			status, reply, s := m.send(t, tc.r)
			if status != http.StatusBadRequest || !strings.Contains(reply, tc.shape) || !strings.Contains(reply, tc.problem) || !strings.Contains(reply, "--enforce-contract") {
				t.Errorf("answer %d %s: want 400 in the family's format naming %q", status, reply, tc.problem)
			}
			if _, complete := m.up.counts(); complete != 0 {
				t.Errorf("%d complete requests reached the upstream", complete)
			}
			a := attrs(s)
			if a[string(spans.FailureClass)] != spans.FailureContractMismatch || !strings.Contains(fmt.Sprint(a[string(spans.Notes)]), tc.problem) {
				t.Errorf("span %v: %v", a[string(spans.FailureClass)], a[string(spans.Notes)])
			}
			assertNoSecret(t, s)
		})
	}
	m := newMatrix(t, true)
	if status, _, s := m.send(t, messagesReq(`"max_tokens":8,`)); status != 200 || attrs(s)[string(spans.ResultClass)] != spans.ResultPass {
		t.Errorf("matching request under enforcement: %d, %v", status, attrs(s)[string(spans.Notes)])
	}
	if _, complete := m.up.counts(); complete != 1 {
		t.Errorf("matching request: %d complete upstream requests, want 1", complete)
	}
}

// TestUnreachableUpstreamIsUnexpectedResponse: a call the upstream could not
// be sent (connection refused) is unexpected_response with the transport
// error class; its body, never read by the transport, is not reported as
// missing its required fields.
func TestUnreachableUpstreamIsUnexpectedResponse(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse("http://" + ln.Addr().String())
	ln.Close()
	calls := make(chan *call.Call, 4)
	gw, err := gateway.New(gateway.Config{
		Upstream: u, Key: canaryKey, Token: canaryToken,
		Observe:  func(c *call.Call) { calls <- c },
		Contract: contract.NewChecker(contract.Builtin()),
	})
	if err != nil {
		t.Fatal(err)
	}
	defer gw.Close(context.Background())
	for _, r := range []req{chatReq(""), messagesReq(`"max_tokens":8,`), geminiReq("generateContent")} {
		m := &matrix{gw: gw}
		status, _ := m.do(t, r)
		c := <-calls
		o := spans.Classify(c)
		if status != 502 || o.Result != spans.ResultFail || o.Failure != spans.FailureUnexpectedResponse || !strings.Contains(o.Note, "connection_refused") {
			t.Errorf("%s: status %d, %s/%s %q", r.path, status, o.Result, o.Failure, o.Note)
		}
		if len(c.Contract.RequestProblems) > 0 || c.RequestJSONError {
			t.Errorf("%s: request problems %q (JSON error %v) for a body the upstream never got", r.path, c.Contract.RequestProblems, c.RequestJSONError)
		}
	}
}
