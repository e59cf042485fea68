// Package peer finds which process holds the other end of a loopback TCP
// connection, so that the gateway can refuse a run token presented by a
// process outside the wrapped agent's process tree (README "Security").
package peer

import (
	"net"
	"sync"
)

// Verdict is what a lookup found about a connection's peer.
type Verdict int

const (
	// Unknown means the lookup was not possible (no /proc, another OS):
	// the run token alone decides.
	Unknown Verdict = iota
	// InTree means the peer socket belongs to the tree's root or one of
	// its descendants.
	InTree
	// Outside means the peer socket belongs to no process of the tree.
	Outside
)

func (v Verdict) String() string {
	switch v {
	case InTree:
		return "in tree"
	case Outside:
		return "outside"
	}
	return "unknown"
}

// Tree is the process tree rooted at one process: agentwrap itself, whose
// descendants are the wrapped agent and everything it starts.
type Tree struct {
	root int
	proc string

	mu sync.Mutex
	// cache holds the members found by the last full scan.
	cache []int
}

// NewTree returns the tree rooted at pid.
func NewTree(pid int) *Tree { return &Tree{root: pid, proc: "/proc"} }

// Check looks up the process holding the client end of the TCP connection
// whose server end is local and whose client end is remote (the gateway's
// view of an accepted connection), and reports whether it is in the tree.
func (t *Tree) Check(local, remote net.Addr) Verdict {
	l, ok1 := local.(*net.TCPAddr)
	r, ok2 := remote.(*net.TCPAddr)
	if !ok1 || !ok2 {
		return Unknown
	}
	return t.check(l, r)
}
