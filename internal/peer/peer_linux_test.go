package peer

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// A test binary started with PEER_TEST_DIAL set dials that address, says
// "ready" and holds the connection until its stdin closes: a descendant
// (or, under another root, a stranger) holding a socket.
func TestMain(m *testing.M) {
	if addr := os.Getenv("PEER_TEST_DIAL"); addr != "" {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			fmt.Println("dial:", err)
			os.Exit(1)
		}
		fmt.Println("ready", c.LocalAddr())
		_, _ = bufio.NewReader(os.Stdin).ReadString('\n')
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// listen returns a loopback listener whose accepted connections arrive on
// the channel.
func listen(t testing.TB, network, addr string) (net.Listener, chan net.Conn) {
	ln, err := net.Listen(network, addr)
	if err != nil {
		t.Skipf("cannot listen on %s: %v", addr, err)
	}
	t.Cleanup(func() { ln.Close() })
	conns := make(chan net.Conn, 16)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conns <- c
		}
	}()
	return ln, conns
}

// dialFromChild starts a child that connects to addr and holds the
// connection; it returns the child and the server end.
func dialFromChild(t testing.TB, addr string, conns chan net.Conn) (*exec.Cmd, net.Conn) {
	t.Helper()
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), "PEER_TEST_DIAL="+addr)
	stdin, _ := cmd.StdinPipe()
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stdin.Close(); _ = cmd.Wait() })
	line, _ := bufio.NewReader(out).ReadString('\n')
	if !strings.HasPrefix(line, "ready") {
		t.Fatalf("child: %q", line)
	}
	return cmd, <-conns
}

func TestCheck(t *testing.T) {
	for _, tc := range []struct{ network, addr string }{{"tcp4", "127.0.0.1:0"}, {"tcp6", "[::1]:0"}} {
		t.Run(tc.network, func(t *testing.T) {
			ln, conns := listen(t, tc.network, tc.addr)
			// The tree's root itself.
			c, err := net.Dial("tcp", ln.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			self := <-conns
			if v := NewTree(os.Getpid()).Check(self.LocalAddr(), self.RemoteAddr()); v != InTree {
				t.Errorf("connection from the root: %v", v)
			}
			// A descendant.
			child, fromChild := dialFromChild(t, ln.Addr().String(), conns)
			if v := NewTree(os.Getpid()).Check(fromChild.LocalAddr(), fromChild.RemoteAddr()); v != InTree {
				t.Errorf("connection from a child: %v", v)
			}
			// The same connections seen from a tree they are outside of:
			// rooted at the child, the parent's connection is a stranger's;
			// rooted at a process without sockets, both are.
			if v := NewTree(child.Process.Pid).Check(self.LocalAddr(), self.RemoteAddr()); v != Outside {
				t.Errorf("the parent's connection, tree rooted at the child: %v", v)
			}
			if v := NewTree(child.Process.Pid).Check(fromChild.LocalAddr(), fromChild.RemoteAddr()); v != InTree {
				t.Errorf("the child's connection, tree rooted at the child: %v", v)
			}
			// No socket has this address.
			gone := &net.TCPAddr{IP: self.RemoteAddr().(*net.TCPAddr).IP, Port: 1}
			if v := NewTree(os.Getpid()).Check(self.LocalAddr(), gone); v != Outside {
				t.Errorf("an address no socket has: %v", v)
			}
		})
	}
}

func TestCheckWithoutProc(t *testing.T) {
	ln, conns := listen(t, "tcp4", "127.0.0.1:0")
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	s := <-conns
	tree := &Tree{root: os.Getpid(), proc: t.TempDir()}
	if v := tree.Check(s.LocalAddr(), s.RemoteAddr()); v != Unknown {
		t.Errorf("without /proc: %v, want unknown (the token alone decides)", v)
	}
	if v := NewTree(os.Getpid()).Check(&net.UnixAddr{}, &net.UnixAddr{}); v != Unknown {
		t.Errorf("not TCP: %v", v)
	}
}

// TestDiagMatchesTCPTable: the kernel's sock_diag answer is the socket
// /proc/net/tcp lists for the same addresses.
func TestDiagMatchesTCPTable(t *testing.T) {
	ln, conns := listen(t, "tcp4", "127.0.0.1:0")
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	s := <-conns
	local, remote := s.LocalAddr().(*net.TCPAddr), s.RemoteAddr().(*net.TCPAddr)
	viaDiag, err := diagInode(remote, local)
	if err != nil {
		t.Skipf("sock_diag not available here: %v", err)
	}
	viaTable, err := (&Tree{root: os.Getpid(), proc: "/proc/self/.."}).socketInode(local, remote)
	if err != nil || viaDiag == "" || viaDiag != viaTable {
		t.Errorf("sock_diag inode %q, /proc/net/tcp inode %q (%v)", viaDiag, viaTable, err)
	}
}

// BenchmarkCheck is the cost of one lookup, paid once per new connection
// to the gateway and never per request: a connection from agentwrap
// itself, from a child (the agent), and from outside the tree (a full scan
// of the process table).
func BenchmarkCheck(b *testing.B) {
	ln, conns := listen(b, "tcp4", "127.0.0.1:0")
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	self := <-conns
	child, fromChild := dialFromChild(b, ln.Addr().String(), conns)
	for _, bc := range []struct {
		name string
		tree *Tree
		conn net.Conn
		want Verdict
	}{
		{"root", NewTree(os.Getpid()), self, InTree},
		{"child", NewTree(os.Getpid()), fromChild, InTree},
		{"outside", NewTree(child.Process.Pid), self, Outside},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if v := bc.tree.Check(bc.conn.LocalAddr(), bc.conn.RemoteAddr()); v != bc.want {
					b.Fatalf("%v, want %v", v, bc.want)
				}
			}
		})
	}
}
