package service

// Gateway targets. A target has no ARN of its own (so no tags and no
// resource policy); its id is 10 random upper-case letters and digits
// (within the model's [0-9a-zA-Z]{10}), its name unique within its gateway.
// Row id "<gatewayId>/<targetId>", parent the gateway, name the target name
// (the store's unique index keeps names unique per gateway).
//
// Statuses: CREATING -> READY (or FAILED), UPDATING -> READY (or
// UPDATE_UNSUCCESSFUL), SYNCHRONIZING -> READY (or SYNCHRONIZE_UNSUCCESSFUL),
// DELETING -> row removed (or FAILED). A target whose credential provider
// uses the OAuth AUTHORIZATION_CODE grant first waits in the matching
// *_PENDING_AUTH status with authorizationData.oauth2.authorizationUrl; the
// next lifecycle step stands for the user completing the authorization
// (READY), so nothing stays locked forever. Update, Delete and Synchronize
// refuse a target waiting for authorization (model docs) with
// ConflictException; Update and Synchronize also refuse a target in a
// transitional status, while Delete is accepted in any other status.
//
// Decisions:
//   - ListGatewayTargets models no ResourceNotFoundException: an unknown
//     gateway simply has no targets.
//   - UpdateGatewayTarget replaces the whole configuration and may rename
//     the target (the name stays unique within the gateway).
//   - credentialProviderConfigurations is stored as given; left out, it is
//     left out of the answers too (nothing is invented for it).
//   - Credential provider consistency: OAUTH needs oauthCredentialProvider,
//     API_KEY needs apiKeyCredentialProvider, iamCredentialProvider goes
//     with GATEWAY_IAM_ROLE or CALLER_IAM_CREDENTIALS only.
//   - mcpServer.mcpToolSchema is "supported only when the credential
//     provider is configured with an authorization code grant type" (model
//     doc): otherwise ValidationException.
//   - Only MCP server targets can be synchronized (the gateway fetches their
//     tools/list; other kinds carry their schema); a static mcpToolSchema
//     cannot be synchronized (model doc). Both are ValidationExceptions. MCP
//     server targets without a static schema are also synchronized
//     implicitly by create and update, so lastSynchronizedAt is set then.
//   - name became optional in botocore 1.43.67 (CreateGatewayTarget,
//     UpdateGatewayTarget). A create without one gets a generated name,
//     "target-" and 10 random lower-case alphanumerics (within TargetName's
//     pattern; the CDK's gatewayTargetName likewise defaults to "auto
//     generate"): GatewayTarget makes name required in every answer. An
//     update without one keeps the name.
//   - TargetSummary (botocore 1.43.67) carries authorizationData and
//     lastSynchronizedAt as the target has them, targetType from the
//     configuration's member (mcp.openApiSchema OPEN_API_SCHEMA,
//     smithyModel SMITHY_MODEL, mcpServer MCP_SERVER, lambda LAMBDA,
//     apiGateway API_GATEWAY, mcp.connector and inference.connector
//     CONNECTOR, http.agentcoreRuntime AGENTCORE_RUNTIME, http.passthrough
//     PASSTHROUGH, http.connector HTTP_CONNECTOR, inference.provider
//     PROVIDER) and, for an MCP server target, its listingMode (DEFAULT
//     when the configuration leaves it out) [infer].
//   - privateEndpoint.managedVpcResource makes the "gateway create" one
//     resource gateway and association, reported in
//     privateEndpointManagedResources (kept across updates).

import (
	"cmp"
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/google/uuid"

	"agentcored/internal/api"
	"agentcored/internal/awserr"
	"agentcored/internal/members"
	"agentcored/internal/store"
)

const targetIDAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

// gatewayTargetRecord is the document of a gateway-target row.
type gatewayTargetRecord struct {
	api.GetGatewayTargetResponse
	failable
}

var gatewayTargets = &family[gatewayTargetRecord]{
	kind: kindGatewayTarget, group: familyGateways, noun: "target",
	newID:  func(string) string { return randomString(targetIDAlphabet, 10) },
	fields: fields{ID: "TargetId", Status: "Status", Reason: "StatusReasons", Created: "CreatedAt", Updated: "UpdatedAt"},
	states: gatewayStates(map[string]outcome{
		"SYNCHRONIZING": {"READY", "SYNCHRONIZE_UNSUCCESSFUL"},
		// The lifecycle step out of *_PENDING_AUTH stands for the user's
		// authorization; entering one took no failure.
		"CREATE_PENDING_AUTH":      {"READY", "FAILED"},
		"UPDATE_PENDING_AUTH":      {"READY", "UPDATE_UNSUCCESSFUL"},
		"SYNCHRONIZE_PENDING_AUTH": {"READY", "SYNCHRONIZE_UNSUCCESSFUL"},
	}),
	quota:        func(q Quotas) int { return q.TargetsPerGateway },
	listLimit:    defaultGatewayListLimit,
	parentExists: gatewayExists,
	missing: func(gatewayID, targetID string) error {
		return awserr.NotFound("Target '%s' of gateway '%s' was not found.", targetID, gatewayID)
	},
	taken: func(gatewayID, name string) error {
		return awserr.Conflict("A target named '%s' already exists in gateway %s.", name, gatewayID)
	},
	full: func(gatewayID string, quota int) error {
		return awserr.QuotaExceeded("Gateway %s has reached the maximum of %d targets.", gatewayID, quota)
	},
	beforeDelete: func(_ context.Context, _ store.Tx, _ scope, row *store.Resource, t *gatewayTargetRecord) error {
		if gatewayTargetPendingAuth(row.Status) {
			return checkGatewayTargetChangeable(row, t.TargetId, "delete")
		}
		return nil
	},
	settled: settleGatewayTarget,
}

// targetPendingAuth is, for each change, the status an authorization-code
// target waits in before READY.
var targetPendingAuth = map[string]api.TargetStatus{
	"CREATING":      api.TargetStatusCreatePendingAuth,
	"UPDATING":      api.TargetStatusUpdatePendingAuth,
	"SYNCHRONIZING": api.TargetStatusSynchronizePendingAuth,
}

// gatewayTargetPendingAuth reports whether a status waits for a user's
// OAuth authorization.
func gatewayTargetPendingAuth(status string) bool { return strings.HasSuffix(status, "_PENDING_AUTH") }

// checkGatewayTargetChangeable refuses a change to a target that is moving
// or waiting for authorization; verb names the change for the message.
func checkGatewayTargetChangeable(row *store.Resource, targetID, verb string) error {
	switch {
	case gatewayTargetPendingAuth(row.Status):
		return awserr.Conflict("Target %s is in %s. Wait for the authorization to complete or fail before you %s the target.", targetID, row.Status, verb)
	case slices.Contains([]string{"CREATING", "UPDATING", "DELETING", "SYNCHRONIZING"}, row.Status):
		return awserr.Conflict("Target %s is %s; wait until the change completes and try again.", targetID, row.Status)
	}
	return nil
}

// loadChangeableTarget reads a target that verb (update, synchronize) may
// change, after its gateway.
func loadChangeableTarget(ctx context.Context, tx store.Tx, sc scope, gatewayID, targetID, verb string) (*store.Resource, *gatewayTargetRecord, error) {
	if _, _, err := gateways.load(ctx, tx, sc, "", gatewayID); err != nil {
		return nil, nil, err
	}
	row, t, err := gatewayTargets.load(ctx, tx, sc, gatewayID, targetID)
	if err == nil {
		err = checkGatewayTargetChangeable(row, targetID, verb)
	}
	return row, t, err
}

// mcpServer returns the MCP server configuration of a target, if it is one.
func gatewayTargetMcpServer(tc *api.TargetConfiguration) *api.McpServerTargetConfiguration {
	if tc == nil || tc.Mcp == nil {
		return nil
	}
	return tc.Mcp.McpServer
}

// gatewayTargetType is the kind of target a configuration makes, "" for
// none the model names.
func gatewayTargetType(tc *api.TargetConfiguration) api.TargetType {
	switch {
	case tc == nil:
	case tc.Mcp != nil:
		m := tc.Mcp
		switch {
		case m.OpenApiSchema != nil:
			return api.TargetTypeOpenApiSchema
		case m.SmithyModel != nil:
			return api.TargetTypeSmithyModel
		case m.McpServer != nil:
			return api.TargetTypeMcpServer
		case m.Lambda != nil:
			return api.TargetTypeLambda
		case m.ApiGateway != nil:
			return api.TargetTypeApiGateway
		case m.Connector != nil:
			return api.TargetTypeConnector
		}
	case tc.Http != nil:
		h := tc.Http
		switch {
		case h.AgentcoreRuntime != nil:
			return api.TargetTypeAgentcoreRuntime
		case h.Passthrough != nil:
			return api.TargetTypePassthrough
		case h.Connector != nil:
			return api.TargetTypeHttpConnector
		}
	case tc.Inference != nil:
		switch {
		case tc.Inference.Provider != nil:
			return api.TargetTypeProvider
		case tc.Inference.Connector != nil:
			return api.TargetTypeConnector
		}
	}
	return ""
}

// gatewayTargetNeedsUserAuth reports whether the target authenticates with
// the OAuth authorization-code grant, which needs a user's consent.
func gatewayTargetNeedsUserAuth(creds []api.CredentialProviderConfiguration) bool {
	for _, c := range creds {
		if c.CredentialProviderType == api.CredentialProviderTypeOauth && c.CredentialProvider != nil &&
			c.CredentialProvider.OauthCredentialProvider != nil &&
			c.CredentialProvider.OauthCredentialProvider.GrantType == api.OAuthGrantTypeAuthorizationCode {
			return true
		}
	}
	return false
}

// checkGatewayTarget enforces what the model says only in prose about the
// configuration a create or update request sets.
func checkGatewayTarget(in any) error {
	c := members.Project[api.GetGatewayTargetResponse](in)
	for i, cp := range c.CredentialProviderConfigurations {
		member := fmt.Sprintf("credentialProviderConfigurations.%d.member.credentialProvider", i+1)
		p := cp.CredentialProvider
		if p == nil {
			p = &api.CredentialProvider{}
		}
		var want string
		switch cp.CredentialProviderType {
		case api.CredentialProviderTypeOauth:
			want = "oauthCredentialProvider"
			if p.OauthCredentialProvider == nil {
				return awserr.Validation("1 validation error detected: Value null at '%s.%s' failed to satisfy constraint: Member must not be null when credentialProviderType is OAUTH", member, want)
			}
		case api.CredentialProviderTypeApiKey:
			want = "apiKeyCredentialProvider"
			if p.ApiKeyCredentialProvider == nil {
				return awserr.Validation("1 validation error detected: Value null at '%s.%s' failed to satisfy constraint: Member must not be null when credentialProviderType is API_KEY", member, want)
			}
		case api.CredentialProviderTypeGatewayIamRole, api.CredentialProviderTypeCallerIamCredentials:
			want = "iamCredentialProvider"
		}
		for name, set := range map[string]bool{
			"oauthCredentialProvider":  p.OauthCredentialProvider != nil,
			"apiKeyCredentialProvider": p.ApiKeyCredentialProvider != nil,
			"iamCredentialProvider":    p.IamCredentialProvider != nil,
		} {
			if set && name != want {
				return awserr.Validation("1 validation error detected: Value at '%s.%s' failed to satisfy constraint: Member is not allowed when credentialProviderType is %s", member, name, cp.CredentialProviderType)
			}
		}
	}
	if srv := gatewayTargetMcpServer(c.TargetConfiguration); srv != nil && srv.McpToolSchema != nil && !gatewayTargetNeedsUserAuth(c.CredentialProviderConfigurations) {
		return awserr.Validation("1 validation error detected: Value at 'targetConfiguration.mcp.mcpServer.mcpToolSchema' failed to satisfy constraint: A static tool schema is supported only when the credential provider uses the AUTHORIZATION_CODE grant type")
	}
	return nil
}

// completeGatewayTarget sets what follows from a target's configuration:
// its protocol type and the managed private endpoint's resources.
func completeGatewayTarget(sc scope, t *gatewayTargetRecord) {
	t.ProtocolType = api.TargetProtocolTypeMcp
	if t.TargetConfiguration != nil && t.TargetConfiguration.Http != nil {
		t.ProtocolType = api.TargetProtocolTypeHttp
	}
	t.PrivateEndpointManagedResources = gatewayTargetManagedResources(sc, t)
}

// gatewayTargetManagedResources is what the gateway manages for a managed VPC Lattice
// private endpoint: one resource gateway and its association, whose ARNs
// survive updates while the endpoint stays managed.
func gatewayTargetManagedResources(sc scope, t *gatewayTargetRecord) []api.ManagedResourceDetails {
	if t.PrivateEndpoint == nil || t.PrivateEndpoint.ManagedVpcResource == nil {
		return nil
	}
	m := api.ManagedResourceDetails{}
	if prev := t.PrivateEndpointManagedResources; len(prev) > 0 {
		m = prev[0]
	} else {
		prefix := "arn:aws:vpc-lattice:" + sc.region + ":" + sc.account + ":"
		m.ResourceGatewayArn = prefix + "resourcegateway/rgw-" + randomString(lowerAlphabet, 17)
		m.ResourceAssociationArn = prefix + "servicenetworkresourceassociation/snra-" + randomString("0123456789abcdef", 17)
	}
	m.Domain = t.PrivateEndpoint.ManagedVpcResource.RoutingDomain
	if srv := gatewayTargetMcpServer(t.TargetConfiguration); m.Domain == "" && srv != nil {
		if u, err := url.Parse(srv.Endpoint); err == nil {
			m.Domain = u.Hostname()
		}
	}
	return []api.ManagedResourceDetails{m}
}

func (s *Service) CreateGatewayTarget(ctx context.Context, in *api.CreateGatewayTargetRequest) (*api.CreateGatewayTargetResponse, error) {
	if err := checkGatewayTarget(in); err != nil {
		return nil, err
	}
	if in.Name == "" { // optional since botocore 1.43.67 (see the header)
		in.Name = "target-" + randomString(lowerAlphabet, 10)
	}
	return create[api.CreateGatewayTargetResponse](ctx, s, gatewayTargets,
		creation{parent: in.GatewayIdentifier, name: in.Name, from: in, check: gatewayTakesChildren(ctx, in.GatewayIdentifier)},
		func(_ store.Tx, sc scope, t *gatewayTargetRecord) error {
			t.GatewayArn = gateways.arn(sc, "", in.GatewayIdentifier)
			completeGatewayTarget(sc, t)
			return nil
		})
}

func (s *Service) GetGatewayTarget(ctx context.Context, in *api.GetGatewayTargetRequest) (*api.GetGatewayTargetResponse, error) {
	return get[api.GetGatewayTargetResponse](ctx, s, gatewayTargets, in.GatewayIdentifier, in.TargetId)
}

func (s *Service) UpdateGatewayTarget(ctx context.Context, in *api.UpdateGatewayTargetRequest) (*api.UpdateGatewayTargetResponse, error) {
	if err := checkGatewayTarget(in); err != nil {
		return nil, err
	}
	sc := scopeOf(ctx)
	return mutate(ctx, s, func(tx store.Tx) (*api.UpdateGatewayTargetResponse, error) {
		row, t, err := loadChangeableTarget(ctx, tx, sc, in.GatewayIdentifier, in.TargetId, "update")
		if err != nil {
			return nil, err
		}
		if in.Name == "" { // optional since botocore 1.43.67: an update without a name keeps it
			in.Name = row.Name
		}
		if err := rename(ctx, tx, sc, gatewayTargets, row, in.Name); err != nil {
			return nil, err
		}
		members.Assign(t, in) // the whole configuration: members left out are cleared
		completeGatewayTarget(sc, t)
		t.AuthorizationData = nil
		if err := gatewayTargets.enter(ctx, s, tx, row, t, string(api.TargetStatusUpdating), s.now().UTC()); err != nil {
			return nil, err
		}
		return members.Project[api.UpdateGatewayTargetResponse](t), nil
	})
}

func (s *Service) DeleteGatewayTarget(ctx context.Context, in *api.DeleteGatewayTargetRequest) (*api.DeleteGatewayTargetResponse, error) {
	return remove[api.DeleteGatewayTargetResponse](ctx, s, gatewayTargets, in.GatewayIdentifier, in.TargetId)
}

func (s *Service) ListGatewayTargets(ctx context.Context, in *api.ListGatewayTargetsRequest) (*api.ListGatewayTargetsResponse, error) {
	targets, next, err := list[api.GetGatewayTargetResponse](ctx, s, gatewayTargets,
		listing[gatewayTargetRecord]{parent: in.GatewayIdentifier, maxResults: in.MaxResults, nextToken: in.NextToken})
	if err != nil {
		return nil, err // an unknown gateway: ResourceNotFoundException, modeled since botocore 1.43.67
	}
	out := &api.ListGatewayTargetsResponse{Items: []api.TargetSummary{}, NextToken: next}
	for _, t := range targets {
		sum := members.Project[api.TargetSummary](&t)
		sum.TargetType = gatewayTargetType(t.TargetConfiguration)
		// An MCP server target's priority "defaults to 1000 when not set".
		if srv := gatewayTargetMcpServer(t.TargetConfiguration); srv != nil {
			sum.ResourcePriority = cmp.Or(srv.ResourcePriority, ptr(int64(1000)))
			sum.ListingMode = cmp.Or(srv.ListingMode, api.ListingModeDefault)
		}
		out.Items = append(out.Items, *sum)
	}
	return out, nil
}

func (s *Service) SynchronizeGatewayTargets(ctx context.Context, in *api.SynchronizeGatewayTargetsRequest) (*api.SynchronizeGatewayTargetsResponse, error) {
	sc := scopeOf(ctx)
	return mutate(ctx, s, func(tx store.Tx) (*api.SynchronizeGatewayTargetsResponse, error) {
		out := &api.SynchronizeGatewayTargetsResponse{Targets: []api.GatewayTarget{}}
		for _, targetID := range in.TargetIdList {
			row, t, err := loadChangeableTarget(ctx, tx, sc, in.GatewayIdentifier, targetID, "synchronize")
			if err != nil {
				return nil, err
			}
			srv := gatewayTargetMcpServer(t.TargetConfiguration)
			if srv == nil {
				return nil, awserr.Validation("Target %s is not an MCP server target; only MCP server targets can be synchronized.", targetID)
			}
			if srv.McpToolSchema != nil {
				return nil, awserr.Validation("Target %s has a static tool schema (mcpToolSchema) and cannot be synchronized. Remove the static schema through an UpdateGatewayTarget call to enable dynamic tool synchronization.", targetID)
			}
			if err := gatewayTargets.enter(ctx, s, tx, row, t, string(api.TargetStatusSynchronizing), s.now().UTC()); err != nil {
				return nil, err
			}
			out.Targets = append(out.Targets, *members.Project[api.GatewayTarget](t))
		}
		return out, nil
	})
}

// gatewayTargetAuthorizationURL is where a user grants the consent an
// authorization-code target waits for.
func gatewayTargetAuthorizationURL(region string) string {
	return "https://bedrock-agentcore." + region + ".amazonaws.com/identities/oauth2/authorize?request_uri=" +
		url.QueryEscape("urn:ietf:params:oauth:request_uri:"+uuid.NewString())
}

// settleGatewayTarget is the settled hook of targets: an authorization-code
// target that a change would make READY first waits for the user in the
// change's *_PENDING_AUTH status; reaching READY otherwise means the gateway
// listed the MCP server's tools (implicit synchronization), unless the
// schema is static.
func settleGatewayTarget(_ context.Context, _ *Service, _ store.Tx, row *store.Resource, t *gatewayTargetRecord, from string) error {
	t.AuthorizationData = nil
	if t.Status != api.TargetStatusReady {
		return nil
	}
	if wait, ok := targetPendingAuth[from]; ok && gatewayTargetNeedsUserAuth(t.CredentialProviderConfigurations) {
		t.Status = wait
		t.AuthorizationData = &api.AuthorizationData{Oauth2: &api.OAuth2AuthorizationData{
			AuthorizationUrl: gatewayTargetAuthorizationURL(row.Region),
		}}
		return nil
	}
	if srv := gatewayTargetMcpServer(t.TargetConfiguration); srv != nil && srv.McpToolSchema == nil {
		t.LastSynchronizedAt = api.NewDateTime(t.UpdatedAt.Time)
	}
	return nil
}
