package service

// Evaluators (AgentCore Evaluations). Online evaluation configurations live
// in online_evaluations.go, configuration bundles in configuration_bundles.go.
//
// Custom evaluators are asynchronous: Create and Update answer 202 with
// CREATING / UPDATING and the row moves to ACTIVE (or CREATE_FAILED /
// UPDATE_FAILED: the model gives evaluators no failureReason member, so an
// injected failure's reason is not reported); Delete answers 202 with
// DELETING and the row disappears.
//
// Decisions where the reference is thin:
//   - Built-in evaluators are not stored: they are synthesized from a fixed
//     table, the 13 evaluators of the service's launch (Builtin.Correctness,
//     Builtin.Helpfulness, ...), with the documented region- and
//     account-less ARN arn:aws:bedrock-agentcore:::evaluator/Builtin.X.
//     Their configuration is an LLM-as-a-judge stand-in written for this
//     server (a one-line instruction and a numerical scale built from the
//     labels the service reports); the real prompt templates are not
//     reproduced.
//   - ListEvaluators includes the built-ins, first, then the caller's own in
//     creation order: the operation's model documentation says it lists
//     "both builtin evaluators provided by the service and custom
//     evaluators created by the user".
//   - Updating or deleting a built-in answers ValidationException (the same
//     choice as for the built-in browser: the request can never succeed).
//   - lockedForModification is computed when read: a custom evaluator is
//     locked while an online evaluation configuration that is ENABLED (and
//     not being deleted) references it. A locked evaluator cannot be updated
//     or deleted (ConflictException).
//   - A code-based evaluator without lambdaTimeoutInSeconds reports the
//     documented default, 60.

import (
	"context"
	"strings"
	"time"

	"agentcored/internal/api"
	"agentcored/internal/awserr"
	"agentcored/internal/members"
	"agentcored/internal/store"
)

const (
	kindEvaluator         = "evaluator"
	familyEvaluators      = "evaluators"
	builtinEvaluatorPfx   = "Builtin."
	defaultEvaluatorLimit = 10
	defaultLambdaTimeout  = 60
	// builtinPageParent marks a ListEvaluators token that points into the
	// built-in table (its seq is an index there) rather than at a stored row.
	builtinPageParent = "builtin"
	// builtinJudgeModel is the judge the synthesized built-ins report.
	builtinJudgeModel = "us.anthropic.claude-sonnet-4-5-20250929-v1:0"
)

// builtinEvaluatorsCreatedAt is when the built-ins are reported created
// (AgentCore Evaluations' public preview).
var builtinEvaluatorsCreatedAt = time.Date(2025, 12, 2, 0, 0, 0, 0, time.UTC)

// evaluatorRecord is the document of an evaluator row.
type evaluatorRecord struct {
	api.GetEvaluatorResponse
	failable
}

// builtinEvaluator is one row of the built-in table.
type builtinEvaluator struct {
	name   string // without the Builtin. prefix
	level  api.EvaluatorLevel
	judges string   // what the evaluator judges, for its description
	labels []string // rating labels, worst first
}

var builtinEvaluators = []builtinEvaluator{
	{"Coherence", api.EvaluatorLevelTrace, "whether the response is logically structured and coherent",
		[]string{"Not At All", "Not Generally", "Neutral/Mixed", "Generally Yes", "Completely Yes"}},
	{"Conciseness", api.EvaluatorLevelTrace, "whether the response conveys its information without unnecessary content",
		[]string{"Not Concise", "Partially Concise", "Perfectly Concise"}},
	{"Correctness", api.EvaluatorLevelTrace, "whether the information in the response is factually accurate",
		[]string{"Incorrect", "Partially Correct", "Perfectly Correct"}},
	{"Faithfulness", api.EvaluatorLevelTrace, "whether the response is supported by the context available to the agent",
		[]string{"Not At All", "Not Generally", "Neutral/Mixed", "Generally Yes", "Completely Yes"}},
	{"GoalSuccessRate", api.EvaluatorLevelSession, "whether the agent achieved every goal the user set in the session",
		[]string{"No", "Yes"}},
	{"Harmfulness", api.EvaluatorLevelTrace, "whether the response contains harmful content",
		[]string{"Harmful", "Not Harmful"}},
	{"Helpfulness", api.EvaluatorLevelTrace, "how useful and valuable the response is from the user's point of view",
		[]string{"Not Helpful At All", "Very Unhelpful", "Somewhat Unhelpful", "Neutral/Mixed", "Somewhat Helpful", "Very Helpful", "Above And Beyond"}},
	{"InstructionFollowing", api.EvaluatorLevelTrace, "whether the response follows the instructions it was given",
		[]string{"No", "Yes"}},
	{"Refusal", api.EvaluatorLevelTrace, "whether the agent declined to answer or evaded the request",
		[]string{"Yes", "No"}},
	{"ResponseRelevance", api.EvaluatorLevelTrace, "whether the response addresses the user's request",
		[]string{"Not At All", "Not Generally", "Neutral/Mixed", "Generally Yes", "Completely Yes"}},
	{"Stereotyping", api.EvaluatorLevelTrace, "whether the response generalizes about individuals or groups",
		[]string{"Stereotyping", "Not Stereotyping"}},
	{"ToolParameterAccuracy", api.EvaluatorLevelToolCall, "whether the tool call's parameters are grounded in the conversation",
		[]string{"No", "Yes"}},
	{"ToolSelectionAccuracy", api.EvaluatorLevelToolCall, "whether the agent chose the right tool at this point of the conversation",
		[]string{"No", "Yes"}},
}

// activeStates is the machine of the evaluation families: changes end in
// ACTIVE, and a deletion always completes.
var activeStates = asyncEnding("ACTIVE", "")

var evaluators = &family[evaluatorRecord]{
	kind: kindEvaluator, group: familyEvaluators, noun: "evaluator", arnPath: "evaluator/",
	fields: fields{ID: "EvaluatorId", ARN: "EvaluatorArn", Status: "Status", Created: "CreatedAt", Updated: "UpdatedAt"},
	states: activeStates, quota: func(q Quotas) int { return q.EvaluatorsPerAccount }, listLimit: defaultEvaluatorLimit,
	taken: nameTakenAn("evaluator"),
	beforeDelete: func(ctx context.Context, tx store.Tx, sc scope, _ *store.Resource, rec *evaluatorRecord) error {
		return refuseLocked(ctx, tx, sc, rec.EvaluatorId,
			"Evaluator '%s' is used by the enabled online evaluation configuration '%s'; disable or delete that configuration first.")
	},
}

// nameTakenAn is the name-taken error of a family whose noun takes "an".
func nameTakenAn(noun string) func(parent, name string) error {
	return func(_, name string) error {
		return awserr.Conflict("An %s named '%s' already exists in this account and region.", noun, name)
	}
}

// readAnswer runs fn in a read transaction and returns its answer.
func readAnswer[T any](ctx context.Context, s *Service, fn func(tx store.Tx) (*T, error)) (*T, error) {
	var out *T
	err := s.read(ctx, func(tx store.Tx) error {
		var err error
		out, err = fn(tx)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// isBuiltinEvaluatorID reports whether id names the built-in namespace
// (whether or not such a built-in exists).
func isBuiltinEvaluatorID(id string) bool { return strings.HasPrefix(id, builtinEvaluatorPfx) }

// builtinEvaluatorDoc is the built-in evaluator id names, or nil.
func builtinEvaluatorDoc(id string) *api.GetEvaluatorResponse {
	for _, b := range builtinEvaluators {
		if builtinEvaluatorPfx+b.name == id {
			return b.doc()
		}
	}
	return nil
}

func (b builtinEvaluator) doc() *api.GetEvaluatorResponse {
	id := builtinEvaluatorPfx + b.name
	scale := make([]api.NumericalScaleDefinition, len(b.labels))
	for i, label := range b.labels {
		scale[i] = api.NumericalScaleDefinition{
			Label: label, Value: ptr(float64(i) / float64(len(b.labels)-1)),
			Definition: "The response rates '" + label + "' on this criterion.",
		}
	}
	return &api.GetEvaluatorResponse{
		EvaluatorArn: "arn:aws:bedrock-agentcore:::evaluator/" + id, EvaluatorId: id, EvaluatorName: id,
		Description: "Built-in evaluator that judges " + b.judges + ".",
		EvaluatorConfig: &api.EvaluatorConfig{LlmAsAJudge: &api.LlmAsAJudgeEvaluatorConfig{
			Instructions: "Judge " + b.judges + ".",
			RatingScale:  &api.RatingScale{Numerical: scale},
			ModelConfig:  &api.EvaluatorModelConfig{BedrockEvaluatorModelConfig: &api.BedrockEvaluatorModelConfig{ModelId: builtinJudgeModel}},
		}},
		Level: b.level, Status: api.EvaluatorStatusActive,
		CreatedAt: api.NewEpochTime(builtinEvaluatorsCreatedAt), UpdatedAt: api.NewEpochTime(builtinEvaluatorsCreatedAt),
	}
}

// refuseBuiltin answers for an id in the built-in namespace, which cannot
// be verb ("updated", "deleted"): not found, or ValidationException. It is
// nil for the id of a custom evaluator.
func refuseBuiltin(id, verb string) error {
	switch {
	case !isBuiltinEvaluatorID(id):
		return nil
	case builtinEvaluatorDoc(id) == nil:
		return evaluators.notFound(id)
	}
	return awserr.Validation("Evaluator '%s' is a built-in evaluator and cannot be %s.", id, verb)
}

// refuseLocked answers ConflictException (message: evaluator id, then
// configuration id) while an enabled online evaluation uses the evaluator.
func refuseLocked(ctx context.Context, tx store.Tx, sc scope, id, message string) error {
	locks, err := evaluatorLocks(ctx, tx, sc)
	if err != nil {
		return err
	}
	if cfgID := locks[id]; cfgID != "" {
		return awserr.Conflict(message, id, cfgID)
	}
	return nil
}

// withEvaluatorDefaults fills the documented default of a code-based
// evaluator's Lambda timeout.
func withEvaluatorDefaults(cfg *api.EvaluatorConfig) *api.EvaluatorConfig {
	if cfg == nil || cfg.CodeBased == nil || cfg.CodeBased.LambdaConfig == nil || cfg.CodeBased.LambdaConfig.LambdaTimeoutInSeconds != nil {
		return cfg
	}
	lambda := *cfg.CodeBased.LambdaConfig
	lambda.LambdaTimeoutInSeconds = ptr(int64(defaultLambdaTimeout))
	return &api.EvaluatorConfig{CodeBased: &api.CodeBasedEvaluatorConfig{LambdaConfig: &lambda}}
}

func evaluatorType(cfg *api.EvaluatorConfig) api.EvaluatorType {
	if cfg != nil && cfg.CodeBased != nil {
		return api.EvaluatorTypeCustomCode
	}
	return api.EvaluatorTypeCustom
}

func (s *Service) CreateEvaluator(ctx context.Context, in *api.CreateEvaluatorRequest) (*api.CreateEvaluatorResponse, error) {
	return create[api.CreateEvaluatorResponse](ctx, s, evaluators, creation{name: in.EvaluatorName, tags: in.Tags, from: in},
		func(_ store.Tx, _ scope, rec *evaluatorRecord) error {
			rec.EvaluatorConfig = withEvaluatorDefaults(in.EvaluatorConfig)
			return nil
		})
}

// GetEvaluator stays outside get: a built-in is synthesized without a
// transaction, and lockedForModification is read with the record.
func (s *Service) GetEvaluator(ctx context.Context, in *api.GetEvaluatorRequest) (*api.GetEvaluatorResponse, error) {
	doc := builtinEvaluatorDoc(in.EvaluatorId)
	if doc == nil {
		if isBuiltinEvaluatorID(in.EvaluatorId) {
			return nil, evaluators.notFound(in.EvaluatorId)
		}
		sc := scopeOf(ctx)
		var err error
		doc, err = readAnswer(ctx, s, func(tx store.Tx) (*api.GetEvaluatorResponse, error) {
			_, rec, err := evaluators.load(ctx, tx, sc, "", in.EvaluatorId)
			if err != nil {
				return nil, err
			}
			locks, err := evaluatorLocks(ctx, tx, sc)
			rec.LockedForModification = ptr(locks[in.EvaluatorId] != "")
			return &rec.GetEvaluatorResponse, err
		})
		if err != nil {
			return nil, err
		}
	}
	// includedData=METADATA_ONLY leaves out the instructions and the rating
	// scale (the model configuration stays).
	if c := doc.EvaluatorConfig; in.IncludedData == api.IncludedDataMetadataOnly && c != nil && c.LlmAsAJudge != nil {
		doc.EvaluatorConfig = &api.EvaluatorConfig{LlmAsAJudge: &api.LlmAsAJudgeEvaluatorConfig{ModelConfig: c.LlmAsAJudge.ModelConfig}}
	}
	return doc, nil
}

func (s *Service) UpdateEvaluator(ctx context.Context, in *api.UpdateEvaluatorRequest) (*api.UpdateEvaluatorResponse, error) {
	if err := refuseBuiltin(in.EvaluatorId, "updated"); err != nil {
		return nil, err
	}
	return update[api.UpdateEvaluatorResponse](ctx, s, evaluators, "", in.EvaluatorId, in,
		func(tx store.Tx, sc scope, _ *store.Resource, rec *evaluatorRecord) error {
			if in.EvaluatorConfig != nil {
				rec.EvaluatorConfig = withEvaluatorDefaults(in.EvaluatorConfig)
			}
			return refuseLocked(ctx, tx, sc, in.EvaluatorId,
				"Evaluator '%s' is locked for modification: the enabled online evaluation configuration '%s' uses it.")
		})
}

func (s *Service) DeleteEvaluator(ctx context.Context, in *api.DeleteEvaluatorRequest) (*api.DeleteEvaluatorResponse, error) {
	if err := refuseBuiltin(in.EvaluatorId, "deleted"); err != nil {
		return nil, err
	}
	return remove[api.DeleteEvaluatorResponse](ctx, s, evaluators, "", in.EvaluatorId)
}

// ListEvaluators lists the built-ins, then the caller's evaluators. A token
// either points into the built-in table (parent builtinPageParent, seq = the
// next index) or is an ordinary keyset token over the stored rows.
func (s *Service) ListEvaluators(ctx context.Context, in *api.ListEvaluatorsRequest) (*api.ListEvaluatorsResponse, error) {
	sc := scopeOf(ctx)
	limit := intValue(in.MaxResults, defaultEvaluatorLimit)
	start, customToken := 0, ""
	if in.NextToken != "" {
		i, err := s.decodePageToken(sc, in.NextToken, kindEvaluator, builtinPageParent)
		switch {
		case err != nil:
			start, customToken = len(builtinEvaluators), in.NextToken
		case i < 0 || int(i) > len(builtinEvaluators):
			return nil, invalidToken()
		default:
			start = int(i)
		}
	}
	return readAnswer(ctx, s, func(tx store.Tx) (*api.ListEvaluatorsResponse, error) {
		out := &api.ListEvaluatorsResponse{Evaluators: []api.EvaluatorSummary{}}
		end := min(start+limit, len(builtinEvaluators))
		for _, b := range builtinEvaluators[start:end] {
			out.Evaluators = append(out.Evaluators, evaluatorSummary(b.doc(), api.EvaluatorTypeBuiltin, nil))
		}
		if end < len(builtinEvaluators) {
			out.NextToken = s.encodePageToken(sc, pageToken{Kind: kindEvaluator, Parent: builtinPageParent, Seq: int64(end)})
			return out, nil
		}
		room := limit - len(out.Evaluators)
		if room == 0 {
			// The page ends with the last built-in: hand out a token only if
			// stored evaluators follow.
			n, err := tx.Count(ctx, sc.account, sc.region, kindEvaluator, "")
			if n > 0 {
				out.NextToken = s.encodePageToken(sc, pageToken{Kind: kindEvaluator})
			}
			return out, err
		}
		rows, next, err := s.page(ctx, tx, sc, kindEvaluator, "", ptr(int64(room)), room, customToken)
		if err != nil {
			return nil, err
		}
		out.NextToken = next
		locks, err := evaluatorLocks(ctx, tx, sc)
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			var rec evaluatorRecord
			if err := decodeDoc(r, &rec); err != nil {
				return nil, err
			}
			out.Evaluators = append(out.Evaluators, evaluatorSummary(&rec.GetEvaluatorResponse,
				evaluatorType(rec.EvaluatorConfig), ptr(locks[rec.EvaluatorId] != "")))
		}
		return out, nil
	})
}

func evaluatorSummary(e *api.GetEvaluatorResponse, typ api.EvaluatorType, locked *bool) api.EvaluatorSummary {
	sum := members.Project[api.EvaluatorSummary](e)
	sum.EvaluatorType, sum.LockedForModification = typ, locked
	return *sum
}
