package report_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/agentwrap/agentwrap/internal/format"
	"github.com/agentwrap/agentwrap/spans/report"
)

// chromiumPath is where Debian's chromium package installs the browser.
const chromiumPath = "/usr/bin/chromium"

// chromium returns the headless browser, skipping the test without one
// (failing it in CI, where .ci/run installs it).
func chromium(t *testing.T) string {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is required in CI (apt-get install -y chromium): %v", chromiumPath, err)
		}
		t.Skipf("no %s (apt-get install -y chromium)", chromiumPath)
	}
	return chromiumPath
}

// headless runs the browser on the page with args and returns its stdout.
func headless(t *testing.T, page string, args ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	all := append([]string{"--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
		"--disable-extensions", "--user-data-dir=" + t.TempDir()}, args...)
	cmd := exec.CommandContext(ctx, chromium(t), append(all, "file://"+page)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium %v: %v\n%s", args, err, stderr.String())
	}
	return stdout.Bytes()
}

func htmlPage(t *testing.T) (string, *report.Run) {
	t.Helper()
	run, err := report.Load(fixtureFile(t))
	if err != nil {
		t.Fatal(err)
	}
	page := filepath.Join(t.TempDir(), "report.html")
	if err := os.WriteFile(page, render(t, run, format.HTML), 0o600); err != nil {
		t.Fatal(err)
	}
	return page, run
}

// between returns the part of s from the first start to the next end.
func between(t *testing.T, s, start, end string) string {
	t.Helper()
	i := strings.Index(s, start)
	if i < 0 {
		t.Fatalf("rendered DOM has no %q", start)
	}
	j := strings.Index(s[i:], end)
	if j < 0 {
		t.Fatalf("rendered DOM has no %q after %q", end, start)
	}
	return s[i : i+j]
}

// TestHTMLRenderedDOM loads the page in headless Chromium and checks the
// DOM it built: an SVG timeline with one bar per call, classed by result,
// and one table row per call.
func TestHTMLRenderedDOM(t *testing.T) {
	page, run := htmlPage(t)
	dom := string(headless(t, page, "--dump-dom"))
	svg := between(t, dom, `<svg id="timeline"`, "</svg>")
	bars := regexp.MustCompile(`<rect class="bar (pass|fail|follow)" data-call="(\d+)"`).FindAllStringSubmatch(svg, -1)
	if len(bars) != len(run.Calls) {
		t.Fatalf("timeline has %d bars, want one per call (%d)", len(bars), len(run.Calls))
	}
	want := map[string]string{"pass": "pass", "fail": "fail", "needs_follow_up": "follow"}
	for i, b := range bars {
		c := run.Calls[i]
		if b[2] != fmt.Sprint(c.N) || b[1] != want[c.Result] {
			t.Errorf("bar %d: class %q call %s; want call %d (%s)", i, b[1], b[2], c.N, c.Result)
		}
	}
	if n := strings.Count(svg, "<title>"); n != len(run.Calls) {
		t.Errorf("%d bar titles, want %d", n, len(run.Calls))
	}
	table := between(t, dom, `<table id="calls">`, "</table>")
	rows := regexp.MustCompile(`<tr class="call (pass|fail|follow)" id="call-(\d+)">`).FindAllStringSubmatch(table, -1)
	if len(rows) != len(run.Calls) {
		t.Fatalf("calls table has %d rows, want %d", len(rows), len(run.Calls))
	}
	for i, r := range rows {
		if r[2] != fmt.Sprint(i+1) {
			t.Errorf("row %d is call %s", i, r[2])
		}
	}
	for _, id := range []string{`id="context"`, `id="record"`, `id="totals-table"`, `id="follow-ups"`, `id="not-asserted"`} {
		if !strings.Contains(dom, id) {
			t.Errorf("rendered DOM lacks the section %s", id)
		}
	}
	if strings.Contains(dom, "<script") || regexp.MustCompile(`(src|href)="(https?:)?//[^"]*\.(css|js|png|svg|woff2?)"`).MatchString(dom) {
		t.Error("the page loads a script or an external asset")
	}
}

// TestHTMLScreenshot renders the page to an image, and again without its
// SVG: the bar colours of the timeline must cover hundreds of pixels more
// with it (the legend and badges use the same colours).
func TestHTMLScreenshot(t *testing.T) {
	page, _ := htmlPage(t)
	b, err := os.ReadFile(page)
	if err != nil {
		t.Fatal(err)
	}
	noSVG := regexp.MustCompile(`(?s)<svg id="timeline".*</svg>`).ReplaceAll(b, nil)
	bare := filepath.Join(t.TempDir(), "bare.html")
	if err := os.WriteFile(bare, noSVG, 0o600); err != nil {
		t.Fatal(err)
	}
	with, without := screenshot(t, page), screenshot(t, bare)
	for name, c := range map[string]color.RGBA{
		"pass": {0x2e, 0x7d, 0x32, 0xff}, "fail": {0xc6, 0x28, 0x28, 0xff}, "follow-up": {0xef, 0x8f, 0x00, 0xff},
	} {
		n := countColor(with, c) - countColor(without, c)
		t.Logf("timeline: %d pixels of the %s colour", n, name)
		if n < 300 {
			t.Errorf("the timeline adds %d pixels of the %s bar colour: its bars are not drawn", n, name)
		}
	}
}

func screenshot(t *testing.T, page string) image.Image {
	t.Helper()
	shot := filepath.Join(t.TempDir(), "shot.png")
	headless(t, page, "--hide-scrollbars", "--window-size=1300,1800", "--screenshot="+shot)
	f, err := os.Open(shot)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != 1300 || b.Dy() != 1800 {
		t.Errorf("screenshot is %v", b)
	}
	return img
}

func countColor(img image.Image, want color.RGBA) int {
	n := 0
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			if uint8(r>>8) == want.R && uint8(g>>8) == want.G && uint8(bl>>8) == want.B {
				n++
			}
		}
	}
	return n
}
