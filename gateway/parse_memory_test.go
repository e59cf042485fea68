package gateway

import (
	"bytes"
	"strings"
	"testing"

	"github.com/agentwrap/agentwrap/call"
)

const bigStream = 64 << 20

// feedStream writes about n bytes of a stream to p in 32 KiB writes: unit
// repeated, with head before and tail after.
func feedStream(p responseParser, head, unit, tail []byte, n int) {
	_, _ = p.Write(head)
	chunk := bytes.Repeat(unit, max(1, (32<<10)/len(unit)))
	for sent := 0; sent < n; sent += len(chunk) {
		_, _ = p.Write(chunk)
	}
	_, _ = p.Write(tail)
}

// TestLongStreamKeepsBuffersBounded streams 64 MiB through each framing and
// checks the capacity of every buffer the parser holds afterwards.
func TestLongStreamKeepsBuffersBounded(t *testing.T) {
	chat := fixture(t, "chat_stream.sse")
	events := bytes.SplitAfter(chat, []byte("\n\n"))
	head, delta := bytes.Join(events[:1], nil), events[1]
	tail := bytes.Join(events[len(events)-4:], nil)

	t.Run("many events", func(t *testing.T) {
		p := newResponseParser(call.FamilyChatCompletions, 200, sse, "").(*bodyParser)
		feedStream(p, head, delta, tail, bigStream)
		assertSSEBounded(t, p)
		c := &call.Call{Usage: call.NoUsage()}
		p.finish(c, true)
		if !c.StreamComplete || c.Usage.Input != 1117 {
			t.Fatalf("long stream: %+v", c)
		}
	})
	t.Run("one endless event", func(t *testing.T) {
		p := newResponseParser(call.FamilyChatCompletions, 200, sse, "").(*bodyParser)
		feedStream(p, []byte("data: {\"x\":\""), []byte("endless text without a newline "), nil, bigStream)
		assertSSEBounded(t, p)
	})
	t.Run("one endless data field over many lines", func(t *testing.T) {
		p := newResponseParser(call.FamilyMessages, 200, sse, "").(*bodyParser)
		feedStream(p, []byte("event: content_block_delta\n"), []byte("data: more\n"), []byte("\n"), bigStream)
		assertSSEBounded(t, p)
		if p.res.skippedEvents != 1 {
			t.Fatalf("skipped %d", p.res.skippedEvents)
		}
	})
	t.Run("json body", func(t *testing.T) {
		p := newResponseParser(call.FamilyChatCompletions, 200, jsct, "").(*bodyParser)
		feedStream(p, []byte(`{"choices":[{"message":{"content":"`), []byte("long content "), []byte(`"}}]}`), bigStream)
		if p.body.buf != nil || !p.body.over {
			t.Fatalf("json buffer kept %d bytes", cap(p.body.buf))
		}
	})
	t.Run("compressed body", func(t *testing.T) {
		p := newResponseParser(call.FamilyChatCompletions, 200, sse, "gzip").(*bodyParser)
		feedStream(p, nil, []byte(strings.Repeat("\x1f\x8b", 100)), nil, bigStream)
		if p.enc.buf != nil || !p.enc.over {
			t.Fatalf("compressed buffer kept %d bytes", cap(p.enc.buf))
		}
		c := &call.Call{Usage: call.NoUsage()}
		p.finish(c, true)
		if !c.ResponseUnparsed {
			t.Fatal("over-long compressed body not marked unparsed")
		}
	})
}

func assertSSEBounded(t *testing.T, p *bodyParser) {
	t.Helper()
	s := p.events
	if cap(s.line) > maxEventBytes || cap(s.data) > maxEventBytes || cap(s.name) > maxEventName {
		t.Fatalf("buffers past their bounds: line %d data %d name %d", cap(s.line), cap(s.data), cap(s.name))
	}
	if len(p.res.reasons) > maxChoices || len(p.res.missing) > 16 {
		t.Fatalf("result grew: %d reasons, %d missing", len(p.res.reasons), len(p.res.missing))
	}
}

// TestDecompressionBombStops checks that a small compressed body decoding
// to a huge one is cut off at the decoded bound.
func TestDecompressionBombStops(t *testing.T) {
	bomb := encode(t, "gzip", bytes.Repeat([]byte("data: x\n"), (maxDecodedBytes/8)+1024))
	if len(bomb) > maxEncodedBytes {
		t.Fatalf("bomb too large for the test: %d", len(bomb))
	}
	c := parse(reply{family: call.FamilyChatCompletions, status: 200, ct: sse, ce: "gzip", body: bomb, complete: true}, whole)
	if !c.ResponseUnparsed {
		t.Fatalf("decompression bomb read to the end: %+v", c)
	}
}
