package gateway

// TEMPORARY until the response parsers land (branch parsers): records the
// response head only.
type headOnlyParser struct{}

func (headOnlyParser) Write(p []byte) (int, error) { return len(p), nil }
func (headOnlyParser) finish(c *Call, complete bool) {
	c.Stream = c.ContentType == "text/event-stream"
	c.StreamComplete = complete
}

func newResponseParser(f Family, status int, contentType, contentEncoding string) responseParser {
	return headOnlyParser{}
}
