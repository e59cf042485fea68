package otlptest

import (
	"go.opentelemetry.io/collector/pdata/pmetric"
)

// Point is one received metric data point in plain Go values, with its
// metric's name, unit and kind, and its resource and scope.
type Point struct {
	Metric, Unit string
	// Kind is the pdata metric type: "Histogram", "Sum", "Gauge", ...
	Kind string
	// Temporality is "Cumulative" or "Delta" for sums and histograms.
	Temporality string
	Attrs       map[string]any
	Resource    map[string]any
	// SchemaURL and ScopeSchemaURL are the resource's and the scope's.
	SchemaURL, ScopeSchemaURL string
	Scope                     string

	// Histograms: count, sum, explicit bounds and bucket counts.
	Count        uint64
	Sum          float64
	Bounds       []float64
	BucketCounts []uint64
	// Sums and gauges: the value, an integer converted to float64.
	Value     float64
	Monotonic bool
	// Exemplars is the number of exemplars of the point.
	Exemplars int
}

// Str returns the string attribute key, or "".
func (p Point) Str(key string) string {
	v, _ := p.Attrs[key].(string)
	return v
}

// FlattenMetrics returns every data point of m, in order.
func FlattenMetrics(m pmetric.Metrics) []Point {
	var out []Point
	for _, rm := range m.ResourceMetrics().All() {
		res := rm.Resource().Attributes().AsRaw()
		for _, sm := range rm.ScopeMetrics().All() {
			for _, mt := range sm.Metrics().All() {
				base := Point{Metric: mt.Name(), Unit: mt.Unit(), Kind: mt.Type().String(), Resource: res,
					SchemaURL: rm.SchemaUrl(), ScopeSchemaURL: sm.SchemaUrl(), Scope: sm.Scope().Name()}
				out = appendPoints(out, base, mt)
			}
		}
	}
	return out
}

func appendPoints(out []Point, base Point, mt pmetric.Metric) []Point {
	switch mt.Type() {
	case pmetric.MetricTypeHistogram:
		base.Temporality = mt.Histogram().AggregationTemporality().String()
		for _, dp := range mt.Histogram().DataPoints().All() {
			p := base
			p.Attrs = dp.Attributes().AsRaw()
			p.Count, p.Sum = dp.Count(), dp.Sum()
			p.Bounds = dp.ExplicitBounds().AsRaw()
			p.BucketCounts = dp.BucketCounts().AsRaw()
			p.Exemplars = dp.Exemplars().Len()
			out = append(out, p)
		}
	case pmetric.MetricTypeSum:
		base.Temporality = mt.Sum().AggregationTemporality().String()
		base.Monotonic = mt.Sum().IsMonotonic()
		out = appendNumbers(out, base, mt.Sum().DataPoints())
	case pmetric.MetricTypeGauge:
		out = appendNumbers(out, base, mt.Gauge().DataPoints())
	default:
		out = append(out, base)
	}
	return out
}

func appendNumbers(out []Point, base Point, dps pmetric.NumberDataPointSlice) []Point {
	for _, dp := range dps.All() {
		p := base
		p.Attrs = dp.Attributes().AsRaw()
		if dp.ValueType() == pmetric.NumberDataPointValueTypeInt {
			p.Value = float64(dp.IntValue())
		} else {
			p.Value = dp.DoubleValue()
		}
		p.Exemplars = dp.Exemplars().Len()
		out = append(out, p)
	}
	return out
}
