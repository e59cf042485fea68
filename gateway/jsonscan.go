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

// Scanner states. The scanner is a pushdown automaton for the JSON grammar
// (RFC 8259, as encoding/json reads it) whose document must be an object.
const (
	scanBegin        = iota // before the top-level object
	scanKeyOrEnd            // after '{': a key or '}'
	scanKey                 // after ',' in an object: a key
	scanColon               // after a key
	scanValue               // after ':' or ',' in an array: a value
	scanElemOrEnd           // after '[': a value or ']'
	scanAfterValue          // after a value: ',' or the container's end
	scanString              // in a string (a key or a value)
	scanLiteral             // in true, false or null
	scanNumMinus            // after '-': a digit
	scanNumZero             // after a leading 0: '.', 'e' or the end
	scanNumInt              // in the integer digits
	scanNumDot              // after '.': a digit
	scanNumFrac             // in the fraction digits
	scanNumExp              // after 'e': a sign or a digit
	scanNumExpSign          // after the exponent's sign: a digit
	scanNumExpDigits        // in the exponent digits
	scanDone                // after the top-level object: only space
	scanError
)

// maxScanDepth is the deepest nesting the scanner accepts, encoding/json's
// own limit: a deeper document is not valid JSON to it either.
const maxScanDepth = 10000

// keyScanner reads a JSON document pushed to it in arbitrary pieces and
// records the keys of its top-level object, in order, and the raw text of the
// values of wanted keys. It checks the whole document against the JSON
// grammar, exactly as encoding/json.Valid does, and accepts only an object
// at the top. It never holds more than a bounded amount of memory (one bit
// per nesting level up to maxScanDepth) and never blocks: the request body
// it observes streams to the upstream while it is scanned. It is safe for
// one writer and concurrent readers.
type keyScanner struct {
	want func(key string) bool

	mu    sync.Mutex
	state int
	// depth is the number of open containers, the top-level object
	// included; arrays has bit d-1 set when container d is an array.
	depth  int
	arrays []uint64
	// In a string: isKey when it is an object's key, inKey when it is a
	// key of the top-level object; esc after a backslash; hex counts the
	// hex digits of a \u escape still to come.
	isKey bool
	inKey bool
	esc   bool
	hex   int
	// lit is the rest of a literal being read.
	lit      string
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
	arrBuf   [2]uint64
}

// capturedValue is the raw JSON value of a wanted key.
type capturedValue struct {
	key string
	val []byte
}

func newKeyScanner(want func(key string) bool) *keyScanner {
	s := &keyScanner{}
	s.init(want)
	return s
}

// init readies a zero keyScanner, one held in a larger struct, to scan for
// the keys want accepts.
func (s *keyScanner) init(want func(key string) bool) {
	s.want = want
	s.keys, s.values, s.arrays = s.keyBuf[:0], s.valBuf[:0], s.arrBuf[:]
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
		if !s.capture {
			if i += s.skip(p[i:]); i == len(p) {
				break
			}
		}
		s.step(p[i])
	}
	return len(p), nil
}

// Bytes that end a run of plain string bytes: a quote, a backslash, and
// the control characters a string must not hold.
var stringStops [256]bool

func init() {
	for b := range 0x20 {
		stringStops[b] = true
	}
	stringStops['"'], stringStops['\\'] = true, true
}

// skip returns the number of leading bytes of p that step would pass over
// without a change: the plain bytes of a string value (not a top-level
// key, not after a backslash) and the space between tokens. Prompts are
// such strings, so a request body is scanned at memory speed instead of
// byte by byte.
func (s *keyScanner) skip(p []byte) int {
	switch s.state {
	case scanString:
		if s.inKey || s.esc || s.hex > 0 {
			return 0
		}
		return skipString(p)
	case scanKeyOrEnd, scanKey, scanColon, scanValue, scanElemOrEnd, scanAfterValue, scanDone, scanBegin:
		n := 0
		for n < len(p) && isJSONSpace(p[n]) {
			n++
		}
		return n
	}
	return 0
}

// skipString returns the number of leading bytes of p that are not
// stringStops (a quote, a backslash, a control character). It looks at p in
// windows: the
// vectorised bytes.IndexByte finds the first quote and the first backslash
// before it, and firstControl the first control character before that.
// The windows start at 64 bytes and double while they hold no stop, which
// keeps the work linear when a long string holds many escapes (each ends a
// skip) and the calls few when it holds none.
func skipString(p []byte) int {
	n, size := 0, 64
	for n < len(p) {
		w := p[n:min(len(p), n+size)]
		size = min(2*size, 64<<10)
		end := len(w)
		if i := bytes.IndexByte(w, '"'); i >= 0 {
			end = i
		}
		if i := bytes.IndexByte(w[:end], '\\'); i >= 0 {
			end = i
		}
		if i := firstControl(w[:end]); i >= 0 {
			return n + i
		}
		if end < len(w) {
			return n + end
		}
		n += len(w)
	}
	return n
}

// firstControl returns the index of the first byte of p below 0x20, or -1.
// It tests eight bytes at a time: (x - 0x20...) &^ x has the high bit set
// in the lowest byte below 0x20 (a false flag only ever sits above a true
// one).
func firstControl(p []byte) int {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	n := 0
	for ; n+32 <= len(p); n += 32 {
		a := binary.LittleEndian.Uint64(p[n:])
		b := binary.LittleEndian.Uint64(p[n+8:])
		c := binary.LittleEndian.Uint64(p[n+16:])
		d := binary.LittleEndian.Uint64(p[n+24:])
		if ((a-ones*0x20)&^a|(b-ones*0x20)&^b|(c-ones*0x20)&^c|(d-ones*0x20)&^d)&highs != 0 {
			break
		}
	}
	for ; n+8 <= len(p); n += 8 {
		x := binary.LittleEndian.Uint64(p[n:])
		if m := (x - ones*0x20) &^ x & highs; m != 0 {
			return n + bits.TrailingZeros64(m)/8
		}
	}
	for ; n < len(p); n++ {
		if p[n] < 0x20 {
			return n
		}
	}
	return -1
}

func isJSONSpace(b byte) bool { return b == ' ' || b == '\t' || b == '\n' || b == '\r' }

func isDigit(b byte) bool { return b >= '0' && b <= '9' }

// step scans one byte.
func (s *keyScanner) step(b byte) {
	if s.state >= scanNumMinus && s.state <= scanNumExpDigits {
		if s.stepNumber(b) {
			s.appendVal(b)
			return
		}
		// The byte after a number is not part of it: the number ends
		// (when it may end here) and the byte is read after it.
		switch s.state {
		case scanNumMinus, scanNumDot, scanNumExp, scanNumExpSign:
			s.state = scanError
			return
		}
		s.valueDone()
	}
	s.appendVal(b)
	switch s.state {
	case scanBegin:
		switch {
		case isJSONSpace(b):
		case b == '{':
			s.push(false, scanKeyOrEnd)
		default:
			s.state = scanError
		}
	case scanKeyOrEnd, scanKey:
		switch {
		case isJSONSpace(b):
		case b == '"':
			s.startString(true, s.depth == 1)
		case b == '}' && s.state == scanKeyOrEnd:
			s.pop()
		default:
			s.state = scanError
		}
	case scanColon:
		switch {
		case isJSONSpace(b):
		case b == ':':
			s.state = scanValue
		default:
			s.state = scanError
		}
	case scanValue, scanElemOrEnd:
		switch {
		case isJSONSpace(b):
		case b == ']' && s.state == scanElemOrEnd:
			s.pop()
		default:
			if s.depth == 1 {
				s.startMember(b)
			}
			s.startValue(b)
		}
	case scanAfterValue:
		switch {
		case isJSONSpace(b):
		case b == ',' && s.inArray():
			s.state = scanValue
		case b == ',':
			s.state = scanKey
		case b == ']' && s.inArray(), b == '}' && !s.inArray():
			s.pop()
		default:
			s.state = scanError
		}
	case scanString:
		s.stepString(b)
	case scanLiteral:
		if b != s.lit[0] {
			s.state = scanError
			return
		}
		if s.lit = s.lit[1:]; s.lit == "" {
			s.valueDone()
		}
	case scanDone:
		if !isJSONSpace(b) {
			s.state = scanError
		}
	}
}

// startValue reads the first byte of a value.
func (s *keyScanner) startValue(b byte) {
	switch {
	case b == '"':
		s.startString(false, false)
	case b == '{':
		s.push(false, scanKeyOrEnd)
	case b == '[':
		s.push(true, scanElemOrEnd)
	case b == 't':
		s.lit, s.state = "rue", scanLiteral
	case b == 'f':
		s.lit, s.state = "alse", scanLiteral
	case b == 'n':
		s.lit, s.state = "ull", scanLiteral
	case b == '-':
		s.state = scanNumMinus
	case b == '0':
		s.state = scanNumZero
	case isDigit(b):
		s.state = scanNumInt
	default:
		s.state = scanError
	}
}

// stepNumber advances a number by b, reporting false when b cannot
// continue it.
func (s *keyScanner) stepNumber(b byte) bool {
	switch s.state {
	case scanNumMinus:
		switch {
		case b == '0':
			s.state = scanNumZero
		case isDigit(b):
			s.state = scanNumInt
		default:
			return false
		}
	case scanNumZero, scanNumInt:
		switch {
		case isDigit(b) && s.state == scanNumInt:
		case b == '.':
			s.state = scanNumDot
		case b == 'e' || b == 'E':
			s.state = scanNumExp
		default:
			return false
		}
	case scanNumDot, scanNumFrac:
		switch {
		case isDigit(b):
			s.state = scanNumFrac
		case (b == 'e' || b == 'E') && s.state == scanNumFrac:
			s.state = scanNumExp
		default:
			return false
		}
	case scanNumExp:
		switch {
		case b == '+' || b == '-':
			s.state = scanNumExpSign
		case isDigit(b):
			s.state = scanNumExpDigits
		default:
			return false
		}
	case scanNumExpSign, scanNumExpDigits:
		if !isDigit(b) {
			return false
		}
		s.state = scanNumExpDigits
	}
	return true
}

func (s *keyScanner) startString(key, top bool) {
	s.isKey, s.inKey, s.esc, s.hex = key, top, false, 0
	if top {
		s.key = s.key[:0]
		s.keyRaw, s.keyLong = false, false
	}
	s.state = scanString
}

func (s *keyScanner) stepString(b byte) {
	switch {
	case s.hex > 0:
		if !isDigit(b) && (b|0x20 < 'a' || b|0x20 > 'f') {
			s.state = scanError
			return
		}
		s.hex--
	case s.esc:
		switch b {
		case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		case 'u':
			s.hex = 4
		default:
			s.state = scanError
			return
		}
		s.esc = false
	case b == '\\':
		s.esc = true
		s.keyRaw = true
	case b == '"':
		if !s.isKey {
			s.valueDone()
			return
		}
		s.state = scanColon
		if s.inKey {
			s.inKey = false
			s.decodeKey()
		}
		return
	case b < 0x20:
		s.state = scanError
		return
	case b >= 0x80:
		s.keyRaw = true
	}
	if !s.inKey {
		return
	}
	if len(s.key) < maxScanKeyLen {
		s.key = append(s.key, b)
	} else {
		s.keyLong = true
	}
}

// push opens a container at the next depth, to be read in state next.
func (s *keyScanner) push(array bool, next int) {
	if s.depth >= maxScanDepth {
		s.state = scanError
		return
	}
	s.state = next
	w, bit := s.depth/64, uint64(1)<<(s.depth%64)
	if w == len(s.arrays) {
		s.arrays = append(s.arrays, 0)
	}
	if array {
		s.arrays[w] |= bit
	} else {
		s.arrays[w] &^= bit
	}
	s.depth++
}

// pop closes the innermost container: the value it is ends.
func (s *keyScanner) pop() {
	s.depth--
	if s.depth == 0 {
		s.state = scanDone
		return
	}
	s.valueDone()
}

// inArray reports whether the innermost open container is an array.
func (s *keyScanner) inArray() bool {
	d := s.depth - 1
	return s.arrays[d/64]&(uint64(1)<<(d%64)) != 0
}

// valueDone ends a value: a member of the top-level object ends with it
// when the value was that member's.
func (s *keyScanner) valueDone() {
	if s.depth == 1 {
		s.endValue()
	}
	s.state = scanAfterValue
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

// startMember begins the value of a top-level member whose first byte is
// b: the key is listed and the value captured when wanted.
func (s *keyScanner) startMember(b byte) {
	k := s.keyString()
	if len(s.keys) < maxScanKeys {
		s.keys = append(s.keys, k)
	}
	s.capture = s.want != nil && s.want(k)
	s.overflow = false
	s.val = s.val[:0]
	s.appendVal(b)
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

func (s *keyScanner) endValue() {
	if s.capture {
		// A repeated key's value is its last one: an earlier capture is
		// stale.
		s.values = slices.DeleteFunc(s.values, func(v capturedValue) bool { return v.key == string(s.key) })
		if !s.overflow {
			s.values = append(s.values, capturedValue{key: s.keyString(), val: slices.Clone(s.val)})
		}
	}
	s.capture = false
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
// object: some continuation makes it a document encoding/json.Valid
// accepts.
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
