package redact

import "math"

// Thresholds of the entropy check, tuned so that random keys of 24
// characters and more are caught (see TestRandomTokensCaught) while model
// names, paths, camel-case words, run ids and ids with an idPrefixes prefix
// pass (see TestScrubNoFalsePositives).
const (
	// minEntropyLen is the shortest blob the entropy check judges.
	minEntropyLen = 24
	// minHexLen is the shortest bare hex string taken for a secret: 32
	// digits, the length of many gateways' keys (Azure OpenAI's among
	// them). A bare trace id has that length too; spans carry trace ids in
	// their context, never as attribute values, so it is masked as well.
	minHexLen = 32
	// minTransitions is the least share of adjacent letter/digit pairs that
	// change class (upper, lower, digit). Random base62 scores about 0.62;
	// words and version numbers score far lower.
	minTransitions = 0.34
	// minEntropyBits is the least Shannon entropy, in bits per character.
	minEntropyBits = 3.7
	// minHexEntropyBits is the least entropy of a bare hex string.
	minHexEntropyBits = 3.0
)

// hexLooksRandom reports whether the hex string b mixes digits and letters
// with high entropy, as a hex-encoded key does.
func hexLooksRandom(b string) bool {
	var digit, letter bool
	for i := 0; i < len(b); i++ {
		if is(b[i], clsDigit) {
			digit = true
		} else {
			letter = true
		}
	}
	return digit && letter && entropy(b) >= minHexEntropyBits
}

// looksRandom reports whether the blob b mixes letters and digits in the
// way random tokens do: upper- and lower-case letters, digits a minority
// (unlike timestamps), neighbours often changing class, high Shannon
// entropy. Without digits, capitals must also make 30% to 70% of the
// letters, as in random text and unlike camel case.
func looksRandom(b string) bool {
	var classes uint16
	pairs, changes, digits, upper, alnum := 0, 0, 0, 0, 0
	var prev uint16
	for i := 0; i < len(b); i++ {
		c := charClass[b[i]] & (clsUpper | clsLower | clsDigit)
		classes |= c
		if c != 0 {
			alnum++
			switch c {
			case clsDigit:
				digits++
			case clsUpper:
				upper++
			}
			if prev != 0 {
				pairs++
				if c != prev {
					changes++
				}
			}
		}
		prev = c
	}
	if classes&(clsUpper|clsLower) != clsUpper|clsLower || 2*digits > alnum {
		return false
	}
	ratio := float64(changes) / float64(max(pairs, 1))
	if classes&clsDigit == 0 {
		// Camel case has few capitals; random letters have about half.
		if 10*upper < 3*alnum || 10*upper > 7*alnum {
			return false
		}
	}
	return ratio >= minTransitions && entropy(b) >= minEntropyBits
}

// entropy returns the Shannon entropy of b in bits per byte.
func entropy(b string) float64 {
	var counts [256]uint32
	for i := 0; i < len(b); i++ {
		counts[b[i]]++
	}
	n := float64(len(b))
	var sum float64
	for _, c := range counts {
		if c > 0 {
			f := float64(c)
			sum += f * math.Log2(f)
		}
	}
	return math.Log2(n) - sum/n
}
