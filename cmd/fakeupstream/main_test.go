package main

import (
	"bufio"
	"bytes"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
)

func TestRunServesUntilStopped(t *testing.T) {
	const key = "sk-canary-fakeupstream-1"
	getenv := func(name string) string {
		if name == "UPSTREAM_KEY" {
			return key
		}
		return ""
	}
	pr, pw := io.Pipe()
	var stderr bytes.Buffer
	stop := make(chan os.Signal)
	done := make(chan error, 1)
	go func() {
		done <- run([]string{"-key-env", "UPSTREAM_KEY", "-deltas", "3", "-v"}, pw, &stderr, getenv, stop)
		pw.Close()
	}()
	url, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil || !strings.HasPrefix(url, "http://127.0.0.1:") {
		t.Fatalf("first line %q: %v", url, err)
	}
	req, _ := http.NewRequest(http.MethodPost, strings.TrimSpace(url)+"/v1/messages", strings.NewReader(`{"model":"m","max_tokens":8,"stream":true}`))
	req.Header.Set("X-Api-Key", key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || bytes.Count(body, []byte("text_delta")) != 3 {
		t.Errorf("status %d, body:\n%s", resp.StatusCode, body)
	}
	close(stop)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if log := stderr.String(); !strings.Contains(log, "POST /v1/messages") || strings.Contains(log, key) {
		t.Errorf("log %q", log)
	}
}

func TestParseFlagsRejectsEmptyKeyEnv(t *testing.T) {
	if _, err := parseFlags([]string{"-key-env", "NOPE"}, io.Discard, func(string) string { return "" }); err == nil {
		t.Error("empty key variable accepted")
	}
	if _, err := parseFlags([]string{"-bogus"}, io.Discard, os.Getenv); err == nil {
		t.Error("unknown flag accepted")
	}
}
