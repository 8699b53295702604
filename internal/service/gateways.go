package service

// Gateways, with their targets (gateway_targets.go) and rules
// (gateway_rules.go).
//
// A gateway's id is its lower-cased name, "-" and 10 random lower-case
// alphanumerics; its ARN is ...:gateway/<id>; its URL
// https://<id>.gateway.bedrock-agentcore.<region>.amazonaws.com/mcp. Create
// also makes a workload identity named exactly the gateway id, linked to it
// (undeletable by the caller, removed with the gateway), returned in
// workloadIdentityDetails.
//
// Statuses: CREATING -> READY (or FAILED with statusReasons), UPDATING ->
// READY (or UPDATE_UNSUCCESSFUL), DELETING -> row removed (or FAILED with
// statusReasons, as the live service can park a gateway whose deletion
// failed). A gateway that still has targets, whatever their status, cannot
// be deleted (ValidationException, the live service's answer); its rules go
// with it.
//
// Decisions:
//   - gatewayIdentifier is the gateway id only. The model's pattern for the
//     label, ([0-9a-z][-]?){1,100}-[0-9a-z]{10}, cannot match an ARN, so the
//     validator already rejects one with ValidationException, as the live
//     service does (terraform-provider-aws#47525).
//   - UpdateGateway replaces the whole configuration (PUT semantics, like
//     UpdateAgentRuntime): optional members left out are cleared. Its name
//     "must be the same as the one when the gateway was created" (model
//     doc): another name is a ValidationException.
//   - protocolType defaults to MCP, its only value.
//   - authorizerConfiguration is required for CUSTOM_JWT (model doc) and
//     refused for NONE and AWS_IAM, which have nothing to configure;
//     AUTHENTICATE_ONLY takes it or not.
//   - Targets can be added while the gateway is CREATING (immediate mode
//     makes the question moot); a DELETING gateway takes no new targets or
//     rules (ConflictException).

import (
	"context"
	"strings"
	"time"

	"agentcored/internal/api"
	"agentcored/internal/awserr"
	"agentcored/internal/store"
)

const (
	kindGateway       = "gateway"
	kindGatewayTarget = "gateway-target"
	kindGatewayRule   = "gateway-rule"
	familyGateways    = "gateways"
	// defaultGatewayListLimit is the page size when maxResults is absent
	// (the model gives no default for these lists).
	defaultGatewayListLimit = 10
)

// gatewayRecord is the document of a gateway row.
type gatewayRecord struct {
	api.GetGatewayResponse
	// PendingFailure, set by an injected fault, makes the pending transition
	// end in FAILED / UPDATE_UNSUCCESSFUL with this status reason.
	PendingFailure string `json:"pendingFailure,omitempty"`
}

func (s *Service) registerGateways() {
	s.lifecycle.Register(familyGateways, kindGateway, s.reconcileGateway)
	s.lifecycle.Register(familyGateways, kindGatewayTarget, s.reconcileGatewayTarget)
	s.lifecycle.Register(familyGateways, kindGatewayRule, s.reconcileGatewayRule)
}

func gatewayNotFound() error {
	return awserr.NotFound("Failed to retrieve gateway because it doesn't exist")
}

func gatewayURL(sc scope, id string) string {
	return "https://" + id + ".gateway.bedrock-agentcore." + sc.region + ".amazonaws.com/mcp"
}

func (s *Service) getGateway(ctx context.Context, tx store.Tx, id string) (*store.Resource, *gatewayRecord, error) {
	return loadDoc[gatewayRecord](ctx, tx, scopeOf(ctx).key(kindGateway, id), func() error { return gatewayNotFound() })
}

// gatewayAcceptsChildren fetches a gateway that targets and rules can be
// added to: it exists and is not being deleted.
func (s *Service) gatewayAcceptsChildren(ctx context.Context, tx store.Tx, id string) (*gatewayRecord, error) {
	row, rec, err := s.getGateway(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	if row.Status == string(api.GatewayStatusDeleting) {
		return nil, awserr.Conflict("Gateway %s is being deleted.", id)
	}
	return rec, nil
}

// gatewayConfig is what CreateGateway and UpdateGateway both set: the whole
// configuration.
type gatewayConfig struct {
	Description               string
	RoleArn                   string
	ProtocolType              api.GatewayProtocolType
	ProtocolConfiguration     *api.GatewayProtocolConfiguration
	AuthorizerType            api.AuthorizerType
	AuthorizerConfiguration   *api.AuthorizerConfiguration
	KmsKeyArn                 string
	InterceptorConfigurations []api.GatewayInterceptorConfiguration
	PolicyEngineConfiguration *api.GatewayPolicyEngineConfiguration
	ExceptionLevel            api.ExceptionLevel
}

func (c *gatewayConfig) check() error {
	switch c.AuthorizerType {
	case api.AuthorizerTypeCustomJwt:
		if c.AuthorizerConfiguration == nil {
			return awserr.Validation("1 validation error detected: Value null at 'authorizerConfiguration' failed to satisfy constraint: Member must not be null when authorizerType is CUSTOM_JWT")
		}
	case api.AuthorizerTypeNone, api.AuthorizerTypeAwsIam:
		if c.AuthorizerConfiguration != nil {
			return awserr.Validation("1 validation error detected: Value at 'authorizerConfiguration' failed to satisfy constraint: Member is only allowed when authorizerType is CUSTOM_JWT or AUTHENTICATE_ONLY")
		}
	}
	if pc := c.ProtocolConfiguration; pc != nil && pc.Mcp != nil && c.ProtocolType != "" && c.ProtocolType != api.GatewayProtocolTypeMcp {
		return awserr.Validation("1 validation error detected: Value at 'protocolConfiguration.mcp' failed to satisfy constraint: Member is only allowed when protocolType is MCP")
	}
	for i, ic := range c.InterceptorConfigurations {
		seen := map[api.GatewayInterceptionPoint]bool{}
		for _, p := range ic.InterceptionPoints {
			if seen[p] {
				return awserr.Validation("1 validation error detected: Value at 'interceptorConfigurations.%d.member.interceptionPoints' failed to satisfy constraint: Interception points must be unique", i+1)
			}
			seen[p] = true
		}
	}
	return nil
}

// apply writes the configuration into a gateway document.
func (c *gatewayConfig) apply(doc *api.GetGatewayResponse) {
	doc.Description = c.Description
	doc.RoleArn = c.RoleArn
	doc.ProtocolType = c.ProtocolType
	if doc.ProtocolType == "" {
		doc.ProtocolType = api.GatewayProtocolTypeMcp
	}
	doc.ProtocolConfiguration = c.ProtocolConfiguration
	doc.AuthorizerType = c.AuthorizerType
	doc.AuthorizerConfiguration = c.AuthorizerConfiguration
	doc.KmsKeyArn = c.KmsKeyArn
	doc.InterceptorConfigurations = c.InterceptorConfigurations
	doc.PolicyEngineConfiguration = c.PolicyEngineConfiguration
	doc.ExceptionLevel = c.ExceptionLevel
}

func (s *Service) CreateGateway(ctx context.Context, in *api.CreateGatewayRequest) (*api.CreateGatewayResponse, error) {
	cfg := gatewayConfig{
		Description: in.Description, RoleArn: in.RoleArn, ProtocolType: in.ProtocolType,
		ProtocolConfiguration: in.ProtocolConfiguration, AuthorizerType: in.AuthorizerType,
		AuthorizerConfiguration: in.AuthorizerConfiguration, KmsKeyArn: in.KmsKeyArn,
		InterceptorConfigurations: in.InterceptorConfigurations, PolicyEngineConfiguration: in.PolicyEngineConfiguration,
		ExceptionLevel: in.ExceptionLevel,
	}
	if err := cfg.check(); err != nil {
		return nil, err
	}
	if err := checkTagKeys("tags", mapKeys(in.Tags)); err != nil {
		return nil, err
	}
	sc := scopeOf(ctx)
	return mutate(ctx, s, func(tx store.Tx) (*api.CreateGatewayResponse, error) {
		if err := checkNamed(ctx, tx, sc, kindGateway, in.Name, s.quotas.GatewaysPerAccount, "gateway"); err != nil {
			return nil, err
		}
		now := s.now().UTC()
		id := strings.ToLower(in.Name) + "-" + randomString(lowerAlphabet, 10)
		arn := sc.arn("gateway/" + id)
		wi, err := s.createLinkedIdentity(ctx, tx, id, arn, now)
		if err != nil {
			return nil, err
		}
		rec := gatewayRecord{GetGatewayResponse: api.GetGatewayResponse{
			GatewayArn: arn, GatewayId: id, GatewayUrl: gatewayURL(sc, id), Name: in.Name,
			CreatedAt: api.NewDateTime(now), UpdatedAt: api.NewDateTime(now), Status: api.GatewayStatusCreating,
			WorkloadIdentityDetails: &api.WorkloadIdentityDetails{WorkloadIdentityArn: wi},
		}}
		cfg.apply(&rec.GetGatewayResponse)
		rec.PendingFailure = s.injectedFailure(ctx, "CreateGateway")
		row := &store.Resource{Account: sc.account, Region: sc.region, Kind: kindGateway, ID: id, Name: in.Name,
			ARN: arn, Status: string(rec.Status), CreatedAt: now, UpdatedAt: now, Doc: encodeDoc(rec)}
		if err := s.insertNamed(ctx, tx, row, in.Tags, "gateway"); err != nil {
			return nil, err
		}
		// The answer is the gateway as created, whatever the lifecycle
		// policy does to the row next.
		out := api.CreateGatewayResponse(rec.GetGatewayResponse)
		if err := s.lifecycle.Schedule(ctx, tx, row); err != nil {
			return nil, err
		}
		return &out, nil
	})
}

func (s *Service) GetGateway(ctx context.Context, in *api.GetGatewayRequest) (*api.GetGatewayResponse, error) {
	var rec *gatewayRecord
	err := s.read(ctx, func(tx store.Tx) error {
		var err error
		_, rec, err = s.getGateway(ctx, tx, in.GatewayIdentifier)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &rec.GetGatewayResponse, nil
}

func (s *Service) UpdateGateway(ctx context.Context, in *api.UpdateGatewayRequest) (*api.UpdateGatewayResponse, error) {
	cfg := gatewayConfig{
		Description: in.Description, RoleArn: in.RoleArn, ProtocolType: in.ProtocolType,
		ProtocolConfiguration: in.ProtocolConfiguration, AuthorizerType: in.AuthorizerType,
		AuthorizerConfiguration: in.AuthorizerConfiguration, KmsKeyArn: in.KmsKeyArn,
		InterceptorConfigurations: in.InterceptorConfigurations, PolicyEngineConfiguration: in.PolicyEngineConfiguration,
		ExceptionLevel: in.ExceptionLevel,
	}
	if err := cfg.check(); err != nil {
		return nil, err
	}
	return mutate(ctx, s, func(tx store.Tx) (*api.UpdateGatewayResponse, error) {
		row, rec, err := s.getGateway(ctx, tx, in.GatewayIdentifier)
		if err != nil {
			return nil, err
		}
		if transitional(row.Status) {
			return nil, awserr.Conflict("Gateway %s is %s; wait until the change completes and try again.", in.GatewayIdentifier, row.Status)
		}
		if in.Name != rec.Name {
			return nil, awserr.Validation("1 validation error detected: Value at 'name' failed to satisfy constraint: The name of a gateway cannot be changed; it must be '%s'", rec.Name)
		}
		now := s.now().UTC()
		cfg.apply(&rec.GetGatewayResponse)
		rec.Status = api.GatewayStatusUpdating
		rec.StatusReasons = nil
		rec.UpdatedAt = api.NewDateTime(now)
		rec.PendingFailure = s.injectedFailure(ctx, "UpdateGateway")
		if err := saveDoc(ctx, tx, row, string(rec.Status), rec, now); err != nil {
			return nil, err
		}
		out := api.UpdateGatewayResponse(rec.GetGatewayResponse)
		if err := s.lifecycle.Schedule(ctx, tx, row); err != nil {
			return nil, err
		}
		return &out, nil
	})
}

func (s *Service) DeleteGateway(ctx context.Context, in *api.DeleteGatewayRequest) (*api.DeleteGatewayResponse, error) {
	sc := scopeOf(ctx)
	return mutate(ctx, s, func(tx store.Tx) (*api.DeleteGatewayResponse, error) {
		row, rec, err := s.getGateway(ctx, tx, in.GatewayIdentifier)
		if err != nil {
			return nil, err
		}
		out := &api.DeleteGatewayResponse{GatewayId: rec.GatewayId, Status: api.GatewayStatusDeleting}
		if row.Status == string(api.GatewayStatusDeleting) {
			return out, nil
		}
		// Targets block the deletion in every status, DELETING included:
		// callers must wait until their targets are gone.
		n, err := tx.Count(ctx, sc.account, sc.region, kindGatewayTarget, rec.GatewayId)
		if err != nil {
			return nil, err
		}
		if n > 0 {
			return nil, awserr.Validation("Gateway %s has targets associated with it. Delete all targets before deleting the gateway.", rec.GatewayId)
		}
		now := s.now().UTC()
		rec.Status = api.GatewayStatusDeleting
		rec.StatusReasons = nil
		rec.UpdatedAt = api.NewDateTime(now)
		rec.PendingFailure = s.injectedFailure(ctx, "DeleteGateway")
		return out, s.transition(ctx, tx, row, string(rec.Status), rec, now)
	})
}

func (s *Service) ListGateways(ctx context.Context, in *api.ListGatewaysRequest) (*api.ListGatewaysResponse, error) {
	out := &api.ListGatewaysResponse{Items: []api.GatewaySummary{}}
	sc := scopeOf(ctx)
	err := s.read(ctx, func(tx store.Tx) error {
		rows, next, err := s.page(ctx, tx, sc, kindGateway, "", in.MaxResults, defaultGatewayListLimit, in.NextToken)
		if err != nil {
			return err
		}
		out.NextToken = next
		for _, r := range rows {
			var rec gatewayRecord
			if err := decodeDoc(r, &rec); err != nil {
				return err
			}
			out.Items = append(out.Items, api.GatewaySummary{
				GatewayId: rec.GatewayId, Name: rec.Name, Status: rec.Status, Description: rec.Description,
				CreatedAt: rec.CreatedAt, UpdatedAt: rec.UpdatedAt, AuthorizerType: rec.AuthorizerType, ProtocolType: rec.ProtocolType,
			})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// reconcileGateway completes a gateway's pending transition.
func (s *Service) reconcileGateway(ctx context.Context, tx store.Tx, row *store.Resource, now time.Time) error {
	var rec gatewayRecord
	if err := decodeDoc(row, &rec); err != nil {
		return err
	}
	switch rec.Status {
	case api.GatewayStatusCreating, api.GatewayStatusUpdating, api.GatewayStatusDeleting:
	default:
		return nil
	}
	if rec.Status == api.GatewayStatusDeleting && rec.PendingFailure == "" {
		return s.purgeGateway(ctx, tx, row)
	}
	next := api.GatewayStatusReady
	rec.StatusReasons = nil
	if rec.PendingFailure != "" {
		next = api.GatewayStatusFailed
		if rec.Status == api.GatewayStatusUpdating {
			next = api.GatewayStatusUpdateUnsuccessful
		}
		rec.StatusReasons = []string{rec.PendingFailure}
	}
	rec.Status = next
	rec.PendingFailure = ""
	rec.UpdatedAt = api.NewDateTime(now)
	return saveDoc(ctx, tx, row, string(next), rec, now)
}

// purgeGateway removes a gateway with its rules and its linked identity.
// Targets never remain: DeleteGateway refuses while any exists.
func (s *Service) purgeGateway(ctx context.Context, tx store.Tx, row *store.Resource) error {
	for _, kind := range []string{kindGatewayRule, kindGatewayTarget} {
		children, err := tx.List(ctx, store.ListQuery{Account: row.Account, Region: row.Region, Kind: kind, ParentID: row.ID})
		if err != nil {
			return err
		}
		for _, c := range children {
			if err := s.removeResource(ctx, tx, c); err != nil {
				return err
			}
		}
	}
	if err := s.deleteLinkedIdentity(ctx, tx, row); err != nil {
		return err
	}
	return s.removeResource(ctx, tx, row)
}
