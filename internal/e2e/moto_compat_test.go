package e2e

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"agentcored/internal/testserver"
)

// admMotoStyleSuite is a boto3 test module written the way moto's own
// server-mode tests are: TEST_SERVER_MODE=true and TEST_SERVER_MODE_ENDPOINT
// choose the server, every test starts with POST /moto-api/reset, and the
// credentials are moto's fake FOOBARKEY / FOOBARSECRET. Plain unittest, so
// it needs only boto3. When moto itself is installed, one more test drives
// the server through moto's own mock_aws() in server mode.
const admMotoStyleSuite = `
import json
import os
import unittest
import urllib.request

import boto3

TEST_SERVER_MODE = os.environ.get("TEST_SERVER_MODE", "0").lower() == "true"
ENDPOINT = os.environ.get("TEST_SERVER_MODE_ENDPOINT", "http://localhost:5000")
REGION = "us-east-1"
ROLE = "arn:aws:iam::123456789012:role/AgentRole"
IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/agent:latest"

try:
    from moto import mock_aws
except ImportError:
    mock_aws = None


def reset_server():
    try:
        import requests
    except ImportError:
        request = urllib.request.Request(ENDPOINT + "/moto-api/reset", data=b"", method="POST")
        with urllib.request.urlopen(request) as response:
            return json.loads(response.read())
    response = requests.post(ENDPOINT + "/moto-api/reset")
    response.raise_for_status()
    return response.json()


def control_client(**kwargs):
    return boto3.client("bedrock-agentcore-control", region_name=REGION, **kwargs)


def create_runtime(client, name):
    return client.create_agent_runtime(
        agentRuntimeName=name,
        agentRuntimeArtifact={"containerConfiguration": {"containerUri": IMAGE}},
        roleArn=ROLE,
        networkConfiguration={"networkMode": "PUBLIC"},
    )


@unittest.skipUnless(TEST_SERVER_MODE, "runs against a server: set TEST_SERVER_MODE=true")
class ServerModeTest(unittest.TestCase):
    def setUp(self):
        self.assertEqual(reset_server(), {"status": "ok"})
        self.client = control_client(
            endpoint_url=ENDPOINT,
            aws_access_key_id="FOOBARKEY",
            aws_secret_access_key="FOOBARSECRET",
        )

    def test_agent_runtime_lifecycle(self):
        created = create_runtime(self.client, "moto_style_agent")
        runtime_id = created["agentRuntimeId"]
        self.assertEqual(created["status"], "CREATING")
        self.assertEqual(created["agentRuntimeVersion"], "1")

        got = self.client.get_agent_runtime(agentRuntimeId=runtime_id)
        self.assertEqual(got["status"], "READY")
        self.assertEqual(got["agentRuntimeName"], "moto_style_agent")
        self.assertEqual(got["agentRuntimeArtifact"]["containerConfiguration"]["containerUri"], IMAGE)

        listed = self.client.list_agent_runtimes()["agentRuntimes"]
        self.assertEqual([r["agentRuntimeId"] for r in listed], [runtime_id])

        arn = created["agentRuntimeArn"]
        self.client.tag_resource(resourceArn=arn, tags={"team": "moto"})
        self.assertEqual(self.client.list_tags_for_resource(resourceArn=arn)["tags"], {"team": "moto"})

        deleted = self.client.delete_agent_runtime(agentRuntimeId=runtime_id)
        self.assertEqual(deleted["status"], "DELETING")
        with self.assertRaises(self.client.exceptions.ResourceNotFoundException):
            self.client.get_agent_runtime(agentRuntimeId=runtime_id)
        # Left for the next test's reset to remove.
        create_runtime(self.client, "left_behind")

    def test_browser_lifecycle(self):
        created = self.client.create_browser(name="moto_style_browser", networkConfiguration={"networkMode": "PUBLIC"})
        browser_id = created["browserId"]
        got = self.client.get_browser(browserId=browser_id)
        self.assertEqual(got["status"], "READY")
        self.assertEqual(got["name"], "moto_style_browser")
        listed = self.client.list_browsers(type="CUSTOM")["browserSummaries"]
        self.assertEqual([b["browserId"] for b in listed], [browser_id])
        self.client.delete_browser(browserId=browser_id)
        with self.assertRaises(self.client.exceptions.ResourceNotFoundException):
            self.client.get_browser(browserId=browser_id)
        self.client.create_browser(name="left_behind", networkConfiguration={"networkMode": "PUBLIC"})

    def test_each_test_starts_empty(self):
        # The tests before this one (in name order) left resources behind;
        # setUp's reset removed them.
        self.assertEqual(self.client.list_agent_runtimes()["agentRuntimes"], [])
        self.assertEqual(self.client.list_browsers(type="CUSTOM")["browserSummaries"], [])


@unittest.skipUnless(TEST_SERVER_MODE, "runs against a server: set TEST_SERVER_MODE=true")
@unittest.skipIf(mock_aws is None, "moto is not installed")
class MotoMockAwsTest(unittest.TestCase):
    def test_mock_aws_server_mode(self):
        # mock_aws() resets the server and points boto3 at it; it also sets
        # moto's fake credentials.
        create_runtime(control_client(endpoint_url=ENDPOINT, aws_access_key_id="FOOBARKEY",
                                      aws_secret_access_key="FOOBARSECRET"), "before_mock")
        with mock_aws():
            client = control_client()
            self.assertEqual(client.list_agent_runtimes()["agentRuntimes"], [])
            runtime_id = create_runtime(client, "under_mock_aws")["agentRuntimeId"]
            self.assertEqual(client.get_agent_runtime(agentRuntimeId=runtime_id)["status"], "READY")


if __name__ == "__main__":
    unittest.main()
`

// admPython returns python3 when it can import every module named, else
// skips the test.
func admPython(t *testing.T, modules ...string) string {
	t.Helper()
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 not installed")
	}
	for _, m := range modules {
		if err := exec.Command(py, "-c", "import "+m).Run(); err != nil {
			t.Skipf("python module %s not installed", m)
		}
	}
	return py
}

// TestMotoStyleBoto3Suite runs the moto server-mode style suite above with
// python3 against a real server and requires every test to pass (none
// skipped, except the mock_aws one when moto is not installed).
func TestMotoStyleBoto3Suite(t *testing.T) {
	py := admPython(t, "boto3")
	withMoto := exec.Command(py, "-c", "import moto").Run() == nil
	srv := testserver.Start(t)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "test_moto_style.py"), []byte(admMotoStyleSuite), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, py, "-m", "unittest", "-v", "test_moto_style")
	cmd.Dir = dir
	cmd.Env = append(cleanAWSEnv(),
		"TEST_SERVER_MODE=true",
		"TEST_SERVER_MODE_ENDPOINT="+srv.URL,
		"AWS_DEFAULT_REGION=us-east-1",
		"AWS_ACCESS_KEY_ID=FOOBARKEY",
		"AWS_SECRET_ACCESS_KEY=FOOBARSECRET",
	)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("python3 -m unittest failed: %v\n%s", err, out)
	}
	text := string(out)
	want := 3
	if withMoto {
		want = 4
	}
	ran := regexp.MustCompile(`Ran (\d+) tests?`).FindStringSubmatch(text)
	if ran == nil || ran[1] != strconv.Itoa(want) || !strings.Contains(text, "\nOK") {
		t.Fatalf("want %d tests run and OK:\n%s", want, text)
	}
	if withMoto && strings.Contains(text, "skipped") {
		t.Fatalf("a test was skipped although moto is installed:\n%s", text)
	}
}
