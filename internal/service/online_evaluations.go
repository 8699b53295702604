package service

// Online evaluation configurations: continuous evaluation of live agent
// traces by up to 10 evaluators (built-in or custom).
//
// Create and Update answer 202 with CREATING / UPDATING; the row moves to
// ACTIVE, or to CREATE_FAILED / UPDATE_FAILED with a failureReason (injected
// faults). Delete answers 202 with DELETING and the row disappears. The
// status ERROR (a running evaluation that broke) is never produced: nothing
// is evaluated here. executionStatus is ENABLED or DISABLED as asked
// (enableOnCreate, then Update's executionStatus); a configuration whose
// creation failed, or that is being deleted, reports DISABLED.
//
// Decisions where the reference is thin:
//   - Every evaluator referenced must exist (a built-in of the table in
//     evaluators.go, or a custom evaluator of the caller that is neither
//     being deleted nor failed to create), and may be listed once; otherwise
//     ValidationException (the operations model no ResourceNotFoundException).
//     Update checks the list it is given, and the stored list when it turns
//     the configuration on.
//   - The service writes results to a log group of its own choosing; the
//     outputConfig reported is /aws/bedrock-agentcore/evaluations/results/<id>.
//   - evaluators became optional in botocore 1.43.67, beside the new insights
//     and clusteringConfig: a configuration may run evaluators, insights
//     (the devguide's "recurring insights report": a configuration with
//     insights and a clustering schedule) or both. One with neither would
//     evaluate nothing, so Create and Update refuse it (ValidationException).
//     insights and clusteringConfig are stored as given (insight ids are not
//     resolved) and reported by Get and the listing; Update replaces each
//     one it gives.
//   - A rule without sessionConfig reports the documented default of 15
//     minutes.
//   - dataSourceConfig.cloudWatchLogs.logGroupNames: botocore 1.43.67
//     requires it; aws-sdk-go-v2 v1.81.0 does not (the overlay makes it
//     optional, models/overlay/README.md), because the newer API reference
//     lets a configuration name its log groups by prefix instead
//     (logGroupNamePrefixes: "Specify either logGroupNames or
//     logGroupNamePrefixes, not both. One of the two is required.") and
//     gives logGroupNames "Minimum number of 0 items"; the Python SDK
//     defaults it to an empty list. agentcored reads no logs and its model
//     has no logGroupNamePrefixes (a request's unknown members are ignored),
//     so a configuration without logGroupNames is accepted and Get answers
//     logGroupNames as an empty list beside the serviceNames given: which
//     log groups would be read is not recorded.

import (
	"context"

	"agentcored/internal/api"
	"agentcored/internal/awserr"
	"agentcored/internal/members"
	"agentcored/internal/store"
)

const (
	kindOnlineEval             = "online-evaluation-config"
	defaultSessionTimeoutMins  = 15
	evaluationResultsLogPrefix = "/aws/bedrock-agentcore/evaluations/results/"
)

// onlineEvalRecord is the document of an online evaluation configuration row.
type onlineEvalRecord struct {
	api.GetOnlineEvaluationConfigResponse
	failable
}

var onlineEvals = &family[onlineEvalRecord]{
	kind: kindOnlineEval, group: familyEvaluators, noun: "online evaluation configuration", arnPath: "online-evaluation-config/",
	fields: fields{ID: "OnlineEvaluationConfigId", ARN: "OnlineEvaluationConfigArn", Status: "Status", Reason: "FailureReason",
		Created: "CreatedAt", Updated: "UpdatedAt"},
	states: activeStates, quota: func(q Quotas) int { return q.OnlineEvaluationConfigsPerAccount }, listLimit: defaultEvaluatorLimit,
	taken: nameTakenAn("online evaluation configuration"),
	// Deleting stops the evaluation at once, which also unlocks its
	// evaluators.
	beforeDelete: func(_ context.Context, _ store.Tx, _ scope, _ *store.Resource, rec *onlineEvalRecord) error {
		rec.ExecutionStatus = api.OnlineEvaluationExecutionStatusDisabled
		return nil
	},
	// A configuration that never came up evaluates nothing.
	settled: func(_ context.Context, _ *Service, _ store.Tx, _ *store.Resource, rec *onlineEvalRecord, _ string) error {
		if rec.Status == api.OnlineEvaluationConfigStatusCreateFailed {
			rec.ExecutionStatus = api.OnlineEvaluationExecutionStatusDisabled
		}
		return nil
	},
}

// evaluatorLocks maps each custom evaluator that an enabled online
// evaluation configuration uses to one such configuration's id.
func evaluatorLocks(ctx context.Context, tx store.Tx, sc scope) (map[string]string, error) {
	rows, err := tx.List(ctx, store.ListQuery{Account: sc.account, Region: sc.region, Kind: kindOnlineEval})
	if err != nil {
		return nil, err
	}
	locks := map[string]string{}
	for _, r := range rows {
		var rec onlineEvalRecord
		if err := decodeDoc(r, &rec); err != nil {
			return nil, err
		}
		if rec.ExecutionStatus != api.OnlineEvaluationExecutionStatusEnabled || rec.Status == api.OnlineEvaluationConfigStatusDeleting {
			continue
		}
		for _, e := range rec.Evaluators {
			if _, ok := locks[e.EvaluatorId]; !ok && !isBuiltinEvaluatorID(e.EvaluatorId) {
				locks[e.EvaluatorId] = rec.OnlineEvaluationConfigId
			}
		}
	}
	return locks, nil
}

// checkEvaluatorRefs enforces that every evaluator referenced exists, is
// usable and is listed once.
func checkEvaluatorRefs(ctx context.Context, tx store.Tx, sc scope, refs []api.EvaluatorReference) error {
	seen := map[string]bool{}
	for _, ref := range refs {
		id := ref.EvaluatorId
		if seen[id] {
			return awserr.Validation("1 validation error detected: Value at 'evaluators' failed to satisfy constraint: Evaluator '%s' is listed more than once", id)
		}
		seen[id] = true
		missing := func() error { return awserr.Validation("Evaluator '%s' does not exist.", id) }
		if isBuiltinEvaluatorID(id) {
			if builtinEvaluatorDoc(id) == nil {
				return missing()
			}
			continue
		}
		_, rec, err := loadDoc[evaluatorRecord](ctx, tx, sc.key(kindEvaluator, id), missing)
		if err != nil {
			return err
		}
		switch rec.Status {
		case api.EvaluatorStatusDeleting, api.EvaluatorStatusCreateFailed:
			return awserr.Validation("Evaluator '%s' is %s and cannot be used.", id, rec.Status)
		}
	}
	return nil
}

// checkSomethingToRun refuses a configuration with neither evaluators nor
// insights.
func checkSomethingToRun(rec *onlineEvalRecord) error {
	if len(rec.Evaluators) == 0 && len(rec.Insights) == 0 {
		return awserr.Validation("An online evaluation configuration needs at least one evaluator or insight.")
	}
	return nil
}

// withRuleDefaults fills the documented session timeout.
func withRuleDefaults(r *api.Rule) *api.Rule {
	if r == nil || r.SessionConfig != nil {
		return r
	}
	out := *r
	out.SessionConfig = &api.SessionConfig{SessionTimeoutMinutes: ptr(int64(defaultSessionTimeoutMins))}
	return &out
}

// withDataSourceDefaults answers an absent logGroupNames as the documented
// empty list.
func withDataSourceDefaults(d *api.DataSourceConfig) *api.DataSourceConfig {
	if d == nil || d.CloudWatchLogs == nil || d.CloudWatchLogs.LogGroupNames != nil {
		return d
	}
	logs := *d.CloudWatchLogs
	logs.LogGroupNames = []string{}
	return &api.DataSourceConfig{CloudWatchLogs: &logs}
}

func (s *Service) CreateOnlineEvaluationConfig(ctx context.Context, in *api.CreateOnlineEvaluationConfigRequest) (*api.CreateOnlineEvaluationConfigResponse, error) {
	return create[api.CreateOnlineEvaluationConfigResponse](ctx, s, onlineEvals,
		creation{name: in.OnlineEvaluationConfigName, tags: in.Tags, from: in},
		func(tx store.Tx, sc scope, rec *onlineEvalRecord) error {
			rec.Rule = withRuleDefaults(in.Rule)
			rec.DataSourceConfig = withDataSourceDefaults(in.DataSourceConfig)
			rec.OutputConfig = &api.OutputConfig{CloudWatchConfig: &api.CloudWatchOutputConfig{LogGroupName: evaluationResultsLogPrefix + rec.OnlineEvaluationConfigId}}
			rec.ExecutionStatus = api.OnlineEvaluationExecutionStatusDisabled
			if in.EnableOnCreate != nil && *in.EnableOnCreate {
				rec.ExecutionStatus = api.OnlineEvaluationExecutionStatusEnabled
			}
			if err := checkSomethingToRun(rec); err != nil {
				return err
			}
			return checkEvaluatorRefs(ctx, tx, sc, in.Evaluators)
		})
}

func (s *Service) GetOnlineEvaluationConfig(ctx context.Context, in *api.GetOnlineEvaluationConfigRequest) (*api.GetOnlineEvaluationConfigResponse, error) {
	return get[api.GetOnlineEvaluationConfigResponse](ctx, s, onlineEvals, "", in.OnlineEvaluationConfigId)
}

func (s *Service) UpdateOnlineEvaluationConfig(ctx context.Context, in *api.UpdateOnlineEvaluationConfigRequest) (*api.UpdateOnlineEvaluationConfigResponse, error) {
	return update[api.UpdateOnlineEvaluationConfigResponse](ctx, s, onlineEvals, "", in.OnlineEvaluationConfigId, nil,
		func(tx store.Tx, sc scope, _ *store.Resource, rec *onlineEvalRecord) error {
			enabling := in.ExecutionStatus == api.OnlineEvaluationExecutionStatusEnabled && rec.ExecutionStatus != api.OnlineEvaluationExecutionStatusEnabled
			var err error
			switch {
			case in.Evaluators != nil:
				err = checkEvaluatorRefs(ctx, tx, sc, in.Evaluators)
			case enabling:
				err = checkEvaluatorRefs(ctx, tx, sc, rec.Evaluators)
			}
			// Members left out keep their value; an empty list given
			// replaces the stored one.
			members.Patch(rec, in)
			if in.Evaluators != nil {
				rec.Evaluators = in.Evaluators
			}
			if in.Insights != nil {
				rec.Insights = in.Insights
			}
			if in.Rule != nil {
				rec.Rule = withRuleDefaults(in.Rule)
			}
			if in.DataSourceConfig != nil {
				rec.DataSourceConfig = withDataSourceDefaults(in.DataSourceConfig)
			}
			if err != nil {
				return err
			}
			return checkSomethingToRun(rec)
		})
}

func (s *Service) DeleteOnlineEvaluationConfig(ctx context.Context, in *api.DeleteOnlineEvaluationConfigRequest) (*api.DeleteOnlineEvaluationConfigResponse, error) {
	return remove[api.DeleteOnlineEvaluationConfigResponse](ctx, s, onlineEvals, "", in.OnlineEvaluationConfigId)
}

func (s *Service) ListOnlineEvaluationConfigs(ctx context.Context, in *api.ListOnlineEvaluationConfigsRequest) (*api.ListOnlineEvaluationConfigsResponse, error) {
	return answerPage[api.ListOnlineEvaluationConfigsResponse](list[api.OnlineEvaluationConfigSummary](ctx, s, onlineEvals,
		listing[onlineEvalRecord]{maxResults: in.MaxResults, nextToken: in.NextToken}))
}
