package e2e

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	acc "github.com/aws/aws-sdk-go-v2/service/bedrockagentcorecontrol"
	"github.com/aws/aws-sdk-go-v2/service/bedrockagentcorecontrol/types"

	"agentcored/internal/testserver"
)

// TestRuntimeWithoutNetworkConfiguration: networkConfiguration became
// optional; a create without it is PUBLIC, and an update without it keeps
// the runtime's network (a VPC runtime stays in its VPC).
func TestRuntimeWithoutNetworkConfiguration(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client(t)
	ctx := context.Background()
	created, err := c.CreateAgentRuntime(ctx, &acc.CreateAgentRuntimeInput{
		AgentRuntimeName: aws.String("nonet"), AgentRuntimeArtifact: rtContainer(rtImage), RoleArn: aws.String(rtRole)})
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.GetAgentRuntime(ctx, &acc.GetAgentRuntimeInput{AgentRuntimeId: created.AgentRuntimeId})
	if err != nil {
		t.Fatal(err)
	}
	if got.NetworkConfiguration == nil || got.NetworkConfiguration.NetworkMode != types.NetworkModePublic {
		t.Fatalf("network of a create without one: %+v", got.NetworkConfiguration)
	}

	vpc, err := c.CreateAgentRuntime(ctx, &acc.CreateAgentRuntimeInput{
		AgentRuntimeName: aws.String("invpc"), AgentRuntimeArtifact: rtContainer(rtImage), RoleArn: aws.String(rtRole), NetworkConfiguration: rtVPC()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.UpdateAgentRuntime(ctx, &acc.UpdateAgentRuntimeInput{
		AgentRuntimeId: vpc.AgentRuntimeId, AgentRuntimeArtifact: rtContainer(rtImage2), RoleArn: aws.String(rtRole)}); err != nil {
		t.Fatal(err)
	}
	got, err = c.GetAgentRuntime(ctx, &acc.GetAgentRuntimeInput{AgentRuntimeId: vpc.AgentRuntimeId})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(got.AgentRuntimeVersion) != "2" || got.NetworkConfiguration == nil || got.NetworkConfiguration.NetworkMode != types.NetworkModeVpc ||
		got.NetworkConfiguration.NetworkModeConfig == nil || len(got.NetworkConfiguration.NetworkModeConfig.Subnets) != 2 {
		t.Fatalf("after an update without a network: version %s, %+v", aws.ToString(got.AgentRuntimeVersion), got.NetworkConfiguration)
	}
}

// TestDeleteRuntimeVersion: DeleteAgentRuntime with agentRuntimeVersion
// deletes that version only; versions something serves are refused.
func TestDeleteRuntimeVersion(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client(t)
	ctx := context.Background()
	id := rtCreate(t, c, "versioned").AgentRuntimeId
	for _, image := range []string{rtImage2, rtImage} { // versions 2 and 3
		if _, err := c.UpdateAgentRuntime(ctx, &acc.UpdateAgentRuntimeInput{
			AgentRuntimeId: id, AgentRuntimeArtifact: rtContainer(image), RoleArn: aws.String(rtRole), NetworkConfiguration: rtPublic()}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.CreateAgentRuntimeEndpoint(ctx, &acc.CreateAgentRuntimeEndpointInput{
		AgentRuntimeId: id, Name: aws.String("pinned"), AgentRuntimeVersion: aws.String("1")}); err != nil {
		t.Fatal(err)
	}
	deleteVersion := func(v string) (*acc.DeleteAgentRuntimeOutput, error) {
		return c.DeleteAgentRuntime(ctx, &acc.DeleteAgentRuntimeInput{AgentRuntimeId: id, AgentRuntimeVersion: aws.String(v)})
	}
	for _, tt := range []struct{ version, code string }{
		{"3", "ConflictException"},         // the latest: DEFAULT serves it
		{"1", "ConflictException"},         // the endpoint "pinned" serves it
		{"7", "ResourceNotFoundException"}, // no such version
	} {
		_, err := deleteVersion(tt.version)
		wantCode(t, "delete version "+tt.version, err, tt.code)
	}
	out, err := deleteVersion("2")
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.AgentRuntimeId) != aws.ToString(id) || aws.ToString(out.AgentRuntimeVersion) != "2" || out.Status != types.AgentRuntimeStatusDeleting {
		t.Fatalf("delete version answered %+v", out)
	}
	_, err = c.GetAgentRuntime(ctx, &acc.GetAgentRuntimeInput{AgentRuntimeId: id, AgentRuntimeVersion: aws.String("2")})
	wantCode(t, "get deleted version", err, "ResourceNotFoundException")
	versions, err := c.ListAgentRuntimeVersions(ctx, &acc.ListAgentRuntimeVersionsInput{AgentRuntimeId: id})
	if err != nil {
		t.Fatal(err)
	}
	var left []string
	for _, v := range versions.AgentRuntimes {
		left = append(left, aws.ToString(v.AgentRuntimeVersion))
	}
	if len(left) != 2 || left[0] == "2" || left[1] == "2" {
		t.Fatalf("versions left: %v, want 1 and 3", left)
	}
	// The runtime itself is untouched.
	got, err := c.GetAgentRuntime(ctx, &acc.GetAgentRuntimeInput{AgentRuntimeId: id})
	if err != nil || got.Status != types.AgentRuntimeStatusReady || aws.ToString(got.AgentRuntimeVersion) != "3" {
		t.Fatalf("runtime after a version delete: %+v %v", got, err)
	}
	// A whole delete names no version.
	if _, err := c.DeleteAgentRuntimeEndpoint(ctx, &acc.DeleteAgentRuntimeEndpointInput{AgentRuntimeId: id, EndpointName: aws.String("pinned")}); err != nil {
		t.Fatal(err)
	}
	whole, err := c.DeleteAgentRuntime(ctx, &acc.DeleteAgentRuntimeInput{AgentRuntimeId: id})
	if err != nil || whole.AgentRuntimeVersion != nil || whole.Status != types.AgentRuntimeStatusDeleting {
		t.Fatalf("whole delete answered %+v %v", whole, err)
	}
}
