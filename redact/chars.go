package redact

// Character classes of the pattern scanner, as lookup tables.
//
// A word is a maximal run of letters, digits, '_' and '-' (base64url and the
// alphabet of most API keys and ids). A blob is a maximal run of word
// characters and '+', '/', '=' (standard base64 as well). Blobs are the unit
// the entropy check judges; words are where key prefixes are looked for.

const (
	clsWord = 1 << iota
	clsBlob
	clsUpper
	clsLower
	clsDigit
	clsHex
	clsValue // may appear in the value of a key=value assignment
	clsSpace
	clsSep // '+', '/', '=': in a blob, between words
	clsEq  // '='
)

var charClass = func() (t [256]uint16) {
	for c := 0; c < 256; c++ {
		var m uint16
		switch {
		case c >= 'A' && c <= 'Z':
			m = clsWord | clsBlob | clsUpper
		case c >= 'a' && c <= 'z':
			m = clsWord | clsBlob | clsLower
		case c >= '0' && c <= '9':
			m = clsWord | clsBlob | clsDigit | clsHex
		case c == '_' || c == '-':
			m = clsWord | clsBlob
		case c == '+' || c == '/':
			m = clsBlob | clsSep
		case c == '=':
			m = clsBlob | clsSep | clsEq
		}
		if (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') {
			m |= clsHex
		}
		if c > ' ' && c < 0x7f && !isValueStop(byte(c)) {
			m |= clsValue
		}
		if c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f' {
			m |= clsSpace
		}
		t[c] = m
	}
	return t
}()

func isValueStop(c byte) bool {
	switch c {
	case '"', '\'', '`', ',', ';', '&', '[', ']', '(', ')', '{', '}', '<', '>':
		return true
	}
	return false
}

func is(c byte, cls uint16) bool { return charClass[c]&cls != 0 }

// runEnd returns the end of the run of cls characters starting at i.
func runEnd(s string, i int, cls uint16) int {
	for i < len(s) && charClass[s[i]]&cls != 0 {
		i++
	}
	return i
}

// blobEnd returns the end of the blob starting at i, with the union and the
// intersection of the classes of its characters.
func blobEnd(s string, i int) (j int, any, all uint16) {
	all = ^uint16(0)
	for j = i; j < len(s); j++ {
		c := charClass[s[j]]
		if c&clsBlob == 0 {
			break
		}
		any |= c
		all &= c
	}
	return j, any, all
}

// hasPrefixFold reports whether s starts with the lower-case ASCII prefix p,
// ignoring case.
func hasPrefixFold(s, p string) bool {
	if len(s) < len(p) {
		return false
	}
	for i := 0; i < len(p); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != p[i] {
			return false
		}
	}
	return true
}

// hasSuffixFold reports whether s ends with the lower-case ASCII suffix p,
// ignoring case.
func hasSuffixFold(s, p string) bool {
	return len(s) >= len(p) && hasPrefixFold(s[len(s)-len(p):], p)
}
