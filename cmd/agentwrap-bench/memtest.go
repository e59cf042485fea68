package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"sync"
	"time"
)

// Environment variables that make the program a memory-check child.
const (
	memEnv      = "AGENTWRAP_BENCH_MEMCHECK"
	memQuickEnv = "AGENTWRAP_BENCH_MEMCHECK_QUICK"
	// memBufferEnv puts a proxy that holds whole bodies in memory in
	// front of the gateway: the tests use it to prove that the checks
	// fail for a gateway that buffers.
	memBufferEnv = "AGENTWRAP_BENCH_MEMCHECK_BUFFERING"
)

// memResult is one memory check, measured by a child process on itself:
// upstream, gateway with its telemetry, and client all live in it, so its
// peak RSS bounds the gateway's.
type memResult struct {
	Name    string `json:"name"`
	PeakKB  int64  `json:"peak_rss_kb"`
	BaseKB  int64  `json:"rss_before_kb"`
	LimitMB int    `json:"limit_mb"`
	Pass    bool   `json:"pass"`
	Detail  string `json:"detail"`
	Error   string `json:"error,omitempty"`
}

// memCheck is one scenario: its limit and how to run it, full or quick.
type memCheck struct {
	name    string
	limitMB int
	run     func(base string, quick bool) (calls int, detail string, err error)
}

var memChecks = []memCheck{
	{"request-64MB", 64, bigRequest},
	{"reply-256MB-streamed", 64, bigReply},
	{"streams-256", 100, manyStreams},
}

// runMemoryChecks runs each check in a child process of this program.
func runMemoryChecks(quick bool, stderr io.Writer) []memResult {
	var out []memResult
	for _, c := range memChecks {
		fmt.Fprintf(stderr, "memory check %s\n", c.name)
		out = append(out, runMemChild(c.name, quick, false))
	}
	return out
}

// runMemChild runs one check in a child process; buffering puts a proxy
// that holds whole bodies in memory in front of the gateway.
func runMemChild(name string, quick, buffering bool) memResult {
	exe, err := os.Executable()
	if err != nil {
		return memResult{Name: name, Error: err.Error()}
	}
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), memEnv+"="+name, memQuickEnv+"="+fmt.Sprint(quick), memBufferEnv+"="+fmt.Sprint(buffering))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	b, err := cmd.Output()
	var r memResult
	if jerr := json.Unmarshal(b, &r); jerr != nil {
		return memResult{Name: name, Error: fmt.Sprintf("child failed: %v %s", err, strings.TrimSpace(stderr.String()))}
	}
	return r
}

// memChild runs the named check in this process and prints its result.
func memChild(name string, stdout io.Writer) int {
	r := memResult{Name: name}
	if err := memCheckHere(&r, os.Getenv(memQuickEnv) == "true"); err != nil {
		r.Error = err.Error()
	}
	_ = json.NewEncoder(stdout).Encode(r)
	return 0
}

func memCheckHere(r *memResult, quick bool) error {
	var check *memCheck
	for i := range memChecks {
		if memChecks[i].name == r.Name {
			check = &memChecks[i]
		}
	}
	if check == nil {
		return fmt.Errorf("unknown memory check %q", r.Name)
	}
	r.LimitMB = check.limitMB
	up, err := serve(upstream())
	if err != nil {
		return err
	}
	defer up.close()
	sk, err := startSink()
	if err != nil {
		return err
	}
	defer sk.Close()
	br, err := startRun(context.Background(), up.url, sk.URL())
	if err != nil {
		return err
	}
	base := br.gw.URL()
	if os.Getenv(memBufferEnv) == "true" {
		bp, err := serve(bufferingProxy(base))
		if err != nil {
			return err
		}
		defer bp.close()
		base = bp.url
	}
	runtime.GC()
	r.BaseKB = currentRSS()
	resetPeakRSS()
	calls, detail, err := check.run(base, quick)
	r.PeakKB = peakRSS()
	r.Detail = detail
	end := br.finish(5 * time.Second)
	if err != nil {
		return err
	}
	if end.FileSpans != calls+1 {
		return fmt.Errorf("run file holds %d spans, want %d", end.FileSpans, calls+1)
	}
	r.Pass = r.PeakKB > 0 && r.PeakKB < int64(r.LimitMB)<<10
	return nil
}

// bigRequest sends a 64 MiB request body, in the quick run too, generated
// as it is sent and never held in memory: a gateway that held it would be
// over the 64 MB limit.
func bigRequest(base string, _ bool) (int, string, error) {
	size := int64(64 << 20)
	head := `{"model":"gpt-bench","max_tokens":64,"messages":[{"role":"user","content":"`
	tail := `"}]}`
	pad := size - int64(len(head)+len(tail))
	body := io.MultiReader(strings.NewReader(head), io.LimitReader(repeatA{}, pad), strings.NewReader(tail))
	req, err := http.NewRequest(http.MethodPost, base+"/v1/chat/completions", body)
	if err != nil {
		return 0, "", err
	}
	req.ContentLength = size
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+benchToken)
	resp, err := newClient().Do(req)
	if err != nil {
		return 1, "", err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != http.StatusOK {
		return 1, "", fmt.Errorf("status %d", resp.StatusCode)
	}
	return 1, fmt.Sprintf("%d MiB request", size>>20), nil
}

// repeatA is an endless reader of 'a'.
type repeatA struct{}

func (repeatA) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'a'
	}
	return len(p), nil
}

// bigReply streams a 256 MiB SSE reply (96 MiB quick: still more than its
// 64 MB limit, so a gateway that held it fails the quick run too) of 4 KiB
// deltas.
func bigReply(base string, quick bool) (int, string, error) {
	size := 256 << 20
	if quick {
		size = 96 << 20
	}
	m := mode{Name: "huge", BodyKB: 1, Deltas: size / 4096, DeltaSize: 4096}
	r := doCall(newClient(), base, m, requestBody(1, true), time.Time{})
	if r.err != nil {
		return 1, "", r.err
	}
	return 1, fmt.Sprintf("%d MiB reply in %d deltas, %s", size>>20, m.Deltas, r.latency.Round(time.Millisecond)), nil
}

// manyStreams holds 256 streams (32 quick) of 64 deltas 20 ms apart open
// at once.
func manyStreams(base string, quick bool) (int, string, error) {
	n, m := 256, mode{Name: "streams", BodyKB: 1, Deltas: 64, Interval: 20 * time.Millisecond}
	if quick {
		n, m.Deltas = 32, 8
	}
	client := newClient()
	body := requestBody(1, true)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = doCall(client, base, m, body, time.Time{}).err
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return n, "", err
		}
	}
	return n, fmt.Sprintf("%d concurrent streams of %d deltas", n, m.Deltas), nil
}

// bufferingProxy forwards to base as a gateway that buffers would: it reads
// the whole request body into memory before sending it on, and the whole
// reply before answering. Only the tests use it, to prove that the memory
// checks fail for such a gateway.
func bufferingProxy(base string) http.Handler {
	client := newClient()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		req, err := http.NewRequestWithContext(r.Context(), r.Method, base+r.URL.RequestURI(), bytes.NewReader(body))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		req.Header = r.Header.Clone()
		resp, err := client.Do(req)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		reply, err := io.ReadAll(resp.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		for k, v := range resp.Header {
			w.Header()[k] = v
		}
		w.WriteHeader(resp.StatusCode)
		_, _ = w.Write(reply)
	})
}
