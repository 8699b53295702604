package e2e

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	acc "github.com/aws/aws-sdk-go-v2/service/bedrockagentcorecontrol"

	"agentcored/internal/store"
	"agentcored/internal/testserver"
)

func TestResourcePolicyLifecycleAndCascade(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client(t)
	ctx := context.Background()
	rt := rtCreate(t, c, "with_policy")
	policy := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::210987654321:root"},"Action":"bedrock-agentcore:InvokeAgentRuntime","Resource":"*"}]}`
	_, err := c.GetResourcePolicy(ctx, &acc.GetResourcePolicyInput{ResourceArn: rt.AgentRuntimeArn})
	requireCode(t, err, "ResourceNotFoundException")
	if _, err := c.PutResourcePolicy(ctx, &acc.PutResourcePolicyInput{ResourceArn: rt.AgentRuntimeArn, Policy: aws.String(policy)}); err != nil {
		t.Fatal(err)
	}
	got, err := c.GetResourcePolicy(ctx, &acc.GetResourcePolicyInput{ResourceArn: rt.AgentRuntimeArn})
	if err != nil || aws.ToString(got.Policy) != policy {
		t.Fatalf("policy %v %v", got, err)
	}
	_, err = c.PutResourcePolicy(ctx, &acc.PutResourcePolicyInput{ResourceArn: rt.AgentRuntimeArn, Policy: aws.String(`["not an object"]`)})
	requireCode(t, err, "ValidationException")

	// Deleting the runtime deletes its policy row with it.
	if _, err := c.DeleteAgentRuntime(ctx, &acc.DeleteAgentRuntimeInput{AgentRuntimeId: rt.AgentRuntimeId}); err != nil {
		t.Fatal(err)
	}
	err = srv.Store.Read(ctx, func(tx store.Tx) error {
		_, err := tx.Get(ctx, store.Key{Account: "123456789012", Region: "us-east-1", Kind: "resource-policy", ID: aws.ToString(rt.AgentRuntimeArn)})
		return err
	})
	if !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("policy row after the runtime was deleted: %v, want ErrNotFound", err)
	}
}
