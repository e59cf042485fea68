package gateway

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// recorder is an sseSink that keeps what it was given.
type recorder struct {
	events  []string
	dropped []string
}

func (r *recorder) event(name, data []byte) {
	r.events = append(r.events, fmt.Sprintf("%s|%s", name, data))
}
func (r *recorder) skipped(name []byte) { r.dropped = append(r.dropped, string(name)) }

func sseEvents(cut func([]byte) [][]byte, stream string) *recorder {
	r := &recorder{}
	s := &sseParser{sink: r}
	for _, p := range cut([]byte(stream)) {
		s.write(p)
	}
	s.end()
	return r
}

func TestSSEFollowsTheStandard(t *testing.T) {
	cases := []struct {
		name, stream string
		events       []string
	}{
		{"lf", "event: a\ndata: 1\n\ndata: 2\n\n", []string{"a|1", "|2"}},
		{"crlf", "event: a\r\ndata: 1\r\n\r\ndata: 2\r\n\r\n", []string{"a|1", "|2"}},
		{"cr", "event: a\rdata: 1\r\rdata: 2\r\r", []string{"a|1", "|2"}},
		{"mixed line ends", "data: 1\r\n\rdata: 2\n\r\n", []string{"|1", "|2"}},
		{"multi-line data joined with LF", "data: a\ndata:b\ndata:  c\n\n", []string{"|a\nb\n c"}},
		{"comments ignored", ": keep-alive\n:\ndata: x\n: mid\n\n", []string{"|x"}},
		{"field without colon", "data\n\n", []string{"|"}},
		{"empty data dispatches", "data:\n\n", []string{"|"}},
		{"no data, no dispatch, name reset", "event: a\n\ndata: x\n\n", []string{"|x"}},
		{"unknown fields ignored", "id: 7\nretry: 10\nfoo: bar\ndata: x\n\n", []string{"|x"}},
		{"value keeps colons", "data: {\"a\":1}\n\n", []string{`|{"a":1}`}},
		{"only one space stripped", "event:  sp\ndata:x\n\n", []string{" sp|x"}},
		{"bom stripped", "\xef\xbb\xbfdata: x\n\n", []string{"|x"}},
		{"only one bom stripped", "\xef\xbb\xbf\xef\xbb\xbfdata: x\n\n", nil},
		{"partial bom kept", "\xef\xbbdata: x\n\n", nil},
		{"pending event discarded at end", "data: x\n\ndata: y\n", []string{"|x"}},
		{"field names are case sensitive", "Data: x\n\n", nil},
		{"event name applies once", "event: a\ndata: 1\n\ndata: 2\n\n", []string{"a|1", "|2"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for _, sp := range splitters {
				got := sseEvents(sp.cut, tc.stream)
				if !reflect.DeepEqual(got.events, tc.events) {
					t.Fatalf("%s: events %q, want %q", sp.name, got.events, tc.events)
				}
			}
		})
	}
}

// TestSSEOversizeEventSkipped proves an event over the bound is dropped and
// counted, the events around it are read, and buffers stay bounded.
func TestSSEOversizeEventSkipped(t *testing.T) {
	big := strings.Repeat("x", maxEventBytes)
	for _, stream := range []string{
		"data: 1\n\nevent: huge\ndata: " + big + "\n\ndata: 2\n\n",                                                        // one long line
		"data: 1\n\nevent: huge\ndata: " + big[:maxEventBytes/2] + "\ndata: " + big[:maxEventBytes/2] + "\n\ndata: 2\n\n", // lines adding up
	} {
		for _, sp := range []splitter{{"whole", whole}, {"random", randomSplit(9)}} {
			r := &recorder{}
			s := &sseParser{sink: r}
			for _, p := range sp.cut([]byte(stream)) {
				s.write(p)
			}
			if !reflect.DeepEqual(r.events, []string{"|1", "|2"}) || !reflect.DeepEqual(r.dropped, []string{"huge"}) {
				t.Fatalf("%s: events %q skipped %q", sp.name, r.events, r.dropped)
			}
			if cap(s.line) > maxEventBytes || cap(s.data) > maxEventBytes {
				t.Fatalf("%s: buffers grew past the bound: line %d data %d", sp.name, cap(s.line), cap(s.data))
			}
		}
	}
}

func TestAppendCappedNeverGrowsPastLimit(t *testing.T) {
	var b []byte
	ok := true
	for i := 0; ok; i++ {
		b, ok = appendCapped(b, make([]byte, 1+i%700), 10000)
		if cap(b) > 10000 {
			t.Fatalf("cap %d past limit", cap(b))
		}
	}
	if len(b) > 10000 {
		t.Fatalf("len %d past limit", len(b))
	}
}
