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
//   - privateEndpoint.managedVpcResource makes the "gateway create" one
//     resource gateway and association, reported in
//     privateEndpointManagedResources (kept across updates).

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"time"

	"agentcored/internal/api"
	"agentcored/internal/awserr"
	"agentcored/internal/store"
)

const targetIDAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

// gatewayTargetRecord is the document of a gateway-target row.
type gatewayTargetRecord struct {
	api.GetGatewayTargetResponse
	// PendingFailure, set by an injected fault, makes the pending transition
	// end in its failed status with this status reason.
	PendingFailure string `json:"pendingFailure,omitempty"`
}

func gatewayTargetRowID(gatewayID, targetID string) string { return gatewayID + "/" + targetID }

func gatewayTargetNotFound(gatewayID, targetID string) error {
	return awserr.NotFound("Target '%s' of gateway '%s' was not found.", targetID, gatewayID)
}

func gatewayTargetNameTaken(gatewayID, name string) error {
	return awserr.Conflict("A target named '%s' already exists in gateway %s.", name, gatewayID)
}

func (s *Service) getGatewayTarget(ctx context.Context, tx store.Tx, gatewayID, targetID string) (*store.Resource, *gatewayTargetRecord, error) {
	return loadDoc[gatewayTargetRecord](ctx, tx, scopeOf(ctx).key(kindGatewayTarget, gatewayTargetRowID(gatewayID, targetID)), func() error { return gatewayTargetNotFound(gatewayID, targetID) })
}

// gatewayTargetPendingAuth reports whether a status waits for a user's
// OAuth authorization.
func gatewayTargetPendingAuth(status string) bool {
	switch api.TargetStatus(status) {
	case api.TargetStatusCreatePendingAuth, api.TargetStatusUpdatePendingAuth, api.TargetStatusSynchronizePendingAuth:
		return true
	}
	return false
}

// checkGatewayTargetChangeable refuses a change to a target that is moving
// or waiting for authorization; verb names the change for the message.
func checkGatewayTargetChangeable(row *store.Resource, targetID, verb string) error {
	switch {
	case gatewayTargetPendingAuth(row.Status):
		return awserr.Conflict("Target %s is in %s. Wait for the authorization to complete or fail before you %s the target.", targetID, row.Status, verb)
	case transitional(row.Status) || row.Status == string(api.TargetStatusSynchronizing):
		return awserr.Conflict("Target %s is %s; wait until the change completes and try again.", targetID, row.Status)
	}
	return nil
}

// gatewayTargetConfig is what CreateGatewayTarget and UpdateGatewayTarget
// both set: the whole configuration.
type gatewayTargetConfig struct {
	Name                             string
	Description                      string
	TargetConfiguration              *api.TargetConfiguration
	CredentialProviderConfigurations []api.CredentialProviderConfiguration
	MetadataConfiguration            *api.MetadataConfiguration
	PrivateEndpoint                  *api.PrivateEndpoint
}

// mcpServer returns the MCP server configuration of a target, if it is one.
func gatewayTargetMcpServer(tc *api.TargetConfiguration) *api.McpServerTargetConfiguration {
	if tc == nil || tc.Mcp == nil {
		return nil
	}
	return tc.Mcp.McpServer
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

func (c *gatewayTargetConfig) check() error {
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

// apply writes the configuration into a target document.
func (c *gatewayTargetConfig) apply(ctx context.Context, doc *api.GetGatewayTargetResponse) {
	doc.Name = c.Name
	doc.Description = c.Description
	doc.TargetConfiguration = c.TargetConfiguration
	doc.CredentialProviderConfigurations = c.CredentialProviderConfigurations
	doc.MetadataConfiguration = c.MetadataConfiguration
	doc.PrivateEndpoint = c.PrivateEndpoint
	doc.ProtocolType = api.TargetProtocolTypeMcp
	if c.TargetConfiguration != nil && c.TargetConfiguration.Http != nil {
		doc.ProtocolType = api.TargetProtocolTypeHttp
	}
	doc.PrivateEndpointManagedResources = c.managedResources(ctx, doc.PrivateEndpointManagedResources)
}

// managedResources is what the gateway manages for a managed VPC Lattice
// private endpoint: one resource gateway and its association, whose ARNs
// survive updates (prev) while the endpoint stays managed.
func (c *gatewayTargetConfig) managedResources(ctx context.Context, prev []api.ManagedResourceDetails) []api.ManagedResourceDetails {
	if c.PrivateEndpoint == nil || c.PrivateEndpoint.ManagedVpcResource == nil {
		return nil
	}
	m := api.ManagedResourceDetails{}
	if len(prev) > 0 {
		m = prev[0]
	} else {
		sc := scopeOf(ctx)
		prefix := "arn:aws:vpc-lattice:" + sc.region + ":" + sc.account + ":"
		m.ResourceGatewayArn = prefix + "resourcegateway/rgw-" + randomString(lowerAlphabet, 17)
		m.ResourceAssociationArn = prefix + "servicenetworkresourceassociation/snra-" + randomString("0123456789abcdef", 17)
	}
	m.Domain = c.PrivateEndpoint.ManagedVpcResource.RoutingDomain
	if srv := gatewayTargetMcpServer(c.TargetConfiguration); m.Domain == "" && srv != nil {
		if u, err := url.Parse(srv.Endpoint); err == nil {
			m.Domain = u.Hostname()
		}
	}
	return []api.ManagedResourceDetails{m}
}

func (s *Service) CreateGatewayTarget(ctx context.Context, in *api.CreateGatewayTargetRequest) (*api.CreateGatewayTargetResponse, error) {
	cfg := gatewayTargetConfig{
		Name: in.Name, Description: in.Description, TargetConfiguration: in.TargetConfiguration,
		CredentialProviderConfigurations: in.CredentialProviderConfigurations,
		MetadataConfiguration:            in.MetadataConfiguration, PrivateEndpoint: in.PrivateEndpoint,
	}
	if err := cfg.check(); err != nil {
		return nil, err
	}
	sc := scopeOf(ctx)
	return mutate(ctx, s, func(tx store.Tx) (*api.CreateGatewayTargetResponse, error) {
		gw, err := s.gatewayAcceptsChildren(ctx, tx, in.GatewayIdentifier)
		if err != nil {
			return nil, err
		}
		if _, err := tx.GetByName(ctx, sc.account, sc.region, kindGatewayTarget, gw.GatewayId, in.Name); err == nil {
			return nil, gatewayTargetNameTaken(gw.GatewayId, in.Name)
		} else if !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
		n, err := tx.Count(ctx, sc.account, sc.region, kindGatewayTarget, gw.GatewayId)
		if err != nil {
			return nil, err
		}
		if n >= s.quotas.TargetsPerGateway {
			return nil, awserr.QuotaExceeded("Gateway %s has reached the maximum of %d targets.", gw.GatewayId, s.quotas.TargetsPerGateway)
		}
		now := s.now().UTC()
		id := randomString(targetIDAlphabet, 10)
		rec := gatewayTargetRecord{GetGatewayTargetResponse: api.GetGatewayTargetResponse{
			GatewayArn: gw.GatewayArn, TargetId: id, Status: api.TargetStatusCreating,
			CreatedAt: api.NewDateTime(now), UpdatedAt: api.NewDateTime(now),
		}}
		cfg.apply(ctx, &rec.GetGatewayTargetResponse)
		rec.PendingFailure = s.injectedFailure(ctx, "CreateGatewayTarget")
		row := &store.Resource{Account: sc.account, Region: sc.region, Kind: kindGatewayTarget,
			ID: gatewayTargetRowID(gw.GatewayId, id), ParentID: gw.GatewayId, Name: in.Name,
			Status: string(rec.Status), CreatedAt: now, UpdatedAt: now, Doc: encodeDoc(rec)}
		if err := tx.Insert(ctx, row); err != nil {
			if errors.Is(err, store.ErrConflict) {
				return nil, gatewayTargetNameTaken(gw.GatewayId, in.Name)
			}
			return nil, err
		}
		out := api.CreateGatewayTargetResponse(rec.GetGatewayTargetResponse)
		if err := s.lifecycle.Schedule(ctx, tx, row); err != nil {
			return nil, err
		}
		return &out, nil
	})
}

func (s *Service) GetGatewayTarget(ctx context.Context, in *api.GetGatewayTargetRequest) (*api.GetGatewayTargetResponse, error) {
	var rec *gatewayTargetRecord
	err := s.read(ctx, func(tx store.Tx) error {
		if _, _, err := s.getGateway(ctx, tx, in.GatewayIdentifier); err != nil {
			return err
		}
		var err error
		_, rec, err = s.getGatewayTarget(ctx, tx, in.GatewayIdentifier, in.TargetId)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &rec.GetGatewayTargetResponse, nil
}

func (s *Service) UpdateGatewayTarget(ctx context.Context, in *api.UpdateGatewayTargetRequest) (*api.UpdateGatewayTargetResponse, error) {
	cfg := gatewayTargetConfig{
		Name: in.Name, Description: in.Description, TargetConfiguration: in.TargetConfiguration,
		CredentialProviderConfigurations: in.CredentialProviderConfigurations,
		MetadataConfiguration:            in.MetadataConfiguration, PrivateEndpoint: in.PrivateEndpoint,
	}
	if err := cfg.check(); err != nil {
		return nil, err
	}
	sc := scopeOf(ctx)
	return mutate(ctx, s, func(tx store.Tx) (*api.UpdateGatewayTargetResponse, error) {
		if _, _, err := s.getGateway(ctx, tx, in.GatewayIdentifier); err != nil {
			return nil, err
		}
		row, rec, err := s.getGatewayTarget(ctx, tx, in.GatewayIdentifier, in.TargetId)
		if err != nil {
			return nil, err
		}
		if err := checkGatewayTargetChangeable(row, in.TargetId, "update"); err != nil {
			return nil, err
		}
		if in.Name != row.Name {
			if _, err := tx.GetByName(ctx, sc.account, sc.region, kindGatewayTarget, in.GatewayIdentifier, in.Name); err == nil {
				return nil, gatewayTargetNameTaken(in.GatewayIdentifier, in.Name)
			} else if !errors.Is(err, store.ErrNotFound) {
				return nil, err
			}
		}
		now := s.now().UTC()
		cfg.apply(ctx, &rec.GetGatewayTargetResponse)
		rec.Status = api.TargetStatusUpdating
		rec.StatusReasons = nil
		rec.AuthorizationData = nil
		rec.UpdatedAt = api.NewDateTime(now)
		rec.PendingFailure = s.injectedFailure(ctx, "UpdateGatewayTarget")
		row.Name = in.Name
		if err := saveDoc(ctx, tx, row, string(rec.Status), rec, now); err != nil {
			if errors.Is(err, store.ErrConflict) {
				return nil, gatewayTargetNameTaken(in.GatewayIdentifier, in.Name)
			}
			return nil, err
		}
		out := api.UpdateGatewayTargetResponse(rec.GetGatewayTargetResponse)
		if err := s.lifecycle.Schedule(ctx, tx, row); err != nil {
			return nil, err
		}
		return &out, nil
	})
}

func (s *Service) DeleteGatewayTarget(ctx context.Context, in *api.DeleteGatewayTargetRequest) (*api.DeleteGatewayTargetResponse, error) {
	return mutate(ctx, s, func(tx store.Tx) (*api.DeleteGatewayTargetResponse, error) {
		if _, _, err := s.getGateway(ctx, tx, in.GatewayIdentifier); err != nil {
			return nil, err
		}
		row, rec, err := s.getGatewayTarget(ctx, tx, in.GatewayIdentifier, in.TargetId)
		if err != nil {
			return nil, err
		}
		out := &api.DeleteGatewayTargetResponse{GatewayArn: rec.GatewayArn, TargetId: rec.TargetId, Status: api.TargetStatusDeleting}
		if row.Status == string(api.TargetStatusDeleting) {
			return out, nil
		}
		if gatewayTargetPendingAuth(row.Status) {
			return nil, checkGatewayTargetChangeable(row, in.TargetId, "delete")
		}
		now := s.now().UTC()
		rec.Status = api.TargetStatusDeleting
		rec.StatusReasons = nil
		rec.UpdatedAt = api.NewDateTime(now)
		rec.PendingFailure = s.injectedFailure(ctx, "DeleteGatewayTarget")
		return out, s.transition(ctx, tx, row, string(rec.Status), rec, now)
	})
}

func (s *Service) ListGatewayTargets(ctx context.Context, in *api.ListGatewayTargetsRequest) (*api.ListGatewayTargetsResponse, error) {
	out := &api.ListGatewayTargetsResponse{Items: []api.TargetSummary{}}
	sc := scopeOf(ctx)
	err := s.read(ctx, func(tx store.Tx) error {
		rows, next, err := s.page(ctx, tx, sc, kindGatewayTarget, in.GatewayIdentifier, in.MaxResults, defaultGatewayListLimit, in.NextToken)
		if err != nil {
			return err
		}
		out.NextToken = next
		for _, r := range rows {
			var rec gatewayTargetRecord
			if err := decodeDoc(r, &rec); err != nil {
				return err
			}
			sum := api.TargetSummary{
				TargetId: rec.TargetId, Name: rec.Name, Status: rec.Status, Description: rec.Description,
				CreatedAt: rec.CreatedAt, UpdatedAt: rec.UpdatedAt,
			}
			// An MCP server target's priority "defaults to 1000 when not set".
			if srv := gatewayTargetMcpServer(rec.TargetConfiguration); srv != nil {
				sum.ResourcePriority = srv.ResourcePriority
				if sum.ResourcePriority == nil {
					sum.ResourcePriority = ptr(int64(1000))
				}
			}
			out.Items = append(out.Items, sum)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (s *Service) SynchronizeGatewayTargets(ctx context.Context, in *api.SynchronizeGatewayTargetsRequest) (*api.SynchronizeGatewayTargetsResponse, error) {
	return mutate(ctx, s, func(tx store.Tx) (*api.SynchronizeGatewayTargetsResponse, error) {
		if _, _, err := s.getGateway(ctx, tx, in.GatewayIdentifier); err != nil {
			return nil, err
		}
		out := &api.SynchronizeGatewayTargetsResponse{Targets: []api.GatewayTarget{}}
		for _, targetID := range in.TargetIdList {
			row, rec, err := s.getGatewayTarget(ctx, tx, in.GatewayIdentifier, targetID)
			if err != nil {
				return nil, err
			}
			if err := checkGatewayTargetChangeable(row, targetID, "synchronize"); err != nil {
				return nil, err
			}
			srv := gatewayTargetMcpServer(rec.TargetConfiguration)
			if srv == nil {
				return nil, awserr.Validation("Target %s is not an MCP server target; only MCP server targets can be synchronized.", targetID)
			}
			if srv.McpToolSchema != nil {
				return nil, awserr.Validation("Target %s has a static tool schema (mcpToolSchema) and cannot be synchronized. Remove the static schema through an UpdateGatewayTarget call to enable dynamic tool synchronization.", targetID)
			}
			now := s.now().UTC()
			rec.Status = api.TargetStatusSynchronizing
			rec.StatusReasons = nil
			rec.UpdatedAt = api.NewDateTime(now)
			rec.PendingFailure = s.injectedFailure(ctx, "SynchronizeGatewayTargets")
			if err := saveDoc(ctx, tx, row, string(rec.Status), rec, now); err != nil {
				return nil, err
			}
			out.Targets = append(out.Targets, api.GatewayTarget(rec.GetGatewayTargetResponse))
			if err := s.lifecycle.Schedule(ctx, tx, row); err != nil {
				return nil, err
			}
		}
		return out, nil
	})
}

// gatewayTargetAuthorizationURL is where a user grants the consent an
// authorization-code target waits for.
func gatewayTargetAuthorizationURL(region string) string {
	return "https://bedrock-agentcore." + region + ".amazonaws.com/identities/oauth2/authorize?request_uri=" +
		url.QueryEscape("urn:ietf:params:oauth:request_uri:"+gatewayUUID())
}

// reconcileGatewayTarget completes a target's pending transition: a step
// towards READY (through *_PENDING_AUTH for authorization-code targets), its
// failed status, or its removal.
func (s *Service) reconcileGatewayTarget(ctx context.Context, tx store.Tx, row *store.Resource, now time.Time) error {
	var rec gatewayTargetRecord
	if err := decodeDoc(row, &rec); err != nil {
		return err
	}
	type step struct{ failed, pendingAuth api.TargetStatus }
	steps := map[api.TargetStatus]step{
		api.TargetStatusCreating:      {api.TargetStatusFailed, api.TargetStatusCreatePendingAuth},
		api.TargetStatusUpdating:      {api.TargetStatusUpdateUnsuccessful, api.TargetStatusUpdatePendingAuth},
		api.TargetStatusSynchronizing: {api.TargetStatusSynchronizeUnsuccessful, api.TargetStatusSynchronizePendingAuth},
		api.TargetStatusDeleting:      {api.TargetStatusFailed, ""},
	}
	st, moving := steps[rec.Status]
	reschedule := false
	switch {
	case moving && rec.PendingFailure != "":
		rec.Status = st.failed
		rec.StatusReasons = []string{rec.PendingFailure}
		rec.AuthorizationData = nil
	case rec.Status == api.TargetStatusDeleting:
		return s.removeResource(ctx, tx, row)
	case moving && gatewayTargetNeedsUserAuth(rec.CredentialProviderConfigurations):
		rec.Status = st.pendingAuth
		rec.AuthorizationData = &api.AuthorizationData{Oauth2: &api.OAuth2AuthorizationData{
			AuthorizationUrl: gatewayTargetAuthorizationURL(row.Region),
		}}
		reschedule = true
	case moving || gatewayTargetPendingAuth(string(rec.Status)):
		rec.Status = api.TargetStatusReady
		rec.StatusReasons = nil
		rec.AuthorizationData = nil
		// Reaching READY means the gateway listed the MCP server's tools
		// (implicit synchronization), unless the schema is static.
		if srv := gatewayTargetMcpServer(rec.TargetConfiguration); srv != nil && srv.McpToolSchema == nil {
			rec.LastSynchronizedAt = api.NewDateTime(now)
		}
	default:
		return nil
	}
	rec.PendingFailure = ""
	rec.UpdatedAt = api.NewDateTime(now)
	if err := saveDoc(ctx, tx, row, string(rec.Status), rec, now); err != nil {
		return err
	}
	if reschedule {
		// The user's authorization is the next step, completed by the
		// lifecycle engine like any other.
		return s.lifecycle.Schedule(ctx, tx, row)
	}
	return nil
}
