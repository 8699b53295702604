package e2e

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	acc "github.com/aws/aws-sdk-go-v2/service/bedrockagentcorecontrol"
	"github.com/aws/aws-sdk-go-v2/service/bedrockagentcorecontrol/types"

	"agentcored/internal/testserver"
)

// The request-header allowlist rules at CreateAgentRuntime and
// UpdateAgentRuntime (docs/DATAPLANE.md): a refused configuration is a
// ValidationException naming the entry, and nothing is written.

func allowlist(names ...string) types.RequestHeaderConfiguration {
	return &types.RequestHeaderConfigurationMemberRequestHeaderAllowlist{Value: names}
}

func jwtAuthorizer() types.AuthorizerConfiguration {
	return &types.AuthorizerConfigurationMemberCustomJWTAuthorizer{Value: types.CustomJWTAuthorizerConfiguration{
		DiscoveryUrl: aws.String("https://idp.example.com/.well-known/openid-configuration")}}
}

var refusedAllowlists = []struct {
	name       string
	allowlist  []string
	authorizer bool
	wantIn     string
}{
	{"x-amz", []string{"X-Tenant", "X-Amz-Date"}, false, "requestHeaderAllowlist[1]"},
	{"x-amzn", []string{"X-Amzn-Trace-Id"}, false, "X-Amzn-"},
	{"host", []string{"Host"}, false, "restricted"},
	{"content-type", []string{"Content-Type"}, false, "restricted"},
	{"duplicate by case", []string{"X-Tenant", "x-tenant"}, false, "unique"},
	{"authorization without jwt", []string{"Authorization"}, false, "customJWTAuthorizer"},
	{"contract header", []string{"WorkloadAccessToken"}, true, "restricted"},
}

func TestRuntimeHeaderAllowlistRulesCreate(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client(t)
	ctx := context.Background()
	for _, r := range refusedAllowlists {
		in := &acc.CreateAgentRuntimeInput{AgentRuntimeName: aws.String("hdr_refused"), AgentRuntimeArtifact: rtContainer(rtImage),
			RoleArn: aws.String(rtRole), NetworkConfiguration: rtPublic(), RequestHeaderConfiguration: allowlist(r.allowlist...)}
		if r.authorizer {
			in.AuthorizerConfiguration = jwtAuthorizer()
		}
		_, err := c.CreateAgentRuntime(ctx, in)
		var ve *types.ValidationException
		if !errors.As(err, &ve) || !strings.Contains(aws.ToString(ve.Message), "requestHeaderConfiguration.requestHeaderAllowlist[") ||
			!strings.Contains(aws.ToString(ve.Message), r.wantIn) {
			t.Errorf("%s: got %v, want a ValidationException naming the entry and %q", r.name, err, r.wantIn)
		}
	}
	list, err := c.ListAgentRuntimes(ctx, &acc.ListAgentRuntimesInput{})
	if err != nil || len(list.AgentRuntimes) != 0 {
		t.Fatalf("refused creates left %d runtimes (%v)", len(list.AgentRuntimes), err)
	}

	// Accepted: any other name, the Custom- prefix, Authorization with a
	// JWT authorizer.
	for i, in := range []*acc.CreateAgentRuntimeInput{
		{RequestHeaderConfiguration: allowlist("X-Tenant", "x-api-key", "X-Amzn-Bedrock-AgentCore-Runtime-Custom-Team")},
		{RequestHeaderConfiguration: allowlist("Authorization", "X-Tenant"), AuthorizerConfiguration: jwtAuthorizer()},
	} {
		in.AgentRuntimeName = aws.String("hdr_ok_" + string(rune('a'+i)))
		in.AgentRuntimeArtifact, in.RoleArn, in.NetworkConfiguration = rtContainer(rtImage), aws.String(rtRole), rtPublic()
		if _, err := c.CreateAgentRuntime(ctx, in); err != nil {
			t.Errorf("valid allowlist %d refused: %v", i, err)
		}
	}
}

func TestRuntimeHeaderAllowlistRulesUpdate(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client(t)
	ctx := context.Background()
	created, err := c.CreateAgentRuntime(ctx, &acc.CreateAgentRuntimeInput{AgentRuntimeName: aws.String("hdr_update"),
		AgentRuntimeArtifact: rtContainer(rtImage), RoleArn: aws.String(rtRole), NetworkConfiguration: rtPublic(),
		RequestHeaderConfiguration: allowlist("X-Tenant")})
	if err != nil {
		t.Fatal(err)
	}
	id := created.AgentRuntimeId
	update := func(names []string, jwt bool) error {
		in := &acc.UpdateAgentRuntimeInput{AgentRuntimeId: id, AgentRuntimeArtifact: rtContainer(rtImage),
			RoleArn: aws.String(rtRole), NetworkConfiguration: rtPublic(), RequestHeaderConfiguration: allowlist(names...)}
		if jwt {
			in.AuthorizerConfiguration = jwtAuthorizer()
		}
		_, err := c.UpdateAgentRuntime(ctx, in)
		return err
	}
	for _, r := range refusedAllowlists {
		err := update(r.allowlist, r.authorizer)
		var ve *types.ValidationException
		if !errors.As(err, &ve) || !strings.Contains(aws.ToString(ve.Message), r.wantIn) {
			t.Errorf("%s: got %v, want a ValidationException with %q", r.name, err, r.wantIn)
		}
	}
	got, err := c.GetAgentRuntime(ctx, &acc.GetAgentRuntimeInput{AgentRuntimeId: id})
	if err != nil {
		t.Fatal(err)
	}
	if v := aws.ToString(got.AgentRuntimeVersion); v != "1" {
		t.Errorf("refused updates made version %s, want still 1", v)
	}
	if hc, ok := got.RequestHeaderConfiguration.(*types.RequestHeaderConfigurationMemberRequestHeaderAllowlist); !ok || !slices.Equal(hc.Value, []string{"X-Tenant"}) {
		t.Errorf("refused updates changed the allowlist to %#v", got.RequestHeaderConfiguration)
	}

	// Authorization becomes valid with a JWT authorizer in the same update.
	if err := update([]string{"Authorization", "X-Tenant"}, true); err != nil {
		t.Fatalf("valid update refused: %v", err)
	}
	got, err = c.GetAgentRuntime(ctx, &acc.GetAgentRuntimeInput{AgentRuntimeId: id})
	if err != nil || aws.ToString(got.AgentRuntimeVersion) != "2" {
		t.Fatalf("after the valid update: version %s, %v", aws.ToString(got.AgentRuntimeVersion), err)
	}
}
