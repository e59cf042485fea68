package main

import (
	"fmt"
	"io"
	"strings"
)

// writeTables prints the summary as markdown tables (µs unless named).
func writeTables(w io.Writer, rep report) {
	fmt.Fprintf(w, "agentwrap-bench: %d round(s), %s, %d CPUs, flush timeout %s; medians over rounds, µs\n\n",
		rep.Rounds, rep.GoVersion, rep.CPUs, rep.FlushTimeout)
	table(w, []string{"mode", "conc", "A p50", "A p99", "B−A p50", "B−A p99", "C−A p50", "C−A p99", "C−B p50", "C−B p99", "(C−A)/(B−A) p50", "p99"},
		rep.Summary, func(r summaryRow) []string {
			a := r.Targets[targetDirect]
			return []string{r.Mode, fmt.Sprint(r.Conc), us(a.LatencyP50), us(a.LatencyP99), us(r.BAddedP50), us(r.BAddedP99),
				us(r.CAddedP50), us(r.CAddedP99), us(r.COverBP50), us(r.COverBP99), fmt.Sprintf("%.2f", r.RatioP50), fmt.Sprintf("%.2f", r.RatioP99)}
		})
	fmt.Fprintln(w)
	table(w, []string{"stream", "conc", "first chunk A p50", "B−A", "C−A", "C−B", "gap p99 A", "B", "C", "C−A", "coalesced A/B/C/C'"},
		streams(rep.Summary), func(r summaryRow) []string {
			a, b, c := r.Targets[targetDirect], r.Targets[targetProxy], r.Targets[targetGateway]
			co := fmt.Sprintf("%d/%d/%d/%d", a.Coalesced, b.Coalesced, c.Coalesced,
				r.Targets[targetRefused].Coalesced+r.Targets[targetBlackhole].Coalesced)
			return []string{r.Mode, fmt.Sprint(r.Conc), us(a.FirstP50), us(b.FirstP50 - a.FirstP50), us(c.FirstP50 - a.FirstP50),
				us(r.FirstCOverB), us(a.GapP99), us(b.GapP99), us(c.GapP99), us(r.GapP99COverA), co}
		})
	fmt.Fprintln(w)
	table(w, []string{"mode", "conc", "calls/s A", "B", "C", "CPU/call A", "B", "C", "C−A"},
		rep.Summary, func(r summaryRow) []string {
			a, b, c := r.Targets[targetDirect], r.Targets[targetProxy], r.Targets[targetGateway]
			return []string{r.Mode, fmt.Sprint(r.Conc), f0(a.Throughput), f0(b.Throughput), f0(c.Throughput),
				us(a.CPUPerCall), us(b.CPUPerCall), us(c.CPUPerCall), us(r.CPUAdded)}
		})
	fmt.Fprintln(w)
	table(w, []string{"collector unreachable: mode", "conc", "C p50", "C p99", "C'refused p50", "p99", "C'blackhole p50", "p99", "exit ms C/ref/bh", "lost spans C/ref/bh"},
		rep.Summary, func(r summaryRow) []string {
			c, rf, bh := r.Targets[targetGateway], r.Targets[targetRefused], r.Targets[targetBlackhole]
			return []string{r.Mode, fmt.Sprint(r.Conc), us(c.LatencyP50), us(c.LatencyP99), us(rf.LatencyP50), us(rf.LatencyP99),
				us(bh.LatencyP50), us(bh.LatencyP99),
				fmt.Sprintf("%.0f/%.0f/%.0f", c.MaxExitDelay, rf.MaxExitDelay, bh.MaxExitDelay),
				fmt.Sprintf("%d/%d/%d", c.LostSpans, rf.LostSpans, bh.LostSpans)}
		})
	if len(rep.Memory) > 0 {
		fmt.Fprintln(w)
		table(w, []string{"memory check", "peak RSS MB", "before MB", "limit MB", "result"}, rep.Memory, func(m memResult) []string {
			res := "pass"
			switch {
			case m.Error != "":
				res = "error: " + m.Error
			case !m.Pass:
				res = "over limit"
			}
			return []string{m.Name, mb(float64(m.PeakKB)), mb(float64(m.BaseKB)), fmt.Sprint(m.LimitMB), res}
		})
	}
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
func f0(v float64) string { return fmt.Sprintf("%.0f", v) }
func mb(kb float64) string {
	return fmt.Sprintf("%.1f", kb/1024)
}
