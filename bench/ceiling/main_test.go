package main

import (
	"context"
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	acc "github.com/aws/aws-sdk-go-v2/service/bedrockagentcorecontrol"
	"github.com/aws/aws-sdk-go-v2/service/bedrockagentcorecontrol/types"
)

// TestEveryLoadgenOperationThroughTheSDK: the ceiling answers what the
// load generator sends, in forms the SDK accepts.
func TestEveryLoadgenOperationThroughTheSDK(t *testing.T) {
	s := &server{runtimes: map[string]*runtime{}, tags: map[string]map[string]string{}}
	for i := range 150 {
		s.create("seed_"+string(rune('a'+i%26)), "seeded")
	}
	ts := httptest.NewServer(s)
	defer ts.Close()
	c := acc.New(acc.Options{Region: "us-east-1", BaseEndpoint: aws.String(ts.URL), Retryer: aws.NopRetryer{},
		Credentials: credentials.NewStaticCredentialsProvider("AKIAIOSFODNN7EXAMPLE", "secret", "")})
	ctx := context.Background()
	artifact := &types.AgentRuntimeArtifactMemberContainerConfiguration{Value: types.ContainerConfiguration{ContainerUri: aws.String("123456789012.dkr.ecr.us-east-1.amazonaws.com/a:1")}}
	network := &types.NetworkConfiguration{NetworkMode: types.NetworkModePublic}

	created, err := c.CreateAgentRuntime(ctx, &acc.CreateAgentRuntimeInput{AgentRuntimeName: aws.String("mine"),
		AgentRuntimeArtifact: artifact, RoleArn: aws.String("arn:aws:iam::123456789012:role/R"), NetworkConfiguration: network})
	if err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(created.AgentRuntimeId)
	got, err := c.GetAgentRuntime(ctx, &acc.GetAgentRuntimeInput{AgentRuntimeId: aws.String(id)})
	if err != nil || aws.ToString(got.AgentRuntimeName) != "mine" || got.Status != types.AgentRuntimeStatusReady {
		t.Fatalf("get: %+v, %v", got, err)
	}
	upd, err := c.UpdateAgentRuntime(ctx, &acc.UpdateAgentRuntimeInput{AgentRuntimeId: aws.String(id),
		AgentRuntimeArtifact: artifact, RoleArn: aws.String("arn:aws:iam::123456789012:role/R"), NetworkConfiguration: network})
	if err != nil || aws.ToString(upd.AgentRuntimeVersion) != "2" {
		t.Fatalf("update: %+v, %v", upd, err)
	}

	n := 0
	p := acc.NewListAgentRuntimesPaginator(c, &acc.ListAgentRuntimesInput{MaxResults: aws.Int32(100)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		n += len(page.AgentRuntimes)
	}
	if n != 151 {
		t.Errorf("listed %d runtimes, want 151", n)
	}

	arn := created.AgentRuntimeArn
	if _, err := c.TagResource(ctx, &acc.TagResourceInput{ResourceArn: arn, Tags: map[string]string{"a": "1", "b": "2"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.UntagResource(ctx, &acc.UntagResourceInput{ResourceArn: arn, TagKeys: []string{"a"}}); err != nil {
		t.Fatal(err)
	}
	tags, err := c.ListTagsForResource(ctx, &acc.ListTagsForResourceInput{ResourceArn: arn})
	if err != nil || len(tags.Tags) != 1 || tags.Tags["b"] != "2" {
		t.Fatalf("tags after tag a, b and untag a: %v, %v", tags.Tags, err)
	}

	if _, err := c.GetAgentRuntime(ctx, &acc.GetAgentRuntimeInput{AgentRuntimeId: aws.String("nope-0123456789")}); err == nil {
		t.Error("get of an unknown runtime succeeded")
	}
}
