package e2e

import (
	"context"
	"net/http"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	ctl "github.com/aws/aws-sdk-go-v2/service/bedrockagentcorecontrol"
	"github.com/aws/aws-sdk-go-v2/service/bedrockagentcorecontrol/types"

	"agentcored/internal/server"
	"agentcored/internal/testserver"
)

// Helpers of the gateway tests carry a "gw" prefix: the e2e package is
// shared by every family.

const (
	gwRole       = "arn:aws:iam::123456789012:role/GatewayRole"
	gwRole2      = "arn:aws:iam::123456789012:role/GatewayRole2"
	gwLambda     = "arn:aws:lambda:us-east-1:123456789012:function:tools"
	gwInterceptA = "arn:aws:lambda:us-east-1:123456789012:function:interceptor"
	gwKMS        = "arn:aws:kms:us-east-1:123456789012:key/12345678-1234-1234-1234-123456789012"
	gwEngine     = "arn:aws:bedrock-agentcore:us-east-1:123456789012:policy-engine/engine_x-abcdefghij"
	gwApiKeyARN  = "arn:aws:bedrock-agentcore:us-east-1:123456789012:token-vault/default/apikeycredentialprovider/search"
	gwOAuthARN   = "arn:aws:bedrock-agentcore:us-east-1:123456789012:token-vault/default/oauth2credentialprovider/github"
	gwBundleARN  = "arn:aws:bedrock-agentcore:us-east-1:123456789012:configuration-bundle/bundle_x-abcdefghij"
	gwIDPattern  = `-[a-z0-9]{10}$`
)

func gwCreate(t *testing.T, c *ctl.Client, name string) *ctl.CreateGatewayOutput {
	t.Helper()
	out, err := c.CreateGateway(context.Background(), &ctl.CreateGatewayInput{
		Name: aws.String(name), RoleArn: aws.String(gwRole), AuthorizerType: types.AuthorizerTypeAwsIam,
		ProtocolType: types.GatewayProtocolTypeMcp,
	})
	if err != nil {
		t.Fatalf("CreateGateway %s: %v", name, err)
	}
	return out
}

func gwMcpServer(endpoint string) types.TargetConfiguration {
	return &types.TargetConfigurationMemberMcp{Value: &types.McpTargetConfigurationMemberMcpServer{
		Value: types.McpServerTargetConfiguration{Endpoint: aws.String(endpoint)}}}
}

func gwLambdaTarget() types.TargetConfiguration {
	return &types.TargetConfigurationMemberMcp{Value: &types.McpTargetConfigurationMemberLambda{Value: types.McpLambdaTargetConfiguration{
		LambdaArn: aws.String(gwLambda),
		ToolSchema: &types.ToolSchemaMemberInlinePayload{Value: []types.ToolDefinition{{
			Name: aws.String("search"), Description: aws.String("Searches the catalogue"),
			InputSchema: &types.SchemaDefinition{Type: types.SchemaTypeObject,
				Properties: map[string]types.SchemaDefinition{"q": {Type: types.SchemaTypeString, Description: aws.String("query")}},
				Required:   []string{"q"}},
		}}},
	}}}
}

func gwIAMRole() []types.CredentialProviderConfiguration {
	return []types.CredentialProviderConfiguration{{CredentialProviderType: types.CredentialProviderTypeGatewayIamRole}}
}

func gwCreateTarget(t *testing.T, c *ctl.Client, gatewayID *string, name string) *ctl.CreateGatewayTargetOutput {
	t.Helper()
	out, err := c.CreateGatewayTarget(context.Background(), &ctl.CreateGatewayTargetInput{
		GatewayIdentifier: gatewayID, Name: aws.String(name), TargetConfiguration: gwMcpServer("https://mcp.example.com/" + name),
	})
	if err != nil {
		t.Fatalf("CreateGatewayTarget %s: %v", name, err)
	}
	return out
}

func gwStaticRoute(target string) []types.Action {
	return []types.Action{&types.ActionMemberRouteToTarget{Value: &types.RouteToTargetActionMemberStaticRoute{
		Value: types.StaticRoute{TargetName: aws.String(target)}}}}
}

func gwCreateRule(t *testing.T, c *ctl.Client, gatewayID *string, priority int32) *ctl.CreateGatewayRuleOutput {
	t.Helper()
	out, err := c.CreateGatewayRule(context.Background(), &ctl.CreateGatewayRuleInput{
		GatewayIdentifier: gatewayID, Priority: aws.Int32(priority), Actions: gwStaticRoute("default-target"),
	})
	if err != nil {
		t.Fatalf("CreateGatewayRule %d: %v", priority, err)
	}
	return out
}

func TestGatewayCreateRoundTripsEveryMember(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client(t)
	ctx := context.Background()
	in := &ctl.CreateGatewayInput{
		Name:         aws.String("Full-Gateway1"),
		Description:  aws.String("every member"),
		RoleArn:      aws.String(gwRole),
		ProtocolType: types.GatewayProtocolTypeMcp,
		ProtocolConfiguration: &types.GatewayProtocolConfigurationMemberMcp{Value: types.MCPGatewayConfiguration{
			SupportedVersions:      []string{"2025-03-26", "2025-06-18"},
			Instructions:           aws.String("use the tools"),
			SearchType:             types.SearchTypeSemantic,
			SessionConfiguration:   &types.SessionConfiguration{SessionTimeoutInSeconds: aws.Int32(1800)},
			StreamingConfiguration: &types.StreamingConfiguration{EnableResponseStreaming: aws.Bool(true)},
		}},
		AuthorizerType: types.AuthorizerTypeCustomJwt,
		AuthorizerConfiguration: &types.AuthorizerConfigurationMemberCustomJWTAuthorizer{Value: types.CustomJWTAuthorizerConfiguration{
			DiscoveryUrl:    aws.String("https://idp.example.com/.well-known/openid-configuration"),
			AllowedAudience: []string{"aud1"},
			AllowedClients:  []string{"client1", "client2"},
			AllowedScopes:   []string{"tools:read"},
		}},
		KmsKeyArn: aws.String(gwKMS),
		InterceptorConfigurations: []types.GatewayInterceptorConfiguration{{
			Interceptor:        &types.InterceptorConfigurationMemberLambda{Value: types.LambdaInterceptorConfiguration{Arn: aws.String(gwInterceptA)}},
			InterceptionPoints: []types.GatewayInterceptionPoint{types.GatewayInterceptionPointRequest, types.GatewayInterceptionPointResponse},
			InputConfiguration: &types.InterceptorInputConfiguration{PassRequestHeaders: aws.Bool(true)},
		}},
		PolicyEngineConfiguration: &types.GatewayPolicyEngineConfiguration{Arn: aws.String(gwEngine), Mode: types.GatewayPolicyEngineModeLogOnly},
		ExceptionLevel:            types.ExceptionLevelDebug,
		Tags:                      map[string]string{"team": "tools", "env": "test"},
	}
	created, err := c.CreateGateway(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	if code := httpStatus(t, created.ResultMetadata); code != http.StatusAccepted {
		t.Errorf("CreateGateway answered %d, want 202", code)
	}
	id := aws.ToString(created.GatewayId)
	if !strings.HasPrefix(id, "full-gateway1-") || !regexp.MustCompile(`^full-gateway1`+gwIDPattern).MatchString(id) {
		t.Fatalf("gateway id %q is not <lower-cased name>-<10 lower-case alphanumerics>", id)
	}
	wantARN := "arn:aws:bedrock-agentcore:us-east-1:123456789012:gateway/" + id
	wantURL := "https://" + id + ".gateway.bedrock-agentcore.us-east-1.amazonaws.com/mcp"
	wantWI := "arn:aws:bedrock-agentcore:us-east-1:123456789012:workload-identity-directory/default/workload-identity/" + id
	if aws.ToString(created.GatewayArn) != wantARN || aws.ToString(created.GatewayUrl) != wantURL || created.Status != types.GatewayStatusCreating ||
		created.WorkloadIdentityDetails == nil || aws.ToString(created.WorkloadIdentityDetails.WorkloadIdentityArn) != wantWI ||
		aws.ToString(created.Name) != "Full-Gateway1" || created.CreatedAt == nil || created.UpdatedAt == nil {
		t.Fatalf("create answer: %+v", created)
	}
	if !reflect.DeepEqual(created.AuthorizerConfiguration, in.AuthorizerConfiguration) || !reflect.DeepEqual(created.ProtocolConfiguration, in.ProtocolConfiguration) {
		t.Errorf("create answer does not echo the configuration: %+v", created)
	}

	got, err := c.GetGateway(ctx, &ctl.GetGatewayInput{GatewayIdentifier: aws.String(id)})
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"status", got.Status, types.GatewayStatusReady},
		{"name", aws.ToString(got.Name), "Full-Gateway1"},
		{"description", aws.ToString(got.Description), "every member"},
		{"role", aws.ToString(got.RoleArn), gwRole},
		{"arn", aws.ToString(got.GatewayArn), wantARN},
		{"url", aws.ToString(got.GatewayUrl), wantURL},
		{"protocolType", got.ProtocolType, types.GatewayProtocolTypeMcp},
		{"protocolConfiguration", got.ProtocolConfiguration, in.ProtocolConfiguration},
		{"authorizerType", got.AuthorizerType, types.AuthorizerTypeCustomJwt},
		{"authorizerConfiguration", got.AuthorizerConfiguration, in.AuthorizerConfiguration},
		{"kms", aws.ToString(got.KmsKeyArn), gwKMS},
		{"interceptors", got.InterceptorConfigurations, in.InterceptorConfigurations},
		{"policyEngine", got.PolicyEngineConfiguration, in.PolicyEngineConfiguration},
		{"exceptionLevel", got.ExceptionLevel, types.ExceptionLevelDebug},
		{"workloadIdentity", aws.ToString(got.WorkloadIdentityDetails.WorkloadIdentityArn), wantWI},
		{"statusReasons", len(got.StatusReasons), 0},
	}
	for _, ch := range checks {
		if !reflect.DeepEqual(ch.got, ch.want) {
			t.Errorf("%s: got %#v, want %#v", ch.name, ch.got, ch.want)
		}
	}

	// Tags at create, then through TagResource; a resource policy too.
	tags, err := c.ListTagsForResource(ctx, &ctl.ListTagsForResourceInput{ResourceArn: aws.String(wantARN)})
	if err != nil || !reflect.DeepEqual(tags.Tags, in.Tags) {
		t.Fatalf("tags %v (%v), want %v", tags, err, in.Tags)
	}
	if _, err := c.TagResource(ctx, &ctl.TagResourceInput{ResourceArn: aws.String(wantARN), Tags: map[string]string{"owner": "me"}}); err != nil {
		t.Fatal(err)
	}
	tags, _ = c.ListTagsForResource(ctx, &ctl.ListTagsForResourceInput{ResourceArn: aws.String(wantARN)})
	if tags.Tags["owner"] != "me" || len(tags.Tags) != 3 {
		t.Errorf("tags after TagResource: %v", tags.Tags)
	}
	policy := `{"Version":"2012-10-17","Statement":[]}`
	if _, err := c.PutResourcePolicy(ctx, &ctl.PutResourcePolicyInput{ResourceArn: aws.String(wantARN), Policy: aws.String(policy)}); err != nil {
		t.Fatal(err)
	}

	// The linked workload identity exists and cannot be deleted by the caller.
	wi, err := c.GetWorkloadIdentity(ctx, &ctl.GetWorkloadIdentityInput{Name: aws.String(id)})
	if err != nil || aws.ToString(wi.WorkloadIdentityArn) != wantWI {
		t.Fatalf("linked identity: %+v, %v", wi, err)
	}
	_, err = c.DeleteWorkloadIdentity(ctx, &ctl.DeleteWorkloadIdentityInput{Name: aws.String(id)})
	wantCode(t, "delete linked identity", err, "ValidationException")

	list, err := c.ListGateways(ctx, &ctl.ListGatewaysInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Items) != 1 {
		t.Fatalf("list = %+v", list.Items)
	}
	if it := list.Items[0]; aws.ToString(it.GatewayId) != id || aws.ToString(it.Name) != "Full-Gateway1" || it.Status != types.GatewayStatusReady ||
		aws.ToString(it.Description) != "every member" || it.AuthorizerType != types.AuthorizerTypeCustomJwt ||
		it.ProtocolType != types.GatewayProtocolTypeMcp || it.CreatedAt == nil || it.UpdatedAt == nil {
		t.Errorf("summary = %+v", it)
	}

	// Update replaces the whole configuration.
	upd, err := c.UpdateGateway(ctx, &ctl.UpdateGatewayInput{
		GatewayIdentifier: aws.String(id), Name: aws.String("Full-Gateway1"), RoleArn: aws.String(gwRole2),
		AuthorizerType: types.AuthorizerTypeNone, Description: aws.String("replaced"),
	})
	if err != nil {
		t.Fatal(err)
	}
	if code := httpStatus(t, upd.ResultMetadata); code != http.StatusAccepted || upd.Status != types.GatewayStatusUpdating ||
		aws.ToString(upd.GatewayId) != id || aws.ToString(upd.RoleArn) != gwRole2 || upd.WorkloadIdentityDetails == nil {
		t.Errorf("update answer %d %+v", code, upd)
	}
	got, err = c.GetGateway(ctx, &ctl.GetGatewayInput{GatewayIdentifier: aws.String(id)})
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != types.GatewayStatusReady || aws.ToString(got.Description) != "replaced" || aws.ToString(got.RoleArn) != gwRole2 ||
		got.AuthorizerType != types.AuthorizerTypeNone || got.AuthorizerConfiguration != nil || got.ProtocolConfiguration != nil ||
		got.KmsKeyArn != nil || got.InterceptorConfigurations != nil || got.PolicyEngineConfiguration != nil || got.ExceptionLevel != "" ||
		got.ProtocolType != types.GatewayProtocolTypeMcp || aws.ToString(got.GatewayUrl) != wantURL {
		t.Errorf("after update: %+v", got)
	}
	_, err = c.UpdateGateway(ctx, &ctl.UpdateGatewayInput{
		GatewayIdentifier: aws.String(id), Name: aws.String("Other-Name"), RoleArn: aws.String(gwRole), AuthorizerType: types.AuthorizerTypeNone,
	})
	wantCode(t, "rename through update", err, "ValidationException")

	del, err := c.DeleteGateway(ctx, &ctl.DeleteGatewayInput{GatewayIdentifier: aws.String(id)})
	if err != nil {
		t.Fatal(err)
	}
	if code := httpStatus(t, del.ResultMetadata); code != http.StatusAccepted || del.Status != types.GatewayStatusDeleting || aws.ToString(del.GatewayId) != id {
		t.Errorf("delete answer %d %+v", code, del)
	}
	_, err = c.GetGateway(ctx, &ctl.GetGatewayInput{GatewayIdentifier: aws.String(id)})
	wantCode(t, "get after delete", err, "ResourceNotFoundException")
	_, err = c.GetWorkloadIdentity(ctx, &ctl.GetWorkloadIdentityInput{Name: aws.String(id)})
	wantCode(t, "linked identity after delete", err, "ResourceNotFoundException")
	_, err = c.ListTagsForResource(ctx, &ctl.ListTagsForResourceInput{ResourceArn: aws.String(wantARN)})
	wantCode(t, "tags after delete", err, "ResourceNotFoundException")
	_, err = c.GetResourcePolicy(ctx, &ctl.GetResourcePolicyInput{ResourceArn: aws.String(wantARN)})
	wantCode(t, "resource policy after delete", err, "ResourceNotFoundException")
	_, err = c.DeleteGateway(ctx, &ctl.DeleteGatewayInput{GatewayIdentifier: aws.String(id)})
	wantCode(t, "second delete", err, "ResourceNotFoundException")
	// The name is free again.
	gwCreate(t, c, "Full-Gateway1")
}

func TestGatewayValidationConflictAndQuotas(t *testing.T) {
	srv := testserver.Start(t, func(c *server.Config) {
		c.Quotas.GatewaysPerAccount = 2
		c.Quotas.TargetsPerGateway = 1
		c.Quotas.RulesPerGateway = 1
	})
	c := srv.Client(t)
	ctx := context.Background()
	gw := gwCreate(t, c, "dup")
	_, err := c.CreateGateway(ctx, &ctl.CreateGatewayInput{Name: aws.String("dup"), RoleArn: aws.String(gwRole), AuthorizerType: types.AuthorizerTypeNone})
	wantCode(t, "duplicate name", err, "ConflictException")

	jwt := &types.AuthorizerConfigurationMemberCustomJWTAuthorizer{Value: types.CustomJWTAuthorizerConfiguration{
		DiscoveryUrl: aws.String("https://idp.example.com/.well-known/openid-configuration"), AllowedClients: []string{"c"}}}
	for _, tc := range []struct {
		name string
		in   *ctl.CreateGatewayInput
	}{
		{"jwt without configuration", &ctl.CreateGatewayInput{Name: aws.String("v1"), RoleArn: aws.String(gwRole), AuthorizerType: types.AuthorizerTypeCustomJwt}},
		{"configuration without jwt", &ctl.CreateGatewayInput{Name: aws.String("v2"), RoleArn: aws.String(gwRole), AuthorizerType: types.AuthorizerTypeNone, AuthorizerConfiguration: jwt}},
		{"underscore in name", &ctl.CreateGatewayInput{Name: aws.String("bad_name"), RoleArn: aws.String(gwRole), AuthorizerType: types.AuthorizerTypeNone}},
		{"reserved tag key", &ctl.CreateGatewayInput{Name: aws.String("v3"), RoleArn: aws.String(gwRole), AuthorizerType: types.AuthorizerTypeNone, Tags: map[string]string{"aws:x": "y"}}},
	} {
		_, err := c.CreateGateway(ctx, tc.in)
		wantCode(t, tc.name, err, "ValidationException")
	}
	// The path label is the gateway id; an ARN does not match its pattern.
	_, err = c.GetGateway(ctx, &ctl.GetGatewayInput{GatewayIdentifier: gw.GatewayArn})
	wantCode(t, "ARN as identifier", err, "ValidationException")
	_, err = c.GetGateway(ctx, &ctl.GetGatewayInput{GatewayIdentifier: aws.String("missing-abcdefghij")})
	wantCode(t, "unknown gateway", err, "ResourceNotFoundException")

	gwCreate(t, c, "second")
	_, err = c.CreateGateway(ctx, &ctl.CreateGatewayInput{Name: aws.String("third"), RoleArn: aws.String(gwRole), AuthorizerType: types.AuthorizerTypeNone})
	wantCode(t, "gateway quota", err, "ServiceQuotaExceededException")

	gwCreateTarget(t, c, gw.GatewayId, "only")
	_, err = c.CreateGatewayTarget(ctx, &ctl.CreateGatewayTargetInput{GatewayIdentifier: gw.GatewayId, Name: aws.String("only"), TargetConfiguration: gwMcpServer("https://x.example.com")})
	wantCode(t, "duplicate target name", err, "ConflictException")
	_, err = c.CreateGatewayTarget(ctx, &ctl.CreateGatewayTargetInput{GatewayIdentifier: gw.GatewayId, Name: aws.String("more"), TargetConfiguration: gwMcpServer("https://x.example.com")})
	wantCode(t, "target quota", err, "ServiceQuotaExceededException")

	gwCreateRule(t, c, gw.GatewayId, 10)
	_, err = c.CreateGatewayRule(ctx, &ctl.CreateGatewayRuleInput{GatewayIdentifier: gw.GatewayId, Priority: aws.Int32(10), Actions: gwStaticRoute("t")})
	wantCode(t, "duplicate priority", err, "ConflictException")
	_, err = c.CreateGatewayRule(ctx, &ctl.CreateGatewayRuleInput{GatewayIdentifier: gw.GatewayId, Priority: aws.Int32(20), Actions: gwStaticRoute("t")})
	wantCode(t, "rule quota", err, "ServiceQuotaExceededException")

	// Target configuration rules the model cannot express.
	apiKeyWithoutProvider := []types.CredentialProviderConfiguration{{CredentialProviderType: types.CredentialProviderTypeApiKey}}
	oauthAsAPIKey := []types.CredentialProviderConfiguration{{CredentialProviderType: types.CredentialProviderTypeApiKey,
		CredentialProvider: &types.CredentialProviderMemberOauthCredentialProvider{Value: types.OAuthCredentialProvider{
			ProviderArn: aws.String(gwOAuthARN), Scopes: []string{"repo"}}}}}
	staticSchema := &types.TargetConfigurationMemberMcp{Value: &types.McpTargetConfigurationMemberMcpServer{Value: types.McpServerTargetConfiguration{
		Endpoint: aws.String("https://mcp.example.com"), McpToolSchema: &types.McpToolSchemaConfigurationMemberInlinePayload{Value: `{"tools":[]}`}}}}
	// These are checked before the gateway's target quota (already used up).
	for _, tc := range []struct {
		name  string
		cfg   types.TargetConfiguration
		creds []types.CredentialProviderConfiguration
	}{
		{"API_KEY without its provider", gwMcpServer("https://x.example.com"), apiKeyWithoutProvider},
		{"provider of another type", gwMcpServer("https://x.example.com"), oauthAsAPIKey},
		{"static schema without authorization code", staticSchema, nil},
		{"two credential providers", gwLambdaTarget(), append(gwIAMRole(), gwIAMRole()...)},
	} {
		_, err := c.CreateGatewayTarget(ctx, &ctl.CreateGatewayTargetInput{GatewayIdentifier: gw.GatewayId, Name: aws.String("bad"),
			TargetConfiguration: tc.cfg, CredentialProviderConfigurations: tc.creds})
		wantCode(t, tc.name, err, "ValidationException")
	}
	_, err = c.CreateGatewayTarget(ctx, &ctl.CreateGatewayTargetInput{GatewayIdentifier: aws.String("missing-abcdefghij"), Name: aws.String("t"), TargetConfiguration: gwMcpServer("https://x.example.com")})
	wantCode(t, "target of an unknown gateway", err, "ResourceNotFoundException")
}

func TestGatewayIdempotentCreates(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client(t)
	ctx := context.Background()
	gwIn := func(desc string) *ctl.CreateGatewayInput {
		return &ctl.CreateGatewayInput{Name: aws.String("retry"), Description: aws.String(desc), RoleArn: aws.String(gwRole),
			AuthorizerType: types.AuthorizerTypeAwsIam, ClientToken: aws.String(clientToken("gateway-token"))}
	}
	first, err := c.CreateGateway(ctx, gwIn("one"))
	if err != nil {
		t.Fatal(err)
	}
	again, err := c.CreateGateway(ctx, gwIn("one"))
	if err != nil {
		t.Fatalf("replay: %v", err)
	}
	if aws.ToString(again.GatewayId) != aws.ToString(first.GatewayId) || again.Status != types.GatewayStatusCreating ||
		httpStatus(t, again.ResultMetadata) != http.StatusAccepted {
		t.Errorf("replay answered %+v, first %+v", again, first)
	}
	_, err = c.CreateGateway(ctx, gwIn("two"))
	if reason, _ := validationReason(err); reason != types.ValidationExceptionReasonIdempotentParameterMismatchException {
		t.Errorf("same token, other parameters: %v", err)
	}
	list, _ := c.ListGateways(ctx, &ctl.ListGatewaysInput{})
	if len(list.Items) != 1 {
		t.Errorf("%d gateways after a replayed create", len(list.Items))
	}

	tIn := func(endpoint string) *ctl.CreateGatewayTargetInput {
		return &ctl.CreateGatewayTargetInput{GatewayIdentifier: first.GatewayId, Name: aws.String("t1"),
			TargetConfiguration: gwMcpServer(endpoint), ClientToken: aws.String(clientToken("target-token"))}
	}
	t1, err := c.CreateGatewayTarget(ctx, tIn("https://a.example.com"))
	if err != nil {
		t.Fatal(err)
	}
	t2, err := c.CreateGatewayTarget(ctx, tIn("https://a.example.com"))
	if err != nil || aws.ToString(t2.TargetId) != aws.ToString(t1.TargetId) {
		t.Errorf("target replay: %v %v", t2, err)
	}
	_, err = c.CreateGatewayTarget(ctx, tIn("https://b.example.com"))
	if reason, _ := validationReason(err); reason != types.ValidationExceptionReasonIdempotentParameterMismatchException {
		t.Errorf("target token mismatch: %v", err)
	}

	rIn := func(priority int32) *ctl.CreateGatewayRuleInput {
		return &ctl.CreateGatewayRuleInput{GatewayIdentifier: first.GatewayId, Priority: aws.Int32(priority),
			Actions: gwStaticRoute("t1"), ClientToken: aws.String(clientToken("rule-token"))}
	}
	r1, err := c.CreateGatewayRule(ctx, rIn(5))
	if err != nil {
		t.Fatal(err)
	}
	r2, err := c.CreateGatewayRule(ctx, rIn(5))
	if err != nil || aws.ToString(r2.RuleId) != aws.ToString(r1.RuleId) {
		t.Errorf("rule replay: %v %v", r2, err)
	}
	_, err = c.CreateGatewayRule(ctx, rIn(6))
	if reason, _ := validationReason(err); reason != types.ValidationExceptionReasonIdempotentParameterMismatchException {
		t.Errorf("rule token mismatch: %v", err)
	}
}

// gwPage drains a listing with maxResults 1 and returns the ids seen.
func gwPage(t *testing.T, what string, fetch func(token *string) ([]string, *string, error)) []string {
	t.Helper()
	var ids []string
	var token *string
	for pages := 0; ; pages++ {
		got, next, err := fetch(token)
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if len(got) > 1 {
			t.Fatalf("%s: page of %d with maxResults 1", what, len(got))
		}
		ids = append(ids, got...)
		if next == nil {
			return ids
		}
		if aws.ToString(next) == "" {
			t.Fatalf("%s: empty-string nextToken", what)
		}
		if pages > 10 {
			t.Fatalf("%s: pagination does not end", what)
		}
		token = next
	}
}

func TestGatewayPagination(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client(t)
	ctx := context.Background()
	var gws []string
	for _, name := range []string{"page-a", "page-b", "page-c"} {
		gws = append(gws, aws.ToString(gwCreate(t, c, name).GatewayId))
	}
	got := gwPage(t, "ListGateways", func(token *string) ([]string, *string, error) {
		out, err := c.ListGateways(ctx, &ctl.ListGatewaysInput{MaxResults: aws.Int32(1), NextToken: token})
		if err != nil {
			return nil, nil, err
		}
		var ids []string
		for _, it := range out.Items {
			ids = append(ids, aws.ToString(it.GatewayId))
		}
		return ids, out.NextToken, nil
	})
	if !reflect.DeepEqual(got, gws) {
		t.Errorf("gateways %v, want %v", got, gws)
	}

	gw := aws.String(gws[0])
	var targets, rules []string
	for i, name := range []string{"ta", "tb", "tc"} {
		targets = append(targets, aws.ToString(gwCreateTarget(t, c, gw, name).TargetId))
		rules = append(rules, aws.ToString(gwCreateRule(t, c, gw, int32(i+1)).RuleId))
	}
	got = gwPage(t, "ListGatewayTargets", func(token *string) ([]string, *string, error) {
		out, err := c.ListGatewayTargets(ctx, &ctl.ListGatewayTargetsInput{GatewayIdentifier: gw, MaxResults: aws.Int32(1), NextToken: token})
		if err != nil {
			return nil, nil, err
		}
		var ids []string
		for _, it := range out.Items {
			ids = append(ids, aws.ToString(it.TargetId))
		}
		return ids, out.NextToken, nil
	})
	if !reflect.DeepEqual(got, targets) {
		t.Errorf("targets %v, want %v", got, targets)
	}
	got = gwPage(t, "ListGatewayRules", func(token *string) ([]string, *string, error) {
		out, err := c.ListGatewayRules(ctx, &ctl.ListGatewayRulesInput{GatewayIdentifier: gw, MaxResults: aws.Int32(1), NextToken: token})
		if err != nil {
			return nil, nil, err
		}
		var ids []string
		for _, it := range out.GatewayRules {
			ids = append(ids, aws.ToString(it.RuleId))
		}
		return ids, out.NextToken, nil
	})
	if !reflect.DeepEqual(got, rules) {
		t.Errorf("rules %v, want %v", got, rules)
	}

	// The model's bounds: 1..1000 for gateways and targets, 1..100 for rules.
	if _, err := c.ListGateways(ctx, &ctl.ListGatewaysInput{MaxResults: aws.Int32(1000)}); err != nil {
		t.Errorf("maxResults 1000: %v", err)
	}
	_, err := c.ListGateways(ctx, &ctl.ListGatewaysInput{MaxResults: aws.Int32(1001)})
	wantCode(t, "ListGateways maxResults 1001", err, "ValidationException")
	_, err = c.ListGatewayTargets(ctx, &ctl.ListGatewayTargetsInput{GatewayIdentifier: gw, MaxResults: aws.Int32(1001)})
	wantCode(t, "ListGatewayTargets maxResults 1001", err, "ValidationException")
	_, err = c.ListGatewayRules(ctx, &ctl.ListGatewayRulesInput{GatewayIdentifier: gw, MaxResults: aws.Int32(101)})
	wantCode(t, "ListGatewayRules maxResults 101", err, "ValidationException")
	// A token of one listing is no good for another.
	out, err := c.ListGatewayTargets(ctx, &ctl.ListGatewayTargetsInput{GatewayIdentifier: gw, MaxResults: aws.Int32(1)})
	if err != nil || out.NextToken == nil {
		t.Fatalf("first target page: %v %v", out, err)
	}
	_, err = c.ListGateways(ctx, &ctl.ListGatewaysInput{NextToken: out.NextToken})
	wantCode(t, "foreign nextToken", err, "ValidationException")
	_, err = c.ListGatewayTargets(ctx, &ctl.ListGatewayTargetsInput{GatewayIdentifier: aws.String(gws[1]), NextToken: out.NextToken})
	wantCode(t, "other gateway's nextToken", err, "ValidationException")
}

func TestGatewayTargets(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client(t)
	ctx := context.Background()
	gw := gwCreate(t, c, "targets")
	other := gwCreate(t, c, "elsewhere")

	in := &ctl.CreateGatewayTargetInput{
		GatewayIdentifier: gw.GatewayId,
		Name:              aws.String("search-tools"),
		Description:       aws.String("the search MCP server"),
		TargetConfiguration: &types.TargetConfigurationMemberMcp{Value: &types.McpTargetConfigurationMemberMcpServer{Value: types.McpServerTargetConfiguration{
			Endpoint: aws.String("https://search.internal.example.com/mcp"), ListingMode: types.ListingModeDynamic, ResourcePriority: aws.Int32(7),
		}}},
		CredentialProviderConfigurations: []types.CredentialProviderConfiguration{{
			CredentialProviderType: types.CredentialProviderTypeApiKey,
			CredentialProvider: &types.CredentialProviderMemberApiKeyCredentialProvider{Value: types.GatewayApiKeyCredentialProvider{
				ProviderArn: aws.String(gwApiKeyARN), CredentialParameterName: aws.String("X-Api-Key"),
				CredentialPrefix: aws.String("Key"), CredentialLocation: types.ApiKeyCredentialLocationHeader,
			}},
		}},
		MetadataConfiguration: &types.MetadataConfiguration{
			AllowedRequestHeaders: []string{"X-Tenant"}, AllowedQueryParameters: []string{"region"}, AllowedResponseHeaders: []string{"X-Trace"},
		},
		PrivateEndpoint: &types.PrivateEndpointMemberManagedVpcResource{Value: types.ManagedVpcResource{
			VpcIdentifier: aws.String("vpc-0123456789abcdef0"), SubnetIds: []string{"subnet-0123456789abcdef0"},
			EndpointIpAddressType: types.EndpointIpAddressTypeIpv4, SecurityGroupIds: []string{"sg-0123456789abcdef0"},
		}},
	}
	created, err := c.CreateGatewayTarget(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	tid := aws.ToString(created.TargetId)
	if code := httpStatus(t, created.ResultMetadata); code != http.StatusAccepted || created.Status != types.TargetStatusCreating ||
		!regexp.MustCompile(`^[0-9a-zA-Z]{10}$`).MatchString(tid) || aws.ToString(created.GatewayArn) != aws.ToString(gw.GatewayArn) ||
		aws.ToString(created.Name) != "search-tools" || created.ProtocolType != types.TargetProtocolTypeMcp {
		t.Fatalf("create target answered %d %+v", code, created)
	}

	got, err := c.GetGatewayTarget(ctx, &ctl.GetGatewayTargetInput{GatewayIdentifier: gw.GatewayId, TargetId: aws.String(tid)})
	if err != nil {
		t.Fatal(err)
	}
	for _, ch := range []struct {
		name      string
		got, want any
	}{
		{"status", got.Status, types.TargetStatusReady},
		{"description", aws.ToString(got.Description), "the search MCP server"},
		{"targetConfiguration", got.TargetConfiguration, in.TargetConfiguration},
		{"credentials", got.CredentialProviderConfigurations, in.CredentialProviderConfigurations},
		{"metadata", got.MetadataConfiguration, in.MetadataConfiguration},
		{"privateEndpoint", got.PrivateEndpoint, in.PrivateEndpoint},
		{"protocolType", got.ProtocolType, types.TargetProtocolTypeMcp},
		{"authorizationData", got.AuthorizationData, types.AuthorizationData(nil)},
	} {
		if !reflect.DeepEqual(ch.got, ch.want) {
			t.Errorf("%s: got %#v, want %#v", ch.name, ch.got, ch.want)
		}
	}
	if got.LastSynchronizedAt == nil {
		t.Error("an MCP server target is synchronized when created: lastSynchronizedAt missing")
	}
	if len(got.PrivateEndpointManagedResources) != 1 || aws.ToString(got.PrivateEndpointManagedResources[0].Domain) != "search.internal.example.com" ||
		!strings.Contains(aws.ToString(got.PrivateEndpointManagedResources[0].ResourceGatewayArn), ":resourcegateway/rgw-") {
		t.Errorf("managed resources = %+v", got.PrivateEndpointManagedResources)
	}

	// Names are unique within a gateway only.
	_, err = c.CreateGatewayTarget(ctx, &ctl.CreateGatewayTargetInput{GatewayIdentifier: gw.GatewayId, Name: aws.String("search-tools"), TargetConfiguration: gwMcpServer("https://x.example.com")})
	wantCode(t, "same name, same gateway", err, "ConflictException")
	gwCreateTarget(t, c, other.GatewayId, "search-tools")
	lambda := gwCreateTarget(t, c, gw.GatewayId, "second")

	list, err := c.ListGatewayTargets(ctx, &ctl.ListGatewayTargetsInput{GatewayIdentifier: gw.GatewayId})
	if err != nil || len(list.Items) != 2 {
		t.Fatalf("list = %+v, %v", list, err)
	}
	if it := list.Items[0]; aws.ToString(it.TargetId) != tid || aws.ToString(it.Name) != "search-tools" || it.Status != types.TargetStatusReady ||
		aws.ToString(it.Description) != "the search MCP server" || aws.ToInt32(it.ResourcePriority) != 7 || it.CreatedAt == nil || it.UpdatedAt == nil {
		t.Errorf("summary = %+v", it)
	}
	if aws.ToInt32(list.Items[1].ResourcePriority) != 1000 {
		t.Errorf("default resource priority = %v, want 1000", list.Items[1].ResourcePriority)
	}
	// botocore 1.43.67 models ResourceNotFoundException on ListGatewayTargets.
	_, err = c.ListGatewayTargets(ctx, &ctl.ListGatewayTargetsInput{GatewayIdentifier: aws.String("missing-abcdefghij")})
	wantCode(t, "targets of an unknown gateway", err, "ResourceNotFoundException")

	// A gateway with targets cannot be deleted.
	_, err = c.DeleteGateway(ctx, &ctl.DeleteGatewayInput{GatewayIdentifier: gw.GatewayId})
	wantCode(t, "delete gateway with targets", err, "ValidationException")
	if err != nil && !strings.Contains(err.Error(), "Gateway "+aws.ToString(gw.GatewayId)+" has targets associated with it. Delete all targets before deleting the gateway.") {
		t.Errorf("message: %v", err)
	}

	// Update replaces the configuration and may rename; names stay unique.
	upd, err := c.UpdateGatewayTarget(ctx, &ctl.UpdateGatewayTargetInput{GatewayIdentifier: gw.GatewayId, TargetId: lambda.TargetId,
		Name: aws.String("lambda-tools"), TargetConfiguration: gwLambdaTarget(), CredentialProviderConfigurations: gwIAMRole()})
	if err != nil {
		t.Fatal(err)
	}
	if httpStatus(t, upd.ResultMetadata) != http.StatusAccepted || upd.Status != types.TargetStatusUpdating || aws.ToString(upd.Name) != "lambda-tools" {
		t.Errorf("update answer %+v", upd)
	}
	gotL, err := c.GetGatewayTarget(ctx, &ctl.GetGatewayTargetInput{GatewayIdentifier: gw.GatewayId, TargetId: lambda.TargetId})
	if err != nil {
		t.Fatal(err)
	}
	if gotL.Status != types.TargetStatusReady || aws.ToString(gotL.Name) != "lambda-tools" ||
		!reflect.DeepEqual(gotL.TargetConfiguration, gwLambdaTarget()) || !reflect.DeepEqual(gotL.CredentialProviderConfigurations, gwIAMRole()) {
		t.Errorf("after update: %+v", gotL)
	}
	_, err = c.UpdateGatewayTarget(ctx, &ctl.UpdateGatewayTargetInput{GatewayIdentifier: gw.GatewayId, TargetId: lambda.TargetId,
		Name: aws.String("search-tools"), TargetConfiguration: gwLambdaTarget()})
	wantCode(t, "rename onto a taken name", err, "ConflictException")
	// The HTTP kind of target reports protocol HTTP.
	httpCfg := &types.TargetConfigurationMemberHttp{Value: &types.HttpTargetConfigurationMemberAgentcoreRuntime{Value: types.RuntimeTargetConfiguration{
		Arn: aws.String("arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/agent_x-abcdefghij")}}}
	hu, err := c.UpdateGatewayTarget(ctx, &ctl.UpdateGatewayTargetInput{GatewayIdentifier: gw.GatewayId, TargetId: lambda.TargetId,
		Name: aws.String("lambda-tools"), TargetConfiguration: httpCfg})
	if err != nil || hu.ProtocolType != types.TargetProtocolTypeHttp || hu.CredentialProviderConfigurations != nil {
		t.Errorf("http target: %+v %v", hu, err)
	}

	// Synchronize: MCP server targets only, one at a time.
	before := got.LastSynchronizedAt
	time.Sleep(2 * time.Millisecond)
	sync, err := c.SynchronizeGatewayTargets(ctx, &ctl.SynchronizeGatewayTargetsInput{GatewayIdentifier: gw.GatewayId, TargetIdList: []string{tid}})
	if err != nil {
		t.Fatal(err)
	}
	if httpStatus(t, sync.ResultMetadata) != http.StatusAccepted || len(sync.Targets) != 1 || sync.Targets[0].Status != types.TargetStatusSynchronizing ||
		aws.ToString(sync.Targets[0].TargetId) != tid || !reflect.DeepEqual(sync.Targets[0].TargetConfiguration, in.TargetConfiguration) {
		t.Errorf("synchronize answer %+v", sync.Targets)
	}
	got, err = c.GetGatewayTarget(ctx, &ctl.GetGatewayTargetInput{GatewayIdentifier: gw.GatewayId, TargetId: aws.String(tid)})
	if err != nil || got.Status != types.TargetStatusReady || got.LastSynchronizedAt == nil || !got.LastSynchronizedAt.After(*before) {
		t.Errorf("after synchronize: %+v %v (before %v)", got, err, before)
	}
	_, err = c.SynchronizeGatewayTargets(ctx, &ctl.SynchronizeGatewayTargetsInput{GatewayIdentifier: gw.GatewayId, TargetIdList: []string{aws.ToString(lambda.TargetId)}})
	wantCode(t, "synchronize an HTTP target", err, "ValidationException")
	_, err = c.SynchronizeGatewayTargets(ctx, &ctl.SynchronizeGatewayTargetsInput{GatewayIdentifier: gw.GatewayId, TargetIdList: []string{tid, aws.ToString(lambda.TargetId)}})
	wantCode(t, "synchronize two targets", err, "ValidationException")
	_, err = c.SynchronizeGatewayTargets(ctx, &ctl.SynchronizeGatewayTargetsInput{GatewayIdentifier: gw.GatewayId, TargetIdList: []string{"ZZZZZZZZZZ"}})
	wantCode(t, "synchronize an unknown target", err, "ResourceNotFoundException")

	// Delete the targets, then the gateway.
	for _, id := range []*string{aws.String(tid), lambda.TargetId} {
		del, err := c.DeleteGatewayTarget(ctx, &ctl.DeleteGatewayTargetInput{GatewayIdentifier: gw.GatewayId, TargetId: id})
		if err != nil {
			t.Fatal(err)
		}
		if httpStatus(t, del.ResultMetadata) != http.StatusAccepted || del.Status != types.TargetStatusDeleting ||
			aws.ToString(del.TargetId) != aws.ToString(id) || aws.ToString(del.GatewayArn) != aws.ToString(gw.GatewayArn) {
			t.Errorf("delete target answer %+v", del)
		}
		_, err = c.GetGatewayTarget(ctx, &ctl.GetGatewayTargetInput{GatewayIdentifier: gw.GatewayId, TargetId: id})
		wantCode(t, "target after delete", err, "ResourceNotFoundException")
	}
	_, err = c.DeleteGatewayTarget(ctx, &ctl.DeleteGatewayTargetInput{GatewayIdentifier: gw.GatewayId, TargetId: aws.String(tid)})
	wantCode(t, "second target delete", err, "ResourceNotFoundException")
	if _, err := c.DeleteGateway(ctx, &ctl.DeleteGatewayInput{GatewayIdentifier: gw.GatewayId}); err != nil {
		t.Fatalf("delete emptied gateway: %v", err)
	}
	_, err = c.GetGatewayTarget(ctx, &ctl.GetGatewayTargetInput{GatewayIdentifier: gw.GatewayId, TargetId: aws.String(tid)})
	wantCode(t, "target of a deleted gateway", err, "ResourceNotFoundException")
}

func TestGatewayTargetAuthorizationCodeFlow(t *testing.T) {
	srv := testserver.Start(t)
	setLifecycle(t, srv.URL, "gateways", "manual")
	c := srv.Client(t)
	ctx := context.Background()
	gw := gwCreate(t, c, "oauth")
	gid := aws.ToString(gw.GatewayId)
	advanceOne(t, srv.URL, "gateway", gid)

	oauth := []types.CredentialProviderConfiguration{{
		CredentialProviderType: types.CredentialProviderTypeOauth,
		CredentialProvider: &types.CredentialProviderMemberOauthCredentialProvider{Value: types.OAuthCredentialProvider{
			ProviderArn: aws.String(gwOAuthARN), Scopes: []string{"repo"}, GrantType: types.OAuthGrantTypeAuthorizationCode,
			DefaultReturnUrl: aws.String("https://app.example.com/callback"), CustomParameters: map[string]string{"prompt": "consent"},
		}},
	}}
	static := &types.TargetConfigurationMemberMcp{Value: &types.McpTargetConfigurationMemberMcpServer{Value: types.McpServerTargetConfiguration{
		Endpoint: aws.String("https://api.githubcopilot.example.com/mcp"), McpToolSchema: &types.McpToolSchemaConfigurationMemberInlinePayload{Value: `{"tools":[]}`}}}}
	created, err := c.CreateGatewayTarget(ctx, &ctl.CreateGatewayTargetInput{GatewayIdentifier: gw.GatewayId, Name: aws.String("github"),
		TargetConfiguration: static, CredentialProviderConfigurations: oauth})
	if err != nil {
		t.Fatal(err)
	}
	tid := created.TargetId
	get := func() *ctl.GetGatewayTargetOutput {
		t.Helper()
		got, err := c.GetGatewayTarget(ctx, &ctl.GetGatewayTargetInput{GatewayIdentifier: gw.GatewayId, TargetId: tid})
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	if got := get(); got.Status != types.TargetStatusCreating {
		t.Fatalf("status %s, want CREATING until advanced", got.Status)
	}
	_, err = c.UpdateGatewayTarget(ctx, &ctl.UpdateGatewayTargetInput{GatewayIdentifier: gw.GatewayId, TargetId: tid, Name: aws.String("github"),
		TargetConfiguration: static, CredentialProviderConfigurations: oauth})
	wantCode(t, "update while CREATING", err, "ConflictException")

	rowID := gid + "/" + aws.ToString(tid)
	advanceOne(t, srv.URL, "gateway-target", rowID)
	got := get()
	auth, ok := got.AuthorizationData.(*types.AuthorizationDataMemberOauth2)
	if got.Status != types.TargetStatusCreatePendingAuth || !ok || !strings.HasPrefix(aws.ToString(auth.Value.AuthorizationUrl), "https://") {
		t.Fatalf("after the first step: %s %#v", got.Status, got.AuthorizationData)
	}
	// A target waiting for authorization refuses every change.
	_, err = c.UpdateGatewayTarget(ctx, &ctl.UpdateGatewayTargetInput{GatewayIdentifier: gw.GatewayId, TargetId: tid, Name: aws.String("github"),
		TargetConfiguration: static, CredentialProviderConfigurations: oauth})
	wantCode(t, "update while pending auth", err, "ConflictException")
	_, err = c.DeleteGatewayTarget(ctx, &ctl.DeleteGatewayTargetInput{GatewayIdentifier: gw.GatewayId, TargetId: tid})
	wantCode(t, "delete while pending auth", err, "ConflictException")
	_, err = c.SynchronizeGatewayTargets(ctx, &ctl.SynchronizeGatewayTargetsInput{GatewayIdentifier: gw.GatewayId, TargetIdList: []string{aws.ToString(tid)}})
	wantCode(t, "synchronize while pending auth", err, "ConflictException")

	// The user authorizes: READY, the authorization data goes.
	advanceOne(t, srv.URL, "gateway-target", rowID)
	got = get()
	if got.Status != types.TargetStatusReady || got.AuthorizationData != nil || got.LastSynchronizedAt != nil {
		t.Fatalf("after authorization: %s %#v %v", got.Status, got.AuthorizationData, got.LastSynchronizedAt)
	}
	if !reflect.DeepEqual(got.CredentialProviderConfigurations, oauth) || !reflect.DeepEqual(got.TargetConfiguration, types.TargetConfiguration(static)) {
		t.Errorf("configuration: %#v / %#v", got.CredentialProviderConfigurations, got.TargetConfiguration)
	}
	// A static tool schema cannot be synchronized.
	_, err = c.SynchronizeGatewayTargets(ctx, &ctl.SynchronizeGatewayTargetsInput{GatewayIdentifier: gw.GatewayId, TargetIdList: []string{aws.ToString(tid)}})
	wantCode(t, "synchronize a static schema", err, "ValidationException")

	// Without the static schema it can, and waits for authorization again.
	dynamic := gwMcpServer("https://api.githubcopilot.example.com/mcp")
	if _, err := c.UpdateGatewayTarget(ctx, &ctl.UpdateGatewayTargetInput{GatewayIdentifier: gw.GatewayId, TargetId: tid, Name: aws.String("github"),
		TargetConfiguration: dynamic, CredentialProviderConfigurations: oauth}); err != nil {
		t.Fatal(err)
	}
	advanceOne(t, srv.URL, "gateway-target", rowID)
	if got := get(); got.Status != types.TargetStatusUpdatePendingAuth {
		t.Fatalf("status %s, want UPDATE_PENDING_AUTH", got.Status)
	}
	advanceOne(t, srv.URL, "gateway-target", rowID)
	if _, err := c.SynchronizeGatewayTargets(ctx, &ctl.SynchronizeGatewayTargetsInput{GatewayIdentifier: gw.GatewayId, TargetIdList: []string{aws.ToString(tid)}}); err != nil {
		t.Fatal(err)
	}
	if got := get(); got.Status != types.TargetStatusSynchronizing {
		t.Fatalf("status %s, want SYNCHRONIZING", got.Status)
	}
	advanceOne(t, srv.URL, "gateway-target", rowID)
	if got := get(); got.Status != types.TargetStatusSynchronizePendingAuth {
		t.Fatalf("status %s, want SYNCHRONIZE_PENDING_AUTH", got.Status)
	}
	advanceOne(t, srv.URL, "gateway-target", rowID)
	if got := get(); got.Status != types.TargetStatusReady || got.LastSynchronizedAt == nil {
		t.Fatalf("status %s synchronized %v, want READY and a synchronization time", got.Status, got.LastSynchronizedAt)
	}

	// Deleting: the gateway refuses while the DELETING target still exists.
	if _, err := c.DeleteGatewayTarget(ctx, &ctl.DeleteGatewayTargetInput{GatewayIdentifier: gw.GatewayId, TargetId: tid}); err != nil {
		t.Fatal(err)
	}
	_, err = c.DeleteGateway(ctx, &ctl.DeleteGatewayInput{GatewayIdentifier: gw.GatewayId})
	wantCode(t, "delete gateway while its target is DELETING", err, "ValidationException")
	advanceOne(t, srv.URL, "gateway-target", rowID)
	if _, err := c.DeleteGateway(ctx, &ctl.DeleteGatewayInput{GatewayIdentifier: gw.GatewayId}); err != nil {
		t.Fatal(err)
	}
	// A DELETING gateway takes no new targets or rules.
	_, err = c.CreateGatewayTarget(ctx, &ctl.CreateGatewayTargetInput{GatewayIdentifier: gw.GatewayId, Name: aws.String("late"), TargetConfiguration: dynamic})
	wantCode(t, "target on a DELETING gateway", err, "ConflictException")
	_, err = c.CreateGatewayRule(ctx, &ctl.CreateGatewayRuleInput{GatewayIdentifier: gw.GatewayId, Priority: aws.Int32(1), Actions: gwStaticRoute("late")})
	wantCode(t, "rule on a DELETING gateway", err, "ConflictException")
	advanceOne(t, srv.URL, "gateway", gid)
	_, err = c.GetGateway(ctx, &ctl.GetGatewayInput{GatewayIdentifier: gw.GatewayId})
	wantCode(t, "gateway after advance", err, "ResourceNotFoundException")
}

func TestGatewayInjectedFailures(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client(t)
	ctx := context.Background()
	getGW := func(id *string) *ctl.GetGatewayOutput {
		t.Helper()
		got, err := c.GetGateway(ctx, &ctl.GetGatewayInput{GatewayIdentifier: id})
		if err != nil {
			t.Fatal(err)
		}
		return got
	}

	failNext(t, srv.URL, "CreateGateway", "boom")
	failed := gwCreate(t, c, "doomed")
	if failed.Status != types.GatewayStatusCreating {
		t.Errorf("create answer status %s", failed.Status)
	}
	if got := getGW(failed.GatewayId); got.Status != types.GatewayStatusFailed || !reflect.DeepEqual(got.StatusReasons, []string{"boom"}) {
		t.Errorf("failed create: %s %v", got.Status, got.StatusReasons)
	}
	ok := gwCreate(t, c, "fine")
	if got := getGW(ok.GatewayId); got.Status != types.GatewayStatusReady || len(got.StatusReasons) != 0 {
		t.Errorf("the rule was used up, yet: %s %v", got.Status, got.StatusReasons)
	}

	failNext(t, srv.URL, "UpdateGateway", "bad role")
	if _, err := c.UpdateGateway(ctx, &ctl.UpdateGatewayInput{GatewayIdentifier: ok.GatewayId, Name: aws.String("fine"),
		RoleArn: aws.String(gwRole2), AuthorizerType: types.AuthorizerTypeAwsIam}); err != nil {
		t.Fatal(err)
	}
	if got := getGW(ok.GatewayId); got.Status != types.GatewayStatusUpdateUnsuccessful || !reflect.DeepEqual(got.StatusReasons, []string{"bad role"}) {
		t.Errorf("failed update: %s %v", got.Status, got.StatusReasons)
	}
	// A later update succeeds and clears the reasons.
	if _, err := c.UpdateGateway(ctx, &ctl.UpdateGatewayInput{GatewayIdentifier: ok.GatewayId, Name: aws.String("fine"),
		RoleArn: aws.String(gwRole), AuthorizerType: types.AuthorizerTypeAwsIam}); err != nil {
		t.Fatal(err)
	}
	if got := getGW(ok.GatewayId); got.Status != types.GatewayStatusReady || len(got.StatusReasons) != 0 {
		t.Errorf("update after a failed one: %s %v", got.Status, got.StatusReasons)
	}

	targetStatus := func(id *string) (types.TargetStatus, []string) {
		t.Helper()
		got, err := c.GetGatewayTarget(ctx, &ctl.GetGatewayTargetInput{GatewayIdentifier: ok.GatewayId, TargetId: id})
		if err != nil {
			t.Fatal(err)
		}
		return got.Status, got.StatusReasons
	}
	failNext(t, srv.URL, "CreateGatewayTarget", "unreachable")
	bad := gwCreateTarget(t, c, ok.GatewayId, "bad")
	if st, why := targetStatus(bad.TargetId); st != types.TargetStatusFailed || !reflect.DeepEqual(why, []string{"unreachable"}) {
		t.Errorf("failed target: %s %v", st, why)
	}
	good := gwCreateTarget(t, c, ok.GatewayId, "good")
	failNext(t, srv.URL, "SynchronizeGatewayTargets", "tools/list failed")
	if _, err := c.SynchronizeGatewayTargets(ctx, &ctl.SynchronizeGatewayTargetsInput{GatewayIdentifier: ok.GatewayId, TargetIdList: []string{aws.ToString(good.TargetId)}}); err != nil {
		t.Fatal(err)
	}
	if st, why := targetStatus(good.TargetId); st != types.TargetStatusSynchronizeUnsuccessful || !reflect.DeepEqual(why, []string{"tools/list failed"}) {
		t.Errorf("failed synchronize: %s %v", st, why)
	}
	failNext(t, srv.URL, "UpdateGatewayTarget", "schema rejected")
	if _, err := c.UpdateGatewayTarget(ctx, &ctl.UpdateGatewayTargetInput{GatewayIdentifier: ok.GatewayId, TargetId: good.TargetId,
		Name: aws.String("good"), TargetConfiguration: gwMcpServer("https://good.example.com")}); err != nil {
		t.Fatal(err)
	}
	if st, why := targetStatus(good.TargetId); st != types.TargetStatusUpdateUnsuccessful || !reflect.DeepEqual(why, []string{"schema rejected"}) {
		t.Errorf("failed target update: %s %v", st, why)
	}
	failNext(t, srv.URL, "DeleteGatewayTarget", "stuck")
	if _, err := c.DeleteGatewayTarget(ctx, &ctl.DeleteGatewayTargetInput{GatewayIdentifier: ok.GatewayId, TargetId: good.TargetId}); err != nil {
		t.Fatal(err)
	}
	if st, why := targetStatus(good.TargetId); st != types.TargetStatusFailed || !reflect.DeepEqual(why, []string{"stuck"}) {
		t.Errorf("failed target delete: %s %v", st, why)
	}
	for _, id := range []*string{good.TargetId, bad.TargetId} {
		if _, err := c.DeleteGatewayTarget(ctx, &ctl.DeleteGatewayTargetInput{GatewayIdentifier: ok.GatewayId, TargetId: id}); err != nil {
			t.Fatal(err)
		}
	}

	failNext(t, srv.URL, "DeleteGateway", "missing permission to delete the workload identity")
	del, err := c.DeleteGateway(ctx, &ctl.DeleteGatewayInput{GatewayIdentifier: ok.GatewayId})
	if err != nil || del.Status != types.GatewayStatusDeleting {
		t.Fatalf("delete: %+v %v", del, err)
	}
	if got := getGW(ok.GatewayId); got.Status != types.GatewayStatusFailed || len(got.StatusReasons) != 1 {
		t.Errorf("failed delete: %s %v", got.Status, got.StatusReasons)
	}
	for _, id := range []*string{ok.GatewayId, failed.GatewayId} {
		if _, err := c.DeleteGateway(ctx, &ctl.DeleteGatewayInput{GatewayIdentifier: id}); err != nil {
			t.Fatal(err)
		}
		_, err := c.GetGateway(ctx, &ctl.GetGatewayInput{GatewayIdentifier: id})
		wantCode(t, "gateway after its delete", err, "ResourceNotFoundException")
	}
}

func TestGatewayTimedLifecycle(t *testing.T) {
	srv := testserver.Start(t, func(c *server.Config) { c.Lifecycle = "timed"; c.LifecycleDelay = 100 * time.Millisecond })
	c := srv.Client(t)
	ctx := context.Background()
	gw := gwCreate(t, c, "slow")
	status := func() (types.GatewayStatus, error) {
		got, err := c.GetGateway(ctx, &ctl.GetGatewayInput{GatewayIdentifier: gw.GatewayId})
		if err != nil {
			return "", err
		}
		return got.Status, nil
	}
	eventuallyStatus(t, "gateway READY", status, types.GatewayStatusReady, types.GatewayStatusCreating, types.GatewayStatusUpdating)
	if _, err := c.UpdateGateway(ctx, &ctl.UpdateGatewayInput{GatewayIdentifier: gw.GatewayId, Name: aws.String("slow"),
		RoleArn: aws.String(gwRole2), AuthorizerType: types.AuthorizerTypeAwsIam}); err != nil {
		t.Fatal(err)
	}
	// A change waits for the pending one (the update may still be running).
	_, err := c.UpdateGateway(ctx, &ctl.UpdateGatewayInput{GatewayIdentifier: gw.GatewayId, Name: aws.String("slow"),
		RoleArn: aws.String(gwRole), AuthorizerType: types.AuthorizerTypeAwsIam})
	if err != nil && errCode(err) != "ConflictException" {
		t.Errorf("update during an update: %v", err)
	}
	eventuallyStatus(t, "gateway READY", status, types.GatewayStatusReady, types.GatewayStatusCreating, types.GatewayStatusUpdating)

	target := gwCreateTarget(t, c, gw.GatewayId, "slow-target")
	rule := gwCreateRule(t, c, gw.GatewayId, 1)
	eventually(t, "target READY and rule ACTIVE", func() (bool, error) {
		tg, err := c.GetGatewayTarget(ctx, &ctl.GetGatewayTargetInput{GatewayIdentifier: gw.GatewayId, TargetId: target.TargetId})
		if err != nil {
			return false, err
		}
		r, err := c.GetGatewayRule(ctx, &ctl.GetGatewayRuleInput{GatewayIdentifier: gw.GatewayId, RuleId: rule.RuleId})
		if err != nil {
			return false, err
		}
		return tg.Status == types.TargetStatusReady && r.Status == types.GatewayRuleStatusActive, nil
	})
	if _, err := c.DeleteGatewayTarget(ctx, &ctl.DeleteGatewayTargetInput{GatewayIdentifier: gw.GatewayId, TargetId: target.TargetId}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "target gone", func() (bool, error) {
		_, err := c.GetGatewayTarget(ctx, &ctl.GetGatewayTargetInput{GatewayIdentifier: gw.GatewayId, TargetId: target.TargetId})
		if errCode(err) == "ResourceNotFoundException" {
			return true, nil
		}
		return false, err
	})
	if _, err := c.DeleteGateway(ctx, &ctl.DeleteGatewayInput{GatewayIdentifier: gw.GatewayId}); err != nil {
		t.Fatal(err)
	}
	eventuallyGone(t, "gateway gone", status, types.GatewayStatusDeleting)
	// Its rule went with it.
	list, err := c.ListGatewayRules(ctx, &ctl.ListGatewayRulesInput{GatewayIdentifier: gw.GatewayId})
	wantCode(t, "rules of a deleted gateway", err, "ResourceNotFoundException")
	_ = list
}

func TestGatewayRules(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client(t)
	ctx := context.Background()
	gw := gwCreate(t, c, "rules")
	conditions := []types.Condition{
		&types.ConditionMemberMatchPaths{Value: types.MatchPaths{AnyOf: []string{"/orders/*"}}},
		&types.ConditionMemberMatchPrincipals{Value: types.MatchPrincipals{AnyOf: []types.MatchPrincipalEntry{
			&types.MatchPrincipalEntryMemberIamPrincipal{Value: types.IamPrincipal{Arn: aws.String("arn:aws:iam::123456789012:role/QA"), Operator: types.PrincipalMatchOperatorStringEquals}},
		}}},
	}
	actions := []types.Action{
		&types.ActionMemberRouteToTarget{Value: &types.RouteToTargetActionMemberWeightedRoute{Value: types.WeightedRoute{TrafficSplit: []types.TargetTrafficSplitEntry{
			{Name: aws.String("blue"), Weight: aws.Int32(70), TargetName: aws.String("orders-blue"), Description: aws.String("current")},
			{Name: aws.String("green"), Weight: aws.Int32(30), TargetName: aws.String("orders-green")},
		}}}},
		&types.ActionMemberConfigurationBundle{Value: &types.ConfigurationBundleActionMemberStaticOverride{Value: types.StaticOverride{
			BundleArn: aws.String(gwBundleARN), BundleVersion: aws.String("0123abcd-0123-4567-89ab-0123456789ab")}}},
	}
	created, err := c.CreateGatewayRule(ctx, &ctl.CreateGatewayRuleInput{GatewayIdentifier: gw.GatewayId, Priority: aws.Int32(100),
		Conditions: conditions, Actions: actions, Description: aws.String("orders canary")})
	if err != nil {
		t.Fatal(err)
	}
	rid := aws.ToString(created.RuleId)
	if httpStatus(t, created.ResultMetadata) != http.StatusAccepted || created.Status != types.GatewayRuleStatusCreating ||
		!regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`).MatchString(rid) ||
		aws.ToString(created.GatewayArn) != aws.ToString(gw.GatewayArn) || aws.ToInt32(created.Priority) != 100 || created.CreatedAt == nil {
		t.Fatalf("create rule answered %+v", created)
	}
	got, err := c.GetGatewayRule(ctx, &ctl.GetGatewayRuleInput{GatewayIdentifier: gw.GatewayId, RuleId: aws.String(rid)})
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != types.GatewayRuleStatusActive || !reflect.DeepEqual(got.Conditions, conditions) || !reflect.DeepEqual(got.Actions, actions) ||
		aws.ToString(got.Description) != "orders canary" || aws.ToInt32(got.Priority) != 100 || got.UpdatedAt == nil || got.System != nil {
		t.Errorf("rule = %+v", got)
	}

	for _, tc := range []struct {
		name    string
		actions []types.Action
	}{
		{"weights not adding up to 100", []types.Action{&types.ActionMemberRouteToTarget{Value: &types.RouteToTargetActionMemberWeightedRoute{Value: types.WeightedRoute{
			TrafficSplit: []types.TargetTrafficSplitEntry{
				{Name: aws.String("a"), Weight: aws.Int32(50), TargetName: aws.String("x")},
				{Name: aws.String("b"), Weight: aws.Int32(20), TargetName: aws.String("y")},
			}}}}}},
		{"two route actions", append(gwStaticRoute("x"), gwStaticRoute("y")...)},
	} {
		_, err := c.CreateGatewayRule(ctx, &ctl.CreateGatewayRuleInput{GatewayIdentifier: gw.GatewayId, Priority: aws.Int32(7), Actions: tc.actions})
		wantCode(t, tc.name, err, "ValidationException")
	}
	_, err = c.CreateGatewayRule(ctx, &ctl.CreateGatewayRuleInput{GatewayIdentifier: gw.GatewayId, Priority: aws.Int32(0), Actions: gwStaticRoute("x")})
	wantCode(t, "priority 0", err, "ValidationException")

	second := gwCreateRule(t, c, gw.GatewayId, 200)
	// Update is a patch: the priority moves, everything else stays.
	upd, err := c.UpdateGatewayRule(ctx, &ctl.UpdateGatewayRuleInput{GatewayIdentifier: gw.GatewayId, RuleId: aws.String(rid), Priority: aws.Int32(150)})
	if err != nil {
		t.Fatal(err)
	}
	if httpStatus(t, upd.ResultMetadata) != http.StatusAccepted || upd.Status != types.GatewayRuleStatusUpdating || aws.ToInt32(upd.Priority) != 150 ||
		!reflect.DeepEqual(upd.Actions, actions) || aws.ToString(upd.Description) != "orders canary" {
		t.Errorf("update answer %+v", upd)
	}
	got, _ = c.GetGatewayRule(ctx, &ctl.GetGatewayRuleInput{GatewayIdentifier: gw.GatewayId, RuleId: aws.String(rid)})
	if got.Status != types.GatewayRuleStatusActive || aws.ToInt32(got.Priority) != 150 || !reflect.DeepEqual(got.Conditions, conditions) {
		t.Errorf("after update: %+v", got)
	}
	_, err = c.UpdateGatewayRule(ctx, &ctl.UpdateGatewayRuleInput{GatewayIdentifier: gw.GatewayId, RuleId: aws.String(rid), Priority: aws.Int32(200)})
	wantCode(t, "update onto a taken priority", err, "ConflictException")
	// The old priority is free again.
	third := gwCreateRule(t, c, gw.GatewayId, 100)
	if _, err := c.UpdateGatewayRule(ctx, &ctl.UpdateGatewayRuleInput{GatewayIdentifier: gw.GatewayId, RuleId: second.RuleId,
		Actions: gwStaticRoute("other"), Description: aws.String("now described")}); err != nil {
		t.Fatal(err)
	}

	list, err := c.ListGatewayRules(ctx, &ctl.ListGatewayRulesInput{GatewayIdentifier: gw.GatewayId})
	if err != nil || len(list.GatewayRules) != 3 {
		t.Fatalf("list = %+v, %v", list, err)
	}
	if r := list.GatewayRules[1]; aws.ToString(r.RuleId) != aws.ToString(second.RuleId) || aws.ToString(r.Description) != "now described" ||
		!reflect.DeepEqual(r.Actions, gwStaticRoute("other")) || r.Status != types.GatewayRuleStatusActive || aws.ToString(r.GatewayArn) != aws.ToString(gw.GatewayArn) {
		t.Errorf("listed rule = %+v", r)
	}
	_, err = c.ListGatewayRules(ctx, &ctl.ListGatewayRulesInput{GatewayIdentifier: aws.String("missing-abcdefghij")})
	wantCode(t, "rules of an unknown gateway", err, "ResourceNotFoundException")

	del, err := c.DeleteGatewayRule(ctx, &ctl.DeleteGatewayRuleInput{GatewayIdentifier: gw.GatewayId, RuleId: aws.String(rid)})
	if err != nil {
		t.Fatal(err)
	}
	if httpStatus(t, del.ResultMetadata) != http.StatusAccepted || del.Status != types.GatewayRuleStatusDeleting || aws.ToString(del.RuleId) != rid {
		t.Errorf("delete answer %+v", del)
	}
	_, err = c.GetGatewayRule(ctx, &ctl.GetGatewayRuleInput{GatewayIdentifier: gw.GatewayId, RuleId: aws.String(rid)})
	wantCode(t, "rule after delete", err, "ResourceNotFoundException")
	_, err = c.UpdateGatewayRule(ctx, &ctl.UpdateGatewayRuleInput{GatewayIdentifier: gw.GatewayId, RuleId: aws.String(rid), Priority: aws.Int32(9)})
	wantCode(t, "update a deleted rule", err, "ResourceNotFoundException")

	// Rules do not block the gateway's deletion; they go with it.
	if _, err := c.DeleteGateway(ctx, &ctl.DeleteGatewayInput{GatewayIdentifier: gw.GatewayId}); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetGatewayRule(ctx, &ctl.GetGatewayRuleInput{GatewayIdentifier: gw.GatewayId, RuleId: third.RuleId})
	wantCode(t, "rule of a deleted gateway", err, "ResourceNotFoundException")
	// A new gateway's rules start from nothing.
	fresh := gwCreate(t, c, "rules")
	if out, err := c.ListGatewayRules(ctx, &ctl.ListGatewayRulesInput{GatewayIdentifier: fresh.GatewayId}); err != nil || len(out.GatewayRules) != 0 {
		t.Errorf("fresh gateway's rules: %+v %v", out, err)
	}
}
