package main

import (
	"fmt"
	"regexp"
	"time"
)

// plan is the list of phases a round runs and how often.
type plan struct {
	Rounds int         `json:"rounds"`
	Phases []phaseSpec `json:"-"`
}

// fullPlan is the matrix: JSON replies to 1, 10 and 100 KB
// requests and an SSE reply of 64 deltas 20 ms apart, each at concurrency
// 1, 32 and 256; plus, at concurrency 1, JSON calls paced 1 ms apart, as an
// agent's calls come (seconds apart, in fact) rather than back to back.
func fullPlan(rounds int) plan {
	modes := []mode{
		{Name: "json-1KB", BodyKB: 1},
		{Name: "json-10KB", BodyKB: 10},
		{Name: "json-100KB", BodyKB: 100},
		{Name: "sse-64x20ms", BodyKB: 1, Deltas: 64, Interval: 20 * time.Millisecond},
		{Name: "json-1KB-paced", BodyKB: 1, Pace: time.Millisecond},
		{Name: "json-100KB-paced", BodyKB: 100, Pace: time.Millisecond},
		{Name: "messages-1KB", BodyKB: 1, Shape: shapeMessages},
		{Name: "messages-1KB-paced", BodyKB: 1, Shape: shapeMessages, Pace: time.Millisecond},
	}
	calls := map[bool]map[int]int{
		false: {1: 2000, 32: 3200, 256: 5120},
		true:  {1: 4, 32: 64, 256: 256},
	}
	p := buildPlan(rounds, modes, []int{1, 32, 256}, calls)
	// The Messages modes compare with claude-code-router (D), a Node.js
	// proxy: at 1 and 32 calls at a time, as one or a few agents make them.
	return p.without(func(s phaseSpec) bool { return s.Mode.Shape == shapeMessages && s.Conc > 32 })
}

// quickPlan is a small plan for CI smoke runs: the same shapes, fewer and
// shorter calls.
func quickPlan(rounds int) plan {
	modes := []mode{
		{Name: "json-1KB", BodyKB: 1},
		{Name: "json-100KB", BodyKB: 100},
		{Name: "sse-8x20ms", BodyKB: 1, Deltas: 8, Interval: 20 * time.Millisecond},
		{Name: "json-1KB-paced", BodyKB: 1, Pace: time.Millisecond},
		{Name: "messages-1KB", BodyKB: 1, Shape: shapeMessages},
	}
	calls := map[bool]map[int]int{
		false: {1: 20, 8: 40},
		true:  {1: 2, 8: 8},
	}
	return buildPlan(rounds, modes, []int{1, 8}, calls)
}

func buildPlan(rounds int, modes []mode, concs []int, calls map[bool]map[int]int) plan {
	p := plan{Rounds: rounds}
	for _, m := range modes {
		for _, c := range concs {
			if m.Pace > 0 && c > 1 {
				// Paced workers at 32 and 256 would be a closed loop again.
				continue
			}
			p.Phases = append(p.Phases, phaseSpec{Mode: m, Conc: c, Calls: calls[m.stream()][c]})
		}
	}
	return p
}

// without drops the phases drop reports.
func (p plan) without(drop func(phaseSpec) bool) plan {
	out := plan{Rounds: p.Rounds}
	for _, s := range p.Phases {
		if !drop(s) {
			out.Phases = append(out.Phases, s)
		}
	}
	return out
}

// targets are the targets of names that run in phase s: D, which only
// speaks the Messages API here, runs in the Messages phases alone.
func (s phaseSpec) targets(names []string) []string {
	var out []string
	for _, n := range names {
		if n == targetPeer && s.Mode.Shape != shapeMessages {
			continue
		}
		out = append(out, n)
	}
	return out
}

// name is the phase's name for -only: "MODE xCONC".
func (s phaseSpec) name() string { return fmt.Sprintf("%s x%d", s.Mode.Name, s.Conc) }

// filter keeps the phases whose name re matches; a nil re keeps all.
func (p plan) filter(re *regexp.Regexp) plan {
	if re == nil {
		return p
	}
	return p.without(func(s phaseSpec) bool { return !re.MatchString(s.name()) })
}
