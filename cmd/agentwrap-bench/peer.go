//go:build unix

package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/agentwrap/agentwrap/internal/e2e"
)

// peer is target D: claude-code-router (npm @musistudio/claude-code-router,
// pinned in internal/e2e), a local proxy many Claude Code users run, in a
// process of its own. It is configured as such a user would for an
// Anthropic-compatible provider: one provider at the bench upstream's
// /v1/messages with its Anthropic transformer (the request passes through
// in the Messages shape), logging off, listening on loopback only.
type peer struct {
	cmd  *exec.Cmd
	home string
	url  string
}

// peerKey is the provider key claude-code-router sends upstream.
const peerKey = "sk-bench-peer-key-00000000000000000"

// errNoNode is why D cannot run on a machine without Node.js.
var errNoNode = errors.New("node not found: target D (claude-code-router) needs Node.js")

// startPeer installs claude-code-router (once per version, cached) and
// starts it with a configuration of its own pointing at upstream.
func startPeer(upstream string) (*peer, error) {
	if _, err := exec.LookPath("node"); err != nil {
		return nil, errNoNode
	}
	bin, err := e2e.Install("ccr")
	if err != nil {
		return nil, fmt.Errorf("cannot install claude-code-router: %w", err)
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	home, err := os.MkdirTemp("", "agentwrap-bench-ccr-")
	if err != nil {
		return nil, fmt.Errorf("cannot create claude-code-router's home: %w", err)
	}
	p := &peer{home: home, url: "http://127.0.0.1:" + strconv.Itoa(port)}
	if err := writePeerConfig(home, upstream, port); err != nil {
		p.close()
		return nil, err
	}
	p.cmd = exec.Command(bin, "start")
	p.cmd.Dir = home
	p.cmd.Env = []string{"HOME=" + home, "PATH=" + os.Getenv("PATH"), "NO_COLOR=1"}
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := p.cmd.Start(); err != nil {
		p.close()
		return nil, fmt.Errorf("cannot start claude-code-router: %w", err)
	}
	if err := waitListening(port, 90*time.Second); err != nil {
		p.close()
		return nil, fmt.Errorf("claude-code-router did not start: %w", err)
	}
	return p, nil
}

func writePeerConfig(home, upstream string, port int) error {
	cfg := map[string]any{
		"LOG":       false,
		"HOST":      "127.0.0.1",
		"PORT":      port,
		"PROXY_URL": "",
		"Providers": []map[string]any{{
			"name": "bench", "api_base_url": upstream + "/v1/messages", "api_key": peerKey,
			"models": []string{benchClaudeModel}, "transformer": map[string]any{"use": []string{"Anthropic"}},
		}},
		"Router": map[string]any{"default": "bench," + benchClaudeModel},
	}
	b, err := json.MarshalIndent(cfg, "", "  ")
	if err != nil {
		return err
	}
	dir := filepath.Join(home, ".claude-code-router")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("cannot write claude-code-router's configuration: %w", err)
	}
	return os.WriteFile(filepath.Join(dir, "config.json"), b, 0o600)
}

// freePort is a loopback port nothing listens on now.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("cannot find a free port: %w", err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

func waitListening(port int, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	addr := "127.0.0.1:" + strconv.Itoa(port)
	for time.Now().Before(deadline) {
		if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			c.Close()
			return nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("nothing listens on %s after %s", addr, limit)
}

// cpuTime is the CPU time used so far by every process in the peer's
// process group (claude-code-router and anything it started).
func (p *peer) cpuTime() time.Duration {
	if p == nil || p.cmd == nil || p.cmd.Process == nil {
		return 0
	}
	return groupCPU(p.cmd.Process.Pid)
}

// groupCPU sums utime and stime of the processes in process group pgid,
// from /proc (Linux); 0 where /proc is not there.
func groupCPU(pgid int) time.Duration {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return 0
	}
	var ticks int64
	for _, e := range entries {
		if _, err := strconv.Atoi(e.Name()); err != nil {
			continue
		}
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		// Fields after the command name, which is in parentheses and
		// may hold spaces: state ppid pgrp ... utime(14) stime(15).
		i := strings.LastIndexByte(string(b), ')')
		if i < 0 {
			continue
		}
		f := strings.Fields(string(b[i+1:]))
		if len(f) < 13 || f[2] != strconv.Itoa(pgid) {
			continue
		}
		ut, _ := strconv.ParseInt(f[11], 10, 64)
		st, _ := strconv.ParseInt(f[12], 10, 64)
		ticks += ut + st
	}
	// USER_HZ is 100 on Linux.
	return time.Duration(ticks) * 10 * time.Millisecond
}

func (p *peer) close() {
	if p.cmd != nil && p.cmd.Process != nil {
		_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = p.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
			<-done
		}
	}
	_ = os.RemoveAll(p.home)
}
