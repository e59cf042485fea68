// Package markdown escapes text for Markdown documents that agentwrap
// writes (the usage-trace report, the validation checklist). Everything
// such a document takes from a run file or an upstream reply is text that
// an agent, an upstream or whoever edited a file chose; a Markdown renderer
// (CommonMark, GitHub's GFM) must show it as that text and never turn it
// into HTML, a link, an image, emphasis or a table break. Text escapes a
// value for inline text and table cells, Code writes a code span, Fence
// fences a block.
package markdown

import (
	"strings"
	"unicode"
)

// Text escapes s for use inline in a paragraph, a list item or a table
// cell: it is one line (line breaks and control characters become spaces,
// Unicode direction overrides U+FFFD), and every character a CommonMark or
// GFM renderer could interpret is backslash-escaped: \ ` * _ ~ [ ] ( ) { }
// < > & ! | $ (math on GitHub), # + - = at the start, and the ":" of
// "://", the "." of "www." and "@", which GFM turns into autolinks.
// Parentheses stay: with every [ escaped they can open no link or image.
func Text(s string) string {
	s = strings.TrimSpace(OneLine(s))
	var b strings.Builder
	b.Grow(len(s) + len(s)/8)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '_' && i > 0 && i+1 < len(s) && alnum(s[i-1]) && alnum(s[i+1]):
			// An underscore inside a word never delimits emphasis:
			// contract_mismatch stays readable.
		case strings.IndexByte("\\`*_~[]<>&!|$@", c) >= 0:
			b.WriteByte('\\')
		case i == 0 && strings.IndexByte("#+-=", c) >= 0:
			b.WriteByte('\\')
		case c == ':' && strings.HasPrefix(s[i+1:], "//"):
			b.WriteByte('\\')
		case c == '.' && i >= 3 && strings.EqualFold(s[i-3:i], "www"):
			b.WriteByte('\\')
		}
		b.WriteByte(c)
	}
	return b.String()
}

func alnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// Code writes s as a code span: a backtick fence one longer than the
// longest run of backticks in s, padded with spaces when s begins or ends
// with a backtick. Inside a code span nothing is interpreted.
func Code(s string) string {
	s = OneLine(s)
	fence := strings.Repeat("`", longestRun(s, '`')+1)
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") || strings.HasPrefix(s, " ") && strings.HasSuffix(s, " ") {
		s = " " + s + " "
	}
	return fence + s + fence
}

// Fence writes body as a fenced code block with info string lang: the
// fence is longer than any run of backticks in body, so no line of it can
// close the block early.
func Fence(lang, body string) string {
	fence := strings.Repeat("`", max(3, longestRun(body, '`')+1))
	if !strings.HasSuffix(body, "\n") {
		body += "\n"
	}
	return fence + lang + "\n" + body + fence
}

// OneLine replaces line breaks and other control characters with spaces
// and Unicode direction overrides with U+FFFD, so that a value never starts
// a block of its own or reorders what a reader sees.
func OneLine(s string) string {
	clean := true
	for _, r := range s {
		if unsafeRune(r) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	return strings.Map(func(r rune) rune {
		switch {
		case unicode.IsControl(r) || r == '\u2028' || r == '\u2029':
			return ' '
		case bidiControl(r):
			return '\uFFFD'
		}
		return r
	}, s)
}

func unsafeRune(r rune) bool {
	return unicode.IsControl(r) || r == '\u2028' || r == '\u2029' || bidiControl(r)
}

// bidiControl reports the Unicode bidirectional embedding, override and
// isolate controls.
func bidiControl(r rune) bool {
	return (r >= '\u202A' && r <= '\u202E') || (r >= '\u2066' && r <= '\u2069') || r == '\u200E' || r == '\u200F' || r == '\u061C'
}

func longestRun(s string, c byte) int {
	most, n := 0, 0
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			n++
			most = max(most, n)
		} else {
			n = 0
		}
	}
	return most
}
