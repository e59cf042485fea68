//go:build linux

// Command snoopagent is a stand-in for a hostile agent in agentwrap's key
// isolation tests. Run as the wrapped agent (-attack), it tries to take the
// real key from the process that started it: it reads /proc/$PPID/environ,
// scans /proc/$PPID/mem for strings starting with -prefix, and attaches to
// it with PTRACE_ATTACH; then it reads every variable of its own
// environment. It prints one line per attempt with what it found, so the
// test can check that the key appears nowhere.
//
// With -hold it is the control target instead: it keeps $SNOOP_SECRET in
// its memory, starts "snoopagent -attack" as its child and waits for it, so
// that a test can prove the attacks work against an unprotected parent.
//
// With -linger it prints its pid, waits until its standard input closes
// (while a test steals its run token from outside), then makes one model
// call through the gateway with its token and prints the status.
//
// With -echo it asks the gateway for replies that echo the credential it
// presents (OPENAI_API_KEY): a chat completion, a chat stream and a 401,
// and prints whether each reply held it (never the credential).
//
// With -steal PID it is that thief, a process outside the wrapped agent's
// tree: it reads the agent's /proc/PID/environ, takes the run token and the
// gateway's address, calls the gateway with them and prints the status
// (never the token).
package main

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

func main() {
	attack := flag.Bool("attack", false, "attack the parent process")
	hold := flag.Bool("hold", false, "hold $SNOOP_SECRET and run an attacking child")
	linger := flag.Bool("linger", false, "print the pid, wait for stdin to close, then call the gateway")
	echo := flag.Bool("echo", false, "ask for replies that echo the presented credential")
	steal := flag.Int("steal", 0, "take the run token of process `PID` and call its gateway")
	prefix := flag.String("prefix", "sk-canary-", "what the memory scan looks for")
	flag.Parse()
	switch {
	case *hold:
		os.Exit(holdSecret(*prefix))
	case *attack:
		attackParent(os.Getppid(), *prefix)
	}
	if *linger {
		fmt.Printf("pid %d\n", os.Getpid())
		_, _ = io.Copy(io.Discard, os.Stdin)
		fmt.Println("linger:", callGateway(os.Getenv("OPENAI_BASE_URL"), os.Getenv("OPENAI_API_KEY")))
	}
	if *echo {
		cred := os.Getenv("OPENAI_API_KEY")
		for _, c := range []struct{ scenario, body string }{
			{"echo-secret", `{"model":"gpt-5-mini","messages":[{"role":"user","content":"hi"}]}`},
			{"echo-secret", `{"model":"gpt-5-mini","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"hi"}]}`},
			{"unauthorized", `{"model":"gpt-5-mini","messages":[]}`},
		} {
			req, _ := http.NewRequest(http.MethodPost, os.Getenv("OPENAI_BASE_URL")+"/chat/completions", strings.NewReader(c.body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+cred)
			req.Header.Set("X-Upstream-Scenario", c.scenario)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				fmt.Println("echo: call failed")
				os.Exit(3)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			fmt.Printf("echo: %s status %d, reply holds the presented credential: %t\n", c.scenario, resp.StatusCode, bytes.Contains(b, []byte(cred)))
		}
	}
	if *steal > 0 {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/environ", *steal))
		if err != nil {
			fmt.Println("steal: cannot read the environment:", errors.Unwrap(err))
			os.Exit(1)
		}
		env := map[string]string{}
		for _, kv := range bytes.Split(b, []byte{0}) {
			if k, v, ok := strings.Cut(string(kv), "="); ok {
				env[k] = v
			}
		}
		token := env["OPENAI_API_KEY"]
		fmt.Printf("steal: took a token of %d characters ending in %q\n", len(token), token[max(0, len(token)-20):])
		fmt.Println("steal:", callGateway(env["OPENAI_BASE_URL"], token))
	}
}

// callGateway makes one chat completions call and describes the reply by
// its status and the gateway's error code.
func callGateway(base, token string) string {
	req, err := http.NewRequest(http.MethodPost, base+"/chat/completions",
		strings.NewReader(`{"model":"gpt-5-mini","messages":[{"role":"user","content":"hi"}]}`))
	if err != nil {
		return "bad request: " + err.Error()
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	client := &http.Client{Timeout: 30 * time.Second}
	resp, err := client.Do(req)
	if err != nil {
		return "call failed"
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return fmt.Sprintf("status %d %s", resp.StatusCode, resp.Header.Get("X-Agentwrap-Error"))
}

// secret keeps the held secret reachable so it stays in memory.
var secret []byte

func holdSecret(prefix string) int {
	secret = []byte(os.Getenv("SNOOP_SECRET"))
	cmd := exec.Command(os.Args[0], "-attack", "-prefix", prefix)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	err := cmd.Run()
	runtime.KeepAlive(secret)
	if err != nil {
		fmt.Println("hold: child failed:", err)
		return 1
	}
	return 0
}

func attackParent(ppid int, prefix string) {
	fmt.Printf("target pid %d\n", ppid)
	// /proc/$PPID/environ.
	if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/environ", ppid)); err != nil {
		fmt.Printf("environ: denied: %v\n", errors.Unwrap(err))
	} else {
		fmt.Printf("environ: read %d bytes\n", len(b))
		for _, kv := range bytes.Split(b, []byte{0}) {
			if len(kv) > 0 {
				fmt.Printf("environ: %s\n", kv)
			}
		}
	}
	// /proc/$PPID/mem, every readable mapping.
	found, regions, err := scanMemory(ppid, []byte(prefix))
	if err != nil {
		fmt.Printf("mem: denied: %v\n", err)
	} else {
		fmt.Printf("mem: read %d regions\n", regions)
		for _, s := range found {
			fmt.Printf("mem: found %s\n", s)
		}
	}
	// PTRACE_ATTACH.
	fmt.Println(ptraceAttach(ppid))
	// Every variable of its own environment.
	for _, kv := range os.Environ() {
		fmt.Printf("env: %s\n", kv)
	}
}

// scanMemory reads every readable mapping of pid through /proc/pid/mem and
// returns the distinct token strings that start with prefix.
func scanMemory(pid int, prefix []byte) ([]string, int, error) {
	maps, err := os.Open(fmt.Sprintf("/proc/%d/maps", pid))
	if err != nil {
		return nil, 0, errors.Unwrap(err)
	}
	defer maps.Close()
	mem, err := os.Open(fmt.Sprintf("/proc/%d/mem", pid))
	if err != nil {
		return nil, 0, errors.Unwrap(err)
	}
	defer mem.Close()
	seen := map[string]bool{}
	var found []string
	regions := 0
	sc := bufio.NewScanner(maps)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 2 || f[1][0] != 'r' || (len(f) >= 6 && strings.HasPrefix(f[5], "[v")) {
			continue
		}
		lo, hi, ok := strings.Cut(f[0], "-")
		if !ok {
			continue
		}
		start, err1 := strconv.ParseUint(lo, 16, 64)
		end, err2 := strconv.ParseUint(hi, 16, 64)
		if err1 != nil || err2 != nil || end-start > 1<<30 {
			continue
		}
		buf := make([]byte, end-start)
		n, err := mem.ReadAt(buf, int64(start))
		if n == 0 && err != nil {
			if regions == 0 && !errors.Is(err, unix.EIO) {
				return nil, 0, errors.Unwrap(err)
			}
			continue
		}
		regions++
		buf = buf[:n]
		for i := bytes.Index(buf, prefix); i >= 0; {
			j := i + len(prefix)
			for j < len(buf) && j-i < 128 && isTokenByte(buf[j]) {
				j++
			}
			if s := string(buf[i:j]); !seen[s] {
				seen[s] = true
				found = append(found, s)
			}
			next := bytes.Index(buf[j:], prefix)
			if next < 0 {
				break
			}
			i = j + next
		}
	}
	if regions == 0 {
		return nil, 0, errors.New("no mapping readable")
	}
	return found, regions, nil
}

func isTokenByte(c byte) bool {
	return c == '-' || c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// ptraceAttach attaches to pid and detaches again.
func ptraceAttach(pid int) string {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if err := unix.PtraceAttach(pid); err != nil {
		return fmt.Sprintf("ptrace: denied: %v", err)
	}
	var ws unix.WaitStatus
	_, _ = unix.Wait4(pid, &ws, unix.WALL, nil)
	_ = unix.PtraceDetach(pid)
	return "ptrace: attached"
}
