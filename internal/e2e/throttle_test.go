package e2e

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	ctl "github.com/aws/aws-sdk-go-v2/service/bedrockagentcorecontrol"
	"github.com/aws/aws-sdk-go-v2/service/bedrockagentcorecontrol/types"

	"agentcored/internal/auth"
	"agentcored/internal/server"
	"agentcored/internal/testserver"
)

// TestThrottling: with a rate of one request per 1000 s and a burst of one,
// the second call of an operation is throttled, per account and per
// operation; the SDK decodes ThrottlingException, and ThrottledException
// for Memory operations, which model that name instead.
func TestThrottling(t *testing.T) {
	ctx := context.Background()
	srv := testserver.Start(t, func(c *server.Config) {
		c.ThrottleRate, c.ThrottleBurst = 0.001, 1
		c.Credentials = []auth.Credential{azCredB()}
	})
	a := srv.Client(t)
	b := srv.ClientAs(t, azKeyB, azSecretB, "us-east-1")

	_, err := a.ListAgentRuntimes(ctx, &ctl.ListAgentRuntimesInput{})
	azNoErr(t, "first ListAgentRuntimes", err)
	_, err = a.ListAgentRuntimes(ctx, &ctl.ListAgentRuntimesInput{})
	azWant(t, "second ListAgentRuntimes", err, "ThrottlingException", 429, "Rate exceeded")
	var throttling *types.ThrottlingException
	if !errors.As(err, &throttling) {
		t.Errorf("the SDK did not decode %T as types.ThrottlingException", err)
	}

	// Another operation, and another account, have buckets of their own.
	_, err = a.GetAgentRuntime(ctx, &ctl.GetAgentRuntimeInput{AgentRuntimeId: aws.String("az_none-abcdefghij")})
	azWant(t, "GetAgentRuntime of the same account", err, "ResourceNotFoundException", 404, "")
	_, err = b.ListAgentRuntimes(ctx, &ctl.ListAgentRuntimesInput{})
	azNoErr(t, "ListAgentRuntimes of account B", err)

	// Memory operations throttle with ThrottledException.
	getMemory := func() error {
		_, err := a.GetMemory(ctx, &ctl.GetMemoryInput{MemoryId: aws.String("az_memory-abcdefghij")})
		return err
	}
	if code, _, _ := azErr(getMemory()); code == "ThrottlingException" || code == "ThrottledException" {
		t.Fatalf("first GetMemory throttled: %s", code)
	}
	err = getMemory()
	azWant(t, "second GetMemory", err, "ThrottledException", 429, "Rate exceeded")
	var throttled *types.ThrottledException
	if !errors.As(err, &throttled) {
		t.Errorf("the SDK did not decode %T as types.ThrottledException", err)
	}
}

// TestThrottlingDefaultIsGenerous: the built-in rate lets a burst of
// ordinary traffic through.
func TestThrottlingDefaultIsGenerous(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client(t)
	for i := range 200 {
		if _, err := c.ListAgentRuntimes(context.Background(), &ctl.ListAgentRuntimesInput{}); err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
	}
}
