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
// ListPolicies/ListPolicySummaries with targetResourceScope keep the policies
// that apply to that resource: those whose resource is unconstrained or only
// constrained by type (resource is T), and those whose resource constraint
// names the ARN as an entity id.

import (
	"context"
	"fmt"
	"strings"

	"agentcored/internal/api"
	"agentcored/internal/awserr"
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
	Definition  *api.PolicyDefinition `json:"definition,omitempty"`
	Description string                `json:"description,omitempty"`
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
		}
		rec.Rollback = nil
		return nil
	},
}

func cedarDefinition(statement string) *api.PolicyDefinition {
	return &api.PolicyDefinition{Cedar: &api.CedarPolicy{Statement: statement}}
}

// resolvePolicyStatement returns the Cedar statement a definition stands for:
// its own, or that of the generated asset it names.
func resolvePolicyStatement(ctx context.Context, tx store.Tx, sc scope, engineID string, def *api.PolicyDefinition) (string, error) {
	if def.Cedar != nil {
		return def.Cedar.Statement, nil
	}
	ref := def.PolicyGeneration
	if ref == nil {
		return "", awserr.Validation("1 validation error detected: Value at 'definition' failed to satisfy constraint: Member must have exactly one of cedar or policyGeneration set")
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
			statement, err := resolvePolicyStatement(ctx, tx, sc, in.PolicyEngineId, in.Definition)
			rec.Definition = cedarDefinition(statement)
			rec.PendingReasons = analyzeCedar(statement, in.ValidationMode)
			return err
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
			rec.Rollback = &policyRollback{Definition: rec.Definition, Description: rec.Description}
			patch(rec, in) // the description's wrapper, as for the engine
			if in.Definition != nil {
				statement, err := resolvePolicyStatement(ctx, tx, sc, in.PolicyEngineId, in.Definition)
				if err != nil {
					return err
				}
				rec.Definition = cedarDefinition(statement)
				rec.PendingReasons = analyzeCedar(statement, in.ValidationMode)
			}
			return nil
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
	items, next, err := list[api.Policy](ctx, s, policies, policyListing(in.PolicyEngineId, in.MaxResults, in.NextToken, in.TargetResourceScope))
	if err != nil {
		return nil, err
	}
	return &api.ListPoliciesResponse{Policies: items, NextToken: next}, nil
}

func (s *Service) ListPolicySummaries(ctx context.Context, in *api.ListPolicySummariesRequest) (*api.ListPolicySummariesResponse, error) {
	items, next, err := list[api.PolicySummary](ctx, s, policies, policyListing(in.PolicyEngineId, in.MaxResults, in.NextToken, in.TargetResourceScope))
	if err != nil {
		return nil, err
	}
	return &api.ListPolicySummariesResponse{Policies: items, NextToken: next}, nil
}

// policyAppliesTo reports whether a policy's resource constraint admits the
// resource with this ARN.
func policyAppliesTo(rec *policyRecord, arn string) bool {
	if rec.Definition == nil || rec.Definition.Cedar == nil {
		return false
	}
	pol, err := parseCedar(rec.Definition.Cedar.Statement)
	if err != nil {
		return false
	}
	res := pol.resource
	if len(res) == 0 || res[0].text == "is" && !hasToken(res, "in") {
		return true
	}
	quoted := fmt.Sprintf("%q", arn)
	for _, t := range res {
		if t.kind == cedarString && t.text == quoted {
			return true
		}
	}
	return false
}

// Cedar: just enough of the grammar to tell a well-formed single policy and
// to read its scope.

// cedarTokenKind classifies a token.
type cedarTokenKind int

const (
	cedarIdent cedarTokenKind = iota
	cedarString
	cedarNumber
	cedarPunct
)

type cedarToken struct {
	kind cedarTokenKind
	text string
	pos  int
}

func isCedarIdentStart(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

func isCedarIdentChar(c byte) bool { return isCedarIdentStart(c) || c >= '0' && c <= '9' }

// lexCedar splits a statement into tokens, dropping whitespace and //
// comments.
func lexCedar(src string) ([]cedarToken, error) {
	var toks []cedarToken
	for i := 0; i < len(src); {
		c := src[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '/' && i+1 < len(src) && src[i+1] == '/':
			for i < len(src) && src[i] != '\n' {
				i++
			}
		case c == '"':
			j := i + 1
			for ; j < len(src) && src[j] != '"'; j++ {
				if src[j] == '\\' {
					j++
				}
			}
			if j >= len(src) {
				return nil, fmt.Errorf("unterminated string literal at offset %d", i)
			}
			toks = append(toks, cedarToken{cedarString, src[i : j+1], i})
			i = j + 1
		case isCedarIdentStart(c):
			j := i
			for j < len(src) && isCedarIdentChar(src[j]) {
				j++
			}
			toks = append(toks, cedarToken{cedarIdent, src[i:j], i})
			i = j
		case c >= '0' && c <= '9':
			j := i
			for j < len(src) && src[j] >= '0' && src[j] <= '9' {
				j++
			}
			toks = append(toks, cedarToken{cedarNumber, src[i:j], i})
			i = j
		default:
			if i+1 < len(src) {
				switch two := src[i : i+2]; two {
				case "::", "==", "!=", "<=", ">=", "&&", "||":
					toks = append(toks, cedarToken{cedarPunct, two, i})
					i += 2
					continue
				}
			}
			toks = append(toks, cedarToken{cedarPunct, string(c), i})
			i++
		}
	}
	return toks, nil
}

// cedarPolicy is what the checks need of a parsed policy.
type cedarPolicy struct {
	effect string // permit or forbid
	// The tokens of each scope element after its keyword, operator first
	// (empty: no constraint).
	principal, action, resource []cedarToken
	conditions                  int
}

type cedarParser struct {
	toks []cedarToken
	i    int
	end  int // offset of the end of the statement, for messages
}

func (p *cedarParser) peek() *cedarToken {
	if p.i < len(p.toks) {
		return &p.toks[p.i]
	}
	return nil
}

func (p *cedarParser) errorf(format string, args ...any) error {
	pos := p.end
	if t := p.peek(); t != nil {
		pos = t.pos
	}
	return fmt.Errorf("%s at offset %d", fmt.Sprintf(format, args...), pos)
}

// accept consumes the next token if it is text.
func (p *cedarParser) accept(text string) bool {
	if t := p.peek(); t != nil && t.text == text && t.kind != cedarString {
		p.i++
		return true
	}
	return false
}

func (p *cedarParser) expect(text string) error {
	if !p.accept(text) {
		return p.errorf("expected '%s'", text)
	}
	return nil
}

// until collects the tokens up to (not including) the first of stops at
// bracket depth zero, checking that brackets balance.
func (p *cedarParser) until(stops ...string) ([]cedarToken, error) {
	var stack []string
	start := p.i
	for ; p.i < len(p.toks); p.i++ {
		t := p.toks[p.i]
		if t.kind != cedarPunct {
			continue
		}
		if len(stack) == 0 {
			for _, s := range stops {
				if t.text == s {
					return p.toks[start:p.i], nil
				}
			}
		}
		switch t.text {
		case "(":
			stack = append(stack, ")")
		case "[":
			stack = append(stack, "]")
		case "{":
			stack = append(stack, "}")
		case ")", "]", "}":
			if len(stack) == 0 || stack[len(stack)-1] != t.text {
				return nil, fmt.Errorf("unbalanced '%s' at offset %d", t.text, t.pos)
			}
			stack = stack[:len(stack)-1]
		}
	}
	return nil, p.errorf("expected '%s'", strings.Join(stops, "' or '"))
}

// scopeElement reads "keyword [constraint]" up to the separator after it.
func (p *cedarParser) scopeElement(keyword string, ops ...string) ([]cedarToken, error) {
	if err := p.expect(keyword); err != nil {
		return nil, err
	}
	toks, err := p.until(",", ")")
	if err != nil {
		return nil, err
	}
	if len(toks) == 0 {
		return nil, nil
	}
	for _, op := range ops {
		if toks[0].text == op && toks[0].kind != cedarString {
			if len(toks) == 1 {
				return nil, fmt.Errorf("expected an entity after '%s %s' at offset %d", keyword, op, toks[0].pos)
			}
			return toks, nil
		}
	}
	return nil, fmt.Errorf("unexpected '%s' after '%s' at offset %d (expected %s)", toks[0].text, keyword, toks[0].pos, strings.Join(ops, ", "))
}

// parseCedar checks that statement is exactly one Cedar policy and returns
// its shape.
func parseCedar(statement string) (*cedarPolicy, error) {
	toks, err := lexCedar(statement)
	if err != nil {
		return nil, err
	}
	p := &cedarParser{toks: toks, end: len(statement)}
	for p.accept("@") {
		if t := p.peek(); t == nil || t.kind != cedarIdent {
			return nil, p.errorf("expected an annotation name after '@'")
		}
		p.i++
		if p.accept("(") {
			if t := p.peek(); t == nil || t.kind != cedarString {
				return nil, p.errorf("expected a string in the annotation")
			}
			p.i++
			if err := p.expect(")"); err != nil {
				return nil, err
			}
		}
	}
	pol := &cedarPolicy{}
	switch {
	case p.accept("permit"):
		pol.effect = "permit"
	case p.accept("forbid"):
		pol.effect = "forbid"
	default:
		return nil, p.errorf("expected 'permit' or 'forbid'")
	}
	if err := p.expect("("); err != nil {
		return nil, err
	}
	if pol.principal, err = p.scopeElement("principal", "==", "in", "is"); err != nil {
		return nil, err
	}
	if err := p.expect(","); err != nil {
		return nil, err
	}
	if pol.action, err = p.scopeElement("action", "==", "in"); err != nil {
		return nil, err
	}
	if err := p.expect(","); err != nil {
		return nil, err
	}
	if pol.resource, err = p.scopeElement("resource", "==", "in", "is"); err != nil {
		return nil, err
	}
	if err := p.expect(")"); err != nil {
		return nil, err
	}
	for {
		t := p.peek()
		if t == nil || t.kind != cedarIdent || t.text != "when" && t.text != "unless" {
			break
		}
		p.i++
		if err := p.expect("{"); err != nil {
			return nil, err
		}
		body, err := p.until("}")
		if err != nil {
			return nil, err
		}
		if len(body) == 0 {
			return nil, p.errorf("empty %s condition", t.text)
		}
		p.i++ // the closing brace
		pol.conditions++
	}
	if err := p.expect(";"); err != nil {
		return nil, err
	}
	if t := p.peek(); t != nil {
		return nil, fmt.Errorf("a statement holds exactly one policy; unexpected '%s' at offset %d", t.text, t.pos)
	}
	return pol, nil
}

func hasToken(toks []cedarToken, text string) bool {
	for _, t := range toks {
		if t.text == text && t.kind != cedarString {
			return true
		}
	}
	return false
}

// cedarFinding is the analysis finding of a well-formed policy: ALLOW_ALL or
// DENY_ALL for one that constrains neither principal nor action and has no
// condition, VALID otherwise.
func cedarFinding(pol *cedarPolicy) api.Finding {
	if len(pol.principal) == 0 && len(pol.action) == 0 && pol.conditions == 0 {
		if pol.effect == "permit" {
			return api.Finding{Type: api.FindingTypeAllowAll,
				Description: "Overly permissive: the policy permits every principal to perform every action on the resource, with no condition."}
		}
		return api.Finding{Type: api.FindingTypeDenyAll,
			Description: "Overly restrictive: the policy forbids every principal to perform every action on the resource, with no condition."}
	}
	return api.Finding{Type: api.FindingTypeValid, Description: "The policy is valid Cedar and is neither overly permissive nor overly restrictive."}
}

// analyzeCedar returns the reasons a statement is rejected with under the
// validation mode, none if it is accepted.
func analyzeCedar(statement string, mode api.PolicyValidationMode) []string {
	pol, err := parseCedar(statement)
	if err != nil {
		return []string{"INVALID: the policy statement is not valid Cedar: " + err.Error() + "."}
	}
	if mode == api.PolicyValidationModeIgnoreAllFindings {
		return nil
	}
	if f := cedarFinding(pol); f.Type != api.FindingTypeValid {
		return []string{string(f.Type) + ": " + f.Description}
	}
	return nil
}
