package gateway

import (
	"bytes"
	"testing"

	"github.com/agentwrap/agentwrap/call"
)

// benchReply measures one whole observation: a new parser, the body written
// as the network would deliver it (per event for streams, 4 KiB pieces for
// bodies), and finish into a record.
func benchReply(b *testing.B, family call.Family, ct, ce string, body []byte) {
	var pieces [][]byte
	if ct == sse && ce == "" {
		pieces = bytes.SplitAfter(body, []byte("\n\n"))
	} else {
		for rest := body; len(rest) > 0; {
			n := min(len(rest), 4<<10)
			pieces = append(pieces, rest[:n])
			rest = rest[n:]
		}
	}
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		p := newResponseParser(family, 200, ct, ce)
		for _, piece := range pieces {
			_, _ = p.Write(piece)
		}
		c := call.Call{Usage: call.NoUsage()}
		p.finish(&c, true)
	}
}

func BenchmarkChatStream(b *testing.B) {
	benchReply(b, call.FamilyChatCompletions, sse, "", fixture(b, "chat_stream.sse"))
}

func BenchmarkChatJSON(b *testing.B) {
	benchReply(b, call.FamilyChatCompletions, jsct, "", fixture(b, "chat.json"))
}

func BenchmarkResponsesStream(b *testing.B) {
	benchReply(b, call.FamilyResponses, sse, "", fixture(b, "responses_stream.sse"))
}

func BenchmarkResponsesJSON(b *testing.B) {
	benchReply(b, call.FamilyResponses, jsct, "", fixture(b, "responses.json"))
}

func BenchmarkMessagesStream(b *testing.B) {
	benchReply(b, call.FamilyMessages, sse, "", fixture(b, "messages_stream.sse"))
}

func BenchmarkMessagesJSON(b *testing.B) {
	benchReply(b, call.FamilyMessages, jsct, "", fixture(b, "messages.json"))
}

func BenchmarkGeminiStream(b *testing.B) {
	benchReply(b, call.FamilyGemini, sse, "", fixture(b, "gemini_stream.sse"))
}

func BenchmarkErrorJSON(b *testing.B) {
	benchReply(b, call.FamilyChatCompletions, jsct, "", fixture(b, "error_openai.json"))
}

func BenchmarkChatStreamGzip(b *testing.B) {
	benchReply(b, call.FamilyChatCompletions, sse, "gzip", encode(b, "gzip", fixture(b, "chat_stream.sse")))
}

// BenchmarkLongChatStream is a 1000-delta reply (about 250 KiB).
func BenchmarkLongChatStream(b *testing.B) {
	events := bytes.SplitAfter(fixture(b, "chat_stream.sse"), []byte("\n\n"))
	body := append(bytes.Join(events[:2], nil), bytes.Repeat(events[2], 1000)...)
	body = append(body, bytes.Join(events[len(events)-4:], nil)...)
	benchReply(b, call.FamilyChatCompletions, sse, "", body)
}
