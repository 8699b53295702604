package dataplane

import (
	"net/http"
	"strings"
	"testing"

	"agentcored/internal/api"
	"agentcored/internal/awserr"
	"agentcored/internal/service"
)

func TestForwardHeaders(t *testing.T) {
	target := &service.RuntimeTarget{Config: api.GetAgentRuntimeResponse{
		RequestHeaderConfiguration: &api.RequestHeaderConfiguration{RequestHeaderAllowlist: []string{"x-tenant", "Authorization", "X-Amz-Date"}}}}
	src := http.Header{}
	src.Set("X-TENANT", "t1")
	src.Set("X-Amzn-Bedrock-AgentCore-Runtime-Custom-Flag", "on")
	src.Set("X-Other", "no")
	src.Set("Authorization", "AWS4-HMAC-SHA256 Credential=...")
	src.Set("X-Amz-Date", "20250101T000000Z")
	src.Set("X-Amz-Security-Token", "secret")
	src.Set("X-Amzn-Bedrock-AgentCore-Runtime-Session-Id", "forged")
	dst := http.Header{}
	if err := forwardHeaders(dst, src, target); err != nil {
		t.Fatal(err)
	}
	want := http.Header{"X-Tenant": {"t1"}, "X-Amzn-Bedrock-Agentcore-Runtime-Custom-Flag": {"on"}}
	if len(dst) != len(want) || dst.Get("X-Tenant") != "t1" || dst.Get("X-Amzn-Bedrock-AgentCore-Runtime-Custom-Flag") != "on" {
		t.Errorf("forwarded %v, want %v", dst, want)
	}
	src.Set("X-Tenant", strings.Repeat("a", maxHeaderValue+1))
	err := forwardHeaders(http.Header{}, src, target)
	if e, ok := err.(*awserr.Error); !ok || e.Code != awserr.CodeValidation {
		t.Errorf("a 4 KB+1 value: %v, want ValidationException", err)
	}
}
