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
	"errors"
	"fmt"
	"strings"
	"time"

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

func policyRowID(engineID, policyID string) string { return engineID + "/" + policyID }

func policyNotFound(engineID, policyID string) error {
	return awserr.NotFound("Policy '%s' was not found in policy engine '%s'.", policyID, engineID)
}

func policyNameTaken(engineID, name string) error {
	return awserr.Conflict("A policy named '%s' already exists in policy engine '%s'.", name, engineID)
}

// getPolicy reads a policy of an engine; a missing engine is reported as such.
func (s *Service) getPolicy(ctx context.Context, tx store.Tx, engineID, policyID string) (*store.Resource, *policyRecord, error) {
	r, err := tx.Get(ctx, scopeOf(ctx).key(kindPolicy, policyRowID(engineID, policyID)))
	if errors.Is(err, store.ErrNotFound) {
		if _, _, err := s.getPolicyEngine(ctx, tx, engineID); err != nil {
			return nil, nil, err
		}
		return nil, nil, policyNotFound(engineID, policyID)
	}
	if err != nil {
		return nil, nil, err
	}
	var rec policyRecord
	return r, &rec, decodeDoc(r, &rec)
}

func cedarDefinition(statement string) *api.PolicyDefinition {
	return &api.PolicyDefinition{Cedar: &api.CedarPolicy{Statement: statement}}
}

// resolvePolicyStatement returns the Cedar statement a definition stands for:
// its own, or that of the generated asset it names.
func (s *Service) resolvePolicyStatement(ctx context.Context, tx store.Tx, engineID string, def *api.PolicyDefinition) (string, error) {
	if def.Cedar != nil {
		return def.Cedar.Statement, nil
	}
	ref := def.PolicyGeneration
	if ref == nil {
		return "", awserr.Validation("1 validation error detected: Value at 'definition' failed to satisfy constraint: Member must have exactly one of cedar or policyGeneration set")
	}
	_, gen, err := s.getPolicyGeneration(ctx, tx, engineID, ref.PolicyGenerationId)
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

// withInjected adds an injected failure reason to the findings.
func withInjected(reasons []string, injected string) []string {
	if injected == "" {
		return reasons
	}
	return append([]string{injected}, reasons...)
}

func (s *Service) CreatePolicy(ctx context.Context, in *api.CreatePolicyRequest) (*api.CreatePolicyResponse, error) {
	sc := scopeOf(ctx)
	return mutate(ctx, s, func(tx store.Tx) (*api.CreatePolicyResponse, error) {
		engineRow, engine, err := s.getPolicyEngine(ctx, tx, in.PolicyEngineId)
		if err != nil {
			return nil, err
		}
		if err := policyEngineTakesChildren(engineRow); err != nil {
			return nil, err
		}
		if _, err := tx.GetByName(ctx, sc.account, sc.region, kindPolicy, in.PolicyEngineId, in.Name); err == nil {
			return nil, policyNameTaken(in.PolicyEngineId, in.Name)
		} else if !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
		n, err := tx.Count(ctx, sc.account, sc.region, kindPolicy, in.PolicyEngineId)
		if err != nil {
			return nil, err
		}
		if n >= s.quotas.PoliciesPerEngine {
			return nil, awserr.QuotaExceeded("Policy engine '%s' has reached the maximum of %d policies.", in.PolicyEngineId, s.quotas.PoliciesPerEngine)
		}
		statement, err := s.resolvePolicyStatement(ctx, tx, in.PolicyEngineId, in.Definition)
		if err != nil {
			return nil, err
		}
		now := s.now().UTC()
		id := newPolicyFamilyID(in.Name)
		rec := policyRecord{GetPolicyResponse: api.GetPolicyResponse{
			PolicyId: id, Name: in.Name, PolicyEngineId: in.PolicyEngineId,
			PolicyArn: engine.PolicyEngineArn + "/policy/" + id, Definition: cedarDefinition(statement),
			Description: in.Description, Status: api.PolicyStatusCreating, StatusReasons: []string{},
			CreatedAt: api.NewDateTime(now), UpdatedAt: api.NewDateTime(now),
		}}
		rec.PendingReasons = withInjected(analyzeCedar(statement, in.ValidationMode), s.injectedFailure(ctx, "CreatePolicy"))
		out := api.CreatePolicyResponse(rec.GetPolicyResponse)
		row := &store.Resource{Account: sc.account, Region: sc.region, Kind: kindPolicy, ID: policyRowID(in.PolicyEngineId, id),
			ParentID: in.PolicyEngineId, Name: in.Name, ARN: rec.PolicyArn, Status: string(rec.Status),
			CreatedAt: now, UpdatedAt: now, Doc: encodeDoc(rec)}
		if err := tx.Insert(ctx, row); err != nil {
			if errors.Is(err, store.ErrConflict) {
				return nil, policyNameTaken(in.PolicyEngineId, in.Name)
			}
			return nil, err
		}
		if err := s.lifecycle.Schedule(ctx, tx, row); err != nil {
			return nil, err
		}
		return &out, nil
	})
}

func (s *Service) GetPolicy(ctx context.Context, in *api.GetPolicyRequest) (*api.GetPolicyResponse, error) {
	var rec *policyRecord
	err := s.read(ctx, func(tx store.Tx) error {
		var err error
		_, rec, err = s.getPolicy(ctx, tx, in.PolicyEngineId, in.PolicyId)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &rec.GetPolicyResponse, nil
}

func (s *Service) GetPolicySummary(ctx context.Context, in *api.GetPolicySummaryRequest) (*api.GetPolicySummaryResponse, error) {
	p, err := s.GetPolicy(ctx, &api.GetPolicyRequest{PolicyEngineId: in.PolicyEngineId, PolicyId: in.PolicyId})
	if err != nil {
		return nil, err
	}
	out := api.GetPolicySummaryResponse(policySummary(p))
	return &out, nil
}

// policySummary is the metadata-only view: no definition, description or
// status reasons.
func policySummary(p *api.GetPolicyResponse) api.PolicySummary {
	return api.PolicySummary{
		PolicyId: p.PolicyId, Name: p.Name, PolicyEngineId: p.PolicyEngineId, CreatedAt: p.CreatedAt,
		UpdatedAt: p.UpdatedAt, PolicyArn: p.PolicyArn, Status: p.Status,
	}
}

func (s *Service) savePolicy(ctx context.Context, tx store.Tx, row *store.Resource, rec *policyRecord, now time.Time) error {
	return saveDoc(ctx, tx, row, string(rec.Status), rec, now)
}

func (s *Service) UpdatePolicy(ctx context.Context, in *api.UpdatePolicyRequest) (*api.UpdatePolicyResponse, error) {
	return mutate(ctx, s, func(tx store.Tx) (*api.UpdatePolicyResponse, error) {
		row, rec, err := s.getPolicy(ctx, tx, in.PolicyEngineId, in.PolicyId)
		if err != nil {
			return nil, err
		}
		if err := checkPolicyChangeable("Policy", in.PolicyId, row.Status); err != nil {
			return nil, err
		}
		var findings []string
		rollback := &policyRollback{Definition: rec.Definition, Description: rec.Description}
		if in.Definition != nil {
			statement, err := s.resolvePolicyStatement(ctx, tx, in.PolicyEngineId, in.Definition)
			if err != nil {
				return nil, err
			}
			rec.Definition = cedarDefinition(statement)
			findings = analyzeCedar(statement, in.ValidationMode)
		}
		// PATCH semantics, as for the engine's description.
		if in.Description != nil {
			rec.Description = in.Description.OptionalValue
		}
		now := s.now().UTC()
		rec.Status = api.PolicyStatusUpdating
		rec.StatusReasons = []string{}
		rec.UpdatedAt = api.NewDateTime(now)
		rec.Rollback = rollback
		rec.PendingReasons = withInjected(findings, s.injectedFailure(ctx, "UpdatePolicy"))
		out := api.UpdatePolicyResponse(rec.GetPolicyResponse)
		if err := s.savePolicy(ctx, tx, row, rec, now); err != nil {
			return nil, err
		}
		if err := s.lifecycle.Schedule(ctx, tx, row); err != nil {
			return nil, err
		}
		return &out, nil
	})
}

func (s *Service) DeletePolicy(ctx context.Context, in *api.DeletePolicyRequest) (*api.DeletePolicyResponse, error) {
	return mutate(ctx, s, func(tx store.Tx) (*api.DeletePolicyResponse, error) {
		row, rec, err := s.getPolicy(ctx, tx, in.PolicyEngineId, in.PolicyId)
		if err != nil {
			return nil, err
		}
		switch rec.Status {
		case api.PolicyStatusDeleting:
			out := api.DeletePolicyResponse(rec.GetPolicyResponse)
			return &out, nil
		case api.PolicyStatusCreating, api.PolicyStatusUpdating:
			return nil, awserr.Conflict("Policy '%s' is %s; wait until the change completes and try again.", in.PolicyId, rec.Status)
		}
		now := s.now().UTC()
		rec.Status = api.PolicyStatusDeleting
		rec.StatusReasons = []string{}
		rec.UpdatedAt = api.NewDateTime(now)
		rec.Rollback = nil
		rec.PendingReasons = withInjected(nil, s.injectedFailure(ctx, "DeletePolicy"))
		out := api.DeletePolicyResponse(rec.GetPolicyResponse)
		if err := s.savePolicy(ctx, tx, row, rec, now); err != nil {
			return nil, err
		}
		if err := s.lifecycle.Schedule(ctx, tx, row); err != nil {
			return nil, err
		}
		return &out, nil
	})
}

// listPolicies reads one page of an engine's policies, keeping only those
// that apply to scopeARN when it is given. The page is filled from as many
// rows as needed, so a filtered page is still full unless it is the last.
func (s *Service) listPolicies(ctx context.Context, engineID string, maxResults *int64, nextToken, scopeARN string) ([]*policyRecord, string, error) {
	sc := scopeOf(ctx)
	limit := intValue(maxResults, defaultPolicyListLimit)
	var recs []*policyRecord
	var next string
	err := s.read(ctx, func(tx store.Tx) error {
		if _, _, err := s.getPolicyEngine(ctx, tx, engineID); err != nil {
			return err
		}
		var after int64
		if nextToken != "" {
			var err error
			if after, err = s.decodePageToken(sc, nextToken, kindPolicy, engineID); err != nil {
				return err
			}
		}
		const batch = 100
		var lastSeq int64
		for {
			rows, err := tx.List(ctx, store.ListQuery{Account: sc.account, Region: sc.region, Kind: kindPolicy, ParentID: engineID, AfterSeq: after, Limit: batch})
			if err != nil {
				return err
			}
			for _, r := range rows {
				after = r.Seq
				var rec policyRecord
				if err := decodeDoc(r, &rec); err != nil {
					return err
				}
				if scopeARN != "" && !policyAppliesTo(&rec, scopeARN) {
					continue
				}
				if len(recs) == limit {
					// One more match exists: the page ends at the last kept row.
					next = s.encodePageToken(sc, pageToken{Kind: kindPolicy, Parent: engineID, Seq: lastSeq})
					return nil
				}
				recs = append(recs, &rec)
				lastSeq = r.Seq
			}
			if len(rows) < batch {
				return nil
			}
		}
	})
	return recs, next, err
}

func (s *Service) ListPolicies(ctx context.Context, in *api.ListPoliciesRequest) (*api.ListPoliciesResponse, error) {
	recs, next, err := s.listPolicies(ctx, in.PolicyEngineId, in.MaxResults, in.NextToken, in.TargetResourceScope)
	if err != nil {
		return nil, err
	}
	out := &api.ListPoliciesResponse{Policies: []api.Policy{}, NextToken: next}
	for _, rec := range recs {
		out.Policies = append(out.Policies, api.Policy(rec.GetPolicyResponse))
	}
	return out, nil
}

func (s *Service) ListPolicySummaries(ctx context.Context, in *api.ListPolicySummariesRequest) (*api.ListPolicySummariesResponse, error) {
	recs, next, err := s.listPolicies(ctx, in.PolicyEngineId, in.MaxResults, in.NextToken, in.TargetResourceScope)
	if err != nil {
		return nil, err
	}
	out := &api.ListPolicySummariesResponse{Policies: []api.PolicySummary{}, NextToken: next}
	for _, rec := range recs {
		out.Policies = append(out.Policies, policySummary(&rec.GetPolicyResponse))
	}
	return out, nil
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

// reconcilePolicy completes a policy's pending transition.
func (s *Service) reconcilePolicy(ctx context.Context, tx store.Tx, row *store.Resource, now time.Time) error {
	var rec policyRecord
	if err := decodeDoc(row, &rec); err != nil {
		return err
	}
	reasons := rec.PendingReasons
	next, gone := nextPolicyStatus(string(rec.Status), len(reasons) > 0)
	if gone {
		return s.removeResource(ctx, tx, row)
	}
	if next == string(rec.Status) {
		return nil
	}
	if rec.Status == api.PolicyStatusUpdating && len(reasons) > 0 && rec.Rollback != nil {
		rec.Definition = rec.Rollback.Definition
		rec.Description = rec.Rollback.Description
	}
	rec.Status = api.PolicyStatus(next)
	rec.StatusReasons = []string{}
	if len(reasons) > 0 {
		rec.StatusReasons = reasons
	}
	rec.PendingReasons = nil
	rec.Rollback = nil
	rec.UpdatedAt = api.NewDateTime(now)
	return s.savePolicy(ctx, tx, row, &rec, now)
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
