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
//   - wafConfiguration and customTransformConfiguration (botocore 1.43.67)
//     are UpdateGateway members only (CreateGateway has neither): they are
//     stored as given by an update and reported by every answer.
//     webAclArn is read-only: on AWS it is the web ACL that AWS WAF
//     associates with the gateway (WAFv2 AssociateWebACL, devguide
//     "Protecting your gateway with AWS WAF"), which wafConfiguration's
//     failureMode only qualifies. There is no WAF here to associate one, so
//     webAclArn is always absent.
//   - customJWTAuthorizer's advertisedScopeMapping and
//     allowedWorkloadConfiguration are stored and answered as given.
//   - Targets can be added while the gateway is CREATING (immediate mode
//     makes the question moot); a DELETING gateway takes no new targets or
//     rules (ConflictException).

import (
	"cmp"
	"context"
	"maps"
	"strings"

	"agentcored/internal/api"
	"agentcored/internal/awserr"
	"agentcored/internal/members"
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
	failable
}

var gateways = &family[gatewayRecord]{
	kind: kindGateway, group: familyGateways, noun: "gateway", arnPath: "gateway/",
	newID:     func(name string) string { return strings.ToLower(name) + "-" + randomString(lowerAlphabet, 10) },
	fields:    fields{ID: "GatewayId", ARN: "GatewayArn", Status: "Status", Reason: "StatusReasons", Created: "CreatedAt", Updated: "UpdatedAt"},
	states:    gatewayStates(nil),
	quota:     func(q Quotas) int { return q.GatewaysPerAccount },
	listLimit: defaultGatewayListLimit,
	missing:   func(_, _ string) error { return gatewayNotFound() },
	// Targets block the deletion in every status, DELETING included:
	// callers must wait until their targets are gone.
	beforeDelete: refuseWithChildren[gatewayRecord](kindGatewayTarget, func(id string, _ int) error {
		return awserr.Validation("Gateway %s has targets associated with it. Delete all targets before deleting the gateway.", id)
	}),
	settled: purgeGateway,
}

// gatewayStates is the machine of gateways, and with more of targets: a
// failed change ends in FAILED, or UPDATE_UNSUCCESSFUL for an update.
func gatewayStates(more map[string]outcome) states {
	settle := map[string]outcome{"CREATING": {"READY", "FAILED"}, "UPDATING": {"READY", "UPDATE_UNSUCCESSFUL"}, "DELETING": {"", "FAILED"}}
	maps.Copy(settle, more)
	return states{create: "CREATING", update: "UPDATING", delete: "DELETING", settle: settle}
}

func gatewayNotFound() error {
	return awserr.NotFound("Failed to retrieve gateway because it doesn't exist")
}

func gatewayURL(sc scope, id string) string {
	return "https://" + id + ".gateway.bedrock-agentcore." + sc.region + ".amazonaws.com/mcp"
}

// gatewayExists is the parentExists hook of targets and rules: a request
// on a missing gateway's targets or rules reports the gateway missing.
func gatewayExists(ctx context.Context, tx store.Tx, sc scope, id string) error {
	_, _, err := gateways.load(ctx, tx, sc, "", id)
	return err
}

// gatewayTakesChildren is the check of a target's or rule's create: the
// gateway exists and is not being deleted.
func gatewayTakesChildren(ctx context.Context, id string) func(store.Tx, scope) error {
	return func(tx store.Tx, sc scope) error {
		_, g, err := gateways.load(ctx, tx, sc, "", id)
		if err == nil && g.Status == api.GatewayStatusDeleting {
			err = awserr.Conflict("Gateway %s is being deleted.", id)
		}
		return err
	}
}

// checkGatewayConfig enforces what the model says only in prose about the
// configuration a create or update request sets.
func checkGatewayConfig(in any) error {
	c := members.Project[api.GetGatewayResponse](in)
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

func (s *Service) CreateGateway(ctx context.Context, in *api.CreateGatewayRequest) (*api.CreateGatewayResponse, error) {
	if err := checkGatewayConfig(in); err != nil {
		return nil, err
	}
	return create[api.CreateGatewayResponse](ctx, s, gateways, creation{name: in.Name, tags: in.Tags, from: in},
		func(tx store.Tx, sc scope, g *gatewayRecord) error {
			g.ProtocolType = cmp.Or(g.ProtocolType, api.GatewayProtocolTypeMcp)
			g.GatewayUrl = gatewayURL(sc, g.GatewayId)
			wi, err := s.createLinkedIdentity(ctx, tx, g.GatewayId, g.GatewayArn, g.CreatedAt.Time)
			g.WorkloadIdentityDetails = &api.WorkloadIdentityDetails{WorkloadIdentityArn: wi}
			return err
		})
}

func (s *Service) GetGateway(ctx context.Context, in *api.GetGatewayRequest) (*api.GetGatewayResponse, error) {
	return get[api.GetGatewayResponse](ctx, s, gateways, "", in.GatewayIdentifier)
}

func (s *Service) UpdateGateway(ctx context.Context, in *api.UpdateGatewayRequest) (*api.UpdateGatewayResponse, error) {
	if err := checkGatewayConfig(in); err != nil {
		return nil, err
	}
	return update[api.UpdateGatewayResponse](ctx, s, gateways, "", in.GatewayIdentifier, nil,
		func(_ store.Tx, _ scope, _ *store.Resource, g *gatewayRecord) error {
			if in.Name != g.Name {
				return awserr.Validation("1 validation error detected: Value at 'name' failed to satisfy constraint: The name of a gateway cannot be changed; it must be '%s'", g.Name)
			}
			members.Assign(g, in) // the whole configuration: members left out are cleared
			g.ProtocolType = cmp.Or(g.ProtocolType, api.GatewayProtocolTypeMcp)
			return nil
		})
}

func (s *Service) DeleteGateway(ctx context.Context, in *api.DeleteGatewayRequest) (*api.DeleteGatewayResponse, error) {
	return remove[api.DeleteGatewayResponse](ctx, s, gateways, "", in.GatewayIdentifier)
}

func (s *Service) ListGateways(ctx context.Context, in *api.ListGatewaysRequest) (*api.ListGatewaysResponse, error) {
	return answerPage[api.ListGatewaysResponse](list[api.GatewaySummary](ctx, s, gateways,
		listing[gatewayRecord]{maxResults: in.MaxResults, nextToken: in.NextToken}))
}

// purgeGateway is the settled hook of gateways: a gateway whose deletion
// ends takes its rules, its rate limits and its linked identity with it.
// Targets never remain: DeleteGateway refuses while any exists.
func purgeGateway(ctx context.Context, s *Service, tx store.Tx, row *store.Resource, g *gatewayRecord, from string) error {
	if from != "DELETING" || g.Status != api.GatewayStatusDeleting {
		return nil // another transition ended, or the deletion failed
	}
	if err := s.removeChildren(ctx, tx, row, kindGatewayRule, kindGatewayTarget, kindGatewayRateLimit); err != nil {
		return err
	}
	return s.deleteLinkedIdentity(ctx, tx, row)
}
