package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestCheckLoopback(t *testing.T) {
	for endpoint, ok := range map[string]bool{
		"http://127.0.0.1:4566": true,
		"http://127.0.0.2:80/":  true,
		"http://[::1]:4566":     true,
		"https://127.0.0.1":     true,
		"http://localhost:4566": true, // as long as it resolves to loopback only
		"http://10.0.0.1:4566":  false,
		"http://0.0.0.0:4566":   false,
		"http://example.com":    false,
		"https://bedrock-agentcore-control.us-east-1.amazonaws.com": false,
		"ftp://127.0.0.1": false,
		"127.0.0.1:4566":  false,
		"http://:4566":    false,
	} {
		err := checkLoopback(endpoint)
		if strings.HasPrefix(endpoint, "http://localhost") && err != nil && strings.Contains(err.Error(), "cannot resolve") {
			continue // no resolver here: nothing to check
		}
		if (err == nil) != ok {
			t.Errorf("checkLoopback(%q) = %v, want ok=%v", endpoint, err, ok)
		}
	}
}

func TestReadProcOfItself(t *testing.T) {
	busy := time.Now().Add(50 * time.Millisecond)
	for time.Now().Before(busy) {
	}
	p, err := readProc(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if p.cpuSeconds <= 0 || p.rssMiB <= 0 || p.hwmMiB < p.rssMiB {
		t.Errorf("readProc(self) = %+v: want CPU > 0 and 0 < RSS <= peak", p)
	}
	if _, err := readProc(-1); err != nil {
		t.Errorf("pid -1 must read nothing, got %v", err)
	}
}

func TestReport(t *testing.T) {
	results := []Result{
		{Server: "agentcored", Workload: "get-runtime", Label: "compare", Concurrency: 8, Ops: 300, OpsPerSec: 100, Pool: 10},
		{Server: "ceiling", Workload: "get-runtime", Label: "compare", Concurrency: 8, Ops: 400, OpsPerSec: 400, Pool: 10},
		{Server: "moto", Workload: "get-runtime", Label: "compare", Concurrency: 8, Ops: 10, OpsPerSec: 50, Errors: map[string]int64{"InternalFailure": 2}},
		{Server: "agentcored", Workload: "list-runtimes", Label: "compare", Concurrency: 1, Ops: 10, OpsPerSec: 10, ItemsPerSec: 1000},
		{Server: "ceiling", Workload: "list-runtimes", Label: "compare", Concurrency: 1, Ops: 10, OpsPerSec: 20, ItemsPerSec: 4000},
		{Server: "agentcored", Workload: "startup", Label: "100000 runtimes", Ops: 1, StartupMs: 64},
		{Server: "agentcored", Workload: "durability", Label: "10000 runtimes", Ops: 5, Errors: map[string]int64{"missing": 1}},
	}
	var in bytes.Buffer
	for _, r := range results {
		json.NewEncoder(&in).Encode(r)
	}
	path := filepath.Join(t.TempDir(), "results.jsonl")
	if err := os.WriteFile(path, in.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := renderReport(&out, path); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	for _, want := range []string{
		"| get-runtime | 8 | 100 | 400 | n/a | 0.25 | n/a |", // moto had errors: no ratio
		"| list-runtimes | 1 | 1000 | 4000 | n/a | 0.25 |",   // runtimes listed/s, not pages/s
		"moto: InternalFailure=2",
		"start-up to first served request: 64 ms",
		"5 checked, 1 MISSING",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("report lacks %q:\n%s", want, got)
		}
	}
}
