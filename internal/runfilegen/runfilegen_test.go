package runfilegen_test

import (
	"os"
	"testing"

	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/agentwrap/agentwrap/internal/runfilegen"
	"github.com/agentwrap/agentwrap/spans"
	"github.com/agentwrap/agentwrap/spans/runfile"
)

// TestWriteIsARealRunFile: every line the generator writes as a call is a
// call span the run file reader decodes, with its own span id, the bad
// lines are the only line errors, and the run span comes last.
func TestWriteIsARealRunFile(t *testing.T) {
	st, err := runfilegen.Write(t.TempDir(), runfilegen.Options{Size: 200 << 10, BadEvery: 50})
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(st.Path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ids := map[string]bool{}
	var calls, runs, last int
	var bad int
	err = runfile.Scan(f, func(td ptrace.Traces) error {
		for _, rs := range td.ResourceSpans().All() {
			for _, ss := range rs.ScopeSpans().All() {
				for _, s := range ss.Spans().All() {
					last++
					if _, ok := s.Attributes().Get(string(spans.RequestFamily)); ok {
						calls++
						ids[s.SpanID().String()] = true
						continue
					}
					runs++
					if n, _ := s.Attributes().Get(string(spans.Calls)); n.Int() != int64(st.Calls) || last != st.Calls+1 {
						t.Errorf("run span at %d counts %d calls, want last and %d", last, n.Int(), st.Calls)
					}
				}
			}
		}
		return nil
	}, func(runfile.LineError) { bad++ })
	if err != nil {
		t.Fatal(err)
	}
	fi, _ := os.Stat(st.Path)
	if calls != st.Calls || len(ids) != calls || runs != 1 || bad != st.BadLines || st.BadLines == 0 ||
		fi.Size() != st.Size || st.Size < 200<<10 || st.Pass+st.Fail+st.FollowUp != calls || st.Fail == 0 || st.FollowUp == 0 {
		t.Errorf("read %d calls (%d ids), %d run spans, %d bad lines, %d bytes; stats %+v", calls, len(ids), runs, bad, fi.Size(), st)
	}
}
