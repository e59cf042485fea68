package report

import (
	"bytes"
	"html"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	gmhtml "github.com/yuin/goldmark/renderer/html"
)

// gfm renders Markdown as GitHub does (CommonMark with tables, autolinks,
// strikethrough, task lists and footnotes), passing raw HTML through so
// that any HTML a value smuggles in shows.
var gfm = goldmark.New(goldmark.WithExtensions(extension.GFM, extension.Footnote),
	goldmark.WithRendererOptions(gmhtml.WithUnsafe()))

func renderGFM(t testing.TB, md string) string {
	t.Helper()
	var out bytes.Buffer
	if err := gfm.Convert([]byte(md), &out); err != nil {
		t.Fatal(err)
	}
	return out.String()
}

var tag = regexp.MustCompile(`<[^>]*>`)

// hostile are values an agent, an upstream or an edited run file could
// put in any field the Markdown report shows.
var hostile = []string{
	`<img src=https://evil.example/x onerror=alert(1)>`,
	`<script>alert(1)</script>`,
	`*em* **strong** _em_ __strong__ ~~del~~ ~del~`,
	`[link](https://evil.example) ![img](https://evil.example/i.png) [ref][r] [^fn]`,
	"`code` ``code`` ```fence",
	`https://evil.example www.evil.example mail@evil.example xmpp:a@evil.example`,
	`<https://evil.example> <mail@evil.example>`,
	`&lt;b&gt; &amp; &#60;b&#62; &copy;`,
	`a | b || c \| d \\| e`,
	"# heading", "> quote", "- item", "+ item", "1. item", "===", "---", "[ ] task",
	"line\n# heading\n<div>block</div>\n```\n| x | y |",
	`$x^2$ $$y$$`,
	"trailing backslash \\",
	"bidi \u202Eevil\u202C and \u2066iso\u2069",
	"tab\tand\rcr\x00nul",
}

// wantText is what a reader must see of s: s on one line.
func wantText(s string) string { return strings.TrimSpace(oneLine(s)) }

// TestMarkdownTextIsText renders each hostile value in a paragraph and in
// a table cell with a GFM renderer: the result must be that value as
// plain text, with no element of its own and the table's cells intact.
func TestMarkdownTextIsText(t *testing.T) {
	for _, s := range hostile {
		checkText(t, s)
	}
}

func checkText(t *testing.T, s string) {
	t.Helper()
	para := renderGFM(t, "Value: "+mdText(s)+"\n")
	if strings.Count(para, "<") != 2 || !strings.HasPrefix(para, "<p>") || !strings.HasSuffix(para, "</p>\n") {
		t.Fatalf("%q renders as %q, want one paragraph of text", s, para)
	}
	if got := html.UnescapeString(tag.ReplaceAllString(para, "")); got != strings.TrimSpace("Value: "+wantText(s))+"\n" {
		t.Fatalf("%q renders as text %q, want %q", s, got, "Value: "+wantText(s))
	}
	table := renderGFM(t, "| a | b | c |\n|---|---|---|\n| x | "+orDash(mdCell(s))+" | y |\n")
	cells := regexp.MustCompile(`<td>(.*?)</td>`).FindAllStringSubmatch(table, -1)
	want := wantText(s)
	if want == "" {
		want = "-"
	}
	if len(cells) != 3 || cells[0][1] != "x" || cells[2][1] != "y" || strings.Contains(cells[1][1], "<") ||
		html.UnescapeString(cells[1][1]) != want {
		t.Fatalf("%q in a table cell renders as %q", s, table)
	}
}

// TestMarkdownCodeAndFence: a code span and a fenced block hold any text,
// backticks and fence lines included, as code and nothing else.
func TestMarkdownCodeAndFence(t *testing.T) {
	for _, s := range hostile {
		out := renderGFM(t, "- "+mdCode(s)+"\n")
		code := regexp.MustCompile(`(?s)^<ul>\n<li><code>(.*)</code></li>\n</ul>\n$`).FindStringSubmatch(out)
		if code == nil || strings.Contains(code[1], "<") || html.UnescapeString(code[1]) != oneLine(s) {
			t.Errorf("%q as a code span renders as %q", s, out)
		}
		b, err := yamlBytes(Record{Notes: s, SourceURLs: []string{s}})
		if err != nil {
			t.Fatal(err)
		}
		body := string(b)
		out = renderGFM(t, mdFence("yaml", body)+"\n\nafter\n")
		block := regexp.MustCompile(`(?s)^<pre><code class="language-yaml">(.*)</code></pre>\n<p>after</p>\n$`).FindStringSubmatch(out)
		if block == nil || html.UnescapeString(block[1]) != body {
			t.Errorf("%q in a fenced block renders as %q", s, out)
		}
	}
}

// FuzzMarkdownText: any string escaped by mdText renders as that string
// on one line, as plain text, in a paragraph and in a table cell.
func FuzzMarkdownText(f *testing.F) {
	for _, s := range hostile {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			// Run file strings are JSON strings, valid UTF-8 by the time
			// they reach the report.
			return
		}
		checkText(t, s)
	})
}
