package report

import (
	"fmt"
	"math"
)

// Geometry of the SVG call timeline, in CSS pixels.
const (
	tlWidth = 960
	tlPlotX = 48
	tlPlotW = tlWidth - tlPlotX - 16
	tlTop   = 8
	tlRowH  = 20
	tlBarH  = 12
	tlAxisH = 28
	// tlMinBarW keeps a call of a few milliseconds visible in a run of
	// minutes; the label beside each bar gives its real duration.
	tlMinBarW = 6
	tlMaxTick = 8
	// tlLabelW is the room a duration label needs right of its bar.
	tlLabelW = 56
)

// timeline is the geometry of the call waterfall: one bar per call, on a
// row of its own, placed by its offset from the run's start.
type timeline struct {
	Width, Height int
	PlotX, PlotR  float64
	AxisY         float64
	Bars          []bar
	Ticks         []tick
}

// bar is one call. First is the x of its first chunk, when it had one.
type bar struct {
	N           int
	X, Y, W, H  float64
	LabelY      float64
	Class       string
	Title       string
	First       float64
	HasFirst    bool
	FirstY1, Y2 float64
	// Label is the call's duration, drawn at LabelX: right of the bar, or
	// left of it (LabelLeft) when the bar ends near the plot's right edge.
	Label     string
	LabelX    float64
	LabelLeft bool
}

type tick struct {
	X     float64
	Label string
}

// newTimeline lays out the calls of run over its duration (or over the
// calls' extent when the run span is missing or shorter).
func newTimeline(run *Run) timeline {
	total := run.Context.DurationMS
	for _, c := range run.Calls {
		total = math.Max(total, c.OffsetMS+c.DurationMS)
	}
	if total <= 0 {
		total = 1
	}
	scale := tlPlotW / total
	t := timeline{Width: tlWidth, PlotX: tlPlotX, PlotR: tlPlotX + tlPlotW}
	for i, c := range run.Calls {
		y := float64(tlTop + i*tlRowH)
		x := tlPlotX + math.Max(0, c.OffsetMS)*scale
		w := math.Max(tlMinBarW, c.DurationMS*scale)
		if x+w > t.PlotR {
			x = math.Max(tlPlotX, t.PlotR-w)
		}
		b := bar{N: c.N, X: px(x), Y: y, W: px(w), H: tlBarH, LabelY: y + tlBarH - 2,
			Class: cssClass(c.Result), FirstY1: y - 2, Y2: y + tlBarH + 2,
			Title: fmt.Sprintf("#%d %s: %s, status %s, %s", c.N, c.Name, c.Result, status(c.Status), duration(c.DurationMS))}
		b.Label, b.LabelX = duration(c.DurationMS), px(x+w+4)
		if x+w+tlLabelW > t.PlotR {
			b.LabelX, b.LabelLeft = px(x-4), true
		}
		if c.FirstChunkMS != nil && *c.FirstChunkMS <= c.DurationMS {
			b.First, b.HasFirst = px(x+*c.FirstChunkMS*scale), true
		}
		t.Bars = append(t.Bars, b)
	}
	t.AxisY = float64(tlTop + len(run.Calls)*tlRowH + 4)
	t.Height = int(t.AxisY) + tlAxisH
	step := tickStep(total)
	for v := 0.0; v <= total+step/1e6; v += step {
		t.Ticks = append(t.Ticks, tick{X: px(tlPlotX + v*scale), Label: tickLabel(v)})
	}
	return t
}

// tickStep is the smallest 1, 2 or 5 times a power of ten (ms) that puts
// at most tlMaxTick intervals on the axis.
func tickStep(total float64) float64 {
	for p := 1.0; ; p *= 10 {
		for _, m := range []float64{1, 2, 5} {
			if total/(m*p) <= tlMaxTick {
				return m * p
			}
		}
	}
}

func tickLabel(ms float64) string {
	switch {
	case ms == 0:
		return "0"
	case ms < 1000:
		return fmt.Sprintf("%.0f ms", ms)
	}
	return fmt.Sprintf("%g s", ms/1000)
}

// px rounds to a tenth of a pixel.
func px(f float64) float64 { return math.Round(f*10) / 10 }
