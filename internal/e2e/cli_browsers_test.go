package e2e

import (
	"reflect"
	"strings"
	"testing"

	"agentcored/internal/testserver"
)

func bxJSONValue(t *testing.T, s string) any {
	t.Helper()
	var v any
	decodeJSON(t, s, &v)
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
	cli := newAWSCLI(t, srv.URL)

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
