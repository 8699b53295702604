package e2e

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	acc "github.com/aws/aws-sdk-go-v2/service/bedrockagentcorecontrol"
	"github.com/aws/aws-sdk-go-v2/service/bedrockagentcorecontrol/document"
	"github.com/aws/aws-sdk-go-v2/service/bedrockagentcorecontrol/types"

	"agentcored/internal/testserver"
)

// Issue 15: every member, requirement and enum value botocore 1.43.67 added
// to the families below (docs/MODEL-CHANGES-1.43.11-to-1.43.67.md) is
// honoured: set on Create (or Update), it comes back from Get (and List
// where the summary gained it); none is accepted and dropped.

// TestModelChangesMemoryUpdating: a strategy-changing UpdateMemory puts the
// memory in UPDATING until the change ends; managedByResourceArn stays
// absent (harnesses here create no memories).
func TestModelChangesMemoryUpdating(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client(t)
	ctx := context.Background()
	setLifecycle(t, srv.URL, "memories", "manual")
	m := memCreate(t, c, "updating", memSemantic("facts"))
	advanceOne(t, srv.URL, "memory", aws.ToString(m.Id))

	up, err := c.UpdateMemory(ctx, &acc.UpdateMemoryInput{MemoryId: m.Id, MemoryStrategies: &types.ModifyMemoryStrategies{
		AddMemoryStrategies: []types.MemoryStrategyInput{memSummary("sums")}}})
	if err != nil {
		t.Fatal(err)
	}
	if up.Memory.Status != types.MemoryStatusUpdating {
		t.Errorf("update answer status = %s, want UPDATING", up.Memory.Status)
	}
	if got := memGet(t, c, m.Id); got.Status != types.MemoryStatusUpdating || memStatuses(got)["sums"] != types.MemoryStrategyStatusCreating {
		t.Errorf("before the reconciler: %s %v", got.Status, memStatuses(got))
	}
	list, err := c.ListMemories(ctx, &acc.ListMemoriesInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Memories) != 1 || list.Memories[0].Status != types.MemoryStatusUpdating || list.Memories[0].ManagedByResourceArn != nil {
		t.Errorf("listed: %+v", list.Memories)
	}
	_, err = c.UpdateMemory(ctx, &acc.UpdateMemoryInput{MemoryId: m.Id, Description: aws.String("concurrent")})
	memWantCode(t, err, "ValidationException", "Memory is in transitional state UPDATING. Cannot update memory while strategies are being modified.")
	advanceOne(t, srv.URL, "memory", aws.ToString(m.Id))
	got := memGet(t, c, m.Id)
	if got.Status != types.MemoryStatusActive || memStatuses(got)["sums"] != types.MemoryStrategyStatusActive || got.ManagedByResourceArn != nil {
		t.Errorf("after the reconciler: %s %v %v", got.Status, memStatuses(got), got.ManagedByResourceArn)
	}

	// A change that touches no strategy applies at once: no UPDATING.
	up, err = c.UpdateMemory(ctx, &acc.UpdateMemoryInput{MemoryId: m.Id, Description: aws.String("described")})
	if err != nil || up.Memory.Status != types.MemoryStatusActive {
		t.Fatalf("description update: %+v %v", up, err)
	}

	// A failed update ends ACTIVE with the failure reason; the strategies
	// that were changing are FAILED.
	failNext(t, srv.URL, "UpdateMemory", "strategy broke")
	up, err = c.UpdateMemory(ctx, &acc.UpdateMemoryInput{MemoryId: m.Id, MemoryStrategies: &types.ModifyMemoryStrategies{
		AddMemoryStrategies: []types.MemoryStrategyInput{memSemantic("more")}}})
	if err != nil || up.Memory.Status != types.MemoryStatusUpdating {
		t.Fatalf("failing update: %+v %v", up, err)
	}
	advanceOne(t, srv.URL, "memory", aws.ToString(m.Id))
	got = memGet(t, c, m.Id)
	if got.Status != types.MemoryStatusActive || aws.ToString(got.FailureReason) != "strategy broke" || memStatuses(got)["more"] != types.MemoryStrategyStatusFailed {
		t.Errorf("after a failed update: %s %q %v", got.Status, aws.ToString(got.FailureReason), memStatuses(got))
	}

	// A delete while UPDATING supersedes the pending change.
	if _, err := c.UpdateMemory(ctx, &acc.UpdateMemoryInput{MemoryId: m.Id, MemoryStrategies: &types.ModifyMemoryStrategies{
		AddMemoryStrategies: []types.MemoryStrategyInput{memSemantic("last")}}}); err != nil {
		t.Fatal(err)
	}
	del, err := c.DeleteMemory(ctx, &acc.DeleteMemoryInput{MemoryId: m.Id})
	if err != nil || del.Status != types.MemoryStatusDeleting {
		t.Fatalf("delete while UPDATING: %+v %v", del, err)
	}
	advanceOne(t, srv.URL, "memory", aws.ToString(m.Id))
	_, err = c.GetMemory(ctx, &acc.GetMemoryInput{MemoryId: m.Id})
	memWantCode(t, err, "ResourceNotFoundException", "")
}

func TestModelChangesOnlineEvaluations(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client(t)
	ctx := context.Background()
	insights := []types.Insight{{InsightId: aws.String("Builtin.Insight.FailureAnalysis")}}
	clustering := &types.ClusteringConfig{Frequencies: []types.ClusteringFrequency{types.ClusteringFrequencyDaily, types.ClusteringFrequencyWeekly}}

	// Insights without evaluators: evaluators are optional since 1.43.67.
	in := evOnlineInput("insights_only", true)
	in.Evaluators, in.Insights, in.ClusteringConfig = nil, insights, clustering
	created, err := c.CreateOnlineEvaluationConfig(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.GetOnlineEvaluationConfig(ctx, &acc.GetOnlineEvaluationConfigInput{OnlineEvaluationConfigId: created.OnlineEvaluationConfigId})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.Insights, insights) || !reflect.DeepEqual(got.ClusteringConfig, clustering) || len(got.Evaluators) != 0 {
		t.Errorf("get: insights %+v clustering %+v evaluators %+v", got.Insights, got.ClusteringConfig, got.Evaluators)
	}
	list, err := c.ListOnlineEvaluationConfigs(ctx, &acc.ListOnlineEvaluationConfigsInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.OnlineEvaluationConfigs) != 1 || !reflect.DeepEqual(list.OnlineEvaluationConfigs[0].Insights, insights) ||
		!reflect.DeepEqual(list.OnlineEvaluationConfigs[0].ClusteringConfig, clustering) {
		t.Errorf("summary: %+v", list.OnlineEvaluationConfigs)
	}

	// Update replaces insights and clustering.
	monthly := &types.ClusteringConfig{Frequencies: []types.ClusteringFrequency{types.ClusteringFrequencyMonthly}}
	custom := []types.Insight{{InsightId: aws.String("my_insight-abcdefghij")}}
	if _, err := c.UpdateOnlineEvaluationConfig(ctx, &acc.UpdateOnlineEvaluationConfigInput{
		OnlineEvaluationConfigId: created.OnlineEvaluationConfigId, Insights: custom, ClusteringConfig: monthly}); err != nil {
		t.Fatal(err)
	}
	got, err = c.GetOnlineEvaluationConfig(ctx, &acc.GetOnlineEvaluationConfigInput{OnlineEvaluationConfigId: created.OnlineEvaluationConfigId})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.Insights, custom) || !reflect.DeepEqual(got.ClusteringConfig, monthly) {
		t.Errorf("after update: %+v %+v", got.Insights, got.ClusteringConfig)
	}

	// Neither evaluators nor insights: nothing to evaluate.
	_, err = c.CreateOnlineEvaluationConfig(ctx, evOnlineInput("nothing", false))
	wantCode(t, "create without evaluators or insights", err, "ValidationException")
	_, err = c.UpdateOnlineEvaluationConfig(ctx, &acc.UpdateOnlineEvaluationConfigInput{
		OnlineEvaluationConfigId: created.OnlineEvaluationConfigId, Insights: []types.Insight{}})
	wantCode(t, "update that removes the last insight", err, "ValidationException")
}

func TestModelChangesPolicyEnforcementMode(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client(t)
	ctx := context.Background()
	engine := peEngine(t, c, "modes")

	plain := pePolicy(t, c, engine, "plain", peStmt)
	if plain.EnforcementMode != types.EnforcementModeActive {
		t.Errorf("create without a mode answers %q, want the default ACTIVE", plain.EnforcementMode)
	}
	logged, err := c.CreatePolicy(ctx, &acc.CreatePolicyInput{PolicyEngineId: aws.String(engine), Name: aws.String("logged"),
		Definition: peCedar(peStmt), EnforcementMode: types.EnforcementModeLogOnly})
	if err != nil {
		t.Fatal(err)
	}
	if logged.EnforcementMode != types.EnforcementModeLogOnly {
		t.Errorf("create answer mode = %q", logged.EnforcementMode)
	}
	if got := peGetPolicy(t, c, engine, aws.ToString(logged.PolicyId)); got.EnforcementMode != types.EnforcementModeLogOnly {
		t.Errorf("get mode = %q", got.EnforcementMode)
	}
	sum, err := c.GetPolicySummary(ctx, &acc.GetPolicySummaryInput{PolicyEngineId: aws.String(engine), PolicyId: logged.PolicyId})
	if err != nil || sum.EnforcementMode != types.EnforcementModeLogOnly {
		t.Errorf("summary mode: %+v %v", sum, err)
	}
	pols, err := c.ListPolicies(ctx, &acc.ListPoliciesInput{PolicyEngineId: aws.String(engine)})
	if err != nil {
		t.Fatal(err)
	}
	sums, err := c.ListPolicySummaries(ctx, &acc.ListPolicySummariesInput{PolicyEngineId: aws.String(engine)})
	if err != nil {
		t.Fatal(err)
	}
	if len(pols.Policies) != 2 || pols.Policies[0].EnforcementMode != types.EnforcementModeActive || pols.Policies[1].EnforcementMode != types.EnforcementModeLogOnly ||
		len(sums.Policies) != 2 || sums.Policies[1].EnforcementMode != types.EnforcementModeLogOnly {
		t.Errorf("listed: %+v / %+v", pols.Policies, sums.Policies)
	}

	// Promote: an update with only the mode.
	up, err := c.UpdatePolicy(ctx, &acc.UpdatePolicyInput{PolicyEngineId: aws.String(engine), PolicyId: logged.PolicyId, EnforcementMode: types.EnforcementModeActive})
	if err != nil || up.EnforcementMode != types.EnforcementModeActive {
		t.Fatalf("update: %+v %v", up, err)
	}
	if got := peGetPolicy(t, c, engine, aws.ToString(logged.PolicyId)); got.EnforcementMode != types.EnforcementModeActive || peStatement(got.Definition) != peStmt {
		t.Errorf("after promotion: %q %q", got.EnforcementMode, peStatement(got.Definition))
	}
	// An update without a mode keeps it.
	if _, err := c.UpdatePolicy(ctx, &acc.UpdatePolicyInput{PolicyEngineId: aws.String(engine), PolicyId: plain.PolicyId,
		EnforcementMode: types.EnforcementModeLogOnly}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.UpdatePolicy(ctx, &acc.UpdatePolicyInput{PolicyEngineId: aws.String(engine), PolicyId: plain.PolicyId,
		Description: &types.UpdatedDescription{OptionalValue: aws.String("kept")}}); err != nil {
		t.Fatal(err)
	}
	if got := peGetPolicy(t, c, engine, aws.ToString(plain.PolicyId)); got.EnforcementMode != types.EnforcementModeLogOnly {
		t.Errorf("mode after an update without one = %q", got.EnforcementMode)
	}
	del, err := c.DeletePolicy(ctx, &acc.DeletePolicyInput{PolicyEngineId: aws.String(engine), PolicyId: plain.PolicyId})
	if err != nil || del.EnforcementMode != types.EnforcementModeLogOnly {
		t.Errorf("delete answer: %+v %v", del, err)
	}
}

func TestModelChangesConfigurationBundles(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client(t)
	ctx := context.Background()
	const kms2 = "arn:aws:kms:us-east-1:123456789012:key/99999999-0123-4567-89ab-0123456789ab"
	created, err := c.CreateConfigurationBundle(ctx, &acc.CreateConfigurationBundleInput{
		BundleName: aws.String("keyed"), Components: cbComponents(map[string]any{gwBundleComponent: map[string]any{"a": 1.0}}), KmsKeyArn: aws.String(evKmsARN)})
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.GetConfigurationBundle(ctx, &acc.GetConfigurationBundleInput{BundleId: created.BundleId})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(got.KmsKeyArn) != evKmsARN {
		t.Errorf("get kmsKeyArn = %v", got.KmsKeyArn)
	}
	first := aws.ToString(got.VersionId)
	up := cbUpdate(t, c, &acc.UpdateConfigurationBundleInput{BundleId: created.BundleId, KmsKeyArn: aws.String(kms2),
		Components:       cbComponents(map[string]any{gwBundleComponent: map[string]any{"a": 2.0}}),
		ParentVersionIds: []string{first}, CommitMessage: aws.String("second")})
	got, err = c.GetConfigurationBundle(ctx, &acc.GetConfigurationBundleInput{BundleId: created.BundleId})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(got.KmsKeyArn) != kms2 {
		t.Errorf("kmsKeyArn after update = %v", got.KmsKeyArn)
	}
	v1, err := c.GetConfigurationBundleVersion(ctx, &acc.GetConfigurationBundleVersionInput{BundleId: created.BundleId, VersionId: aws.String(first)})
	if err != nil {
		t.Fatal(err)
	}
	v2, err := c.GetConfigurationBundleVersion(ctx, &acc.GetConfigurationBundleVersionInput{BundleId: created.BundleId, VersionId: up.VersionId})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(v1.KmsKeyArn) != evKmsARN || aws.ToString(v2.KmsKeyArn) != kms2 {
		t.Errorf("versions' kmsKeyArn = %v, %v", v1.KmsKeyArn, v2.KmsKeyArn)
	}
	if v2.LineageMetadata == nil || !reflect.DeepEqual(v2.LineageMetadata.ParentVersionIds, []string{first}) || aws.ToString(v2.LineageMetadata.CommitMessage) != "second" {
		t.Errorf("lineage of the update = %+v", v2.LineageMetadata)
	}
	list, err := c.ListConfigurationBundles(ctx, &acc.ListConfigurationBundlesInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Bundles) != 1 || list.Bundles[0].CreatedAt == nil || !list.Bundles[0].CreatedAt.Equal(aws.ToTime(got.CreatedAt)) {
		t.Errorf("summary createdAt: %+v (created %v)", list.Bundles, got.CreatedAt)
	}
}

// gwBundleComponent is a component key of a configuration bundle.
const gwBundleComponent = "arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/agent-abcdefghij"

func TestModelChangesGateways(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client(t)
	ctx := context.Background()
	jwt := &types.CustomJWTAuthorizerConfiguration{
		DiscoveryUrl:           aws.String("https://idp.example.com/.well-known/openid-configuration"),
		AllowedClients:         []string{"client-a"},
		AdvertisedScopeMapping: map[string]string{"tools/read": "api://tools.read"},
		AllowedWorkloadConfiguration: &types.AllowedWorkloadConfiguration{
			HostingEnvironments: []types.HostingEnvironment{{Arn: aws.String("arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/agent-abcdefghij")}},
			WorkloadIdentities:  []string{"agent-abcdefghij"},
		},
	}
	created, err := c.CreateGateway(ctx, &acc.CreateGatewayInput{Name: aws.String("shapes"), RoleArn: aws.String(gwRole),
		ProtocolType: types.GatewayProtocolTypeMcp, AuthorizerType: types.AuthorizerTypeCustomJwt,
		AuthorizerConfiguration: &types.AuthorizerConfigurationMemberCustomJWTAuthorizer{Value: *jwt}})
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.GetGateway(ctx, &acc.GetGatewayInput{GatewayIdentifier: created.GatewayId})
	if err != nil {
		t.Fatal(err)
	}
	auth, ok := got.AuthorizerConfiguration.(*types.AuthorizerConfigurationMemberCustomJWTAuthorizer)
	if !ok || !reflect.DeepEqual(auth.Value.AdvertisedScopeMapping, jwt.AdvertisedScopeMapping) ||
		!reflect.DeepEqual(auth.Value.AllowedWorkloadConfiguration, jwt.AllowedWorkloadConfiguration) {
		t.Errorf("authorizer = %#v", got.AuthorizerConfiguration)
	}
	if got.WafConfiguration != nil || got.CustomTransformConfiguration != nil || got.WebAclArn != nil {
		t.Errorf("members no create sets: %+v %+v %v", got.WafConfiguration, got.CustomTransformConfiguration, got.WebAclArn)
	}

	waf := &types.WafConfiguration{FailureMode: types.WafFailureModeFailOpen}
	transform := &types.CustomTransformConfiguration{Lambda: &types.LambdaTransformConfiguration{Arn: aws.String(gwInterceptA)}}
	up, err := c.UpdateGateway(ctx, &acc.UpdateGatewayInput{GatewayIdentifier: created.GatewayId, Name: aws.String("shapes"),
		RoleArn: aws.String(gwRole), ProtocolType: types.GatewayProtocolTypeMcp, AuthorizerType: types.AuthorizerTypeCustomJwt,
		AuthorizerConfiguration: &types.AuthorizerConfigurationMemberCustomJWTAuthorizer{Value: *jwt},
		WafConfiguration:        waf, CustomTransformConfiguration: transform})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(up.WafConfiguration, waf) || !reflect.DeepEqual(up.CustomTransformConfiguration, transform) {
		t.Errorf("update answer: %+v %+v", up.WafConfiguration, up.CustomTransformConfiguration)
	}
	got, err = c.GetGateway(ctx, &acc.GetGatewayInput{GatewayIdentifier: created.GatewayId})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.WafConfiguration, waf) || !reflect.DeepEqual(got.CustomTransformConfiguration, transform) || got.WebAclArn != nil {
		t.Errorf("get after update: %+v %+v %v", got.WafConfiguration, got.CustomTransformConfiguration, got.WebAclArn)
	}
}

func TestModelChangesGatewayTargets(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client(t)
	ctx := context.Background()
	gw := gwCreate(t, c, "targets").GatewayId
	runtimeARN := "arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/agent-abcdefghij"
	schema := &types.HttpApiSchemaConfiguration{Source: &types.ApiSchemaConfigurationMemberS3{Value: types.S3Configuration{Uri: aws.String("s3://schemas/openapi.json")}}}
	for _, tc := range []struct {
		name     string
		config   types.TargetConfiguration
		wantType types.TargetType
	}{
		{"mcpconnector", &types.TargetConfigurationMemberMcp{Value: &types.McpTargetConfigurationMemberConnector{Value: types.ConnectorTargetConfiguration{
			Source: &types.ConnectorSource{ConnectorId: aws.String("slack"), Version: aws.String("1.0.0")}, Enabled: []string{"post_message"}}}}, types.TargetTypeConnector},
		{"httpconnector", &types.TargetConfigurationMemberHttp{Value: &types.HttpTargetConfigurationMemberConnector{Value: types.HttpConnectorTargetConfiguration{
			Source: &types.HttpConnectorSource{ConnectorId: aws.String("github")}, Parameters: map[string]string{"org": "acme"}}}}, types.TargetTypeHttpConnector},
		{"passthrough", &types.TargetConfigurationMemberHttp{Value: &types.HttpTargetConfigurationMemberPassthrough{Value: types.PassthroughTargetConfiguration{
			Endpoint: aws.String("https://api.example.com"), ProtocolType: types.PassthroughProtocolType("CUSTOM"), Schema: schema}}}, types.TargetTypePassthrough},
		{"runtime", &types.TargetConfigurationMemberHttp{Value: &types.HttpTargetConfigurationMemberAgentcoreRuntime{Value: types.RuntimeTargetConfiguration{
			Arn: aws.String(runtimeARN), Schema: schema}}}, types.TargetTypeAgentcoreRuntime},
		{"inference", &types.TargetConfigurationMemberInference{Value: &types.InferenceTargetConfigurationMemberProvider{Value: types.InferenceProviderTargetConfiguration{
			Endpoint: aws.String("https://llm.example.com/v1")}}}, types.TargetTypeProvider},
		{"mcpserver", gwMcpServer("https://mcp.example.com/x"), types.TargetTypeMcpServer},
	} {
		t.Run(tc.name, func(t *testing.T) {
			created, err := c.CreateGatewayTarget(ctx, &acc.CreateGatewayTargetInput{GatewayIdentifier: gw, Name: aws.String(tc.name), TargetConfiguration: tc.config})
			if err != nil {
				t.Fatal(err)
			}
			got, err := c.GetGatewayTarget(ctx, &acc.GetGatewayTargetInput{GatewayIdentifier: gw, TargetId: created.TargetId})
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got.TargetConfiguration, tc.config) {
				t.Errorf("configuration = %#v, want %#v", got.TargetConfiguration, tc.config)
			}
			list, err := c.ListGatewayTargets(ctx, &acc.ListGatewayTargetsInput{GatewayIdentifier: gw, MaxResults: aws.Int32(50)})
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range list.Items {
				if aws.ToString(s.TargetId) != aws.ToString(created.TargetId) {
					continue
				}
				if s.TargetType != tc.wantType {
					t.Errorf("summary targetType = %q, want %q", s.TargetType, tc.wantType)
				}
				if tc.wantType == types.TargetTypeMcpServer && (s.ListingMode != types.ListingModeDefault || s.LastSynchronizedAt == nil) {
					t.Errorf("MCP server summary: listingMode %q lastSynchronizedAt %v", s.ListingMode, s.LastSynchronizedAt)
				}
			}
		})
	}

	// The interceptor's payload filter round-trips on the gateway.
	interceptors := []types.GatewayInterceptorConfiguration{{
		Interceptor:        &types.InterceptorConfigurationMemberLambda{Value: types.LambdaInterceptorConfiguration{Arn: aws.String(gwInterceptA)}},
		InterceptionPoints: []types.GatewayInterceptionPoint{types.GatewayInterceptionPointRequest},
		InputConfiguration: &types.InterceptorInputConfiguration{PassRequestHeaders: aws.Bool(true), PayloadFilter: &types.InterceptorPayloadFilter{
			Exclude: []types.InterceptorPayloadExclusionSelector{&types.InterceptorPayloadExclusionSelectorMemberField{Value: types.InterceptorPayloadExclusion("RESPONSE_BODY")}}}},
	}}
	if _, err := c.UpdateGateway(ctx, &acc.UpdateGatewayInput{GatewayIdentifier: gw, Name: aws.String("targets"), RoleArn: aws.String(gwRole),
		ProtocolType: types.GatewayProtocolTypeMcp, AuthorizerType: types.AuthorizerTypeAwsIam, InterceptorConfigurations: interceptors}); err != nil {
		t.Fatal(err)
	}
	g, err := c.GetGateway(ctx, &acc.GetGatewayInput{GatewayIdentifier: gw})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(g.InterceptorConfigurations, interceptors) {
		t.Errorf("interceptors = %#v", g.InterceptorConfigurations)
	}

	// A create without a name gets a generated one; an update without one keeps it.
	anon, err := c.CreateGatewayTarget(ctx, &acc.CreateGatewayTargetInput{GatewayIdentifier: gw, TargetConfiguration: gwMcpServer("https://mcp.example.com/anon")})
	if err != nil {
		t.Fatalf("create without a name: %v", err)
	}
	name := aws.ToString(anon.Name)
	if !strings.HasPrefix(name, "target-") || len(name) != len("target-")+10 {
		t.Errorf("generated name = %q", name)
	}
	if _, err := c.UpdateGatewayTarget(ctx, &acc.UpdateGatewayTargetInput{GatewayIdentifier: gw, TargetId: anon.TargetId,
		TargetConfiguration: gwMcpServer("https://mcp.example.com/anon2")}); err != nil {
		t.Fatal(err)
	}
	got, err := c.GetGatewayTarget(ctx, &acc.GetGatewayTargetInput{GatewayIdentifier: gw, TargetId: anon.TargetId})
	if err != nil || aws.ToString(got.Name) != name {
		t.Errorf("after an update without a name: %v %v", got, err)
	}
}

func TestModelChangesFilesystems(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client(t)
	ctx := context.Background()
	fs := []types.ToolsFileSystemConfiguration{
		&types.ToolsFileSystemConfigurationMemberS3FilesConfiguration{Value: types.S3FilesConfiguration{
			AccessPointArn: aws.String("arn:aws:s3files:us-east-1:123456789012:file-system/fs-0123456789abcdef0/access-point/fsap-0123456789abcdef0"),
			FileSystemArn:  aws.String("arn:aws:s3files:us-east-1:123456789012:file-system/fs-0123456789abcdef0"), MountPath: aws.String("/mnt/s3")}},
		&types.ToolsFileSystemConfigurationMemberEfsConfiguration{Value: types.EfsConfiguration{
			AccessPointArn: aws.String("arn:aws:elasticfilesystem:us-east-1:123456789012:access-point/fsap-0123456789abcdef0"),
			FileSystemArn:  aws.String("arn:aws:elasticfilesystem:us-east-1:123456789012:file-system/fs-0123456789abcdef0"), MountPath: aws.String("/mnt/efs")}},
	}
	vpc := bxVpc()
	b, err := c.CreateBrowser(ctx, &acc.CreateBrowserInput{Name: aws.String("fs_browser"),
		NetworkConfiguration: &types.BrowserNetworkConfiguration{NetworkMode: types.BrowserNetworkModeVpc, VpcConfig: vpc}, FilesystemConfigurations: fs})
	if err != nil {
		t.Fatal(err)
	}
	gb, err := c.GetBrowser(ctx, &acc.GetBrowserInput{BrowserId: b.BrowserId})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(gb.FilesystemConfigurations, fs) {
		t.Errorf("browser filesystems = %#v", gb.FilesystemConfigurations)
	}
	ci, err := c.CreateCodeInterpreter(ctx, &acc.CreateCodeInterpreterInput{Name: aws.String("fs_interpreter"),
		NetworkConfiguration: &types.CodeInterpreterNetworkConfiguration{NetworkMode: types.CodeInterpreterNetworkModeVpc, VpcConfig: vpc}, FilesystemConfigurations: fs})
	if err != nil {
		t.Fatal(err)
	}
	gc, err := c.GetCodeInterpreter(ctx, &acc.GetCodeInterpreterInput{CodeInterpreterId: ci.CodeInterpreterId})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(gc.FilesystemConfigurations, fs) {
		t.Errorf("code interpreter filesystems = %#v", gc.FilesystemConfigurations)
	}

	// FilesystemConfiguration.capacityProviderVolume, a runtime's.
	vol := []types.FilesystemConfiguration{&types.FilesystemConfigurationMemberCapacityProviderVolume{Value: types.CapacityProviderVolumeConfiguration{
		MountPath: aws.String("/mnt/data"), VolumeName: aws.String("data")}}}
	rt, err := c.CreateAgentRuntime(ctx, &acc.CreateAgentRuntimeInput{AgentRuntimeName: aws.String("volumed"), AgentRuntimeArtifact: rtContainer(rtImage),
		RoleArn: aws.String(rtRole), NetworkConfiguration: rtPublic(), FilesystemConfigurations: vol})
	if err != nil {
		t.Fatal(err)
	}
	gr, err := c.GetAgentRuntime(ctx, &acc.GetAgentRuntimeInput{AgentRuntimeId: rt.AgentRuntimeId})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(gr.FilesystemConfigurations, vol) {
		t.Errorf("runtime filesystems = %#v", gr.FilesystemConfigurations)
	}
}

// TestModelChangesRuntimeListDescription: AgentRuntime makes description
// required, so list items carry it, "" when the runtime has none.
func TestModelChangesRuntimeListDescription(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client(t)
	ctx := context.Background()
	rt := rtCreate(t, c, "undescribed")
	list, err := c.ListAgentRuntimes(ctx, &acc.ListAgentRuntimesInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.AgentRuntimes) != 1 || list.AgentRuntimes[0].Description == nil || *list.AgentRuntimes[0].Description != "" {
		t.Errorf("ListAgentRuntimes description = %+v", list.AgentRuntimes)
	}
	versions, err := c.ListAgentRuntimeVersions(ctx, &acc.ListAgentRuntimeVersionsInput{AgentRuntimeId: rt.AgentRuntimeId})
	if err != nil {
		t.Fatal(err)
	}
	if len(versions.AgentRuntimes) != 1 || versions.AgentRuntimes[0].Description == nil {
		t.Errorf("ListAgentRuntimeVersions description = %+v", versions.AgentRuntimes)
	}
}

func TestModelChangesEvaluatorResponsesModel(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client(t)
	ctx := context.Background()
	mc := &types.EvaluatorModelConfigMemberResponsesEvaluatorModelConfig{Value: types.OpenResponsesEvaluatorModelConfig{
		ModelId: aws.String("openai.gpt-oss-120b-1:0"), MaxOutputTokens: aws.Int32(256), Temperature: aws.Float32(0.5), TopP: aws.Float32(0.75),
		Reasoning: &types.ReasoningConfiguration{Effort: aws.String("low")}}}
	created, err := c.CreateEvaluator(ctx, &acc.CreateEvaluatorInput{EvaluatorName: aws.String("responses_judge"), Level: types.EvaluatorLevelTrace,
		EvaluatorConfig: &types.EvaluatorConfigMemberLlmAsAJudge{Value: types.LlmAsAJudgeEvaluatorConfig{
			Instructions: aws.String("Rate the trace: {context}"),
			RatingScale: &types.RatingScaleMemberNumerical{Value: []types.NumericalScaleDefinition{
				{Value: aws.Float64(1), Label: aws.String("bad"), Definition: aws.String("bad")}}},
			ModelConfig: mc}}})
	if err != nil {
		t.Fatal(err)
	}
	got := evGet(t, c, created.EvaluatorId)
	judge, ok := got.EvaluatorConfig.(*types.EvaluatorConfigMemberLlmAsAJudge)
	if !ok || !reflect.DeepEqual(judge.Value.ModelConfig, types.EvaluatorModelConfig(mc)) {
		t.Errorf("model config = %#v", got.EvaluatorConfig)
	}
}

func TestModelChangesHarness(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client(t)
	ctx := context.Background()
	params := map[string]any{"reasoning": map[string]any{"effort": "high"}}
	for _, tc := range []struct {
		name   string
		model  types.HarnessModelConfiguration
		memory types.HarnessMemoryConfiguration
	}{
		{"bedrock", &types.HarnessModelConfigurationMemberBedrockModelConfig{Value: types.HarnessBedrockModelConfig{
			ModelId: aws.String("anthropic.claude-sonnet-4"), AdditionalParams: document.NewLazyDocument(params), ApiFormat: types.HarnessBedrockApiFormat("responses")}},
			&types.HarnessMemoryConfigurationMemberDisabled{Value: types.HarnessDisabledMemoryConfiguration{}}},
		{"openai", &types.HarnessModelConfigurationMemberOpenAiModelConfig{Value: types.HarnessOpenAiModelConfig{
			ModelId: aws.String("gpt-5"), ApiKeyArn: aws.String(gwApiKeyARN), AdditionalParams: document.NewLazyDocument(params), ApiFormat: types.HarnessOpenAiApiFormat("responses")}},
			&types.HarnessMemoryConfigurationMemberManagedMemoryConfiguration{Value: types.HarnessManagedMemoryConfiguration{
				EventExpiryDuration: aws.Int32(30), Strategies: []types.HarnessManagedMemoryStrategyType{types.HarnessManagedMemoryStrategyType("SEMANTIC")}}}},
		{"gemini", &types.HarnessModelConfigurationMemberGeminiModelConfig{Value: types.HarnessGeminiModelConfig{
			ModelId: aws.String("gemini-2.5-pro"), ApiKeyArn: aws.String(gwApiKeyARN), AdditionalParams: document.NewLazyDocument(params)}}, nil},
		{"litellm", &types.HarnessModelConfigurationMemberLiteLlmModelConfig{Value: types.HarnessLiteLlmModelConfig{
			ModelId: aws.String("ollama/llama3"), ApiBase: aws.String("https://llm.example.com"), AdditionalParams: document.NewLazyDocument(params), MaxTokens: aws.Int32(100)}}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			skills := []types.HarnessSkill{
				&types.HarnessSkillMemberAwsSkills{Value: types.HarnessSkillAwsSkillsSource{Paths: []string{"aws/s3"}}},
				&types.HarnessSkillMemberGit{Value: types.HarnessSkillGitSource{Url: aws.String("https://github.com/acme/skills.git"), Path: aws.String("review")}},
				&types.HarnessSkillMemberS3{Value: types.HarnessSkillS3Source{Uri: aws.String("s3://skills/triage/")}},
			}
			out, err := c.CreateHarness(ctx, &acc.CreateHarnessInput{HarnessName: aws.String(tc.name), ExecutionRoleArn: aws.String(hnRole),
				Model: tc.model, Skills: skills, Memory: tc.memory})
			if err != nil {
				t.Fatal(err)
			}
			got := hnGet(t, c, out.Harness.HarnessId)
			gotModel, gotParams := hnSplitModel(got.Model)
			wantModel, _ := hnSplitModel(tc.model)
			if !reflect.DeepEqual(gotModel, wantModel) || !reflect.DeepEqual(evDoc(t, gotParams), params) {
				t.Errorf("model = %#v %#v, want %#v %#v", gotModel, evDoc(t, gotParams), wantModel, params)
			}
			if !reflect.DeepEqual(got.Skills, skills) {
				t.Errorf("skills = %#v", got.Skills)
			}
			if tc.memory != nil && !reflect.DeepEqual(got.Memory, tc.memory) {
				t.Errorf("memory = %#v, want %#v", got.Memory, tc.memory)
			}
		})
	}
}

// hnSplitModel splits a model configuration into its settings without
// additionalParams and its additionalParams, so that two can be compared.
func hnSplitModel(m types.HarnessModelConfiguration) (any, document.Interface) {
	switch v := m.(type) {
	case *types.HarnessModelConfigurationMemberBedrockModelConfig:
		c := v.Value
		c.AdditionalParams = nil
		return c, v.Value.AdditionalParams
	case *types.HarnessModelConfigurationMemberOpenAiModelConfig:
		c := v.Value
		c.AdditionalParams = nil
		return c, v.Value.AdditionalParams
	case *types.HarnessModelConfigurationMemberGeminiModelConfig:
		c := v.Value
		c.AdditionalParams = nil
		return c, v.Value.AdditionalParams
	case *types.HarnessModelConfigurationMemberLiteLlmModelConfig:
		c := v.Value
		c.AdditionalParams = nil
		return c, v.Value.AdditionalParams
	}
	return m, nil
}
