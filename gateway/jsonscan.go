package gateway

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"math/bits"
	"slices"
	"sync"
)

// Limits of the top-level key scanner. They bound its memory whatever the
// request size.
const (
	maxScanKeyLen   = 128     // longer keys are truncated
	maxScanKeys     = 128     // keys past this many are not listed
	maxCapturedJSON = 4 << 10 // longest raw value captured for a wanted key
)

// Scanner states.
const (
	scanBegin = iota
	scanKeyOrEnd
	scanKey
	scanColon
	scanValueStart
	scanString
	scanNested
	scanScalar
	scanAfterValue
	scanDone
	scanError
)

// keyScanner reads a JSON document pushed to it in arbitrary pieces and
// records the keys of its top-level object, in order, and the raw text of the
// values of wanted keys. It never holds more than a bounded amount of memory
// and never blocks: the request body it observes streams to the upstream
// while it is scanned. It is safe for one writer and concurrent readers.
type keyScanner struct {
	want func(key string) bool

	mu       sync.Mutex
	state    int
	depth    int  // nesting depth inside a compound value
	inStr    bool // inside a string within a compound value
	esc      bool // previous byte was a backslash inside a string
	key      []byte
	keyRaw   bool // the key holds an escape or a non-ASCII byte
	keyLong  bool // the key was truncated
	capture  bool
	overflow bool
	val      []byte
	keys     []string
	values   []capturedValue
	keyBuf   [16]string
	valBuf   [4]capturedValue
}

// capturedValue is the raw JSON value of a wanted key.
type capturedValue struct {
	key string
	val []byte
}

func newKeyScanner(want func(key string) bool) *keyScanner {
	s := &keyScanner{want: want}
	s.keys, s.values = s.keyBuf[:0], s.valBuf[:0]
	return s
}

// commonKeys are request keys whose names are shared, not allocated, per
// request.
var commonKeys = func() map[string]string {
	m := map[string]string{}
	for _, k := range []string{"model", "stream", "stream_options", "max_tokens", "max_output_tokens",
		"max_completion_tokens", "generationConfig", "generation_config", "messages", "input",
		"instructions", "system", "tools", "tool_choice", "temperature", "top_p", "top_k", "n",
		"stop", "metadata", "user", "reasoning", "reasoning_effort", "response_format", "thinking",
		"contents", "systemInstruction", "parallel_tool_calls", "store", "seed", "text", "include",
		"previous_response_id", "stop_sequences", "encoding_format", "dimensions", "service_tier"} {
		m[k] = k
	}
	return m
}()

// keyString returns the current key as a string, shared when common.
func (s *keyScanner) keyString() string {
	if k, ok := commonKeys[string(s.key)]; ok {
		return k
	}
	return string(s.key)
}

// Write scans p. It always reports len(p), nil.
func (s *keyScanner) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := 0; i < len(p) && s.state != scanError; i++ {
		if !s.capture && !s.esc {
			if i += s.skip(p[i:]); i == len(p) {
				break
			}
		}
		s.step(p[i])
	}
	return len(p), nil
}

// Bytes that may change the scanner's state inside a string value, inside
// a string within a nested value, and elsewhere in a nested value.
var stringStops, nestedStringStops, nestedStops [256]bool

func init() {
	for b := range 0x20 {
		stringStops[b] = true
	}
	for _, b := range []byte{'"', '\\'} {
		stringStops[b], nestedStringStops[b] = true, true
	}
	for _, b := range []byte{'"', '{', '[', '}', ']'} {
		nestedStops[b] = true
	}
}

// skip returns the number of leading bytes of p that step would pass over
// without a change: the plain bytes of a string or nested value that is not
// captured. Prompts are such values, so a request body is scanned at
// memory speed instead of byte by byte.
func (s *keyScanner) skip(p []byte) int {
	switch {
	case s.state == scanString:
		return skipString(p)
	case s.state == scanNested && s.inStr:
		return skipQuoted(p)
	case s.state == scanNested:
		return skipStops(p, &nestedStops)
	}
	return 0
}

// skipStops returns the number of leading bytes of p that are not stops.
func skipStops(p []byte, stops *[256]bool) int {
	n := 0
	for n < len(p) && !stops[p[n]] {
		n++
	}
	return n
}

// skipQuoted is skipStops for nestedStringStops: the bytes before the
// first quote or backslash, found with the vectorised bytes.IndexByte.
func skipQuoted(p []byte) int {
	n := bytes.IndexByte(p, '"')
	if n < 0 {
		n = len(p)
	}
	if b := bytes.IndexByte(p[:n], '\\'); b >= 0 {
		return b
	}
	return n
}

// skipString is skipStops for stringStops, eight bytes at a time: a word
// holds a stop when one of its bytes is a quote, a backslash or below 0x20.
// The lowest flagged byte of each test is exact (a false flag only ever
// sits above a true one), so the lowest of all is the first stop.
func skipString(p []byte) int {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	n := 0
	for ; n+8 <= len(p); n += 8 {
		x := binary.LittleEndian.Uint64(p[n:])
		q, b := x^(ones*'"'), x^(ones*'\\')
		if m := ((q-ones)&^q | (b-ones)&^b | (x-ones*0x20)&^x) & highs; m != 0 {
			return n + bits.TrailingZeros64(m)/8
		}
	}
	return n + skipStops(p[n:], &stringStops)
}

func isJSONSpace(b byte) bool { return b == ' ' || b == '\t' || b == '\n' || b == '\r' }

func (s *keyScanner) step(b byte) {
	switch s.state {
	case scanBegin:
		switch {
		case isJSONSpace(b):
		case b == '{':
			s.state = scanKeyOrEnd
		default:
			s.state = scanError
		}
	case scanKeyOrEnd:
		switch {
		case isJSONSpace(b):
		case b == '"':
			s.key = s.key[:0]
			s.esc, s.keyRaw, s.keyLong = false, false, false
			s.state = scanKey
		case b == '}' && len(s.keys) == 0:
			s.state = scanDone
		default:
			s.state = scanError
		}
	case scanKey:
		s.stepKey(b)
	case scanColon:
		switch {
		case isJSONSpace(b):
		case b == ':':
			s.state = scanValueStart
		default:
			s.state = scanError
		}
	case scanValueStart:
		s.stepValueStart(b)
	case scanString:
		s.appendVal(b)
		switch {
		case s.esc:
			s.esc = false
		case b == '\\':
			s.esc = true
		case b == '"':
			s.endValue(scanAfterValue)
		case b < 0x20:
			s.state = scanError
		}
	case scanNested:
		s.stepNested(b)
	case scanScalar:
		switch {
		case isJSONSpace(b):
			s.endValue(scanAfterValue)
		case b == ',':
			s.endValue(scanKeyOrEnd)
		case b == '}':
			s.endValue(scanDone)
		default:
			s.appendVal(b)
		}
	case scanAfterValue:
		switch {
		case isJSONSpace(b):
		case b == ',':
			s.state = scanKeyOrEnd
		case b == '}':
			s.state = scanDone
		default:
			s.state = scanError
		}
	case scanDone:
		if !isJSONSpace(b) {
			s.state = scanError
		}
	}
}

func (s *keyScanner) stepKey(b byte) {
	switch {
	case s.esc:
		s.esc = false
	case b == '\\':
		s.esc, s.keyRaw = true, true
	case b == '"':
		s.state = scanColon
		s.decodeKey()
		return
	case b < 0x20:
		s.state = scanError
		return
	case b >= 0x80:
		s.keyRaw = true
	}
	if len(s.key) < maxScanKeyLen {
		s.key = append(s.key, b)
	} else {
		s.keyLong = true
	}
}

// decodeKey replaces a key that holds escapes or non-ASCII bytes by its
// decoded form, the name a JSON decoder (and the upstream) sees: a
// "max\u005ftokens" key is max_tokens. A truncated key is left as read.
func (s *keyScanner) decodeKey() {
	if !s.keyRaw || s.keyLong {
		return
	}
	quoted := make([]byte, 0, len(s.key)+2)
	quoted = append(append(append(quoted, '"'), s.key...), '"')
	var k string
	if json.Unmarshal(quoted, &k) != nil {
		s.state = scanError
		return
	}
	s.key = append(s.key[:0], k...)
}

func (s *keyScanner) stepValueStart(b byte) {
	if isJSONSpace(b) {
		return
	}
	k := s.keyString()
	if len(s.keys) < maxScanKeys {
		s.keys = append(s.keys, k)
	}
	s.capture = s.want != nil && s.want(k)
	s.overflow = false
	s.val = s.val[:0]
	s.appendVal(b)
	switch b {
	case '"':
		s.esc = false
		s.state = scanString
	case '{', '[':
		s.depth, s.inStr, s.esc = 1, false, false
		s.state = scanNested
	case ',', '}', ':', ']':
		s.state = scanError
	default:
		s.state = scanScalar
	}
}

func (s *keyScanner) stepNested(b byte) {
	s.appendVal(b)
	if s.inStr {
		switch {
		case s.esc:
			s.esc = false
		case b == '\\':
			s.esc = true
		case b == '"':
			s.inStr = false
		}
		return
	}
	switch b {
	case '"':
		s.inStr = true
	case '{', '[':
		s.depth++
	case '}', ']':
		s.depth--
		if s.depth == 0 {
			s.endValue(scanAfterValue)
		}
	}
}

func (s *keyScanner) appendVal(b byte) {
	if !s.capture {
		return
	}
	if len(s.val) >= maxCapturedJSON {
		s.overflow = true
		return
	}
	s.val = append(s.val, b)
}

func (s *keyScanner) endValue(next int) {
	if s.capture {
		// A repeated key's value is its last one: an earlier capture is
		// stale.
		s.values = slices.DeleteFunc(s.values, func(v capturedValue) bool { return v.key == string(s.key) })
		if !s.overflow {
			s.values = append(s.values, capturedValue{key: s.keyString(), val: slices.Clone(s.val)})
		}
	}
	s.capture = false
	s.state = next
}

// Keys returns the top-level keys seen so far, in order.
func (s *keyScanner) Keys() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.keys...)
}

// Value returns the raw JSON text of a wanted key's value, if it was seen
// whole and within the capture limit.
func (s *keyScanner) Value(key string) ([]byte, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, v := range s.values {
		if v.key == key {
			return v.val, true
		}
	}
	return nil, false
}

// Valid reports whether everything scanned so far is (the start of) a JSON
// object.
func (s *keyScanner) Valid() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.state != scanError
}

// Complete reports whether a whole top-level object was scanned.
func (s *keyScanner) Complete() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.state == scanDone
}
