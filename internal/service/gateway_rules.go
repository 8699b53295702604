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
	"crypto/rand"
	"errors"
	"fmt"
	"strconv"
	"time"

	"agentcored/internal/api"
	"agentcored/internal/awserr"
	"agentcored/internal/store"
)

// gatewayRuleRecord is the document of a gateway-rule row.
type gatewayRuleRecord struct {
	api.GetGatewayRuleResponse
}

// gatewayUUID returns a random (version 4) UUID in lower case.
func gatewayUUID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

func gatewayRuleRowID(gatewayID, ruleID string) string { return gatewayID + "/" + ruleID }

func gatewayRuleNotFound(gatewayID, ruleID string) error {
	return awserr.NotFound("Rule '%s' of gateway '%s' was not found.", ruleID, gatewayID)
}

func gatewayRulePriorityTaken(gatewayID string, priority int64) error {
	return awserr.Conflict("Gateway %s already has a rule with priority %d. Each priority value must be unique within a gateway.", gatewayID, priority)
}

func (s *Service) getGatewayRule(ctx context.Context, tx store.Tx, gatewayID, ruleID string) (*store.Resource, *gatewayRuleRecord, error) {
	return loadDoc[gatewayRuleRecord](ctx, tx, scopeOf(ctx).key(kindGatewayRule, gatewayRuleRowID(gatewayID, ruleID)), func() error { return gatewayRuleNotFound(gatewayID, ruleID) })
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
				sum := int64(0)
				for _, e := range w.TrafficSplit {
					sum += intValue64(e.Weight)
				}
				if sum != 100 {
					return gatewayWeightsError(member+".routeToTarget.weightedRoute.trafficSplit", sum)
				}
			}
		}
		if b := a.ConfigurationBundle; b != nil {
			bundles++
			if w := b.WeightedOverride; w != nil {
				sum := int64(0)
				for _, e := range w.TrafficSplit {
					sum += intValue64(e.Weight)
				}
				if sum != 100 {
					return gatewayWeightsError(member+".configurationBundle.weightedOverride.trafficSplit", sum)
				}
			}
		}
	}
	if routes > 1 || bundles > 1 {
		return awserr.Validation("1 validation error detected: Value at 'actions' failed to satisfy constraint: A rule can have at most one routeToTarget action and one configurationBundle action")
	}
	return nil
}

func gatewayWeightsError(member string, sum int64) error {
	return awserr.Validation("1 validation error detected: Value at '%s' failed to satisfy constraint: Weights must add up to 100, not %d", member, sum)
}

func intValue64(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}

func gatewayRuleDetail(rec *gatewayRuleRecord) api.GatewayRuleDetail {
	return api.GatewayRuleDetail(rec.GetGatewayRuleResponse)
}

func (s *Service) CreateGatewayRule(ctx context.Context, in *api.CreateGatewayRuleRequest) (*api.CreateGatewayRuleResponse, error) {
	if err := checkGatewayRuleActions(in.Actions); err != nil {
		return nil, err
	}
	sc := scopeOf(ctx)
	return mutate(ctx, s, func(tx store.Tx) (*api.CreateGatewayRuleResponse, error) {
		gw, err := s.gatewayAcceptsChildren(ctx, tx, in.GatewayIdentifier)
		if err != nil {
			return nil, err
		}
		priority := intValue64(in.Priority)
		if _, err := tx.GetByName(ctx, sc.account, sc.region, kindGatewayRule, gw.GatewayId, strconv.FormatInt(priority, 10)); err == nil {
			return nil, gatewayRulePriorityTaken(gw.GatewayId, priority)
		} else if !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
		n, err := tx.Count(ctx, sc.account, sc.region, kindGatewayRule, gw.GatewayId)
		if err != nil {
			return nil, err
		}
		if n >= s.quotas.RulesPerGateway {
			return nil, awserr.QuotaExceeded("Gateway %s has reached the maximum of %d rules.", gw.GatewayId, s.quotas.RulesPerGateway)
		}
		now := s.now().UTC()
		id := gatewayUUID()
		rec := gatewayRuleRecord{GetGatewayRuleResponse: api.GetGatewayRuleResponse{
			RuleId: id, GatewayArn: gw.GatewayArn, Priority: ptr(priority), Conditions: in.Conditions, Actions: in.Actions,
			Description: in.Description, CreatedAt: api.NewDateTime(now), UpdatedAt: api.NewDateTime(now),
			Status: api.GatewayRuleStatusCreating,
		}}
		row := &store.Resource{Account: sc.account, Region: sc.region, Kind: kindGatewayRule,
			ID: gatewayRuleRowID(gw.GatewayId, id), ParentID: gw.GatewayId, Name: strconv.FormatInt(priority, 10),
			Status: string(rec.Status), CreatedAt: now, UpdatedAt: now, Doc: encodeDoc(rec)}
		if err := tx.Insert(ctx, row); err != nil {
			if errors.Is(err, store.ErrConflict) {
				return nil, gatewayRulePriorityTaken(gw.GatewayId, priority)
			}
			return nil, err
		}
		if err := s.lifecycle.Schedule(ctx, tx, row); err != nil {
			return nil, err
		}
		return &api.CreateGatewayRuleResponse{
			RuleId: id, GatewayArn: rec.GatewayArn, Priority: rec.Priority, Conditions: rec.Conditions, Actions: rec.Actions,
			Description: rec.Description, CreatedAt: rec.CreatedAt, Status: api.GatewayRuleStatusCreating,
		}, nil
	})
}

func (s *Service) GetGatewayRule(ctx context.Context, in *api.GetGatewayRuleRequest) (*api.GetGatewayRuleResponse, error) {
	var rec *gatewayRuleRecord
	err := s.read(ctx, func(tx store.Tx) error {
		if _, _, err := s.getGateway(ctx, tx, in.GatewayIdentifier); err != nil {
			return err
		}
		var err error
		_, rec, err = s.getGatewayRule(ctx, tx, in.GatewayIdentifier, in.RuleId)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &rec.GetGatewayRuleResponse, nil
}

func (s *Service) UpdateGatewayRule(ctx context.Context, in *api.UpdateGatewayRuleRequest) (*api.UpdateGatewayRuleResponse, error) {
	if in.Actions != nil {
		if err := checkGatewayRuleActions(in.Actions); err != nil {
			return nil, err
		}
	}
	sc := scopeOf(ctx)
	return mutate(ctx, s, func(tx store.Tx) (*api.UpdateGatewayRuleResponse, error) {
		if _, _, err := s.getGateway(ctx, tx, in.GatewayIdentifier); err != nil {
			return nil, err
		}
		row, rec, err := s.getGatewayRule(ctx, tx, in.GatewayIdentifier, in.RuleId)
		if err != nil {
			return nil, err
		}
		if transitional(row.Status) {
			return nil, awserr.Conflict("Rule %s is %s; wait until the change completes and try again.", in.RuleId, row.Status)
		}
		if in.Priority != nil && *in.Priority != intValue64(rec.Priority) {
			name := strconv.FormatInt(*in.Priority, 10)
			if _, err := tx.GetByName(ctx, sc.account, sc.region, kindGatewayRule, in.GatewayIdentifier, name); err == nil {
				return nil, gatewayRulePriorityTaken(in.GatewayIdentifier, *in.Priority)
			} else if !errors.Is(err, store.ErrNotFound) {
				return nil, err
			}
			rec.Priority = ptr(*in.Priority)
			row.Name = name
		}
		if in.Conditions != nil {
			rec.Conditions = in.Conditions
		}
		if in.Actions != nil {
			rec.Actions = in.Actions
		}
		if in.Description != "" {
			rec.Description = in.Description
		}
		now := s.now().UTC()
		rec.Status = api.GatewayRuleStatusUpdating
		rec.UpdatedAt = api.NewDateTime(now)
		if err := saveDoc(ctx, tx, row, string(rec.Status), rec, now); err != nil {
			if errors.Is(err, store.ErrConflict) {
				return nil, gatewayRulePriorityTaken(in.GatewayIdentifier, intValue64(rec.Priority))
			}
			return nil, err
		}
		out := api.UpdateGatewayRuleResponse(rec.GetGatewayRuleResponse)
		if err := s.lifecycle.Schedule(ctx, tx, row); err != nil {
			return nil, err
		}
		return &out, nil
	})
}

func (s *Service) DeleteGatewayRule(ctx context.Context, in *api.DeleteGatewayRuleRequest) (*api.DeleteGatewayRuleResponse, error) {
	return mutate(ctx, s, func(tx store.Tx) (*api.DeleteGatewayRuleResponse, error) {
		if _, _, err := s.getGateway(ctx, tx, in.GatewayIdentifier); err != nil {
			return nil, err
		}
		row, rec, err := s.getGatewayRule(ctx, tx, in.GatewayIdentifier, in.RuleId)
		if err != nil {
			return nil, err
		}
		out := &api.DeleteGatewayRuleResponse{RuleId: in.RuleId, Status: api.GatewayRuleStatusDeleting}
		if row.Status == string(api.GatewayRuleStatusDeleting) {
			return out, nil
		}
		now := s.now().UTC()
		rec.Status = api.GatewayRuleStatusDeleting
		rec.UpdatedAt = api.NewDateTime(now)
		return out, s.transition(ctx, tx, row, string(rec.Status), rec, now)
	})
}

func (s *Service) ListGatewayRules(ctx context.Context, in *api.ListGatewayRulesRequest) (*api.ListGatewayRulesResponse, error) {
	out := &api.ListGatewayRulesResponse{GatewayRules: []api.GatewayRuleDetail{}}
	sc := scopeOf(ctx)
	err := s.read(ctx, func(tx store.Tx) error {
		if _, _, err := s.getGateway(ctx, tx, in.GatewayIdentifier); err != nil {
			return err
		}
		rows, next, err := s.page(ctx, tx, sc, kindGatewayRule, in.GatewayIdentifier, in.MaxResults, defaultGatewayListLimit, in.NextToken)
		if err != nil {
			return err
		}
		out.NextToken = next
		for _, r := range rows {
			var rec gatewayRuleRecord
			if err := decodeDoc(r, &rec); err != nil {
				return err
			}
			out.GatewayRules = append(out.GatewayRules, gatewayRuleDetail(&rec))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// reconcileGatewayRule completes a rule's pending transition.
func (s *Service) reconcileGatewayRule(ctx context.Context, tx store.Tx, row *store.Resource, now time.Time) error {
	var rec gatewayRuleRecord
	if err := decodeDoc(row, &rec); err != nil {
		return err
	}
	switch rec.Status {
	case api.GatewayRuleStatusDeleting:
		return s.removeResource(ctx, tx, row)
	case api.GatewayRuleStatusCreating, api.GatewayRuleStatusUpdating:
		rec.Status = api.GatewayRuleStatusActive
		rec.UpdatedAt = api.NewDateTime(now)
		return saveDoc(ctx, tx, row, string(rec.Status), rec, now)
	}
	return nil
}
