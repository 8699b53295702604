package e2e

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"agentcored/internal/auth"
	"agentcored/internal/testserver"
)

// admExamples is the examples directory of the repository.
func admExamples(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("..", "..", "examples"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); err != nil {
		t.Fatalf("examples directory: %v", err)
	}
	return dir
}

// admRun runs a client example with the server's endpoint in the
// environment and returns its standard output; it fails the test when the
// example exits non-zero.
func admRun(t *testing.T, dir string, env []string, name string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Env = append(cleanAWSEnv(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %v: %v\nstdout:\n%s\nstderr:\n%s", name, args, err, stdout.String(), stderr.String())
	}
	return stdout.String()
}

func admWantLines(t *testing.T, out string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(out, w) {
			t.Errorf("output lacks %q:\n%s", w, out)
		}
	}
}

// TestJSExample installs examples/js's dependencies (from the npm registry,
// as pinned by its package-lock.json) in a temporary copy and runs it
// against a real server. Skips without node and npm.
func TestJSExample(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node not installed")
	}
	npm, err := exec.LookPath("npm")
	if err != nil {
		t.Skip("npm not installed")
	}
	dir := t.TempDir()
	for _, f := range []string{"package.json", "package-lock.json", "index.mjs"} {
		b, err := os.ReadFile(filepath.Join(admExamples(t), "js", f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	install := exec.CommandContext(ctx, npm, "install", "--no-audit", "--no-fund")
	install.Dir = dir
	if out, err := install.CombinedOutput(); err != nil {
		for _, offline := range []string{"ENOTFOUND", "EAI_AGAIN", "ETIMEDOUT", "ECONNREFUSED", "ENETUNREACH"} {
			if strings.Contains(string(out), offline) {
				t.Skipf("npm registry unreachable: %s", out)
			}
		}
		t.Fatalf("npm install: %v\n%s", err, out)
	}

	srv := testserver.Start(t)
	out := admRun(t, dir, []string{
		"AWS_ENDPOINT_URL_BEDROCK_AGENTCORE_CONTROL=" + srv.URL,
		"AWS_ACCESS_KEY_ID=" + auth.DefaultAccessKeyID,
		"AWS_SECRET_ACCESS_KEY=" + auth.DefaultSecretAccessKey,
		"AWS_REGION=us-east-1",
	}, node, "index.mjs")
	admWantLines(t, out,
		"(CREATING) with the explicit endpoint",
		"status READY",
		"with the endpoint from the environment",
		`tags {"example":"js","stage":"demo"}`,
		"ResourceNotFoundException",
	)
}
