// Package e2e drives a real server through the real aws-sdk-go-v2 client and
// through raw HTTP, to check the wire contract end to end.
package e2e

import (
	"context"
	"errors"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	ctl "github.com/aws/aws-sdk-go-v2/service/bedrockagentcorecontrol"
	"github.com/aws/aws-sdk-go-v2/service/bedrockagentcorecontrol/document"
	"github.com/aws/aws-sdk-go-v2/service/bedrockagentcorecontrol/types"
	"github.com/aws/smithy-go"

	"agentcored/internal/model"
	"agentcored/internal/testserver"
)

// IDs and ARNs that satisfy the model's patterns. None of them names an
// existing resource, so reads answer ResourceNotFoundException at most.
const (
	opsRuntimeID     = "agent_x-abcdefghij"
	opsEndpointName  = "ep_x"
	opsBrowserID     = "browser_x-abcdefghij"
	opsProfileID     = "profile_x-abcdefghij"
	opsInterpreterID = "ci_x-abcdefghij"
	opsBundleID      = "bundle_x-abcdefghij"
	opsUUID          = "0123abcd-0123-4567-89ab-0123456789ab"
	opsEvaluatorID   = "eval_x-abcdefghij"
	opsGatewayID     = "gw-abcdefghij"
	opsTargetID      = "ABCDEFGHIJ"
	opsHarnessID     = "harness_x-abcdefghij"
	opsMemoryID      = "mem_x-abcdefghij"
	opsOnlineEvalID  = "oec_x-abcdefghij"
	opsManagerID     = "pm-abcdefghij"
	opsConnectorID   = "pc-abcdefghij"
	opsEngineID      = "engine_x-abcdefghij"
	opsPolicyID      = "policy_x-abcdefghij"
	opsGenerationID  = "gen_x-abcdefghij"
	opsRegistryID    = "abcdefghijkl"
	opsRecordID      = "abcdefghijkl"
	opsRoleARN       = "arn:aws:iam::123456789012:role/agentcore"
	opsRuntimeARN    = "arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/" + opsRuntimeID
	opsLambdaARN     = "arn:aws:lambda:us-east-1:123456789012:function:judge"
	opsContainerURI  = "123456789012.dkr.ecr.us-east-1.amazonaws.com/agent:latest"
	opsPaymentCPARN  = "arn:aws:bedrock-agentcore:us-east-1:123456789012:token-vault/default/paymentcredentialprovider/cdp"
	opsCedar         = "permit(principal, action, resource is AgentCore::Gateway);"
	opsBundleARN     = "arn:aws:bedrock-agentcore:us-east-1:123456789012:configuration-bundle/" + opsBundleID
)

type opsCall func(ctx context.Context, c *ctl.Client) error

var opsStr = aws.String

// opsTable has one minimal model-valid call per operation of the model.
var opsTable = map[string]opsCall{
	// Overlay operations (models/overlay, aws-sdk-go-v2 v1.81.0).
	"CreateConsentPortal": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.CreateConsentPortal(ctx, &ctl.CreateConsentPortalInput{Name: opsStr("portal_all"),
			ExecutionRoleArn: opsStr("arn:aws:iam::123456789012:role/r"),
			IdpConfig:        &types.ConsentPortalIdpConfig{CredentialProviderArn: opsStr("arn:aws:bedrock-agentcore:us-east-1:123456789012:token-vault/default/oauth2credentialprovider/none"), Scopes: []string{"openid"}},
			Sources:          []types.ConsentPortalSource{{Type: types.ConsentPortalSourceTypeAgentcoreGateway, Identifier: opsStr(opsGatewayID)}}})
		return err
	},
	"GetConsentPortal": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.GetConsentPortal(ctx, &ctl.GetConsentPortalInput{ConsentPortalIdentifier: opsStr("portal_x-abcdefghij")})
		return err
	},
	"UpdateConsentPortal": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.UpdateConsentPortal(ctx, &ctl.UpdateConsentPortalInput{ConsentPortalIdentifier: opsStr("portal_x-abcdefghij"), Description: opsStr("d")})
		return err
	},
	"DeleteConsentPortal": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.DeleteConsentPortal(ctx, &ctl.DeleteConsentPortalInput{ConsentPortalIdentifier: opsStr("portal_x-abcdefghij")})
		return err
	},
	"ListConsentPortals": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.ListConsentPortals(ctx, &ctl.ListConsentPortalsInput{})
		return err
	},
	"GetAgentInsightStore": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.GetAgentInsightStore(ctx, &ctl.GetAgentInsightStoreInput{AgentInsightStoreId: opsStr("default")})
		return err
	},
	"ListAgentInsightStores": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.ListAgentInsightStores(ctx, &ctl.ListAgentInsightStoresInput{})
		return err
	},
	"UpdateAgentInsightStore": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.UpdateAgentInsightStore(ctx, &ctl.UpdateAgentInsightStoreInput{AgentInsightStoreId: opsStr("default"), EnablementStatus: types.AgentInsightStoreEnablementStatusEnabled})
		return err
	},
	"ResetTokenVaultKeyMaterial": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.ResetTokenVaultKeyMaterial(ctx, &ctl.ResetTokenVaultKeyMaterialInput{TokenVaultId: opsStr("default")})
		return err
	},
	"RotatePaymentConnectorCredentials": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.RotatePaymentConnectorCredentials(ctx, &ctl.RotatePaymentConnectorCredentialsInput{PaymentManagerId: opsStr(opsManagerID), PaymentConnectorId: opsStr(opsConnectorID),
			CredentialsToRotate: &types.CredentialRotationConfigMemberCoinbaseCDP{Value: types.CoinbaseCdpRotationTargets{Secrets: []types.CoinbaseCdpSecret{types.CoinbaseCdpSecretApiKey}}}})
		return err
	},
	"CreateAgentRuntime": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.CreateAgentRuntime(ctx, &ctl.CreateAgentRuntimeInput{
			AgentRuntimeName: opsStr("agent_all"),
			AgentRuntimeArtifact: &types.AgentRuntimeArtifactMemberContainerConfiguration{
				Value: types.ContainerConfiguration{ContainerUri: opsStr(opsContainerURI)}},
			RoleArn:              opsStr(opsRoleARN),
			NetworkConfiguration: &types.NetworkConfiguration{NetworkMode: types.NetworkModePublic},
		})
		return err
	},
	"CreateAgentRuntimeEndpoint": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.CreateAgentRuntimeEndpoint(ctx, &ctl.CreateAgentRuntimeEndpointInput{AgentRuntimeId: opsStr(opsRuntimeID), Name: opsStr(opsEndpointName)})
		return err
	},
	"CreateApiKeyCredentialProvider": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.CreateApiKeyCredentialProvider(ctx, &ctl.CreateApiKeyCredentialProviderInput{Name: opsStr("apikey-all"), ApiKey: opsStr("secret-key")})
		return err
	},
	"CreateBrowser": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.CreateBrowser(ctx, &ctl.CreateBrowserInput{Name: opsStr("browser_all"),
			NetworkConfiguration: &types.BrowserNetworkConfiguration{NetworkMode: types.BrowserNetworkModePublic}})
		return err
	},
	"CreateBrowserProfile": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.CreateBrowserProfile(ctx, &ctl.CreateBrowserProfileInput{Name: opsStr("profile_all")})
		return err
	},
	"CreateCodeInterpreter": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.CreateCodeInterpreter(ctx, &ctl.CreateCodeInterpreterInput{Name: opsStr("ci_all"),
			NetworkConfiguration: &types.CodeInterpreterNetworkConfiguration{NetworkMode: types.CodeInterpreterNetworkModeSandbox}})
		return err
	},
	"CreateConfigurationBundle": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.CreateConfigurationBundle(ctx, &ctl.CreateConfigurationBundleInput{BundleName: opsStr("bundle_all"),
			Components: map[string]types.ComponentConfiguration{
				"component": {Configuration: document.NewLazyDocument(map[string]any{"k": "v"})}}})
		return err
	},
	"CreateEvaluator": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.CreateEvaluator(ctx, &ctl.CreateEvaluatorInput{EvaluatorName: opsStr("eval_all"), Level: types.EvaluatorLevelTrace,
			EvaluatorConfig: &types.EvaluatorConfigMemberCodeBased{Value: &types.CodeBasedEvaluatorConfigMemberLambdaConfig{
				Value: types.LambdaEvaluatorConfig{LambdaArn: opsStr(opsLambdaARN)}}}})
		return err
	},
	"CreateGateway": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.CreateGateway(ctx, &ctl.CreateGatewayInput{Name: opsStr("gw-all"), RoleArn: opsStr(opsRoleARN),
			ProtocolType: types.GatewayProtocolTypeMcp, AuthorizerType: types.AuthorizerTypeAwsIam})
		return err
	},
	"CreateGatewayRule": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.CreateGatewayRule(ctx, &ctl.CreateGatewayRuleInput{GatewayIdentifier: opsStr(opsGatewayID), Priority: aws.Int32(1),
			Actions: []types.Action{&types.ActionMemberRouteToTarget{Value: &types.RouteToTargetActionMemberStaticRoute{
				Value: types.StaticRoute{TargetName: opsStr("target-a")}}}}})
		return err
	},
	"CreateGatewayTarget": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.CreateGatewayTarget(ctx, &ctl.CreateGatewayTargetInput{GatewayIdentifier: opsStr(opsGatewayID), Name: opsStr("target-a"),
			TargetConfiguration: &types.TargetConfigurationMemberMcp{Value: &types.McpTargetConfigurationMemberMcpServer{
				Value: types.McpServerTargetConfiguration{Endpoint: opsStr("https://mcp.example.com/mcp")}}}})
		return err
	},
	"CreateHarness": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.CreateHarness(ctx, &ctl.CreateHarnessInput{HarnessName: opsStr("harness_all"), ExecutionRoleArn: opsStr(opsRoleARN)})
		return err
	},
	"CreateMemory": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.CreateMemory(ctx, &ctl.CreateMemoryInput{Name: opsStr("mem_all"), EventExpiryDuration: aws.Int32(30)})
		return err
	},
	"CreateOauth2CredentialProvider": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.CreateOauth2CredentialProvider(ctx, &ctl.CreateOauth2CredentialProviderInput{Name: opsStr("oauth-all"),
			CredentialProviderVendor: types.CredentialProviderVendorTypeGoogleOauth2,
			Oauth2ProviderConfigInput: &types.Oauth2ProviderConfigInputMemberGoogleOauth2ProviderConfig{
				Value: types.GoogleOauth2ProviderConfigInput{ClientId: opsStr("client"), ClientSecret: opsStr("secret")}}})
		return err
	},
	"CreateOnlineEvaluationConfig": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.CreateOnlineEvaluationConfig(ctx, &ctl.CreateOnlineEvaluationConfigInput{
			OnlineEvaluationConfigName: opsStr("oec_all"),
			Rule:                       &types.Rule{SamplingConfig: &types.SamplingConfig{SamplingPercentage: aws.Float64(10)}},
			DataSourceConfig: &types.DataSourceConfigMemberCloudWatchLogs{Value: types.CloudWatchLogsInputConfig{
				LogGroupNames: []string{"/aws/agent"}, ServiceNames: []string{"agent.svc"}}},
			Evaluators:                 []types.EvaluatorReference{&types.EvaluatorReferenceMemberEvaluatorId{Value: "Builtin.Helpfulness"}},
			EvaluationExecutionRoleArn: opsStr(opsRoleARN),
			EnableOnCreate:             aws.Bool(false),
		})
		return err
	},
	"CreatePaymentConnector": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.CreatePaymentConnector(ctx, &ctl.CreatePaymentConnectorInput{PaymentManagerId: opsStr(opsManagerID), Name: opsStr("conn_all"),
			Type: types.PaymentConnectorTypeCoinbaseCdp,
			CredentialProviderConfigurations: []types.CredentialsProviderConfiguration{&types.CredentialsProviderConfigurationMemberCoinbaseCDP{
				Value: types.PaymentCredentialProviderConfiguration{CredentialProviderArn: opsStr(opsPaymentCPARN)}}}})
		return err
	},
	"CreatePaymentCredentialProvider": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.CreatePaymentCredentialProvider(ctx, &ctl.CreatePaymentCredentialProviderInput{Name: opsStr("pay-all"),
			CredentialProviderVendor: types.PaymentCredentialProviderVendorTypeCoinbaseCDP,
			ProviderConfigurationInput: &types.PaymentProviderConfigurationInputMemberCoinbaseCdpConfiguration{
				Value: types.CoinbaseCdpConfigurationInput{ApiKeyId: opsStr("key-id"), ApiKeySecret: opsStr("c2VjcmV0"), WalletSecret: opsStr("d2FsbGV0")}}})
		return err
	},
	"CreatePaymentManager": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.CreatePaymentManager(ctx, &ctl.CreatePaymentManagerInput{Name: opsStr("pmall"),
			AuthorizerType: types.PaymentsAuthorizerTypeAwsIam, RoleArn: opsStr(opsRoleARN)})
		return err
	},
	"CreatePolicy": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.CreatePolicy(ctx, &ctl.CreatePolicyInput{PolicyEngineId: opsStr(opsEngineID), Name: opsStr("policy_all"),
			Definition: &types.PolicyDefinitionMemberCedar{Value: types.CedarPolicy{Statement: opsStr(opsCedar)}}})
		return err
	},
	"CreatePolicyEngine": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.CreatePolicyEngine(ctx, &ctl.CreatePolicyEngineInput{Name: opsStr("engine_all")})
		return err
	},
	"CreateRegistry": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.CreateRegistry(ctx, &ctl.CreateRegistryInput{Name: opsStr("registry-all")})
		return err
	},
	"CreateRegistryRecord": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.CreateRegistryRecord(ctx, &ctl.CreateRegistryRecordInput{RegistryId: opsStr(opsRegistryID), Name: opsStr("record-all"),
			DescriptorType: types.DescriptorTypeCustom})
		return err
	},
	"CreateWorkloadIdentity": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.CreateWorkloadIdentity(ctx, &ctl.CreateWorkloadIdentityInput{Name: opsStr("wi-all")})
		return err
	},
	"DeleteAgentRuntime": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.DeleteAgentRuntime(ctx, &ctl.DeleteAgentRuntimeInput{AgentRuntimeId: opsStr(opsRuntimeID)})
		return err
	},
	"DeleteAgentRuntimeEndpoint": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.DeleteAgentRuntimeEndpoint(ctx, &ctl.DeleteAgentRuntimeEndpointInput{AgentRuntimeId: opsStr(opsRuntimeID), EndpointName: opsStr(opsEndpointName)})
		return err
	},
	"DeleteApiKeyCredentialProvider": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.DeleteApiKeyCredentialProvider(ctx, &ctl.DeleteApiKeyCredentialProviderInput{Name: opsStr("apikey-none")})
		return err
	},
	"DeleteBrowser": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.DeleteBrowser(ctx, &ctl.DeleteBrowserInput{BrowserId: opsStr(opsBrowserID)})
		return err
	},
	"DeleteBrowserProfile": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.DeleteBrowserProfile(ctx, &ctl.DeleteBrowserProfileInput{ProfileId: opsStr(opsProfileID)})
		return err
	},
	"DeleteCodeInterpreter": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.DeleteCodeInterpreter(ctx, &ctl.DeleteCodeInterpreterInput{CodeInterpreterId: opsStr(opsInterpreterID)})
		return err
	},
	"DeleteConfigurationBundle": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.DeleteConfigurationBundle(ctx, &ctl.DeleteConfigurationBundleInput{BundleId: opsStr(opsBundleID)})
		return err
	},
	"DeleteEvaluator": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.DeleteEvaluator(ctx, &ctl.DeleteEvaluatorInput{EvaluatorId: opsStr(opsEvaluatorID)})
		return err
	},
	"DeleteGateway": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.DeleteGateway(ctx, &ctl.DeleteGatewayInput{GatewayIdentifier: opsStr(opsGatewayID)})
		return err
	},
	"DeleteGatewayRule": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.DeleteGatewayRule(ctx, &ctl.DeleteGatewayRuleInput{GatewayIdentifier: opsStr(opsGatewayID), RuleId: opsStr(opsUUID)})
		return err
	},
	"DeleteGatewayTarget": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.DeleteGatewayTarget(ctx, &ctl.DeleteGatewayTargetInput{GatewayIdentifier: opsStr(opsGatewayID), TargetId: opsStr(opsTargetID)})
		return err
	},
	"DeleteHarness": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.DeleteHarness(ctx, &ctl.DeleteHarnessInput{HarnessId: opsStr(opsHarnessID)})
		return err
	},
	"DeleteMemory": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.DeleteMemory(ctx, &ctl.DeleteMemoryInput{MemoryId: opsStr(opsMemoryID)})
		return err
	},
	"DeleteOauth2CredentialProvider": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.DeleteOauth2CredentialProvider(ctx, &ctl.DeleteOauth2CredentialProviderInput{Name: opsStr("oauth-none")})
		return err
	},
	"DeleteOnlineEvaluationConfig": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.DeleteOnlineEvaluationConfig(ctx, &ctl.DeleteOnlineEvaluationConfigInput{OnlineEvaluationConfigId: opsStr(opsOnlineEvalID)})
		return err
	},
	"DeletePaymentConnector": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.DeletePaymentConnector(ctx, &ctl.DeletePaymentConnectorInput{PaymentManagerId: opsStr(opsManagerID), PaymentConnectorId: opsStr(opsConnectorID)})
		return err
	},
	"DeletePaymentCredentialProvider": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.DeletePaymentCredentialProvider(ctx, &ctl.DeletePaymentCredentialProviderInput{Name: opsStr("pay-none")})
		return err
	},
	"DeletePaymentManager": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.DeletePaymentManager(ctx, &ctl.DeletePaymentManagerInput{PaymentManagerId: opsStr(opsManagerID)})
		return err
	},
	"DeletePolicy": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.DeletePolicy(ctx, &ctl.DeletePolicyInput{PolicyEngineId: opsStr(opsEngineID), PolicyId: opsStr(opsPolicyID)})
		return err
	},
	"DeletePolicyEngine": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.DeletePolicyEngine(ctx, &ctl.DeletePolicyEngineInput{PolicyEngineId: opsStr(opsEngineID)})
		return err
	},
	"DeleteRegistry": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.DeleteRegistry(ctx, &ctl.DeleteRegistryInput{RegistryId: opsStr(opsRegistryID)})
		return err
	},
	"DeleteRegistryRecord": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.DeleteRegistryRecord(ctx, &ctl.DeleteRegistryRecordInput{RegistryId: opsStr(opsRegistryID), RecordId: opsStr(opsRecordID)})
		return err
	},
	"DeleteResourcePolicy": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.DeleteResourcePolicy(ctx, &ctl.DeleteResourcePolicyInput{ResourceArn: opsStr(opsRuntimeARN)})
		return err
	},
	"DeleteWorkloadIdentity": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.DeleteWorkloadIdentity(ctx, &ctl.DeleteWorkloadIdentityInput{Name: opsStr("wi-none")})
		return err
	},
	"GetAgentRuntime": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.GetAgentRuntime(ctx, &ctl.GetAgentRuntimeInput{AgentRuntimeId: opsStr(opsRuntimeID)})
		return err
	},
	"GetAgentRuntimeEndpoint": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.GetAgentRuntimeEndpoint(ctx, &ctl.GetAgentRuntimeEndpointInput{AgentRuntimeId: opsStr(opsRuntimeID), EndpointName: opsStr(opsEndpointName)})
		return err
	},
	"GetApiKeyCredentialProvider": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.GetApiKeyCredentialProvider(ctx, &ctl.GetApiKeyCredentialProviderInput{Name: opsStr("apikey-none")})
		return err
	},
	"GetBrowser": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.GetBrowser(ctx, &ctl.GetBrowserInput{BrowserId: opsStr(opsBrowserID)})
		return err
	},
	"GetBrowserProfile": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.GetBrowserProfile(ctx, &ctl.GetBrowserProfileInput{ProfileId: opsStr(opsProfileID)})
		return err
	},
	"GetCodeInterpreter": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.GetCodeInterpreter(ctx, &ctl.GetCodeInterpreterInput{CodeInterpreterId: opsStr(opsInterpreterID)})
		return err
	},
	"GetConfigurationBundle": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.GetConfigurationBundle(ctx, &ctl.GetConfigurationBundleInput{BundleId: opsStr(opsBundleID)})
		return err
	},
	"GetConfigurationBundleVersion": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.GetConfigurationBundleVersion(ctx, &ctl.GetConfigurationBundleVersionInput{BundleId: opsStr(opsBundleID), VersionId: opsStr(opsUUID)})
		return err
	},
	"GetEvaluator": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.GetEvaluator(ctx, &ctl.GetEvaluatorInput{EvaluatorId: opsStr(opsEvaluatorID)})
		return err
	},
	"GetGateway": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.GetGateway(ctx, &ctl.GetGatewayInput{GatewayIdentifier: opsStr(opsGatewayID)})
		return err
	},
	"GetGatewayRule": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.GetGatewayRule(ctx, &ctl.GetGatewayRuleInput{GatewayIdentifier: opsStr(opsGatewayID), RuleId: opsStr(opsUUID)})
		return err
	},
	"GetGatewayTarget": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.GetGatewayTarget(ctx, &ctl.GetGatewayTargetInput{GatewayIdentifier: opsStr(opsGatewayID), TargetId: opsStr(opsTargetID)})
		return err
	},
	"GetHarness": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.GetHarness(ctx, &ctl.GetHarnessInput{HarnessId: opsStr(opsHarnessID)})
		return err
	},
	"GetMemory": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.GetMemory(ctx, &ctl.GetMemoryInput{MemoryId: opsStr(opsMemoryID)})
		return err
	},
	"GetOauth2CredentialProvider": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.GetOauth2CredentialProvider(ctx, &ctl.GetOauth2CredentialProviderInput{Name: opsStr("oauth-none")})
		return err
	},
	"GetOnlineEvaluationConfig": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.GetOnlineEvaluationConfig(ctx, &ctl.GetOnlineEvaluationConfigInput{OnlineEvaluationConfigId: opsStr(opsOnlineEvalID)})
		return err
	},
	"GetPaymentConnector": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.GetPaymentConnector(ctx, &ctl.GetPaymentConnectorInput{PaymentManagerId: opsStr(opsManagerID), PaymentConnectorId: opsStr(opsConnectorID)})
		return err
	},
	"GetPaymentCredentialProvider": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.GetPaymentCredentialProvider(ctx, &ctl.GetPaymentCredentialProviderInput{Name: opsStr("pay-none")})
		return err
	},
	"GetPaymentManager": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.GetPaymentManager(ctx, &ctl.GetPaymentManagerInput{PaymentManagerId: opsStr(opsManagerID)})
		return err
	},
	"GetPolicy": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.GetPolicy(ctx, &ctl.GetPolicyInput{PolicyEngineId: opsStr(opsEngineID), PolicyId: opsStr(opsPolicyID)})
		return err
	},
	"GetPolicyEngine": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.GetPolicyEngine(ctx, &ctl.GetPolicyEngineInput{PolicyEngineId: opsStr(opsEngineID)})
		return err
	},
	"GetPolicyEngineSummary": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.GetPolicyEngineSummary(ctx, &ctl.GetPolicyEngineSummaryInput{PolicyEngineId: opsStr(opsEngineID)})
		return err
	},
	"GetPolicyGeneration": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.GetPolicyGeneration(ctx, &ctl.GetPolicyGenerationInput{PolicyEngineId: opsStr(opsEngineID), PolicyGenerationId: opsStr(opsGenerationID)})
		return err
	},
	"GetPolicyGenerationSummary": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.GetPolicyGenerationSummary(ctx, &ctl.GetPolicyGenerationSummaryInput{PolicyEngineId: opsStr(opsEngineID), PolicyGenerationId: opsStr(opsGenerationID)})
		return err
	},
	"GetPolicySummary": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.GetPolicySummary(ctx, &ctl.GetPolicySummaryInput{PolicyEngineId: opsStr(opsEngineID), PolicyId: opsStr(opsPolicyID)})
		return err
	},
	"GetRegistry": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.GetRegistry(ctx, &ctl.GetRegistryInput{RegistryId: opsStr(opsRegistryID)})
		return err
	},
	"GetRegistryRecord": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.GetRegistryRecord(ctx, &ctl.GetRegistryRecordInput{RegistryId: opsStr(opsRegistryID), RecordId: opsStr(opsRecordID)})
		return err
	},
	"GetResourcePolicy": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.GetResourcePolicy(ctx, &ctl.GetResourcePolicyInput{ResourceArn: opsStr(opsRuntimeARN)})
		return err
	},
	"GetTokenVault": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.GetTokenVault(ctx, &ctl.GetTokenVaultInput{})
		return err
	},
	"GetWorkloadIdentity": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.GetWorkloadIdentity(ctx, &ctl.GetWorkloadIdentityInput{Name: opsStr("wi-none")})
		return err
	},
	"ListAgentRuntimeEndpoints": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.ListAgentRuntimeEndpoints(ctx, &ctl.ListAgentRuntimeEndpointsInput{AgentRuntimeId: opsStr(opsRuntimeID)})
		return err
	},
	"ListAgentRuntimeVersions": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.ListAgentRuntimeVersions(ctx, &ctl.ListAgentRuntimeVersionsInput{AgentRuntimeId: opsStr(opsRuntimeID)})
		return err
	},
	"ListAgentRuntimes": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.ListAgentRuntimes(ctx, &ctl.ListAgentRuntimesInput{MaxResults: aws.Int32(10)})
		return err
	},
	"ListApiKeyCredentialProviders": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.ListApiKeyCredentialProviders(ctx, &ctl.ListApiKeyCredentialProvidersInput{})
		return err
	},
	"ListBrowserProfiles": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.ListBrowserProfiles(ctx, &ctl.ListBrowserProfilesInput{})
		return err
	},
	"ListBrowsers": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.ListBrowsers(ctx, &ctl.ListBrowsersInput{})
		return err
	},
	"ListCodeInterpreters": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.ListCodeInterpreters(ctx, &ctl.ListCodeInterpretersInput{})
		return err
	},
	"ListConfigurationBundleVersions": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.ListConfigurationBundleVersions(ctx, &ctl.ListConfigurationBundleVersionsInput{BundleId: opsStr(opsBundleID)})
		return err
	},
	"ListConfigurationBundles": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.ListConfigurationBundles(ctx, &ctl.ListConfigurationBundlesInput{})
		return err
	},
	"ListEvaluators": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.ListEvaluators(ctx, &ctl.ListEvaluatorsInput{})
		return err
	},
	"ListGatewayRules": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.ListGatewayRules(ctx, &ctl.ListGatewayRulesInput{GatewayIdentifier: opsStr(opsGatewayID)})
		return err
	},
	"ListGatewayTargets": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.ListGatewayTargets(ctx, &ctl.ListGatewayTargetsInput{GatewayIdentifier: opsStr(opsGatewayID)})
		return err
	},
	"ListGateways": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.ListGateways(ctx, &ctl.ListGatewaysInput{})
		return err
	},
	"ListHarnesses": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.ListHarnesses(ctx, &ctl.ListHarnessesInput{})
		return err
	},
	"ListMemories": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.ListMemories(ctx, &ctl.ListMemoriesInput{})
		return err
	},
	"ListOauth2CredentialProviders": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.ListOauth2CredentialProviders(ctx, &ctl.ListOauth2CredentialProvidersInput{})
		return err
	},
	"ListOnlineEvaluationConfigs": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.ListOnlineEvaluationConfigs(ctx, &ctl.ListOnlineEvaluationConfigsInput{})
		return err
	},
	"ListPaymentConnectors": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.ListPaymentConnectors(ctx, &ctl.ListPaymentConnectorsInput{PaymentManagerId: opsStr(opsManagerID)})
		return err
	},
	"ListPaymentCredentialProviders": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.ListPaymentCredentialProviders(ctx, &ctl.ListPaymentCredentialProvidersInput{})
		return err
	},
	"ListPaymentManagers": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.ListPaymentManagers(ctx, &ctl.ListPaymentManagersInput{})
		return err
	},
	"ListPolicies": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.ListPolicies(ctx, &ctl.ListPoliciesInput{PolicyEngineId: opsStr(opsEngineID)})
		return err
	},
	"ListPolicyEngineSummaries": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.ListPolicyEngineSummaries(ctx, &ctl.ListPolicyEngineSummariesInput{})
		return err
	},
	"ListPolicyEngines": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.ListPolicyEngines(ctx, &ctl.ListPolicyEnginesInput{})
		return err
	},
	"ListPolicyGenerationAssets": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.ListPolicyGenerationAssets(ctx, &ctl.ListPolicyGenerationAssetsInput{PolicyEngineId: opsStr(opsEngineID), PolicyGenerationId: opsStr(opsGenerationID)})
		return err
	},
	"ListPolicyGenerationSummaries": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.ListPolicyGenerationSummaries(ctx, &ctl.ListPolicyGenerationSummariesInput{PolicyEngineId: opsStr(opsEngineID)})
		return err
	},
	"ListPolicyGenerations": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.ListPolicyGenerations(ctx, &ctl.ListPolicyGenerationsInput{PolicyEngineId: opsStr(opsEngineID)})
		return err
	},
	"ListPolicySummaries": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.ListPolicySummaries(ctx, &ctl.ListPolicySummariesInput{PolicyEngineId: opsStr(opsEngineID)})
		return err
	},
	"ListRegistries": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.ListRegistries(ctx, &ctl.ListRegistriesInput{})
		return err
	},
	"ListRegistryRecords": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.ListRegistryRecords(ctx, &ctl.ListRegistryRecordsInput{RegistryId: opsStr(opsRegistryID)})
		return err
	},
	"ListTagsForResource": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.ListTagsForResource(ctx, &ctl.ListTagsForResourceInput{ResourceArn: opsStr(opsRuntimeARN)})
		return err
	},
	"ListWorkloadIdentities": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.ListWorkloadIdentities(ctx, &ctl.ListWorkloadIdentitiesInput{})
		return err
	},
	"PutResourcePolicy": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.PutResourcePolicy(ctx, &ctl.PutResourcePolicyInput{ResourceArn: opsStr(opsRuntimeARN),
			Policy: opsStr(`{"Version":"2012-10-17","Statement":[]}`)})
		return err
	},
	"SetTokenVaultCMK": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.SetTokenVaultCMK(ctx, &ctl.SetTokenVaultCMKInput{KmsConfiguration: &types.KmsConfiguration{KeyType: types.KeyTypeServiceManagedKey}})
		return err
	},
	"StartPolicyGeneration": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.StartPolicyGeneration(ctx, &ctl.StartPolicyGenerationInput{PolicyEngineId: opsStr(opsEngineID), Name: opsStr("gen_all"),
			Resource: &types.ResourceMemberArn{Value: "arn:aws:bedrock-agentcore:us-east-1:123456789012:gateway/" + opsGatewayID},
			Content:  &types.ContentMemberRawText{Value: "Allow everyone to call every tool."}})
		return err
	},
	"SubmitRegistryRecordForApproval": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.SubmitRegistryRecordForApproval(ctx, &ctl.SubmitRegistryRecordForApprovalInput{RegistryId: opsStr(opsRegistryID), RecordId: opsStr(opsRecordID)})
		return err
	},
	"SynchronizeGatewayTargets": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.SynchronizeGatewayTargets(ctx, &ctl.SynchronizeGatewayTargetsInput{GatewayIdentifier: opsStr(opsGatewayID), TargetIdList: []string{opsTargetID}})
		return err
	},
	"TagResource": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.TagResource(ctx, &ctl.TagResourceInput{ResourceArn: opsStr(opsRuntimeARN), Tags: map[string]string{"team": "a"}})
		return err
	},
	"UntagResource": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.UntagResource(ctx, &ctl.UntagResourceInput{ResourceArn: opsStr(opsRuntimeARN), TagKeys: []string{"team"}})
		return err
	},
	"UpdateAgentRuntime": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.UpdateAgentRuntime(ctx, &ctl.UpdateAgentRuntimeInput{AgentRuntimeId: opsStr(opsRuntimeID),
			AgentRuntimeArtifact: &types.AgentRuntimeArtifactMemberContainerConfiguration{
				Value: types.ContainerConfiguration{ContainerUri: opsStr(opsContainerURI)}},
			RoleArn:              opsStr(opsRoleARN),
			NetworkConfiguration: &types.NetworkConfiguration{NetworkMode: types.NetworkModePublic}})
		return err
	},
	"UpdateAgentRuntimeEndpoint": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.UpdateAgentRuntimeEndpoint(ctx, &ctl.UpdateAgentRuntimeEndpointInput{AgentRuntimeId: opsStr(opsRuntimeID), EndpointName: opsStr(opsEndpointName)})
		return err
	},
	"UpdateApiKeyCredentialProvider": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.UpdateApiKeyCredentialProvider(ctx, &ctl.UpdateApiKeyCredentialProviderInput{Name: opsStr("apikey-none"), ApiKey: opsStr("secret-key")})
		return err
	},
	"UpdateConfigurationBundle": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.UpdateConfigurationBundle(ctx, &ctl.UpdateConfigurationBundleInput{BundleId: opsStr(opsBundleID),
			ParentVersionIds: []string{opsUUID}, CommitMessage: opsStr("update")})
		return err
	},
	"UpdateEvaluator": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.UpdateEvaluator(ctx, &ctl.UpdateEvaluatorInput{EvaluatorId: opsStr(opsEvaluatorID)})
		return err
	},
	"UpdateGateway": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.UpdateGateway(ctx, &ctl.UpdateGatewayInput{GatewayIdentifier: opsStr(opsGatewayID), Name: opsStr("gw-all"), RoleArn: opsStr(opsRoleARN),
			ProtocolType: types.GatewayProtocolTypeMcp, AuthorizerType: types.AuthorizerTypeAwsIam})
		return err
	},
	"UpdateGatewayRule": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.UpdateGatewayRule(ctx, &ctl.UpdateGatewayRuleInput{GatewayIdentifier: opsStr(opsGatewayID), RuleId: opsStr(opsUUID), Priority: aws.Int32(2)})
		return err
	},
	"UpdateGatewayTarget": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.UpdateGatewayTarget(ctx, &ctl.UpdateGatewayTargetInput{GatewayIdentifier: opsStr(opsGatewayID), TargetId: opsStr(opsTargetID), Name: opsStr("target-a"),
			TargetConfiguration: &types.TargetConfigurationMemberHttp{Value: &types.HttpTargetConfigurationMemberAgentcoreRuntime{
				Value: types.RuntimeTargetConfiguration{Arn: opsStr(opsRuntimeARN)}}}})
		return err
	},
	"UpdateHarness": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.UpdateHarness(ctx, &ctl.UpdateHarnessInput{HarnessId: opsStr(opsHarnessID)})
		return err
	},
	"UpdateMemory": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.UpdateMemory(ctx, &ctl.UpdateMemoryInput{MemoryId: opsStr(opsMemoryID)})
		return err
	},
	"UpdateOauth2CredentialProvider": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.UpdateOauth2CredentialProvider(ctx, &ctl.UpdateOauth2CredentialProviderInput{Name: opsStr("oauth-none"),
			CredentialProviderVendor: types.CredentialProviderVendorTypeCustomOauth2,
			Oauth2ProviderConfigInput: &types.Oauth2ProviderConfigInputMemberCustomOauth2ProviderConfig{
				Value: types.CustomOauth2ProviderConfigInput{
					OauthDiscovery: &types.Oauth2DiscoveryMemberDiscoveryUrl{Value: "https://idp.example.com/.well-known/openid-configuration"},
					ClientId:       opsStr("client"), ClientSecret: opsStr("secret")}}})
		return err
	},
	"UpdateOnlineEvaluationConfig": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.UpdateOnlineEvaluationConfig(ctx, &ctl.UpdateOnlineEvaluationConfigInput{OnlineEvaluationConfigId: opsStr(opsOnlineEvalID)})
		return err
	},
	"UpdatePaymentConnector": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.UpdatePaymentConnector(ctx, &ctl.UpdatePaymentConnectorInput{PaymentManagerId: opsStr(opsManagerID), PaymentConnectorId: opsStr(opsConnectorID)})
		return err
	},
	"UpdatePaymentCredentialProvider": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.UpdatePaymentCredentialProvider(ctx, &ctl.UpdatePaymentCredentialProviderInput{Name: opsStr("pay-none"),
			CredentialProviderVendor: types.PaymentCredentialProviderVendorTypeStripePrivy,
			ProviderConfigurationInput: &types.PaymentProviderConfigurationInputMemberStripePrivyConfiguration{
				Value: types.StripePrivyConfigurationInput{AppId: opsStr("app"), AppSecret: opsStr("c2VjcmV0"),
					AuthorizationPrivateKey: opsStr("a2V5"), AuthorizationId: opsStr("auth-id")}}})
		return err
	},
	"UpdatePaymentManager": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.UpdatePaymentManager(ctx, &ctl.UpdatePaymentManagerInput{PaymentManagerId: opsStr(opsManagerID)})
		return err
	},
	"UpdatePolicy": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.UpdatePolicy(ctx, &ctl.UpdatePolicyInput{PolicyEngineId: opsStr(opsEngineID), PolicyId: opsStr(opsPolicyID)})
		return err
	},
	"UpdatePolicyEngine": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.UpdatePolicyEngine(ctx, &ctl.UpdatePolicyEngineInput{PolicyEngineId: opsStr(opsEngineID)})
		return err
	},
	"UpdateRegistry": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.UpdateRegistry(ctx, &ctl.UpdateRegistryInput{RegistryId: opsStr(opsRegistryID)})
		return err
	},
	"UpdateRegistryRecord": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.UpdateRegistryRecord(ctx, &ctl.UpdateRegistryRecordInput{RegistryId: opsStr(opsRegistryID), RecordId: opsStr(opsRecordID)})
		return err
	},
	"UpdateRegistryRecordStatus": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.UpdateRegistryRecordStatus(ctx, &ctl.UpdateRegistryRecordStatusInput{RegistryId: opsStr(opsRegistryID), RecordId: opsStr(opsRecordID),
			Status: types.RegistryRecordStatusApproved, StatusReason: opsStr("reviewed")})
		return err
	},
	"UpdateWorkloadIdentity": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.UpdateWorkloadIdentity(ctx, &ctl.UpdateWorkloadIdentityInput{Name: opsStr("wi-none")})
		return err
	},
	// Operations newer than botocore 1.43.11 (no family yet: they answer
	// NotImplementedException until one is built).
	"AddDatasetExamples": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.AddDatasetExamples(ctx, &ctl.AddDatasetExamplesInput{DatasetId: opsStr(opsDatasetID), Source: opsDatasetSource()})
		return err
	},
	"BatchPutGatewayRateLimits": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.BatchPutGatewayRateLimits(ctx, &ctl.BatchPutGatewayRateLimitsInput{GatewayIdentifier: opsStr(opsGatewayID),
			RateLimits: []types.BatchPutLimitEntry{{DimensionKeys: []string{"toolName"}, Entries: opsLimitEntries()}}})
		return err
	},
	"CreateCapacityProvider": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.CreateCapacityProvider(ctx, &ctl.CreateCapacityProviderInput{Name: opsStr("cp_all"),
			PermissionsConfiguration: &types.PermissionsConfiguration{CapacityProviderOperatorRoleArn: opsStr(opsRoleARN)},
			ComputeConfiguration: &types.ComputeConfigurationMemberEc2Configuration{Value: types.Ec2Configuration{
				LaunchTemplateSource: &types.LaunchTemplateSourceMemberLaunchParameters{Value: types.LaunchParameters{
					OperatingSystem:      types.OperatingSystemLinuxX8664,
					InstanceRequirements: &types.InstanceRequirements{AllowedInstanceTypes: []string{"m5.large"}}}},
				VpcConfiguration: &types.VpcConfiguration{Subnets: []string{"subnet-0123456789abcdef0"}, SecurityGroups: []string{"sg-0123456789abcdef0"}}}}})
		return err
	},
	"CreateDataset": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.CreateDataset(ctx, &ctl.CreateDatasetInput{DatasetName: opsStr("ds_all"), Source: opsDatasetSource(),
			SchemaType: types.DatasetSchemaTypeAgentcoreEvaluationPredefinedV1})
		return err
	},
	"CreateDatasetVersion": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.CreateDatasetVersion(ctx, &ctl.CreateDatasetVersionInput{DatasetId: opsStr(opsDatasetID)})
		return err
	},
	"CreateGatewayRateLimit": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.CreateGatewayRateLimit(ctx, &ctl.CreateGatewayRateLimitInput{GatewayIdentifier: opsStr(opsGatewayID),
			DimensionKeys: []string{"toolName"}, Entries: opsLimitEntries()})
		return err
	},
	"CreateHarnessEndpoint": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.CreateHarnessEndpoint(ctx, &ctl.CreateHarnessEndpointInput{HarnessId: opsStr(opsHarnessID), EndpointName: opsStr(opsEndpointName)})
		return err
	},
	"DeleteCapacityProvider": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.DeleteCapacityProvider(ctx, &ctl.DeleteCapacityProviderInput{CapacityProviderId: opsStr(opsCapacityID)})
		return err
	},
	"DeleteDataset": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.DeleteDataset(ctx, &ctl.DeleteDatasetInput{DatasetId: opsStr(opsDatasetID)})
		return err
	},
	"DeleteDatasetExamples": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.DeleteDatasetExamples(ctx, &ctl.DeleteDatasetExamplesInput{DatasetId: opsStr(opsDatasetID), ExampleIds: []string{"ex-1"}})
		return err
	},
	"DeleteGatewayRateLimit": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.DeleteGatewayRateLimit(ctx, &ctl.DeleteGatewayRateLimitInput{GatewayIdentifier: opsStr(opsGatewayID), RateLimitId: opsStr(opsRateLimitID)})
		return err
	},
	"DeleteHarnessEndpoint": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.DeleteHarnessEndpoint(ctx, &ctl.DeleteHarnessEndpointInput{HarnessId: opsStr(opsHarnessID), EndpointName: opsStr(opsEndpointName)})
		return err
	},
	"GetCapacityProvider": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.GetCapacityProvider(ctx, &ctl.GetCapacityProviderInput{CapacityProviderId: opsStr(opsCapacityID)})
		return err
	},
	"GetDataset": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.GetDataset(ctx, &ctl.GetDatasetInput{DatasetId: opsStr(opsDatasetID)})
		return err
	},
	"GetGatewayRateLimit": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.GetGatewayRateLimit(ctx, &ctl.GetGatewayRateLimitInput{GatewayIdentifier: opsStr(opsGatewayID), RateLimitId: opsStr(opsRateLimitID)})
		return err
	},
	"GetHarnessEndpoint": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.GetHarnessEndpoint(ctx, &ctl.GetHarnessEndpointInput{HarnessId: opsStr(opsHarnessID), EndpointName: opsStr(opsEndpointName)})
		return err
	},
	"ListAgentRuntimeVersionsByCapacityProvider": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.ListAgentRuntimeVersionsByCapacityProvider(ctx, &ctl.ListAgentRuntimeVersionsByCapacityProviderInput{CapacityProviderId: opsStr(opsCapacityID)})
		return err
	},
	"ListCapacityProviders": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.ListCapacityProviders(ctx, &ctl.ListCapacityProvidersInput{})
		return err
	},
	"ListDatasetExamples": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.ListDatasetExamples(ctx, &ctl.ListDatasetExamplesInput{DatasetId: opsStr(opsDatasetID)})
		return err
	},
	"ListDatasetVersions": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.ListDatasetVersions(ctx, &ctl.ListDatasetVersionsInput{DatasetId: opsStr(opsDatasetID)})
		return err
	},
	"ListDatasets": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.ListDatasets(ctx, &ctl.ListDatasetsInput{})
		return err
	},
	"ListGatewayRateLimits": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.ListGatewayRateLimits(ctx, &ctl.ListGatewayRateLimitsInput{GatewayIdentifier: opsStr(opsGatewayID)})
		return err
	},
	"ListHarnessEndpoints": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.ListHarnessEndpoints(ctx, &ctl.ListHarnessEndpointsInput{HarnessId: opsStr(opsHarnessID)})
		return err
	},
	"ListHarnessVersions": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.ListHarnessVersions(ctx, &ctl.ListHarnessVersionsInput{HarnessId: opsStr(opsHarnessID)})
		return err
	},
	"UpdateCapacityProvider": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.UpdateCapacityProvider(ctx, &ctl.UpdateCapacityProviderInput{CapacityProviderId: opsStr(opsCapacityID)})
		return err
	},
	"UpdateDataset": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.UpdateDataset(ctx, &ctl.UpdateDatasetInput{DatasetId: opsStr(opsDatasetID)})
		return err
	},
	"UpdateDatasetExamples": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.UpdateDatasetExamples(ctx, &ctl.UpdateDatasetExamplesInput{DatasetId: opsStr(opsDatasetID),
			Examples: []document.Interface{document.NewLazyDocument(map[string]any{"exampleId": "ex-1"})}})
		return err
	},
	"UpdateGatewayRateLimit": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.UpdateGatewayRateLimit(ctx, &ctl.UpdateGatewayRateLimitInput{GatewayIdentifier: opsStr(opsGatewayID),
			RateLimitId: opsStr(opsRateLimitID), Entries: opsLimitEntries()})
		return err
	},
	"UpdateHarnessEndpoint": func(ctx context.Context, c *ctl.Client) error {
		_, err := c.UpdateHarnessEndpoint(ctx, &ctl.UpdateHarnessEndpointInput{HarnessId: opsStr(opsHarnessID), EndpointName: opsStr(opsEndpointName)})
		return err
	},
}

const (
	opsDatasetID   = "ds_x-abcdefghij"
	opsCapacityID  = "cp_x-abcdefghij"
	opsRateLimitID = "rl-1"
)

func opsDatasetSource() types.DataSourceType {
	return &types.DataSourceTypeMemberInlineExamples{Value: types.InlineExamplesSource{
		Examples: []document.Interface{document.NewLazyDocument(map[string]any{"scenario_id": "s1", "turns": []any{map[string]any{"input": "hi"}}})}}}
}

func opsLimitEntries() []types.LimitEntry {
	return []types.LimitEntry{{Dimensions: map[string]string{"toolName": "search"},
		Requests: []types.RateConfig{{Rate: aws.Float64(10), Period: types.PeriodSecond}}}}
}

// opsKnownUnmodeled lists answers that break the contract in code outside the
// fronting layer, reported and awaiting a fix there: operation name → the
// text the error must contain to be tolerated. Keep it empty when possible.
var opsKnownUnmodeled = map[string]string{}

// opsOutcome classifies one answer of the server.
type opsOutcome int

const (
	opsSuccess opsOutcome = iota
	opsModeled
)

// opsClassify checks that err is an answer a model-valid request may get, and
// says which kind it is. Every operation of the model is implemented, so
// NotImplementedException fails like any other contract break.
func opsClassify(op *model.Operation, err error) (opsOutcome, error) {
	if err == nil {
		return opsSuccess, nil
	}
	var de *smithy.DeserializationError
	if errors.As(err, &de) {
		return 0, errors.New("deserialization error: " + err.Error())
	}
	var re *awshttp.ResponseError
	if !errors.As(err, &re) {
		return 0, errors.New("no HTTP response: " + err.Error())
	}
	if st := re.HTTPStatusCode(); st >= 500 && st != 501 {
		return 0, errors.New("5xx answer: " + err.Error())
	}
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		return 0, errors.New("not an API error: " + err.Error())
	}
	switch code := ae.ErrorCode(); {
	case code == "NotImplementedException":
		return 0, errors.New("operation not implemented: " + err.Error())
	case code == "UnknownOperationException":
		return 0, errors.New("routing failed: " + err.Error())
	case !op.HasError(code):
		return 0, errors.New("unmodeled error code " + code + ": " + err.Error())
	}
	var ve *types.ValidationException
	if errors.As(err, &ve) && (ve.Reason == types.ValidationExceptionReasonFieldValidationFailed || ve.Reason == types.ValidationExceptionReasonCannotParse) {
		return 0, errors.New("model-valid request failed validation: " + err.Error())
	}
	return opsModeled, nil
}

func TestAllOperations(t *testing.T) {
	for name := range opsTable {
		if model.OperationByName(name) == nil {
			t.Errorf("table entry %s is not an operation of the model", name)
		}
	}
	srv := testserver.Start(t)
	client := srv.Client(t)
	ctx := context.Background()
	var tally [2][]string
	for i := range model.Operations {
		op := &model.Operations[i]
		call, ok := opsTable[op.Name]
		if !ok {
			t.Errorf("operation %s has no entry in opsTable", op.Name)
			continue
		}
		t.Run(op.Name, func(t *testing.T) {
			got, err := opsClassify(op, call(ctx, client))
			if err != nil && opsKnownUnmodeled[op.Name] != "" && strings.Contains(err.Error(), opsKnownUnmodeled[op.Name]) {
				t.Logf("KNOWN BUG, not failing: %v", err)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tally[got] = append(tally[got], op.Name)
		})
	}
	for _, names := range tally {
		sort.Strings(names)
	}
	t.Logf("%d operations: %d succeeded, %d answered a modeled error, %d failed",
		len(model.Operations), len(tally[opsSuccess]), len(tally[opsModeled]), len(model.Operations)-len(tally[opsSuccess])-len(tally[opsModeled]))
	t.Logf("succeeded: %s", strings.Join(tally[opsSuccess], " "))
	t.Logf("modeled error: %s", strings.Join(tally[opsModeled], " "))
}
