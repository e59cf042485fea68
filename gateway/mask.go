package gateway

import (
	"bytes"
	"io"
	"sync"
)

// maskingBody keeps the real key from reaching the agent: some gateways echo
// the presented key in error bodies ("Incorrect API key provided: sk-...").
// Every occurrence of the key in the body is overwritten with '*' of the
// same length, so Content-Length stays right. Only the longest tail of the
// bytes read that could start an occurrence is held back until the next
// read decides it, so events (which end in blank lines) are never delayed.
// Its buffers are reused: a long stream costs no allocation per read.
type maskingBody struct {
	io.ReadCloser
	key  []byte
	buf  []byte // read buffer
	data []byte // data[off:ready] is masked and ready; data[ready:] is held back
	off  int
	end  int
	err  error
}

const maskReadSize = 32 << 10

// maskBuffers recycles the read buffers of finished bodies: one per call
// would otherwise cost 32 KiB of garbage per model call.
var maskBuffers = sync.Pool{New: func() any {
	return &maskBufs{buf: make([]byte, maskReadSize), data: make([]byte, 0, maskReadSize+256)}
}}

type maskBufs struct{ buf, data []byte }

func newMaskingBody(body io.ReadCloser, key string) *maskingBody {
	return &maskingBody{ReadCloser: body, key: []byte(key)}
}

func (m *maskingBody) Read(p []byte) (int, error) {
	for m.off == m.end {
		if m.err != nil {
			return 0, m.err
		}
		m.fill()
	}
	n := copy(p, m.data[m.off:m.end])
	m.off += n
	return n, nil
}

// fill reads the next piece from upstream behind the held-back tail, masks
// every whole key and marks what can go to the agent.
func (m *maskingBody) fill() {
	m.data = append(m.data[:0], m.data[m.end:]...)
	m.off, m.end = 0, 0
	if m.buf == nil {
		b := maskBuffers.Get().(*maskBufs)
		m.buf, m.data = b.buf, b.data[:0]
	}
	n, err := m.ReadCloser.Read(m.buf)
	m.data = append(m.data, m.buf[:n]...)
	m.err = err
	for i := bytes.Index(m.data, m.key); i >= 0; i = bytes.Index(m.data, m.key) {
		for j := i; j < i+len(m.key); j++ {
			m.data[j] = '*'
		}
	}
	keep := 0
	if err == nil {
		keep = partialSuffix(m.data, m.key)
	}
	m.end = len(m.data) - keep
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

// Close closes the upstream body and recycles the read buffer.
func (m *maskingBody) Close() error {
	err := m.ReadCloser.Close()
	if m.buf != nil {
		maskBuffers.Put(&maskBufs{buf: m.buf, data: m.data[:0]})
		m.buf, m.data, m.off, m.end = nil, nil, 0, 0
	}
	return err
}
