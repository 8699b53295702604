package service

// Policies: Cedar statements inside a policy engine (see policy_engines.go
// for the family's rows and decisions).
//
// Validation, as the devguide describes it ("Policy create and update:
// per-policy engine validation"), happens asynchronously: CreatePolicy and
// UpdatePolicy answer 202 with CREATING/UPDATING and the policy ends in
// CREATE_FAILED/UPDATE_FAILED with the findings in statusReasons when it is
// rejected. What is checked here, without a gateway tool schema:
//   - always (both validation modes): the statement is one well-formed Cedar
//     policy — optional annotations, permit or forbid, a scope of
//     principal, action and resource (each bare or followed by ==, in or
//     is), any number of non-empty when/unless blocks with balanced
//     brackets, a final ';' and nothing after it;
//   - FAIL_ON_ANY_FINDINGS (the default) only: a policy with neither a
//     principal nor an action constraint and no condition is overly
//     permissive (permit, finding ALLOW_ALL) or overly restrictive (forbid,
//     DENY_ALL), and is rejected.
// Whether actions and context attributes exist in a gateway's schema is not
// checked.
//
// A definition naming a generated asset (policyGeneration) is resolved when
// the request is made: the policy stores and returns the asset's Cedar
// statement as definition.cedar, since generated assets expire and the
// policy must keep its logic. The generation must be GENERATED
// (ValidationException otherwise), the asset must exist
// (ResourceNotFoundException) and have a definition (ValidationException for
// a NOT_TRANSLATABLE one).
//
// A definition of the newer kind `policy` (botocore 1.43.67: "an AgentCore
// policy statement, which supports plain Cedar policies as well as
// guardrails definitions") is kept as given and answered as
// definition.policy. A statement that starts like Cedar (permit, forbid or
// an annotation) is checked as Cedar above; any other (a guardrails or
// temporal definition, whose grammar is not published) is stored without
// checks and never matches a targetResourceScope filter.
//
// enforcementMode (botocore 1.43.67) is ACTIVE or LOG_ONLY; a create
// without it is ACTIVE, the documented default ("any new policy you create
// without specifying the field continue[s] to enforce", devguide "Test a
// policy in LOG_ONLY mode"). An update without it keeps the policy's mode;
// an update that fails puts the previous mode back with the definition.
// Every answer and listing entry that models it reports it.
//
// ListPolicies/ListPolicySummaries with targetResourceScope keep the policies
// that apply to that resource: those whose resource is unconstrained or only
// constrained by type (resource is T), and those whose resource constraint
// names the ARN as an entity id.

import (
	"context"
	"strings"

	"agentcored/internal/api"
	"agentcored/internal/awserr"
	"agentcored/internal/cedar"
	"agentcored/internal/members"
	"agentcored/internal/store"
)

// policyRecord is the document of a policy row.
type policyRecord struct {
	api.GetPolicyResponse
	// PendingReasons, when set, make the pending transition end in *_FAILED
	// with these status reasons (validation findings or an injected failure).
	PendingReasons []string `json:"pendingReasons,omitempty"`
	// Rollback is what was in force before a pending update, put back if
	// the update fails.
	Rollback *policyRollback `json:"rollback,omitempty"`
}

type policyRollback struct {
	Definition      *api.PolicyDefinition `json:"definition,omitempty"`
	Description     string                `json:"description,omitempty"`
	EnforcementMode api.EnforcementMode   `json:"enforcementMode,omitempty"`
}

var policies = &family[policyRecord]{
	kind: kindPolicy, group: familyPolicies, noun: "policy", plural: "policies", newID: newPolicyFamilyID,
	arnOf: func(sc scope, engineID, id string) string {
		return sc.arn("policy-engine/" + engineID + "/policy/" + id)
	},
	fields: fields{ID: "PolicyId", ARN: "PolicyArn", Status: "Status", Reason: "StatusReasons", Created: "CreatedAt", Updated: "UpdatedAt"},
	states: policyStates, reasonsRequired: true, listLimit: defaultPolicyListLimit,
	quota:        func(q Quotas) int { return q.PoliciesPerEngine },
	parentExists: policyEngineExists,
	missing: func(engineID, policyID string) error {
		return awserr.NotFound("Policy '%s' was not found in policy engine '%s'.", policyID, engineID)
	},
	taken: func(engineID, name string) error {
		return awserr.Conflict("A policy named '%s' already exists in policy engine '%s'.", name, engineID)
	},
	full: func(engineID string, quota int) error {
		return awserr.QuotaExceeded("Policy engine '%s' has reached the maximum of %d policies.", engineID, quota)
	},
	beforeDelete: func(_ context.Context, _ store.Tx, _ scope, row *store.Resource, rec *policyRecord) error {
		rec.Rollback = nil
		return refuseChanging("Policy", row)
	},
	// An update that fails puts back what was in force before it.
	settled: func(_ context.Context, _ *Service, _ store.Tx, _ *store.Resource, rec *policyRecord, _ string) error {
		if rec.Status == api.PolicyStatusUpdateFailed && rec.Rollback != nil {
			rec.Definition, rec.Description = rec.Rollback.Definition, rec.Rollback.Description
			if rec.Rollback.EnforcementMode != "" {
				rec.EnforcementMode = rec.Rollback.EnforcementMode
			}
		}
		rec.Rollback = nil
		return nil
	},
}

func cedarDefinition(statement string) *api.PolicyDefinition {
	return &api.PolicyDefinition{Cedar: &api.CedarPolicy{Statement: statement}}
}

// setPolicyDefinition stores the Cedar statement a definition stands for,
// with the reasons its validation fails the pending transition with.
func setPolicyDefinition(ctx context.Context, tx store.Tx, sc scope, engineID string, def *api.PolicyDefinition, mode api.PolicyValidationMode, rec *policyRecord) error {
	if def.Policy != nil {
		rec.Definition = &api.PolicyDefinition{Policy: &api.PolicyStatement{Statement: def.Policy.Statement}}
		rec.PendingReasons = nil
		if looksLikeCedar(def.Policy.Statement) {
			rec.PendingReasons = analyzeCedar(def.Policy.Statement, mode)
		}
		return nil
	}
	statement, err := resolvePolicyStatement(ctx, tx, sc, engineID, def)
	if err != nil {
		return err
	}
	rec.Definition = cedarDefinition(statement)
	rec.PendingReasons = analyzeCedar(statement, mode)
	return nil
}

// looksLikeCedar reports whether a statement starts as a Cedar policy does.
func looksLikeCedar(statement string) bool {
	s := strings.TrimSpace(statement)
	return strings.HasPrefix(s, "permit") || strings.HasPrefix(s, "forbid") || strings.HasPrefix(s, "@")
}

// resolvePolicyStatement returns the Cedar statement a definition stands for:
// its own, or that of the generated asset it names.
func resolvePolicyStatement(ctx context.Context, tx store.Tx, sc scope, engineID string, def *api.PolicyDefinition) (string, error) {
	if def.Cedar != nil {
		return def.Cedar.Statement, nil
	}
	ref := def.PolicyGeneration
	if ref == nil {
		return "", awserr.Validation("1 validation error detected: Value at 'definition' failed to satisfy constraint: Member must have exactly one of cedar, policyGeneration or policy set")
	}
	_, gen, err := policyGenerations.load(ctx, tx, sc, engineID, ref.PolicyGenerationId)
	if err != nil {
		return "", err
	}
	if gen.Status != api.PolicyGenerationStatusGenerated {
		return "", awserr.Validation("Policy generation '%s' is %s; only the assets of a GENERATED policy generation can be used.", ref.PolicyGenerationId, gen.Status)
	}
	for _, a := range gen.Assets {
		if a.PolicyGenerationAssetId != ref.PolicyGenerationAssetId {
			continue
		}
		if a.Definition == nil || a.Definition.Cedar == nil {
			return "", awserr.Validation("Policy generation asset '%s' has no policy definition: its text could not be translated into Cedar.", ref.PolicyGenerationAssetId)
		}
		return a.Definition.Cedar.Statement, nil
	}
	return "", awserr.NotFound("Policy generation asset '%s' was not found in policy generation '%s'.", ref.PolicyGenerationAssetId, ref.PolicyGenerationId)
}

func (s *Service) CreatePolicy(ctx context.Context, in *api.CreatePolicyRequest) (*api.CreatePolicyResponse, error) {
	return create[api.CreatePolicyResponse](ctx, s, policies, creation{parent: in.PolicyEngineId, name: in.Name, from: in,
		check: func(tx store.Tx, sc scope) error { return policyEngineTakesChildren(ctx, tx, sc, in.PolicyEngineId) }},
		func(tx store.Tx, sc scope, rec *policyRecord) error {
			if rec.EnforcementMode == "" {
				rec.EnforcementMode = api.EnforcementModeActive
			}
			return setPolicyDefinition(ctx, tx, sc, in.PolicyEngineId, in.Definition, in.ValidationMode, rec)
		})
}

func (s *Service) GetPolicy(ctx context.Context, in *api.GetPolicyRequest) (*api.GetPolicyResponse, error) {
	return get[api.GetPolicyResponse](ctx, s, policies, in.PolicyEngineId, in.PolicyId)
}

// GetPolicySummary is the metadata-only view: no definition, description
// or status reasons.
func (s *Service) GetPolicySummary(ctx context.Context, in *api.GetPolicySummaryRequest) (*api.GetPolicySummaryResponse, error) {
	return get[api.GetPolicySummaryResponse](ctx, s, policies, in.PolicyEngineId, in.PolicyId)
}

func (s *Service) UpdatePolicy(ctx context.Context, in *api.UpdatePolicyRequest) (*api.UpdatePolicyResponse, error) {
	return update[api.UpdatePolicyResponse](ctx, s, policies, in.PolicyEngineId, in.PolicyId, nil,
		func(tx store.Tx, sc scope, _ *store.Resource, rec *policyRecord) error {
			rec.Rollback = &policyRollback{Definition: rec.Definition, Description: rec.Description, EnforcementMode: rec.EnforcementMode}
			members.Patch(rec, in) // the description's wrapper, as for the engine
			if in.Definition == nil {
				return nil
			}
			return setPolicyDefinition(ctx, tx, sc, in.PolicyEngineId, in.Definition, in.ValidationMode, rec)
		})
}

func (s *Service) DeletePolicy(ctx context.Context, in *api.DeletePolicyRequest) (*api.DeletePolicyResponse, error) {
	return remove[api.DeletePolicyResponse](ctx, s, policies, in.PolicyEngineId, in.PolicyId)
}

// policyListing is one page of an engine's policies, only those that apply
// to scopeARN when it is given.
func policyListing(engineID string, maxResults *int64, nextToken, scopeARN string) listing[policyRecord] {
	l := listing[policyRecord]{parent: engineID, maxResults: maxResults, nextToken: nextToken}
	if scopeARN != "" {
		l.keep = func(rec *policyRecord) bool { return policyAppliesTo(rec, scopeARN) }
	}
	return l
}

func (s *Service) ListPolicies(ctx context.Context, in *api.ListPoliciesRequest) (*api.ListPoliciesResponse, error) {
	return answerPage[api.ListPoliciesResponse](list[api.Policy](ctx, s, policies,
		policyListing(in.PolicyEngineId, in.MaxResults, in.NextToken, in.TargetResourceScope)))
}

func (s *Service) ListPolicySummaries(ctx context.Context, in *api.ListPolicySummariesRequest) (*api.ListPolicySummariesResponse, error) {
	return answerPage[api.ListPolicySummariesResponse](list[api.PolicySummary](ctx, s, policies,
		policyListing(in.PolicyEngineId, in.MaxResults, in.NextToken, in.TargetResourceScope)))
}

// policyAppliesTo reports whether a policy's resource constraint admits the
// resource with this ARN.
func policyAppliesTo(rec *policyRecord, arn string) bool {
	if rec.Definition == nil {
		return false
	}
	statement := ""
	switch d := rec.Definition; {
	case d.Cedar != nil:
		statement = d.Cedar.Statement
	case d.Policy != nil && looksLikeCedar(d.Policy.Statement):
		statement = d.Policy.Statement
	default:
		return false
	}
	pol, err := cedar.Parse(statement)
	return err == nil && pol.AppliesTo(arn)
}

// analyzeCedar returns the reasons a statement is rejected with under the
// validation mode, none if it is accepted.
func analyzeCedar(statement string, mode api.PolicyValidationMode) []string {
	pol, err := cedar.Parse(statement)
	if err != nil {
		return []string{"INVALID: the policy statement is not valid Cedar: " + err.Error() + "."}
	}
	if mode == api.PolicyValidationModeIgnoreAllFindings {
		return nil
	}
	if f := pol.Finding(); f.Type != string(api.FindingTypeValid) {
		return []string{f.Type + ": " + f.Description}
	}
	return nil
}
