package gateway

import (
	"bytes"
	"io"
)

// maskingBody keeps the real key from reaching the agent: some gateways echo
// the presented key in error bodies ("Incorrect API key provided: sk-...").
// Every occurrence of the key in the body is overwritten with '*' of the
// same length, so Content-Length stays right. Only the longest tail of the
// bytes read that could start an occurrence is held back until the next
// read decides it, so events (which end in blank lines) are never delayed.
type maskingBody struct {
	io.ReadCloser
	key  []byte
	held []byte // bytes read from upstream, not yet returned
	out  []byte // masked bytes ready to return
	err  error
}

func newMaskingBody(body io.ReadCloser, key string) *maskingBody {
	return &maskingBody{ReadCloser: body, key: []byte(key)}
}

func (m *maskingBody) Read(p []byte) (int, error) {
	for len(m.out) == 0 {
		if m.err != nil {
			return 0, m.err
		}
		buf := make([]byte, max(len(p), 512))
		n, err := m.ReadCloser.Read(buf)
		m.held = append(m.held, buf[:n]...)
		m.err = err
		m.mask(err != nil)
	}
	n := copy(p, m.out)
	m.out = m.out[n:]
	return n, nil
}

// mask overwrites every whole key in held and moves everything that cannot
// be the start of a key to out; at the end of the body, everything.
func (m *maskingBody) mask(final bool) {
	for i := bytes.Index(m.held, m.key); i >= 0; i = bytes.Index(m.held, m.key) {
		for j := i; j < i+len(m.key); j++ {
			m.held[j] = '*'
		}
	}
	keep := 0
	if !final {
		keep = partialSuffix(m.held, m.key)
	}
	cut := len(m.held) - keep
	m.out = append(m.out, m.held[:cut]...)
	m.held = append(m.held[:0], m.held[cut:]...)
}

// partialSuffix is the length of the longest proper prefix of key that b
// ends with.
func partialSuffix(b, key []byte) int {
	for n := min(len(key)-1, len(b)); n > 0; n-- {
		if bytes.HasSuffix(b, key[:n]) {
			return n
		}
	}
	return 0
}
