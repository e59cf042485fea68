package main

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/agentwrap/agentwrap/internal/collectortest"
	"github.com/agentwrap/agentwrap/spans"
)

// TestTeamTier runs the team layout of README "For teams" on loopback: the
// shipped otelcol-gateway.yaml load-balancing by trace id (static resolver)
// to two tier collectors running the shipped otelcol.yaml, each exporting
// to its own backend receiver. Several agentwrap runs go to the gateway.
// Every span arrives at the backends exactly once, each run's trace whole
// behind one tier collector, and the planted attributes of a foreign span
// are removed once, by the tier, with no canary anywhere.
func TestTeamTier(t *testing.T) {
	dir := collectortest.CollectorDir()
	backends := []*collectortest.Receiver{collectortest.NewHTTPReceiver(t), collectortest.NewHTTPReceiver(t)}
	var tiers []*collectortest.Collector
	for _, b := range backends {
		tiers = append(tiers, collectortest.Start(t, filepath.Join(dir, "otelcol.yaml"), "JAEGER_OTLP_ENDPOINT="+b.Endpoint))
	}
	gw := collectortest.Start(t, filepath.Join(dir, "otelcol-gateway.yaml"),
		"COLLECTOR_TIER=["+tiers[0].GRPCAddr+", "+tiers[1].GRPCAddr+"]")

	runs := canaryRuns(t, 6, gw.HTTPEndpoint)
	sendPlanted(t, gw.HTTPEndpoint)
	want := 1
	sent := map[string]string{} // span id -> trace id
	for _, r := range runs {
		want += len(r.spans)
		for _, s := range r.spans {
			sent[s.SpanID] = s.TraceID
		}
	}

	deadline := time.Now().Add(time.Minute)
	for len(backends[0].Spans())+len(backends[1].Spans()) < want && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	time.Sleep(time.Second) // late duplicates would show now
	seen := map[string]int{}
	tierOf := map[string]int{} // trace id -> tier
	perTier := [2]int{}
	for i, b := range backends {
		for _, s := range b.Spans() {
			id, trace := s.Span.SpanID().String(), s.Span.TraceID().String()
			seen[id]++
			perTier[i]++
			if prev, ok := tierOf[trace]; ok && prev != i {
				t.Errorf("trace %s is split across both tier collectors", trace)
			}
			tierOf[trace] = i
			if s.Span.Name() == "planted" {
				checkPlantedOnce(t, s)
				continue
			}
			if sent[id] != trace {
				t.Errorf("span %s (%q) arrived in trace %s, no run file has it there", id, s.Span.Name(), trace)
			}
		}
	}
	t.Logf("spans per tier collector: %v, traces: %d", perTier, len(tierOf))
	if got := perTier[0] + perTier[1]; got != want {
		t.Errorf("the backends got %d spans, want %d", got, want)
	}
	for id := range sent {
		if seen[id] != 1 {
			t.Errorf("span %s arrived %d times, want once", id, seen[id])
		}
	}
	outputs := [][]byte{backends[0].Raw(), backends[1].Raw(), []byte(gw.Output()), []byte(tiers[0].Output()), []byte(tiers[1].Output())}
	for _, r := range runs {
		assertNoCanary(t, r, outputs, jaegerPrefix, plantedToken, plantedPrompt)
	}
	// The user's resource attribute outside the allowlist is in the run
	// files, and removed by the tier.
	for i, b := range backends {
		if strings.Contains(string(b.Raw()), plantedResourceValue) {
			t.Errorf("backend %d got %s=%s", i, plantedResourceKey, plantedResourceValue)
		}
	}
}

// checkPlantedOnce: the tier removed the two planted keys and masked the
// credential in notes, and counted exactly that. The gateway forwards
// spans unfiltered (collector's TestGatewayRoutesWholeTracesUnfiltered), so
// this is the tier's one pass.
func checkPlantedOnce(t *testing.T, s collectortest.Span) {
	t.Helper()
	attrs := s.Span.Attributes().AsRaw()
	for _, k := range []string{"gen_ai.prompt", "http.request.header.authorization"} {
		if _, ok := attrs[k]; ok {
			t.Errorf("planted attribute %s passed the team tier", k)
		}
	}
	if n, _ := attrs[string(spans.Notes)].(string); strings.Contains(n, plantedToken) || !strings.Contains(n, "****") {
		t.Errorf("notes %q: want the credential masked", n)
	}
	if attrs["redaction.redacted.count"] != int64(2) || attrs["redaction.masked.count"] != int64(1) {
		t.Errorf("redaction counts %v, want 2 removed and 1 masked", attrs)
	}
}
