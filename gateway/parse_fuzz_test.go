package gateway

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/agentwrap/agentwrap/call"
)

func addFixtureSeeds(f *testing.F, add func(b []byte)) {
	names, _ := filepath.Glob(filepath.Join("testdata", "replies", "*"))
	for _, n := range names {
		b, err := os.ReadFile(n)
		if err != nil {
			f.Fatal(err)
		}
		add(b)
	}
}

// FuzzSSE checks that any byte stream parses without panic and yields the
// same events however it is cut.
func FuzzSSE(f *testing.F) {
	addFixtureSeeds(f, func(b []byte) { f.Add(b, uint64(1)) })
	f.Add([]byte("\xef\xbb\xbfdata: a\r\rdata:\r\n\r\n: c\nevent\n\n"), uint64(7))
	f.Fuzz(func(t *testing.T, data []byte, seed uint64) {
		want := sseEvents(whole, string(data))
		for _, cut := range []func([]byte) [][]byte{bytewise, randomSplit(seed)} {
			if got := sseEvents(cut, string(data)); !reflect.DeepEqual(got, want) {
				t.Fatalf("split changes events: %q vs %q", got.events, want.events)
			}
		}
	})
}

var fuzzFamilies = []call.Family{
	call.FamilyChatCompletions, call.FamilyResponses, call.FamilyMessages, call.FamilyCountTokens,
	call.FamilyGemini, call.FamilyEmbeddings, call.FamilyModels, call.FamilyUnknown,
}

// FuzzParsers feeds any bytes to every family's parser, as a stream and as a
// JSON body, with success and error statuses: no panic, and the same record
// however the body is cut.
func FuzzParsers(f *testing.F) {
	addFixtureSeeds(f, func(b []byte) {
		for i := range fuzzFamilies {
			f.Add(uint8(i), true, false, b, uint64(3))
			f.Add(uint8(i), false, false, b, uint64(4))
		}
	})
	f.Fuzz(func(t *testing.T, fam uint8, stream, failed bool, data []byte, seed uint64) {
		rp := reply{family: fuzzFamilies[int(fam)%len(fuzzFamilies)], status: 200, ct: jsct, body: data, complete: true}
		if stream {
			rp.ct = sse
		}
		if failed {
			rp.status = 429
		}
		want := parse(rp, whole)
		if got := parse(rp, randomSplit(seed)); !reflect.DeepEqual(got, want) {
			t.Fatalf("split changes the record:\n got %+v\nwant %+v", got, want)
		}
		rp.complete = false
		_ = parse(rp, bytewise)
	})
}
