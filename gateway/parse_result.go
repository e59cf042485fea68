package gateway

import "github.com/agentwrap/agentwrap/call"

// maxChoices bounds the choices or candidates whose finish reasons are kept.
const maxChoices = 64

// result is what a family parser read from one reply: metadata only, never
// text.
type result struct {
	id, model string
	// reasons holds finish reasons by choice or candidate index.
	reasons       []string
	usage         call.Usage
	usageSeen     bool
	terminal      bool
	missing       []string
	jsonErr       bool
	unparsed      bool
	skippedEvents int
	errType       string
	errCode       string
}

func newResult() result { return result{usage: call.NoUsage()} }

// setReason records the finish reason of choice idx from the raw JSON
// string v; null and empty strings are ignored.
func (r *result) setReason(idx int64, v []byte) {
	if isNull(v) || idx < 0 || idx >= maxChoices {
		return
	}
	for int64(len(r.reasons)) <= idx {
		r.reasons = append(r.reasons, "")
	}
	setString(&r.reasons[idx], v)
}

// need records name as a missing documented field unless present.
func (r *result) need(present bool, name string) {
	if !present {
		r.missing = append(r.missing, name)
	}
}

// fill copies the result into the call record.
func (r *result) fill(c *call.Call, stream, complete bool) {
	c.Stream = stream
	c.StreamComplete = stream && complete && r.terminal
	if r.id != "" {
		c.ResponseID = r.id
	}
	if r.model != "" {
		c.ResponseModel = r.model
	}
	c.FinishReasons = nil
	for _, s := range r.reasons {
		if s != "" {
			c.FinishReasons = append(c.FinishReasons, s)
		}
	}
	if r.usageSeen {
		c.Usage = r.usage
	}
	c.ResponseJSONError = r.jsonErr
	c.ResponseUnparsed = r.unparsed
	c.SkippedEvents = r.skippedEvents
	c.MissingFields = nil
	if !r.unparsed && !r.jsonErr {
		c.MissingFields = append([]string(nil), r.missing...)
	}
	c.UpstreamErrorType = r.errType
	c.UpstreamErrorCode = r.errCode
}
