package service

// Gateway rules. A rule has a UUID id and no ARN. Row id
// "<gatewayId>/<ruleId>", parent the gateway; the row's name column holds
// the rule's priority, which "must be unique within a gateway" (devguide,
// gateway rules), so the store's unique index enforces it even against
// racing requests.
//
// Statuses: CREATING -> ACTIVE, UPDATING -> ACTIVE, DELETING -> row
// removed. The model gives rules no failed status, so fault injection has
// nothing to turn a rule into: fail rules for the rule operations are not
// consumed (error and latency rules apply as to every operation).
//
// Decisions:
//   - UpdateGatewayRule is a PATCH: members left out keep their values.
//   - The weights of a traffic split must add up to 100 (model doc), and a
//     rule takes at most one action of each kind (routeToTarget,
//     configurationBundle): the gateway resolves each kind once per request
//     (devguide), so a second one could never apply.
//   - Target names in routeToTarget actions are not checked against the
//     gateway's targets: rules and targets can be created in any order.
//   - Rules go with their gateway; they do not block its deletion.

import (
	"context"
	"fmt"
	"strconv"

	"github.com/google/uuid"

	"agentcored/internal/api"
	"agentcored/internal/awserr"
	"agentcored/internal/store"
)

// gatewayRuleRecord is the document of a gateway-rule row.
type gatewayRuleRecord struct {
	api.GetGatewayRuleResponse
}

var gatewayRules = &family[gatewayRuleRecord]{
	kind: kindGatewayRule, group: familyGateways, noun: "rule",
	newID:  func(string) string { return uuid.NewString() },
	fields: fields{ID: "RuleId", Status: "Status", Created: "CreatedAt", Updated: "UpdatedAt"},
	states: states{
		create: "CREATING", update: "UPDATING", delete: "DELETING",
		settle:     map[string]outcome{"CREATING": {"ACTIVE", ""}, "UPDATING": {"ACTIVE", ""}, "DELETING": {"", ""}},
		infallible: true,
	},
	quota:        func(q Quotas) int { return q.RulesPerGateway },
	listLimit:    defaultGatewayListLimit,
	parentExists: gatewayExists,
	missing: func(gatewayID, ruleID string) error {
		return awserr.NotFound("Rule '%s' of gateway '%s' was not found.", ruleID, gatewayID)
	},
	// The row's name is the priority.
	taken: func(gatewayID, priority string) error {
		return awserr.Conflict("Gateway %s already has a rule with priority %s. Each priority value must be unique within a gateway.", gatewayID, priority)
	},
	full: func(gatewayID string, quota int) error {
		return awserr.QuotaExceeded("Gateway %s has reached the maximum of %d rules.", gatewayID, quota)
	},
}

// checkGatewayRuleActions enforces what the model's shapes cannot say about
// a rule's actions.
func checkGatewayRuleActions(actions []api.Action) error {
	var routes, bundles int
	for i, a := range actions {
		member := fmt.Sprintf("actions.%d.member", i+1)
		if r := a.RouteToTarget; r != nil {
			routes++
			if w := r.WeightedRoute; w != nil {
				if err := checkWeights(member+".routeToTarget.weightedRoute.trafficSplit", w.TrafficSplit, func(e api.TargetTrafficSplitEntry) *int64 { return e.Weight }); err != nil {
					return err
				}
			}
		}
		if b := a.ConfigurationBundle; b != nil {
			bundles++
			if w := b.WeightedOverride; w != nil {
				if err := checkWeights(member+".configurationBundle.weightedOverride.trafficSplit", w.TrafficSplit, func(e api.TrafficSplitEntry) *int64 { return e.Weight }); err != nil {
					return err
				}
			}
		}
	}
	if routes > 1 || bundles > 1 {
		return awserr.Validation("1 validation error detected: Value at 'actions' failed to satisfy constraint: A rule can have at most one routeToTarget action and one configurationBundle action")
	}
	return nil
}

// checkWeights enforces that the weights of a traffic split add up to 100.
func checkWeights[E any](member string, split []E, weight func(E) *int64) error {
	sum := int64(0)
	for _, e := range split {
		sum += intValue64(weight(e))
	}
	if sum != 100 {
		return awserr.Validation("1 validation error detected: Value at '%s' failed to satisfy constraint: Weights must add up to 100, not %d", member, sum)
	}
	return nil
}

func intValue64(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}

func (s *Service) CreateGatewayRule(ctx context.Context, in *api.CreateGatewayRuleRequest) (*api.CreateGatewayRuleResponse, error) {
	if err := checkGatewayRuleActions(in.Actions); err != nil {
		return nil, err
	}
	priority := intValue64(in.Priority)
	return create[api.CreateGatewayRuleResponse](ctx, s, gatewayRules,
		creation{parent: in.GatewayIdentifier, name: strconv.FormatInt(priority, 10), from: in, check: gatewayTakesChildren(ctx, in.GatewayIdentifier)},
		func(_ store.Tx, sc scope, r *gatewayRuleRecord) error {
			r.GatewayArn = gateways.arn(sc, "", in.GatewayIdentifier)
			r.Priority = ptr(priority)
			return nil
		})
}

func (s *Service) GetGatewayRule(ctx context.Context, in *api.GetGatewayRuleRequest) (*api.GetGatewayRuleResponse, error) {
	return get[api.GetGatewayRuleResponse](ctx, s, gatewayRules, in.GatewayIdentifier, in.RuleId)
}

func (s *Service) UpdateGatewayRule(ctx context.Context, in *api.UpdateGatewayRuleRequest) (*api.UpdateGatewayRuleResponse, error) {
	if in.Actions != nil {
		if err := checkGatewayRuleActions(in.Actions); err != nil {
			return nil, err
		}
	}
	return update[api.UpdateGatewayRuleResponse](ctx, s, gatewayRules, in.GatewayIdentifier, in.RuleId, in,
		func(tx store.Tx, sc scope, row *store.Resource, r *gatewayRuleRecord) error {
			return rename(ctx, tx, sc, gatewayRules, row, strconv.FormatInt(intValue64(r.Priority), 10))
		})
}

func (s *Service) DeleteGatewayRule(ctx context.Context, in *api.DeleteGatewayRuleRequest) (*api.DeleteGatewayRuleResponse, error) {
	return remove[api.DeleteGatewayRuleResponse](ctx, s, gatewayRules, in.GatewayIdentifier, in.RuleId)
}

func (s *Service) ListGatewayRules(ctx context.Context, in *api.ListGatewayRulesRequest) (*api.ListGatewayRulesResponse, error) {
	return answerPage[api.ListGatewayRulesResponse](list[api.GatewayRuleDetail](ctx, s, gatewayRules,
		listing[gatewayRuleRecord]{parent: in.GatewayIdentifier, maxResults: in.MaxResults, nextToken: in.NextToken}))
}
