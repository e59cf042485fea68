package gctune

import (
	"math"
	"runtime/debug"
	"testing"
)

func TestApply(t *testing.T) {
	oldPct, oldLim := debug.SetGCPercent(100), debug.SetMemoryLimit(math.MaxInt64)
	t.Cleanup(func() { debug.SetGCPercent(oldPct); debug.SetMemoryLimit(oldLim) })

	Apply(func(string) string { return "" })
	if got := debug.SetGCPercent(-1); got != Percent {
		t.Errorf("GC percent %d, want %d", got, Percent)
	}
	if got := debug.SetMemoryLimit(-1); got != MemoryLimit {
		t.Errorf("memory limit %d, want %d", got, MemoryLimit)
	}

	// A user's GOGC and GOMEMLIMIT win: Apply leaves what the runtime set.
	debug.SetGCPercent(150)
	debug.SetMemoryLimit(1 << 30)
	Apply(func(k string) string { return map[string]string{"GOGC": "150", "GOMEMLIMIT": "1GiB"}[k] })
	if got := debug.SetGCPercent(-1); got != 150 {
		t.Errorf("GC percent %d after a user's GOGC=150", got)
	}
	if got := debug.SetMemoryLimit(-1); got != 1<<30 {
		t.Errorf("memory limit %d after a user's GOMEMLIMIT", got)
	}
}
