package spans

import (
	"context"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/agentwrap/agentwrap/redact"
)

const wireCanary = "sk-canary-wire-Vd8Kp3Qx7Lm2Zr9Tb4Wn6Yc1"

// TestWireStringsAreBounded records a call whose every wire string is
// hostile: each attribute holds a bounded string of its character set,
// with a marker where it was cut or replaced, and no secret survives,
// not even in part.
func TestWireStringsAreBounded(t *testing.T) {
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	tracer := tp.Tracer("test")
	ctx, run := tracer.Start(context.Background(), "invoke_agent claude")
	sc := redact.NewScanner(wireCanary)
	rec := NewRecorder(tracer, ctx, "run-1", sc.Note)
	rec.Scrub = sc.ScrubText
	start := time.Now()
	c := okCall()
	c.Start, c.End = start, start.Add(time.Second)
	c.StatusCode = 400
	c.UserAgent = "agent/1.0 " + strings.Repeat("x", 600<<10)
	c.RequestModel = "gpt-5\x1b[31m"
	c.ResponseModel = strings.Repeat("m", 300)
	// The key sits where a cut at 128 bytes would keep only its start.
	c.ResponseID = "resp_" + strings.Repeat("a", 100) + wireCanary + strings.Repeat("b", 200)
	c.UpstreamErrorType = "invalid_request_error"
	c.UpstreamErrorCode = "Please summarise my secret merger plan"
	c.ContentType = "application/json; charset=utf-8"
	c.FinishReasons = append([]string{"stop", "x y"}, strings.Split(strings.Repeat("length,", 20), ",")...)
	c.Path = "/v1/chat/completions/" + strings.Repeat("p", 400)
	rec.Observe(&c)
	run.End()
	got := exp.GetSpans()
	if len(got) != 2 {
		t.Fatalf("%d spans", len(got))
	}
	a := attrMap(got[0].Attributes)
	for k, want := range map[string]string{
		string(UserAgent):          "agent/1.0 " + strings.Repeat("x", MaxUserAgentLen-len("agent/1.0 ")-len(MarkerCut)) + MarkerCut,
		string(GenAIRequestModel):  MarkerInvalid,
		string(GenAIResponseModel): strings.Repeat("m", MaxModelLen-len(MarkerCut)) + MarkerCut,
		string(URLPath):            c.Path[:MaxPathLen-len(MarkerCut)] + MarkerCut,
	} {
		if v := a[attribute.Key(k)].AsString(); v != want {
			t.Errorf("%s = %.80q (%d bytes), want %.80q", k, v, len(v), want)
		}
	}
	id := a[GenAIResponseID].AsString()
	if len(id) > MaxResponseIDLen || !strings.HasSuffix(id, MarkerCut) || !strings.Contains(id, redact.Marker) || strings.Contains(id, "sk-canary") {
		t.Errorf("response id %q: want the key masked before the cut", id)
	}
	reasons := a[GenAIResponseFinishReason].AsStringSlice()
	if len(reasons) != MaxFinishReasons+1 || reasons[0] != "stop" || reasons[1] != MarkerInvalid || reasons[MaxFinishReasons] != MarkerCut {
		t.Errorf("finish reasons %q", reasons)
	}
	notes := a[Notes].AsString()
	if strings.Contains(notes, "merger") || !strings.Contains(notes, MarkerInvalid) {
		t.Errorf("notes %q: want the error code replaced", notes)
	}
	for _, kv := range got[0].Attributes {
		for _, s := range append(kv.Value.AsStringSlice(), kv.Value.AsString()) {
			if strings.Contains(s, "sk-canary") || strings.Contains(s, "\x1b") {
				t.Errorf("%s = %.80q", kv.Key, s)
			}
		}
	}
	if got[0].Name != "chat "+MarkerInvalid {
		t.Errorf("span name %q", got[0].Name)
	}
}

// FuzzBounded: any string comes out within its set and bound, unchanged
// when it fits, else cut with MarkerCut or replaced by MarkerInvalid;
// never empty unless it was.
func FuzzBounded(f *testing.F) {
	f.Add("gpt-5", 128, 0)
	f.Add("a\x00b", 16, 1)
	f.Add(strings.Repeat("é", 100), 64, 2)
	f.Add("text/html", 10, 3)
	sets := []*[256]bool{&printable, &printableNoSpace, &token, &mediaTypeChars}
	f.Fuzz(func(t *testing.T, s string, max, which int) {
		set := sets[int(uint(which)%uint(len(sets)))]
		{
			max = len(MarkerInvalid) + int(uint(max)%300)
			out := bounded(s, set, max)
			fits := len(s) <= max
			for i := 0; i < len(s); i++ {
				fits = fits && set[s[i]]
			}
			switch {
			case fits && out != s:
				t.Fatalf("%q fits but became %q", s, out)
			case !fits && out != MarkerInvalid && !(strings.HasSuffix(out, MarkerCut) && strings.HasPrefix(s, strings.TrimSuffix(out, MarkerCut))):
				t.Fatalf("%q became %q", s, out)
			case len(out) > max:
				t.Fatalf("%q became %q, over %d bytes", s, out, max)
			}
			if out != MarkerInvalid && !strings.HasSuffix(out, MarkerCut) {
				for i := 0; i < len(out); i++ {
					if !set[out[i]] {
						t.Fatalf("%q holds %q", out, out[i])
					}
				}
			}
		}
	})
}
