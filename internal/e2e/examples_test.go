package e2e

import (
	"os/exec"
	"testing"

	"agentcored/internal/testserver"
)

// TestBoto3Example runs examples/boto3_example.py against a real server.
func TestBoto3Example(t *testing.T) {
	py := admPython(t, "boto3")
	srv := testserver.Start(t)
	out := admRun(t, admExamples(t), []string{"AGENTCORED_ENDPOINT=" + srv.URL}, py, "boto3_example.py")
	admWantLines(t, out, "(CREATING)", "status READY", "tags example=boto3, stage=demo", "endpoints DEFAULT", "deleted boto3_example_")
}

// TestCLIExample runs examples/cli_example.sh against a real server.
func TestCLIExample(t *testing.T) {
	if _, err := exec.LookPath("aws"); err != nil {
		t.Skip("AWS CLI not installed")
	}
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("bash not installed")
	}
	srv := testserver.Start(t)
	out := admRun(t, admExamples(t), []string{"AGENTCORED_ENDPOINT=" + srv.URL}, bash, "cli_example.sh")
	admWantLines(t, out, "created cli_example_", "status READY", "tags cli\tdemo", "listed cli_example_", "deleted cli_example_")
}
