package gateway

import (
	"bytes"
	"io"
	"net/http"
	"slices"
	"sync"
)

// maskingBody keeps the real key from reaching the agent: some gateways echo
// the presented key in error bodies ("Incorrect API key provided: sk-...").
// Every occurrence of the key in the body is overwritten with '*' of the
// same length, so Content-Length stays right. Only the longest tail of the
// bytes read that could start an occurrence is held back until the next
// read decides it, so events (which end in blank lines) are never delayed.
//
// Upstream bytes are read straight into one buffer behind the held-back
// tail. It starts small (a stream's events are small) and doubles, up to
// maskMaxRead, while reads fill it; finished bodies return it to a pool, so
// a long stream costs no allocation per read.
type maskingBody struct {
	io.ReadCloser
	key []byte
	// data[off:end] is masked and ready; data[end:] is held back.
	data []byte
	// pooled is the pool's slice header data came from: Close returns
	// data through it, without allocating a header of its own.
	pooled *[]byte
	off    int
	end    int
	err    error
	// trailers, when set, is the response whose trailers are masked when
	// the body is closed (the transport fills them in at the body's end).
	trailers *http.Response
}

const (
	maskMinRead = 4 << 10
	maskMaxRead = 32 << 10
)

// maskBuffers recycles the buffers of finished bodies.
var maskBuffers = sync.Pool{New: func() any { return new([]byte) }}

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
	if m.data == nil {
		m.pooled = maskBuffers.Get().(*[]byte)
		m.data = (*m.pooled)[:0]
	}
	held := copy(m.data[:cap(m.data)], m.data[m.end:])
	m.data = m.data[:held]
	m.off, m.end = 0, 0
	room := maskMinRead
	if c := cap(m.data) - held; c > room {
		room = c
	}
	m.data = slices.Grow(m.data, room)
	n, err := m.ReadCloser.Read(m.data[held:cap(m.data)])
	m.data = m.data[:held+n]
	m.err = err
	if free := cap(m.data) - held; n == free && free < maskMaxRead {
		// The read filled the buffer: the next may bring more.
		m.data = slices.Grow(m.data, free)
	}
	for i := bytes.Index(m.data, m.key); i >= 0; i = bytes.Index(m.data, m.key) {
		for j := i; j < i+len(m.key); j++ {
			m.data[j] = '*'
		}
	}
	keep := 0
	if err == nil {
		keep = partialSuffix(m.data, m.key)
	} else if err != io.EOF {
		// A body cut short never shows the start of the key it was cut
		// in.
		for j := len(m.data) - partialSuffix(m.data, m.key); j < len(m.data); j++ {
			m.data[j] = '*'
		}
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

// Close closes the upstream body, masks the trailers and recycles the
// buffer.
func (m *maskingBody) Close() error {
	err := m.ReadCloser.Close()
	if m.trailers != nil {
		maskHeader(m.trailers.Trailer, string(m.key))
	}
	if m.data != nil {
		*m.pooled = m.data[:0]
		maskBuffers.Put(m.pooled)
		m.data, m.pooled, m.off, m.end = nil, nil, 0, 0
	}
	return err
}
