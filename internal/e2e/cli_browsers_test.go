package e2e

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"agentcored/internal/testserver"
)

// bxCLI runs the AWS CLI against the test server with fixed development
// credentials and no user configuration.
type bxCLI struct {
	t   *testing.T
	url string
	env []string
}

func newBxCLI(t *testing.T, srv *testserver.Server) *bxCLI {
	t.Helper()
	if _, err := exec.LookPath("aws"); err != nil {
		t.Skip("aws CLI not on PATH")
	}
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_") {
			env = append(env, kv)
		}
	}
	dir := t.TempDir()
	env = append(env,
		"AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE",
		"AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
		"AWS_DEFAULT_REGION=us-east-1",
		"AWS_EC2_METADATA_DISABLED=true",
		"AWS_PAGER=",
		"AWS_CONFIG_FILE="+filepath.Join(dir, "config"),
		"AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(dir, "credentials"),
	)
	return &bxCLI{t: t, url: srv.URL, env: env}
}

// run executes one bedrock-agentcore-control command and returns its stdout
// and stderr, and whether it succeeded.
func (c *bxCLI) run(args ...string) (stdout, stderr string, ok bool) {
	c.t.Helper()
	full := append([]string{"bedrock-agentcore-control", "--endpoint-url", c.url, "--output", "json"}, args...)
	cmd := exec.Command("aws", full...)
	cmd.Env = c.env
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if err != nil {
		if _, isExit := err.(*exec.ExitError); !isExit {
			c.t.Fatalf("aws %s: %v", strings.Join(args, " "), err)
		}
	}
	return out.String(), errb.String(), err == nil
}

// json runs a command that must succeed and decodes its JSON output.
func (c *bxCLI) json(args ...string) map[string]any {
	c.t.Helper()
	stdout, stderr, ok := c.run(args...)
	if !ok {
		c.t.Fatalf("aws %s failed: %s", strings.Join(args, " "), stderr)
	}
	out := map[string]any{}
	if strings.TrimSpace(stdout) == "" {
		return out
	}
	if err := json.Unmarshal([]byte(stdout), &out); err != nil {
		c.t.Fatalf("aws %s: output is not JSON: %v\n%s", strings.Join(args, " "), err, stdout)
	}
	return out
}

func bxJSONValue(t *testing.T, s string) any {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatal(err)
	}
	return v
}

func bxIDs(list any, idKey string) []string {
	var ids []string
	items, _ := list.([]any)
	for _, it := range items {
		if m, ok := it.(map[string]any); ok {
			id, _ := m[idKey].(string)
			ids = append(ids, id)
		}
	}
	return ids
}

func TestCLIBrowsersAndCodeInterpreters(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the AWS CLI a dozen times")
	}
	srv := testserver.Start(t)
	cli := newBxCLI(t, srv)

	const network = `{"networkMode":"VPC","vpcConfig":{"securityGroups":["sg-0123456789abcdef0"],"subnets":["subnet-0123456789abcdef0","subnet-0aaaabbbbccccdddd"]}}`
	b := cli.json("create-browser", "--name", "cli_browser", "--description", "from the CLI",
		"--network-configuration", network,
		"--recording", `{"enabled":true,"s3Location":{"bucket":"cli-bucket","prefix":"rec/"}}`,
		"--tags", `{"made-by":"cli"}`)
	browserID, _ := b["browserId"].(string)
	browserARN, _ := b["browserArn"].(string)
	if !strings.HasPrefix(browserID, "cli_browser-") || b["status"] != "CREATING" ||
		browserARN != "arn:aws:bedrock-agentcore:us-east-1:123456789012:browser-custom/"+browserID {
		t.Fatalf("create-browser = %v", b)
	}

	got := cli.json("get-browser", "--browser-id", browserID)
	if got["status"] != "READY" || got["name"] != "cli_browser" || got["description"] != "from the CLI" {
		t.Errorf("get-browser = %v", got)
	}
	if !reflect.DeepEqual(got["networkConfiguration"], bxJSONValue(t, network)) {
		t.Errorf("networkConfiguration = %v, want %s", got["networkConfiguration"], network)
	}
	if !reflect.DeepEqual(got["recording"], bxJSONValue(t, `{"enabled":true,"s3Location":{"bucket":"cli-bucket","prefix":"rec/"}}`)) {
		t.Errorf("recording = %v", got["recording"])
	}

	list := cli.json("list-browsers")
	if ids := bxIDs(list["browserSummaries"], "browserId"); !reflect.DeepEqual(ids, []string{browserID}) {
		t.Errorf("list-browsers ids = %v", ids)
	}

	ci := cli.json("create-code-interpreter", "--name", "cli_ci",
		"--network-configuration", `{"networkMode":"SANDBOX"}`)
	ciID, _ := ci["codeInterpreterId"].(string)
	ciARN, _ := ci["codeInterpreterArn"].(string)
	if !strings.HasPrefix(ciID, "cli_ci-") || ci["status"] != "CREATING" ||
		ciARN != "arn:aws:bedrock-agentcore:us-east-1:123456789012:code-interpreter-custom/"+ciID {
		t.Fatalf("create-code-interpreter = %v", ci)
	}
	gotCI := cli.json("get-code-interpreter", "--code-interpreter-id", ciID)
	if gotCI["status"] != "READY" || !reflect.DeepEqual(gotCI["networkConfiguration"], map[string]any{"networkMode": "SANDBOX"}) {
		t.Errorf("get-code-interpreter = %v", gotCI)
	}
	listCI := cli.json("list-code-interpreters")
	if ids := bxIDs(listCI["codeInterpreterSummaries"], "codeInterpreterId"); !reflect.DeepEqual(ids, []string{ciID}) {
		t.Errorf("list-code-interpreters ids = %v", ids)
	}

	for arn, want := range map[string]map[string]any{
		browserARN: {"made-by": "cli", "stage": "e2e"},
		ciARN:      {"stage": "e2e"},
	} {
		cli.json("tag-resource", "--resource-arn", arn, "--tags", `{"stage":"e2e"}`)
		tags := cli.json("list-tags-for-resource", "--resource-arn", arn)
		if !reflect.DeepEqual(tags["tags"], want) {
			t.Errorf("tags of %s = %v, want %v", arn, tags["tags"], want)
		}
	}

	del := cli.json("delete-browser", "--browser-id", browserID)
	if del["status"] != "DELETING" || del["browserId"] != browserID || del["lastUpdatedAt"] == nil {
		t.Errorf("delete-browser = %v", del)
	}
	delCI := cli.json("delete-code-interpreter", "--code-interpreter-id", ciID)
	if delCI["status"] != "DELETING" || delCI["codeInterpreterId"] != ciID {
		t.Errorf("delete-code-interpreter = %v", delCI)
	}
	for _, args := range [][]string{
		{"get-browser", "--browser-id", browserID},
		{"get-code-interpreter", "--code-interpreter-id", ciID},
	} {
		if _, stderr, ok := cli.run(args...); ok || !strings.Contains(stderr, "ResourceNotFoundException") {
			t.Errorf("aws %s after delete: ok=%v stderr=%s", strings.Join(args, " "), ok, stderr)
		}
	}
}
