package service

// Policy generations: natural language → Cedar policy assets (see
// policy_engines.go for the family's rows and decisions).
//
// StartPolicyGeneration answers 202 with GENERATING; the generation ends
// GENERATED with its assets, or GENERATE_FAILED with statusReasons (an
// injected failure, or an input with no statement to translate). The
// resource must be the ARN of a gateway of the caller's account and region
// that exists ("currently, only AgentCore Gateways are supported"):
// ValidationException for any other ARN, ResourceNotFoundException for a
// missing gateway.
//
// There is no model here, only a deterministic translation, so that tests
// can rely on its output:
//   - The text is cut into statements at '.', '!', '?' or ';' followed by
//     a space or the end, and at line breaks; blank ones are dropped, and at
//     most 100 are translated. Each becomes one asset, in order, with
//     rawTextFragment the statement and id "asset_<n>-<10 chars of a hash of
//     the generation id and n>".
//   - Effect: forbid if the statement has a denying word (deny, forbid,
//     block, prevent, prohibit, disallow, reject, never, cannot, can't, must
//     not, do not, does not, don't, doesn't, not allowed, not permitted);
//     else permit if it has an allowing word (allow, permit, grant, let,
//     enable, can, may, authorize); else the asset has no definition and the
//     finding NOT_TRANSLATABLE.
//   - Scope: any principal, any action, resource == AgentCore::Gateway::"<the
//     resource ARN>".
//   - A limit such as "up to 500", "at most", "no more than", "under",
//     "below", "less than", "over", "above", "more than", "greater than",
//     "exceeding", "at least" followed by a whole number (optionally after
//     '$') becomes the condition when { context.input.amount <op> N }.
//   - Findings: that of the policy analysis (policies.go): ALLOW_ALL or
//     DENY_ALL for a statement with no condition, VALID otherwise.
//   - The generation's findings string counts the assets by finding type,
//     e.g. "Generated 2 policy assets from 3 statements: 1 VALID, 1
//     ALLOW_ALL, 1 NOT_TRANSLATABLE."

import (
	"context"
	"errors"
	"regexp"

	"agentcored/internal/api"
	"agentcored/internal/awserr"
	"agentcored/internal/cedar"
	"agentcored/internal/store"
)

// kindPolicyGenerationAsset names the listing of a generation's assets in
// page tokens (assets are not rows).
const kindPolicyGenerationAsset = "policy-generation-asset"

// generationRecord is the document of a policy-generation row.
type generationRecord struct {
	api.GetPolicyGenerationResponse
	// Content is the natural-language input.
	Content string `json:"content"`
	// Assets are the generated policies, set when GENERATED.
	Assets []api.PolicyGenerationAsset `json:"assets,omitempty"`
	failable
}

var policyGenerations = &family[generationRecord]{
	kind: kindPolicyGeneration, group: familyPolicies, noun: "policy generation", newID: newPolicyFamilyID,
	// No ARN field: the generation's ARN is not a row ARN, so it cannot be
	// tagged.
	fields: fields{ID: "PolicyGenerationId", Status: "Status", Reason: "StatusReasons", Created: "CreatedAt", Updated: "UpdatedAt"},
	states: states{create: "GENERATING", settle: map[string]outcome{
		"GENERATING": {"GENERATED", "GENERATE_FAILED"},
	}},
	reasonsRequired: true, sharedNames: true, listLimit: defaultPolicyListLimit,
	quota:        func(q Quotas) int { return q.PolicyGenerationsPerEngine },
	parentExists: policyEngineExists,
	missing: func(engineID, id string) error {
		return awserr.NotFound("Policy generation '%s' was not found in policy engine '%s'.", id, engineID)
	},
	full: func(engineID string, quota int) error {
		return awserr.QuotaExceeded("Policy engine '%s' has reached the maximum of %d policy generations.", engineID, quota)
	},
	settled: func(_ context.Context, _ *Service, _ store.Tx, _ *store.Resource, rec *generationRecord, _ string) error {
		if rec.Status != api.PolicyGenerationStatusGenerated {
			return nil
		}
		resource := ""
		if rec.Resource != nil {
			resource = rec.Resource.Arn
		}
		rec.Assets, rec.Findings = generatePolicyAssets(rec.PolicyGenerationId, resource, rec.Content)
		if len(rec.Assets) == 0 {
			rec.Status = api.PolicyGenerationStatusGenerateFailed
			rec.StatusReasons = []string{"The input contains no statement to translate into a policy."}
			rec.Assets, rec.Findings = nil, ""
		}
		return nil
	},
}

// gatewayARN matches a gateway ARN, capturing region and account.
var gatewayARN = regexp.MustCompile(`^arn:aws[-a-z]*:bedrock-agentcore:([a-z0-9-]+):([0-9]{12}):gateway/[^/]+$`)

// checkGenerationResource accepts an existing gateway of the caller.
func checkGenerationResource(ctx context.Context, tx store.Tx, sc scope, arn string) error {
	m := gatewayARN.FindStringSubmatch(arn)
	if m == nil {
		return awserr.Validation("Resource '%s' is not supported: only AgentCore gateways can be the resource of a policy generation.", arn)
	}
	notFound := awserr.NotFound("Gateway '%s' was not found.", arn)
	if m[1] != sc.region || m[2] != sc.account {
		return notFound
	}
	r, err := tx.GetByARN(ctx, arn)
	if errors.Is(err, store.ErrNotFound) || err == nil && (r.Kind != kindGateway || r.Account != sc.account || r.Region != sc.region) {
		return notFound
	}
	return err
}

func (s *Service) StartPolicyGeneration(ctx context.Context, in *api.StartPolicyGenerationRequest) (*api.StartPolicyGenerationResponse, error) {
	return create[api.StartPolicyGenerationResponse](ctx, s, policyGenerations, creation{parent: in.PolicyEngineId, name: in.Name, from: in,
		check: func(tx store.Tx, sc scope) error {
			if err := policyEngineTakesChildren(ctx, tx, sc, in.PolicyEngineId); err != nil {
				return err
			}
			return checkGenerationResource(ctx, tx, sc, in.Resource.Arn)
		}},
		func(_ store.Tx, sc scope, rec *generationRecord) error {
			rec.PolicyGenerationArn = sc.arn("policy-engine/" + in.PolicyEngineId + "/policy-generation/" + rec.PolicyGenerationId)
			if in.Content != nil {
				rec.Content = in.Content.RawText
			}
			return nil
		})
}

func (s *Service) GetPolicyGeneration(ctx context.Context, in *api.GetPolicyGenerationRequest) (*api.GetPolicyGenerationResponse, error) {
	return get[api.GetPolicyGenerationResponse](ctx, s, policyGenerations, in.PolicyEngineId, in.PolicyGenerationId)
}

// GetPolicyGenerationSummary is the metadata-only view: no status reasons.
func (s *Service) GetPolicyGenerationSummary(ctx context.Context, in *api.GetPolicyGenerationSummaryRequest) (*api.GetPolicyGenerationSummaryResponse, error) {
	return get[api.GetPolicyGenerationSummaryResponse](ctx, s, policyGenerations, in.PolicyEngineId, in.PolicyGenerationId)
}

func (s *Service) ListPolicyGenerations(ctx context.Context, in *api.ListPolicyGenerationsRequest) (*api.ListPolicyGenerationsResponse, error) {
	return answerPage[api.ListPolicyGenerationsResponse](list[api.PolicyGeneration](ctx, s, policyGenerations,
		listing[generationRecord]{parent: in.PolicyEngineId, maxResults: in.MaxResults, nextToken: in.NextToken}))
}

func (s *Service) ListPolicyGenerationSummaries(ctx context.Context, in *api.ListPolicyGenerationSummariesRequest) (*api.ListPolicyGenerationSummariesResponse, error) {
	return answerPage[api.ListPolicyGenerationSummariesResponse](list[api.PolicyGenerationSummary](ctx, s, policyGenerations,
		listing[generationRecord]{parent: in.PolicyEngineId, maxResults: in.MaxResults, nextToken: in.NextToken}))
}

// ListPolicyGenerationAssets pages through a generation's assets by position;
// a generation that is not GENERATED has none.
func (s *Service) ListPolicyGenerationAssets(ctx context.Context, in *api.ListPolicyGenerationAssetsRequest) (*api.ListPolicyGenerationAssetsResponse, error) {
	sc := scopeOf(ctx)
	parent := in.PolicyEngineId + "/" + in.PolicyGenerationId
	out := &api.ListPolicyGenerationAssetsResponse{PolicyGenerationAssets: []api.PolicyGenerationAsset{}}
	err := s.read(ctx, func(tx store.Tx) error {
		_, rec, err := policyGenerations.load(ctx, tx, sc, in.PolicyEngineId, in.PolicyGenerationId)
		if err != nil {
			return err
		}
		start := 0
		if in.NextToken != "" {
			seq, err := s.decodePageToken(sc, in.NextToken, kindPolicyGenerationAsset, parent)
			if err != nil {
				return err
			}
			if seq < 0 || seq > int64(len(rec.Assets)) {
				return invalidToken()
			}
			start = int(seq)
		}
		end := min(start+intValue(in.MaxResults, defaultPolicyListLimit), len(rec.Assets))
		out.PolicyGenerationAssets = append(out.PolicyGenerationAssets, rec.Assets[start:end]...)
		if end < len(rec.Assets) {
			out.NextToken = s.encodePageToken(sc, pageToken{Kind: kindPolicyGenerationAsset, Parent: parent, Seq: int64(end)})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// generatePolicyAssets translates a generation's text (see the file
// comment) into the model's assets.
func generatePolicyAssets(generationID, resourceARN, text string) ([]api.PolicyGenerationAsset, string) {
	translated, summary := cedar.Translate(generationID, resourceARN, text)
	assets := make([]api.PolicyGenerationAsset, len(translated))
	for i, a := range translated {
		assets[i] = api.PolicyGenerationAsset{PolicyGenerationAssetId: a.ID, RawTextFragment: a.Text,
			Findings: []api.Finding{{Type: api.FindingType(a.Finding.Type), Description: a.Finding.Description}}}
		if a.Statement != "" {
			assets[i].Definition = cedarDefinition(a.Statement)
		}
	}
	return assets, summary
}
