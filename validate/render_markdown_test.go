package validate

import (
	"bytes"
	"strings"
	"testing"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	gmhtml "github.com/yuin/goldmark/renderer/html"

	"github.com/agentwrap/agentwrap/internal/format"
)

// TestMarkdownChecklistShowsUpstreamTextAsText: what the checklist takes
// from an upstream (response keys, request id, details) and from a manifest
// renders as text in a GFM renderer: no HTML element, link or image of its
// own, and the tables keep their cells.
func TestMarkdownChecklistShowsUpstreamTextAsText(t *testing.T) {
	const img = `<img src=https://evil.example/x onerror=alert(1)>`
	const link = `[click](https://evil.example)`
	c := &Checklist{
		RunID: "run-1", Manifest: "m.yaml", Owner: link, Support: "https://apidoc.cometapi.com/support/help-center",
		Upstream: "https://api.cometapi.com", Verdict: Drift,
		Rows: []Row{{Endpoint: img, Check: Minimal, Expected: "2xx | " + link, Observed: "200 with `x` " + img, Result: Drift, Drift: []string{img}}},
		Drift: []DriftReport{{
			Endpoint: "chat", Check: Minimal, Kind: "observed_only", Detail: "field " + img,
			RequestID: "req_<b>bold</b>", ResponseShape: []string{"id", img, link}, RequestShape: []string{"model"},
			SourceURLs: []string{"https://apidoc.cometapi.com/"}, Escalate: link,
		}},
		Gate:     []GateItem{{Item: "rollback plan " + img, Owner: link}},
		Unknowns: []string{"# not a heading " + img},
	}
	var md bytes.Buffer
	if err := Render(&md, c, format.Markdown); err != nil {
		t.Fatal(err)
	}
	gfm := goldmark.New(goldmark.WithExtensions(extension.GFM), goldmark.WithRendererOptions(gmhtml.WithUnsafe()))
	var out bytes.Buffer
	if err := gfm.Convert(md.Bytes(), &out); err != nil {
		t.Fatal(err)
	}
	html := out.String()
	for _, bad := range []string{"<img", "<a ", "<b>", "<h1>not a heading"} {
		if strings.Contains(html, bad) {
			t.Errorf("the checklist's Markdown renders %q from a value:\n%s", bad, html)
		}
	}
	if got := strings.Count(html, "<td>"); got != 5+4 {
		t.Errorf("%d table cells, want 9 (a value broke a table row):\n%s", got, html)
	}
	if !strings.Contains(html, "onerror=alert(1)") {
		t.Errorf("the hostile value is not shown as text:\n%s", html)
	}
}
