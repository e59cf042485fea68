package main

import (
	"context"
	"fmt"
	"net/http"
	"runtime/trace"
	"sync"
	"sync/atomic"
	"time"
)

// phaseSpec is one mode at one concurrency.
type phaseSpec struct {
	Mode  mode
	Conc  int
	Calls int
}

// phaseResult is what one target measured in one phase of one round.
type phaseResult struct {
	Run    int    `json:"run"`
	Round  int    `json:"round"`
	Target string `json:"target"`
	Mode   string `json:"mode"`
	Conc   int    `json:"concurrency"`
	Calls  int    `json:"calls"`
	Errors int    `json:"errors"`
	// FirstError is the first call error, if any.
	FirstError string `json:"first_error,omitempty"`

	LatencyP50 float64 `json:"latency_p50_us"`
	LatencyP99 float64 `json:"latency_p99_us"`
	FirstP50   float64 `json:"first_chunk_p50_us"`
	FirstP99   float64 `json:"first_chunk_p99_us"`
	GapP50     float64 `json:"gap_p50_us,omitempty"`
	GapP99     float64 `json:"gap_p99_us,omitempty"`
	Coalesced  int     `json:"coalesced_events"`
	// Throughput is calls per second of wall time.
	Throughput float64 `json:"throughput_calls_per_s"`
	// CPUPerCall is user+system CPU of the whole process (client,
	// upstream and proxy) per call. For C and C' it includes the work the
	// calls left for after they ended: the observations still pending and
	// the last OTLP batch, done when the run ends.
	CPUPerCall float64 `json:"cpu_per_call_us"`
	// Samples is the number of calls (or, for gaps, events) each
	// percentile was computed from; a percentile that needs more samples
	// than there were is not printed (see enough).
	Samples    int `json:"samples"`
	GapSamples int `json:"gap_samples,omitempty"`
	// PeakRSS is the whole process's peak resident set during the phase
	// (client, upstream, proxies and what earlier phases left); the memory
	// checks measure the gateway alone.
	PeakRSS int64 `json:"peak_rss_kb"`

	// Run-file accounting for C and C'.
	Observed  int     `json:"observed_calls,omitempty"`
	FileSpans int     `json:"run_file_spans,omitempty"`
	ExitDelay float64 `json:"exit_delay_ms,omitempty"`
	Exported  int64   `json:"exported_spans,omitempty"`
}

// runPhase sends spec.Calls calls to the target from spec.Conc workers.
func (e *env) runPhase(ctx context.Context, round int, name string, spec phaseSpec) phaseResult {
	res := phaseResult{Round: round, Target: name, Mode: spec.Mode.Name, Conc: spec.Conc, Calls: spec.Calls}
	tg, err := e.openTarget(ctx, name)
	if err != nil {
		res.Errors, res.FirstError = spec.Calls, err.Error()
		return res
	}
	client := newClient()
	defer client.CloseIdleConnections()
	warm(client, tg.url, spec.Mode, spec.Conc)
	if tg.run != nil {
		// The warm-up calls' spans are recorded after the calls ended;
		// that work belongs to the warm-up, not to what is measured.
		tg.run.settle(spec.Conc, 10*time.Second)
	}
	exported, points := e.sink.SpanCount(), len(e.sink.Metrics())

	body := bodyFor(spec.Mode)
	regionName := "call " + name
	results := make([]callResult, spec.Calls)
	// No debug.FreeOSMemory here: releasing the heap before every phase
	// made each phase fault its pages in again, CPU a long-running
	// gateway pays once, charged to every 2000 calls, and more to C, whose
	// heap is larger: 10–20 µs of B's CPU per call and 20–30 of C's
	// (PERFORMANCE.md, "Measured 2026-12-06, second session").
	resetPeakRSS()
	cpu0 := cpuTime() + tg.peer.cpuTime()
	start := time.Now()
	var next atomic.Int64
	var wg sync.WaitGroup
	for range spec.Conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			slot := time.Now()
			for i := int(next.Add(1)) - 1; i < spec.Calls; i = int(next.Add(1)) - 1 {
				var scheduled time.Time
				if p := spec.Mode.Pace; p > 0 {
					// Open loop: latency counts from the time the call
					// was due, so that a call delayed by the one before
					// it is charged for the wait (no coordinated
					// omission).
					slot = slot.Add(p)
					scheduled = slot
					time.Sleep(time.Until(slot))
				}
				// A region per call for -trace (nothing when no trace
				// is being written).
				region := trace.StartRegion(ctx, regionName)
				results[i] = doCall(client, tg.url, spec.Mode, body, scheduled)
				region.End()
			}
		}()
	}
	wg.Wait()
	wall := time.Since(start)
	res.Throughput = float64(spec.Calls) / wall.Seconds()
	var end runEnd
	if tg.run != nil {
		// The agent has exited when a wrapped run ends, and its
		// connections with it. The client's stay open otherwise, and one
		// it dialled but never used (a race of its pool at concurrency
		// above 1) holds the gateway's Close to the flush timeout: the
		// exit took 1 s, and the metrics exported at shutdown found the
		// deadline already spent.
		client.CloseIdleConnections()
		end = tg.run.end(e.opts.flushTimeout)
	}
	res.CPUPerCall = float64((cpuTime() + tg.peer.cpuTime() - cpu0).Microseconds()) / float64(spec.Calls)
	res.PeakRSS = peakRSS()
	summarize(&res, results)
	if tg.run != nil {
		tg.run.count(&end)
		res.Observed, res.FileSpans = end.Calls, end.FileSpans
		res.ExitDelay = float64(end.Exit.Microseconds()) / 1000
		if name == targetGateway {
			res.Exported = e.sink.SpanCount() - exported
		}
		if name == targetMetrics && len(e.sink.Metrics()) == points && res.FirstError == "" {
			// What C+metrics measures is only meaningful when the
			// metrics were recorded and exported.
			res.FirstError = "no GenAI metric reached the sink"
		}
		if end.Err != nil && res.FirstError == "" {
			res.FirstError = end.Err.Error()
		}
	}
	return res
}

// warm opens conc connections through the target with small JSON calls
// of the phase's shape, so that no phase pays for connection setup in what
// it measures.
func warm(client *http.Client, url string, m mode, conc int) {
	var wg sync.WaitGroup
	w := mode{Name: "warm", Shape: m.Shape, BodyKB: 1}
	body := bodyFor(w)
	for range conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_ = doCall(client, url, w, body, time.Time{})
		}()
	}
	wg.Wait()
}

// summarize fills the percentiles of res from the calls.
func summarize(res *phaseResult, results []callResult) {
	var lat, first, gaps []time.Duration
	for _, r := range results {
		if r.err != nil {
			if res.Errors == 0 {
				res.FirstError = fmt.Sprint(r.err)
			}
			res.Errors++
			continue
		}
		lat = append(lat, r.latency)
		first = append(first, r.firstChunk)
		gaps = append(gaps, r.gaps...)
		res.Coalesced += r.coalesced
	}
	res.Samples, res.GapSamples = len(lat), len(gaps)
	res.LatencyP50, res.LatencyP99 = micros(percentile(lat, 50)), micros(percentile(lat, 99))
	res.FirstP50, res.FirstP99 = micros(percentile(first, 50)), micros(percentile(first, 99))
	res.GapP50, res.GapP99 = micros(percentile(gaps, 50)), micros(percentile(gaps, 99))
}

// lostSpans is how many spans the run file misses: every call, the
// warm-up calls included, and the run span. It is 0 for A, B and D.
func (r phaseResult) lostSpans() int {
	if r.Target == targetDirect || r.Target == targetProxy || r.Target == targetPeer {
		return 0
	}
	return r.Calls + r.Conc + 1 - r.FileSpans
}
