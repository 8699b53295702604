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
	"time"

	"agentcored/internal/api"
	"agentcored/internal/awserr"
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
	// PendingFailure, set by an injected fault, makes the pending transition
	// end in *_FAILED with this reason.
	PendingFailure string `json:"pendingFailure,omitempty"`
	// PreviousDescription is the description in force before a pending
	// update, put back if the update fails.
	PreviousDescription *string `json:"previousDescription,omitempty"`
}

func (s *Service) registerPolicies() {
	s.lifecycle.Register(familyPolicies, kindPolicyEngine, s.reconcilePolicyEngine)
	s.lifecycle.Register(familyPolicies, kindPolicy, s.reconcilePolicy)
	s.lifecycle.Register(familyPolicies, kindPolicyGeneration, s.reconcilePolicyGeneration)
}

// newPolicyFamilyID is "<name>-<10 of [a-z0-9_]>", the Policy id form.
func newPolicyFamilyID(name string) string { return name + "-" + randomString(policyIDAlphabet, 10) }

func policyEngineNotFound(id string) error {
	return awserr.NotFound("Policy engine '%s' was not found.", id)
}

func (s *Service) getPolicyEngine(ctx context.Context, tx store.Tx, id string) (*store.Resource, *engineRecord, error) {
	return loadDoc[engineRecord](ctx, tx, scopeOf(ctx).key(kindPolicyEngine, id), func() error { return policyEngineNotFound(id) })
}

// policyEngineTakesChildren refuses new policies and generations in an
// engine that is not (or no longer) in service.
func policyEngineTakesChildren(row *store.Resource) error {
	switch api.PolicyEngineStatus(row.Status) {
	case api.PolicyEngineStatusActive, api.PolicyEngineStatusUpdating, api.PolicyEngineStatusUpdateFailed:
		return nil
	}
	return awserr.Conflict("Policy engine '%s' is %s; it must be ACTIVE to take policies and policy generations.", row.ID, row.Status)
}

// checkPolicyChangeable refuses an update of an engine or policy (same status
// strings) that is changing or failed to be created or deleted.
func checkPolicyChangeable(noun, id, status string) error {
	switch status {
	case "ACTIVE", "UPDATE_FAILED":
		return nil
	case "CREATE_FAILED", "DELETE_FAILED":
		return awserr.Conflict("%s '%s' is %s; it can only be deleted.", noun, id, status)
	}
	return awserr.Conflict("%s '%s' is %s; wait until the change completes and try again.", noun, id, status)
}

// nextPolicyStatus is where an engine or policy goes from a transitional
// status, given whether the pending change fails; gone means the row is
// removed; next == status means nothing to do.
func nextPolicyStatus(status string, failed bool) (next string, gone bool) {
	switch status {
	case "CREATING":
		if failed {
			return "CREATE_FAILED", false
		}
		return "ACTIVE", false
	case "UPDATING":
		if failed {
			return "UPDATE_FAILED", false
		}
		return "ACTIVE", false
	case "DELETING":
		if failed {
			return "DELETE_FAILED", false
		}
		return "", true
	}
	return status, false
}

func (s *Service) savePolicyEngine(ctx context.Context, tx store.Tx, row *store.Resource, rec *engineRecord, now time.Time) error {
	return saveDoc(ctx, tx, row, string(rec.Status), rec, now)
}

func (s *Service) CreatePolicyEngine(ctx context.Context, in *api.CreatePolicyEngineRequest) (*api.CreatePolicyEngineResponse, error) {
	if err := checkTagKeys("tags", mapKeys(in.Tags)); err != nil {
		return nil, err
	}
	sc := scopeOf(ctx)
	return mutate(ctx, s, func(tx store.Tx) (*api.CreatePolicyEngineResponse, error) {
		if err := checkNamed(ctx, tx, sc, kindPolicyEngine, in.Name, s.quotas.PolicyEnginesPerAccount, "policy engine"); err != nil {
			return nil, err
		}
		now := s.now().UTC()
		id := newPolicyFamilyID(in.Name)
		rec := engineRecord{GetPolicyEngineResponse: api.GetPolicyEngineResponse{
			PolicyEngineId: id, Name: in.Name, PolicyEngineArn: sc.arn("policy-engine/" + id),
			Description: in.Description, EncryptionKeyArn: in.EncryptionKeyArn,
			Status: api.PolicyEngineStatusCreating, StatusReasons: []string{},
			CreatedAt: api.NewDateTime(now), UpdatedAt: api.NewDateTime(now),
		}}
		rec.PendingFailure = s.injectedFailure(ctx, "CreatePolicyEngine")
		out := api.CreatePolicyEngineResponse(rec.GetPolicyEngineResponse)
		row := &store.Resource{Account: sc.account, Region: sc.region, Kind: kindPolicyEngine, ID: id, Name: in.Name,
			ARN: rec.PolicyEngineArn, Status: string(rec.Status), CreatedAt: now, UpdatedAt: now, Doc: encodeDoc(rec)}
		if err := s.insertNamed(ctx, tx, row, in.Tags, "policy engine"); err != nil {
			return nil, err
		}
		if err := s.lifecycle.Schedule(ctx, tx, row); err != nil {
			return nil, err
		}
		return &out, nil
	})
}

func (s *Service) GetPolicyEngine(ctx context.Context, in *api.GetPolicyEngineRequest) (*api.GetPolicyEngineResponse, error) {
	var rec *engineRecord
	err := s.read(ctx, func(tx store.Tx) error {
		var err error
		_, rec, err = s.getPolicyEngine(ctx, tx, in.PolicyEngineId)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &rec.GetPolicyEngineResponse, nil
}

func (s *Service) GetPolicyEngineSummary(ctx context.Context, in *api.GetPolicyEngineSummaryRequest) (*api.GetPolicyEngineSummaryResponse, error) {
	e, err := s.GetPolicyEngine(ctx, &api.GetPolicyEngineRequest{PolicyEngineId: in.PolicyEngineId})
	if err != nil {
		return nil, err
	}
	sum := policyEngineSummary(e)
	out := api.GetPolicyEngineSummaryResponse(sum)
	return &out, nil
}

// policyEngineSummary is the metadata-only view: no description, no status
// reasons.
func policyEngineSummary(e *api.GetPolicyEngineResponse) api.PolicyEngineSummary {
	return api.PolicyEngineSummary{
		PolicyEngineId: e.PolicyEngineId, Name: e.Name, CreatedAt: e.CreatedAt, UpdatedAt: e.UpdatedAt,
		PolicyEngineArn: e.PolicyEngineArn, Status: e.Status, EncryptionKeyArn: e.EncryptionKeyArn,
	}
}

func (s *Service) UpdatePolicyEngine(ctx context.Context, in *api.UpdatePolicyEngineRequest) (*api.UpdatePolicyEngineResponse, error) {
	return mutate(ctx, s, func(tx store.Tx) (*api.UpdatePolicyEngineResponse, error) {
		row, rec, err := s.getPolicyEngine(ctx, tx, in.PolicyEngineId)
		if err != nil {
			return nil, err
		}
		if err := checkPolicyChangeable("Policy engine", in.PolicyEngineId, row.Status); err != nil {
			return nil, err
		}
		now := s.now().UTC()
		prev := rec.Description
		rec.PreviousDescription = &prev
		// PATCH semantics: an absent wrapper keeps the description, a wrapper
		// without a value clears it.
		if in.Description != nil {
			rec.Description = in.Description.OptionalValue
		}
		rec.Status = api.PolicyEngineStatusUpdating
		rec.StatusReasons = []string{}
		rec.UpdatedAt = api.NewDateTime(now)
		rec.PendingFailure = s.injectedFailure(ctx, "UpdatePolicyEngine")
		out := api.UpdatePolicyEngineResponse(rec.GetPolicyEngineResponse)
		if err := s.savePolicyEngine(ctx, tx, row, rec, now); err != nil {
			return nil, err
		}
		if err := s.lifecycle.Schedule(ctx, tx, row); err != nil {
			return nil, err
		}
		return &out, nil
	})
}

func (s *Service) DeletePolicyEngine(ctx context.Context, in *api.DeletePolicyEngineRequest) (*api.DeletePolicyEngineResponse, error) {
	sc := scopeOf(ctx)
	return mutate(ctx, s, func(tx store.Tx) (*api.DeletePolicyEngineResponse, error) {
		row, rec, err := s.getPolicyEngine(ctx, tx, in.PolicyEngineId)
		if err != nil {
			return nil, err
		}
		switch rec.Status {
		case api.PolicyEngineStatusDeleting:
			out := api.DeletePolicyEngineResponse(rec.GetPolicyEngineResponse)
			return &out, nil
		case api.PolicyEngineStatusCreating, api.PolicyEngineStatusUpdating:
			return nil, awserr.Conflict("Policy engine '%s' is %s; wait until the change completes and try again.", in.PolicyEngineId, rec.Status)
		}
		n, err := tx.Count(ctx, sc.account, sc.region, kindPolicy, in.PolicyEngineId)
		if err != nil {
			return nil, err
		}
		if n > 0 {
			return nil, awserr.Conflict("Policy engine '%s' still has %d policies; delete them before deleting the policy engine.", in.PolicyEngineId, n)
		}
		now := s.now().UTC()
		rec.Status = api.PolicyEngineStatusDeleting
		rec.StatusReasons = []string{}
		rec.UpdatedAt = api.NewDateTime(now)
		rec.PreviousDescription = nil
		rec.PendingFailure = s.injectedFailure(ctx, "DeletePolicyEngine")
		out := api.DeletePolicyEngineResponse(rec.GetPolicyEngineResponse)
		if err := s.savePolicyEngine(ctx, tx, row, rec, now); err != nil {
			return nil, err
		}
		if err := s.lifecycle.Schedule(ctx, tx, row); err != nil {
			return nil, err
		}
		return &out, nil
	})
}

// listPolicyEngines reads one page of engines.
func (s *Service) listPolicyEngines(ctx context.Context, maxResults *int64, nextToken string) ([]*engineRecord, string, error) {
	sc := scopeOf(ctx)
	var recs []*engineRecord
	var next string
	err := s.read(ctx, func(tx store.Tx) error {
		rows, tok, err := s.page(ctx, tx, sc, kindPolicyEngine, "", maxResults, defaultPolicyListLimit, nextToken)
		if err != nil {
			return err
		}
		next = tok
		for _, r := range rows {
			var rec engineRecord
			if err := decodeDoc(r, &rec); err != nil {
				return err
			}
			recs = append(recs, &rec)
		}
		return nil
	})
	return recs, next, err
}

func (s *Service) ListPolicyEngines(ctx context.Context, in *api.ListPolicyEnginesRequest) (*api.ListPolicyEnginesResponse, error) {
	recs, next, err := s.listPolicyEngines(ctx, in.MaxResults, in.NextToken)
	if err != nil {
		return nil, err
	}
	out := &api.ListPolicyEnginesResponse{PolicyEngines: []api.PolicyEngine{}, NextToken: next}
	for _, rec := range recs {
		out.PolicyEngines = append(out.PolicyEngines, api.PolicyEngine(rec.GetPolicyEngineResponse))
	}
	return out, nil
}

func (s *Service) ListPolicyEngineSummaries(ctx context.Context, in *api.ListPolicyEngineSummariesRequest) (*api.ListPolicyEngineSummariesResponse, error) {
	recs, next, err := s.listPolicyEngines(ctx, in.MaxResults, in.NextToken)
	if err != nil {
		return nil, err
	}
	out := &api.ListPolicyEngineSummariesResponse{PolicyEngines: []api.PolicyEngineSummary{}, NextToken: next}
	for _, rec := range recs {
		out.PolicyEngines = append(out.PolicyEngines, policyEngineSummary(&rec.GetPolicyEngineResponse))
	}
	return out, nil
}

// reconcilePolicyEngine completes an engine's pending transition.
func (s *Service) reconcilePolicyEngine(ctx context.Context, tx store.Tx, row *store.Resource, now time.Time) error {
	var rec engineRecord
	if err := decodeDoc(row, &rec); err != nil {
		return err
	}
	failure := rec.PendingFailure
	next, gone := nextPolicyStatus(string(rec.Status), failure != "")
	if gone {
		return s.purgePolicyEngine(ctx, tx, row)
	}
	if next == string(rec.Status) {
		return nil
	}
	if rec.Status == api.PolicyEngineStatusUpdating && failure != "" && rec.PreviousDescription != nil {
		rec.Description = *rec.PreviousDescription
	}
	rec.Status = api.PolicyEngineStatus(next)
	rec.StatusReasons = []string{}
	if failure != "" {
		rec.StatusReasons = []string{failure}
	}
	rec.PendingFailure = ""
	rec.PreviousDescription = nil
	rec.UpdatedAt = api.NewDateTime(now)
	return s.savePolicyEngine(ctx, tx, row, &rec, now)
}

// purgePolicyEngine removes an engine with its generations (and, should any
// have slipped in, its policies).
func (s *Service) purgePolicyEngine(ctx context.Context, tx store.Tx, row *store.Resource) error {
	for _, kind := range []string{kindPolicyGeneration, kindPolicy} {
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
	return s.removeResource(ctx, tx, row)
}
