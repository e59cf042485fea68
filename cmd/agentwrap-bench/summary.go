package main

// summaryRow is the medians over rounds of one mode and concurrency, per
// target, and the differences the targets are judged by (µs).
type summaryRow struct {
	Mode    string                   `json:"mode"`
	Conc    int                      `json:"concurrency"`
	Targets map[string]targetSummary `json:"targets"`

	// Added latency over A, at p50 and p99, of B and C, and C over B.
	BAddedP50 float64 `json:"b_added_p50_us"`
	BAddedP99 float64 `json:"b_added_p99_us"`
	CAddedP50 float64 `json:"c_added_p50_us"`
	CAddedP99 float64 `json:"c_added_p99_us"`
	COverBP50 float64 `json:"c_over_b_p50_us"`
	COverBP99 float64 `json:"c_over_b_p99_us"`
	// RatioP50 and RatioP99 are C's added latency over B's (1.0 = same).
	RatioP50 float64 `json:"c_over_b_added_ratio_p50"`
	RatioP99 float64 `json:"c_over_b_added_ratio_p99"`
	// FirstCOverB is C's median time to first chunk minus B's.
	FirstCOverB float64 `json:"first_chunk_c_over_b_p50_us"`
	// GapP99COverA is C's inter-event gap p99 minus A's.
	GapP99COverA float64 `json:"gap_p99_c_over_a_us"`
	// CPUAdded is C's CPU per call minus A's: the gateway's own cost.
	CPUAdded float64 `json:"cpu_added_per_call_us"`
	// DAddedP50 and DAddedP99 are D's (claude-code-router's) added
	// latency over A; PeerRatioP50 and PeerRatioP99 are D's added latency
	// over C's (4.0 = the gateway adds a quarter of what D adds). Zero
	// where D did not run.
	DAddedP50    float64 `json:"d_added_p50_us,omitempty"`
	DAddedP99    float64 `json:"d_added_p99_us,omitempty"`
	PeerRatioP50 float64 `json:"d_over_c_added_ratio_p50,omitempty"`
	PeerRatioP99 float64 `json:"d_over_c_added_ratio_p99,omitempty"`
}

// targetSummary is one target's medians over rounds, plus the worst case
// of what must never happen.
type targetSummary struct {
	LatencyP50 float64 `json:"latency_p50_us"`
	LatencyP99 float64 `json:"latency_p99_us"`
	FirstP50   float64 `json:"first_chunk_p50_us"`
	FirstP99   float64 `json:"first_chunk_p99_us"`
	GapP50     float64 `json:"gap_p50_us"`
	GapP99     float64 `json:"gap_p99_us"`
	Throughput float64 `json:"throughput_calls_per_s"`
	CPUPerCall float64 `json:"cpu_per_call_us"`
	PeakRSS    float64 `json:"peak_rss_kb"`
	// Samples and GapSamples are the fewest samples a round's
	// percentiles came from.
	Samples    int `json:"samples"`
	GapSamples int `json:"gap_samples"`
	// Sums and maxima over rounds.
	Errors       int     `json:"errors"`
	Coalesced    int     `json:"coalesced_events"`
	LostSpans    int     `json:"lost_spans"`
	MaxExitDelay float64 `json:"max_exit_delay_ms"`
}

// summarizeRounds groups the phases by mode and concurrency.
func summarizeRounds(p plan, phases []phaseResult) []summaryRow {
	var rows []summaryRow
	for _, spec := range p.Phases {
		row := summaryRow{Mode: spec.Mode.Name, Conc: spec.Conc, Targets: map[string]targetSummary{}}
		for _, name := range targetNames {
			row.Targets[name] = summarizeTarget(phases, spec, name)
		}
		a, b, c := row.Targets[targetDirect], row.Targets[targetProxy], row.Targets[targetGateway]
		row.BAddedP50, row.BAddedP99 = b.LatencyP50-a.LatencyP50, b.LatencyP99-a.LatencyP99
		row.CAddedP50, row.CAddedP99 = c.LatencyP50-a.LatencyP50, c.LatencyP99-a.LatencyP99
		row.COverBP50, row.COverBP99 = c.LatencyP50-b.LatencyP50, c.LatencyP99-b.LatencyP99
		row.RatioP50, row.RatioP99 = ratio(row.CAddedP50, row.BAddedP50), ratio(row.CAddedP99, row.BAddedP99)
		row.FirstCOverB = c.FirstP50 - b.FirstP50
		row.GapP99COverA = c.GapP99 - a.GapP99
		row.CPUAdded = c.CPUPerCall - a.CPUPerCall
		if dd, ok := row.Targets[targetPeer]; ok && dd.Samples > 0 {
			row.DAddedP50, row.DAddedP99 = dd.LatencyP50-a.LatencyP50, dd.LatencyP99-a.LatencyP99
			row.PeerRatioP50, row.PeerRatioP99 = ratio(row.DAddedP50, row.CAddedP50), ratio(row.DAddedP99, row.CAddedP99)
		}
		rows = append(rows, row)
	}
	return rows
}

func summarizeTarget(phases []phaseResult, spec phaseSpec, name string) targetSummary {
	var lat50, lat99, f50, f99, g50, g99, thr, cpu, rss []float64
	var t targetSummary
	for _, ph := range phases {
		if ph.Target != name || ph.Mode != spec.Mode.Name || ph.Conc != spec.Conc {
			continue
		}
		lat50, lat99 = append(lat50, ph.LatencyP50), append(lat99, ph.LatencyP99)
		f50, f99 = append(f50, ph.FirstP50), append(f99, ph.FirstP99)
		g50, g99 = append(g50, ph.GapP50), append(g99, ph.GapP99)
		thr, cpu, rss = append(thr, ph.Throughput), append(cpu, ph.CPUPerCall), append(rss, float64(ph.PeakRSS))
		if t.Samples == 0 || ph.Samples < t.Samples {
			t.Samples = ph.Samples
		}
		if t.GapSamples == 0 || ph.GapSamples < t.GapSamples {
			t.GapSamples = ph.GapSamples
		}
		t.Errors += ph.Errors
		t.Coalesced += ph.Coalesced
		t.LostSpans += ph.lostSpans()
		t.MaxExitDelay = max(t.MaxExitDelay, ph.ExitDelay)
	}
	t.LatencyP50, t.LatencyP99 = median(lat50), median(lat99)
	t.FirstP50, t.FirstP99 = median(f50), median(f99)
	t.GapP50, t.GapP99 = median(g50), median(g99)
	t.Throughput, t.CPUPerCall, t.PeakRSS = median(thr), median(cpu), median(rss)
	return t
}

// ratio is a/b, or 0 when b is not positive (B added nothing measurable).
func ratio(a, b float64) float64 {
	if b <= 0 {
		return 0
	}
	return a / b
}
