package main

import (
	"encoding/json"
	"io/fs"
	"regexp"
	"strings"
	"testing"

	"github.com/agentwrap/agentwrap/collector"
	"github.com/agentwrap/agentwrap/internal/otlptest"
	"github.com/agentwrap/agentwrap/spans"
)

// TestDashboardQueriesMatchARealRun evaluates the span selector of every
// TraceQL query of the shipped Grafana dashboard against the spans of a real
// wrapped run (the canary agent's passing and failing calls): each selector
// matches spans, and the attributes it groups by or aggregates are on them.
// Selectors for needs_follow_up are the exception the run cannot show (the
// canary agent makes no call that needs a follow-up); collector's
// TestDashboardQueriesUseEmittedNames checks their names and values.
func TestDashboardQueriesMatchARealRun(t *testing.T) {
	b, err := fs.ReadFile(collector.Files(), collector.DashboardFile)
	if err != nil {
		t.Fatal(err)
	}
	var d struct {
		Panels []struct {
			Title   string `json:"title"`
			Targets []struct {
				Query string `json:"query"`
			} `json:"targets"`
		} `json:"panels"`
	}
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatal(err)
	}
	run := canaryRuns(t, 1, "")[0] // no export: the run file holds the spans
	used := regexp.MustCompile(`(?:by \(|_over_time\(|select\()([^)]*)\)`)
	checked := 0
	for _, p := range d.Panels {
		for _, q := range p.Targets {
			if strings.Contains(q.Query, `"`+spans.ResultNeedsFollowUp+`"`) {
				continue
			}
			checked++
			matched := selectSpans(t, q.Query, run.spans)
			if len(matched) == 0 {
				t.Errorf("panel %q: %s matches no span of a run", p.Title, q.Query)
				continue
			}
			for _, m := range used.FindAllStringSubmatch(q.Query, -1) {
				for _, ref := range strings.Split(m[1], ",") {
					key, ok := strings.CutPrefix(strings.TrimSpace(ref), "span.")
					if !ok {
						continue // duration, quantiles
					}
					if !anyHas(matched, key) {
						t.Errorf("panel %q: no span the query selects carries %s", p.Title, key)
					}
				}
			}
		}
	}
	if checked < 10 {
		t.Errorf("checked %d queries, want the dashboard's", checked)
	}
}

// selectSpans evaluates a TraceQL span selector of the form
// {span.k = "v" && span.k != "v" && span.k != nil} on spans.
func selectSpans(t *testing.T, query string, all []otlptest.Span) []otlptest.Span {
	t.Helper()
	open, end := strings.Index(query, "{"), strings.Index(query, "}")
	if open != 0 || end < 0 {
		t.Fatalf("query %q does not start with a span selector", query)
	}
	clause := regexp.MustCompile(`^span\.([a-z0-9_.]+) (=|!=) (nil|"[^"]*")$`)
	var out []otlptest.Span
	for _, s := range all {
		ok := true
		for _, c := range strings.Split(query[1:end], "&&") {
			m := clause.FindStringSubmatch(strings.TrimSpace(c))
			if m == nil {
				t.Fatalf("clause %q of %q: not a form this test evaluates", c, query)
			}
			v, has := s.Attrs[m[1]]
			var hold bool
			switch {
			case m[3] == "nil":
				hold = has == (m[2] == "!=")
			case m[2] == "=":
				hold = has && v == strings.Trim(m[3], `"`)
			default:
				hold = has && v != strings.Trim(m[3], `"`)
			}
			ok = ok && hold
		}
		if ok {
			out = append(out, s)
		}
	}
	return out
}

func anyHas(all []otlptest.Span, key string) bool {
	for _, s := range all {
		if s.Has(key) {
			return true
		}
	}
	return false
}
