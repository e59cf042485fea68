package main

import (
	"fmt"
	"io"
	"strings"
)

// writeTables prints the summary as markdown tables (µs unless named).
func writeTables(w io.Writer, rep report) {
	fmt.Fprintf(w, "agentwrap-bench: %d run(s) of %d round(s), %s, %d CPUs, flush timeout %s; medians over rounds, µs\n\n",
		len(rep.Runs), rep.Rounds, rep.GoVersion, rep.CPUs, rep.FlushTimeout)
	table(w, []string{"mode", "conc", "A p50", "A p99", "B−A p50", "B−A p99", "C−A p50", "C−A p99", "C−B p50", "C−B p99", "(C−A)/(B−A) p50", "p99"},
		rep.Summary, func(r summaryRow) []string {
			a, b, c := r.Targets[targetDirect], r.Targets[targetProxy], r.Targets[targetGateway]
			n := r.samples()
			return []string{r.Mode, fmt.Sprint(r.Conc), ran(at(a.LatencyP50, n, 50), a), ran(at(a.LatencyP99, n, 99), a),
				ran(at(r.BAddedP50, n, 50), a, b), ran(at(r.BAddedP99, n, 99), a, b),
				ran(at(r.CAddedP50, n, 50), a, c), ran(at(r.CAddedP99, n, 99), a, c), ran(at(r.COverBP50, n, 50), b, c), ran(at(r.COverBP99, n, 99), b, c),
				ran(ratioAt(r.RatioP50, n, 50), a, b, c), ran(ratioAt(r.RatioP99, n, 99), a, b, c)}
		})
	fmt.Fprintln(w)
	table(w, []string{"stream", "conc", "first chunk A p50", "B−A", "C−A", "C−B", "gap p99 A", "B", "C", "C−A", "coalesced A/B/C/C'"},
		streams(rep.Summary), func(r summaryRow) []string {
			a, b, c := r.Targets[targetDirect], r.Targets[targetProxy], r.Targets[targetGateway]
			co := fmt.Sprintf("%d/%d/%d/%d", a.Coalesced, b.Coalesced, c.Coalesced,
				r.Targets[targetRefused].Coalesced+r.Targets[targetBlackhole].Coalesced)
			n, g := r.samples(), r.gapSamples()
			return []string{r.Mode, fmt.Sprint(r.Conc), at(a.FirstP50, n, 50), at(b.FirstP50-a.FirstP50, n, 50), at(c.FirstP50-a.FirstP50, n, 50),
				at(r.FirstCOverB, n, 50), at(a.GapP99, g, 99), at(b.GapP99, g, 99), at(c.GapP99, g, 99), at(r.GapP99COverA, g, 99), co}
		})
	fmt.Fprintln(w)
	table(w, []string{"mode", "conc", "calls/s A", "B", "C", "C/B", "CPU/call A", "B", "C", "C−A", "C−B"},
		rep.Summary, func(r summaryRow) []string {
			a, b, c := r.Targets[targetDirect], r.Targets[targetProxy], r.Targets[targetGateway]
			return []string{r.Mode, fmt.Sprint(r.Conc), ran(f0(a.Throughput), a), ran(f0(b.Throughput), b), ran(f0(c.Throughput), c),
				ran(fmt.Sprintf("%.2f", ratio(c.Throughput, b.Throughput)), b, c),
				ran(us(a.CPUPerCall), a), ran(us(b.CPUPerCall), b), ran(us(c.CPUPerCall), c), ran(us(r.CPUAdded), a, c), ran(us(c.CPUPerCall-b.CPUPerCall), b, c)}
		})
	if len(rep.Runs) > 1 {
		fmt.Fprintln(w)
		writeRunTargets(w, rep.Runs)
	}
	fmt.Fprintln(w)
	table(w, []string{"collector unreachable: mode", "conc", "C p50", "C p99", "C'refused p50", "p99", "C'blackhole p50", "p99", "exit ms C/ref/bh", "lost spans C/ref/bh"},
		rep.Summary, func(r summaryRow) []string {
			c, rf, bh := r.Targets[targetGateway], r.Targets[targetRefused], r.Targets[targetBlackhole]
			n := r.samples()
			return []string{r.Mode, fmt.Sprint(r.Conc), at(c.LatencyP50, n, 50), at(c.LatencyP99, n, 99), at(rf.LatencyP50, n, 50), at(rf.LatencyP99, n, 99),
				at(bh.LatencyP50, n, 50), at(bh.LatencyP99, n, 99),
				fmt.Sprintf("%.0f/%.0f/%.0f", c.MaxExitDelay, rf.MaxExitDelay, bh.MaxExitDelay),
				fmt.Sprintf("%d/%d/%d", c.LostSpans, rf.LostSpans, bh.LostSpans)}
		})
	if ms := withTarget(rep.Summary, targetMetrics); len(ms) > 0 {
		fmt.Fprintln(w)
		table(w, []string{"GenAI metrics on: mode", "conc", "C p50", "C p99", "C+metrics p50", "p99", "calls/s C", "C+metrics", "CPU/call C", "C+metrics"},
			ms, func(r summaryRow) []string {
				c, m := r.Targets[targetGateway], r.Targets[targetMetrics]
				n := r.samples()
				return []string{r.Mode, fmt.Sprint(r.Conc), at(c.LatencyP50, n, 50), at(c.LatencyP99, n, 99), at(m.LatencyP50, n, 50), at(m.LatencyP99, n, 99),
					f0(c.Throughput), f0(m.Throughput), us(c.CPUPerCall), us(m.CPUPerCall)}
			})
	}
	if peers := withTarget(rep.Summary, targetPeer); len(peers) > 0 {
		fmt.Fprintln(w)
		table(w, []string{"vs claude-code-router: mode", "conc", "A p50", "A p99", "B−A p50", "p99", "C−A p50", "p99", "D−A p50", "p99",
			"(D−A)/(C−A) p50", "p99", "calls/s B", "C", "D", "CPU/call C", "D"},
			peers, func(r summaryRow) []string {
				a, b, c, dd := r.Targets[targetDirect], r.Targets[targetProxy], r.Targets[targetGateway], r.Targets[targetPeer]
				n := r.samples()
				return []string{r.Mode, fmt.Sprint(r.Conc), at(a.LatencyP50, n, 50), at(a.LatencyP99, n, 99),
					at(r.BAddedP50, n, 50), at(r.BAddedP99, n, 99), at(r.CAddedP50, n, 50), at(r.CAddedP99, n, 99),
					at(r.DAddedP50, n, 50), at(r.DAddedP99, n, 99), ratioAt(r.PeerRatioP50, n, 50), ratioAt(r.PeerRatioP99, n, 99),
					f0(b.Throughput), f0(c.Throughput), f0(dd.Throughput), us(c.CPUPerCall), us(dd.CPUPerCall)}
			})
	}
	if rep.PeerSkipped != "" {
		fmt.Fprintf(w, "\ntarget D skipped: %s\n", rep.PeerSkipped)
	}
	if len(rep.Memory) > 0 {
		fmt.Fprintln(w)
		table(w, []string{"memory check", "peak RSS MB", "before MB", "limit MB", "result"}, rep.Memory, func(m memResult) []string {
			return []string{m.Name, mb(float64(m.PeakKB)), mb(float64(m.BaseKB)), fmt.Sprint(m.LimitMB), m.result()}
		})
	}
	writeReportTable(w, rep.Report)
}

// result is a memory or report check's verdict for its table.
func (m memResult) result() string {
	switch {
	case m.Error != "":
		return "error: " + m.Error
	case !m.Pass:
		return "over limit"
	}
	return "pass"
}

// writeReportTable writes the report checks, when they ran.
func writeReportTable(w io.Writer, results []memResult) {
	if len(results) > 0 {
		fmt.Fprintln(w)
		table(w, []string{"report check", "peak RSS MB", "limit MB", "file, time, speed", "result"}, results, func(m memResult) []string {
			return []string{m.Name, mb(float64(m.PeakKB)), fmt.Sprint(m.LimitMB), m.Detail, m.result()}
		})
	}
}

// withTarget keeps the rows in which target name ran.
func withTarget(rows []summaryRow, name string) []summaryRow {
	var out []summaryRow
	for _, r := range rows {
		if r.Targets[name].Samples > 0 {
			out = append(out, r)
		}
	}
	return out
}

func streams(rows []summaryRow) []summaryRow {
	var out []summaryRow
	for _, r := range rows {
		if strings.HasPrefix(r.Mode, "sse") {
			out = append(out, r)
		}
	}
	return out
}

func table[T any](w io.Writer, head []string, rows []T, cells func(T) []string) {
	fmt.Fprintln(w, "| "+strings.Join(head, " | ")+" |")
	fmt.Fprintln(w, "|"+strings.Repeat("---|", len(head)))
	for _, r := range rows {
		fmt.Fprintln(w, "| "+strings.Join(cells(r), " | ")+" |")
	}
}

func us(v float64) string { return fmt.Sprintf("%.0f", v) }

// notEnough stands in a table for a percentile of too few samples.
const notEnough = "–"

// at prints v, a p-th percentile (or a difference of them) computed from n
// samples, or notEnough when n samples cannot give it.
func at(v float64, n int, p float64) string {
	if !enough(n, p) {
		return notEnough
	}
	return us(v)
}

func ratioAt(v float64, n int, p float64) string {
	if !enough(n, p) {
		return notEnough
	}
	return fmt.Sprintf("%.2f", v)
}

// samples is the fewest calls any target's percentiles in the row came
// from; gapSamples the same for inter-event gaps.
func (r summaryRow) samples() int { return r.fewest(func(t targetSummary) int { return t.Samples }) }
func (r summaryRow) gapSamples() int {
	return r.fewest(func(t targetSummary) int { return t.GapSamples })
}

func (r summaryRow) fewest(n func(targetSummary) int) int {
	least := -1
	for _, t := range r.Targets {
		if v := n(t); v > 0 && (least < 0 || v < least) {
			least = v
		}
	}
	return max(least, 0)
}
func f0(v float64) string { return fmt.Sprintf("%.0f", v) }
func mb(kb float64) string {
	return fmt.Sprintf("%.1f", kb/1024)
}

// writeRunTargets prints, for every mode and concurrency, the figures the
// performance targets are judged by in each run, and their median over
// runs (PERFORMANCE.md, "Targets").
func writeRunTargets(w io.Writer, runs [][]summaryRow) {
	type figure struct {
		name string
		v    func(summaryRow) (float64, bool)
		f    func(float64) string
	}
	two := func(v float64) string { return fmt.Sprintf("%.2f", v) }
	figures := []figure{
		{"(C−A)/(B−A) p50", func(r summaryRow) (float64, bool) { return r.RatioP50, enough(r.samples(), 50) }, two},
		{"(C−A)/(B−A) p99", func(r summaryRow) (float64, bool) { return r.RatioP99, enough(r.samples(), 99) }, two},
		{"CPU/call C−B µs", func(r summaryRow) (float64, bool) {
			return r.Targets[targetGateway].CPUPerCall - r.Targets[targetProxy].CPUPerCall, r.Targets[targetGateway].Samples > 0
		}, us},
		{"calls/s C/B", func(r summaryRow) (float64, bool) {
			return ratio(r.Targets[targetGateway].Throughput, r.Targets[targetProxy].Throughput), r.Targets[targetGateway].Samples > 0
		}, two},
		{"(D−A)/(C−A) p50", func(r summaryRow) (float64, bool) { return r.PeerRatioP50, r.PeerRatioP50 != 0 }, two},
		{"(D−A)/(C−A) p99", func(r summaryRow) (float64, bool) { return r.PeerRatioP99, r.PeerRatioP99 != 0 }, two},
	}
	head := []string{"targets by run: mode", "conc", "figure"}
	for i := range runs {
		head = append(head, fmt.Sprintf("run %d", i+1))
	}
	head = append(head, "median")
	type line struct{ cells []string }
	var lines []line
	for i, row := range runs[0] {
		for _, fg := range figures {
			cells := []string{row.Mode, fmt.Sprint(row.Conc), fg.name}
			var vals []float64
			for _, run := range runs {
				if i >= len(run) {
					continue
				}
				v, ok := fg.v(run[i])
				if !ok {
					cells = append(cells, notEnough)
					continue
				}
				vals = append(vals, v)
				cells = append(cells, fg.f(v))
			}
			if len(vals) == 0 {
				continue
			}
			lines = append(lines, line{append(cells, fg.f(median(vals)))})
		}
	}
	table(w, head, lines, func(l line) []string { return l.cells })
}

// ran is cell when every target it is computed from ran in the phase
// (-targets may leave some out), else notEnough: a figure of a target that
// did not run would print as 0.
func ran(cell string, ts ...targetSummary) string {
	for _, t := range ts {
		if t.Samples == 0 {
			return notEnough
		}
	}
	return cell
}
