package gateway

import (
	"bytes"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/agentwrap/agentwrap/call"
)

// chunkReader returns its bytes in reads of at most the next of sizes (the
// last size repeating), whatever the buffer it is given.
type chunkReader struct {
	b     []byte
	sizes []int
}

func (r *chunkReader) Read(p []byte) (int, error) {
	if len(r.b) == 0 {
		return 0, io.EOF
	}
	n := min(len(p), len(r.b), r.sizes[0])
	if len(r.sizes) > 1 {
		r.sizes = r.sizes[1:]
	}
	copy(p, r.b[:n])
	r.b = r.b[n:]
	return n, nil
}

// deferredScan tees doc, of Content-Length size, in reads of sizes with
// the deferred scan and completes it as a record does.
func deferredScan(t *testing.T, doc []byte, size int64, sizes []int) (*keyScanner, int64) {
	t.Helper()
	s := newKeyScanner(wantRequestKey)
	var tee teeRequestBody
	tee.start(io.NopCloser(&chunkReader{b: doc, sizes: sizes}), size, s, nil)
	buf := make([]byte, 32<<10)
	for {
		_, err := tee.Read(buf)
		if tee.pending != nil && cap(*tee.pending) > pendingScanBytes {
			t.Fatalf("pending buffer grew to %d bytes", cap(*tee.pending))
		}
		if tee.pending != nil && size > pendingScanBytes {
			t.Fatal("a body known to outgrow the buffer is kept")
		}
		if tee.pending != nil && len(*tee.pending) > 0 && tee.mode != teeDeferred {
			t.Fatal("bytes kept while scanning inline")
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if !tee.eof.Load() {
		t.Fatal("end of body not noted")
	}
	n := tee.finishScan(true)
	if tee.pending != nil {
		t.Fatal("pending buffer kept after the scan")
	}
	return s, n
}

// sameRecord fails when the deferred scan of doc, its Content-Length known
// or not, fills a record otherwise than the inline scan.
func sameRecord(t *testing.T, doc []byte, sizes []int) {
	t.Helper()
	inline := newKeyScanner(wantRequestKey)
	_, _ = inline.Write(doc)
	for _, size := range []int64{-1, int64(len(doc))} {
		deferred, n := deferredScan(t, doc, size, sizes)
		sameFields(t, doc, sizes, inline, deferred, n)
	}
}

// sameFields fails when the deferred scan of doc, of n bytes, fills a
// record otherwise than the inline one.
func sameFields(t *testing.T, doc []byte, sizes []int, inline, deferred *keyScanner, n int64) {
	t.Helper()
	if n != int64(len(doc)) {
		t.Fatalf("%.60q: %d bytes counted, want %d", doc, n, len(doc))
	}
	if inline.Valid() != deferred.Valid() || inline.Complete() != deferred.Complete() {
		t.Fatalf("%.60q in reads of %v: valid %v complete %v, inline %v %v", doc, sizes,
			deferred.Valid(), deferred.Complete(), inline.Valid(), inline.Complete())
	}
	want := call.Call{RequestMaxTokens: -1}
	got := want
	fillRequest(&want, inline, int64(len(doc)))
	fillRequest(&got, deferred, n)
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%.60q in reads of %v: deferred scan %+v, inline %+v", doc, sizes, got, want)
	}
}

// scanCorpus is the key scanner's test corpus: the fuzzers' seeds and
// stored inputs, the reply fixtures, and request bodies around and past the
// deferred scan's buffer.
func scanCorpus(t *testing.T) [][]byte {
	docs := [][]byte{
		[]byte(`{"model":"m","stream":true,"max_tokens":5}`),
		[]byte(`{"a":[{"b":"}"}],"model":"x\"y"}`),
		[]byte(` { "max_tokens" : -1.5e3 , "x" : null } `),
		[]byte(`{"max\u005ftokens":8,"mod\u0065l":"m","\u00e9":1,"model":"n"}`),
		[]byte(`{"model":"a","model":"b","stream":false,"stream":true}`),
		[]byte("{\"\xff\xfe\":1,\"ok\":[]}"),
		[]byte(`["model",1]`),
		[]byte(`{"generationConfig":{"maxOutputTokens":9},"contents":[]}`),
		[]byte(`{"model":"m","max_completion_tokens":12,"stream":tru}`),
		[]byte(`{}`), []byte(`{`), []byte(``), []byte(`not json`),
	}
	for _, dir := range []string{"testdata/fuzz/FuzzKeyScanner", "testdata/fuzz/FuzzKeyScannerValid", "testdata/replies"} {
		files, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			b, err := os.ReadFile(filepath.Join(dir, f.Name()))
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(dir, "fuzz") {
				docs = append(docs, b)
				continue
			}
			for _, line := range strings.Split(string(b), "\n") {
				if q, ok := strings.CutPrefix(line, "[]byte("); ok {
					if v, err := strconv.Unquote(strings.TrimSuffix(q, ")")); err == nil {
						docs = append(docs, []byte(v))
					}
				}
			}
		}
	}
	msg := `{"role":"user","content":"` + strings.Repeat(`lorem ipsum \"quoted\" `, 40) + `"},`
	for _, size := range []int{3000, 5000, 20000, pendingScanBytes - 40, pendingScanBytes, pendingScanBytes + 40, 3 * pendingScanBytes} {
		head := `{"model":"claude-sonnet-4-5","messages":[`
		tail := `{"role":"user","content":"x"}],"max_tokens":8192,"stream":true}`
		body := []byte(head + strings.Repeat(msg, (size-len(head)-len(tail))/len(msg)) + tail)
		docs = append(docs, body, body[:len(body)-1], append(bytes.Clone(body[:len(body)-1]), ','))
		// A wanted key whose value straddles the buffer's end.
		pad := pendingScanBytes - len(`{"messages":"`) - len(`","model":"g`)
		docs = append(docs, []byte(`{"messages":"`+strings.Repeat("x", pad)+`","model":"gpt-5","stream":true}`))
	}
	return docs
}

// TestDeferredScanMatchesInline: the request scan deferred to the record
// gives every body's record the fields of the inline scan, whatever the
// body's size and however the transport's reads split it.
func TestDeferredScanMatchesInline(t *testing.T) {
	for _, doc := range scanCorpus(t) {
		if len(doc) <= 512 {
			for i := 0; i <= len(doc); i++ {
				sameRecord(t, doc, []int{max(i, 1), len(doc)})
			}
			for k := 1; k <= 17; k++ {
				sameRecord(t, doc, []int{k})
			}
			continue
		}
		for _, sizes := range [][]int{
			{32 << 10}, {4096 + 7}, {1000}, {len(doc)},
			{pendingScanBytes - 1, 1, 32 << 10}, {pendingScanBytes, 32 << 10}, {pendingScanBytes + 1, 32 << 10},
			{pendingScanBytes - 1, 2, 1}, {1, pendingScanBytes - 1, 1},
			{4<<10 - 1, 2, 1000}, {16<<10 - 1, 2, 32 << 10},
		} {
			sameRecord(t, doc, sizes)
		}
	}
}

// TestDeferredScanAtAnyTime: a record completed before the body's end
// (the reply came first, or the upstream failed) has the fields of the
// bytes read by then, as with the inline scan, and the scan ignores the
// bytes read after it.
func TestDeferredScanAtAnyTime(t *testing.T) {
	doc := scanCorpus(t)[0]
	for cut := 0; cut <= len(doc); cut++ {
		s := newKeyScanner(wantRequestKey)
		var tee teeRequestBody
		tee.start(io.NopCloser(&chunkReader{b: doc, sizes: []int{max(cut, 1), len(doc)}}), -1, s, nil)
		buf := make([]byte, 64)
		if cut > 0 {
			_, _ = tee.Read(buf)
		}
		n := tee.finishScan(true)
		if n != int64(cut) || tee.pending != nil {
			t.Fatalf("cut %d: %d bytes counted, pending %v", cut, n, tee.pending != nil)
		}
		inline := newKeyScanner(wantRequestKey)
		_, _ = inline.Write(doc[:cut])
		_, _ = io.Copy(io.Discard, &tee)
		checkSameScan(t, doc[:cut], inline, s)
		if tee.pending != nil {
			t.Fatal("bytes kept after the record")
		}
	}
}

// TestDeferredScanDropped: a call that will not be recorded drops the
// bytes kept for its scan without scanning them.
func TestDeferredScanDropped(t *testing.T) {
	s := newKeyScanner(wantRequestKey)
	var tee teeRequestBody
	tee.start(io.NopCloser(strings.NewReader(`{"model":"m"}`)), -1, s, nil)
	_, _ = io.Copy(io.Discard, &tee)
	if tee.finishScan(false); tee.pending != nil || len(s.Keys()) != 0 {
		t.Fatalf("dropped scan: pending %v, keys %q", tee.pending != nil, s.Keys())
	}
}

// TestEnforcedScanIsInline: with the contract check at the body's end, the
// body is scanned as it passes and nothing is kept, also when the call's
// record was completed before the body's end (the upstream answered
// first): the check still sees the whole body.
func TestEnforcedScanIsInline(t *testing.T) {
	doc := []byte(`{"model":"m","max_tokens":3}`)
	for cut := 0; cut <= len(doc); cut++ {
		s := newKeyScanner(wantRequestKey)
		var tee teeRequestBody
		checked := false
		tee.start(io.NopCloser(&chunkReader{b: doc, sizes: []int{max(cut, 1), len(doc)}}), -1, s, func() error {
			checked = true
			if !s.Complete() || len(s.Keys()) != 2 {
				t.Errorf("cut %d: body not scanned whole at its end", cut)
			}
			return nil
		})
		if cut > 0 {
			_, _ = tee.Read(make([]byte, 64))
		}
		tee.finishScan(true)
		_, _ = io.Copy(io.Discard, &tee)
		if !checked || tee.pending != nil {
			t.Fatalf("cut %d: checked %v, pending %v", cut, checked, tee.pending != nil)
		}
	}
}

// BenchmarkRequestTee measures the request tee on the call's path: a body
// read through it in the transport's 32 KiB reads, scanned inline (as when
// enforcing) or kept for the deferred scan, whose cost is then either
// dropped from the measure (path: what the call waits for) or included
// (total: with the scan the record runs later).
func BenchmarkRequestTee(b *testing.B) {
	msg := `{"role":"user","content":"` + strings.Repeat(`lorem ipsum \"quoted\" `, 8) + `"},`
	for _, size := range []int{1 << 10, 32 << 10} {
		head, tail := `{"model":"gpt-5","stream":true,"max_tokens":4096,"messages":[`, `{"role":"user","content":"x"}]}`
		doc := []byte(head + strings.Repeat(msg, (size-len(head)-len(tail))/len(msg)) + tail)
		for _, mode := range []string{"inline", "deferred-path", "deferred-total"} {
			b.Run(mode+"/"+strconv.Itoa(size>>10)+"KB", func(b *testing.B) {
				b.SetBytes(int64(len(doc)))
				b.ReportAllocs()
				buf := make([]byte, 32<<10)
				r := bytes.NewReader(doc)
				for b.Loop() {
					r.Reset(doc)
					var s keyScanner
					s.init(wantRequestKey)
					var tee teeRequestBody
					var check func() error
					if mode == "inline" {
						check = func() error { return nil }
					}
					tee.start(io.NopCloser(r), int64(len(doc)), &s, check)
					for {
						if _, err := tee.Read(buf); err != nil {
							break
						}
					}
					tee.finishScan(mode != "deferred-path")
				}
			})
		}
	}
}

// TestRequestFieldsWhateverTheBodySize: through the gateway, the record
// reads the request fields of bodies kept whole for the deferred scan,
// outgrowing its buffer, or known to, with a Content-Length or chunked, and
// the upstream gets every body unchanged.
func TestRequestFieldsWhateverTheBodySize(t *testing.T) {
	h := newHarness(t, "", jsonReply(`{}`))
	msg := `{"role":"user","content":"` + strings.Repeat(`lorem ipsum \"quoted\" `, 40) + `"},`
	for _, size := range []int{100, 10 << 10, pendingScanBytes - 100, pendingScanBytes + 100, 200 << 10} {
		body := `{"messages":[` + strings.Repeat(msg, size/len(msg)) + `{"role":"user","content":"x"}],"model":"claude-x","max_tokens":512}`
		for _, chunked := range []bool{false, true} {
			var r io.Reader = strings.NewReader(body)
			if chunked {
				r = io.MultiReader(r) // no length known: sent chunked
			}
			req, err := http.NewRequest("POST", h.gw.URL()+"/v1/messages", r)
			if err != nil {
				t.Fatal(err)
			}
			resp, err := http.DefaultTransport.RoundTrip(req)
			if err != nil {
				t.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if _, got := h.seen.last(t); string(got) != body {
				t.Fatalf("%d bytes, chunked %v: upstream body changed", len(body), chunked)
			}
			c := h.call(t)
			if c.RequestModel != "claude-x" || c.RequestMaxTokens != 512 || c.RequestJSONError ||
				strings.Join(c.RequestKeys, ",") != "messages,model,max_tokens" {
				t.Fatalf("%d bytes, chunked %v: %+v", len(body), chunked, c)
			}
		}
	}
}
