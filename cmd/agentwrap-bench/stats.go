package main

import (
	"slices"
	"time"
)

// percentile is the p-th percentile (nearest rank) of d; 0 when empty.
func percentile(d []time.Duration, p float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	i := int(float64(len(s))*p/100+0.5) - 1
	return s[min(max(i, 0), len(s)-1)]
}

func micros(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1000 }

// median is the median of v; 0 when empty.
func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// enough reports whether n samples can give the p-th percentile a meaning
// of its own: at least 100/(100-p) of them (2 for p50, 100 for p99), so
// that the value is not simply the largest sample.
func enough(n int, p float64) bool { return float64(n)*(100-p) >= 100 }
