package upstreamtest

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// call is one request being answered.
type call struct {
	cfg *config
	r   *http.Request
	w   *replyWriter

	family string
	shape  shape
	// model is the request model (from the body, or the path for Gemini).
	model string
	// stream is true when the reply is a stream.
	stream bool
	// key is the credential the request presented, or empty.
	key       string
	scenario  string
	requestID string
	body      reqBody
	// deltas are the text pieces of the reply; their concatenation is the
	// reply text.
	deltas   []string
	interval time.Duration
	// structured is the JSON reply text of a structured-output request.
	structured    string
	hasStructured bool
}

// reqBody holds the request fields the replies depend on.
type reqBody struct {
	Model         string `json:"model"`
	Stream        bool   `json:"stream"`
	MaxTokens     *int64 `json:"max_tokens"`
	StreamOptions *struct {
		IncludeUsage bool `json:"include_usage"`
	} `json:"stream_options"`
	Input          json.RawMessage `json:"input"`
	Dimensions     int             `json:"dimensions"`
	EncodingFormat string          `json:"encoding_format"`
}

// text is the whole reply text.
func (c *call) text() string { return strings.Join(c.deltas, "") }

// includeUsage reports whether a chat stream ends with a usage chunk.
func (c *call) includeUsage() bool {
	return c.body.StreamOptions != nil && c.body.StreamOptions.IncludeUsage
}

// withUsage reports whether the reply carries its usage object.
func (c *call) withUsage() bool { return c.scenario != ScenarioMissingUsage }

// parse reads the request body. It must be a JSON object naming a model
// (outside Gemini, whose model is in the path), and Anthropic messages
// need max_tokens. A server built [WithRequiredFields] also requires the
// other fields the documentation marks required: messages for chat and
// Anthropic, input for embeddings, contents for Gemini.
func (c *call) parse(body []byte) error {
	if c.r.Method == http.MethodGet {
		return nil
	}
	var keys map[string]json.RawMessage
	if c.shape == shapeGoogle {
		if err := json.Unmarshal(body, &keys); err != nil {
			return errors.New("Invalid JSON payload received. " + err.Error())
		}
		c.structured, c.hasStructured = geminiJSONReply(body)
		if _, ok := keys["contents"]; !ok && c.family == FamilyGemini && c.cfg.required {
			return errors.New("* GenerateContentRequest.contents: contents is not specified")
		}
		return nil
	}
	err := json.Unmarshal(body, &c.body)
	if err == nil {
		err = json.Unmarshal(body, &keys)
	}
	if err != nil {
		if c.shape == shapeAnthropic {
			return errors.New("There was an issue with your request body: " + err.Error())
		}
		//lint:ignore ST1005 OpenAI's message, verbatim
		return errors.New("We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)")
	}
	c.model = c.body.Model
	if c.family != FamilyCountTokens {
		c.stream = c.body.Stream
	}
	switch {
	case c.model == "" && c.shape == shapeAnthropic:
		return errors.New("model: Field required")
	case c.model == "":
		return errors.New("you must provide a model parameter")
	case c.family == FamilyMessages && c.body.MaxTokens == nil:
		return errors.New("max_tokens: Field required")
	case !c.cfg.required:
	case c.shape == shapeAnthropic && keys["messages"] == nil:
		return errors.New("messages: Field required")
	case c.family == FamilyChatCompletions && keys["messages"] == nil:
		//lint:ignore ST1005 OpenAI's message, verbatim
		return errors.New("Missing required parameter: 'messages'.")
	case c.family == FamilyEmbeddings && keys["input"] == nil:
		//lint:ignore ST1005 OpenAI's message, verbatim
		return errors.New("Missing required parameter: 'input'.")
	}
	return nil
}

// plan sets the deltas and pause of the reply from the options, the
// request headers and the scenario.
func (c *call) plan() {
	n := c.cfg.deltas
	if c.scenario == ScenarioHugeStream {
		n = DefaultHugeDeltas
	}
	if v, err := strconv.Atoi(c.r.Header.Get(HeaderDeltas)); err == nil && v > 0 {
		n = v
	}
	if c.scenario == ScenarioTruncated || c.scenario == ScenarioResetMidStream {
		n = max(n, 2)
	}
	c.deltas = Deltas(n)
	if c.hasStructured {
		c.deltas = []string{c.structured}
	}
	if c.scenario == ScenarioEchoSecretSSE || c.scenario == ScenarioEchoSecret {
		c.deltas = append(c.deltas, " (presented credential: "+c.key+")")
	}
	if c.scenario == ScenarioEchoSecret {
		c.w.header().Set(EchoHeader, "presented="+c.key)
		c.w.header().Set("Trailer", EchoTrailer)
		c.w.trailer = map[string]string{EchoTrailer: "presented=" + c.key}
	}
	c.interval = c.cfg.interval
	if d, ok := parseDuration(c.r.Header.Get(HeaderDeltaInterval)); ok {
		c.interval = d
	}
}

// Deltas returns the n text deltas of a stream: [ReplyText] split into n
// pieces when n is at most its length, otherwise n copies of it.
func Deltas(n int) []string {
	n = max(n, 1)
	if n > len(ReplyText) {
		out := make([]string, n)
		for i := range out {
			out[i] = ReplyText
		}
		return out
	}
	out := make([]string, 0, n)
	for i := range n {
		out = append(out, ReplyText[i*len(ReplyText)/n:(i+1)*len(ReplyText)/n])
	}
	return out
}

// parseDuration reads a Go duration or a number of milliseconds.
func parseDuration(v string) (time.Duration, bool) {
	if v == "" {
		return 0, false
	}
	if ms, err := strconv.Atoi(v); err == nil && ms >= 0 {
		return time.Duration(ms) * time.Millisecond, true
	}
	d, err := time.ParseDuration(v)
	return d, err == nil && d >= 0
}

// sleep waits d, or aborts the reply when the client goes away first.
func (c *call) sleep(d time.Duration) {
	if d <= 0 {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-c.r.Context().Done():
		panic(http.ErrAbortHandler)
	}
}

// delay is the first-byte delay of ScenarioSlowFirstByte.
func (c *call) delay() time.Duration {
	if d, ok := parseDuration(c.r.Header.Get(HeaderDelay)); ok {
		return d
	}
	return DefaultDelay
}

// jsonType is the Content-Type of the family's JSON replies.
func (c *call) jsonType() string {
	if c.shape == shapeGoogle {
		return "application/json; charset=UTF-8"
	}
	return "application/json"
}

// writeJSON writes v as the reply. A successful reply in a cutting
// scenario is cut in half.
func (c *call) writeJSON(status int, v any) {
	if o, ok := v.(obj); ok && status < 300 && c.cfg.drift&DriftExtraField != 0 {
		v = append(o, kv{DriftFieldName, "x"})
	}
	body := mustJSON(v)
	c.w.header().Set("Content-Type", c.jsonType())
	if status < 300 && c.cuts() {
		if !c.w.compressed() {
			c.w.header().Set("Content-Length", strconv.Itoa(len(body)))
		}
		c.w.start(status)
		c.w.write(body[:len(body)/2])
		c.cut()
	}
	c.w.writeAll(status, body)
}

// cuts reports whether the scenario cuts the reply short.
func (c *call) cuts() bool {
	return c.scenario == ScenarioTruncated || c.scenario == ScenarioResetMidStream
}

// cut ends the connection the way the scenario asks.
func (c *call) cut() {
	if c.scenario == ScenarioResetMidStream {
		c.w.reset()
	}
	c.w.abort()
}

// event is one stream event before framing; name is empty for data-only
// events.
type event struct {
	name string
	data any
}

// rawData is event data written as is, such as chat's [DONE] sentinel.
type rawData string

// streamPlan describes a stream: the events before, for and after each
// text delta.
type streamPlan struct {
	contentType string
	encoder     func(*replyWriter) encoder
	head        []event
	delta       func(i, n int, text string) []event
	tail        func(text string) []event
}

// runStream writes the stream p describes, pausing between deltas and
// cutting it at the middle delta when the scenario asks.
func (c *call) runStream(p streamPlan) {
	h := c.w.header()
	h.Set("Content-Type", p.contentType)
	h.Set("Cache-Control", "no-cache")
	c.w.start(http.StatusOK)
	enc := p.encoder(c.w)
	emit := func(evs []event) {
		for _, e := range evs {
			if r, ok := e.data.(rawData); ok {
				enc.event(e.name, []byte(r))
				continue
			}
			enc.event(e.name, mustJSON(e.data))
		}
	}
	emit(p.head)
	cut := -1
	if c.cuts() {
		cut = len(c.deltas) / 2
	}
	ctx := c.r.Context()
	for i, d := range c.deltas {
		if i == cut {
			c.cut()
		}
		if i > 0 {
			c.sleep(c.interval)
		}
		if ctx.Err() != nil {
			c.w.abort()
		}
		emit(p.delta(i, len(c.deltas), d))
	}
	if p.tail != nil {
		emit(p.tail(c.text()))
	}
	enc.end()
	c.w.finish()
}

func sse(sep string) func(*replyWriter) encoder {
	return func(w *replyWriter) encoder { return sseEncoder{w: w, sep: sep} }
}
