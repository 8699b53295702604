package e2e

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	acc "github.com/aws/aws-sdk-go-v2/service/bedrockagentcorecontrol"
	"github.com/aws/aws-sdk-go-v2/service/bedrockagentcorecontrol/types"

	"agentcored/internal/testserver"
)

// taggable creates one resource of every taggable family that exists and
// returns its ARN by family.
func taggable(t *testing.T, c *acc.Client) map[string]string {
	t.Helper()
	ctx := context.Background()
	rt := rtCreate(t, c, "tagged_rt")
	ep, err := c.CreateAgentRuntimeEndpoint(ctx, &acc.CreateAgentRuntimeEndpointInput{AgentRuntimeId: rt.AgentRuntimeId, Name: aws.String("tagged_ep")})
	if err != nil {
		t.Fatal(err)
	}
	wi, err := c.CreateWorkloadIdentity(ctx, &acc.CreateWorkloadIdentityInput{Name: aws.String("tagged-wi")})
	if err != nil {
		t.Fatal(err)
	}
	br := bxCreatePublicBrowser(t, c, "tagged_browser")
	ci, err := c.CreateCodeInterpreter(ctx, &acc.CreateCodeInterpreterInput{
		Name: aws.String("tagged_ci"), NetworkConfiguration: &types.CodeInterpreterNetworkConfiguration{NetworkMode: types.CodeInterpreterNetworkModeSandbox},
	})
	if err != nil {
		t.Fatal(err)
	}
	bp, err := c.CreateBrowserProfile(ctx, &acc.CreateBrowserProfileInput{Name: aws.String("tagged_profile")})
	if err != nil {
		t.Fatal(err)
	}
	mem, err := c.CreateMemory(ctx, &acc.CreateMemoryInput{Name: aws.String("tagged_memory"), EventExpiryDuration: aws.Int32(30)})
	if err != nil {
		t.Fatal(err)
	}
	gw, err := c.CreateGateway(ctx, &acc.CreateGatewayInput{
		Name: aws.String("tagged-gateway"), RoleArn: aws.String(rtRole),
		ProtocolType: types.GatewayProtocolTypeMcp, AuthorizerType: types.AuthorizerTypeAwsIam,
	})
	if err != nil {
		t.Fatal(err)
	}
	pe, err := c.CreatePolicyEngine(ctx, &acc.CreatePolicyEngineInput{Name: aws.String("tagged_engine")})
	if err != nil {
		t.Fatal(err)
	}
	reg, err := c.CreateRegistry(ctx, &acc.CreateRegistryInput{Name: aws.String("tagged_registry")})
	if err != nil {
		t.Fatal(err)
	}
	return map[string]string{
		"registry":          aws.ToString(reg.RegistryArn),
		"policy engine":     aws.ToString(pe.PolicyEngineArn),
		"gateway":           aws.ToString(gw.GatewayArn),
		"memory":            aws.ToString(mem.Memory.Arn),
		"runtime":           aws.ToString(rt.AgentRuntimeArn),
		"runtime endpoint":  aws.ToString(ep.AgentRuntimeEndpointArn),
		"workload identity": aws.ToString(wi.WorkloadIdentityArn),
		"browser":           aws.ToString(br.BrowserArn),
		"code interpreter":  aws.ToString(ci.CodeInterpreterArn),
		"browser profile":   aws.ToString(bp.ProfileArn),
	}
}

func TestTaggingEveryFamily(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client(t)
	ctx := context.Background()
	for family, arn := range taggable(t, c) {
		t.Run(family, func(t *testing.T) {
			list := func() map[string]string {
				t.Helper()
				out, err := c.ListTagsForResource(ctx, &acc.ListTagsForResourceInput{ResourceArn: aws.String(arn)})
				if err != nil {
					t.Fatal(err)
				}
				return out.Tags
			}
			if got := list(); len(got) != 0 {
				t.Fatalf("fresh resource has tags %v", got)
			}
			if _, err := c.TagResource(ctx, &acc.TagResourceInput{ResourceArn: aws.String(arn), Tags: map[string]string{"a": "1", "b": "2"}}); err != nil {
				t.Fatal(err)
			}
			// Overwrite one key, add another, leave the rest alone.
			if _, err := c.TagResource(ctx, &acc.TagResourceInput{ResourceArn: aws.String(arn), Tags: map[string]string{"b": "two", "c": ""}}); err != nil {
				t.Fatal(err)
			}
			if got, want := list(), map[string]string{"a": "1", "b": "two", "c": ""}; !reflect.DeepEqual(got, want) {
				t.Fatalf("tags %v, want %v", got, want)
			}
			// Absent keys are not an error.
			if _, err := c.UntagResource(ctx, &acc.UntagResourceInput{ResourceArn: aws.String(arn), TagKeys: []string{"a", "missing"}}); err != nil {
				t.Fatal(err)
			}
			if got, want := list(), map[string]string{"b": "two", "c": ""}; !reflect.DeepEqual(got, want) {
				t.Fatalf("after untag %v, want %v", got, want)
			}
		})
	}
}

func TestTaggingLimitsAndErrors(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client(t)
	ctx := context.Background()
	arn := aws.String(aws.ToString(rtCreate(t, c, "limits").AgentRuntimeArn))
	fifty := map[string]string{}
	for i := 0; i < 50; i++ {
		fifty[fmt.Sprintf("k%02d", i)] = "v"
	}
	if _, err := c.TagResource(ctx, &acc.TagResourceInput{ResourceArn: arn, Tags: fifty}); err != nil {
		t.Fatalf("50 tags: %v", err)
	}
	cases := []struct {
		name string
		call func() error
		code string
	}{
		{"51st tag", func() error {
			_, err := c.TagResource(ctx, &acc.TagResourceInput{ResourceArn: arn, Tags: map[string]string{"one-more": "v"}})
			return err
		}, "ServiceQuotaExceededException"},
		{"key too long", func() error {
			_, err := c.TagResource(ctx, &acc.TagResourceInput{ResourceArn: arn, Tags: map[string]string{strings.Repeat("k", 129): "v"}})
			return err
		}, "ValidationException"},
		{"value too long", func() error {
			_, err := c.TagResource(ctx, &acc.TagResourceInput{ResourceArn: arn, Tags: map[string]string{"k00": strings.Repeat("v", 257)}})
			return err
		}, "ValidationException"},
		{"bad characters", func() error {
			_, err := c.TagResource(ctx, &acc.TagResourceInput{ResourceArn: arn, Tags: map[string]string{"k00": "semi;colon"}})
			return err
		}, "ValidationException"},
		{"aws prefix", func() error {
			_, err := c.TagResource(ctx, &acc.TagResourceInput{ResourceArn: arn, Tags: map[string]string{"aws:owner": "me"}})
			return err
		}, "ValidationException"},
		{"aws prefix on create", func() error {
			_, err := c.CreateWorkloadIdentity(ctx, &acc.CreateWorkloadIdentityInput{Name: aws.String("awstag"), Tags: map[string]string{"AWS:x": "y"}})
			return err
		}, "ValidationException"},
		{"malformed arn", func() error {
			_, err := c.ListTagsForResource(ctx, &acc.ListTagsForResourceInput{ResourceArn: aws.String("not-an-arn-at-all-really")})
			return err
		}, "ValidationException"},
		{"unknown arn", func() error {
			_, err := c.ListTagsForResource(ctx, &acc.ListTagsForResourceInput{ResourceArn: aws.String("arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/nothing-0123456789")})
			return err
		}, "ResourceNotFoundException"},
		{"other account's arn", func() error {
			other := strings.Replace(aws.ToString(arn), "123456789012", "210987654321", 1)
			_, err := c.TagResource(ctx, &acc.TagResourceInput{ResourceArn: aws.String(other), Tags: map[string]string{"x": "y"}})
			return err
		}, "ResourceNotFoundException"},
		{"other region's arn", func() error {
			other := strings.Replace(aws.ToString(arn), "us-east-1", "eu-west-1", 1)
			_, err := c.UntagResource(ctx, &acc.UntagResourceInput{ResourceArn: aws.String(other), TagKeys: []string{"k00"}})
			return err
		}, "ResourceNotFoundException"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { requireCode(t, tc.call(), tc.code) })
	}
	out, err := c.ListTagsForResource(ctx, &acc.ListTagsForResourceInput{ResourceArn: arn})
	if err != nil || !reflect.DeepEqual(out.Tags, fifty) {
		t.Fatalf("failed calls changed the tags: %v %v", out, err)
	}
}

func TestTaggingConcurrentWriters(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client(t)
	ctx := context.Background()
	arn := rtCreate(t, c, "concurrent_tags").AgentRuntimeArn
	var wg sync.WaitGroup
	want := map[string]string{}
	for i := 0; i < 10; i++ {
		key := fmt.Sprintf("writer%d", i)
		want[key] = "x"
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := c.TagResource(ctx, &acc.TagResourceInput{ResourceArn: arn, Tags: map[string]string{key: "x"}}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	out, err := c.ListTagsForResource(ctx, &acc.ListTagsForResourceInput{ResourceArn: arn})
	if err != nil || !reflect.DeepEqual(out.Tags, want) {
		t.Fatalf("tags %v (%v), want every writer's key %v", out.Tags, err, want)
	}
}

func TestTagsDieWithTheirResource(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client(t)
	ctx := context.Background()
	rt, err := c.CreateAgentRuntime(ctx, &acc.CreateAgentRuntimeInput{
		AgentRuntimeName: aws.String("short_lived"), AgentRuntimeArtifact: rtContainer(rtImage), RoleArn: aws.String(rtRole),
		NetworkConfiguration: rtPublic(), Tags: map[string]string{"k": "v"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteAgentRuntime(ctx, &acc.DeleteAgentRuntimeInput{AgentRuntimeId: rt.AgentRuntimeId}); err != nil {
		t.Fatal(err)
	}
	_, err = c.ListTagsForResource(ctx, &acc.ListTagsForResourceInput{ResourceArn: rt.AgentRuntimeArn})
	requireCode(t, err, "ResourceNotFoundException")
	// A new runtime never inherits the old one's tags.
	again := rtCreate(t, c, "short_lived")
	out, err := c.ListTagsForResource(ctx, &acc.ListTagsForResourceInput{ResourceArn: again.AgentRuntimeArn})
	if err != nil || len(out.Tags) != 0 {
		t.Fatalf("new runtime has tags %v (%v)", out.Tags, err)
	}
}
