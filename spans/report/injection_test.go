package report_test

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	gmhtml "github.com/yuin/goldmark/renderer/html"

	"github.com/agentwrap/agentwrap/internal/format"
	"github.com/agentwrap/agentwrap/spans"
	"github.com/agentwrap/agentwrap/spans/report"
	"github.com/agentwrap/agentwrap/spans/runfile"
)

// injectedLines is a run file whose every shown string is Markdown or
// HTML meant to turn into markup: model names, family, result, notes,
// agent, profile, upstream, manifest, instruction files, contract dates
// and documentation URLs.
const injectedLines = `{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"agentwrap"}},{"key":"service.version","value":{"stringValue":"<b>v</b>"}}]},"scopeSpans":[{"spans":[{"traceId":"0102030405060708090a0b0c0d0e0f10","spanId":"1111111111111111","parentSpanId":"0000000000000001","name":"chat x","kind":3,"startTimeUnixNano":"1782907201000000000","endTimeUnixNano":"1782907202000000000","attributes":[{"key":"agentwrap.request_family","value":{"stringValue":"*fam*"}},{"key":"agentwrap.result_class","value":{"stringValue":"<i>pass</i>"}},{"key":"agentwrap.failure_class","value":{"stringValue":"~~none~~"}},{"key":"agentwrap.notes","value":{"stringValue":"see [docs](https://evil.example/n) or www.evil.example\n# Owned\n<div>x</div>"}},{"key":"gen_ai.request.model","value":{"stringValue":"<img src=https://evil.example/x onerror=alert(1)>"}},{"key":"agentwrap.contract.endpoint","value":{"stringValue":"e|p"}},{"key":"agentwrap.contract.checked_at","value":{"stringValue":"![i](https://evil.example/i.png)"}},{"key":"agentwrap.contract.source_urls","value":{"arrayValue":{"values":[{"stringValue":"https://evil.example/docs"}]}}},{"key":"http.response.status_code","value":{"intValue":"500"}}]}]}]}]}
{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"agentwrap"}}]},"scopeSpans":[{"spans":[{"traceId":"0102030405060708090a0b0c0d0e0f10","spanId":"0000000000000001","name":"invoke_agent claude","kind":1,"startTimeUnixNano":"1782907200000000000","endTimeUnixNano":"1782907203000000000","attributes":[{"key":"gen_ai.operation.name","value":{"stringValue":"invoke_agent"}},{"key":"gen_ai.agent.name","value":{"stringValue":"_agent_ <u>x</u>"}},{"key":"agentwrap.profile","value":{"stringValue":"` + "`prof`" + `"}},{"key":"agentwrap.upstream","value":{"stringValue":"https://evil.example"}},{"key":"agentwrap.contract_manifest","value":{"stringValue":"[m](javascript:alert(1))"}},{"key":"agentwrap.notes","value":{"stringValue":"mail@evil.example $x$"}},{"key":"agentwrap.result_class","value":{"stringValue":"**fail**"}},{"key":"agentwrap.instruction_files","value":{"arrayValue":{"values":[{"stringValue":"` + "CLA`UDE``.md\\n```" + ` sha256:00"}]}}}]}]}]}]}
`

// TestMarkdownReportInjection renders the Markdown report of such a run
// file with a GFM renderer: no value becomes HTML, a link, an image,
// emphasis, strikethrough, math or a heading, and every value still shows.
func TestMarkdownReportInjection(t *testing.T) {
	path := filepath.Join(t.TempDir(), "injected"+runfile.Ext)
	if err := os.WriteFile(path, []byte(injectedLines), 0o600); err != nil {
		t.Fatal(err)
	}
	run, err := report.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(run.LineErrors) != 0 || len(run.Calls) != 1 {
		t.Fatalf("line errors %v, %d calls", run.LineErrors, len(run.Calls))
	}
	md := render(t, run, format.Markdown)
	var out bytes.Buffer
	gfm := goldmark.New(goldmark.WithExtensions(extension.GFM, extension.Footnote),
		goldmark.WithRendererOptions(gmhtml.WithUnsafe()))
	if err := gfm.Convert(md, &out); err != nil {
		t.Fatal(err)
	}
	page := out.String()
	for _, bad := range []string{"<img", "<i>", "<b>", "<u>", "<div", "<del>", "<em>", "evil.example\"", "Owned</h", "javascript:"} {
		if strings.Contains(page, bad) {
			t.Errorf("the rendered report contains %q:\n%s", bad, page)
		}
	}
	for _, href := range regexp.MustCompile(`href="([^"]*)"`).FindAllStringSubmatch(page, -1) {
		if href[1] != spans.HelpCenterURL {
			t.Errorf("the rendered report links to %q", href[1])
		}
	}
	for _, shown := range []string{"&lt;img src=https://evil.example/x onerror=alert(1)&gt;", "*fam*", "_agent_ &lt;u&gt;x&lt;/u&gt;", "mail@evil.example $x$", "<code>CLA`UDE``.md ``` sha256:00</code>"} {
		if !strings.Contains(page, shown) {
			t.Errorf("the rendered report does not show %q:\n%s", shown, page)
		}
	}
}
