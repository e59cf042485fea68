package redact

import (
	"context"

	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
)

// WrapMetricExporter returns a metric exporter that passes every data point
// through g before handing the batch to e, the metric counterpart of
// WrapExporter: attributes filtered by the allowlist and scanned, exemplars
// dropped, resource attribute values scrubbed (keys kept). A metric whose
// data is of a kind the guard does not know is dropped whole: fail closed.
// The input is never modified: the SDK reuses it.
//
// A nil g is the guard with an empty allowlist: every attribute is dropped.
func WrapMetricExporter(e sdkmetric.Exporter, g *Guard) sdkmetric.Exporter {
	if g == nil {
		g = NewGuard(nil, nil)
	}
	return &metricExporter{Exporter: e, g: g}
}

type metricExporter struct {
	sdkmetric.Exporter
	g *Guard
}

// Export guards rm and exports the result.
func (x *metricExporter) Export(ctx context.Context, rm *metricdata.ResourceMetrics) error {
	out := &metricdata.ResourceMetrics{Resource: rm.Resource, ScopeMetrics: make([]metricdata.ScopeMetrics, 0, len(rm.ScopeMetrics))}
	if rm.Resource != nil {
		out.Resource, _ = scrubResource(rm.Resource, x.g.sc)
	}
	for _, sm := range rm.ScopeMetrics {
		gs := metricdata.ScopeMetrics{Scope: sm.Scope, Metrics: make([]metricdata.Metrics, 0, len(sm.Metrics))}
		for _, m := range sm.Metrics {
			if data, ok := x.data(m.Data); ok {
				m.Data = data
				gs.Metrics = append(gs.Metrics, m)
			}
		}
		out.ScopeMetrics = append(out.ScopeMetrics, gs)
	}
	return x.Exporter.Export(ctx, out)
}

// data returns a guarded copy of a metric's data; ok is false for a kind
// of data the guard does not know.
func (x *metricExporter) data(d metricdata.Aggregation) (metricdata.Aggregation, bool) {
	switch d := d.(type) {
	case metricdata.Histogram[int64]:
		d.DataPoints = guardHistogram(x.g, d.DataPoints)
		return d, true
	case metricdata.Histogram[float64]:
		d.DataPoints = guardHistogram(x.g, d.DataPoints)
		return d, true
	case metricdata.Sum[int64]:
		d.DataPoints = guardPoints(x.g, d.DataPoints)
		return d, true
	case metricdata.Sum[float64]:
		d.DataPoints = guardPoints(x.g, d.DataPoints)
		return d, true
	case metricdata.Gauge[int64]:
		d.DataPoints = guardPoints(x.g, d.DataPoints)
		return d, true
	case metricdata.Gauge[float64]:
		d.DataPoints = guardPoints(x.g, d.DataPoints)
		return d, true
	}
	return nil, false
}

func guardHistogram[N int64 | float64](g *Guard, in []metricdata.HistogramDataPoint[N]) []metricdata.HistogramDataPoint[N] {
	out := make([]metricdata.HistogramDataPoint[N], len(in))
	for i, dp := range in {
		dp.Attributes = g.set(dp.Attributes)
		dp.Exemplars = nil
		out[i] = dp
	}
	return out
}

func guardPoints[N int64 | float64](g *Guard, in []metricdata.DataPoint[N]) []metricdata.DataPoint[N] {
	out := make([]metricdata.DataPoint[N], len(in))
	for i, dp := range in {
		dp.Attributes = g.set(dp.Attributes)
		dp.Exemplars = nil
		out[i] = dp
	}
	return out
}

// set returns the attributes of s that may be exported, scrubbed.
func (g *Guard) set(s attribute.Set) attribute.Set {
	in := s.ToSlice()
	out, dropped, masked := g.Attributes(in)
	if dropped+masked == 0 {
		return s
	}
	return attribute.NewSet(out...)
}
