package gateway

import (
	"strings"
	"sync"

	"github.com/agentwrap/agentwrap/call"
)

// familyParser reads the replies of one request family. Its methods run on
// the body parser's goroutine under its lock, and fill a result.
type familyParser interface {
	// event reads one event of an event stream.
	event(r *result, name, data []byte)
	// skipped is told of an event too large to read.
	skipped(r *result, name []byte)
	// document reads a whole 2xx JSON body. It sets r.jsonErr when the body
	// is not the documented JSON.
	document(r *result, doc []byte)
	// done runs once the body ended; stream tells whether it was an event
	// stream.
	done(r *result, stream bool)
}

// newResponseParser returns the parser for a reply of family f, chosen by
// the reply's status, media type and Content-Encoding.
func newResponseParser(f call.Family, status int, contentType, contentEncoding string) responseParser {
	p := &bodyParser{}
	p.init(f, status, contentType, contentEncoding)
	return p
}

// init readies a zero bodyParser, one held in a call's state, as
// newResponseParser's.
func (p *bodyParser) init(f call.Family, status int, contentType, contentEncoding string) {
	p.family, p.status, p.fam, p.res = f, status, familyFor(f), newResult()
	p.sse = isEventStream(contentType)
	if p.sse {
		p.events = &sseParser{sink: p}
	} else {
		p.body = &jsonBody{}
	}
	enc, ok := knownEncoding(contentEncoding)
	switch {
	case !ok:
		p.res.unparsed = true
		p.ignore = true
	case enc != "":
		p.enc = &encodedBody{encoding: enc}
	}
}

// isEventStream reports whether a Content-Type names text/event-stream.
func isEventStream(contentType string) bool {
	mt, _, _ := strings.Cut(contentType, ";")
	return strings.EqualFold(strings.TrimSpace(mt), "text/event-stream")
}

// parsers make the response parser of each registered family: adding a
// family is its registry entry (package call), its parser file and one line
// here. TestParsersCoverRegistry fails when a family has none.
var parsers = map[call.Family]func() familyParser{
	call.FamilyChatCompletions: func() familyParser { return &chatParser{} },
	call.FamilyResponses:       func() familyParser { return &responsesParser{} },
	call.FamilyMessages:        func() familyParser { return &messagesParser{} },
	call.FamilyGemini:          func() familyParser { return &geminiParser{} },
	call.FamilyCountTokens:     func() familyParser { return countTokensParser{} },
	call.FamilyEmbeddings:      func() familyParser { return embeddingsParser{} },
	call.FamilyModels:          func() familyParser { return modelsParser{} },
}

// familyFor returns the parser of family f; a call no route recognised
// (call.FamilyUnknown) is read only for its error body.
func familyFor(f call.Family) familyParser {
	if !call.Known(f) {
		return unknownParser{}
	}
	return parsers[f]()
}

// bodyParser is the responseParser of every family: it undoes the
// Content-Encoding on its own copy, frames the body as an event stream or a
// JSON document, and hands the pieces to the family's parser.
type bodyParser struct {
	family call.Family
	status int
	fam    familyParser
	sse    bool

	mu     sync.Mutex
	ignore bool         // the body cannot be read (unknown encoding)
	enc    *encodedBody // nil without Content-Encoding
	events *sseParser   // event streams
	body   *jsonBody    // everything else
	res    result
	done   bool
}

// Write takes a copy of p. It never blocks on anything but the parser's own
// short lock and always reports len(p), nil.
func (p *bodyParser) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ignore || p.done {
		return len(b), nil
	}
	if p.enc != nil {
		p.enc.write(b)
	} else {
		p.frame(b)
	}
	return len(b), nil
}

// frame passes decoded bytes on. It reports whether more are wanted.
func (p *bodyParser) frame(b []byte) bool {
	if p.events != nil {
		p.events.write(b)
		return true
	}
	p.body.write(b)
	return !p.body.over && !p.body.notJSON
}

// event and skipped make bodyParser the sink of its sseParser.
func (p *bodyParser) event(name, data []byte) { p.fam.event(&p.res, name, data) }
func (p *bodyParser) skipped(name []byte) {
	p.res.skippedEvents++
	p.fam.skipped(&p.res, name)
}

func (p *bodyParser) finish(c *call.Call, complete bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.done {
		p.done = true
		p.end(complete)
	}
	p.res.fill(c, p.sse, complete)
}

// end decodes what was kept, ends the framing and lets the family parser
// conclude.
func (p *bodyParser) end(complete bool) {
	if p.ignore {
		return
	}
	if p.enc != nil {
		if p.enc.over {
			p.res.unparsed = true
			return
		}
		err := p.enc.decode(p.frame)
		p.enc = nil
		if err != nil && complete {
			// Undecodable, not cut short: nothing more can be said.
			p.res.unparsed = true
			return
		}
	}
	if p.events != nil {
		p.events.end()
		if p.status < 300 {
			p.fam.done(&p.res, true)
		}
		return
	}
	p.endDocument(complete)
}

// endDocument reads a whole non-stream body.
func (p *bodyParser) endDocument(complete bool) {
	b := p.body
	documented := p.family != call.FamilyUnknown
	switch {
	case b.over:
		p.res.unparsed = true
	case p.status < 200 || p.status == 204 || p.status == 304 || (p.status >= 300 && p.status < 400):
	case b.notJSON || (len(b.buf) == 0 && complete):
		p.res.jsonErr = documented && complete
	case p.status >= 400:
		if !readError(&p.res, b.buf) && documented && complete {
			p.res.jsonErr = true
		}
	default:
		p.fam.document(&p.res, b.buf)
		if p.res.jsonErr && !complete {
			p.res.jsonErr = false // cut short, not malformed
			p.res.missing = nil
		}
		p.fam.done(&p.res, false)
	}
	b.buf = nil
}

// jsonBody keeps a non-stream body, up to maxJSONBytes, for reading when it
// ends. A body that does not start like JSON is not kept.
type jsonBody struct {
	buf     []byte
	started bool
	notJSON bool
	over    bool
}

const maxJSONBytes = 1 << 20

func (j *jsonBody) write(p []byte) {
	if j.notJSON || j.over {
		return
	}
	if !j.started {
		i := skipSpace(p, 0)
		if i == len(p) {
			return
		}
		j.started = true
		if p[i] != '{' && p[i] != '[' {
			j.notJSON = true
			return
		}
		p = p[i:]
	}
	var ok bool
	if j.buf, ok = appendCapped(j.buf, p, maxJSONBytes); !ok {
		j.over = true
		j.buf = nil
	}
}
