package report

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/agentwrap/agentwrap/internal/format"
	"github.com/agentwrap/agentwrap/spans"
)

// funcs are the template functions of both renderers; cell makes a string
// fit a table cell of the format.
func funcs(cell func(string) string) map[string]any {
	return map[string]any{
		"cell":    func(s string) string { return orDash(cell(s)) },
		"dur":     duration,
		"durp":    func(f *float64) string { return optional(f, duration) },
		"clock":   func(t time.Time) string { return t.Format("15:04:05.000") },
		"stamp":   stamp,
		"num":     format.Grouped,
		"count":   func(n int) string { return format.Grouped(int64(n)) },
		"tokens":  func(n *int64) string { return optional(n, format.Grouped) },
		"intp":    func(n *int) string { return optional(n, strconv.Itoa) },
		"status":  status,
		"join":    strings.Join,
		"calls":   callList,
		"days":    func(n *int) string { return optional(n, days) },
		"css":     cssClass,
		"helpURL": func() string { return spans.HelpCenterURL },
		"upper":   strings.ToUpper,
		"add":     func(a, b int) int { return a + b },
		"usage":   usage,
		"request": func(c Call) string { return strings.TrimSpace(c.Method + " " + c.Path) },
	}
}

// usage shows a call's tokens as the upstream reported them: input and
// output, with the cached input (read, written) and the reasoning output
// they include, e.g. "132 in (100 cache read, 20 cache write) / 7 out
// (4 reasoning)"; empty when the upstream reported none.
func usage(c Call) string {
	if c.InputTokens == nil && c.OutputTokens == nil {
		return ""
	}
	in := optional(c.InputTokens, format.Grouped) + " in"
	var parts []string
	if c.CacheReadTokens != nil && *c.CacheReadTokens > 0 {
		parts = append(parts, format.Grouped(*c.CacheReadTokens)+" cache read")
	}
	if c.CacheCreationTokens != nil && *c.CacheCreationTokens > 0 {
		parts = append(parts, format.Grouped(*c.CacheCreationTokens)+" cache write")
	}
	if len(parts) > 0 {
		in += " (" + strings.Join(parts, ", ") + ")"
	}
	out := optional(c.OutputTokens, format.Grouped) + " out"
	if c.ReasoningTokens != nil && *c.ReasoningTokens > 0 {
		out += " (" + format.Grouped(*c.ReasoningTokens) + " reasoning)"
	}
	return in + " / " + out
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func optional[T any](p *T, f func(T) string) string {
	if p == nil {
		return "-"
	}
	return f(*p)
}

// duration formats milliseconds for people: 850 ms, 2.35 s, 3m12s.
func duration(ms float64) string {
	switch {
	case ms < 1000:
		return fmt.Sprintf("%.0f ms", ms)
	case ms < 60_000:
		return fmt.Sprintf("%.2f s", ms/1000)
	}
	s := int64(ms / 1000)
	return fmt.Sprintf("%dm%02ds", s/60, s%60)
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format("2006-01-02 15:04:05 UTC")
}

func status(code int) string {
	if code == 0 {
		return "-"
	}
	return strconv.Itoa(code)
}

func days(n int) string {
	if n == 1 {
		return "1 day"
	}
	return fmt.Sprintf("%d days", n)
}

// callList writes call numbers as "#1, #2, #5".
func callList(ns []int) string {
	parts := make([]string, len(ns))
	for i, n := range ns {
		parts[i] = "#" + strconv.Itoa(n)
	}
	return strings.Join(parts, ", ")
}

// cssClass is the CSS class of a result class.
func cssClass(result string) string {
	switch result {
	case spans.ResultPass:
		return "pass"
	case spans.ResultFail:
		return "fail"
	}
	return "follow"
}
