package redact

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
)

const (
	canaryToken  = "run-token-canary-7f3e9b"
	canaryRes    = "sk-canary-resource-0123456789ab"
	canaryName   = "sk-canary-name-0123456789abcd"
	canaryStatus = "sk-ant-api03-canary-status-0123456789"
	canaryEvent  = "event-canary-payload"
	canaryLink   = "link-canary-value"
	canaryAttr   = "AIzaSyCanaryAttr0123456789abcdefghijkl"
)

var allCanaries = []string{canaryKey, canaryToken, canaryRes, canaryName, canaryStatus, canaryEvent, canaryLink, canaryAttr, "canary"}

func newPipeline(t *testing.T, allow []string, res *resource.Resource) (trace.Tracer, *tracetest.InMemoryExporter, func()) {
	t.Helper()
	mem := tracetest.NewInMemoryExporter()
	g := NewGuard(allow, NewScanner(canaryKey, canaryToken))
	tp := sdktrace.NewTracerProvider(
		sdktrace.WithSyncer(WrapExporter(mem, g)),
		sdktrace.WithResource(res),
	)
	return tp.Tracer("agentwrap"), mem, func() { _ = tp.ForceFlush(context.Background()) }
}

func TestWrapExporterBlocksCanaries(t *testing.T) {
	res := resource.NewSchemaless(
		attribute.String("service.name", "agentwrap"),
		attribute.String("deployment.token", canaryRes),
	)
	tracer, mem, flush := newPipeline(t, testAllow, res)

	_, linked := tracer.Start(context.Background(), "linked")
	linked.End()
	ts, _ := trace.ParseTraceState("vendor=" + "canarystate")
	lctx := trace.ContextWithSpanContext(context.Background(), linked.SpanContext().WithTraceState(ts))

	_, span := tracer.Start(lctx, "chat "+canaryName, trace.WithLinks(trace.Link{
		SpanContext: linked.SpanContext(),
		Attributes:  []attribute.KeyValue{attribute.String("v", canaryLink)},
	}))
	span.SetAttributes(
		attribute.String("agentwrap.run_id", "20261130T025754Z-3f9a2c"),
		attribute.Bool(FlagKey, true),
		attribute.String("agentwrap.notes", "used "+canaryToken),
		attribute.String("gen_ai.request.model", canaryAttr),
		attribute.String("http.request.header.x-api-key", canaryKey),
	)
	span.AddEvent("gen_ai.content.prompt", trace.WithAttributes(attribute.String("text", canaryEvent)))
	span.RecordError(errors.New("boom " + canaryKey))
	span.SetStatus(codes.Error, "rejected "+canaryStatus)
	span.End()
	flush()

	spans := mem.GetSpans()
	if len(spans) != 2 {
		t.Fatalf("got %d spans", len(spans))
	}
	s := spans[1]
	dump := fmt.Sprintf("%+v", spans)
	for _, c := range allCanaries {
		if strings.Contains(dump, c) {
			t.Errorf("canary %q reached the exporter", c)
		}
	}
	if strings.Contains(dump, "canarystate") {
		t.Error("trace state reached the exporter")
	}
	if s.Name != "chat "+Marker || s.Status.Description != "rejected "+Marker || s.Status.Code != codes.Error {
		t.Errorf("name %q, status %+v", s.Name, s.Status)
	}
	if len(s.Events) != 0 || len(s.Links) != 0 || s.DroppedEvents != 2 || s.DroppedLinks != 1 {
		t.Errorf("events %d links %d dropped events %d links %d", len(s.Events), len(s.Links), s.DroppedEvents, s.DroppedLinks)
	}
	if s.DroppedAttributes != 1 {
		t.Errorf("DroppedAttributes = %d, want 1", s.DroppedAttributes)
	}
	if s.SpanContext.TraceState().Len() != 0 || s.Parent.TraceState().Len() != 0 {
		t.Error("trace state kept")
	}
	attrs := attrMap(s.Attributes)
	// 1 attribute dropped, 2 masked, 2 events, 1 link, name, status,
	// trace state, 1 resource value.
	if attrs[FlagKey] != attribute.BoolValue(false) || attrs[CountKey] != attribute.IntValue(10) {
		t.Errorf("flag %v count %v", attrs[FlagKey].String(), attrs[CountKey].String())
	}
	if attrs["agentwrap.run_id"].AsString() != "20261130T025754Z-3f9a2c" {
		t.Errorf("clean attribute lost: %v", s.Attributes)
	}
	if v, _ := s.Resource.Set().Value("deployment.token"); v.AsString() != Marker {
		t.Errorf("resource value %q", v.String())
	}
	if v, _ := s.Resource.Set().Value("service.name"); v.AsString() != "agentwrap" {
		t.Errorf("resource service.name %q", v.String())
	}
}

func TestWrapExporterCleanSpanKeepsFlag(t *testing.T) {
	attrs := typicalAttributes()
	allow := []string{}
	for _, kv := range attrs {
		allow = append(allow, string(kv.Key))
	}
	tracer, mem, flush := newPipeline(t, allow, resource.NewSchemaless(attribute.String("service.name", "agentwrap")))
	_, span := tracer.Start(context.Background(), "chat claude-sonnet-4-5")
	span.SetAttributes(attrs...)
	span.End()
	flush()
	s := mem.GetSpans()[0]
	got := attrMap(s.Attributes)
	if got[FlagKey] != attribute.BoolValue(true) {
		t.Errorf("flag = %v, want true kept", got[FlagKey].String())
	}
	if _, ok := got[CountKey]; ok {
		t.Errorf("count set on a clean span")
	}
	if len(s.Attributes) != len(attrs) || s.Name != "chat claude-sonnet-4-5" {
		t.Errorf("clean span changed: %q %d attributes", s.Name, len(s.Attributes))
	}
}

func TestWrapExporterOverridesSpanFlag(t *testing.T) {
	// The span claims success but carries a secret and a key off the list:
	// the guard's verdict replaces the claim, and FlagKey appears once.
	tracer, mem, flush := newPipeline(t, []string{"agentwrap.notes", FlagKey, CountKey}, resource.Empty())
	_, span := tracer.Start(context.Background(), "chat")
	span.SetAttributes(attribute.Bool(FlagKey, true), attribute.Int(CountKey, 0),
		attribute.String("agentwrap.notes", canaryKey))
	span.End()
	flush()
	s := mem.GetSpans()[0]
	n := 0
	for _, kv := range s.Attributes {
		if kv.Key == FlagKey {
			n++
		}
	}
	got := attrMap(s.Attributes)
	if n != 1 || got[FlagKey] != attribute.BoolValue(false) || got[CountKey] != attribute.IntValue(1) {
		t.Errorf("attributes %v", s.Attributes)
	}
}

func TestWrapExporterNilGuardDropsAll(t *testing.T) {
	mem := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(WrapExporter(mem, nil)))
	_, span := tp.Tracer("t").Start(context.Background(), "chat")
	span.SetAttributes(attribute.String("agentwrap.run_id", "r"))
	span.End()
	got := attrMap(mem.GetSpans()[0].Attributes)
	if len(got) != 2 || got[FlagKey] != attribute.BoolValue(false) {
		t.Errorf("attributes %v", got)
	}
}

type flushRecorder struct {
	tracetest.InMemoryExporter
	flushed, shut bool
}

func (f *flushRecorder) ForceFlush(context.Context) error { f.flushed = true; return nil }
func (f *flushRecorder) Shutdown(context.Context) error   { f.shut = true; return errors.New("shut") }

func TestWrapExporterPassesThrough(t *testing.T) {
	f := &flushRecorder{}
	x := WrapExporter(f, NewGuard(nil, nil))
	ff := x.(interface{ ForceFlush(context.Context) error })
	if err := ff.ForceFlush(context.Background()); err != nil || !f.flushed {
		t.Fatalf("ForceFlush: %v %v", err, f.flushed)
	}
	if err := x.Shutdown(context.Background()); err == nil || !f.shut {
		t.Fatalf("Shutdown: %v %v", err, f.shut)
	}
}

func attrMap(kvs []attribute.KeyValue) map[attribute.Key]attribute.Value {
	m := make(map[attribute.Key]attribute.Value, len(kvs))
	for _, kv := range kvs {
		m[kv.Key] = kv.Value
	}
	return m
}
