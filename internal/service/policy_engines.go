package service

// AgentCore Policy: policy engines (this file), policies (policies.go) and
// policy generations (policy_generations.go). One lifecycle family,
// "policies".
//
// Rows:
//   - "policy-engine": top level; id "<name>-<10 of [a-z0-9_]>"; name unique
//     in the account and region; ARN policy-engine/<id>.
//   - "policy": parent the engine; row id "<engineId>/<policyId>" so that a
//     policy is only found through its own engine; name unique within the
//     engine; ARN policy-engine/<engineId>/policy/<policyId>.
//   - "policy-generation": parent the engine; row id
//     "<engineId>/<generationId>"; names need not be unique (the model says
//     a name helps tell simultaneous generations apart, nothing more).
//
// Decisions where the reference is silent or unsure:
//   - Statuses follow the model: CREATING → ACTIVE | CREATE_FAILED,
//     UPDATING → ACTIVE | UPDATE_FAILED, DELETING → gone | DELETE_FAILED; a
//     failure's reasons go to statusReasons, which is always present ([]
//     when there are none: the model marks it required).
//   - Update and delete of an engine or policy in CREATING, UPDATING or
//     DELETING answer ConflictException (delete of one already DELETING
//     answers its current state). Only ACTIVE and UPDATE_FAILED ones can be
//     updated; a CREATE_FAILED or DELETE_FAILED one can only be deleted.
//   - An update that fails puts back what was in force before it (the
//     engine's description; the policy's definition and description): the
//     rejected change never took effect.
//   - DeletePolicyEngine answers ConflictException while the engine has
//     policies, whatever their status ("the policy engine must not have any
//     associated policies"; ConflictException is modeled). Its policy
//     generations are removed with it. Whether a gateway still points at the
//     engine is not checked.
//   - Policies can be created, and generations started, only in an engine
//     that is ACTIVE, UPDATING or UPDATE_FAILED (ConflictException
//     otherwise, as the state may clear).
//   - Engines and policies are taggable by ARN (engines also at create);
//     generations are not: their ARN is not a row ARN, so TagResource
//     answers ResourceNotFoundException for it.
//   - Quotas: 1,000 engines per account and region, 1,000 policies per
//     engine (the documented Policy quotas); 1,000 generations per engine
//     [infer; not documented]. Generated assets do not expire (AWS deletes
//     them after 7 days).

import (
	"context"

	"agentcored/internal/api"
	"agentcored/internal/awserr"
	"agentcored/internal/members"
	"agentcored/internal/store"
)

const (
	kindPolicyEngine     = "policy-engine"
	kindPolicy           = "policy"
	kindPolicyGeneration = "policy-generation"
	familyPolicies       = "policies"
	// defaultPolicyListLimit is the documented page size of every Policy list.
	defaultPolicyListLimit = 10
	// policyIDAlphabet is the alphabet of the 10-character suffix of engine,
	// policy and generation ids (the model's ResourceId pattern).
	policyIDAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789_"
)

// engineRecord is the document of a policy-engine row.
type engineRecord struct {
	api.GetPolicyEngineResponse
	failable
	// PreviousDescription is the description in force before a pending
	// update, put back if the update fails.
	PreviousDescription *string `json:"previousDescription,omitempty"`
}

// policyStates: changes end in ACTIVE; a CREATE_FAILED or DELETE_FAILED
// engine or policy can only be deleted.
var policyStates = asyncEnding("ACTIVE", "DELETE_FAILED", "CREATE_FAILED", "DELETE_FAILED")

var policyEngines = &family[engineRecord]{
	kind: kindPolicyEngine, group: familyPolicies, noun: "policy engine", arnPath: "policy-engine/", newID: newPolicyFamilyID,
	fields: fields{ID: "PolicyEngineId", ARN: "PolicyEngineArn", Status: "Status", Reason: "StatusReasons", Created: "CreatedAt", Updated: "UpdatedAt"},
	states: policyStates, reasonsRequired: true, listLimit: defaultPolicyListLimit,
	quota: func(q Quotas) int { return q.PolicyEnginesPerAccount },
	beforeDelete: func(ctx context.Context, tx store.Tx, sc scope, row *store.Resource, rec *engineRecord) error {
		if err := refuseChanging("Policy engine", row); err != nil {
			return err
		}
		n, err := tx.Count(ctx, sc.account, sc.region, kindPolicy, row.ID)
		if err == nil && n > 0 {
			err = awserr.Conflict("Policy engine '%s' still has %d policies; delete them before deleting the policy engine.", row.ID, n)
		}
		rec.PreviousDescription = nil
		return err
	},
	settled: func(ctx context.Context, s *Service, tx store.Tx, row *store.Resource, rec *engineRecord, _ string) error {
		if rec.Status == api.PolicyEngineStatusUpdateFailed && rec.PreviousDescription != nil {
			rec.Description = *rec.PreviousDescription
		}
		rec.PreviousDescription = nil
		if rec.Status == api.PolicyEngineStatusDeleting {
			// Its generations go with it (and policies, should any have
			// slipped in).
			return s.removeChildren(ctx, tx, row, kindPolicyGeneration, kindPolicy)
		}
		return nil
	},
}

// newPolicyFamilyID is "<name>-<10 of [a-z0-9_]>", the Policy id form.
func newPolicyFamilyID(name string) string { return name + "-" + randomString(policyIDAlphabet, 10) }

// policyEngineExists is the parentExists hook of policies and generations.
func policyEngineExists(ctx context.Context, tx store.Tx, sc scope, engineID string) error {
	_, _, err := policyEngines.load(ctx, tx, sc, "", engineID)
	return err
}

// policyEngineTakesChildren refuses new policies and generations in an
// engine that is missing or not (or no longer) in service.
func policyEngineTakesChildren(ctx context.Context, tx store.Tx, sc scope, engineID string) error {
	row, _, err := policyEngines.load(ctx, tx, sc, "", engineID)
	if err != nil {
		return err
	}
	switch api.PolicyEngineStatus(row.Status) {
	case api.PolicyEngineStatusActive, api.PolicyEngineStatusUpdating, api.PolicyEngineStatusUpdateFailed:
		return nil
	}
	return awserr.Conflict("Policy engine '%s' is %s; it must be ACTIVE to take policies and policy generations.", row.ID, row.Status)
}

// refuseChanging refuses to delete an engine or policy while a change is
// under way.
func refuseChanging(noun string, row *store.Resource) error {
	if row.Status == "CREATING" || row.Status == "UPDATING" {
		return awserr.Conflict("%s '%s' is %s; wait until the change completes and try again.", noun, row.ID, row.Status)
	}
	return nil
}

func (s *Service) CreatePolicyEngine(ctx context.Context, in *api.CreatePolicyEngineRequest) (*api.CreatePolicyEngineResponse, error) {
	return create[api.CreatePolicyEngineResponse](ctx, s, policyEngines, creation{name: in.Name, tags: in.Tags, from: in}, nil)
}

func (s *Service) GetPolicyEngine(ctx context.Context, in *api.GetPolicyEngineRequest) (*api.GetPolicyEngineResponse, error) {
	return get[api.GetPolicyEngineResponse](ctx, s, policyEngines, "", in.PolicyEngineId)
}

// GetPolicyEngineSummary is the metadata-only view: no description, no
// status reasons.
func (s *Service) GetPolicyEngineSummary(ctx context.Context, in *api.GetPolicyEngineSummaryRequest) (*api.GetPolicyEngineSummaryResponse, error) {
	return get[api.GetPolicyEngineSummaryResponse](ctx, s, policyEngines, "", in.PolicyEngineId)
}

func (s *Service) UpdatePolicyEngine(ctx context.Context, in *api.UpdatePolicyEngineRequest) (*api.UpdatePolicyEngineResponse, error) {
	return update[api.UpdatePolicyEngineResponse](ctx, s, policyEngines, "", in.PolicyEngineId, nil,
		func(_ store.Tx, _ scope, _ *store.Resource, rec *engineRecord) error {
			rec.PreviousDescription = ptr(rec.Description)
			members.Patch(rec, in)
			return nil
		})
}

func (s *Service) DeletePolicyEngine(ctx context.Context, in *api.DeletePolicyEngineRequest) (*api.DeletePolicyEngineResponse, error) {
	return remove[api.DeletePolicyEngineResponse](ctx, s, policyEngines, "", in.PolicyEngineId)
}

func (s *Service) ListPolicyEngines(ctx context.Context, in *api.ListPolicyEnginesRequest) (*api.ListPolicyEnginesResponse, error) {
	return answerPage[api.ListPolicyEnginesResponse](list[api.PolicyEngine](ctx, s, policyEngines,
		listing[engineRecord]{maxResults: in.MaxResults, nextToken: in.NextToken}))
}

func (s *Service) ListPolicyEngineSummaries(ctx context.Context, in *api.ListPolicyEngineSummariesRequest) (*api.ListPolicyEngineSummariesResponse, error) {
	return answerPage[api.ListPolicyEngineSummariesResponse](list[api.PolicyEngineSummary](ctx, s, policyEngines,
		listing[engineRecord]{maxResults: in.MaxResults, nextToken: in.NextToken}))
}
