package runfile

import (
	"bufio"
	"errors"
	"io"
	"strings"
	"testing"

	"go.opentelemetry.io/collector/pdata/ptrace"
)

func TestLineLimit(t *testing.T) {
	good := `{"resourceSpans":[{"scopeSpans":[{"spans":[{"name":"ok"}]}]}]}`
	long := `{"resourceSpans":[{"scopeSpans":[{"spans":[{"name":"` + strings.Repeat("x", 200<<10) + `"}]}]}]}`
	for _, last := range []string{"\n", ""} {
		data := good + "\n" + long + "\n" + good + "\n" + long + last
		var names []string
		bad, err := eachRequest(strings.NewReader(data), len(good), func(td ptrace.Traces) error {
			names = append(names, td.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0).Name())
			return nil
		})
		if err != nil || len(names) != 2 {
			t.Fatalf("%d spans read, err %v", len(names), err)
		}
		if len(bad) != 2 || bad[0].Line != 2 || bad[1].Line != 4 || !errors.Is(bad[0], errLineTooLong) {
			t.Errorf("bad = %v, want lines 2 and 4 too long", bad)
		}
	}
}

// TestReadLineChunks reads lines longer than the bufio buffer, at and over
// the limit, with and without a final newline.
func TestReadLineChunks(t *testing.T) {
	at, over := strings.Repeat("a", 40), strings.Repeat("b", 41)
	br := bufio.NewReaderSize(strings.NewReader(at+"\n"+over+"\n"+at+"\n"+over), 16)
	for i, want := range []string{at, "", at, ""} {
		line, err := readLine(br, 40)
		if want == "" && !errors.Is(err, errLineTooLong) || want != "" && (err != nil || string(line) != want) {
			t.Errorf("line %d: %q, %v", i+1, line, err)
		}
	}
	if _, err := readLine(br, 40); !errors.Is(err, io.EOF) {
		t.Errorf("after the last line: %v", err)
	}
}
