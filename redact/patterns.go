package redact

import "strings"

// regionScanner finds the regions of s to mask, left to right. It keeps the
// position of the next PEM header so that a string with many regions is
// still scanned in linear time.
type regionScanner struct {
	s   string
	pem int // next "-----BEGIN" at or after the scan position, or -1
}

func newRegionScanner(s string) regionScanner {
	return regionScanner{s: s, pem: pemSearch(s, 0)}
}

// next returns the first region at or after from that must be masked.
// Position from is treated as the start of a token, because a caller
// continuing after a masked region puts Marker just before it.
//
// The scan is one pass over blobs (see chars.go); each blob is judged by
// checkBlob. Nothing is allocated.
func (r *regionScanner) next(from int) (start, end int, ok bool) {
	s := r.s
	if r.pem >= 0 && r.pem < from {
		r.pem = pemSearch(s, from)
	}
	start, end, ok = scanRegion(s, from, r.pem)
	// A region that swallowed the start of a private key takes the whole key.
	for ok && r.pem >= 0 && r.pem < end {
		if r.pem >= start {
			if e, hit := privateKeyEnd(s, r.pem); hit && e > end {
				end = e
			}
		}
		r.pem = pemSearch(s, r.pem+1)
	}
	return start, end, ok
}

func scanRegion(s string, from, pem int) (start, end int, ok bool) {
	i := from
	for i < len(s) {
		if !is(s[i], clsBlob) {
			if s[i] == ':' && strings.HasPrefix(s[i:], "://") {
				if st, en, hit := userinfo(s, i+3); hit {
					return st, en, true
				}
			}
			i++
			continue
		}
		j, any, all := blobEnd(s, i)
		if pem >= i && pem < j {
			if en, hit := privateKeyEnd(s, pem); hit {
				return i, en, true
			}
			pem = pemSearch(s, pem+1)
		}
		if st, en, hit := checkBlob(s, i, j, any, all); hit {
			return st, en, true
		}
		i = j
	}
	return 0, 0, false
}

// pemSearch returns the index of the next PEM header at or after from, or -1.
func pemSearch(s string, from int) int {
	if from >= len(s) {
		return -1
	}
	k := strings.Index(s[from:], "-----BEGIN")
	if k < 0 {
		return -1
	}
	return from + k
}

// maxPEMLabel bounds the search for the label of a PEM header ("-----BEGIN
// ENCRYPTED PRIVATE KEY-----"), so that many headers cost linear time.
const maxPEMLabel = 64

// privateKeyEnd reports whether the PEM block at i is a private key and
// where it ends: after its END line, or at the end of s when that is
// missing (a truncated key is still a key).
func privateKeyEnd(s string, i int) (int, bool) {
	hdr := i + len("-----BEGIN")
	label := s[hdr:min(len(s), hdr+maxPEMLabel)]
	close := strings.Index(label, "-----")
	if close < 0 {
		close = len(label)
	}
	if !strings.Contains(label[:close], "PRIVATE KEY") {
		return 0, false
	}
	rest := hdr + close
	k := strings.Index(s[rest:], "-----END")
	if k < 0 {
		return len(s), true
	}
	e := rest + k + len("-----END")
	c := strings.Index(s[e:], "-----")
	if c < 0 {
		return len(s), true
	}
	return runEnd(s, e+c+len("-----"), clsBlob), true
}

// checkBlob judges the blob s[i:j] and what directly follows it. any and
// all are the union and intersection of the classes of its characters.
func checkBlob(s string, i, j int, any, all uint16) (start, end int, ok bool) {
	if blobIsSecret(s, i, j, any, all) {
		return i, extendDotted(s, j), true
	}
	if st, en, hit := authValue(s, i, j); hit {
		return st, en, true
	}
	if st, en, hit := assignValue(s, i, j); hit {
		return st, en, true
	}
	if any&clsEq != 0 {
		return assignInBlob(s, i, j)
	}
	return 0, 0, false
}

// blobIsSecret applies the prefix rules to every word of the blob, then the
// hex and entropy checks to the blob as a whole.
func blobIsSecret(s string, i, j int, any, all uint16) bool {
	b := s[i:j]
	if any&clsSep == 0 {
		// One word: the common case.
		if wordIsSecret(s, b, j) {
			return true
		}
	} else {
		for k := 0; k < len(b); {
			if !is(b[k], clsWord) {
				k++
				continue
			}
			e := runEnd(b, k, clsWord)
			if wordIsSecret(s, b[k:e], i+e) {
				return true
			}
			k = e
		}
	}
	if len(b) < minEntropyLen {
		return false
	}
	if all&clsHex != 0 {
		return len(b) >= minHexLen && !hasHashPrefix(s, i) && hexLooksRandom(b)
	}
	if any&(clsUpper|clsLower) != clsUpper|clsLower {
		return false
	}
	return looksRandom(b) && !hasIDPrefix(b)
}

// wordIsSecret applies the prefix rules to the word w, which ends at s[j],
// at its start and after every '-' or '_' inside it: a key can be glued
// into an id ("chatcmpl-sk-...", "run_sk-ant-...").
func wordIsSecret(s, w string, j int) bool {
	if w == "ya29" {
		return googleOAuth(s, j)
	}
	for k := 0; k < len(w); k++ {
		if k > 0 && w[k-1] != '-' && w[k-1] != '_' {
			continue
		}
		if rulesByFirst[w[k]] != nil && matchPrefix(w[k:]) {
			return true
		}
	}
	return false
}

// googleOAuth reports whether "ya29" at s[:j] continues as a Google OAuth
// access token, "ya29." and a long token.
func googleOAuth(s string, j int) bool {
	return j < len(s) && s[j] == '.' && runEnd(s, j+1, clsBlob)-(j+1) >= 20
}

// extendDotted extends a masked blob over ".segment" continuations, so the
// payload and signature of a JWT go with its header.
func extendDotted(s string, j int) int {
	for j+1 < len(s) && s[j] == '.' && is(s[j+1], clsBlob) {
		j = runEnd(s, j+1, clsBlob)
	}
	return j
}

// authValue masks the credential of an HTTP authorization scheme written
// out: "Bearer <token>", "Basic <base64>". A short all-letter word after
// the scheme ("Bearer authentication failed") is prose, not a token.
func authValue(s string, i, j int) (start, end int, ok bool) {
	n := j - i
	bearer := n == 6 && hasPrefixFold(s[i:j], "bearer")
	basic := n == 5 && hasPrefixFold(s[i:j], "basic")
	if !bearer && !basic {
		return 0, 0, false
	}
	k := runEnd(s, j, clsSpace)
	if k == j {
		return 0, 0, false
	}
	e := runEnd(s, k, clsBlob|clsValue)
	v := s[k:e]
	if bearer && len(v) >= 8 && (len(v) >= 20 || strings.ContainsAny(v, "0123456789._-~+/=")) {
		return k, e, true
	}
	if basic && len(v) >= 12 && strings.ContainsAny(v, "0123456789+/=") {
		return k, e, true
	}
	return 0, 0, false
}

// assignValue masks the value of "name=value" or "name: value" when the
// last word of the name says it holds a secret.
func assignValue(s string, i, j int) (start, end int, ok bool) {
	k := skipQuotes(s, j)
	k = runEnd(s, k, clsSpace)
	if k >= len(s) || (s[k] != '=' && s[k] != ':') || strings.HasPrefix(s[k:], "://") {
		return 0, 0, false
	}
	if !isAssignName(lastWord(s[i:j])) {
		return 0, 0, false
	}
	return secretValue(s, runEnd(s, k+1, clsSpace))
}

// assignInBlob handles "name=value" written without spaces, where '=' (a
// base64 character) leaves name and value in one blob.
func assignInBlob(s string, i, j int) (start, end int, ok bool) {
	for p := i + 1; p < j-1; p++ {
		if s[p] == '=' && is(s[p-1], clsWord) && s[p+1] != '=' {
			if !isAssignName(lastWord(s[i:p])) {
				return 0, 0, false
			}
			return secretValue(s, p+1)
		}
	}
	return 0, 0, false
}

// secretValue returns the value starting at k (after optional quotes) when
// it is long enough to be a secret and not a plain number.
func secretValue(s string, k int) (start, end int, ok bool) {
	k = skipQuotes(s, k)
	e := runEnd(s, k, clsValue)
	if e-k < 8 || allDigits(s[k:e]) {
		return 0, 0, false
	}
	return k, e, true
}

// userinfo masks the user and password of a URL authority starting at k,
// "scheme://user:pass@host".
func userinfo(s string, k int) (start, end int, ok bool) {
	e := k
	for e < len(s) && !is(s[e], clsSpace) && s[e] != '/' && s[e] != '?' && s[e] != '#' {
		e++
	}
	at := strings.LastIndexByte(s[k:e], '@')
	if at <= 0 || s[k:k+at] == Marker {
		return 0, 0, false
	}
	return k, k + at, true
}

func skipQuotes(s string, k int) int {
	for k < len(s) && (s[k] == '"' || s[k] == '\'') {
		k++
	}
	return k
}

func lastWord(b string) string {
	e := len(b)
	for e > 0 && !is(b[e-1], clsWord) {
		e--
	}
	k := e
	for k > 0 && is(b[k-1], clsWord) {
		k--
	}
	return b[k:e]
}

func allDigits(v string) bool {
	for i := 0; i < len(v); i++ {
		if v[i] < '0' || v[i] > '9' {
			return false
		}
	}
	return true
}
