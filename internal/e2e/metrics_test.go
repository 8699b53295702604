package e2e

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	ctl "github.com/aws/aws-sdk-go-v2/service/bedrockagentcorecontrol"

	"agentcored/internal/model"
	"agentcored/internal/server"
	"agentcored/internal/testserver"
)

// admScrape returns GET /metrics as sample -> value, where a sample is the
// metric name with its labels as the text format writes them.
func admScrape(t *testing.T, base string) map[string]float64 {
	t.Helper()
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("/metrics: %d %s", resp.StatusCode, b)
	}
	samples := map[string]float64{}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			t.Fatalf("/metrics line %q: %v", line, err)
		}
		samples[line[:i]] = v
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return samples
}

// admSample finds the value of name with at least the given labels
// ("k=v" each); ok is false when no such sample exists.
func admSample(samples map[string]float64, name string, labels ...string) (float64, bool) {
	for s, v := range samples {
		if s != name && !strings.HasPrefix(s, name+"{") {
			continue
		}
		all := true
		for _, l := range labels {
			k, val, _ := strings.Cut(l, "=")
			all = all && strings.Contains(s, k+`="`+val+`"`)
		}
		if all {
			return v, true
		}
	}
	return 0, false
}

// TestMetricsAfterTraffic: after some requests, /metrics has the request
// counter and latency histogram by operation and code, the store latency
// histogram by method and the lifecycle series.
func TestMetricsAfterTraffic(t *testing.T) {
	srv := testserver.Start(t, func(c *server.Config) { c.Lifecycle = "manual" })
	c := srv.Client(t)
	ctx := context.Background()
	rtCreate(t, c, "metrics_one")
	rtCreate(t, c, "metrics_two")
	if _, err := c.GetAgentRuntime(ctx, &ctl.GetAgentRuntimeInput{AgentRuntimeId: aws.String("nosuch-0123456789")}); err == nil {
		t.Fatal("GetAgentRuntime of a missing runtime succeeded")
	}
	if resp, err := http.Get(srv.URL + "/no/such/route"); err == nil {
		resp.Body.Close()
	}

	m := admScrape(t, srv.URL)
	createCode := strconv.Itoa(model.OperationByName("CreateAgentRuntime").Status)
	for _, want := range []struct {
		name   string
		labels []string
		min    float64
	}{
		{"agentcored_requests_total", []string{"operation=CreateAgentRuntime", "code=" + createCode}, 2},
		{"agentcored_requests_total", []string{"operation=GetAgentRuntime", "code=404"}, 1},
		{"agentcored_requests_total", []string{"operation=unknown", "code=404"}, 1},
		{"agentcored_request_duration_seconds_count", []string{"operation=CreateAgentRuntime"}, 2},
		{"agentcored_request_duration_seconds_bucket", []string{"operation=CreateAgentRuntime", "le=+Inf"}, 2},
		{"agentcored_request_duration_seconds_sum", []string{"operation=CreateAgentRuntime"}, 1e-9},
		{"agentcored_store_duration_seconds_count", []string{"method=write"}, 2},
		{"agentcored_store_duration_seconds_count", []string{"method=read"}, 1},
		// Two runtimes and their DEFAULT endpoints wait for a manual advance.
		{"agentcored_lifecycle_jobs_pending", nil, 4},
		{"go_goroutines", nil, 1},
	} {
		got, ok := admSample(m, want.name, want.labels...)
		if !ok || got < want.min {
			t.Errorf("%s%v = %v (present %v), want >= %v", want.name, want.labels, got, ok, want.min)
		}
	}
	if got, ok := admSample(m, "agentcored_lifecycle_jobs_run_total"); !ok || got != 0 {
		t.Errorf("jobs run before any advance = %v (present %v)", got, ok)
	}
	if _, ok := admSample(m, "agentcored_lifecycle_jobs_failed_total"); !ok {
		t.Error("agentcored_lifecycle_jobs_failed_total missing")
	}

	adminOK(t, "POST", srv.URL+"/_agentcored/lifecycle/advance", `{"all":true}`)
	m = admScrape(t, srv.URL)
	if got, _ := admSample(m, "agentcored_lifecycle_jobs_run_total"); got != 4 {
		t.Errorf("jobs run after advancing all = %v, want 4", got)
	}
	if got, ok := admSample(m, "agentcored_lifecycle_jobs_pending"); !ok || got != 0 {
		t.Errorf("jobs pending after advancing all = %v (present %v)", got, ok)
	}
}

// TestReadyzFailsWithoutStore: /readyz answers 200 while the store works
// and 503 once it is gone; /healthz (the process lives) stays 200, and
// /metrics still serves what it can.
func TestReadyzFailsWithoutStore(t *testing.T) {
	cfg := server.DefaultConfig()
	cfg.DataDir = t.TempDir()
	st, err := server.OpenStore(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := testserver.StartWith(t, cfg, st)
	wantReady(t, srv.URL, http.StatusOK)

	st.Close()
	wantReady(t, srv.URL, http.StatusServiceUnavailable)
	resp, err := http.Get(srv.URL + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("/healthz with the store gone: %d", resp.StatusCode)
	}
	m := admScrape(t, srv.URL)
	if _, ok := admSample(m, "agentcored_lifecycle_jobs_pending"); ok {
		t.Error("jobs pending reported although the store is gone")
	}
	if _, ok := admSample(m, "agentcored_store_duration_seconds_count", "method=ping"); !ok {
		t.Error("store ping latency missing")
	}
}
