package wrap

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/agentwrap/agentwrap/call"
	"github.com/agentwrap/agentwrap/gateway"
	"github.com/agentwrap/agentwrap/spans"
	"github.com/agentwrap/agentwrap/validate"
)

// Bounds of one validation request.
const (
	// validateCallTimeout bounds a request of the sequence.
	validateCallTimeout = 2 * time.Minute
	// validateDeadline is the timeout check's deadline, counted from the
	// moment the whole request was on the socket: shorter than any real
	// reply.
	validateDeadline = time.Millisecond
	// validateObserveWait bounds the wait for the gateway's record.
	validateObserveWait = 30 * time.Second
	// maxReply bounds how much of a reply the client reads.
	maxReply = 1 << 20
)

// validator sends the sequence's requests through the run's gateways and
// collects the gateway's record of each.
type validator struct {
	s *session
	// managed puts the real key upstream; open passes the request's own
	// credential (none, or the wrong key) through.
	managed, open *gateway.Gateway
	wrongKey      string
	tr            *http.Transport
	calls         chan *call.Call

	mu      sync.Mutex
	replies []string
}

func (s *session) startValidator(o Options, requests int) (*validator, error) {
	v := &validator{s: s, calls: make(chan *call.Call, requests+64), wrongKey: wrongKey(s.key.Reveal()),
		tr: &http.Transport{DisableCompression: true}}
	s.scanner.Add(v.wrongKey)
	observe := func(c *call.Call) {
		s.recorder.Observe(c)
		select {
		case v.calls <- c:
		default: // more calls than requests sent: not ours
		}
	}
	var err error
	if v.managed, err = gateway.New(s.gatewayConfig(o, s.key.Reveal(), s.token, observe)); err != nil {
		return nil, err
	}
	if v.open, err = gateway.New(s.gatewayConfig(o, "", "", observe)); err != nil {
		s.closeGateway(v.managed, o)
		return nil, err
	}
	return v, nil
}

func (v *validator) close(o Options) {
	v.tr.CloseIdleConnections()
	v.s.closeGateway(v.managed, o)
	v.s.closeGateway(v.open, o)
}

// leaks are the values no recorded output may hold.
func (v *validator) leaks() []string {
	v.mu.Lock()
	defer v.mu.Unlock()
	return append([]string{v.s.key.Reveal(), v.s.token, v.wrongKey, validate.Prompt}, v.replies...)
}

// wrongKey is a well-formed wrong key: the real key's prefix (up to its
// last '-') and length, the rest random.
func wrongKey(real string) string {
	prefix := ""
	if i := strings.LastIndex(real, "-"); i >= 0 && i < len(real)/2 {
		prefix = real[:i+1]
	}
	n := max(len(real)-len(prefix), 32)
	const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	b := make([]byte, n)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return prefix + string(b)
}

// run sends the steps' requests one at a time and appends a row per step
// (and the drift found) to cl.
func (v *validator) run(ctx context.Context, steps []validate.Step, maxRequests int, cl *validate.Checklist) {
	sent := 0
	for i, st := range steps {
		row := validate.Row{Endpoint: st.Endpoint.ID, Family: st.Endpoint.Family, Check: st.Check,
			Title: st.Check.Title(), Expected: st.Expected}
		switch {
		case st.Request == nil:
			row.Result, row.Observed = st.SkipResult, st.Skip
		case maxRequests > 0 && sent >= maxRequests:
			row.Result, row.Observed = validate.NotRun, fmt.Sprintf("not sent: --max-requests %d reached", maxRequests)
		default:
			if sent == 0 {
				cl.Started = time.Now().UTC().Format(time.RFC3339)
			}
			sent++
			o := v.send(ctx, i, st)
			var drift []validate.DriftReport
			row, drift = validate.Judge(st, o, v.s.manifest.Support)
			cl.Drift = append(cl.Drift, drift...)
		}
		cl.Rows = append(cl.Rows, row)
	}
	cl.Requests = sent
}

// send sends step st's request and returns what the client and the
// gateway saw.
func (v *validator) send(ctx context.Context, i int, st validate.Step) validate.Observation {
	r := st.Request
	gw, cred := v.managed, v.s.token
	switch r.Credential {
	case validate.CredentialNone:
		gw, cred = v.open, ""
	case validate.CredentialWrong:
		gw, cred = v.open, v.wrongKey
	}
	ua := fmt.Sprintf("agentwrap-validate/%d %s", i+1, st.Check)
	ctx, cancel := context.WithTimeout(ctx, validateCallTimeout)
	defer cancel()
	url := gw.URL() + r.Path
	if r.Query != "" {
		url += "?" + r.Query
	}
	var body io.Reader
	if r.Body != nil {
		body = bytes.NewReader(r.Body)
	}
	var o validate.Observation
	hr, err := http.NewRequestWithContext(ctx, r.Method, url, body)
	if err != nil {
		return o
	}
	hr.Header = r.Header.Clone()
	hr.Header.Set("User-Agent", ua)
	if cred != "" {
		if r.CredentialHeader == "authorization" {
			hr.Header.Set("Authorization", "Bearer "+cred)
		} else {
			hr.Header.Set(r.CredentialHeader, cred)
		}
	}
	var resp *http.Response
	if r.Deadline {
		resp, err = roundTripWithDeadline(hr, validateDeadline)
	} else {
		resp, err = v.tr.RoundTrip(hr)
	}
	if err == nil {
		reply, _ := io.ReadAll(io.LimitReader(resp.Body, maxReply))
		resp.Body.Close()
		o.Replied = true
		o.RetryHint = resp.StatusCode >= 400 && hasRetryInfo(reply)
		o.RequestID = v.requestID(resp.Header, reply)
		if isJSON(resp.Header.Get("Content-Type")) {
			o.ResponseKeys = v.names(topLevelKeys(reply))
		}
		v.keepReplyTexts(reply)
	}
	c := v.await(ua)
	if c == nil {
		return o
	}
	v.fill(&o, c)
	return o
}

// roundTripWithDeadline sends req on a connection of its own and gives up
// on the reply d after the whole request was written to the socket: the
// timeout check's client deadline, counted from the moment the request
// left, not from when the transport queued it.
func roundTripWithDeadline(req *http.Request, d time.Duration) (*http.Response, error) {
	var dialer net.Dialer
	conn, err := dialer.DialContext(req.Context(), "tcp", req.URL.Host)
	if err != nil {
		return nil, err
	}
	if err := req.Write(conn); err != nil {
		conn.Close()
		return nil, err
	}
	if err := conn.SetReadDeadline(time.Now().Add(d)); err != nil {
		conn.Close()
		return nil, err
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), req)
	if err != nil {
		conn.Close()
		return nil, err
	}
	resp.Body = closeBoth{resp.Body, conn}
	return resp, nil
}

// closeBoth closes a response body and its connection.
type closeBoth struct {
	io.ReadCloser
	conn net.Conn
}

func (c closeBoth) Close() error {
	err := c.ReadCloser.Close()
	_ = c.conn.Close()
	return err
}

// hasRetryInfo reports whether an error body carries a retry hint of its
// own: a google.rpc.RetryInfo detail (Gemini's retryDelay).
func hasRetryInfo(reply []byte) bool {
	var b struct {
		Error struct {
			Details []struct {
				Type       string `json:"@type"`
				RetryDelay string `json:"retryDelay"`
			} `json:"details"`
		} `json:"error"`
	}
	if json.Unmarshal(reply, &b) != nil {
		return false
	}
	for _, d := range b.Error.Details {
		if strings.HasSuffix(d.Type, "google.rpc.RetryInfo") || d.RetryDelay != "" {
			return true
		}
	}
	return false
}

// await waits for the gateway's record of the request sent with user agent
// ua; records of earlier requests that arrive late are skipped.
func (v *validator) await(ua string) *call.Call {
	t := time.NewTimer(validateObserveWait)
	defer t.Stop()
	for {
		select {
		case c := <-v.calls:
			if c.UserAgent == ua {
				return c
			}
		case <-t.C:
			return nil
		}
	}
}

// fill copies the gateway's record of the call into o, sanitized.
func (v *validator) fill(o *validate.Observation, c *call.Call) {
	note := v.s.scanner.Note
	o.Recorded, o.Start, o.Status = true, c.Start, c.StatusCode
	o.TransportError, o.Cancelled = c.TransportError, c.Cancelled
	o.RetryHint = o.RetryHint || c.RetryAfter
	o.ErrorType = note(clipName(c.UpstreamErrorType))
	o.JSONError = c.ResponseJSONError
	o.Stream, o.StreamComplete = c.Stream, c.StreamComplete
	o.Usage = c.Usage.Input >= 0 || c.Usage.Output >= 0
	o.MissingFields = c.MissingFields
	o.RequestKeys = v.names(c.RequestKeys)
	o.Note = note(spans.Classify(c).Note)
	if o.RequestID == "" && c.ResponseID != "" {
		o.RequestID = v.cleanID(c.ResponseID)
	}
}

// requestIDHeaders are the response headers that carry an upstream's
// request id.
var requestIDHeaders = []string{"X-Request-Id", "Request-Id", "X-Oneapi-Request-Id", "X-Goog-Request-Id"}

// messageIDRE finds the request id CometAPI writes into error messages
// ("... (request id: 2025...)"); only the id itself is taken.
var messageIDRE = regexp.MustCompile(`\(request id: ([A-Za-z0-9._:-]{1,100})\)`)

// requestID is the upstream's request id: a request-id header, else an
// error body's top-level request_id, else the id in an error message;
// sanitized.
func (v *validator) requestID(h http.Header, reply []byte) string {
	for _, k := range requestIDHeaders {
		if id := h.Get(k); id != "" {
			return v.cleanID(id)
		}
	}
	var b struct {
		RequestID string `json:"request_id"`
		Error     struct {
			Message string `json:"message"`
		} `json:"error"`
	}
	if json.Unmarshal(reply, &b) != nil {
		return ""
	}
	if b.RequestID != "" {
		return v.cleanID(b.RequestID)
	}
	if m := messageIDRE.FindStringSubmatch(b.Error.Message); m != nil {
		return v.cleanID(m[1])
	}
	return ""
}

var idRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._:+=/-]{0,99}$`)

// cleanID bounds a request id to 100 characters of a plain alphabet and
// scans it for secrets; an id that fails either is withheld.
func (v *validator) cleanID(id string) string {
	if !idRE.MatchString(id) {
		return "(withheld: not a plain id)"
	}
	if n := v.s.scanner.Note(id); n != id {
		return "(withheld: matched a secret pattern)"
	}
	return id
}

var nameRE = regexp.MustCompile(`^[A-Za-z_$@][A-Za-z0-9_.$@-]{0,63}$`)

// names keeps field names that look like field names and pass the secret
// scan; others are listed as "(unlisted name)".
func (v *validator) names(keys []string) []string {
	out := make([]string, 0, len(keys))
	for _, k := range keys {
		if !nameRE.MatchString(k) || v.s.scanner.Note(k) != k {
			k = "(unlisted name)"
		}
		if !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	return out
}

func clipName(s string) string {
	if len(s) > 64 {
		return s[:64]
	}
	return s
}

func isJSON(ct string) bool {
	mt, _, _ := mime.ParseMediaType(ct)
	return mt == "application/json" || strings.HasSuffix(mt, "+json")
}

// topLevelKeys returns the keys of a JSON object in order, or nil.
func topLevelKeys(b []byte) []string {
	dec := json.NewDecoder(bytes.NewReader(b))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil
	}
	var keys []string
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return keys
		}
		k, _ := t.(string)
		keys = append(keys, k)
		var skip json.RawMessage
		if dec.Decode(&skip) != nil {
			return keys
		}
	}
	return keys
}

// keepReplyTexts remembers the texts of a reply (JSON or an event stream)
// for the leak check.
func (v *validator) keepReplyTexts(reply []byte) {
	texts := replyTexts(reply)
	sc := bufio.NewScanner(bytes.NewReader(reply))
	sc.Buffer(make([]byte, 64<<10), maxReply)
	for sc.Scan() {
		if d, ok := bytes.CutPrefix(sc.Bytes(), []byte("data:")); ok {
			texts = append(texts, replyTexts(bytes.TrimSpace(d))...)
		}
	}
	v.mu.Lock()
	v.replies = append(v.replies, texts...)
	v.mu.Unlock()
}
