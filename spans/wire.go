package spans

import (
	"strings"

	"github.com/agentwrap/agentwrap/call"
)

// Bounds of the strings a call record takes from the wire, as the
// upstream, the agent or any local caller sent them (README, "Hostile
// input and load"). Each is scanned for secrets first (Recorder.Scrub),
// then checked against its character set and length: a string with a
// character outside its set is replaced whole by MarkerInvalid (an error
// code that quotes a prompt is not recorded), a longer one is cut and ends
// in MarkerCut. Nothing is dropped without a marker.
const (
	// MaxModelLen bounds gen_ai.request.model and gen_ai.response.model:
	// printable ASCII, space included.
	MaxModelLen = 128
	// MaxResponseIDLen bounds gen_ai.response.id: printable ASCII without
	// space.
	MaxResponseIDLen = 128
	// MaxUserAgentLen bounds user_agent.original: printable ASCII.
	MaxUserAgentLen = 256
	// MaxMediaTypeLen bounds the reply's media type (type/subtype, HTTP
	// token characters; parameters are not kept).
	MaxMediaTypeLen = 128
	// MaxErrorCodeLen bounds the upstream's error type and code: printable
	// ASCII without space.
	MaxErrorCodeLen = 64
	// MaxFinishReasons and MaxFinishReasonLen bound
	// gen_ai.response.finish_reasons: at most 8 reasons of printable ASCII
	// without space; more are cut with MarkerCut as the last.
	MaxFinishReasons   = 8
	MaxFinishReasonLen = 64
	// MaxPathLen bounds url.path: printable ASCII without space.
	MaxPathLen = 256
	// MaxMethodLen bounds http.request.method: HTTP token characters.
	MaxMethodLen = 16

	// MarkerCut ends a string that was cut to its bound.
	MarkerCut = "[cut]"
	// MarkerInvalid replaces a string with a character outside its set.
	MarkerInvalid = "[invalid]"
)

// Character sets of the wire strings.
var (
	printable        = charset(func(b byte) bool { return b >= 0x20 && b <= 0x7e })
	printableNoSpace = charset(func(b byte) bool { return b > 0x20 && b <= 0x7e })
	token            = charset(func(b byte) bool {
		return b >= '0' && b <= '9' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || strings.IndexByte("!#$%&'*+-.^_`|~", b) >= 0
	})
	mediaTypeChars = charset(func(b byte) bool { return token[b] || b == '/' })
)

func charset(in func(byte) bool) (set [256]bool) {
	for b := range 256 {
		set[b] = in(byte(b))
	}
	return set
}

// bounded returns s within its set and max bytes (see the constants).
func bounded(s string, set *[256]bool, max int) string {
	for i := 0; i < len(s); i++ {
		if !set[s[i]] {
			return MarkerInvalid
		}
	}
	if len(s) > max {
		return s[:max-len(MarkerCut)] + MarkerCut
	}
	return s
}

// boundCall returns a copy of c whose wire strings are scrubbed by scrub
// (nil: not scrubbed) and bounded. The copy is a value: Observe keeps it
// on its stack instead of allocating half a kilobyte per call.
func boundCall(c *call.Call, scrub func(string) string) call.Call {
	b := *c
	str := func(s string, set *[256]bool, max int) string {
		if s == "" {
			return s
		}
		if scrub != nil {
			s = scrub(s)
		}
		return bounded(s, set, max)
	}
	b.Method = str(c.Method, &token, MaxMethodLen)
	b.Path = str(c.Path, &printableNoSpace, MaxPathLen)
	b.UserAgent = str(c.UserAgent, &printable, MaxUserAgentLen)
	b.RequestModel = str(c.RequestModel, &printable, MaxModelLen)
	b.ResponseModel = str(c.ResponseModel, &printable, MaxModelLen)
	b.ResponseID = str(c.ResponseID, &printableNoSpace, MaxResponseIDLen)
	b.UpstreamErrorType = str(c.UpstreamErrorType, &printableNoSpace, MaxErrorCodeLen)
	b.UpstreamErrorCode = str(c.UpstreamErrorCode, &printableNoSpace, MaxErrorCodeLen)
	if c.ContentType != "" {
		b.ContentType = str(mediaType(c.ContentType), &mediaTypeChars, MaxMediaTypeLen)
	}
	b.FinishReasons = boundReasons(c.FinishReasons, str)
	return b
}

// boundReasons bounds finish reasons; it returns rs itself when every
// reason fits.
func boundReasons(rs []string, str func(string, *[256]bool, int) string) []string {
	fits := len(rs) <= MaxFinishReasons
	for _, r := range rs {
		fits = fits && str(r, &printableNoSpace, MaxFinishReasonLen) == r
	}
	if fits {
		return rs
	}
	n := min(len(rs), MaxFinishReasons)
	out := make([]string, n, n+1)
	for i, r := range rs[:n] {
		out[i] = str(r, &printableNoSpace, MaxFinishReasonLen)
	}
	if n < len(rs) {
		out = append(out, MarkerCut)
	}
	return out
}
