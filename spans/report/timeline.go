package report

import (
	"fmt"
	"math"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/agentwrap/agentwrap/internal/format"
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
	// tlMaxBars is the most calls the timeline draws a bar each for: a
	// run with more, or whose calls table does not show every call, gets
	// a histogram of all its calls instead, tlCols columns tlHistH high.
	tlMaxBars = 1000
	tlCols    = 112
	tlHistH   = 160
	// tlMinSegH keeps one failed call visible in a column of thousands.
	tlMinSegH = 2
)

// timeline is the geometry of the call waterfall: one bar per call, on a
// row of its own, placed by its offset from the run's start.
type timeline struct {
	Width, Height int
	PlotX, PlotR  float64
	AxisY         float64
	Bars          []bar
	Ticks         []tick
	// Hist is set for a histogram: Columns count the calls started in
	// each ColumnMS of the run, the highest MaxCount (drawn at MaxY).
	Hist     bool
	Columns  []column
	ColumnMS float64
	MaxCount int
	MaxY     float64
}

// column is one column of the histogram: its segments stacked from the
// bottom (pass, needs follow-up, fail).
type column struct {
	Title string
	Segs  []seg
}

type seg struct {
	X, Y, W, H float64
	Class      string
}

// histogram counts every call of a run by start time and result rank.
type histogram struct {
	// spanMS is the time from the run's start the columns cover.
	spanMS float64
	cols   [tlCols][3]int
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
	if run.hist != nil {
		return newHistogram(run)
	}
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
	t.Ticks = ticks(total, scale)
	return t
}

func ticks(total, scale float64) []tick {
	var out []tick
	step := tickStep(total)
	for v := 0.0; v <= total+step/1e6; v += step {
		out = append(out, tick{X: px(tlPlotX + v*scale), Label: tickLabel(v)})
	}
	return out
}

// newHistogram lays out the histogram of run's calls.
func newHistogram(run *Run) timeline {
	h := run.hist
	t := timeline{Width: tlWidth, PlotX: tlPlotX, PlotR: tlPlotX + tlPlotW, Hist: true,
		ColumnMS: h.spanMS / tlCols, MaxY: tlTop + 10}
	for _, c := range h.cols {
		t.MaxCount = max(t.MaxCount, c[0]+c[1]+c[2])
	}
	bottom := float64(tlTop + tlHistH)
	w := float64(tlPlotW) / tlCols
	classes := [3]string{"pass", "follow", "fail"}
	for i, c := range h.cols {
		n := c[0] + c[1] + c[2]
		if n == 0 {
			continue
		}
		from := run.Context.Start.Add(time.Duration(float64(i) * t.ColumnMS * float64(time.Millisecond)))
		col := column{Title: fmt.Sprintf("from %s, %s: %s call(s): %s pass, %s needs follow-up, %s fail",
			from.Format("15:04:05.000"), duration(t.ColumnMS), format.Grouped(int64(n)), format.Grouped(int64(c[0])), format.Grouped(int64(c[1])), format.Grouped(int64(c[2])))}
		y := bottom
		for r, k := range c {
			if k == 0 {
				continue
			}
			sh := math.Max(tlMinSegH, float64(k)/float64(t.MaxCount)*tlHistH)
			y -= sh
			col.Segs = append(col.Segs, seg{X: px(tlPlotX + float64(i)*w), Y: px(y), W: px(w - 1), H: px(sh), Class: classes[r]})
		}
		t.Columns = append(t.Columns, col)
	}
	t.AxisY = bottom + 4
	t.Height = int(t.AxisY) + tlAxisH
	t.Ticks = ticks(h.spanMS, tlPlotW/h.spanMS)
	return t
}

// histogram counts every call by start time and result rank over the
// run's duration (or the calls' extent when longer).
func (b *builder) histogram(run *Run) *histogram {
	start := run.Context.Start
	h := &histogram{spanMS: math.Max(run.Context.DurationMS, ms(utc(b.maxEnd).Sub(start)))}
	if h.spanMS <= 0 {
		h.spanMS = 1
	}
	b.log.each(func(p pos, rank int) {
		off := ms(utc(pcommon.Timestamp(p.start)).Sub(start))
		i := min(max(int(off/h.spanMS*tlCols), 0), tlCols-1)
		h.cols[i][min(max(rank, 0), 2)]++
	})
	return h
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
