package otlptest

import (
	"fmt"
	"net"
	"sync"
)

// The receiver's modes answer requests badly; these are collectors that
// never answer at all.

// RefusedURL returns the URL of a loopback port nothing listens on: a
// collector that refuses connections.
func RefusedURL() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("cannot find a closed port: %w", err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	return "http://" + addr, nil
}

// Blackhole accepts connections and never reads from or answers them: a
// collector that hangs before it reads a request (ModeHang reads it
// first).
type Blackhole struct {
	ln    net.Listener
	mu    sync.Mutex
	conns []net.Conn
}

// StartBlackhole starts a Blackhole on loopback; Close stops it.
func StartBlackhole() (*Blackhole, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("cannot start the blackhole collector: %w", err)
	}
	b := &Blackhole{ln: ln}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			b.mu.Lock()
			b.conns = append(b.conns, c)
			b.mu.Unlock()
		}
	}()
	return b, nil
}

// URL returns the blackhole's base URL, http://127.0.0.1:PORT.
func (b *Blackhole) URL() string { return "http://" + b.ln.Addr().String() }

// Close stops accepting and closes every connection it holds.
func (b *Blackhole) Close() {
	_ = b.ln.Close()
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, c := range b.conns {
		_ = c.Close()
	}
}
