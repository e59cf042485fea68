package otlptest

import (
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// Span is one received span in plain Go values. Attribute and resource
// values have the types pcommon.Value.AsRaw gives: string, int64, float64,
// bool, []byte, []any and map[string]any.
type Span struct {
	Name string
	// Kind is the pdata name of the span kind: "Client", "Server",
	// "Internal", "Producer", "Consumer" or "Unspecified".
	Kind string
	// TraceID, SpanID and ParentSpanID are lower-case hex; ParentSpanID is
	// empty for a root span.
	TraceID, SpanID, ParentSpanID string
	Attrs                         map[string]any
	Resource                      map[string]any
	// StatusCode is "Unset", "Ok" or "Error".
	StatusCode    string
	StatusMessage string
	// Start and End are in UTC; an unset timestamp is the zero time.
	Start, End time.Time
	// Events is the number of span events.
	Events int
	// SchemaURL and ScopeSchemaURL are the resource's and the scope's
	// schema URLs; Scope is the instrumentation scope's name.
	SchemaURL, ScopeSchemaURL, Scope string
}

// Flatten returns every span of t, in order, with its resource's
// attributes.
func Flatten(t ptrace.Traces) []Span {
	var out []Span
	for _, rs := range t.ResourceSpans().All() {
		res := rs.Resource().Attributes().AsRaw()
		for _, ss := range rs.ScopeSpans().All() {
			for _, s := range ss.Spans().All() {
				f := flatten(s, res)
				f.SchemaURL, f.ScopeSchemaURL, f.Scope = rs.SchemaUrl(), ss.SchemaUrl(), ss.Scope().Name()
				out = append(out, f)
			}
		}
	}
	return out
}

func flatten(s ptrace.Span, res map[string]any) Span {
	return Span{
		Name:          s.Name(),
		Kind:          s.Kind().String(),
		TraceID:       s.TraceID().String(),
		SpanID:        s.SpanID().String(),
		ParentSpanID:  s.ParentSpanID().String(),
		Attrs:         s.Attributes().AsRaw(),
		Resource:      res,
		StatusCode:    s.Status().Code().String(),
		StatusMessage: s.Status().Message(),
		Start:         asTime(s.StartTimestamp()),
		End:           asTime(s.EndTimestamp()),
		Events:        s.Events().Len(),
	}
}

// asTime converts ts to UTC time; 0 (unset) becomes the zero time.
func asTime(ts pcommon.Timestamp) time.Time {
	if ts == 0 {
		return time.Time{}
	}
	return ts.AsTime()
}

// Has reports whether the span has the attribute key.
func (s Span) Has(key string) bool {
	_, ok := s.Attrs[key]
	return ok
}

// Str returns the string attribute key, or "" when it is missing or not a
// string.
func (s Span) Str(key string) string {
	v, _ := s.Attrs[key].(string)
	return v
}

// Int returns the integer attribute key, or 0 when it is missing or not an
// integer.
func (s Span) Int(key string) int64 {
	v, _ := s.Attrs[key].(int64)
	return v
}

// Float returns the attribute key as a float64: a double, or an integer
// converted; 0 when it is missing or neither.
func (s Span) Float(key string) float64 {
	switch v := s.Attrs[key].(type) {
	case float64:
		return v
	case int64:
		return float64(v)
	}
	return 0
}

// Bool returns the boolean attribute key, or false when it is missing or
// not a boolean.
func (s Span) Bool(key string) bool {
	v, _ := s.Attrs[key].(bool)
	return v
}

// Strs returns the string-array attribute key, or nil when it is missing or
// not an array; elements that are not strings are skipped.
func (s Span) Strs(key string) []string {
	arr, ok := s.Attrs[key].([]any)
	if !ok {
		return nil
	}
	out := make([]string, 0, len(arr))
	for _, e := range arr {
		if str, ok := e.(string); ok {
			out = append(out, str)
		}
	}
	return out
}
