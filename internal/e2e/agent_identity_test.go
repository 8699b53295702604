package e2e

import (
	"context"
	"io"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	dp "github.com/aws/aws-sdk-go-v2/service/bedrockagentcore"
	ctl "github.com/aws/aws-sdk-go-v2/service/bedrockagentcorecontrol"

	"agentcored/internal/testserver"
)

// TestInvokeAgentRuntimeGivesTheAgentItsIdentity: the agent receives a
// workload access token for its runtime's own workload identity, acting for
// the caller's user id, and the token works: the agent gets an API key with
// it. The caller's OAuth2CallbackUrl reaches the agent too.
func TestInvokeAgentRuntimeGivesTheAgentItsIdentity(t *testing.T) {
	agent := startAgent(t, "identity")
	srv := testserver.Start(t)
	c, d := srv.Client(t), srv.DataClient(t)
	ctx := context.Background()
	rt := invokeRuntime(t, c, "identity_agent", agent.URL, nil)
	const key = "sk-agent-identity-1234"
	if _, err := c.CreateApiKeyCredentialProvider(ctx, &ctl.CreateApiKeyCredentialProviderInput{Name: aws.String("agent-key"), ApiKey: aws.String(key)}); err != nil {
		t.Fatal(err)
	}
	out, err := d.InvokeAgentRuntime(ctx, &dp.InvokeAgentRuntimeInput{AgentRuntimeArn: rt.AgentRuntimeArn,
		Payload: []byte(`{"prompt":"who am I"}`), RuntimeUserId: aws.String("user-42")},
		withHeader("OAuth2CallbackUrl", "http://127.0.0.1:9/return"))
	if err != nil {
		t.Fatalf("InvokeAgentRuntime: %v", err)
	}
	io.Copy(io.Discard, out.Response)
	out.Response.Close()
	h := agent.lastHeaders(t)
	token := h.Get("WorkloadAccessToken")
	if token == "" {
		t.Fatalf("the agent got no WorkloadAccessToken header (headers %v)", h)
	}
	if got := h.Get("OAuth2CallbackUrl"); got != "http://127.0.0.1:9/return" {
		t.Errorf("agent got OAuth2CallbackUrl %q", got)
	}
	if got := h.Get("X-Amzn-Bedrock-Agentcore-Runtime-User-Id"); got != "user-42" {
		t.Errorf("agent got user id %q", got)
	}
	key2, err := d.GetResourceApiKey(ctx, &dp.GetResourceApiKeyInput{WorkloadIdentityToken: aws.String(token),
		ResourceCredentialProviderName: aws.String("agent-key")})
	if err != nil || aws.ToString(key2.ApiKey) != key {
		t.Fatalf("GetResourceApiKey with the agent's token: %v %v", key2, err)
	}
	// A caller cannot hand the agent a token of its own making.
	out, err = d.InvokeAgentRuntime(ctx, &dp.InvokeAgentRuntimeInput{AgentRuntimeArn: rt.AgentRuntimeArn,
		Payload: []byte(`{"prompt":"again"}`)}, withHeader("WorkloadAccessToken", "forged"))
	if err != nil {
		t.Fatalf("InvokeAgentRuntime: %v", err)
	}
	io.Copy(io.Discard, out.Response)
	out.Response.Close()
	if got := agent.lastHeaders(t).Get("WorkloadAccessToken"); got == "forged" || got == "" {
		t.Errorf("agent got WorkloadAccessToken %q, want one agentcored issued", got)
	}
}
