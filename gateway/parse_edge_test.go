package gateway

import (
	"bytes"
	"reflect"
	"strings"
	"testing"

	"github.com/agentwrap/agentwrap/call"
)

// TestTruncatedStreamsAreIncomplete cuts each stream before its terminal
// event, and also ends whole streams with a read error: neither counts as
// complete, and a cut body is not blamed as malformed JSON.
func TestTruncatedStreamsAreIncomplete(t *testing.T) {
	streams := []struct {
		name     string
		family   call.Family
		terminal string
	}{
		{"chat_stream.sse", call.FamilyChatCompletions, "data: [DONE]"},
		{"responses_stream.sse", call.FamilyResponses, "event: response.completed"},
		{"messages_stream.sse", call.FamilyMessages, "event: message_stop"},
		{"gemini_stream.sse", call.FamilyGemini, `"finishReason"`},
	}
	for _, s := range streams {
		t.Run(s.name, func(t *testing.T) {
			body := fixture(t, s.name)
			cut := body[:bytes.LastIndex(body, []byte(s.terminal))]
			for _, b := range [][]byte{cut, cut[:len(cut)/2], cut[:len(cut)-3]} {
				c := parseAllWays(t, reply{family: s.family, status: 200, ct: sse, body: b, complete: true})
				if !c.Stream || c.StreamComplete {
					t.Fatalf("cut stream at %d: stream %v complete %v", len(b), c.Stream, c.StreamComplete)
				}
				if c.ResponseJSONError {
					t.Fatalf("cut stream at %d flagged as malformed JSON", len(b))
				}
			}
			c := parseAllWays(t, reply{family: s.family, status: 200, ct: sse, body: body, complete: false})
			if c.StreamComplete {
				t.Fatal("stream ended by a read error counted as complete")
			}
		})
	}
}

func TestTruncatedJSONIsNotMalformed(t *testing.T) {
	body := fixture(t, "chat.json")
	c := parseAllWays(t, reply{family: call.FamilyChatCompletions, status: 200, ct: jsct, body: body[:len(body)/2]})
	if c.ResponseJSONError || len(c.MissingFields) > 0 {
		t.Fatalf("cut body: %+v", c)
	}
	c = parseAllWays(t, reply{family: call.FamilyChatCompletions, status: 200, ct: jsct, body: body[:len(body)/2], complete: true})
	if !c.ResponseJSONError || len(c.MissingFields) > 0 {
		t.Fatalf("body ending cleanly mid-document: %+v", c)
	}
}

func TestMissingDocumentedFields(t *testing.T) {
	cases := []struct {
		family  call.Family
		body    string
		missing []string
	}{
		{call.FamilyChatCompletions, `{"id":"c","object":"chat.completion","model":"m","choices":[]}`, []string{"usage"}},
		{call.FamilyChatCompletions, `{"id":"c","model":"m","usage":null}`, []string{"choices", "usage"}},
		{call.FamilyResponses, `{"id":"r","model":"m","status":"completed","output":[]}`, []string{"usage"}},
		{call.FamilyMessages, `{"id":"m","type":"message","model":"x","content":[],"stop_reason":"end_turn"}`, []string{"usage"}},
		{call.FamilyMessages, `{"type":"message","content":[],"usage":{"input_tokens":1,"output_tokens":1}}`, []string{"id", "model", "stop_reason"}},
		{call.FamilyGemini, `{"candidates":[{"finishReason":"STOP"}]}`, []string{"usageMetadata"}},
		{call.FamilyCountTokens, `{}`, []string{"input_tokens"}},
		{call.FamilyEmbeddings, `{"object":"list","data":[]}`, []string{"model", "usage"}},
		{call.FamilyModels, `{"object":"list"}`, []string{"data"}},
		{call.FamilyUnknown, `{}`, nil},
	}
	for _, tc := range cases {
		c := parseAllWays(t, reply{family: tc.family, status: 200, ct: jsct, body: []byte(tc.body), complete: true})
		if !reflect.DeepEqual(c.MissingFields, tc.missing) || c.ResponseJSONError {
			t.Errorf("%s %s: missing %q (json error %v), want %q", tc.family, tc.body, c.MissingFields, c.ResponseJSONError, tc.missing)
		}
	}
}

func TestStreamMissingUsage(t *testing.T) {
	msgs := "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"m\",\"model\":\"x\"}}\n\n" +
		"event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n"
	c := parseAllWays(t, reply{family: call.FamilyMessages, status: 200, ct: sse, body: []byte(msgs), complete: true})
	if !c.StreamComplete || !reflect.DeepEqual(c.MissingFields, []string{"message.usage"}) {
		t.Fatalf("messages stream without usage: %+v", c)
	}
	rsp := "event: response.completed\ndata: {\"type\":\"response.completed\",\"response\":{\"id\":\"r\",\"status\":\"completed\"}}\n\n"
	c = parseAllWays(t, reply{family: call.FamilyResponses, status: 200, ct: sse, body: []byte(rsp), complete: true})
	if !c.StreamComplete || !reflect.DeepEqual(c.MissingFields, []string{"response.usage"}) {
		t.Fatalf("responses stream without usage: %+v", c)
	}
}

func TestNonJSONBodies(t *testing.T) {
	cases := []struct {
		family  call.Family
		status  int
		body    string
		jsonErr bool
	}{
		{call.FamilyChatCompletions, 200, "<html>oops</html>", true},
		{call.FamilyChatCompletions, 200, "", true},
		{call.FamilyChatCompletions, 200, "   \n", true},
		{call.FamilyChatCompletions, 204, "", false},
		{call.FamilyMessages, 502, "Bad Gateway", true},
		{call.FamilyMessages, 400, `{"type":"error","error":{"type":"invalid_request_error","message":"x"}}`, false},
		{call.FamilyUnknown, 200, "plain text", false},
		{call.FamilyModels, 200, `{"data":[]`, true},
		{call.FamilyEmbeddings, 200, `{"data":[]} trailing`, true},
	}
	for _, tc := range cases {
		c := parseAllWays(t, reply{family: tc.family, status: tc.status, ct: "text/plain", body: []byte(tc.body), complete: true})
		if c.ResponseJSONError != tc.jsonErr {
			t.Errorf("%s %d %q: json error %v", tc.family, tc.status, tc.body, c.ResponseJSONError)
		}
	}
	// A documented-JSON family answering with an event stream.
	c := parseAllWays(t, reply{family: call.FamilyCountTokens, status: 200, ct: sse, body: []byte("data: {}\n\n"), complete: true})
	if !c.ResponseJSONError {
		t.Fatal("count_tokens answered with an event stream not flagged")
	}
}

func TestStreamErrors(t *testing.T) {
	cases := []struct {
		family        call.Family
		stream        string
		errType, code string
		reasons       []string
		complete      bool
	}{
		{call.FamilyMessages, "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"m\",\"model\":\"x\",\"usage\":{\"input_tokens\":1}}}\n\n" +
			"event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded sk-canary-x\"}}\n\n",
			"overloaded_error", "", nil, false},
		{call.FamilyResponses, "event: error\ndata: {\"type\":\"error\",\"code\":\"ERR_SOMETHING\",\"message\":\"Something happened sk-canary-y\",\"param\":null,\"sequence_number\":1}\n\n",
			"", "ERR_SOMETHING", nil, false},
		{call.FamilyResponses, "event: response.failed\ndata: {\"type\":\"response.failed\",\"response\":{\"id\":\"r\",\"model\":\"m\",\"status\":\"failed\",\"error\":{\"code\":\"server_error\",\"message\":\"sk-canary-z\"},\"usage\":null}}\n\n",
			"", "server_error", []string{"error"}, true},
		{call.FamilyResponses, "event: response.incomplete\ndata: {\"type\":\"response.incomplete\",\"response\":{\"id\":\"r\",\"model\":\"m\",\"status\":\"incomplete\",\"incomplete_details\":{\"reason\":\"max_output_tokens\"},\"usage\":{\"input_tokens\":5,\"output_tokens\":7}}}\n\n",
			"", "", []string{"length"}, true},
		{call.FamilyResponses, "event: response.completed\ndata: {\"type\":\"response.completed\",\"response\":{\"id\":\"r\",\"model\":\"m\",\"status\":\"completed\",\"output\":[{\"type\":\"reasoning\",\"id\":\"rs\"},{\"type\":\"function_call\",\"id\":\"fc\",\"name\":\"shell\"}],\"usage\":{\"input_tokens\":5,\"output_tokens\":7}}}\n\n",
			"", "", []string{"tool_calls"}, true},
		{call.FamilyResponses, "event: response.incomplete\ndata: {\"type\":\"response.incomplete\",\"response\":{\"id\":\"r\",\"model\":\"m\",\"status\":\"incomplete\",\"incomplete_details\":{\"reason\":\"content_filter\"},\"usage\":{\"input_tokens\":5,\"output_tokens\":0}}}\n\n",
			"", "", []string{"content_filter"}, true},
		{call.FamilyChatCompletions, "data: {\"id\":\"c\",\"model\":\"m\",\"choices\":[]}\n\ndata: {\"error\":{\"message\":\"sk-canary-w\",\"type\":\"server_error\",\"code\":null}}\n\n",
			"server_error", "", nil, false},
		{call.FamilyGemini, "data: {\"error\":{\"code\":503,\"message\":\"The model is overloaded. sk-canary-v\",\"status\":\"UNAVAILABLE\"}}\r\n\r\n",
			"UNAVAILABLE", "503", nil, false},
	}
	for _, tc := range cases {
		c := parseAllWays(t, reply{family: tc.family, status: 200, ct: sse, body: []byte(tc.stream), complete: true})
		if c.UpstreamErrorType != tc.errType || c.UpstreamErrorCode != tc.code || !reflect.DeepEqual(c.FinishReasons, tc.reasons) || c.StreamComplete != tc.complete {
			t.Errorf("%s: %+v", tc.family, c)
		}
	}
}

// TestEventsWithoutEventLines reads Responses and Messages streams that name
// their events only in the data's "type".
func TestEventsWithoutEventLines(t *testing.T) {
	for _, tc := range []struct {
		name   string
		family call.Family
	}{{"responses_stream.sse", call.FamilyResponses}, {"messages_stream.sse", call.FamilyMessages}} {
		var b strings.Builder
		for _, line := range strings.SplitAfter(string(fixture(t, tc.name)), "\n") {
			if !strings.HasPrefix(line, "event:") {
				b.WriteString(line)
			}
		}
		named := parseAllWays(t, reply{family: tc.family, status: 200, ct: sse, body: fixture(t, tc.name), complete: true})
		unnamed := parseAllWays(t, reply{family: tc.family, status: 200, ct: sse, body: []byte(b.String()), complete: true})
		if !reflect.DeepEqual(named, unnamed) {
			t.Fatalf("%s without event lines:\n got %+v\nwant %+v", tc.name, unnamed, named)
		}
	}
}

func TestErrorTokensAreSanitized(t *testing.T) {
	body := `{"error":{"type":"sk-canary-as-type-0123","code":"has spaces and text","message":"sk-canary-msg"}}`
	c := parseAllWays(t, reply{family: call.FamilyChatCompletions, status: 400, ct: jsct, body: []byte(body), complete: true})
	if c.UpstreamErrorType != "" || c.UpstreamErrorCode != "" {
		t.Fatalf("unsafe error tokens kept: %q %q", c.UpstreamErrorType, c.UpstreamErrorCode)
	}
	long := `{"error":{"type":"` + strings.Repeat("a", 65) + `","code":"key-abc"}}`
	c = parseAllWays(t, reply{family: call.FamilyChatCompletions, status: 400, ct: jsct, body: []byte(long), complete: true})
	if c.UpstreamErrorType != "" || c.UpstreamErrorCode != "" {
		t.Fatalf("long or key-shaped tokens kept: %q %q", c.UpstreamErrorType, c.UpstreamErrorCode)
	}
}

func TestUndecodableBodies(t *testing.T) {
	body := fixture(t, "chat.json")
	c := parseAllWays(t, reply{family: call.FamilyChatCompletions, status: 200, ct: jsct, ce: "compress", body: body, complete: true})
	if !c.ResponseUnparsed || c.ResponseJSONError || c.ResponseID != "" {
		t.Fatalf("unknown encoding: %+v", c)
	}
	gz := encode(t, "gzip", body)
	gz[len(gz)/2] ^= 0xff
	gz[len(gz)/2+1] ^= 0xff
	if c := parse(reply{family: call.FamilyChatCompletions, status: 200, ct: jsct, ce: "gzip", body: gz, complete: true}, whole); !c.ResponseUnparsed || c.ResponseJSONError {
		t.Fatalf("corrupt gzip read as fine: %+v", c)
	}
	if c := parse(reply{family: call.FamilyChatCompletions, status: 200, ct: jsct, ce: "gzip", body: []byte("not gzip"), complete: true}, whole); !c.ResponseUnparsed {
		t.Fatalf("non-gzip body under gzip: %+v", c)
	}
	// A compressed stream cut short is incomplete, not unparsed.
	stream := fixture(t, "chat_stream.sse")
	lines := bytes.SplitAfter(stream, []byte("\n\n"))
	long := append(bytes.Join(lines[:2], nil), bytes.Repeat(lines[3], 5000)...)
	long = append(long, bytes.Join(lines[len(lines)-4:], nil)...)
	st := encode(t, "gzip", long)
	c = parseAllWays(t, reply{family: call.FamilyChatCompletions, status: 200, ct: sse, ce: "gzip", body: st[:len(st)/2], complete: false})
	if c.ResponseUnparsed || c.StreamComplete || c.ResponseID == "" {
		t.Fatalf("cut gzip stream: %+v", c)
	}
}

func TestOversizeBodies(t *testing.T) {
	big := `{"id":"c","model":"m","choices":[{"index":0,"message":{"content":"` + strings.Repeat("y", maxJSONBytes) + `"},"finish_reason":"stop"}]}`
	c := parse(reply{family: call.FamilyChatCompletions, status: 200, ct: jsct, body: []byte(big), complete: true}, randomSplit(5))
	if !c.ResponseUnparsed || c.ResponseJSONError || len(c.MissingFields) > 0 {
		t.Fatalf("oversize JSON: %+v", c)
	}
	// An oversize terminal event of a named stream still ends it.
	rsp := "event: response.created\ndata: {\"type\":\"response.created\",\"response\":{\"id\":\"r\",\"model\":\"m\"}}\n\n" +
		"event: response.completed\ndata: {\"type\":\"response.completed\",\"response\":{\"output\":\"" + strings.Repeat("z", maxEventBytes) + "\"}}\n\n"
	c = parse(reply{family: call.FamilyResponses, status: 200, ct: sse, body: []byte(rsp), complete: true}, randomSplit(6))
	if !c.StreamComplete || !c.ResponseUnparsed || c.SkippedEvents != 1 || c.ResponseID != "r" {
		t.Fatalf("oversize terminal event: %+v", c)
	}
	// An oversize content delta costs nothing but the count.
	msgs := string(fixture(t, "messages_stream.sse"))
	i := strings.Index(msgs, "event: content_block_stop")
	huge := "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"" + strings.Repeat("w", maxEventBytes) + "\"}}\n\n"
	c = parse(reply{family: call.FamilyMessages, status: 200, ct: sse, body: []byte(msgs[:i] + huge + msgs[i:]), complete: true}, randomSplit(7))
	if !c.StreamComplete || c.ResponseUnparsed || c.SkippedEvents != 1 || c.Usage.Output != 89 {
		t.Fatalf("oversize delta: %+v", c)
	}
}
