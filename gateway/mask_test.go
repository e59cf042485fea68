package gateway

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"
	"testing/iotest"
)

// newMaskingBody masks key in body, as modifyResponse does in a call's
// state.
func newMaskingBody(body io.ReadCloser, key string) *maskingBody {
	return &maskingBody{ReadCloser: body, key: []byte(key)}
}

func TestMaskingBodyOverwritesKeyAcrossReadBoundaries(t *testing.T) {
	const key = "sk-canary-mask-0123456789"
	body := `{"error":{"message":"Incorrect API key provided: ` + key + `. again: ` + key + `"}}` + "\n\nsk-canary-mask-01 partial"
	want := strings.ReplaceAll(body, key, strings.Repeat("*", len(key)))
	for _, r := range []io.Reader{
		strings.NewReader(body),
		iotest.OneByteReader(strings.NewReader(body)),
		iotest.HalfReader(strings.NewReader(body)),
		iotest.DataErrReader(strings.NewReader(body)),
	} {
		got, err := io.ReadAll(newMaskingBody(io.NopCloser(r), key))
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != want {
			t.Errorf("got %q\nwant %q", got, want)
		}
	}
}

func TestMaskingBodyDoesNotHoldBackCompleteEvents(t *testing.T) {
	const key = "sk-canary-mask-0123456789"
	pr, pw := io.Pipe()
	m := newMaskingBody(pr, key)
	go func() { _, _ = io.WriteString(pw, "data: {\"x\":1}\n\n") }()
	buf := make([]byte, 64)
	n, err := m.Read(buf)
	if err != nil || string(buf[:n]) != "data: {\"x\":1}\n\n" {
		t.Fatalf("first event %q, %v: must pass without waiting for more bytes", buf[:n], err)
	}
	pw.Close()
}

func TestManagedModeMasksKeyEchoedByUpstream(t *testing.T) {
	h := newHarness(t, canaryKey, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(401)
		_, _ = io.WriteString(w, `{"error":{"message":"Incorrect API key provided: `+r.Header.Get("Authorization")[7:]+`","type":"invalid_request_error","code":"invalid_api_key"}}`)
	})
	resp, body := h.do(t, "POST", "/v1/chat/completions", map[string]string{"Authorization": "Bearer " + canaryToken}, `{"model":"m","messages":[]}`)
	if resp.StatusCode != 401 || strings.Contains(string(body), canaryKey) || !strings.Contains(string(body), "****") {
		t.Errorf("status %d body %s", resp.StatusCode, body)
	}
	if c := h.call(t); c.UpstreamErrorCode != "invalid_api_key" {
		t.Errorf("error code %q: the parser must still read the masked body", c.UpstreamErrorCode)
	}
}

func BenchmarkMaskingBodyStream(b *testing.B) {
	const key = "sk-canary-mask-0123456789"
	event := []byte("data: {\"choices\":[{\"delta\":{\"content\":\"some streamed text of a typical size\"}}]}\n\n")
	body := bytes.Repeat(event, 1000)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	buf := make([]byte, 32<<10)
	for b.Loop() {
		m := newMaskingBody(io.NopCloser(bytes.NewReader(body)), key)
		for {
			if _, err := m.Read(buf); err != nil {
				break
			}
		}
		m.Close()
	}
}

// TestMaskingBodyLargeBodiesAndReuse masks keys planted at and across the
// boundaries of every buffer size the body grows through, and checks that a
// recycled buffer carries nothing from one body into the next.
func TestMaskingBodyLargeBodiesAndReuse(t *testing.T) {
	const key = "sk-canary-mask-large-0123456789"
	var b strings.Builder
	for b.Len() < 300<<10 {
		b.WriteString(strings.Repeat("x", 4<<10-len(key)/2))
		b.WriteString(key)
	}
	body := b.String() + "tail"
	want := strings.ReplaceAll(body, key, strings.Repeat("*", len(key)))
	for round := range 3 {
		for _, r := range []io.Reader{
			strings.NewReader(body),
			iotest.HalfReader(strings.NewReader(body)),
			io.LimitReader(strings.NewReader(body), int64(len(body))),
		} {
			m := newMaskingBody(io.NopCloser(r), key)
			got, err := io.ReadAll(m)
			if err != nil {
				t.Fatal(err)
			}
			if err := m.Close(); err != nil {
				t.Fatal(err)
			}
			if string(got) != want {
				t.Fatalf("round %d: %d bytes differ from the masked body (%d bytes); key left: %v", round, len(got), len(want), strings.Contains(string(got), key))
			}
		}
		short := newMaskingBody(io.NopCloser(strings.NewReader("ok")), key)
		got, _ := io.ReadAll(short)
		short.Close()
		if string(got) != "ok" {
			t.Fatalf("a body read after a recycled buffer gave %q", got)
		}
	}
}
