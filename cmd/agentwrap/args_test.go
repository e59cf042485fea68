package main

import (
	"slices"
	"strings"
	"testing"
)

func TestReorderArgs(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"agentwrap report latest --format md", "agentwrap report --format md latest"},
		{"agentwrap report latest -f=html -o out.html", "agentwrap report -f=html -o out.html latest"},
		{"agentwrap --state-dir /s report RUN -f json", "agentwrap --state-dir /s report -f json RUN"},
		{"agentwrap export RUN --endpoint http://x --timeout 3s", "agentwrap export --endpoint http://x --timeout 3s RUN"},
		{"agentwrap runs --limit 3", "agentwrap runs --limit 3"},
		{"agentwrap report RUN -- -f", "agentwrap report RUN -- -f"},
		{"agentwrap -- report latest --format md", "agentwrap -- report latest --format md"},
		{"agentwrap --quiet -- claude -p hi", "agentwrap --quiet -- claude -p hi"},
		{"agentwrap smoke extra --family chat", "agentwrap smoke extra --family chat"},
		{"agentwrap", "agentwrap"},
	} {
		args := strings.Fields(tc.in)
		got := reorderArgs(newApp(args), args)
		if !slices.Equal(got, strings.Fields(tc.want)) {
			t.Errorf("reorderArgs(%s) = %s, want %s", tc.in, strings.Join(got, " "), tc.want)
		}
	}
}
