//go:build unix

package main

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// call makes a streamed chat completions call to base (a base URL ending
// in /v1), or to path on base's host when path is set, as an agent would,
// prints "pid N" and then "streaming" once the
// first event arrived, and reads the rest slowly.
func call(base, path, token string) error {
	body := `{"model":"gpt-testchild","stream":true,"messages":[{"role":"user","content":"hi"}]}`
	target := strings.TrimRight(base, "/") + "/chat/completions"
	if path != "" {
		u, err := url.Parse(base)
		if err != nil {
			return err
		}
		u.Path = path
		target = u.String()
	}
	req, err := http.NewRequest(http.MethodPost, target, strings.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("status %d", resp.StatusCode)
	}
	rd := bufio.NewReader(resp.Body)
	first := true
	for {
		line, err := rd.ReadString('\n')
		if err != nil {
			return nil
		}
		if first && strings.HasPrefix(line, "data: ") {
			first = false
			fmt.Printf("pid %d\nstreaming\n", os.Getpid())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// flood sends n POST requests without a credential to url, 32 at a time,
// and returns how many got an answer.
func flood(url string, n int) (int, error) {
	var answered atomic.Int64
	var firstErr atomic.Value
	work := make(chan struct{})
	var wg sync.WaitGroup
	for range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range work {
				resp, err := http.Post(url, "application/json", strings.NewReader(`{"model":"m","messages":[]}`))
				if err != nil {
					firstErr.CompareAndSwap(nil, err)
					continue
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				answered.Add(1)
			}
		}()
	}
	for range n {
		work <- struct{}{}
	}
	close(work)
	wg.Wait()
	if err, _ := firstErr.Load().(error); err != nil {
		return int(answered.Load()), err
	}
	return int(answered.Load()), nil
}
