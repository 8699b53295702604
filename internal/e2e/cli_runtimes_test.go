package e2e

import (
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"testing"

	"agentcored/internal/server"
	"agentcored/internal/testserver"
)

// rtCLI runs `aws bedrock-agentcore-control <args> --endpoint-url URL` and
// decodes its JSON output; wantErr names the error code the CLI must report.
func rtCLI(t *testing.T, url, wantErr string, args ...string) map[string]any {
	t.Helper()
	cmd := exec.Command("aws", append(append([]string{"bedrock-agentcore-control"}, args...), "--endpoint-url", url, "--output", "json")...)
	cmd.Env = append(os.Environ(),
		"AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE", "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
		"AWS_DEFAULT_REGION=us-east-1", "AWS_EC2_METADATA_DISABLED=true", "AWS_PAGER=", "AWS_MAX_ATTEMPTS=1",
		"AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if wantErr != "" {
		if err == nil || !strings.Contains(stderr.String(), "("+wantErr+")") {
			t.Fatalf("aws %v: want %s, got err=%v stderr=%s", args, wantErr, err, stderr.String())
		}
		return nil
	}
	if err != nil {
		t.Fatalf("aws %v: %v\n%s", args, err, stderr.String())
	}
	if len(strings.TrimSpace(string(out))) == 0 {
		return nil
	}
	var v map[string]any
	if err := json.Unmarshal(out, &v); err != nil {
		t.Fatalf("aws %v printed non-JSON %q: %v", args, out, err)
	}
	return v
}

func TestCLIRuntimeScenario(t *testing.T) {
	if _, err := exec.LookPath("aws"); err != nil {
		t.Skip("aws CLI not installed")
	}
	srv := testserver.Start(t, func(c *server.Config) { c.Lifecycle = "immediate" })
	u := srv.URL
	created := rtCLI(t, u, "", "create-agent-runtime",
		"--agent-runtime-name", "cli_agent",
		"--agent-runtime-artifact", `{"containerConfiguration":{"containerUri":"`+rtImage+`"}}`,
		"--role-arn", rtRole,
		"--network-configuration", `{"networkMode":"VPC","networkModeConfig":{"securityGroups":["sg-0123456789abcdef0"],"subnets":["subnet-0123456789abcdef0"]}}`,
		"--request-header-configuration", `{"requestHeaderAllowlist":["X-Amzn-Bedrock-AgentCore-Runtime-Custom-Tenant"]}`,
		"--tags", "team=agents")
	id, _ := created["agentRuntimeId"].(string)
	arn, _ := created["agentRuntimeArn"].(string)
	if created["status"] != "CREATING" || created["agentRuntimeVersion"] != "1" || !strings.HasSuffix(arn, ":runtime/"+id) {
		t.Fatalf("create printed %v", created)
	}
	got := rtCLI(t, u, "", "get-agent-runtime", "--agent-runtime-id", id)
	net := got["networkConfiguration"].(map[string]any)
	if got["status"] != "READY" || net["networkMode"] != "VPC" {
		t.Fatalf("get printed %v", got)
	}
	// The same token and parameters replay; the CLI fills tokens itself
	// unless given one.
	token := "cli-token-0123456789-0123456789-0123"
	up := []string{"update-agent-runtime", "--agent-runtime-id", id,
		"--agent-runtime-artifact", `{"containerConfiguration":{"containerUri":"` + rtImage2 + `"}}`,
		"--role-arn", rtRole, "--network-configuration", `{"networkMode":"PUBLIC"}`, "--client-token", token}
	first := rtCLI(t, u, "", up...)
	again := rtCLI(t, u, "", up...)
	if first["agentRuntimeVersion"] != "2" || again["agentRuntimeVersion"] != "2" {
		t.Fatalf("update printed %v then %v", first, again)
	}
	rtCLI(t, u, "ValidationException", append(up[:len(up)-4:len(up)-4], "--network-configuration", `{"networkMode":"VPC","networkModeConfig":{"securityGroups":["sg-0123456789abcdef0"],"subnets":["subnet-0123456789abcdef0"]}}`, "--client-token", token)...)

	v1 := rtCLI(t, u, "", "get-agent-runtime", "--agent-runtime-id", id, "--agent-runtime-version", "1")
	if v1["networkConfiguration"].(map[string]any)["networkMode"] != "VPC" {
		t.Fatalf("version 1 printed %v", v1)
	}
	ep := rtCLI(t, u, "", "get-agent-runtime-endpoint", "--agent-runtime-id", id, "--endpoint-name", "DEFAULT")
	if ep["liveVersion"] != "2" {
		t.Fatalf("DEFAULT printed %v", ep)
	}
	rtCLI(t, u, "", "create-agent-runtime-endpoint", "--agent-runtime-id", id, "--name", "pinned", "--agent-runtime-version", "1")
	eps := rtCLI(t, u, "", "list-agent-runtime-endpoints", "--agent-runtime-id", id)
	if n := len(eps["runtimeEndpoints"].([]any)); n != 2 {
		t.Fatalf("%d endpoints listed", n)
	}
	versions := rtCLI(t, u, "", "list-agent-runtime-versions", "--agent-runtime-id", id)
	if n := len(versions["agentRuntimes"].([]any)); n != 2 {
		t.Fatalf("%d versions listed", n)
	}
	tags := rtCLI(t, u, "", "list-tags-for-resource", "--resource-arn", arn)
	if tags["tags"].(map[string]any)["team"] != "agents" {
		t.Fatalf("tags printed %v", tags)
	}
	rtCLI(t, u, "", "tag-resource", "--resource-arn", arn, "--tags", "env=dev")
	rtCLI(t, u, "", "untag-resource", "--resource-arn", arn, "--tag-keys", "team")
	tags = rtCLI(t, u, "", "list-tags-for-resource", "--resource-arn", arn)
	if m := tags["tags"].(map[string]any); len(m) != 1 || m["env"] != "dev" {
		t.Fatalf("tags after tag/untag %v", m)
	}
	rtCLI(t, u, "ConflictException", "delete-agent-runtime", "--agent-runtime-id", id)
	rtCLI(t, u, "ConflictException", "delete-agent-runtime-endpoint", "--agent-runtime-id", id, "--endpoint-name", "DEFAULT")
	rtCLI(t, u, "", "delete-agent-runtime-endpoint", "--agent-runtime-id", id, "--endpoint-name", "pinned")
	del := rtCLI(t, u, "", "delete-agent-runtime", "--agent-runtime-id", id)
	if del["status"] != "DELETING" {
		t.Fatalf("delete printed %v", del)
	}
	rtCLI(t, u, "ResourceNotFoundException", "get-agent-runtime", "--agent-runtime-id", id)
	rtCLI(t, u, "ValidationException", "create-agent-runtime", "--agent-runtime-name", "bad-name",
		"--agent-runtime-artifact", `{"containerConfiguration":{"containerUri":"`+rtImage+`"}}`,
		"--role-arn", rtRole, "--network-configuration", `{"networkMode":"PUBLIC"}`)
	// The CLI paginates by itself with a page size of 1.
	for _, n := range []string{"p_one", "p_two", "p_three"} {
		rtCLI(t, u, "", "create-agent-runtime", "--agent-runtime-name", n,
			"--agent-runtime-artifact", `{"containerConfiguration":{"containerUri":"`+rtImage+`"}}`,
			"--role-arn", rtRole, "--network-configuration", `{"networkMode":"PUBLIC"}`)
	}
	all := rtCLI(t, u, "", "list-agent-runtimes", "--page-size", "1")
	if n := len(all["agentRuntimes"].([]any)); n != 3 {
		t.Fatalf("auto-paginated listing has %d runtimes, want 3", n)
	}
}
