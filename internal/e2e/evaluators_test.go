package e2e

import (
	"context"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	ctl "github.com/aws/aws-sdk-go-v2/service/bedrockagentcorecontrol"
	"github.com/aws/aws-sdk-go-v2/service/bedrockagentcorecontrol/document"
	"github.com/aws/aws-sdk-go-v2/service/bedrockagentcorecontrol/types"

	"agentcored/internal/server"
	"agentcored/internal/testserver"
)

// Helpers of the evaluator and online evaluation tests carry an "ev" prefix
// (the configuration bundle tests reuse some of them).

const (
	evLambdaARN   = "arn:aws:lambda:us-east-1:123456789012:function:judge"
	evRoleARN     = "arn:aws:iam::123456789012:role/EvalRole"
	evKmsARN      = "arn:aws:kms:us-east-1:123456789012:key/0123abcd-0123-4567-89ab-0123456789ab"
	evNumBuiltins = 13
)

func evLambdaConfig() types.EvaluatorConfig {
	return &types.EvaluatorConfigMemberCodeBased{Value: &types.CodeBasedEvaluatorConfigMemberLambdaConfig{
		Value: types.LambdaEvaluatorConfig{LambdaArn: aws.String(evLambdaARN)}}}
}

// evCreate makes a minimal code-based evaluator.
func evCreate(t *testing.T, c *ctl.Client, name string) *ctl.CreateEvaluatorOutput {
	t.Helper()
	out, err := c.CreateEvaluator(context.Background(), &ctl.CreateEvaluatorInput{
		EvaluatorName: aws.String(name), Level: types.EvaluatorLevelTrace, EvaluatorConfig: evLambdaConfig()})
	if err != nil {
		t.Fatalf("CreateEvaluator %s: %v", name, err)
	}
	return out
}

func evOnlineInput(name string, enable bool, evaluatorIDs ...string) *ctl.CreateOnlineEvaluationConfigInput {
	refs := make([]types.EvaluatorReference, len(evaluatorIDs))
	for i, id := range evaluatorIDs {
		refs[i] = &types.EvaluatorReferenceMemberEvaluatorId{Value: id}
	}
	return &ctl.CreateOnlineEvaluationConfigInput{
		OnlineEvaluationConfigName: aws.String(name),
		Rule:                       &types.Rule{SamplingConfig: &types.SamplingConfig{SamplingPercentage: aws.Float64(25)}},
		DataSourceConfig: &types.DataSourceConfigMemberCloudWatchLogs{Value: types.CloudWatchLogsInputConfig{
			LogGroupNames: []string{"/aws/bedrock-agentcore/runtimes/agent"}, ServiceNames: []string{"agent.DEFAULT"}}},
		Evaluators:                 refs,
		EvaluationExecutionRoleArn: aws.String(evRoleARN),
		EnableOnCreate:             aws.Bool(enable),
	}
}

func evGet(t *testing.T, c *ctl.Client, id *string) *ctl.GetEvaluatorOutput {
	t.Helper()
	got, err := c.GetEvaluator(context.Background(), &ctl.GetEvaluatorInput{EvaluatorId: id})
	if err != nil {
		t.Fatalf("GetEvaluator %s: %v", aws.ToString(id), err)
	}
	return got
}

// evDoc reads a document back as plain Go values.
func evDoc(t *testing.T, d document.Interface) any {
	t.Helper()
	if d == nil {
		return nil
	}
	var v any
	if err := d.UnmarshalSmithyDocument(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

func TestEvaluatorRoundTripAndLifecycle(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client(t)
	ctx := context.Background()

	scale := []types.NumericalScaleDefinition{
		{Definition: aws.String("wrong"), Value: aws.Float64(0), Label: aws.String("Bad")},
		{Definition: aws.String("right"), Value: aws.Float64(1), Label: aws.String("Good")},
	}
	extra := map[string]any{"mode": "strict", "nested": map[string]any{"on": true, "stops": []any{"a", "b"}}}
	created, err := c.CreateEvaluator(ctx, &ctl.CreateEvaluatorInput{
		EvaluatorName: aws.String("full_eval"),
		Description:   aws.String("judges everything"),
		Level:         types.EvaluatorLevelSession,
		KmsKeyArn:     aws.String(evKmsARN),
		EvaluatorConfig: &types.EvaluatorConfigMemberLlmAsAJudge{Value: types.LlmAsAJudgeEvaluatorConfig{
			Instructions: aws.String("Rate the session: {context}"),
			RatingScale:  &types.RatingScaleMemberNumerical{Value: scale},
			ModelConfig: &types.EvaluatorModelConfigMemberBedrockEvaluatorModelConfig{Value: types.BedrockEvaluatorModelConfig{
				ModelId: aws.String("anthropic.claude-v2"),
				InferenceConfig: &types.InferenceConfiguration{MaxTokens: aws.Int32(512), Temperature: aws.Float32(0.5),
					TopP: aws.Float32(0.25), StopSequences: []string{"END"}},
				AdditionalModelRequestFields: document.NewLazyDocument(extra),
			}},
		}},
		Tags: map[string]string{"team": "qa"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if code := httpStatus(t, created.ResultMetadata); code != http.StatusAccepted {
		t.Errorf("CreateEvaluator status %d, want 202", code)
	}
	id := aws.ToString(created.EvaluatorId)
	if !strings.HasPrefix(id, "full_eval-") || len(id) != len("full_eval-")+10 {
		t.Errorf("id %q is not <name>-<10>", id)
	}
	arn := "arn:aws:bedrock-agentcore:us-east-1:123456789012:evaluator/" + id
	if aws.ToString(created.EvaluatorArn) != arn || created.Status != types.EvaluatorStatusCreating || created.CreatedAt == nil {
		t.Errorf("create answer = %+v", created)
	}

	got := evGet(t, c, created.EvaluatorId)
	if got.Status != types.EvaluatorStatusActive || aws.ToString(got.EvaluatorName) != "full_eval" || aws.ToString(got.Description) != "judges everything" ||
		got.Level != types.EvaluatorLevelSession || aws.ToString(got.KmsKeyArn) != evKmsARN || aws.ToString(got.EvaluatorArn) != arn ||
		got.LockedForModification == nil || *got.LockedForModification || got.CreatedAt == nil || got.UpdatedAt == nil {
		t.Errorf("get = %+v", got)
	}
	judge, ok := got.EvaluatorConfig.(*types.EvaluatorConfigMemberLlmAsAJudge)
	if !ok {
		t.Fatalf("evaluatorConfig = %T", got.EvaluatorConfig)
	}
	if aws.ToString(judge.Value.Instructions) != "Rate the session: {context}" {
		t.Errorf("instructions = %q", aws.ToString(judge.Value.Instructions))
	}
	if rs, ok := judge.Value.RatingScale.(*types.RatingScaleMemberNumerical); !ok || !reflect.DeepEqual(rs.Value, scale) {
		t.Errorf("ratingScale = %#v", judge.Value.RatingScale)
	}
	mc, ok := judge.Value.ModelConfig.(*types.EvaluatorModelConfigMemberBedrockEvaluatorModelConfig)
	if !ok {
		t.Fatalf("modelConfig = %T", judge.Value.ModelConfig)
	}
	ic := mc.Value.InferenceConfig
	if aws.ToString(mc.Value.ModelId) != "anthropic.claude-v2" || ic == nil || aws.ToInt32(ic.MaxTokens) != 512 ||
		aws.ToFloat32(ic.Temperature) != 0.5 || aws.ToFloat32(ic.TopP) != 0.25 || !reflect.DeepEqual(ic.StopSequences, []string{"END"}) {
		t.Errorf("model config = %+v / %+v", mc.Value, ic)
	}
	if doc := evDoc(t, mc.Value.AdditionalModelRequestFields); !reflect.DeepEqual(doc, extra) {
		t.Errorf("additionalModelRequestFields = %#v", doc)
	}

	// METADATA_ONLY leaves out the instructions and the rating scale.
	meta, err := c.GetEvaluator(ctx, &ctl.GetEvaluatorInput{EvaluatorId: created.EvaluatorId, IncludedData: types.IncludedDataMetadataOnly})
	if err != nil {
		t.Fatal(err)
	}
	if j, ok := meta.EvaluatorConfig.(*types.EvaluatorConfigMemberLlmAsAJudge); !ok || j.Value.Instructions != nil || j.Value.RatingScale != nil || j.Value.ModelConfig == nil {
		t.Errorf("metadata only = %#v", meta.EvaluatorConfig)
	}

	tags, err := c.ListTagsForResource(ctx, &ctl.ListTagsForResourceInput{ResourceArn: aws.String(arn)})
	if err != nil || !reflect.DeepEqual(tags.Tags, map[string]string{"team": "qa"}) {
		t.Errorf("tags = %v, %v", tags, err)
	}
	if _, err := c.TagResource(ctx, &ctl.TagResourceInput{ResourceArn: aws.String(arn), Tags: map[string]string{"env": "dev"}}); err != nil {
		t.Fatal(err)
	}
	tags, err = c.ListTagsForResource(ctx, &ctl.ListTagsForResourceInput{ResourceArn: aws.String(arn)})
	if err != nil || !reflect.DeepEqual(tags.Tags, map[string]string{"team": "qa", "env": "dev"}) {
		t.Errorf("tags after TagResource = %v, %v", tags, err)
	}

	// A partial update keeps what it leaves out.
	upd, err := c.UpdateEvaluator(ctx, &ctl.UpdateEvaluatorInput{EvaluatorId: created.EvaluatorId, Description: aws.String("sharper")})
	if err != nil {
		t.Fatal(err)
	}
	if code := httpStatus(t, upd.ResultMetadata); code != http.StatusAccepted || upd.Status != types.EvaluatorStatusUpdating ||
		aws.ToString(upd.EvaluatorArn) != arn || upd.UpdatedAt == nil {
		t.Errorf("update answer %d %+v", code, upd)
	}
	after := evGet(t, c, created.EvaluatorId)
	if after.Status != types.EvaluatorStatusActive || aws.ToString(after.Description) != "sharper" || after.Level != types.EvaluatorLevelSession ||
		!reflect.DeepEqual(after.EvaluatorConfig, got.EvaluatorConfig) || aws.ToString(after.KmsKeyArn) != evKmsARN {
		t.Errorf("after partial update = %+v", after)
	}

	// Switching to a code-based configuration reports the default timeout.
	if _, err := c.UpdateEvaluator(ctx, &ctl.UpdateEvaluatorInput{EvaluatorId: created.EvaluatorId, EvaluatorConfig: evLambdaConfig(),
		Level: types.EvaluatorLevelToolCall}); err != nil {
		t.Fatal(err)
	}
	after = evGet(t, c, created.EvaluatorId)
	code, ok := after.EvaluatorConfig.(*types.EvaluatorConfigMemberCodeBased)
	if !ok {
		t.Fatalf("config after update = %T", after.EvaluatorConfig)
	}
	lambda, ok := code.Value.(*types.CodeBasedEvaluatorConfigMemberLambdaConfig)
	if !ok || aws.ToString(lambda.Value.LambdaArn) != evLambdaARN || aws.ToInt32(lambda.Value.LambdaTimeoutInSeconds) != 60 || after.Level != types.EvaluatorLevelToolCall {
		t.Errorf("code-based config = %#v level %s", code.Value, after.Level)
	}

	list, err := c.ListEvaluators(ctx, &ctl.ListEvaluatorsInput{MaxResults: aws.Int32(100)})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(list.Evaluators); n != evNumBuiltins+1 {
		t.Fatalf("%d evaluators listed, want %d", n, evNumBuiltins+1)
	}
	mine := list.Evaluators[evNumBuiltins]
	if aws.ToString(mine.EvaluatorId) != id || mine.EvaluatorType != types.EvaluatorTypeCode || aws.ToString(mine.Description) != "sharper" ||
		mine.Level != types.EvaluatorLevelToolCall || mine.Status != types.EvaluatorStatusActive || aws.ToString(mine.KmsKeyArn) != evKmsARN ||
		mine.LockedForModification == nil || *mine.LockedForModification || mine.CreatedAt == nil || mine.UpdatedAt == nil {
		t.Errorf("summary = %+v", mine)
	}

	del, err := c.DeleteEvaluator(ctx, &ctl.DeleteEvaluatorInput{EvaluatorId: created.EvaluatorId})
	if err != nil {
		t.Fatal(err)
	}
	if code := httpStatus(t, del.ResultMetadata); code != http.StatusAccepted || del.Status != types.EvaluatorStatusDeleting ||
		aws.ToString(del.EvaluatorId) != id || aws.ToString(del.EvaluatorArn) != arn {
		t.Errorf("delete answer %d %+v", code, del)
	}
	_, err = c.GetEvaluator(ctx, &ctl.GetEvaluatorInput{EvaluatorId: created.EvaluatorId})
	wantCode(t, "Get after delete", err, "ResourceNotFoundException")
	_, err = c.ListTagsForResource(ctx, &ctl.ListTagsForResourceInput{ResourceArn: aws.String(arn)})
	wantCode(t, "tags after delete", err, "ResourceNotFoundException")
	_, err = c.DeleteEvaluator(ctx, &ctl.DeleteEvaluatorInput{EvaluatorId: created.EvaluatorId})
	wantCode(t, "second delete", err, "ResourceNotFoundException")
	_, err = c.UpdateEvaluator(ctx, &ctl.UpdateEvaluatorInput{EvaluatorId: created.EvaluatorId})
	wantCode(t, "update after delete", err, "ResourceNotFoundException")
}

func TestEvaluatorBuiltins(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client(t)
	ctx := context.Background()
	const arn = "arn:aws:bedrock-agentcore:::evaluator/Builtin.Helpfulness"

	for _, id := range []string{"Builtin.Helpfulness", "Builtin.GoalSuccessRate", "Builtin.ToolSelectionAccuracy"} {
		got := evGet(t, c, aws.String(id))
		if aws.ToString(got.EvaluatorId) != id || aws.ToString(got.EvaluatorName) != id || got.Status != types.EvaluatorStatusActive ||
			aws.ToString(got.EvaluatorArn) != "arn:aws:bedrock-agentcore:::evaluator/"+id || got.EvaluatorConfig == nil ||
			got.Level == "" || got.CreatedAt == nil || got.UpdatedAt == nil {
			t.Errorf("built-in %s = %+v", id, got)
		}
	}
	if got := evGet(t, c, aws.String("Builtin.GoalSuccessRate")); got.Level != types.EvaluatorLevelSession {
		t.Errorf("GoalSuccessRate level = %s", got.Level)
	}
	_, err := c.GetEvaluator(ctx, &ctl.GetEvaluatorInput{EvaluatorId: aws.String("Builtin.NoSuchThing")})
	wantCode(t, "unknown built-in", err, "ResourceNotFoundException")

	_, err = c.UpdateEvaluator(ctx, &ctl.UpdateEvaluatorInput{EvaluatorId: aws.String("Builtin.Helpfulness"), Description: aws.String("x")})
	wantCode(t, "update built-in", err, "ValidationException")
	_, err = c.DeleteEvaluator(ctx, &ctl.DeleteEvaluatorInput{EvaluatorId: aws.String("Builtin.Helpfulness")})
	wantCode(t, "delete built-in", err, "ValidationException")
	_, err = c.DeleteEvaluator(ctx, &ctl.DeleteEvaluatorInput{EvaluatorId: aws.String("Builtin.NoSuchThing")})
	wantCode(t, "delete unknown built-in", err, "ResourceNotFoundException")
	_, err = c.TagResource(ctx, &ctl.TagResourceInput{ResourceArn: aws.String(arn), Tags: map[string]string{"k": "v"}})
	if code := errCode(err); code != "ValidationException" && code != "ResourceNotFoundException" {
		t.Errorf("tag built-in: %v", err)
	}

	// Built-ins come first, then the caller's own; pages of one cover each
	// exactly once.
	var custom []string
	for _, name := range []string{"page_a", "page_b"} {
		custom = append(custom, aws.ToString(evCreate(t, c, name).EvaluatorId))
	}
	var seen []string
	var token *string
	for pages := 0; ; pages++ {
		if pages > evNumBuiltins+5 {
			t.Fatal("pagination does not end")
		}
		out, err := c.ListEvaluators(ctx, &ctl.ListEvaluatorsInput{MaxResults: aws.Int32(1), NextToken: token})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Evaluators) != 1 {
			t.Fatalf("page of %d with maxResults 1", len(out.Evaluators))
		}
		e := out.Evaluators[0]
		builtin := strings.HasPrefix(aws.ToString(e.EvaluatorId), "Builtin.")
		if builtin != (e.EvaluatorType == types.EvaluatorTypeBuiltin) {
			t.Errorf("summary %s has type %s", aws.ToString(e.EvaluatorId), e.EvaluatorType)
		}
		seen = append(seen, aws.ToString(e.EvaluatorId))
		if out.NextToken == nil {
			break
		}
		if aws.ToString(out.NextToken) == "" {
			t.Fatal("empty-string nextToken")
		}
		token = out.NextToken
	}
	if len(seen) != evNumBuiltins+2 || !reflect.DeepEqual(seen[evNumBuiltins:], custom) {
		t.Errorf("listed %v", seen)
	}
	for _, id := range seen[:evNumBuiltins] {
		if !strings.HasPrefix(id, "Builtin.") {
			t.Errorf("%s listed among the built-ins", id)
		}
	}
	// A page that ends exactly with the last built-in still leads on.
	out, err := c.ListEvaluators(ctx, &ctl.ListEvaluatorsInput{MaxResults: aws.Int32(evNumBuiltins)})
	if err != nil || out.NextToken == nil {
		t.Fatalf("first page %v, %v", out, err)
	}
	out, err = c.ListEvaluators(ctx, &ctl.ListEvaluatorsInput{MaxResults: aws.Int32(10), NextToken: out.NextToken})
	if err != nil || len(out.Evaluators) != 2 || out.NextToken != nil {
		t.Errorf("second page %+v, %v", out, err)
	}
	_, err = c.ListEvaluators(ctx, &ctl.ListEvaluatorsInput{NextToken: aws.String("forged.token")})
	wantCode(t, "forged token", err, "ValidationException")
}

func TestEvaluatorIdempotency(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client(t)
	ctx := context.Background()
	in := func(desc string) *ctl.CreateEvaluatorInput {
		return &ctl.CreateEvaluatorInput{EvaluatorName: aws.String("retry_eval"), Description: aws.String(desc), Level: types.EvaluatorLevelTrace,
			EvaluatorConfig: evLambdaConfig(), ClientToken: aws.String(clientToken("eval-token"))}
	}
	first, err := c.CreateEvaluator(ctx, in("one"))
	if err != nil {
		t.Fatal(err)
	}
	again, err := c.CreateEvaluator(ctx, in("one"))
	if err != nil {
		t.Fatalf("replay: %v", err)
	}
	if aws.ToString(again.EvaluatorId) != aws.ToString(first.EvaluatorId) || httpStatus(t, again.ResultMetadata) != http.StatusAccepted {
		t.Errorf("replay answered %s, first %s", aws.ToString(again.EvaluatorId), aws.ToString(first.EvaluatorId))
	}
	_, err = c.CreateEvaluator(ctx, in("two"))
	if reason, _ := validationReason(err); reason != types.ValidationExceptionReasonIdempotentParameterMismatchException {
		t.Errorf("mismatch: %v", err)
	}
	list, err := c.ListEvaluators(ctx, &ctl.ListEvaluatorsInput{MaxResults: aws.Int32(100)})
	if err != nil || len(list.Evaluators) != evNumBuiltins+1 {
		t.Errorf("after replays: %v evaluators, %v", len(list.Evaluators), err)
	}

	upd := func() *ctl.UpdateEvaluatorInput {
		return &ctl.UpdateEvaluatorInput{EvaluatorId: first.EvaluatorId, Description: aws.String("u"), ClientToken: aws.String(clientToken("eval-update"))}
	}
	u1, err := c.UpdateEvaluator(ctx, upd())
	if err != nil {
		t.Fatal(err)
	}
	u2, err := c.UpdateEvaluator(ctx, upd())
	if err != nil || !u1.UpdatedAt.Equal(aws.ToTime(u2.UpdatedAt)) || u2.Status != types.EvaluatorStatusUpdating {
		t.Errorf("update replay %+v, %v", u2, err)
	}
}

func TestEvaluatorConflictAndQuota(t *testing.T) {
	srv := testserver.Start(t, func(c *server.Config) { c.Quotas.EvaluatorsPerAccount = 2 })
	c := srv.Client(t)
	ctx := context.Background()
	evCreate(t, c, "dup")
	_, err := c.CreateEvaluator(ctx, &ctl.CreateEvaluatorInput{EvaluatorName: aws.String("dup"), Level: types.EvaluatorLevelTrace, EvaluatorConfig: evLambdaConfig()})
	wantCode(t, "duplicate name", err, "ConflictException")
	_, err = c.CreateEvaluator(ctx, &ctl.CreateEvaluatorInput{EvaluatorName: aws.String("tagged"), Level: types.EvaluatorLevelTrace,
		EvaluatorConfig: evLambdaConfig(), Tags: map[string]string{"aws:reserved": "x"}})
	wantCode(t, "aws: tag", err, "ValidationException")
	evCreate(t, c, "second")
	_, err = c.CreateEvaluator(ctx, &ctl.CreateEvaluatorInput{EvaluatorName: aws.String("third"), Level: types.EvaluatorLevelTrace, EvaluatorConfig: evLambdaConfig()})
	wantCode(t, "over quota", err, "ServiceQuotaExceededException")
}

func TestEvaluatorFaultInjectedFailures(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client(t)
	ctx := context.Background()

	failNext(t, srv.URL, "CreateEvaluator", "boom")
	failed := evCreate(t, c, "doomed")
	if failed.Status != types.EvaluatorStatusCreating {
		t.Errorf("create answer %s", failed.Status)
	}
	if got := evGet(t, c, failed.EvaluatorId); got.Status != types.EvaluatorStatusCreateFailed {
		t.Errorf("status %s, want CREATE_FAILED", got.Status)
	}
	ok := evCreate(t, c, "fine")
	if got := evGet(t, c, ok.EvaluatorId); got.Status != types.EvaluatorStatusActive {
		t.Errorf("status %s, want ACTIVE (the rule was used up)", got.Status)
	}

	failNext(t, srv.URL, "UpdateEvaluator", "boom")
	if _, err := c.UpdateEvaluator(ctx, &ctl.UpdateEvaluatorInput{EvaluatorId: ok.EvaluatorId, Description: aws.String("v2")}); err != nil {
		t.Fatal(err)
	}
	if got := evGet(t, c, ok.EvaluatorId); got.Status != types.EvaluatorStatusUpdateFailed {
		t.Errorf("status %s, want UPDATE_FAILED", got.Status)
	}
	// A failed evaluator can be updated again, and deleted.
	if _, err := c.UpdateEvaluator(ctx, &ctl.UpdateEvaluatorInput{EvaluatorId: ok.EvaluatorId, Description: aws.String("v3")}); err != nil {
		t.Fatal(err)
	}
	if got := evGet(t, c, ok.EvaluatorId); got.Status != types.EvaluatorStatusActive || aws.ToString(got.Description) != "v3" {
		t.Errorf("after retry: %s %q", got.Status, aws.ToString(got.Description))
	}
	if _, err := c.DeleteEvaluator(ctx, &ctl.DeleteEvaluatorInput{EvaluatorId: failed.EvaluatorId}); err != nil {
		t.Fatal(err)
	}
	_, err := c.GetEvaluator(ctx, &ctl.GetEvaluatorInput{EvaluatorId: failed.EvaluatorId})
	wantCode(t, "failed evaluator after delete", err, "ResourceNotFoundException")
}

func TestEvaluatorTimedLifecycle(t *testing.T) {
	srv := testserver.Start(t, func(c *server.Config) { c.Lifecycle = "timed"; c.LifecycleDelay = 200 * time.Millisecond })
	c := srv.Client(t)
	ctx := context.Background()
	created := evCreate(t, c, "slow_eval")
	status := func() (types.EvaluatorStatus, error) {
		got, err := c.GetEvaluator(ctx, &ctl.GetEvaluatorInput{EvaluatorId: created.EvaluatorId})
		if err != nil {
			return "", err
		}
		return got.Status, nil
	}
	eventuallyStatus(t, "evaluator ACTIVE", status, types.EvaluatorStatusActive, types.EvaluatorStatusCreating)
	if _, err := c.DeleteEvaluator(ctx, &ctl.DeleteEvaluatorInput{EvaluatorId: created.EvaluatorId}); err != nil {
		t.Fatal(err)
	}
	eventuallyGone(t, "evaluator gone", status, types.EvaluatorStatusDeleting)
}

// With the manual policy a change stays pending: a second change is refused
// until the first completes.
func TestEvaluatorManualLifecycleRefusesConcurrentChange(t *testing.T) {
	srv := testserver.Start(t)
	setLifecycle(t, srv.URL, "evaluators", "manual")
	c := srv.Client(t)
	ctx := context.Background()
	created := evCreate(t, c, "pending_eval")
	if got := evGet(t, c, created.EvaluatorId); got.Status != types.EvaluatorStatusCreating {
		t.Fatalf("status %s, want CREATING", got.Status)
	}
	_, err := c.UpdateEvaluator(ctx, &ctl.UpdateEvaluatorInput{EvaluatorId: created.EvaluatorId, Description: aws.String("x")})
	wantCode(t, "update while CREATING", err, "ConflictException")

	oec, err := c.CreateOnlineEvaluationConfig(ctx, evOnlineInput("pending_oec", false, "Builtin.Correctness"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.UpdateOnlineEvaluationConfig(ctx, &ctl.UpdateOnlineEvaluationConfigInput{OnlineEvaluationConfigId: oec.OnlineEvaluationConfigId,
		Description: aws.String("x")})
	wantCode(t, "online update while CREATING", err, "ConflictException")

	advanceAll(t, srv.URL)
	if got := evGet(t, c, created.EvaluatorId); got.Status != types.EvaluatorStatusActive {
		t.Errorf("status after advance %s", got.Status)
	}
	got, err := c.GetOnlineEvaluationConfig(ctx, &ctl.GetOnlineEvaluationConfigInput{OnlineEvaluationConfigId: oec.OnlineEvaluationConfigId})
	if err != nil || got.Status != types.OnlineEvaluationConfigStatusActive {
		t.Errorf("online config after advance: %v %v", got, err)
	}
}

func TestOnlineEvaluationRoundTripAndLocking(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client(t)
	ctx := context.Background()
	custom := evCreate(t, c, "locked_eval")
	customID := aws.ToString(custom.EvaluatorId)

	rule := &types.Rule{
		SamplingConfig: &types.SamplingConfig{SamplingPercentage: aws.Float64(12.5)},
		Filters: []types.Filter{
			{Key: aws.String("service.name"), Operator: types.FilterOperatorEquals, Value: &types.FilterValueMemberStringValue{Value: "agent"}},
			{Key: aws.String("latency"), Operator: types.FilterOperatorGreaterThan, Value: &types.FilterValueMemberDoubleValue{Value: 1.5}},
			{Key: aws.String("error"), Operator: types.FilterOperatorNotEquals, Value: &types.FilterValueMemberBooleanValue{Value: true}},
		},
		SessionConfig: &types.SessionConfig{SessionTimeoutMinutes: aws.Int32(30)},
	}
	in := evOnlineInput("full_oec", true, "Builtin.Helpfulness", customID)
	in.Description = aws.String("watches production")
	in.Rule = rule
	in.Tags = map[string]string{"team": "qa"}
	created, err := c.CreateOnlineEvaluationConfig(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(created.OnlineEvaluationConfigId)
	arn := "arn:aws:bedrock-agentcore:us-east-1:123456789012:online-evaluation-config/" + id
	wantOutput := "/aws/bedrock-agentcore/evaluations/results/" + id
	if code := httpStatus(t, created.ResultMetadata); code != http.StatusAccepted || !strings.HasPrefix(id, "full_oec-") || len(id) != len("full_oec-")+10 ||
		aws.ToString(created.OnlineEvaluationConfigArn) != arn || created.Status != types.OnlineEvaluationConfigStatusCreating ||
		created.ExecutionStatus != types.OnlineEvaluationExecutionStatusEnabled || created.CreatedAt == nil ||
		created.OutputConfig == nil || aws.ToString(created.OutputConfig.CloudWatchConfig.LogGroupName) != wantOutput {
		t.Errorf("create answer %d %+v", code, created)
	}

	got, err := c.GetOnlineEvaluationConfig(ctx, &ctl.GetOnlineEvaluationConfigInput{OnlineEvaluationConfigId: created.OnlineEvaluationConfigId})
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != types.OnlineEvaluationConfigStatusActive || got.ExecutionStatus != types.OnlineEvaluationExecutionStatusEnabled ||
		aws.ToString(got.OnlineEvaluationConfigName) != "full_oec" || aws.ToString(got.Description) != "watches production" ||
		aws.ToString(got.EvaluationExecutionRoleArn) != evRoleARN || aws.ToString(got.OnlineEvaluationConfigArn) != arn ||
		got.OutputConfig == nil || aws.ToString(got.OutputConfig.CloudWatchConfig.LogGroupName) != wantOutput ||
		got.CreatedAt == nil || got.UpdatedAt == nil || got.FailureReason != nil {
		t.Errorf("get = %+v", got)
	}
	if !reflect.DeepEqual(got.Rule, rule) {
		t.Errorf("rule = %+v, want %+v", got.Rule, rule)
	}
	if !reflect.DeepEqual(got.DataSourceConfig, in.DataSourceConfig) {
		t.Errorf("dataSourceConfig = %#v", got.DataSourceConfig)
	}
	if !reflect.DeepEqual(got.Evaluators, in.Evaluators) {
		t.Errorf("evaluators = %#v", got.Evaluators)
	}
	tags, err := c.ListTagsForResource(ctx, &ctl.ListTagsForResourceInput{ResourceArn: aws.String(arn)})
	if err != nil || !reflect.DeepEqual(tags.Tags, map[string]string{"team": "qa"}) {
		t.Errorf("tags = %v, %v", tags, err)
	}

	// The enabled configuration locks its custom evaluator.
	if ev := evGet(t, c, custom.EvaluatorId); ev.LockedForModification == nil || !*ev.LockedForModification {
		t.Errorf("evaluator not locked: %+v", ev)
	}
	_, err = c.UpdateEvaluator(ctx, &ctl.UpdateEvaluatorInput{EvaluatorId: custom.EvaluatorId, Description: aws.String("x")})
	wantCode(t, "update locked evaluator", err, "ConflictException")
	_, err = c.DeleteEvaluator(ctx, &ctl.DeleteEvaluatorInput{EvaluatorId: custom.EvaluatorId})
	wantCode(t, "delete locked evaluator", err, "ConflictException")
	list, err := c.ListEvaluators(ctx, &ctl.ListEvaluatorsInput{MaxResults: aws.Int32(100)})
	if err != nil {
		t.Fatal(err)
	}
	if s := list.Evaluators[len(list.Evaluators)-1]; aws.ToString(s.EvaluatorId) != customID || s.LockedForModification == nil || !*s.LockedForModification {
		t.Errorf("summary = %+v", s)
	}

	// Disabling unlocks it; a rule without sessionConfig reports the default.
	upd, err := c.UpdateOnlineEvaluationConfig(ctx, &ctl.UpdateOnlineEvaluationConfigInput{OnlineEvaluationConfigId: created.OnlineEvaluationConfigId,
		ExecutionStatus: types.OnlineEvaluationExecutionStatusDisabled,
		Rule:            &types.Rule{SamplingConfig: &types.SamplingConfig{SamplingPercentage: aws.Float64(100)}}})
	if err != nil {
		t.Fatal(err)
	}
	if code := httpStatus(t, upd.ResultMetadata); code != http.StatusAccepted || upd.Status != types.OnlineEvaluationConfigStatusUpdating ||
		upd.ExecutionStatus != types.OnlineEvaluationExecutionStatusDisabled || upd.UpdatedAt == nil || aws.ToString(upd.OnlineEvaluationConfigArn) != arn {
		t.Errorf("update answer %d %+v", code, upd)
	}
	got, err = c.GetOnlineEvaluationConfig(ctx, &ctl.GetOnlineEvaluationConfigInput{OnlineEvaluationConfigId: created.OnlineEvaluationConfigId})
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != types.OnlineEvaluationConfigStatusActive || got.ExecutionStatus != types.OnlineEvaluationExecutionStatusDisabled ||
		got.Rule.SessionConfig == nil || aws.ToInt32(got.Rule.SessionConfig.SessionTimeoutMinutes) != 15 || got.Rule.Filters != nil ||
		aws.ToString(got.Description) != "watches production" || !reflect.DeepEqual(got.Evaluators, in.Evaluators) {
		t.Errorf("after update = %+v rule %+v", got, got.Rule)
	}
	if ev := evGet(t, c, custom.EvaluatorId); ev.LockedForModification == nil || *ev.LockedForModification {
		t.Errorf("evaluator still locked: %+v", ev)
	}
	if _, err := c.UpdateEvaluator(ctx, &ctl.UpdateEvaluatorInput{EvaluatorId: custom.EvaluatorId, Description: aws.String("free")}); err != nil {
		t.Errorf("update unlocked evaluator: %v", err)
	}

	// A disabled configuration does not keep its evaluator alive, but it
	// cannot be turned on again without it.
	if _, err := c.DeleteEvaluator(ctx, &ctl.DeleteEvaluatorInput{EvaluatorId: custom.EvaluatorId}); err != nil {
		t.Fatalf("delete evaluator of a disabled configuration: %v", err)
	}
	_, err = c.UpdateOnlineEvaluationConfig(ctx, &ctl.UpdateOnlineEvaluationConfigInput{OnlineEvaluationConfigId: created.OnlineEvaluationConfigId,
		ExecutionStatus: types.OnlineEvaluationExecutionStatusEnabled})
	wantCode(t, "enable with a deleted evaluator", err, "ValidationException")
	if _, err := c.UpdateOnlineEvaluationConfig(ctx, &ctl.UpdateOnlineEvaluationConfigInput{OnlineEvaluationConfigId: created.OnlineEvaluationConfigId,
		ExecutionStatus: types.OnlineEvaluationExecutionStatusEnabled,
		Evaluators:      []types.EvaluatorReference{&types.EvaluatorReferenceMemberEvaluatorId{Value: "Builtin.Correctness"}}}); err != nil {
		t.Errorf("enable with a new evaluator list: %v", err)
	}

	del, err := c.DeleteOnlineEvaluationConfig(ctx, &ctl.DeleteOnlineEvaluationConfigInput{OnlineEvaluationConfigId: created.OnlineEvaluationConfigId})
	if err != nil {
		t.Fatal(err)
	}
	if code := httpStatus(t, del.ResultMetadata); code != http.StatusAccepted || del.Status != types.OnlineEvaluationConfigStatusDeleting ||
		aws.ToString(del.OnlineEvaluationConfigArn) != arn || aws.ToString(del.OnlineEvaluationConfigId) != id {
		t.Errorf("delete answer %d %+v", code, del)
	}
	_, err = c.GetOnlineEvaluationConfig(ctx, &ctl.GetOnlineEvaluationConfigInput{OnlineEvaluationConfigId: created.OnlineEvaluationConfigId})
	wantCode(t, "Get after delete", err, "ResourceNotFoundException")
	_, err = c.ListTagsForResource(ctx, &ctl.ListTagsForResourceInput{ResourceArn: aws.String(arn)})
	wantCode(t, "tags after delete", err, "ResourceNotFoundException")
	_, err = c.DeleteOnlineEvaluationConfig(ctx, &ctl.DeleteOnlineEvaluationConfigInput{OnlineEvaluationConfigId: created.OnlineEvaluationConfigId})
	wantCode(t, "second delete", err, "ResourceNotFoundException")
}

func TestOnlineEvaluationRulesAndQuota(t *testing.T) {
	srv := testserver.Start(t, func(c *server.Config) { c.Quotas.OnlineEvaluationConfigsPerAccount = 2 })
	c := srv.Client(t)
	ctx := context.Background()

	failed := func() string {
		failNext(t, srv.URL, "CreateEvaluator", "boom")
		return aws.ToString(evCreate(t, c, "broken_eval").EvaluatorId)
	}()
	for name, evaluators := range map[string][]string{
		"unknown_custom":  {"ghost-abcdefghij"},
		"unknown_builtin": {"Builtin.Nope"},
		"twice":           {"Builtin.Helpfulness", "Builtin.Helpfulness"},
		"create_failed":   {failed},
	} {
		_, err := c.CreateOnlineEvaluationConfig(ctx, evOnlineInput(name, true, evaluators...))
		wantCode(t, name, err, "ValidationException")
	}

	if _, err := c.CreateOnlineEvaluationConfig(ctx, evOnlineInput("first", false, "Builtin.Helpfulness")); err != nil {
		t.Fatal(err)
	}
	_, err := c.CreateOnlineEvaluationConfig(ctx, evOnlineInput("first", false, "Builtin.Helpfulness"))
	wantCode(t, "duplicate name", err, "ConflictException")
	if _, err := c.CreateOnlineEvaluationConfig(ctx, evOnlineInput("second", false, "Builtin.Helpfulness")); err != nil {
		t.Fatal(err)
	}
	_, err = c.CreateOnlineEvaluationConfig(ctx, evOnlineInput("third", false, "Builtin.Helpfulness"))
	wantCode(t, "over quota", err, "ServiceQuotaExceededException")

	_, err = c.UpdateOnlineEvaluationConfig(ctx, &ctl.UpdateOnlineEvaluationConfigInput{OnlineEvaluationConfigId: aws.String("ghost-abcdefghij")})
	wantCode(t, "update missing", err, "ResourceNotFoundException")
	_, err = c.DeleteOnlineEvaluationConfig(ctx, &ctl.DeleteOnlineEvaluationConfigInput{OnlineEvaluationConfigId: aws.String("ghost-abcdefghij")})
	wantCode(t, "delete missing", err, "ResourceNotFoundException")
}

func TestOnlineEvaluationIdempotencyAndPagination(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client(t)
	ctx := context.Background()

	in := func(desc string) *ctl.CreateOnlineEvaluationConfigInput {
		i := evOnlineInput("retry_oec", false, "Builtin.Helpfulness")
		i.Description = aws.String(desc)
		i.ClientToken = aws.String(clientToken("oec-token"))
		return i
	}
	first, err := c.CreateOnlineEvaluationConfig(ctx, in("one"))
	if err != nil {
		t.Fatal(err)
	}
	again, err := c.CreateOnlineEvaluationConfig(ctx, in("one"))
	if err != nil || aws.ToString(again.OnlineEvaluationConfigId) != aws.ToString(first.OnlineEvaluationConfigId) {
		t.Errorf("replay %v, %v", again, err)
	}
	_, err = c.CreateOnlineEvaluationConfig(ctx, in("two"))
	if reason, _ := validationReason(err); reason != types.ValidationExceptionReasonIdempotentParameterMismatchException {
		t.Errorf("mismatch: %v", err)
	}

	want := []string{aws.ToString(first.OnlineEvaluationConfigId)}
	for _, name := range []string{"page_b", "page_c"} {
		out, err := c.CreateOnlineEvaluationConfig(ctx, evOnlineInput(name, false, "Builtin.Helpfulness"))
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, aws.ToString(out.OnlineEvaluationConfigId))
	}
	var seen []string
	var token *string
	for pages := 0; ; pages++ {
		if pages > 5 {
			t.Fatal("pagination does not end")
		}
		out, err := c.ListOnlineEvaluationConfigs(ctx, &ctl.ListOnlineEvaluationConfigsInput{MaxResults: aws.Int32(1), NextToken: token})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.OnlineEvaluationConfigs) != 1 {
			t.Fatalf("page of %d", len(out.OnlineEvaluationConfigs))
		}
		s := out.OnlineEvaluationConfigs[0]
		if s.Status != types.OnlineEvaluationConfigStatusActive || s.ExecutionStatus != types.OnlineEvaluationExecutionStatusDisabled ||
			s.OnlineEvaluationConfigArn == nil || s.OnlineEvaluationConfigName == nil || s.CreatedAt == nil || s.UpdatedAt == nil {
			t.Errorf("summary = %+v", s)
		}
		seen = append(seen, aws.ToString(s.OnlineEvaluationConfigId))
		if out.NextToken == nil {
			break
		}
		token = out.NextToken
	}
	if !reflect.DeepEqual(seen, want) {
		t.Errorf("listed %v, want %v", seen, want)
	}
}

func TestOnlineEvaluationFaultInjectedFailures(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client(t)
	ctx := context.Background()
	get := func(id *string) *ctl.GetOnlineEvaluationConfigOutput {
		t.Helper()
		got, err := c.GetOnlineEvaluationConfig(ctx, &ctl.GetOnlineEvaluationConfigInput{OnlineEvaluationConfigId: id})
		if err != nil {
			t.Fatal(err)
		}
		return got
	}

	failNext(t, srv.URL, "CreateOnlineEvaluationConfig", "boom")
	failed, err := c.CreateOnlineEvaluationConfig(ctx, evOnlineInput("doomed", true, "Builtin.Helpfulness"))
	if err != nil {
		t.Fatal(err)
	}
	if got := get(failed.OnlineEvaluationConfigId); got.Status != types.OnlineEvaluationConfigStatusCreateFailed ||
		aws.ToString(got.FailureReason) != "boom" || got.ExecutionStatus != types.OnlineEvaluationExecutionStatusDisabled {
		t.Errorf("failed create = %s %q %s", got.Status, aws.ToString(got.FailureReason), got.ExecutionStatus)
	}

	ok, err := c.CreateOnlineEvaluationConfig(ctx, evOnlineInput("fine", false, "Builtin.Helpfulness"))
	if err != nil {
		t.Fatal(err)
	}
	failNext(t, srv.URL, "UpdateOnlineEvaluationConfig", "bang")
	if _, err := c.UpdateOnlineEvaluationConfig(ctx, &ctl.UpdateOnlineEvaluationConfigInput{OnlineEvaluationConfigId: ok.OnlineEvaluationConfigId,
		Description: aws.String("v2")}); err != nil {
		t.Fatal(err)
	}
	if got := get(ok.OnlineEvaluationConfigId); got.Status != types.OnlineEvaluationConfigStatusUpdateFailed || aws.ToString(got.FailureReason) != "bang" {
		t.Errorf("failed update = %s %q", got.Status, aws.ToString(got.FailureReason))
	}
	list, err := c.ListOnlineEvaluationConfigs(ctx, &ctl.ListOnlineEvaluationConfigsInput{})
	if err != nil || len(list.OnlineEvaluationConfigs) != 2 || aws.ToString(list.OnlineEvaluationConfigs[1].FailureReason) != "bang" {
		t.Errorf("list = %+v, %v", list, err)
	}
	// Retrying the update succeeds and clears the reason.
	if _, err := c.UpdateOnlineEvaluationConfig(ctx, &ctl.UpdateOnlineEvaluationConfigInput{OnlineEvaluationConfigId: ok.OnlineEvaluationConfigId,
		Description: aws.String("v3")}); err != nil {
		t.Fatal(err)
	}
	if got := get(ok.OnlineEvaluationConfigId); got.Status != types.OnlineEvaluationConfigStatusActive || got.FailureReason != nil {
		t.Errorf("after retry = %s %v", got.Status, got.FailureReason)
	}
}

func TestOnlineEvaluationTimedLifecycle(t *testing.T) {
	srv := testserver.Start(t, func(c *server.Config) { c.Lifecycle = "timed"; c.LifecycleDelay = 200 * time.Millisecond })
	c := srv.Client(t)
	ctx := context.Background()
	created, err := c.CreateOnlineEvaluationConfig(ctx, evOnlineInput("slow_oec", true, "Builtin.Helpfulness"))
	if err != nil {
		t.Fatal(err)
	}
	status := func() (types.OnlineEvaluationConfigStatus, error) {
		got, err := c.GetOnlineEvaluationConfig(ctx, &ctl.GetOnlineEvaluationConfigInput{OnlineEvaluationConfigId: created.OnlineEvaluationConfigId})
		if err != nil {
			return "", err
		}
		return got.Status, nil
	}
	eventuallyStatus(t, "online config ACTIVE", status, types.OnlineEvaluationConfigStatusActive, types.OnlineEvaluationConfigStatusCreating)
	if _, err := c.DeleteOnlineEvaluationConfig(ctx, &ctl.DeleteOnlineEvaluationConfigInput{OnlineEvaluationConfigId: created.OnlineEvaluationConfigId}); err != nil {
		t.Fatal(err)
	}
	eventuallyGone(t, "online config gone", status, types.OnlineEvaluationConfigStatusDeleting)
}
