package e2e

import (
	"context"
	"net/http"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	acc "github.com/aws/aws-sdk-go-v2/service/bedrockagentcorecontrol"
)

func TestBinaryVersion(t *testing.T) {
	bin := buildAgentcored(t)
	out, err := exec.Command(bin, "version").CombinedOutput()
	if err != nil {
		t.Fatalf("version: %v\n%s", err, out)
	}
	for _, want := range []string{"agentcored ", "bedrock-agentcore-control 2023-06-05", "botocore 1.43.67", "165 operations", "overlay 10 operations", "175 operations served", "data plane bedrock-agentcore 2024-02-28", "66 operations", "sha256 "} {
		if !strings.Contains(string(out), want) {
			t.Errorf("version output %q lacks %q", out, want)
		}
	}
	if err := exec.Command(bin, "no-such-command").Run(); err == nil {
		t.Error("an unknown command exited 0")
	}
}

// TestBinaryGracefulShutdown: SIGTERM lets the request in flight finish,
// then the process exits 0.
func TestBinaryGracefulShutdown(t *testing.T) {
	bin := buildAgentcored(t)
	p := startAgentProc(t, bin, "--data-dir", t.TempDir())
	resp, err := http.Get(p.URL + "/healthz")
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("healthz: %v %v", resp, err)
	}
	resp.Body.Close()
	addFault(t, p.URL, map[string]any{"operation": "ListAgentRuntimes", "action": "latency", "latencyMillis": 1500, "count": 1})
	done := make(chan error, 1)
	go func() {
		_, err := p.client(t).ListAgentRuntimes(context.Background(), &acc.ListAgentRuntimesInput{})
		done <- err
	}()
	// The latency rule is used up when the request reaches the gate: from
	// then on the request is in flight inside the server.
	eventually(t, "the request reaching the server", func() (bool, error) {
		r := rawRequest(t, http.MethodGet, p.URL+"/_agentcored/faults", "")
		return !strings.Contains(string(r.body), "latency"), nil
	})
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatalf("in-flight request during shutdown: %v\n%s", err, p.stderr())
	}
	select {
	case <-p.exited:
	case <-time.After(30 * time.Second):
		t.Fatalf("still running 30 s after SIGTERM:\n%s", p.stderr())
	}
	if code := p.cmd.ProcessState.ExitCode(); code != 0 {
		t.Fatalf("exit code %d after SIGTERM:\n%s", code, p.stderr())
	}
}
