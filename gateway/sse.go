package gateway

import "bytes"

// Bounds of the event-stream parser.
const (
	maxEventBytes = 256 << 10 // data of one event, and one line
	maxEventName  = 128       // longer event names are truncated
)

// sseSink receives the events an sseParser dispatches.
type sseSink interface {
	// event receives one event: its type ("" when the stream named none)
	// and its data, without the final newline. Both are only valid during
	// the call.
	event(name, data []byte)
	// skipped is told of an event whose data was over maxEventBytes; its
	// data was dropped unread.
	skipped(name []byte)
}

// sseParser splits a text/event-stream into events as the WHATWG HTML
// standard's "Parsing an event stream" section describes: an optional
// leading BOM; lines ending in CRLF, LF or CR; comment lines starting with a
// colon; `field: value` lines whose value loses one leading space; data
// lines joined with LF; dispatch on a blank line; an event cut off by the
// end of the stream is discarded. It holds at most one line and one event's
// data, each bounded by maxEventBytes.
type sseParser struct {
	sink sseSink

	bomSeen  int  // BOM bytes matched so far
	started  bool // the BOM check is over
	lastCR   bool // the previous byte ended a line with CR
	line     []byte
	lineOver bool // the pending line was longer than maxEventBytes
	name     []byte
	data     []byte
	dataOver bool // the pending event's data was over maxEventBytes
	hasData  bool // a data field was seen for the pending event
}

const utf8BOM = "\xef\xbb\xbf"

// write parses p.
func (s *sseParser) write(p []byte) {
	if !s.started {
		p = s.stripBOM(p)
	}
	for len(p) > 0 {
		if s.lastCR {
			s.lastCR = false
			if p[0] == '\n' {
				p = p[1:]
				continue
			}
		}
		i := indexEOL(p)
		if i < 0 {
			s.appendLine(p)
			return
		}
		if len(s.line) == 0 && !s.lineOver {
			s.processLine(p[:i], false)
		} else {
			s.appendLine(p[:i])
			s.processLine(s.line, s.lineOver)
			s.line, s.lineOver = s.line[:0], false
		}
		s.lastCR = p[i] == '\r'
		p = p[i+1:]
	}
}

// stripBOM drops a UTF-8 BOM at the start of the stream, even when it
// arrives split over several writes.
func (s *sseParser) stripBOM(p []byte) []byte {
	for len(p) > 0 && s.bomSeen < len(utf8BOM) {
		if p[0] != utf8BOM[s.bomSeen] {
			s.started = true
			n := s.bomSeen
			s.bomSeen = 0
			s.write([]byte(utf8BOM[:n]))
			return p
		}
		s.bomSeen++
		p = p[1:]
	}
	if s.bomSeen == len(utf8BOM) {
		s.started = true
	}
	return p
}

// indexEOL returns the index of the first CR or LF in p, or -1.
func indexEOL(p []byte) int {
	i := bytes.IndexByte(p, '\n')
	if i < 0 {
		return bytes.IndexByte(p, '\r')
	}
	if j := bytes.IndexByte(p[:i], '\r'); j >= 0 {
		return j
	}
	return i
}

func (s *sseParser) appendLine(p []byte) {
	if s.lineOver {
		return
	}
	var ok bool
	s.line, ok = appendCapped(s.line, p, maxEventBytes)
	s.lineOver = !ok
}

func (s *sseParser) processLine(line []byte, over bool) {
	if len(line) == 0 {
		s.dispatch()
		return
	}
	if line[0] == ':' {
		return
	}
	field, value := line, []byte(nil)
	if i := bytes.IndexByte(line, ':'); i >= 0 {
		field, value = line[:i], line[i+1:]
		if len(value) > 0 && value[0] == ' ' {
			value = value[1:]
		}
	}
	switch string(field) {
	case "event":
		s.name = append(s.name[:0], value[:min(len(value), maxEventName)]...)
	case "data":
		s.addData(value, over)
	}
}

func (s *sseParser) addData(value []byte, over bool) {
	s.hasData = true
	if s.dataOver {
		return
	}
	if over || len(s.data)+len(value)+1 > maxEventBytes {
		s.dataOver = true
		s.data = s.data[:0]
		return
	}
	s.data = growCapped(s.data, len(value)+1, maxEventBytes)
	s.data = append(append(s.data, value...), '\n')
}

func (s *sseParser) dispatch() {
	switch {
	case s.dataOver:
		s.sink.skipped(s.name)
	case s.hasData:
		s.sink.event(s.name, s.data[:len(s.data)-1])
	}
	s.name, s.data = s.name[:0], s.data[:0]
	s.hasData, s.dataOver = false, false
}

// end is called at the end of the stream: a pending event is discarded.
func (s *sseParser) end() {
	if !s.started && s.bomSeen > 0 {
		s.started = true
		n := s.bomSeen
		s.bomSeen = 0
		s.write([]byte(utf8BOM[:n]))
	}
	s.line, s.data = s.line[:0], s.data[:0]
	s.hasData, s.dataOver, s.lineOver = false, false, false
}

// appendCapped appends p to dst unless the result would be longer than
// limit. It reports whether p was appended. dst's capacity never grows past
// limit.
func appendCapped(dst, p []byte, limit int) ([]byte, bool) {
	if len(dst)+len(p) > limit {
		return dst, false
	}
	return append(growCapped(dst, len(p), limit), p...), true
}

// growCapped returns dst with room for n more bytes, at most doubling its
// capacity and never past limit (the caller checked len(dst)+n <= limit).
func growCapped(dst []byte, n, limit int) []byte {
	need := len(dst) + n
	if need <= cap(dst) {
		return dst
	}
	c := min(max(2*cap(dst), need, 512), limit)
	grown := make([]byte, len(dst), c)
	copy(grown, dst)
	return grown
}
