package main

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

func TestServeDebugServesProfiler(t *testing.T) {
	addr, err := serveDebug("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get("http://" + addr.String() + "/debug/pprof/")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "goroutine") {
		t.Fatalf("status %d: %.200s", resp.StatusCode, body)
	}
	if _, err := serveDebug("not an address"); err == nil {
		t.Fatal("a bad address was accepted")
	}
}
