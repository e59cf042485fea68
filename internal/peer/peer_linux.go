package peer

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"strconv"
)

// check finds the client socket's inode (asking the kernel through
// sock_diag, else in /proc/net/tcp and tcp6), then
// looks for a process of the tree holding it among the descendants' file
// descriptors.
func (t *Tree) check(local, remote *net.TCPAddr) Verdict {
	inode, err := t.socketInode(local, remote)
	switch {
	case err != nil:
		return Unknown
	case inode == "":
		return Outside
	}
	target := "socket:[" + inode + "]"
	unreadable := false
	scanned := map[int]bool{}
	// Most connections come from a process found before: look among the
	// members of the last full scan first, and prove membership by the
	// holder's chain of parents, read now (a pid may have been reused).
	for _, pid := range t.cachedMembers() {
		scanned[pid] = true
		held, err := t.holds(pid, target)
		if held && t.descends(pid) {
			return InTree
		}
		unreadable = unreadable || errors.Is(err, fs.ErrPermission)
	}
	pids, err := t.members()
	if err != nil {
		return Unknown
	}
	t.mu.Lock()
	t.cache = pids
	t.mu.Unlock()
	for _, pid := range pids {
		if scanned[pid] {
			continue
		}
		held, err := t.holds(pid, target)
		if held {
			return InTree
		}
		unreadable = unreadable || errors.Is(err, fs.ErrPermission)
	}
	if unreadable {
		// A process of the tree hides its descriptors (it made itself
		// non-dumpable or changed user): it may hold the socket.
		return Unknown
	}
	return Outside
}

// cachedMembers returns the members found by the last full scan, or the
// root alone.
func (t *Tree) cachedMembers() []int {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.cache == nil {
		return []int{t.root}
	}
	return t.cache
}

// descends reports whether pid is the root or, following its parents, one
// of its descendants.
func (t *Tree) descends(pid int) bool {
	buf := make([]byte, 512)
	for range 64 {
		if pid == t.root {
			return true
		}
		ppid, ok := t.parent(strconv.Itoa(pid), buf)
		if !ok || ppid <= 1 {
			return false
		}
		pid = ppid
	}
	return false
}

// socketInode returns the inode of the socket whose local end is remote
// and whose remote end is local, "" when there is none, or an error when
// the tables cannot be read.
func (t *Tree) socketInode(local, remote *net.TCPAddr) (string, error) {
	if t.proc == "/proc" {
		if inode, err := diagInode(remote, local); err == nil {
			return inode, nil
		}
	}
	read := 0
	var firstErr error
	for _, table := range []string{"tcp", "tcp6"} {
		b, err := os.ReadFile(t.proc + "/net/" + table)
		if err != nil {
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		read++
		for _, pattern := range linePatterns(table == "tcp6", local, remote) {
			if inode := inodeOf(b, pattern); inode != "" {
				return inode, nil
			}
		}
	}
	if read == 0 {
		return "", fmt.Errorf("cannot read the TCP tables: %w", firstErr)
	}
	return "", nil
}

// linePatterns are the "local remote" address columns, as /proc/net/tcp
// writes them, of the client's socket: its local end is remote, its remote
// end is local. An IPv4 connection shows in tcp6 with v4-mapped addresses
// when the client's socket is IPv6.
func linePatterns(v6 bool, local, remote *net.TCPAddr) [][]byte {
	var out [][]byte
	l4, r4 := local.IP.To4(), remote.IP.To4()
	switch {
	case !v6 && l4 != nil && r4 != nil:
		out = append(out, []byte(" "+hexAddr(r4, remote.Port)+" "+hexAddr(l4, local.Port)+" "))
	case v6:
		out = append(out, []byte(" "+hexAddr(remote.IP.To16(), remote.Port)+" "+hexAddr(local.IP.To16(), local.Port)+" "))
	}
	return out
}

// hexAddr formats an address as the kernel does: each 32-bit word of the
// IP in host byte order, then the port, all in upper-case hex.
func hexAddr(ip net.IP, port int) string {
	var b []byte
	for i := 0; i+4 <= len(ip); i += 4 {
		b = fmt.Appendf(b, "%08X", binary.NativeEndian.Uint32(ip[i:i+4]))
	}
	return fmt.Sprintf("%s:%04X", b, port)
}

// inodeOf returns the inode column of the line holding pattern, or "".
func inodeOf(table, pattern []byte) string {
	i := bytes.Index(table, pattern)
	if i < 0 {
		return ""
	}
	line := table[i:]
	if j := bytes.IndexByte(line, '\n'); j >= 0 {
		line = line[:j]
	}
	// Columns after the addresses: st tx:rx tr:when retrnsmt uid timeout
	// inode.
	f := bytes.Fields(line)
	if len(f) < 9 || string(f[8]) == "0" {
		return ""
	}
	return string(f[8])
}

// members returns the root and its descendants, the root first, read from
// the parent pid of every process.
func (t *Tree) members() ([]int, error) {
	d, err := os.Open(t.proc)
	if err != nil {
		return nil, err
	}
	names, err := d.Readdirnames(-1)
	d.Close()
	if err != nil {
		return nil, err
	}
	children := map[int][]int{}
	buf := make([]byte, 512)
	for _, name := range names {
		pid, err := strconv.Atoi(name)
		if err != nil {
			continue
		}
		if ppid, ok := t.parent(name, buf); ok {
			children[ppid] = append(children[ppid], pid)
		}
	}
	out := []int{t.root}
	for i := 0; i < len(out); i++ {
		out = append(out, children[out[i]]...)
	}
	return out, nil
}

// parent reads the parent pid from /proc/<pid>/stat: the fourth field,
// after the command name in parentheses (which may hold spaces).
func (t *Tree) parent(pid string, buf []byte) (int, bool) {
	f, err := os.Open(t.proc + "/" + pid + "/stat")
	if err != nil {
		return 0, false
	}
	n, _ := f.Read(buf)
	f.Close()
	b := buf[:n]
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, false
	}
	f2 := bytes.Fields(b[i+1:])
	if len(f2) < 2 {
		return 0, false
	}
	ppid, err := strconv.Atoi(string(f2[1]))
	return ppid, err == nil
}

// holds reports whether pid has a descriptor open on target.
func (t *Tree) holds(pid int, target string) (bool, error) {
	dir := t.proc + "/" + strconv.Itoa(pid) + "/fd"
	d, err := os.Open(dir)
	if err != nil {
		return false, err
	}
	names, err := d.Readdirnames(-1)
	d.Close()
	if err != nil {
		return false, err
	}
	for _, n := range names {
		if link, err := os.Readlink(dir + "/" + n); err == nil && link == target {
			return true, nil
		}
	}
	return false, nil
}
