package report

import (
	"cmp"
	"container/heap"
	"encoding/binary"
	"slices"
	"sort"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/agentwrap/agentwrap/spans"
	"github.com/agentwrap/agentwrap/spans/runfile"
)

// Bounds of what a report keeps of a run file, whatever its size
// (ARCHITECTURE.md, Invariants, "Reports").
const (
	// maxLineErrors is how many unreadable lines a report lists; it
	// counts the others.
	maxLineErrors = 100
	// maxFollowUpCalls is how many call numbers a follow-up lists; it
	// counts the others.
	maxFollowUpCalls = 50
	// maxDistinct bounds each roll-up keyed by values from the run file:
	// follow-up groups, totals per family and model, contract sources,
	// families and documentation URLs. Values past it are counted and
	// reported, not listed.
	maxDistinct = 200
)

// pos is a call's place in start order: its start time, then its place in
// the file (seq counts the call spans from 0).
type pos struct {
	start uint64
	seq   int
}

func (p pos) less(q pos) bool { return p.start < q.start || (p.start == q.start && p.seq < q.seq) }

func comparePos(p, q pos) int {
	return cmp.Or(cmp.Compare(p.start, q.start), cmp.Compare(p.seq, q.seq))
}

// row is a call kept for the calls table.
type row struct {
	pos  pos
	pass bool
	c    Call
}

// after reports whether r is less worth showing than o: a call that passed
// after one that did not, then a later call after an earlier one.
func (r *row) after(o *row) bool {
	if r.pass != o.pass {
		return r.pass
	}
	return o.pos.less(r.pos)
}

// rowHeap keeps the rows to show; its top is the first to give up.
type rowHeap []row

func (h rowHeap) Len() int           { return len(h) }
func (h rowHeap) Less(i, j int) bool { return h[i].after(&h[j]) }
func (h rowHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *rowHeap) Push(x any)        { *h = append(*h, x.(row)) }
func (h *rowHeap) Pop() any {
	old := *h
	r := old[len(old)-1]
	*h = old[:len(old)-1]
	return r
}

// startLog holds every call's start time and result rank, a few bytes a
// call (the delta from the previous call's start as a varint, then the
// rank): enough to number the calls in start order and to draw the
// timeline of all of them.
type startLog struct {
	buf  []byte
	last uint64
	n    int
}

func (l *startLog) add(start uint64, rank int) {
	l.buf = binary.AppendVarint(l.buf, int64(start-l.last)) //nolint:gosec // wraps back in each
	l.buf = append(l.buf, byte(rank))
	l.last = start
	l.n++
}

// each calls fn with every call's place and result rank, in file order.
func (l *startLog) each(fn func(p pos, rank int)) {
	var last uint64
	for i, off := 0, 0; off < len(l.buf); i++ {
		d, k := binary.Varint(l.buf[off:])
		last += uint64(d) //nolint:gosec // the wrapped delta of add
		off += k
		fn(pos{last, i}, int(l.buf[off]))
		off++
	}
}

// ranks returns, for each place of need (sorted, distinct), how many calls
// start before it.
func (l *startLog) ranks(need []pos) []int {
	cnt := make([]int, len(need)+1)
	l.each(func(p pos, _ int) {
		cnt[sort.Search(len(need), func(j int) bool { return p.less(need[j]) })]++
	})
	out := make([]int, len(need))
	sum := 0
	for j := range need {
		sum += cnt[j]
		out[j] = sum
	}
	return out
}

// ordered is a set of strings in the order of their first use in start
// order, bounded by maxDistinct.
type ordered struct {
	m map[string]spot
	// dropped counts the values not kept past the bound.
	dropped int
}

// spot is where a value was first used: by which call, at which index of
// its list.
type spot struct {
	pos pos
	i   int
}

func (o *ordered) add(p pos, vs ...string) {
	for i, v := range vs {
		if v == "" {
			continue
		}
		s, ok := o.m[v]
		switch {
		case ok && comparePos(p, s.pos) < 0:
			o.m[v] = spot{p, i}
		case ok:
		case len(o.m) >= maxDistinct:
			o.dropped++
		default:
			if o.m == nil {
				o.m = map[string]spot{}
			}
			o.m[v] = spot{p, i}
		}
	}
}

func (o *ordered) list() []string {
	out := make([]string, 0, len(o.m))
	for v := range o.m {
		out = append(out, v)
	}
	slices.SortFunc(out, func(a, b string) int {
		sa, sb := o.m[a], o.m[b]
		return cmp.Or(comparePos(sa.pos, sb.pos), cmp.Compare(sa.i, sb.i))
	})
	return out
}

// group is the calls of one follow-up: the same result, failure class and
// note.
type group struct {
	first pos
	f     FollowUp
	// calls are the earliest calls, at most maxFollowUpCalls once sorted;
	// n counts all.
	calls []pos
	n     int
	urls  ordered
}

func (g *group) add(p pos, urls []string) {
	if p.less(g.first) {
		g.first = p
	}
	g.n++
	g.calls = append(g.calls, p)
	if len(g.calls) >= 2*maxFollowUpCalls {
		g.trim()
	}
	g.urls.add(p, urls...)
}

func (g *group) trim() {
	slices.SortFunc(g.calls, comparePos)
	g.calls = g.calls[:min(len(g.calls), maxFollowUpCalls)]
}

// source is a contract entry the calls matched, described by its first
// call.
type source struct {
	first pos
	src   Source
}

// builder reads a run file's spans one line at a time into a Run.
type builder struct {
	id   string
	max  int
	memo cleaner

	complete   bool
	validation bool
	ctx        Context
	rootStart  pcommon.Timestamp
	rootEnd    pcommon.Timestamp

	// The calls: their places, extent and the rows kept for the table.
	log              startLog
	minStart, maxEnd pcommon.Timestamp
	rows             rowHeap

	all      Total
	totals   map[[2]string]*Total
	other    *Total
	sources  map[string]*source
	families ordered
	urls     ordered
	groups   map[[3]string]*group
	redacted bool
	checked  string
	worst    *row
	ua       string
	uaPos    pos

	lineErrs     []LineError
	moreLineErrs int
	// dropped counts the values past a maxDistinct bound.
	dropped int
}

func newBuilder(id string, opts Options) *builder {
	b := &builder{id: id, max: opts.MaxCalls, redacted: true, all: Total{Family: "all"},
		totals: map[[2]string]*Total{}, sources: map[string]*source{}, groups: map[[3]string]*group{},
		lineErrs: []LineError{}}
	if b.max <= 0 {
		b.max = DefaultMaxCalls
	}
	return b
}

// lineError records an unreadable line: the first maxLineErrors are
// listed, the others counted.
func (b *builder) lineError(e runfile.LineError) {
	if len(b.lineErrs) >= maxLineErrors {
		b.moreLineErrs++
		return
	}
	b.lineErrs = append(b.lineErrs, LineError{Line: e.Line, Error: clean(e.Err.Error())})
}

// add reads the spans of one line: the first run span, and every call.
func (b *builder) add(td ptrace.Traces) {
	for _, rs := range td.ResourceSpans().All() {
		for _, ss := range rs.ScopeSpans().All() {
			for _, s := range ss.Spans().All() {
				switch {
				case !b.complete && isRunSpan(s):
					b.complete = true
					b.ctx = runContext(s, rs.Resource().Attributes(), &b.memo)
					b.validation = hasKey(s, spans.ChecksPass)
					b.rootStart, b.rootEnd = s.StartTimestamp(), s.EndTimestamp()
				case hasKey(s, spans.RequestFamily):
					b.call(s)
				}
			}
		}
	}
}

// call adds a call span to the rows and every aggregate.
func (b *builder) call(s ptrace.Span) {
	b.addCall(s.StartTimestamp(), s.EndTimestamp(), newCall(s, &b.memo))
}

func (b *builder) addCall(start, end pcommon.Timestamp, call Call) {
	r := row{pos: pos{uint64(start), b.log.n}, c: call}
	c := &r.c
	r.pass = c.Result == spans.ResultPass
	b.log.add(r.pos.start, rank(c.Result))
	if start != 0 && (b.minStart == 0 || start < b.minStart) {
		b.minStart = start
	}
	b.maxEnd = max(b.maxEnd, end)

	b.all.add(c)
	b.total(c).add(c)
	b.source(r.pos, c)
	b.families.add(r.pos, c.Family)
	b.urls.add(r.pos, c.sourceURLs...)
	b.redacted = b.redacted && c.CredentialRedacted
	if c.CheckedAt != "" && c.CheckedAt != b.checked && (b.checked == "" || before(c.CheckedAt, b.checked)) {
		b.checked = c.CheckedAt
	}
	if c.UserAgent != "" && (b.ua == "" || r.pos.less(b.uaPos)) {
		b.ua, b.uaPos = c.UserAgent, r.pos
	}
	if !r.pass {
		if b.worst == nil || rank(c.Result) > rank(b.worst.c.Result) ||
			(rank(c.Result) == rank(b.worst.c.Result) && r.pos.less(b.worst.pos)) {
			w := row{pos: r.pos, c: Call{Result: c.Result, Failure: c.Failure}}
			b.worst = &w
		}
		b.group(r.pos, c)
	}
	b.keep(r)
}

// keep keeps r for the calls table if it is worth more than the least
// worth of the kept rows.
func (b *builder) keep(r row) {
	if len(b.rows) < b.max {
		heap.Push(&b.rows, r)
		return
	}
	if r.after(&b.rows[0]) {
		return
	}
	b.rows[0] = r
	heap.Fix(&b.rows, 0)
}

func (b *builder) total(c *Call) *Total {
	k := [2]string{c.Family, c.Model}
	if t, ok := b.totals[k]; ok {
		return t
	}
	if len(b.totals) >= maxDistinct {
		b.dropped++
		if b.other == nil {
			b.other = &Total{Family: "other", Model: "other"}
		}
		return b.other
	}
	t := &Total{Family: c.Family, Model: c.Model}
	b.totals[k] = t
	return t
}

func (b *builder) source(p pos, c *Call) {
	if c.Endpoint == "" {
		return
	}
	s, ok := b.sources[c.Endpoint]
	if !ok {
		if len(b.sources) >= maxDistinct {
			b.dropped++
			return
		}
		s = &source{first: p, src: Source{Endpoint: c.Endpoint}}
		b.sources[c.Endpoint] = s
	}
	if !ok || p.less(s.first) {
		s.first = p
		s.src.Family, s.src.CheckedAt = c.Family, c.CheckedAt
		s.src.SourceURLs = appendNew([]string{}, c.sourceURLs...)
	}
	s.src.Calls++
}

// otherNote is the note of the calls past the bound of follow-up groups.
const otherNote = "further calls that did not pass, with more kinds of failure and note than the report lists"

func (b *builder) group(p pos, c *Call) {
	k := [3]string{c.Result, c.Failure, c.Notes}
	g, ok := b.groups[k]
	if !ok && len(b.groups) >= maxDistinct {
		b.dropped++
		k = [3]string{c.Result, "various", otherNote}
		g, ok = b.groups[k]
	}
	if !ok {
		g = &group{first: p, f: FollowUp{Result: k[0], Failure: k[1], Note: k[2]}}
		b.groups[k] = g
	}
	g.add(p, c.sourceURLs)
}
