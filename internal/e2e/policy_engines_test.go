package e2e

import (
	"context"
	"fmt"
	"net/http"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	ctl "github.com/aws/aws-sdk-go-v2/service/bedrockagentcorecontrol"
	"github.com/aws/aws-sdk-go-v2/service/bedrockagentcorecontrol/types"

	"agentcored/internal/server"
	"agentcored/internal/testserver"
)

// Helpers of the AgentCore Policy tests (engines, policies, generations)
// carry a "pe" prefix.

const (
	peARNPrefix = "arn:aws:bedrock-agentcore:us-east-1:123456789012:"
	peKMSKey    = "arn:aws:kms:us-east-1:123456789012:key/0123abcd-4567-89ab-cdef-0123456789ab"
	// peStmt constrains the action and has a condition: no finding.
	peStmt = `permit(
  principal is AgentCore::OAuthUser,
  action == AgentCore::Action::"RefundTool___process_refund",
  resource
) when {
  context.input.amount < 500
};`
	peStmt2 = `forbid(principal, action == AgentCore::Action::"RefundTool___process_refund", resource) unless { context.input.approved };`
)

var peIDPattern = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*-[a-z0-9_]{10}$`)

func peCedar(stmt string) types.PolicyDefinition {
	return &types.PolicyDefinitionMemberCedar{Value: types.CedarPolicy{Statement: aws.String(stmt)}}
}

// peStatement returns the Cedar statement of a definition, "" if it has none.
func peStatement(def types.PolicyDefinition) string {
	if c, ok := def.(*types.PolicyDefinitionMemberCedar); ok {
		return aws.ToString(c.Value.Statement)
	}
	return ""
}

func peEngine(t *testing.T, c *ctl.Client, name string) string {
	t.Helper()
	out, err := c.CreatePolicyEngine(context.Background(), &ctl.CreatePolicyEngineInput{Name: aws.String(name)})
	if err != nil {
		t.Fatalf("CreatePolicyEngine %s: %v", name, err)
	}
	return aws.ToString(out.PolicyEngineId)
}

func pePolicy(t *testing.T, c *ctl.Client, engineID, name, stmt string) *ctl.CreatePolicyOutput {
	t.Helper()
	out, err := c.CreatePolicy(context.Background(), &ctl.CreatePolicyInput{PolicyEngineId: aws.String(engineID), Name: aws.String(name), Definition: peCedar(stmt)})
	if err != nil {
		t.Fatalf("CreatePolicy %s: %v", name, err)
	}
	return out
}

func peGetEngine(t *testing.T, c *ctl.Client, id string) *ctl.GetPolicyEngineOutput {
	t.Helper()
	out, err := c.GetPolicyEngine(context.Background(), &ctl.GetPolicyEngineInput{PolicyEngineId: aws.String(id)})
	if err != nil {
		t.Fatalf("GetPolicyEngine %s: %v", id, err)
	}
	return out
}

func peGetPolicy(t *testing.T, c *ctl.Client, engineID, policyID string) *ctl.GetPolicyOutput {
	t.Helper()
	out, err := c.GetPolicy(context.Background(), &ctl.GetPolicyInput{PolicyEngineId: aws.String(engineID), PolicyId: aws.String(policyID)})
	if err != nil {
		t.Fatalf("GetPolicy %s: %v", policyID, err)
	}
	return out
}

// peGateway creates a minimal gateway (gwCreate) and returns its ARN.
func peGateway(t *testing.T, c *ctl.Client, name string) string {
	t.Helper()
	return aws.ToString(gwCreate(t, c, name).GatewayArn)
}

func peStartGeneration(t *testing.T, c *ctl.Client, engineID, name, gatewayARN, text string) *ctl.StartPolicyGenerationOutput {
	t.Helper()
	out, err := c.StartPolicyGeneration(context.Background(), &ctl.StartPolicyGenerationInput{
		PolicyEngineId: aws.String(engineID), Name: aws.String(name),
		Resource: &types.ResourceMemberArn{Value: gatewayARN}, Content: &types.ContentMemberRawText{Value: text},
	})
	if err != nil {
		t.Fatalf("StartPolicyGeneration %s: %v", name, err)
	}
	return out
}

func peAssets(t *testing.T, c *ctl.Client, engineID, generationID string) []types.PolicyGenerationAsset {
	t.Helper()
	var all []types.PolicyGenerationAsset
	var token *string
	for pages := 0; ; pages++ {
		out, err := c.ListPolicyGenerationAssets(context.Background(), &ctl.ListPolicyGenerationAssetsInput{
			PolicyEngineId: aws.String(engineID), PolicyGenerationId: aws.String(generationID), MaxResults: aws.Int32(1), NextToken: token,
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.PolicyGenerationAssets) > 1 {
			t.Fatalf("page of %d assets with maxResults 1", len(out.PolicyGenerationAssets))
		}
		all = append(all, out.PolicyGenerationAssets...)
		if out.NextToken == nil {
			return all
		}
		if pages > 20 {
			t.Fatal("asset pagination does not end")
		}
		token = out.NextToken
	}
}

func TestPolicyEngineRoundTrip(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client(t)
	ctx := context.Background()
	created, err := c.CreatePolicyEngine(ctx, &ctl.CreatePolicyEngineInput{
		Name: aws.String("full_engine"), Description: aws.String("every member"), EncryptionKeyArn: aws.String(peKMSKey),
		Tags: map[string]string{"team": "policy", "env": "test"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if code := httpStatus(t, created.ResultMetadata); code != http.StatusAccepted {
		t.Errorf("CreatePolicyEngine answered %d, want 202", code)
	}
	id := aws.ToString(created.PolicyEngineId)
	if !regexp.MustCompile(`^full_engine-[a-z0-9_]{10}$`).MatchString(id) {
		t.Errorf("engine id %q is not <name>-<10 of [a-z0-9_]>", id)
	}
	arn := peARNPrefix + "policy-engine/" + id
	if created.Status != types.PolicyEngineStatusCreating || aws.ToString(created.PolicyEngineArn) != arn ||
		aws.ToString(created.Name) != "full_engine" || aws.ToString(created.Description) != "every member" ||
		aws.ToString(created.EncryptionKeyArn) != peKMSKey || created.StatusReasons == nil || len(created.StatusReasons) != 0 ||
		created.CreatedAt == nil || created.UpdatedAt == nil || !created.CreatedAt.Equal(*created.UpdatedAt) {
		t.Errorf("create answer = %+v", created)
	}

	got := peGetEngine(t, c, id)
	if got.Status != types.PolicyEngineStatusActive || aws.ToString(got.PolicyEngineId) != id || aws.ToString(got.PolicyEngineArn) != arn ||
		aws.ToString(got.Name) != "full_engine" || aws.ToString(got.Description) != "every member" ||
		aws.ToString(got.EncryptionKeyArn) != peKMSKey || got.StatusReasons == nil || len(got.StatusReasons) != 0 ||
		got.CreatedAt == nil || !got.CreatedAt.Equal(*created.CreatedAt) || got.UpdatedAt == nil {
		t.Errorf("get = %+v", got)
	}
	sum, err := c.GetPolicyEngineSummary(ctx, &ctl.GetPolicyEngineSummaryInput{PolicyEngineId: aws.String(id)})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(sum.PolicyEngineId) != id || aws.ToString(sum.PolicyEngineArn) != arn || aws.ToString(sum.Name) != "full_engine" ||
		sum.Status != types.PolicyEngineStatusActive || aws.ToString(sum.EncryptionKeyArn) != peKMSKey || sum.CreatedAt == nil || sum.UpdatedAt == nil {
		t.Errorf("summary = %+v", sum)
	}

	list, err := c.ListPolicyEngines(ctx, &ctl.ListPolicyEnginesInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.PolicyEngines) != 1 || aws.ToString(list.PolicyEngines[0].PolicyEngineId) != id ||
		aws.ToString(list.PolicyEngines[0].Description) != "every member" || list.PolicyEngines[0].Status != types.PolicyEngineStatusActive ||
		list.PolicyEngines[0].StatusReasons == nil || list.NextToken != nil {
		t.Errorf("list = %+v", list.PolicyEngines)
	}
	sums, err := c.ListPolicyEngineSummaries(ctx, &ctl.ListPolicyEngineSummariesInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(sums.PolicyEngines) != 1 || aws.ToString(sums.PolicyEngines[0].PolicyEngineArn) != arn || aws.ToString(sums.PolicyEngines[0].Name) != "full_engine" {
		t.Errorf("summaries = %+v", sums.PolicyEngines)
	}

	tags, err := c.ListTagsForResource(ctx, &ctl.ListTagsForResourceInput{ResourceArn: aws.String(arn)})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(tags.Tags, map[string]string{"team": "policy", "env": "test"}) {
		t.Errorf("tags = %v", tags.Tags)
	}
	if _, err := c.TagResource(ctx, &ctl.TagResourceInput{ResourceArn: aws.String(arn), Tags: map[string]string{"extra": "1"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.UntagResource(ctx, &ctl.UntagResourceInput{ResourceArn: aws.String(arn), TagKeys: []string{"env"}}); err != nil {
		t.Fatal(err)
	}
	tags, err = c.ListTagsForResource(ctx, &ctl.ListTagsForResourceInput{ResourceArn: aws.String(arn)})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(tags.Tags, map[string]string{"team": "policy", "extra": "1"}) {
		t.Errorf("tags after tag/untag = %v", tags.Tags)
	}

	// PATCH semantics of the description.
	for _, tc := range []struct {
		name string
		in   *types.UpdatedDescription
		want string
	}{
		{"new value", &types.UpdatedDescription{OptionalValue: aws.String("second")}, "second"},
		{"absent wrapper keeps it", nil, "second"},
		{"empty wrapper clears it", &types.UpdatedDescription{}, ""},
	} {
		up, err := c.UpdatePolicyEngine(ctx, &ctl.UpdatePolicyEngineInput{PolicyEngineId: aws.String(id), Description: tc.in})
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if code := httpStatus(t, up.ResultMetadata); code != http.StatusAccepted {
			t.Errorf("%s: UpdatePolicyEngine answered %d, want 202", tc.name, code)
		}
		if up.Status != types.PolicyEngineStatusUpdating || aws.ToString(up.Description) != tc.want || aws.ToString(up.PolicyEngineArn) != arn {
			t.Errorf("%s: update answer = %+v", tc.name, up)
		}
		got := peGetEngine(t, c, id)
		if got.Status != types.PolicyEngineStatusActive || aws.ToString(got.Description) != tc.want || aws.ToString(got.EncryptionKeyArn) != peKMSKey {
			t.Errorf("%s: after update status %s description %q", tc.name, got.Status, aws.ToString(got.Description))
		}
	}

	del, err := c.DeletePolicyEngine(ctx, &ctl.DeletePolicyEngineInput{PolicyEngineId: aws.String(id)})
	if err != nil {
		t.Fatal(err)
	}
	if code := httpStatus(t, del.ResultMetadata); code != http.StatusAccepted {
		t.Errorf("DeletePolicyEngine answered %d, want 202", code)
	}
	if del.Status != types.PolicyEngineStatusDeleting || aws.ToString(del.PolicyEngineId) != id || aws.ToString(del.Name) != "full_engine" {
		t.Errorf("delete answer = %+v", del)
	}
	_, err = c.GetPolicyEngine(ctx, &ctl.GetPolicyEngineInput{PolicyEngineId: aws.String(id)})
	wantCode(t, "get after delete", err, "ResourceNotFoundException")
	_, err = c.GetPolicyEngineSummary(ctx, &ctl.GetPolicyEngineSummaryInput{PolicyEngineId: aws.String(id)})
	wantCode(t, "summary after delete", err, "ResourceNotFoundException")
	_, err = c.ListTagsForResource(ctx, &ctl.ListTagsForResourceInput{ResourceArn: aws.String(arn)})
	wantCode(t, "tags after delete", err, "ResourceNotFoundException")
	_, err = c.DeletePolicyEngine(ctx, &ctl.DeletePolicyEngineInput{PolicyEngineId: aws.String(id)})
	wantCode(t, "second delete", err, "ResourceNotFoundException")
	_, err = c.UpdatePolicyEngine(ctx, &ctl.UpdatePolicyEngineInput{PolicyEngineId: aws.String(id)})
	wantCode(t, "update after delete", err, "ResourceNotFoundException")
	list, err = c.ListPolicyEngines(ctx, &ctl.ListPolicyEnginesInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.PolicyEngines) != 0 {
		t.Errorf("list after delete = %+v", list.PolicyEngines)
	}
}

func TestPolicyRoundTripAndSummaries(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client(t)
	ctx := context.Background()
	engineID := peEngine(t, c, "engine")
	created, err := c.CreatePolicy(ctx, &ctl.CreatePolicyInput{
		PolicyEngineId: aws.String(engineID), Name: aws.String("refunds"), Description: aws.String("small refunds only"),
		Definition: peCedar(peStmt), ValidationMode: types.PolicyValidationModeFailOnAnyFindings,
	})
	if err != nil {
		t.Fatal(err)
	}
	if code := httpStatus(t, created.ResultMetadata); code != http.StatusAccepted {
		t.Errorf("CreatePolicy answered %d, want 202", code)
	}
	id := aws.ToString(created.PolicyId)
	if !regexp.MustCompile(`^refunds-[a-z0-9_]{10}$`).MatchString(id) {
		t.Errorf("policy id %q", id)
	}
	arn := peARNPrefix + "policy-engine/" + engineID + "/policy/" + id
	if created.Status != types.PolicyStatusCreating || aws.ToString(created.PolicyArn) != arn || aws.ToString(created.PolicyEngineId) != engineID ||
		aws.ToString(created.Name) != "refunds" || aws.ToString(created.Description) != "small refunds only" ||
		peStatement(created.Definition) != peStmt || created.StatusReasons == nil || created.CreatedAt == nil || created.UpdatedAt == nil {
		t.Errorf("create answer = %+v", created)
	}
	got := peGetPolicy(t, c, engineID, id)
	if got.Status != types.PolicyStatusActive || len(got.StatusReasons) != 0 || got.StatusReasons == nil || aws.ToString(got.PolicyArn) != arn ||
		aws.ToString(got.Name) != "refunds" || aws.ToString(got.Description) != "small refunds only" || peStatement(got.Definition) != peStmt ||
		aws.ToString(got.PolicyEngineId) != engineID || !got.CreatedAt.Equal(*created.CreatedAt) {
		t.Errorf("get = %+v (reasons %v)", got, got.StatusReasons)
	}
	sum, err := c.GetPolicySummary(ctx, &ctl.GetPolicySummaryInput{PolicyEngineId: aws.String(engineID), PolicyId: aws.String(id)})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(sum.PolicyId) != id || aws.ToString(sum.PolicyArn) != arn || aws.ToString(sum.Name) != "refunds" ||
		aws.ToString(sum.PolicyEngineId) != engineID || sum.Status != types.PolicyStatusActive || sum.CreatedAt == nil || sum.UpdatedAt == nil {
		t.Errorf("summary = %+v", sum)
	}
	list, err := c.ListPolicies(ctx, &ctl.ListPoliciesInput{PolicyEngineId: aws.String(engineID)})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Policies) != 1 || aws.ToString(list.Policies[0].PolicyId) != id || peStatement(list.Policies[0].Definition) != peStmt ||
		aws.ToString(list.Policies[0].Description) != "small refunds only" || list.NextToken != nil {
		t.Errorf("list = %+v", list.Policies)
	}
	sums, err := c.ListPolicySummaries(ctx, &ctl.ListPolicySummariesInput{PolicyEngineId: aws.String(engineID)})
	if err != nil {
		t.Fatal(err)
	}
	if len(sums.Policies) != 1 || aws.ToString(sums.Policies[0].PolicyArn) != arn || sums.Policies[0].Status != types.PolicyStatusActive {
		t.Errorf("summaries = %+v", sums.Policies)
	}

	// Policies are taggable through their ARN.
	if _, err := c.TagResource(ctx, &ctl.TagResourceInput{ResourceArn: aws.String(arn), Tags: map[string]string{"owner": "risk"}}); err != nil {
		t.Fatal(err)
	}
	tags, err := c.ListTagsForResource(ctx, &ctl.ListTagsForResourceInput{ResourceArn: aws.String(arn)})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(tags.Tags, map[string]string{"owner": "risk"}) {
		t.Errorf("policy tags = %v", tags.Tags)
	}

	// Update: definition replaced, description kept (absent wrapper).
	up, err := c.UpdatePolicy(ctx, &ctl.UpdatePolicyInput{PolicyEngineId: aws.String(engineID), PolicyId: aws.String(id), Definition: peCedar(peStmt2)})
	if err != nil {
		t.Fatal(err)
	}
	if code := httpStatus(t, up.ResultMetadata); code != http.StatusAccepted {
		t.Errorf("UpdatePolicy answered %d, want 202", code)
	}
	if up.Status != types.PolicyStatusUpdating || peStatement(up.Definition) != peStmt2 || aws.ToString(up.Description) != "small refunds only" {
		t.Errorf("update answer = %+v", up)
	}
	got = peGetPolicy(t, c, engineID, id)
	if got.Status != types.PolicyStatusActive || peStatement(got.Definition) != peStmt2 || aws.ToString(got.Description) != "small refunds only" {
		t.Errorf("after update: %s %q %q", got.Status, peStatement(got.Definition), aws.ToString(got.Description))
	}
	// Description only, then cleared.
	if _, err := c.UpdatePolicy(ctx, &ctl.UpdatePolicyInput{PolicyEngineId: aws.String(engineID), PolicyId: aws.String(id),
		Description: &types.UpdatedDescription{OptionalValue: aws.String("approved refunds")}}); err != nil {
		t.Fatal(err)
	}
	if got := peGetPolicy(t, c, engineID, id); aws.ToString(got.Description) != "approved refunds" || peStatement(got.Definition) != peStmt2 {
		t.Errorf("after description update: %q %q", aws.ToString(got.Description), peStatement(got.Definition))
	}
	if _, err := c.UpdatePolicy(ctx, &ctl.UpdatePolicyInput{PolicyEngineId: aws.String(engineID), PolicyId: aws.String(id),
		Description: &types.UpdatedDescription{}}); err != nil {
		t.Fatal(err)
	}
	if got := peGetPolicy(t, c, engineID, id); got.Description != nil {
		t.Errorf("description not cleared: %q", aws.ToString(got.Description))
	}

	// A policy is only found through its own engine.
	other := peEngine(t, c, "other")
	_, err = c.GetPolicy(ctx, &ctl.GetPolicyInput{PolicyEngineId: aws.String(other), PolicyId: aws.String(id)})
	wantCode(t, "policy through another engine", err, "ResourceNotFoundException")
	_, err = c.ListPolicies(ctx, &ctl.ListPoliciesInput{PolicyEngineId: aws.String("missing-abcdefghij")})
	wantCode(t, "list in a missing engine", err, "ResourceNotFoundException")

	del, err := c.DeletePolicy(ctx, &ctl.DeletePolicyInput{PolicyEngineId: aws.String(engineID), PolicyId: aws.String(id)})
	if err != nil {
		t.Fatal(err)
	}
	if code := httpStatus(t, del.ResultMetadata); code != http.StatusAccepted {
		t.Errorf("DeletePolicy answered %d, want 202", code)
	}
	if del.Status != types.PolicyStatusDeleting || aws.ToString(del.PolicyId) != id || peStatement(del.Definition) != peStmt2 {
		t.Errorf("delete answer = %+v", del)
	}
	_, err = c.GetPolicy(ctx, &ctl.GetPolicyInput{PolicyEngineId: aws.String(engineID), PolicyId: aws.String(id)})
	wantCode(t, "get after delete", err, "ResourceNotFoundException")
	_, err = c.GetPolicySummary(ctx, &ctl.GetPolicySummaryInput{PolicyEngineId: aws.String(engineID), PolicyId: aws.String(id)})
	wantCode(t, "summary after delete", err, "ResourceNotFoundException")
	_, err = c.ListTagsForResource(ctx, &ctl.ListTagsForResourceInput{ResourceArn: aws.String(arn)})
	wantCode(t, "tags after delete", err, "ResourceNotFoundException")
	_, err = c.DeletePolicy(ctx, &ctl.DeletePolicyInput{PolicyEngineId: aws.String(engineID), PolicyId: aws.String(id)})
	wantCode(t, "second delete", err, "ResourceNotFoundException")
	_, err = c.UpdatePolicy(ctx, &ctl.UpdatePolicyInput{PolicyEngineId: aws.String(engineID), PolicyId: aws.String(id)})
	wantCode(t, "update after delete", err, "ResourceNotFoundException")
}

func TestPolicyIdempotentCreates(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client(t)
	ctx := context.Background()
	engineIn := func(desc string) *ctl.CreatePolicyEngineInput {
		return &ctl.CreatePolicyEngineInput{Name: aws.String("retry_engine"), Description: aws.String(desc), ClientToken: aws.String(clientToken("engine-token"))}
	}
	first, err := c.CreatePolicyEngine(ctx, engineIn("one"))
	if err != nil {
		t.Fatal(err)
	}
	second, err := c.CreatePolicyEngine(ctx, engineIn("one"))
	if err != nil {
		t.Fatalf("retry with the same token: %v", err)
	}
	if aws.ToString(first.PolicyEngineId) != aws.ToString(second.PolicyEngineId) || second.Status != types.PolicyEngineStatusCreating {
		t.Errorf("retry answered %s %s, first %s", aws.ToString(second.PolicyEngineId), second.Status, aws.ToString(first.PolicyEngineId))
	}
	if code := httpStatus(t, second.ResultMetadata); code != http.StatusAccepted {
		t.Errorf("replayed status = %d, want 202", code)
	}
	_, err = c.CreatePolicyEngine(ctx, engineIn("two"))
	if reason, _ := validationReason(err); reason != types.ValidationExceptionReasonIdempotentParameterMismatchException {
		t.Errorf("engine token reused with other parameters: %v, want IdempotentParameterMismatchException", err)
	}
	engineID := aws.ToString(first.PolicyEngineId)
	engines, err := c.ListPolicyEngines(ctx, &ctl.ListPolicyEnginesInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(engines.PolicyEngines) != 1 {
		t.Errorf("%d engines after a retried create, want 1", len(engines.PolicyEngines))
	}

	policyIn := func(stmt string) *ctl.CreatePolicyInput {
		return &ctl.CreatePolicyInput{PolicyEngineId: aws.String(engineID), Name: aws.String("retry_policy"),
			Definition: peCedar(stmt), ClientToken: aws.String(clientToken("policy-token"))}
	}
	p1, err := c.CreatePolicy(ctx, policyIn(peStmt))
	if err != nil {
		t.Fatal(err)
	}
	p2, err := c.CreatePolicy(ctx, policyIn(peStmt))
	if err != nil {
		t.Fatalf("policy retry: %v", err)
	}
	if aws.ToString(p1.PolicyId) != aws.ToString(p2.PolicyId) || aws.ToString(p1.PolicyArn) != aws.ToString(p2.PolicyArn) {
		t.Errorf("policy retry answered %s, first %s", aws.ToString(p2.PolicyId), aws.ToString(p1.PolicyId))
	}
	_, err = c.CreatePolicy(ctx, policyIn(peStmt2))
	if reason, _ := validationReason(err); reason != types.ValidationExceptionReasonIdempotentParameterMismatchException {
		t.Errorf("policy token reused with other parameters: %v", err)
	}

	gw := peGateway(t, c, "retry-gw")
	genIn := func(text string) *ctl.StartPolicyGenerationInput {
		return &ctl.StartPolicyGenerationInput{PolicyEngineId: aws.String(engineID), Name: aws.String("retry_gen"),
			Resource: &types.ResourceMemberArn{Value: gw}, Content: &types.ContentMemberRawText{Value: text}, ClientToken: aws.String(clientToken("gen-token"))}
	}
	g1, err := c.StartPolicyGeneration(ctx, genIn("Allow refunds."))
	if err != nil {
		t.Fatal(err)
	}
	g2, err := c.StartPolicyGeneration(ctx, genIn("Allow refunds."))
	if err != nil {
		t.Fatalf("generation retry: %v", err)
	}
	if aws.ToString(g1.PolicyGenerationId) != aws.ToString(g2.PolicyGenerationId) || g2.Status != types.PolicyGenerationStatusGenerating {
		t.Errorf("generation retry answered %s %s", aws.ToString(g2.PolicyGenerationId), g2.Status)
	}
	_, err = c.StartPolicyGeneration(ctx, genIn("Deny refunds."))
	if reason, _ := validationReason(err); reason != types.ValidationExceptionReasonIdempotentParameterMismatchException {
		t.Errorf("generation token reused with other parameters: %v", err)
	}
	gens, err := c.ListPolicyGenerations(ctx, &ctl.ListPolicyGenerationsInput{PolicyEngineId: aws.String(engineID)})
	if err != nil {
		t.Fatal(err)
	}
	if len(gens.PolicyGenerations) != 1 {
		t.Errorf("%d generations after a retried start, want 1", len(gens.PolicyGenerations))
	}
}

func TestPolicyNameConflictsAndQuotas(t *testing.T) {
	srv := testserver.Start(t, func(c *server.Config) {
		c.Quotas.PolicyEnginesPerAccount = 2
		c.Quotas.PoliciesPerEngine = 2
		c.Quotas.PolicyGenerationsPerEngine = 1
	})
	c := srv.Client(t)
	ctx := context.Background()
	e1 := peEngine(t, c, "dup")
	_, err := c.CreatePolicyEngine(ctx, &ctl.CreatePolicyEngineInput{Name: aws.String("dup")})
	wantCode(t, "duplicate engine name", err, "ConflictException")
	e2 := peEngine(t, c, "second")
	_, err = c.CreatePolicyEngine(ctx, &ctl.CreatePolicyEngineInput{Name: aws.String("third")})
	wantCode(t, "engine over quota", err, "ServiceQuotaExceededException")
	_, err = c.CreatePolicyEngine(ctx, &ctl.CreatePolicyEngineInput{Name: aws.String("third"), Tags: map[string]string{"aws:reserved": "x"}})
	wantCode(t, "reserved tag key", err, "ValidationException")

	pePolicy(t, c, e1, "same", peStmt)
	_, err = c.CreatePolicy(ctx, &ctl.CreatePolicyInput{PolicyEngineId: aws.String(e1), Name: aws.String("same"), Definition: peCedar(peStmt2)})
	wantCode(t, "duplicate policy name in the engine", err, "ConflictException")
	pePolicy(t, c, e2, "same", peStmt) // names are unique per engine only
	pePolicy(t, c, e1, "other", peStmt2)
	_, err = c.CreatePolicy(ctx, &ctl.CreatePolicyInput{PolicyEngineId: aws.String(e1), Name: aws.String("third"), Definition: peCedar(peStmt)})
	wantCode(t, "policy over quota", err, "ServiceQuotaExceededException")
	_, err = c.CreatePolicy(ctx, &ctl.CreatePolicyInput{PolicyEngineId: aws.String("missing-abcdefghij"), Name: aws.String("p"), Definition: peCedar(peStmt)})
	wantCode(t, "policy in a missing engine", err, "ResourceNotFoundException")

	gw := peGateway(t, c, "quota-gw")
	peStartGeneration(t, c, e1, "gen", gw, "Allow refunds.")
	_, err = c.StartPolicyGeneration(ctx, &ctl.StartPolicyGenerationInput{PolicyEngineId: aws.String(e1), Name: aws.String("gen"),
		Resource: &types.ResourceMemberArn{Value: gw}, Content: &types.ContentMemberRawText{Value: "Allow refunds."}})
	wantCode(t, "generation over quota", err, "ServiceQuotaExceededException")
}

func TestPolicyPagination(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client(t)
	ctx := context.Background()
	wantEngines := map[string]bool{}
	for _, n := range []string{"e_a", "e_b", "e_c"} {
		wantEngines[peEngine(t, c, n)] = true
	}
	engineID := ""
	for id := range wantEngines {
		engineID = id
		break
	}
	wantPolicies := map[string]bool{}
	for _, n := range []string{"p_a", "p_b", "p_c"} {
		wantPolicies[aws.ToString(pePolicy(t, c, engineID, n, peStmt).PolicyId)] = true
	}
	gw := peGateway(t, c, "page-gw")
	wantGens := map[string]bool{}
	for _, n := range []string{"g_a", "g_b", "g_c"} {
		wantGens[aws.ToString(peStartGeneration(t, c, engineID, n, gw, "Allow refunds.").PolicyGenerationId)] = true
	}

	// Each listing walked one item per page.
	listings := []struct {
		name string
		want map[string]bool
		page func(token *string) ([]string, *string, error)
	}{
		{"ListPolicyEngines", wantEngines, func(tok *string) ([]string, *string, error) {
			out, err := c.ListPolicyEngines(ctx, &ctl.ListPolicyEnginesInput{MaxResults: aws.Int32(1), NextToken: tok})
			if err != nil {
				return nil, nil, err
			}
			var ids []string
			for _, e := range out.PolicyEngines {
				ids = append(ids, aws.ToString(e.PolicyEngineId))
			}
			return ids, out.NextToken, nil
		}},
		{"ListPolicyEngineSummaries", wantEngines, func(tok *string) ([]string, *string, error) {
			out, err := c.ListPolicyEngineSummaries(ctx, &ctl.ListPolicyEngineSummariesInput{MaxResults: aws.Int32(1), NextToken: tok})
			if err != nil {
				return nil, nil, err
			}
			var ids []string
			for _, e := range out.PolicyEngines {
				ids = append(ids, aws.ToString(e.PolicyEngineId))
			}
			return ids, out.NextToken, nil
		}},
		{"ListPolicies", wantPolicies, func(tok *string) ([]string, *string, error) {
			out, err := c.ListPolicies(ctx, &ctl.ListPoliciesInput{PolicyEngineId: aws.String(engineID), MaxResults: aws.Int32(1), NextToken: tok})
			if err != nil {
				return nil, nil, err
			}
			var ids []string
			for _, p := range out.Policies {
				ids = append(ids, aws.ToString(p.PolicyId))
			}
			return ids, out.NextToken, nil
		}},
		{"ListPolicySummaries", wantPolicies, func(tok *string) ([]string, *string, error) {
			out, err := c.ListPolicySummaries(ctx, &ctl.ListPolicySummariesInput{PolicyEngineId: aws.String(engineID), MaxResults: aws.Int32(1), NextToken: tok})
			if err != nil {
				return nil, nil, err
			}
			var ids []string
			for _, p := range out.Policies {
				ids = append(ids, aws.ToString(p.PolicyId))
			}
			return ids, out.NextToken, nil
		}},
		{"ListPolicyGenerations", wantGens, func(tok *string) ([]string, *string, error) {
			out, err := c.ListPolicyGenerations(ctx, &ctl.ListPolicyGenerationsInput{PolicyEngineId: aws.String(engineID), MaxResults: aws.Int32(1), NextToken: tok})
			if err != nil {
				return nil, nil, err
			}
			var ids []string
			for _, g := range out.PolicyGenerations {
				ids = append(ids, aws.ToString(g.PolicyGenerationId))
			}
			return ids, out.NextToken, nil
		}},
		{"ListPolicyGenerationSummaries", wantGens, func(tok *string) ([]string, *string, error) {
			out, err := c.ListPolicyGenerationSummaries(ctx, &ctl.ListPolicyGenerationSummariesInput{PolicyEngineId: aws.String(engineID), MaxResults: aws.Int32(1), NextToken: tok})
			if err != nil {
				return nil, nil, err
			}
			var ids []string
			for _, g := range out.PolicyGenerations {
				ids = append(ids, aws.ToString(g.PolicyGenerationId))
			}
			return ids, out.NextToken, nil
		}},
	}
	for _, l := range listings {
		seen := map[string]int{}
		var token *string
		for pages := 0; ; pages++ {
			ids, next, err := l.page(token)
			if err != nil {
				t.Fatalf("%s: %v", l.name, err)
			}
			if len(ids) > 1 {
				t.Fatalf("%s: page of %d with maxResults 1", l.name, len(ids))
			}
			for _, id := range ids {
				seen[id]++
			}
			if next == nil {
				break
			}
			if aws.ToString(next) == "" {
				t.Fatalf("%s: empty-string nextToken", l.name)
			}
			if pages > 10 {
				t.Fatalf("%s: pagination does not end", l.name)
			}
			token = next
		}
		if len(seen) != len(l.want) {
			t.Errorf("%s: saw %v, want %v", l.name, seen, l.want)
		}
		for id, n := range seen {
			if !l.want[id] || n != 1 {
				t.Errorf("%s: %s seen %d times (known %v)", l.name, id, n, l.want[id])
			}
		}
	}
	_, err := c.ListPolicyEngines(ctx, &ctl.ListPolicyEnginesInput{NextToken: aws.String("forged.token")})
	wantCode(t, "forged token", err, "ValidationException")
	// A token of one listing is refused by another.
	out, err := c.ListPolicies(ctx, &ctl.ListPoliciesInput{PolicyEngineId: aws.String(engineID), MaxResults: aws.Int32(1)})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.ListPolicyGenerations(ctx, &ctl.ListPolicyGenerationsInput{PolicyEngineId: aws.String(engineID), NextToken: out.NextToken})
	wantCode(t, "token of another listing", err, "ValidationException")
}

func TestPolicyEngineDeleteRules(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client(t)
	ctx := context.Background()
	engineID := peEngine(t, c, "busy")
	p := pePolicy(t, c, engineID, "keep", peStmt)
	gw := peGateway(t, c, "rules-gw")
	gen := peStartGeneration(t, c, engineID, "gen", gw, "Allow refunds.")

	_, err := c.DeletePolicyEngine(ctx, &ctl.DeletePolicyEngineInput{PolicyEngineId: aws.String(engineID)})
	wantCode(t, "delete an engine with a policy", err, "ConflictException")
	if got := peGetEngine(t, c, engineID); got.Status != types.PolicyEngineStatusActive {
		t.Errorf("engine after a refused delete is %s", got.Status)
	}
	if _, err := c.DeletePolicy(ctx, &ctl.DeletePolicyInput{PolicyEngineId: aws.String(engineID), PolicyId: p.PolicyId}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeletePolicyEngine(ctx, &ctl.DeletePolicyEngineInput{PolicyEngineId: aws.String(engineID)}); err != nil {
		t.Fatalf("delete an engine without policies: %v", err)
	}
	// Generations went with the engine.
	_, err = c.GetPolicyGeneration(ctx, &ctl.GetPolicyGenerationInput{PolicyEngineId: aws.String(engineID), PolicyGenerationId: gen.PolicyGenerationId})
	wantCode(t, "generation of a deleted engine", err, "ResourceNotFoundException")
	// The name is free again.
	peEngine(t, c, "busy")
}

// TestPolicyTransitionalConflicts holds every transition (manual lifecycle)
// to check what is refused meanwhile.
func TestPolicyTransitionalConflicts(t *testing.T) {
	srv := testserver.Start(t, func(c *server.Config) { c.Lifecycle = "manual" })
	c := srv.Client(t)
	ctx := context.Background()

	engineID := peEngine(t, c, "held")
	if got := peGetEngine(t, c, engineID); got.Status != types.PolicyEngineStatusCreating {
		t.Fatalf("engine status %s, want CREATING", got.Status)
	}
	_, err := c.CreatePolicy(ctx, &ctl.CreatePolicyInput{PolicyEngineId: aws.String(engineID), Name: aws.String("early"), Definition: peCedar(peStmt)})
	wantCode(t, "policy in a CREATING engine", err, "ConflictException")
	_, err = c.UpdatePolicyEngine(ctx, &ctl.UpdatePolicyEngineInput{PolicyEngineId: aws.String(engineID)})
	wantCode(t, "update a CREATING engine", err, "ConflictException")
	_, err = c.DeletePolicyEngine(ctx, &ctl.DeletePolicyEngineInput{PolicyEngineId: aws.String(engineID)})
	wantCode(t, "delete a CREATING engine", err, "ConflictException")
	advanceAll(t, srv.URL)

	p := pePolicy(t, c, engineID, "held", peStmt)
	_, err = c.UpdatePolicy(ctx, &ctl.UpdatePolicyInput{PolicyEngineId: aws.String(engineID), PolicyId: p.PolicyId})
	wantCode(t, "update a CREATING policy", err, "ConflictException")
	_, err = c.DeletePolicy(ctx, &ctl.DeletePolicyInput{PolicyEngineId: aws.String(engineID), PolicyId: p.PolicyId})
	wantCode(t, "delete a CREATING policy", err, "ConflictException")
	advanceAll(t, srv.URL)
	if _, err := c.DeletePolicy(ctx, &ctl.DeletePolicyInput{PolicyEngineId: aws.String(engineID), PolicyId: p.PolicyId}); err != nil {
		t.Fatal(err)
	}
	again, err := c.DeletePolicy(ctx, &ctl.DeletePolicyInput{PolicyEngineId: aws.String(engineID), PolicyId: p.PolicyId})
	if err != nil || again.Status != types.PolicyStatusDeleting {
		t.Errorf("delete of a DELETING policy: %v %+v", err, again)
	}
	_, err = c.DeletePolicyEngine(ctx, &ctl.DeletePolicyEngineInput{PolicyEngineId: aws.String(engineID)})
	wantCode(t, "delete an engine whose policy is still DELETING", err, "ConflictException")
	advanceAll(t, srv.URL)
	if _, err := c.DeletePolicyEngine(ctx, &ctl.DeletePolicyEngineInput{PolicyEngineId: aws.String(engineID)}); err != nil {
		t.Fatal(err)
	}
	_, err = c.CreatePolicy(ctx, &ctl.CreatePolicyInput{PolicyEngineId: aws.String(engineID), Name: aws.String("late"), Definition: peCedar(peStmt)})
	wantCode(t, "policy in a DELETING engine", err, "ConflictException")
	again2, err := c.DeletePolicyEngine(ctx, &ctl.DeletePolicyEngineInput{PolicyEngineId: aws.String(engineID)})
	if err != nil || again2.Status != types.PolicyEngineStatusDeleting {
		t.Errorf("delete of a DELETING engine: %v %+v", err, again2)
	}
	advanceAll(t, srv.URL)
	_, err = c.GetPolicyEngine(ctx, &ctl.GetPolicyEngineInput{PolicyEngineId: aws.String(engineID)})
	wantCode(t, "engine after the delete completed", err, "ResourceNotFoundException")
}

func TestPolicyValidationFindings(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client(t)
	ctx := context.Background()
	engineID := peEngine(t, c, "checks")
	for i, tc := range []struct {
		name   string
		stmt   string
		mode   types.PolicyValidationMode
		active bool
		reason string // a substring of the status reason when rejected
	}{
		{"conditioned permit", peStmt, "", true, ""},
		{"annotated, commented forbid", "@id(\"no-refunds\")\n// refunds need approval\n" + peStmt2, "", true, ""},
		{"action list", `permit(principal, action in [AgentCore::Action::"A___a", AgentCore::Action::"B___b"], resource);`, "", true, ""},
		{"allow all rejected by default", `permit(principal, action, resource is AgentCore::Gateway);`, "", false, "ALLOW_ALL"},
		{"allow all rejected in strict mode", `permit(principal, action, resource is AgentCore::Gateway);`, types.PolicyValidationModeFailOnAnyFindings, false, "ALLOW_ALL"},
		{"allow all accepted when findings are ignored", `permit(principal, action, resource is AgentCore::Gateway);`, types.PolicyValidationModeIgnoreAllFindings, true, ""},
		{"deny all rejected", `forbid(principal, action, resource) ; // everything`, "", false, "DENY_ALL"},
		{"no effect", `allow(principal, action, resource) when { true };`, types.PolicyValidationModeIgnoreAllFindings, false, "expected 'permit' or 'forbid'"},
		{"missing semicolon", `permit(principal, action, resource) when { true }`, types.PolicyValidationModeIgnoreAllFindings, false, "INVALID"},
		{"two policies", `permit(principal, action, resource) when { true }; forbid(principal, action, resource);`, types.PolicyValidationModeIgnoreAllFindings, false, "exactly one policy"},
		{"unbalanced condition", `permit(principal, action, resource) when { (true };`, types.PolicyValidationModeIgnoreAllFindings, false, "INVALID"},
		{"scope out of order", `permit(action, principal, resource) when { true };`, types.PolicyValidationModeIgnoreAllFindings, false, "expected 'principal'"},
		{"bad action operator", `permit(principal, action is AgentCore::Action, resource) when { x };`, types.PolicyValidationModeIgnoreAllFindings, false, "INVALID"},
		{"empty condition", `permit(principal, action, resource) when {   };`, types.PolicyValidationModeIgnoreAllFindings, false, "empty when condition"},
		{"unterminated string", `permit(principal == User::"alice, action, resource);`, types.PolicyValidationModeIgnoreAllFindings, false, "unterminated string"},
	} {
		out, err := c.CreatePolicy(ctx, &ctl.CreatePolicyInput{PolicyEngineId: aws.String(engineID), Name: aws.String(fmt.Sprintf("case_%d", i)),
			Definition: peCedar(tc.stmt), ValidationMode: tc.mode})
		if err != nil {
			t.Errorf("%s: %v (validation is asynchronous)", tc.name, err)
			continue
		}
		got := peGetPolicy(t, c, engineID, aws.ToString(out.PolicyId))
		if tc.active {
			if got.Status != types.PolicyStatusActive || len(got.StatusReasons) != 0 {
				t.Errorf("%s: %s %v, want ACTIVE", tc.name, got.Status, got.StatusReasons)
			}
			continue
		}
		if got.Status != types.PolicyStatusCreateFailed || len(got.StatusReasons) == 0 || !strings.Contains(strings.Join(got.StatusReasons, " "), tc.reason) {
			t.Errorf("%s: %s %q, want CREATE_FAILED mentioning %q", tc.name, got.Status, got.StatusReasons, tc.reason)
		}
		if peStatement(got.Definition) != tc.stmt {
			t.Errorf("%s: definition not kept", tc.name)
		}
	}

	// A failed update leaves the policy as it was.
	p := pePolicy(t, c, engineID, "stable", peStmt)
	if _, err := c.UpdatePolicy(ctx, &ctl.UpdatePolicyInput{PolicyEngineId: aws.String(engineID), PolicyId: p.PolicyId,
		Definition: peCedar(`permit(principal, action, resource);`), Description: &types.UpdatedDescription{OptionalValue: aws.String("wide open")}}); err != nil {
		t.Fatal(err)
	}
	got := peGetPolicy(t, c, engineID, aws.ToString(p.PolicyId))
	if got.Status != types.PolicyStatusUpdateFailed || len(got.StatusReasons) != 1 || !strings.HasPrefix(got.StatusReasons[0], "ALLOW_ALL") ||
		peStatement(got.Definition) != peStmt || got.Description != nil {
		t.Errorf("after a rejected update: %s %q %q %q", got.Status, got.StatusReasons, peStatement(got.Definition), aws.ToString(got.Description))
	}
	// UPDATE_FAILED can be updated again; CREATE_FAILED can only be deleted.
	if _, err := c.UpdatePolicy(ctx, &ctl.UpdatePolicyInput{PolicyEngineId: aws.String(engineID), PolicyId: p.PolicyId, Definition: peCedar(peStmt2)}); err != nil {
		t.Fatal(err)
	}
	if got := peGetPolicy(t, c, engineID, aws.ToString(p.PolicyId)); got.Status != types.PolicyStatusActive || len(got.StatusReasons) != 0 || peStatement(got.Definition) != peStmt2 {
		t.Errorf("after a good update: %s %q", got.Status, got.StatusReasons)
	}
	failed, err := c.CreatePolicy(ctx, &ctl.CreatePolicyInput{PolicyEngineId: aws.String(engineID), Name: aws.String("broken"), Definition: peCedar(`forbid(principal, action, resource);`)})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.UpdatePolicy(ctx, &ctl.UpdatePolicyInput{PolicyEngineId: aws.String(engineID), PolicyId: failed.PolicyId, Definition: peCedar(peStmt)})
	wantCode(t, "update a CREATE_FAILED policy", err, "ConflictException")
	if _, err := c.DeletePolicy(ctx, &ctl.DeletePolicyInput{PolicyEngineId: aws.String(engineID), PolicyId: failed.PolicyId}); err != nil {
		t.Errorf("delete a CREATE_FAILED policy: %v", err)
	}

	// The model's own constraints come first and synchronously.
	_, err = c.CreatePolicy(ctx, &ctl.CreatePolicyInput{PolicyEngineId: aws.String(engineID), Name: aws.String("short"), Definition: peCedar("permit(principal,action,resource);")})
	wantCode(t, "statement under 35 characters", err, "ValidationException")
	_, err = c.CreatePolicy(ctx, &ctl.CreatePolicyInput{PolicyEngineId: aws.String(engineID), Name: aws.String("bad-name"), Definition: peCedar(peStmt)})
	wantCode(t, "policy name with a hyphen", err, "ValidationException")
}

func TestPolicyGenerationAssets(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client(t)
	ctx := context.Background()
	engineID := peEngine(t, c, "gen_engine")
	gw := peGateway(t, c, "refund-gw")
	const text = "Allow refunds up to 500 dollars. Never allow deleting customer records; The weather is nice today."
	started, err := c.StartPolicyGeneration(ctx, &ctl.StartPolicyGenerationInput{
		PolicyEngineId: aws.String(engineID), Name: aws.String("refund_rules"),
		Resource: &types.ResourceMemberArn{Value: gw}, Content: &types.ContentMemberRawText{Value: text},
	})
	if err != nil {
		t.Fatal(err)
	}
	if code := httpStatus(t, started.ResultMetadata); code != http.StatusAccepted {
		t.Errorf("StartPolicyGeneration answered %d, want 202", code)
	}
	genID := aws.ToString(started.PolicyGenerationId)
	genARN := peARNPrefix + "policy-engine/" + engineID + "/policy-generation/" + genID
	if !regexp.MustCompile(`^refund_rules-[a-z0-9_]{10}$`).MatchString(genID) || aws.ToString(started.PolicyGenerationArn) != genARN ||
		started.Status != types.PolicyGenerationStatusGenerating || aws.ToString(started.Name) != "refund_rules" ||
		aws.ToString(started.PolicyEngineId) != engineID || started.StatusReasons == nil || started.CreatedAt == nil {
		t.Errorf("start answer = %+v", started)
	}
	if r, ok := started.Resource.(*types.ResourceMemberArn); !ok || r.Value != gw {
		t.Errorf("start resource = %#v", started.Resource)
	}

	got, err := c.GetPolicyGeneration(ctx, &ctl.GetPolicyGenerationInput{PolicyEngineId: aws.String(engineID), PolicyGenerationId: aws.String(genID)})
	if err != nil {
		t.Fatal(err)
	}
	const wantFindings = "Generated 2 policy assets from 3 statements: 1 VALID, 1 NOT_TRANSLATABLE, 1 DENY_ALL."
	if got.Status != types.PolicyGenerationStatusGenerated || aws.ToString(got.Findings) != wantFindings || len(got.StatusReasons) != 0 ||
		aws.ToString(got.PolicyGenerationArn) != genARN || aws.ToString(got.Name) != "refund_rules" {
		t.Errorf("get = %+v (findings %q)", got, aws.ToString(got.Findings))
	}
	sum, err := c.GetPolicyGenerationSummary(ctx, &ctl.GetPolicyGenerationSummaryInput{PolicyEngineId: aws.String(engineID), PolicyGenerationId: aws.String(genID)})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Status != types.PolicyGenerationStatusGenerated || aws.ToString(sum.Findings) != wantFindings || aws.ToString(sum.PolicyGenerationArn) != genARN {
		t.Errorf("summary = %+v", sum)
	}
	sums, err := c.ListPolicyGenerationSummaries(ctx, &ctl.ListPolicyGenerationSummariesInput{PolicyEngineId: aws.String(engineID)})
	if err != nil {
		t.Fatal(err)
	}
	if len(sums.PolicyGenerations) != 1 || aws.ToString(sums.PolicyGenerations[0].Findings) != wantFindings {
		t.Errorf("summaries = %+v", sums.PolicyGenerations)
	}
	gens, err := c.ListPolicyGenerations(ctx, &ctl.ListPolicyGenerationsInput{PolicyEngineId: aws.String(engineID)})
	if err != nil {
		t.Fatal(err)
	}
	if len(gens.PolicyGenerations) != 1 || gens.PolicyGenerations[0].StatusReasons == nil || gens.PolicyGenerations[0].Status != types.PolicyGenerationStatusGenerated {
		t.Errorf("generations = %+v", gens.PolicyGenerations)
	}

	assets := peAssets(t, c, engineID, genID)
	if len(assets) != 3 {
		t.Fatalf("%d assets, want 3", len(assets))
	}
	wantPermit := fmt.Sprintf("permit(\n  principal,\n  action,\n  resource == AgentCore::Gateway::%q\n)\nwhen {\n  context.input.amount <= 500\n};", gw)
	wantForbid := fmt.Sprintf("forbid(\n  principal,\n  action,\n  resource == AgentCore::Gateway::%q\n);", gw)
	for i, want := range []struct {
		fragment, statement string
		finding             types.FindingType
	}{
		{"Allow refunds up to 500 dollars", wantPermit, types.FindingTypeValid},
		{"Never allow deleting customer records", wantForbid, types.FindingTypeDenyAll},
		{"The weather is nice today", "", types.FindingTypeNotTranslatable},
	} {
		a := assets[i]
		if id := aws.ToString(a.PolicyGenerationAssetId); !strings.HasPrefix(id, fmt.Sprintf("asset_%d-", i+1)) || !peIDPattern.MatchString(id) {
			t.Errorf("asset %d id %q", i, id)
		}
		if aws.ToString(a.RawTextFragment) != want.fragment || peStatement(a.Definition) != want.statement ||
			len(a.Findings) != 1 || a.Findings[0].Type != want.finding || aws.ToString(a.Findings[0].Description) == "" {
			t.Errorf("asset %d = fragment %q statement %q findings %+v", i, aws.ToString(a.RawTextFragment), peStatement(a.Definition), a.Findings)
		}
		if want.statement == "" && a.Definition != nil {
			t.Errorf("asset %d has a definition", i)
		}
	}
	// Deterministic: listing again gives the same assets.
	if again := peAssets(t, c, engineID, genID); !reflect.DeepEqual(again, assets) {
		t.Errorf("assets differ between listings")
	}

	// Policies from assets hold the asset's Cedar statement.
	fromAsset := func(name string, asset types.PolicyGenerationAsset, mode types.PolicyValidationMode) (*ctl.CreatePolicyOutput, error) {
		return c.CreatePolicy(ctx, &ctl.CreatePolicyInput{PolicyEngineId: aws.String(engineID), Name: aws.String(name), ValidationMode: mode,
			Definition: &types.PolicyDefinitionMemberPolicyGeneration{Value: types.PolicyGenerationDetails{
				PolicyGenerationId: aws.String(genID), PolicyGenerationAssetId: asset.PolicyGenerationAssetId}}})
	}
	p, err := fromAsset("from_asset", assets[0], "")
	if err != nil {
		t.Fatal(err)
	}
	if peStatement(p.Definition) != wantPermit {
		t.Errorf("policy from asset definition = %#v", p.Definition)
	}
	if got := peGetPolicy(t, c, engineID, aws.ToString(p.PolicyId)); got.Status != types.PolicyStatusActive || peStatement(got.Definition) != wantPermit {
		t.Errorf("policy from asset: %s %q", got.Status, peStatement(got.Definition))
	}
	strict, err := fromAsset("deny_strict", assets[1], "")
	if err != nil {
		t.Fatal(err)
	}
	if got := peGetPolicy(t, c, engineID, aws.ToString(strict.PolicyId)); got.Status != types.PolicyStatusCreateFailed || !strings.HasPrefix(strings.Join(got.StatusReasons, ""), "DENY_ALL") {
		t.Errorf("DENY_ALL asset in strict mode: %s %q", got.Status, got.StatusReasons)
	}
	lenient, err := fromAsset("deny_lenient", assets[1], types.PolicyValidationModeIgnoreAllFindings)
	if err != nil {
		t.Fatal(err)
	}
	if got := peGetPolicy(t, c, engineID, aws.ToString(lenient.PolicyId)); got.Status != types.PolicyStatusActive {
		t.Errorf("DENY_ALL asset ignoring findings: %s %q", got.Status, got.StatusReasons)
	}
	_, err = fromAsset("untranslated", assets[2], types.PolicyValidationModeIgnoreAllFindings)
	wantCode(t, "policy from an asset without definition", err, "ValidationException")
	_, err = fromAsset("missing_asset", types.PolicyGenerationAsset{PolicyGenerationAssetId: aws.String("asset_9-abcdefghij")}, "")
	wantCode(t, "policy from a missing asset", err, "ResourceNotFoundException")
	_, err = c.CreatePolicy(ctx, &ctl.CreatePolicyInput{PolicyEngineId: aws.String(engineID), Name: aws.String("missing_gen"),
		Definition: &types.PolicyDefinitionMemberPolicyGeneration{Value: types.PolicyGenerationDetails{
			PolicyGenerationId: aws.String("nothing-abcdefghij"), PolicyGenerationAssetId: assets[0].PolicyGenerationAssetId}}})
	wantCode(t, "policy from a missing generation", err, "ResourceNotFoundException")
	// Updating from an asset works the same way.
	if _, err := c.UpdatePolicy(ctx, &ctl.UpdatePolicyInput{PolicyEngineId: aws.String(engineID), PolicyId: lenient.PolicyId,
		Definition: &types.PolicyDefinitionMemberPolicyGeneration{Value: types.PolicyGenerationDetails{
			PolicyGenerationId: aws.String(genID), PolicyGenerationAssetId: assets[0].PolicyGenerationAssetId}}}); err != nil {
		t.Fatal(err)
	}
	if got := peGetPolicy(t, c, engineID, aws.ToString(lenient.PolicyId)); peStatement(got.Definition) != wantPermit {
		t.Errorf("policy updated from asset: %q", peStatement(got.Definition))
	}

	// targetResourceScope keeps the policies that apply to the resource:
	// those naming it and the unconstrained ones.
	otherGW := peARNPrefix + "gateway/elsewhere-abcdefghij"
	pePolicy(t, c, engineID, "elsewhere", fmt.Sprintf(`permit(principal, action, resource == AgentCore::Gateway::%q) when { true };`, otherGW))
	unconstrained := pePolicy(t, c, engineID, "anywhere", peStmt)
	scoped, err := c.ListPolicies(ctx, &ctl.ListPoliciesInput{PolicyEngineId: aws.String(engineID), TargetResourceScope: aws.String(gw)})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range scoped.Policies {
		names = append(names, aws.ToString(p.Name))
	}
	if want := []string{"from_asset", "deny_strict", "deny_lenient", "anywhere"}; !reflect.DeepEqual(names, want) {
		t.Errorf("policies applying to the gateway = %v, want %v", names, want)
	}
	scopedSums, err := c.ListPolicySummaries(ctx, &ctl.ListPolicySummariesInput{PolicyEngineId: aws.String(engineID), TargetResourceScope: aws.String(otherGW), MaxResults: aws.Int32(1)})
	if err != nil {
		t.Fatal(err)
	}
	if len(scopedSums.Policies) != 1 || aws.ToString(scopedSums.Policies[0].Name) != "elsewhere" || scopedSums.NextToken == nil {
		t.Fatalf("first page for the other gateway = %+v", scopedSums.Policies)
	}
	scopedSums, err = c.ListPolicySummaries(ctx, &ctl.ListPolicySummariesInput{PolicyEngineId: aws.String(engineID), TargetResourceScope: aws.String(otherGW), NextToken: scopedSums.NextToken})
	if err != nil {
		t.Fatal(err)
	}
	if len(scopedSums.Policies) != 1 || aws.ToString(scopedSums.Policies[0].PolicyId) != aws.ToString(unconstrained.PolicyId) || scopedSums.NextToken != nil {
		t.Errorf("second page for the other gateway = %+v", scopedSums.Policies)
	}

	// Resource rules.
	_, err = c.StartPolicyGeneration(ctx, &ctl.StartPolicyGenerationInput{PolicyEngineId: aws.String(engineID), Name: aws.String("runtime"),
		Resource: &types.ResourceMemberArn{Value: peARNPrefix + "runtime/agent-abcdefghij"}, Content: &types.ContentMemberRawText{Value: "Allow all."}})
	wantCode(t, "generation for a runtime", err, "ValidationException")
	_, err = c.StartPolicyGeneration(ctx, &ctl.StartPolicyGenerationInput{PolicyEngineId: aws.String(engineID), Name: aws.String("missing"),
		Resource: &types.ResourceMemberArn{Value: otherGW}, Content: &types.ContentMemberRawText{Value: "Allow all."}})
	wantCode(t, "generation for a missing gateway", err, "ResourceNotFoundException")
	_, err = c.StartPolicyGeneration(ctx, &ctl.StartPolicyGenerationInput{PolicyEngineId: aws.String("missing-abcdefghij"), Name: aws.String("x"),
		Resource: &types.ResourceMemberArn{Value: gw}, Content: &types.ContentMemberRawText{Value: "Allow all."}})
	wantCode(t, "generation in a missing engine", err, "ResourceNotFoundException")
	_, err = c.GetPolicyGeneration(ctx, &ctl.GetPolicyGenerationInput{PolicyEngineId: aws.String(engineID), PolicyGenerationId: aws.String("nothing-abcdefghij")})
	wantCode(t, "missing generation", err, "ResourceNotFoundException")
	_, err = c.ListPolicyGenerationAssets(ctx, &ctl.ListPolicyGenerationAssetsInput{PolicyEngineId: aws.String(engineID), PolicyGenerationId: aws.String("nothing-abcdefghij")})
	wantCode(t, "assets of a missing generation", err, "ResourceNotFoundException")
	// Generations are not taggable.
	_, err = c.TagResource(ctx, &ctl.TagResourceInput{ResourceArn: aws.String(genARN), Tags: map[string]string{"k": "v"}})
	wantCode(t, "tag a generation", err, "ResourceNotFoundException")

	// Text with nothing to translate fails.
	empty := peStartGeneration(t, c, engineID, "nothing", gw, "... ;;; !!!")
	got, err = c.GetPolicyGeneration(ctx, &ctl.GetPolicyGenerationInput{PolicyEngineId: aws.String(engineID), PolicyGenerationId: empty.PolicyGenerationId})
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != types.PolicyGenerationStatusGenerateFailed || len(got.StatusReasons) != 1 {
		t.Errorf("generation of nothing: %s %q", got.Status, got.StatusReasons)
	}
	noAssets, err := c.ListPolicyGenerationAssets(ctx, &ctl.ListPolicyGenerationAssetsInput{PolicyEngineId: aws.String(engineID), PolicyGenerationId: empty.PolicyGenerationId})
	if err != nil || len(noAssets.PolicyGenerationAssets) != 0 {
		t.Errorf("assets of a failed generation: %v %+v", err, noAssets)
	}
}

func TestPolicyFaultInjectedFailures(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client(t)
	ctx := context.Background()

	failNext(t, srv.URL, "CreatePolicyEngine", "boom")
	doomed := peEngine(t, c, "doomed")
	if got := peGetEngine(t, c, doomed); got.Status != types.PolicyEngineStatusCreateFailed || !reflect.DeepEqual(got.StatusReasons, []string{"boom"}) {
		t.Errorf("engine: %s %q, want CREATE_FAILED [boom]", got.Status, got.StatusReasons)
	}
	_, err := c.CreatePolicy(ctx, &ctl.CreatePolicyInput{PolicyEngineId: aws.String(doomed), Name: aws.String("p"), Definition: peCedar(peStmt)})
	wantCode(t, "policy in a CREATE_FAILED engine", err, "ConflictException")
	_, err = c.UpdatePolicyEngine(ctx, &ctl.UpdatePolicyEngineInput{PolicyEngineId: aws.String(doomed)})
	wantCode(t, "update a CREATE_FAILED engine", err, "ConflictException")

	engineID := peEngine(t, c, "fine")
	if got := peGetEngine(t, c, engineID); got.Status != types.PolicyEngineStatusActive || len(got.StatusReasons) != 0 {
		t.Errorf("second engine: %s %q, want ACTIVE (the rule was used up)", got.Status, got.StatusReasons)
	}
	if _, err := c.UpdatePolicyEngine(ctx, &ctl.UpdatePolicyEngineInput{PolicyEngineId: aws.String(engineID), Description: &types.UpdatedDescription{OptionalValue: aws.String("kept")}}); err != nil {
		t.Fatal(err)
	}
	failNext(t, srv.URL, "UpdatePolicyEngine", "no update")
	if _, err := c.UpdatePolicyEngine(ctx, &ctl.UpdatePolicyEngineInput{PolicyEngineId: aws.String(engineID), Description: &types.UpdatedDescription{OptionalValue: aws.String("lost")}}); err != nil {
		t.Fatal(err)
	}
	if got := peGetEngine(t, c, engineID); got.Status != types.PolicyEngineStatusUpdateFailed || !reflect.DeepEqual(got.StatusReasons, []string{"no update"}) || aws.ToString(got.Description) != "kept" {
		t.Errorf("engine after a failed update: %s %q %q", got.Status, got.StatusReasons, aws.ToString(got.Description))
	}

	failNext(t, srv.URL, "CreatePolicy", "policy boom")
	bad := pePolicy(t, c, engineID, "bad", peStmt)
	if got := peGetPolicy(t, c, engineID, aws.ToString(bad.PolicyId)); got.Status != types.PolicyStatusCreateFailed || !reflect.DeepEqual(got.StatusReasons, []string{"policy boom"}) {
		t.Errorf("policy: %s %q", got.Status, got.StatusReasons)
	}
	good := pePolicy(t, c, engineID, "good", peStmt)
	failNext(t, srv.URL, "UpdatePolicy", "update boom")
	if _, err := c.UpdatePolicy(ctx, &ctl.UpdatePolicyInput{PolicyEngineId: aws.String(engineID), PolicyId: good.PolicyId, Definition: peCedar(peStmt2)}); err != nil {
		t.Fatal(err)
	}
	if got := peGetPolicy(t, c, engineID, aws.ToString(good.PolicyId)); got.Status != types.PolicyStatusUpdateFailed || peStatement(got.Definition) != peStmt {
		t.Errorf("policy after a failed update: %s %q", got.Status, peStatement(got.Definition))
	}
	failNext(t, srv.URL, "DeletePolicy", "stuck")
	if _, err := c.DeletePolicy(ctx, &ctl.DeletePolicyInput{PolicyEngineId: aws.String(engineID), PolicyId: good.PolicyId}); err != nil {
		t.Fatal(err)
	}
	if got := peGetPolicy(t, c, engineID, aws.ToString(good.PolicyId)); got.Status != types.PolicyStatusDeleteFailed || !reflect.DeepEqual(got.StatusReasons, []string{"stuck"}) {
		t.Errorf("policy after a failed delete: %s %q", got.Status, got.StatusReasons)
	}
	for _, p := range []*string{good.PolicyId, bad.PolicyId} {
		if _, err := c.DeletePolicy(ctx, &ctl.DeletePolicyInput{PolicyEngineId: aws.String(engineID), PolicyId: p}); err != nil {
			t.Fatal(err)
		}
	}

	gw := peGateway(t, c, "fault-gw")
	failNext(t, srv.URL, "StartPolicyGeneration", "model down")
	gen := peStartGeneration(t, c, engineID, "gen", gw, "Allow refunds.")
	g, err := c.GetPolicyGeneration(ctx, &ctl.GetPolicyGenerationInput{PolicyEngineId: aws.String(engineID), PolicyGenerationId: gen.PolicyGenerationId})
	if err != nil {
		t.Fatal(err)
	}
	if g.Status != types.PolicyGenerationStatusGenerateFailed || !reflect.DeepEqual(g.StatusReasons, []string{"model down"}) || g.Findings != nil {
		t.Errorf("generation: %s %q %v", g.Status, g.StatusReasons, g.Findings)
	}

	failNext(t, srv.URL, "DeletePolicyEngine", "engine stuck")
	if _, err := c.DeletePolicyEngine(ctx, &ctl.DeletePolicyEngineInput{PolicyEngineId: aws.String(engineID)}); err != nil {
		t.Fatal(err)
	}
	if got := peGetEngine(t, c, engineID); got.Status != types.PolicyEngineStatusDeleteFailed || !reflect.DeepEqual(got.StatusReasons, []string{"engine stuck"}) {
		t.Errorf("engine after a failed delete: %s %q", got.Status, got.StatusReasons)
	}
	for _, id := range []string{engineID, doomed} {
		if _, err := c.DeletePolicyEngine(ctx, &ctl.DeletePolicyEngineInput{PolicyEngineId: aws.String(id)}); err != nil {
			t.Fatalf("delete %s again: %v", id, err)
		}
		_, err := c.GetPolicyEngine(ctx, &ctl.GetPolicyEngineInput{PolicyEngineId: aws.String(id)})
		wantCode(t, "engine after delete", err, "ResourceNotFoundException")
	}
}

// TestPolicyTimedLifecycleWaiters drives every transition through the SDK's
// own waiters (short delays) while the lifecycle completes in the background.
func TestPolicyTimedLifecycleWaiters(t *testing.T) {
	srv := testserver.Start(t, func(c *server.Config) {
		c.Lifecycle = "timed"
		c.LifecycleDelay = 200 * time.Millisecond
	})
	c := srv.Client(t)
	ctx := context.Background()
	const maxWait = 20 * time.Second
	const minDelay, maxDelay = 50 * time.Millisecond, 200 * time.Millisecond

	created, err := c.CreatePolicyEngine(ctx, &ctl.CreatePolicyEngineInput{Name: aws.String("timed")})
	if err != nil {
		t.Fatal(err)
	}
	engineID := created.PolicyEngineId
	engineActive := ctl.NewPolicyEngineActiveWaiter(c, func(o *ctl.PolicyEngineActiveWaiterOptions) { o.MinDelay, o.MaxDelay = minDelay, maxDelay })
	engine, err := engineActive.WaitForOutput(ctx, &ctl.GetPolicyEngineInput{PolicyEngineId: engineID}, maxWait)
	if err != nil {
		t.Fatalf("PolicyEngineActive: %v", err)
	}
	if engine.Status != types.PolicyEngineStatusActive {
		t.Errorf("engine waiter ended with %s", engine.Status)
	}

	policyActive := ctl.NewPolicyActiveWaiter(c, func(o *ctl.PolicyActiveWaiterOptions) { o.MinDelay, o.MaxDelay = minDelay, maxDelay })
	p := pePolicy(t, c, aws.ToString(engineID), "timed", peStmt)
	if err := policyActive.Wait(ctx, &ctl.GetPolicyInput{PolicyEngineId: engineID, PolicyId: p.PolicyId}, maxWait); err != nil {
		t.Fatalf("PolicyActive: %v", err)
	}
	if _, err := c.UpdatePolicy(ctx, &ctl.UpdatePolicyInput{PolicyEngineId: engineID, PolicyId: p.PolicyId, Definition: peCedar(peStmt2)}); err != nil {
		t.Fatal(err)
	}
	if err := policyActive.Wait(ctx, &ctl.GetPolicyInput{PolicyEngineId: engineID, PolicyId: p.PolicyId}, maxWait); err != nil {
		t.Fatalf("PolicyActive after update: %v", err)
	}
	// A rejected policy makes the waiter fail instead of time out.
	rejected := pePolicy(t, c, aws.ToString(engineID), "rejected", `permit(principal, action, resource);`)
	if err := policyActive.Wait(ctx, &ctl.GetPolicyInput{PolicyEngineId: engineID, PolicyId: rejected.PolicyId}, maxWait); err == nil ||
		!strings.Contains(err.Error(), "Failure") {
		t.Errorf("PolicyActive on a rejected policy: %v, want the waiter's failure state", err)
	}

	gw := peGateway(t, c, "timed-gw")
	gen := peStartGeneration(t, c, aws.ToString(engineID), "timed", gw, "Allow refunds up to 100.")
	genDone := ctl.NewPolicyGenerationCompletedWaiter(c, func(o *ctl.PolicyGenerationCompletedWaiterOptions) { o.MinDelay, o.MaxDelay = minDelay, maxDelay })
	g, err := genDone.WaitForOutput(ctx, &ctl.GetPolicyGenerationInput{PolicyEngineId: engineID, PolicyGenerationId: gen.PolicyGenerationId}, maxWait)
	if err != nil {
		t.Fatalf("PolicyGenerationCompleted: %v", err)
	}
	if g.Status != types.PolicyGenerationStatusGenerated {
		t.Errorf("generation waiter ended with %s", g.Status)
	}

	policyDeleted := ctl.NewPolicyDeletedWaiter(c, func(o *ctl.PolicyDeletedWaiterOptions) { o.MinDelay, o.MaxDelay = minDelay, maxDelay })
	for _, id := range []*string{p.PolicyId, rejected.PolicyId} {
		del, err := c.DeletePolicy(ctx, &ctl.DeletePolicyInput{PolicyEngineId: engineID, PolicyId: id})
		if err != nil {
			t.Fatal(err)
		}
		if del.Status != types.PolicyStatusDeleting {
			t.Errorf("delete answered %s", del.Status)
		}
		if err := policyDeleted.Wait(ctx, &ctl.GetPolicyInput{PolicyEngineId: engineID, PolicyId: id}, maxWait); err != nil {
			t.Fatalf("PolicyDeleted: %v", err)
		}
	}

	if _, err := c.DeletePolicyEngine(ctx, &ctl.DeletePolicyEngineInput{PolicyEngineId: engineID}); err != nil {
		t.Fatal(err)
	}
	engineDeleted := ctl.NewPolicyEngineDeletedWaiter(c, func(o *ctl.PolicyEngineDeletedWaiterOptions) { o.MinDelay, o.MaxDelay = minDelay, maxDelay })
	if err := engineDeleted.Wait(ctx, &ctl.GetPolicyEngineInput{PolicyEngineId: engineID}, maxWait); err != nil {
		t.Fatalf("PolicyEngineDeleted: %v", err)
	}

	// The engine waiter fails on CREATE_FAILED.
	failNext(t, srv.URL, "CreatePolicyEngine", "boom")
	failed, err := c.CreatePolicyEngine(ctx, &ctl.CreatePolicyEngineInput{Name: aws.String("timed_failed")})
	if err != nil {
		t.Fatal(err)
	}
	if err := engineActive.Wait(ctx, &ctl.GetPolicyEngineInput{PolicyEngineId: failed.PolicyEngineId}, maxWait); err == nil || !strings.Contains(err.Error(), "Failure") {
		t.Errorf("PolicyEngineActive on a failed engine: %v, want the waiter's failure state", err)
	}
	got := peGetEngine(t, c, aws.ToString(failed.PolicyEngineId))
	if got.Status != types.PolicyEngineStatusCreateFailed || !reflect.DeepEqual(got.StatusReasons, []string{"boom"}) {
		t.Errorf("failed engine: %s %q", got.Status, got.StatusReasons)
	}
}

// TestPolicyStatementDefinition: definition.policy (botocore 1.43.67) is
// answered as given; a Cedar statement in it is checked as Cedar, another
// (a guardrails definition) is stored unchecked.
func TestPolicyStatementDefinition(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client(t)
	ctx := context.Background()
	engineID := peEngine(t, c, "statements")
	guardrail := `guardrail "no-pii" { deny topics = ["personal data"]; }`
	for i, tc := range []struct {
		name, stmt string
		want       types.PolicyStatus
	}{
		{"cedar", peStmt, types.PolicyStatusActive},
		{"allow-all cedar is still rejected", `permit(principal, action, resource is AgentCore::Gateway);`, types.PolicyStatusCreateFailed},
		{"guardrails definition", guardrail, types.PolicyStatusActive},
	} {
		out, err := c.CreatePolicy(ctx, &ctl.CreatePolicyInput{PolicyEngineId: aws.String(engineID), Name: aws.String(fmt.Sprintf("stmt_%d", i)),
			Definition: &types.PolicyDefinitionMemberPolicy{Value: types.PolicyStatement{Statement: aws.String(tc.stmt)}}})
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		got := peGetPolicy(t, c, engineID, aws.ToString(out.PolicyId))
		def, ok := got.Definition.(*types.PolicyDefinitionMemberPolicy)
		if got.Status != tc.want || !ok || aws.ToString(def.Value.Statement) != tc.stmt {
			t.Errorf("%s: %s %v, definition %#v", tc.name, got.Status, got.StatusReasons, got.Definition)
		}
	}
}
