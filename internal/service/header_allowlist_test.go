package service

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"agentcored/internal/api"
	"agentcored/internal/awserr"
)

func TestCheckHeaderAllowlist(t *testing.T) {
	jwt := &api.AuthorizerConfiguration{CustomJWTAuthorizer: &api.CustomJWTAuthorizerConfiguration{
		DiscoveryUrl: "https://idp.example.com/.well-known/openid-configuration"}}
	many := make([]string, 21)
	for i := range many {
		many[i] = fmt.Sprintf("X-Tenant-%d", i)
	}
	cases := []struct {
		name       string
		allowlist  []string
		authorizer *api.AuthorizerConfiguration
		// wantIn is a substring of the error; "" means accepted.
		wantIn string
	}{
		{"plain names", []string{"X-Tenant-Id", "x-api-key", "traceparent", "X_Under"}, nil, ""},
		{"custom prefix", []string{"X-Amzn-Bedrock-AgentCore-Runtime-Custom-Tenant"}, nil, ""},
		{"custom prefix any case", []string{"x-amzn-bedrock-agentcore-runtime-custom-tenant"}, nil, ""},
		{"authorization with jwt", []string{"Authorization", "X-Tenant"}, jwt, ""},
		{"twenty names", many[:20], nil, ""},
		{"twenty-one names", many, nil, "less than or equal to 20"},
		{"authorization without jwt", []string{"X-Ok", "Authorization"}, nil, "requestHeaderAllowlist[1]' failed to satisfy constraint: The Authorization header requires"},
		{"authorization, empty authorizer", []string{"authorization"}, &api.AuthorizerConfiguration{}, "customJWTAuthorizer"},
		{"x-amz", []string{"X-Amz-Date"}, nil, "requestHeaderAllowlist[0]' failed to satisfy constraint: Headers starting with X-Amz- are reserved"},
		{"x-amz lower", []string{"x-amz-security-token"}, jwt, "X-Amz-"},
		{"x-amzn other", []string{"X-Amzn-Trace-Id"}, nil, "X-Amzn- are not allowed"},
		{"bare prefix", []string{"X-Amzn-Bedrock-AgentCore-Runtime-Custom-"}, nil, "continue after the prefix"},
		{"duplicate by case", []string{"X-Tenant", "x-tenant"}, nil, "requestHeaderAllowlist[1]' failed to satisfy constraint: Header names are case-insensitive and must be unique; it repeats requestHeaderAllowlist[0]"},
		{"host", []string{"Host"}, nil, "restricted"},
		{"content-type", []string{"content-type"}, nil, "restricted"},
		{"content-length", []string{"Content-Length"}, nil, "restricted"},
		{"connection", []string{"Connection"}, nil, "restricted"},
		{"transfer-encoding", []string{"Transfer-Encoding"}, nil, "restricted"},
		{"accept", []string{"Accept"}, nil, "restricted"},
		{"accept-language", []string{"Accept-Language"}, nil, "restricted"},
		{"cookie", []string{"Cookie"}, nil, "restricted"},
		{"cors", []string{"Origin"}, nil, "restricted"},
		{"forwarded", []string{"X-Forwarded-For"}, nil, "restricted"},
		{"upgrade", []string{"Upgrade"}, nil, "restricted"},
		{"websocket", []string{"Sec-WebSocket-Key"}, nil, "restricted"},
		{"user-agent", []string{"User-Agent"}, jwt, "restricted"},
		{"cache-control", []string{"Cache-Control"}, nil, "restricted"},
		{"proxy-authorization", []string{"Proxy-Authorization"}, jwt, "restricted"},
		{"contract session id", []string{"X-Amzn-Bedrock-AgentCore-Runtime-Session-Id"}, nil, "X-Amzn- are not allowed"},
		{"contract workload token", []string{"WorkloadAccessToken"}, nil, "restricted"},
		{"contract callback", []string{"oauth2callbackurl"}, nil, "restricted"},
		{"space in name", []string{"X Tenant"}, nil, "valid HTTP header name"},
		{"colon in name", []string{":path"}, nil, "valid HTTP header name"},
		{"empty name", []string{""}, nil, "must not be empty"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := checkHeaderAllowlist(&api.RequestHeaderConfiguration{RequestHeaderAllowlist: c.allowlist}, c.authorizer)
			if c.wantIn == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			var ae *awserr.Error
			if !errors.As(err, &ae) || ae.Code != awserr.CodeValidation {
				t.Fatalf("got %v, want a ValidationException", err)
			}
			if !strings.Contains(ae.Message, "requestHeaderConfiguration.requestHeaderAllowlist") || !strings.Contains(ae.Message, c.wantIn) {
				t.Fatalf("message %q, want it to name the field and contain %q", ae.Message, c.wantIn)
			}
		})
	}
	if err := checkHeaderAllowlist(nil, nil); err != nil {
		t.Fatalf("no configuration: %v", err)
	}
}
