package gateway_test

import (
	"bufio"
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httptrace"
	"net/textproto"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/andybalholm/brotli"
	"github.com/klauspost/compress/zstd"

	"github.com/agentwrap/agentwrap/call"
	"github.com/agentwrap/agentwrap/gateway"
	"github.com/agentwrap/agentwrap/internal/upstreamtest"
)

const (
	managedKey   = "sk-canary-managed-reply-5d1e0c7a9b3f"
	managedToken = "agentwrap-canary-run-token-managed"
)

// startManaged is a managed-mode gateway holding managedKey in front of
// upstream.
func startManaged(t *testing.T, upstream string) *faultGateway {
	t.Helper()
	f, _ := startManagedLocal(t, upstream)
	return f
}

// startManagedLocal is startManaged that also hands on the requests the
// gateway answered itself.
func startManagedLocal(t *testing.T, upstream string) (*faultGateway, chan call.LocalRequest) {
	t.Helper()
	u, err := url.Parse(upstream)
	if err != nil {
		t.Fatal(err)
	}
	calls := make(chan *call.Call, 128)
	locals := make(chan call.LocalRequest, 16)
	gw, err := gateway.New(gateway.Config{Upstream: u, Key: managedKey, Token: managedToken,
		Observe: func(c *call.Call) { calls <- c }, Local: func(l call.LocalRequest) { locals <- l }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = gw.Close(context.Background()) })
	return &faultGateway{gw: gw, calls: calls}, locals
}

// agentAcceptEncoding is what Node, Bun and the SDKs send.
const agentAcceptEncoding = "gzip, deflate, br, zstd"

// rawReply is everything an HTTP client can see of a reply: the raw
// response bytes on the wire (head, body as sent, trailers) and the
// decoded pieces.
type rawReply struct {
	status  int
	header  http.Header
	trailer http.Header
	wire    []byte
	body    []byte
}

// rawExchange sends req over a fresh connection and keeps the raw reply.
func rawExchange(t *testing.T, req *http.Request) rawReply {
	t.Helper()
	var wire tap
	tr := &http.Transport{DisableCompression: true, DialContext: tapDialer(&wire)}
	defer tr.CloseIdleConnections()
	resp, err := tr.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatalf("reading the reply: %v", err)
	}
	return rawReply{resp.StatusCode, resp.Header, resp.Trailer, wire.Bytes(), body}
}

func familyRequest(t *testing.T, base, family string, stream bool, hdr map[string]string) *http.Request {
	t.Helper()
	var path, body string
	switch family {
	case "chat":
		path, body = "/v1/chat/completions", fmt.Sprintf(`{"model":"m","stream":%t,"stream_options":{"include_usage":true},"messages":[]}`, stream)
		if !stream {
			body = `{"model":"m","messages":[]}`
		}
	case "messages":
		path, body = "/v1/messages", fmt.Sprintf(`{"model":"m","max_tokens":5,"stream":%t,"messages":[]}`, stream)
	case "gemini":
		path, body = "/v1beta/models/m:generateContent", `{"contents":[]}`
		if stream {
			path = "/v1beta/models/m:streamGenerateContent?alt=sse"
		}
	}
	req, err := http.NewRequest(http.MethodPost, base+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	return req
}

// credentialHeader is the header in which a family's agent presents cred.
func credentialHeader(family, cred string) map[string]string {
	switch family {
	case "messages":
		return map[string]string{"X-Api-Key": cred, "Anthropic-Version": "2023-06-01"}
	case "gemini":
		return map[string]string{"X-Goog-Api-Key": cred}
	}
	return map[string]string{"Authorization": "Bearer " + cred}
}

func decodeAs(t *testing.T, enc string, b []byte) []byte {
	t.Helper()
	var r io.Reader = bytes.NewReader(b)
	var err error
	switch strings.ToLower(enc) {
	case "", "identity":
		return b
	case "gzip", "x-gzip":
		r, err = gzip.NewReader(r)
	case "deflate":
		if len(b) > 1 && (uint16(b[0])<<8|uint16(b[1]))%31 == 0 {
			r, err = zlib.NewReader(r)
		} else {
			r = flate.NewReader(r)
		}
	case "br":
		r = brotli.NewReader(r)
	case "zstd":
		var zr *zstd.Decoder
		zr, err = zstd.NewReader(r)
		if err == nil {
			defer zr.Close()
			r = zr
		}
	default:
		t.Fatalf("no decoder for %q", enc)
	}
	if err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("decoding %s: %v", enc, err)
	}
	return out
}

// TestManagedRepliesMaskedWhateverTheEncoding: an upstream that echoes the
// key in the body, a header and a trailer, compressed in every coding the
// web uses, in any letter case, stream or not, never gets it to the agent.
// Each case first proves, by asking the upstream directly with the key,
// that the reply really carries the key in that coding; then the agent's
// reply through the gateway, byte for byte as on the wire, holds no trace
// of it, is identity-encoded, and still carries the echo (masked) and the
// usage the gateway parsed.
func TestManagedRepliesMaskedWhateverTheEncoding(t *testing.T) {
	up := upstreamtest.Start(t, upstreamtest.WithKey(managedKey))
	f := startManaged(t, up.URL())
	encodings := []string{"", "gzip", "GZIP", "x-gzip", "deflate", "DeFlate", upstreamtest.RawDeflate, "br", "Br", "zstd", "ZSTD", "Identity"}
	for _, family := range []string{"chat", "messages", "gemini"} {
		for _, stream := range []bool{false, true} {
			for _, enc := range encodings {
				name := fmt.Sprintf("%s stream=%t encoding=%q", family, stream, enc)
				hdr := map[string]string{"Accept-Encoding": agentAcceptEncoding,
					upstreamtest.HeaderScenario: upstreamtest.ScenarioEchoSecret}
				if enc != "" {
					hdr[upstreamtest.HeaderContentEncoding] = enc
				}
				// The attack works against the upstream itself.
				direct := rawExchange(t, familyRequest(t, up.URL(), family, stream, merge(hdr, credentialHeader(family, managedKey))))
				wantEnc := enc
				if enc == "" {
					wantEnc = "zstd" // negotiated from the agent's Accept-Encoding
				}
				if enc == upstreamtest.RawDeflate {
					wantEnc = "deflate"
				}
				if got := direct.header.Get("Content-Encoding"); got != wantEnc {
					t.Fatalf("%s: upstream sent Content-Encoding %q, want %q", name, got, wantEnc)
				}
				if !bytes.Contains(decodeAs(t, wantEnc, direct.body), []byte(managedKey)) ||
					!strings.Contains(direct.header.Get(upstreamtest.EchoHeader), managedKey) ||
					!strings.Contains(direct.trailer.Get(upstreamtest.EchoTrailer), managedKey) {
					t.Fatalf("%s: the upstream's reply does not echo the key in body, header and trailer", name)
				}

				// Through the gateway, the agent sees none of it.
				got := rawExchange(t, familyRequest(t, f.gw.URL(), family, stream, merge(hdr, credentialHeader(family, managedToken))))
				if bytes.Contains(got.wire, []byte(managedKey)) {
					t.Errorf("%s: the key reached the agent:\n%s", name, got.wire)
				}
				if got.status != http.StatusOK || got.header.Get("Content-Encoding") != "" {
					t.Errorf("%s: status %d, Content-Encoding %q; want 200 identity", name, got.status, got.header.Get("Content-Encoding"))
				}
				masked := strings.Repeat("*", len(managedKey))
				if !bytes.Contains(got.body, []byte("(presented credential: "+masked)) ||
					got.header.Get(upstreamtest.EchoHeader) != "presented="+masked ||
					got.trailer.Get(upstreamtest.EchoTrailer) != "presented="+masked {
					t.Errorf("%s: the masked echo did not arrive: header %q trailer %q body %q", name,
						got.header.Get(upstreamtest.EchoHeader), got.trailer.Get(upstreamtest.EchoTrailer), got.body)
				}
				c := f.call(t)
				if c.Usage.Input != upstreamtest.InputTokens || c.Usage.Output != upstreamtest.OutputTokens || c.ResponseUnparsed {
					t.Errorf("%s: usage %+v (unparsed %v): the parser must read every encoding", name, c.Usage, c.ResponseUnparsed)
				}
				if stream && !c.StreamComplete {
					t.Errorf("%s: stream not recorded complete", name)
				}
			}
		}
	}
	// Every request went upstream with the agent's Accept-Encoding
	// replaced by the gateway's.
	for _, r := range up.Requests() {
		if cred := r.Header.Get("Authorization") + r.Header.Get("X-Api-Key") + r.Header.Get("X-Goog-Api-Key"); !strings.Contains(cred, managedKey) {
			t.Fatalf("upstream request without the key: %q", cred)
		}
	}
}

func merge(ms ...map[string]string) map[string]string {
	out := map[string]string{}
	for _, m := range ms {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}

// TestManagedUnknownEncodingFailsClosed: a reply in a coding the gateway
// cannot decode is answered with a 502 in the family's error shape, and
// none of its bytes (the key among them) reach the agent.
func TestManagedUnknownEncodingFailsClosed(t *testing.T) {
	up := upstreamtest.Start(t, upstreamtest.WithKey(managedKey))
	f := startManaged(t, up.URL())
	for _, tc := range []struct{ family, enc, shapeField string }{
		{"chat", "x-squash", `"code":"upstream_encoding_unsupported"`},
		{"chat", "gzip, x-squash", `"code":"upstream_encoding_unsupported"`},
		{"messages", "COMPRESS", `"type":"error"`},
		{"gemini", "sdch", `"status":"UNAVAILABLE"`},
	} {
		hdr := map[string]string{upstreamtest.HeaderScenario: upstreamtest.ScenarioEchoSecret,
			upstreamtest.HeaderContentEncoding: tc.enc}
		direct := rawExchange(t, familyRequest(t, up.URL(), tc.family, false, merge(hdr, credentialHeader(tc.family, managedKey))))
		if direct.header.Get("Content-Encoding") != tc.enc || !bytes.Contains(direct.wire, []byte(managedKey)) {
			t.Fatalf("%s %q: the upstream's reply does not carry the key under that coding", tc.family, tc.enc)
		}
		got := rawExchange(t, familyRequest(t, f.gw.URL(), tc.family, false, merge(hdr, credentialHeader(tc.family, managedToken))))
		if bytes.Contains(got.wire, []byte(managedKey)) || bytes.Contains(got.wire, []byte("presented")) {
			t.Errorf("%s %q: upstream bytes reached the agent:\n%s", tc.family, tc.enc, got.wire)
		}
		if got.status != http.StatusBadGateway || !bytes.Contains(got.body, []byte(tc.shapeField)) ||
			!bytes.Contains(got.body, []byte("cannot decode")) || !json.Valid(got.body) {
			t.Errorf("%s %q: status %d body %s", tc.family, tc.enc, got.status, got.body)
		}
		if c := f.call(t); c.StatusCode != http.StatusBadGateway || c.TransportError != "undecodable_content_encoding" {
			t.Errorf("%s %q: call status %d, transport error %q", tc.family, tc.enc, c.StatusCode, c.TransportError)
		}
	}
}

// TestManagedCorruptCompressedBodyFailsClosed: a body labelled gzip that is
// in fact plain text holding the key is cut, never passed on.
func TestManagedCorruptCompressedBodyFailsClosed(t *testing.T) {
	plain := `{"error":{"message":"Incorrect API key provided: ` + managedKey + `"}}`
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Encoding", "gzip")
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = io.WriteString(w, plain)
	}))
	defer up.Close()
	f := startManaged(t, up.URL)
	var wire tap
	tr := &http.Transport{DisableCompression: true, DialContext: tapDialer(&wire)}
	defer tr.CloseIdleConnections()
	req := familyRequest(t, f.gw.URL(), "chat", false, credentialHeader("chat", managedToken))
	if resp, err := tr.RoundTrip(req); err == nil {
		_, err = io.ReadAll(resp.Body)
		resp.Body.Close()
		if err == nil {
			t.Errorf("a body that does not decode arrived whole")
		}
	}
	if bytes.Contains(wire.Bytes(), []byte(managedKey)) || bytes.Contains(wire.Bytes(), []byte("Incorrect")) {
		t.Errorf("the undecodable body reached the agent:\n%s", wire.Bytes())
	}
	f.call(t)
}

// TestManagedCompressedStreamFlushedPerEvent: decoding does not hold events
// back: with every coding, the agent reads the first delta through the
// gateway long before the upstream sends the last.
func TestManagedCompressedStreamFlushedPerEvent(t *testing.T) {
	up := upstreamtest.Start(t)
	f := startManaged(t, up.URL())
	for _, enc := range []string{"gzip", "deflate", upstreamtest.RawDeflate, "br", "zstd"} {
		req := familyRequest(t, f.gw.URL(), "chat", true, merge(credentialHeader("chat", managedToken), map[string]string{
			upstreamtest.HeaderContentEncoding: enc, upstreamtest.HeaderDeltas: "4", upstreamtest.HeaderDeltaInterval: "300ms"}))
		start := time.Now()
		resp, err := client(t).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		rd := bufio.NewReader(resp.Body)
		for {
			line, err := rd.ReadString('\n')
			if err != nil {
				t.Fatalf("%s: %v before the first delta", enc, err)
			}
			if strings.Contains(line, `"content":"p"`) {
				break
			}
		}
		if waited := time.Since(start); waited > 600*time.Millisecond {
			t.Errorf("%s: first delta after %v, the stream takes 900 ms: events are held back", enc, waited)
		}
		rest, _ := io.ReadAll(rd)
		resp.Body.Close()
		if !bytes.Contains(rest, []byte("[DONE]")) {
			t.Errorf("%s: rest of stream %q", enc, rest)
		}
		if c := f.call(t); !c.StreamComplete || c.FirstChunk <= 0 || c.FirstChunk > 600*time.Millisecond {
			t.Errorf("%s: complete %v, first chunk %v", enc, c.StreamComplete, c.FirstChunk)
		}
	}
}

// TestManagedHeadersMasked: the key in a header of an informational reply
// (103) or of the final reply never reaches the agent.
func TestManagedHeadersMasked(t *testing.T) {
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		w.Header().Set("Link", "</hint?k="+key+">; rel=preload")
		w.WriteHeader(http.StatusEarlyHints)
		w.Header().Del("Link")
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token", error_description="bad key `+key+`"`)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = io.WriteString(w, `{"error":{"message":"no","type":"invalid_request_error","code":"invalid_api_key"}}`)
	}))
	defer up.Close()
	// The upstream echoes the key it gets.
	direct := rawExchange(t, familyRequest(t, up.URL, "chat", false, credentialHeader("chat", managedKey)))
	if !bytes.Contains(direct.wire, []byte("k="+managedKey)) || !strings.Contains(direct.header.Get("WWW-Authenticate"), managedKey) {
		t.Fatalf("the upstream does not echo the key in its headers:\n%s", direct.wire)
	}
	f := startManaged(t, up.URL)
	var hints []string
	trace := &httptrace.ClientTrace{Got1xxResponse: func(code int, h textproto.MIMEHeader) error {
		hints = append(hints, h.Get("Link"))
		return nil
	}}
	req := familyRequest(t, f.gw.URL(), "chat", false, credentialHeader("chat", managedToken))
	got := rawExchange(t, req.WithContext(httptrace.WithClientTrace(context.Background(), trace)))
	if bytes.Contains(got.wire, []byte(managedKey)) {
		t.Errorf("the key reached the agent:\n%s", got.wire)
	}
	if len(hints) != 1 || !strings.Contains(hints[0], "k=****") || !strings.Contains(got.header.Get("WWW-Authenticate"), "bad key ****") {
		t.Errorf("masked headers did not arrive: 103 Link %q, WWW-Authenticate %q", hints, got.header.Get("WWW-Authenticate"))
	}
	f.call(t)
}

// TestManagedUpgradeRefused: in managed mode a WebSocket handshake is
// answered by the gateway with a 400 in the family's shape, reported as a
// refused request (counted on the run span, not a call), and never
// reaches the upstream; an upgraded connection could not be masked.
func TestManagedUpgradeRefused(t *testing.T) {
	upgraded := make(chan bool, 1)
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		upgraded <- true
		w.Header().Set("Upgrade", "websocket")
		w.Header().Set("Connection", "Upgrade")
		w.WriteHeader(http.StatusSwitchingProtocols)
	}))
	defer up.Close()
	f, locals := startManagedLocal(t, up.URL)
	req, _ := http.NewRequest(http.MethodGet, f.gw.URL()+"/v1/responses", nil)
	req.Header.Set("Authorization", "Bearer "+managedToken)
	req.Header.Set("Upgrade", "websocket")
	req.Header.Set("Connection", "Upgrade")
	req.Header.Set("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")
	req.Header.Set("Sec-WebSocket-Version", "13")
	got := rawExchange(t, req)
	if got.status != http.StatusBadRequest || !bytes.Contains(got.body, []byte(`"code":"upgrade_refused"`)) {
		t.Errorf("status %d body %s", got.status, got.body)
	}
	select {
	case <-upgraded:
		t.Error("the handshake reached the upstream")
	default:
	}
	select {
	case l := <-locals:
		if l.Reason != call.LocalUpgradeRefused || !l.Refused() {
			t.Errorf("reported as %+v", l)
		}
	case <-time.After(10 * time.Second):
		t.Error("the refusal was not reported")
	}
}

// TestManagedAcceptEncodingIsTheGateways: the agent's Accept-Encoding
// never reaches the upstream in managed mode; in passthrough it does.
func TestManagedAcceptEncodingIsTheGateways(t *testing.T) {
	up := upstreamtest.Start(t)
	f := startManaged(t, up.URL())
	rawExchange(t, familyRequest(t, f.gw.URL(), "chat", false, merge(credentialHeader("chat", managedToken),
		map[string]string{"Accept-Encoding": "x-exotic, gzip"})))
	f.call(t)
	reqs := up.Requests()
	if got := reqs[len(reqs)-1].Header.Get("Accept-Encoding"); got != "gzip, deflate, br, zstd" {
		t.Errorf("upstream Accept-Encoding %q", got)
	}
}

// tap records every byte the agent's side of its connections receives.
type tap struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (w *tap) Bytes() []byte {
	w.mu.Lock()
	defer w.mu.Unlock()
	return bytes.Clone(w.buf.Bytes())
}

// tapDialer dials TCP and copies every byte read from the connection into
// wire.
func tapDialer(wire *tap) func(ctx context.Context, network, addr string) (net.Conn, error) {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := (&net.Dialer{}).DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		return &tapConn{Conn: c, wire: wire}, nil
	}
}

type tapConn struct {
	net.Conn
	wire *tap
}

func (c *tapConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.wire.mu.Lock()
	c.wire.buf.Write(p[:n])
	c.wire.mu.Unlock()
	return n, err
}
