package e2e

import (
	"strings"
	"testing"

	"agentcored/internal/server"
	"agentcored/internal/testserver"
)

func TestCLIRuntimeScenario(t *testing.T) {
	srv := testserver.Start(t, func(c *server.Config) { c.Lifecycle = "immediate" })
	cli := newAWSCLI(t, srv.URL)
	created := cli.json("create-agent-runtime",
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
	got := cli.json("get-agent-runtime", "--agent-runtime-id", id)
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
	first := cli.json(up...)
	again := cli.json(up...)
	if first["agentRuntimeVersion"] != "2" || again["agentRuntimeVersion"] != "2" {
		t.Fatalf("update printed %v then %v", first, again)
	}
	cli.fails("ValidationException", append(up[:len(up)-4:len(up)-4], "--network-configuration", `{"networkMode":"VPC","networkModeConfig":{"securityGroups":["sg-0123456789abcdef0"],"subnets":["subnet-0123456789abcdef0"]}}`, "--client-token", token)...)

	v1 := cli.json("get-agent-runtime", "--agent-runtime-id", id, "--agent-runtime-version", "1")
	if v1["networkConfiguration"].(map[string]any)["networkMode"] != "VPC" {
		t.Fatalf("version 1 printed %v", v1)
	}
	ep := cli.json("get-agent-runtime-endpoint", "--agent-runtime-id", id, "--endpoint-name", "DEFAULT")
	if ep["liveVersion"] != "2" {
		t.Fatalf("DEFAULT printed %v", ep)
	}
	cli.json("create-agent-runtime-endpoint", "--agent-runtime-id", id, "--name", "pinned", "--agent-runtime-version", "1")
	eps := cli.json("list-agent-runtime-endpoints", "--agent-runtime-id", id)
	if n := len(eps["runtimeEndpoints"].([]any)); n != 2 {
		t.Fatalf("%d endpoints listed", n)
	}
	versions := cli.json("list-agent-runtime-versions", "--agent-runtime-id", id)
	if n := len(versions["agentRuntimes"].([]any)); n != 2 {
		t.Fatalf("%d versions listed", n)
	}
	tags := cli.json("list-tags-for-resource", "--resource-arn", arn)
	if tags["tags"].(map[string]any)["team"] != "agents" {
		t.Fatalf("tags printed %v", tags)
	}
	cli.json("tag-resource", "--resource-arn", arn, "--tags", "env=dev")
	cli.json("untag-resource", "--resource-arn", arn, "--tag-keys", "team")
	tags = cli.json("list-tags-for-resource", "--resource-arn", arn)
	if m := tags["tags"].(map[string]any); len(m) != 1 || m["env"] != "dev" {
		t.Fatalf("tags after tag/untag %v", m)
	}
	cli.fails("ConflictException", "delete-agent-runtime", "--agent-runtime-id", id)
	cli.fails("ConflictException", "delete-agent-runtime-endpoint", "--agent-runtime-id", id, "--endpoint-name", "DEFAULT")
	cli.json("delete-agent-runtime-endpoint", "--agent-runtime-id", id, "--endpoint-name", "pinned")
	del := cli.json("delete-agent-runtime", "--agent-runtime-id", id)
	if del["status"] != "DELETING" {
		t.Fatalf("delete printed %v", del)
	}
	cli.fails("ResourceNotFoundException", "get-agent-runtime", "--agent-runtime-id", id)
	cli.fails("ValidationException", "create-agent-runtime", "--agent-runtime-name", "bad-name",
		"--agent-runtime-artifact", `{"containerConfiguration":{"containerUri":"`+rtImage+`"}}`,
		"--role-arn", rtRole, "--network-configuration", `{"networkMode":"PUBLIC"}`)
	// The CLI paginates by itself with a page size of 1.
	for _, n := range []string{"p_one", "p_two", "p_three"} {
		cli.json("create-agent-runtime", "--agent-runtime-name", n,
			"--agent-runtime-artifact", `{"containerConfiguration":{"containerUri":"`+rtImage+`"}}`,
			"--role-arn", rtRole, "--network-configuration", `{"networkMode":"PUBLIC"}`)
	}
	all := cli.json("list-agent-runtimes", "--page-size", "1")
	if n := len(all["agentRuntimes"].([]any)); n != 3 {
		t.Fatalf("auto-paginated listing has %d runtimes, want 3", n)
	}
}
