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
//   - A rule without sessionConfig reports the documented default of 15
//     minutes.

import (
	"context"
	"errors"
	"time"

	"agentcored/internal/api"
	"agentcored/internal/awserr"
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
	// PendingFailure, set by an injected fault, makes the pending transition
	// end in *_FAILED with this reason.
	PendingFailure string `json:"pendingFailure,omitempty"`
}

func onlineEvalNotFound(id string) error {
	return awserr.NotFound("Online evaluation configuration '%s' was not found.", id)
}

func onlineEvalNameTaken(name string) error {
	return awserr.Conflict("An online evaluation configuration named '%s' already exists in this account and region.", name)
}

func (s *Service) getOnlineEval(ctx context.Context, tx store.Tx, id string) (*store.Resource, *onlineEvalRecord, error) {
	return loadDoc[onlineEvalRecord](ctx, tx, scopeOf(ctx).key(kindOnlineEval, id), func() error { return onlineEvalNotFound(id) })
}

// evaluatorLocks maps each custom evaluator that an enabled online
// evaluation configuration uses to one such configuration's id.
func (s *Service) evaluatorLocks(ctx context.Context, tx store.Tx, sc scope) (map[string]string, error) {
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
func (s *Service) checkEvaluatorRefs(ctx context.Context, tx store.Tx, refs []api.EvaluatorReference) error {
	seen := map[string]bool{}
	for _, ref := range refs {
		id := ref.EvaluatorId
		if seen[id] {
			return awserr.Validation("1 validation error detected: Value at 'evaluators' failed to satisfy constraint: Evaluator '%s' is listed more than once", id)
		}
		seen[id] = true
		if isBuiltinEvaluatorID(id) {
			if _, ok := findBuiltinEvaluator(id); !ok {
				return awserr.Validation("Evaluator '%s' does not exist.", id)
			}
			continue
		}
		_, rec, err := s.getEvaluator(ctx, tx, id)
		var ae *awserr.Error
		if errors.As(err, &ae) && ae.Code == awserr.CodeNotFound {
			return awserr.Validation("Evaluator '%s' does not exist.", id)
		}
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

// withRuleDefaults fills the documented session timeout.
func withRuleDefaults(r *api.Rule) *api.Rule {
	if r == nil || r.SessionConfig != nil {
		return r
	}
	out := *r
	out.SessionConfig = &api.SessionConfig{SessionTimeoutMinutes: ptr(int64(defaultSessionTimeoutMins))}
	return &out
}

func (s *Service) CreateOnlineEvaluationConfig(ctx context.Context, in *api.CreateOnlineEvaluationConfigRequest) (*api.CreateOnlineEvaluationConfigResponse, error) {
	if err := checkTagKeys("tags", mapKeys(in.Tags)); err != nil {
		return nil, err
	}
	sc := scopeOf(ctx)
	return mutate(ctx, s, func(tx store.Tx) (*api.CreateOnlineEvaluationConfigResponse, error) {
		if err := checkEvaluationName(ctx, tx, sc, kindOnlineEval, in.OnlineEvaluationConfigName,
			s.quotas.OnlineEvaluationConfigsPerAccount, onlineEvalNameTaken, "online evaluation configurations"); err != nil {
			return nil, err
		}
		if err := s.checkEvaluatorRefs(ctx, tx, in.Evaluators); err != nil {
			return nil, err
		}
		now := s.now().UTC()
		id := newID(in.OnlineEvaluationConfigName)
		exec := api.OnlineEvaluationExecutionStatusDisabled
		if in.EnableOnCreate != nil && *in.EnableOnCreate {
			exec = api.OnlineEvaluationExecutionStatusEnabled
		}
		rec := onlineEvalRecord{GetOnlineEvaluationConfigResponse: api.GetOnlineEvaluationConfigResponse{
			OnlineEvaluationConfigArn: sc.arn("online-evaluation-config/" + id), OnlineEvaluationConfigId: id,
			OnlineEvaluationConfigName: in.OnlineEvaluationConfigName, Description: in.Description,
			Rule: withRuleDefaults(in.Rule), DataSourceConfig: in.DataSourceConfig, Evaluators: in.Evaluators,
			OutputConfig:               &api.OutputConfig{CloudWatchConfig: &api.CloudWatchOutputConfig{LogGroupName: evaluationResultsLogPrefix + id}},
			EvaluationExecutionRoleArn: in.EvaluationExecutionRoleArn,
			Status:                     api.OnlineEvaluationConfigStatusCreating, ExecutionStatus: exec,
			CreatedAt: api.NewEpochTime(now), UpdatedAt: api.NewEpochTime(now),
		}}
		rec.PendingFailure = s.injectedFailure(ctx, "CreateOnlineEvaluationConfig")
		row := &store.Resource{Account: sc.account, Region: sc.region, Kind: kindOnlineEval, ID: id, Name: in.OnlineEvaluationConfigName,
			ARN: rec.OnlineEvaluationConfigArn, Status: string(rec.Status), CreatedAt: now, UpdatedAt: now, Doc: encodeDoc(rec)}
		if err := s.insertEvaluation(ctx, tx, row, in.Tags, onlineEvalNameTaken); err != nil {
			return nil, err
		}
		if err := s.lifecycle.Schedule(ctx, tx, row); err != nil {
			return nil, err
		}
		return &api.CreateOnlineEvaluationConfigResponse{
			OnlineEvaluationConfigArn: rec.OnlineEvaluationConfigArn, OnlineEvaluationConfigId: id, CreatedAt: rec.CreatedAt,
			OutputConfig: rec.OutputConfig, Status: rec.Status, ExecutionStatus: rec.ExecutionStatus,
		}, nil
	})
}

func (s *Service) GetOnlineEvaluationConfig(ctx context.Context, in *api.GetOnlineEvaluationConfigRequest) (*api.GetOnlineEvaluationConfigResponse, error) {
	var rec *onlineEvalRecord
	err := s.read(ctx, func(tx store.Tx) error {
		var err error
		_, rec, err = s.getOnlineEval(ctx, tx, in.OnlineEvaluationConfigId)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &rec.GetOnlineEvaluationConfigResponse, nil
}

func (s *Service) UpdateOnlineEvaluationConfig(ctx context.Context, in *api.UpdateOnlineEvaluationConfigRequest) (*api.UpdateOnlineEvaluationConfigResponse, error) {
	return mutate(ctx, s, func(tx store.Tx) (*api.UpdateOnlineEvaluationConfigResponse, error) {
		row, rec, err := s.getOnlineEval(ctx, tx, in.OnlineEvaluationConfigId)
		if err != nil {
			return nil, err
		}
		if transitional(row.Status) {
			return nil, awserr.Conflict("Online evaluation configuration '%s' is %s; wait until the change completes and try again.", in.OnlineEvaluationConfigId, row.Status)
		}
		enabling := in.ExecutionStatus == api.OnlineEvaluationExecutionStatusEnabled && rec.ExecutionStatus != api.OnlineEvaluationExecutionStatusEnabled
		switch {
		case in.Evaluators != nil:
			err = s.checkEvaluatorRefs(ctx, tx, in.Evaluators)
		case enabling:
			err = s.checkEvaluatorRefs(ctx, tx, rec.Evaluators)
		}
		if err != nil {
			return nil, err
		}
		// Members left out keep their value.
		if in.Description != "" {
			rec.Description = in.Description
		}
		if in.Rule != nil {
			rec.Rule = withRuleDefaults(in.Rule)
		}
		if in.DataSourceConfig != nil {
			rec.DataSourceConfig = in.DataSourceConfig
		}
		if in.Evaluators != nil {
			rec.Evaluators = in.Evaluators
		}
		if in.EvaluationExecutionRoleArn != "" {
			rec.EvaluationExecutionRoleArn = in.EvaluationExecutionRoleArn
		}
		if in.ExecutionStatus != "" {
			rec.ExecutionStatus = in.ExecutionStatus
		}
		now := s.now().UTC()
		rec.Status = api.OnlineEvaluationConfigStatusUpdating
		rec.FailureReason = ""
		rec.UpdatedAt = api.NewEpochTime(now)
		rec.PendingFailure = s.injectedFailure(ctx, "UpdateOnlineEvaluationConfig")
		if err := s.transition(ctx, tx, row, string(rec.Status), rec, now); err != nil {
			return nil, err
		}
		return &api.UpdateOnlineEvaluationConfigResponse{
			OnlineEvaluationConfigArn: rec.OnlineEvaluationConfigArn, OnlineEvaluationConfigId: rec.OnlineEvaluationConfigId,
			UpdatedAt: rec.UpdatedAt, Status: rec.Status, ExecutionStatus: rec.ExecutionStatus,
		}, nil
	})
}

func (s *Service) DeleteOnlineEvaluationConfig(ctx context.Context, in *api.DeleteOnlineEvaluationConfigRequest) (*api.DeleteOnlineEvaluationConfigResponse, error) {
	return mutate(ctx, s, func(tx store.Tx) (*api.DeleteOnlineEvaluationConfigResponse, error) {
		row, rec, err := s.getOnlineEval(ctx, tx, in.OnlineEvaluationConfigId)
		if err != nil {
			return nil, err
		}
		out := &api.DeleteOnlineEvaluationConfigResponse{OnlineEvaluationConfigArn: rec.OnlineEvaluationConfigArn,
			OnlineEvaluationConfigId: rec.OnlineEvaluationConfigId, Status: api.OnlineEvaluationConfigStatusDeleting}
		if rec.Status == api.OnlineEvaluationConfigStatusDeleting {
			return out, nil
		}
		// Deleting stops the evaluation at once, which also unlocks its
		// evaluators.
		now := s.now().UTC()
		rec.Status = api.OnlineEvaluationConfigStatusDeleting
		rec.ExecutionStatus = api.OnlineEvaluationExecutionStatusDisabled
		rec.UpdatedAt = api.NewEpochTime(now)
		rec.PendingFailure = ""
		return out, s.transition(ctx, tx, row, string(rec.Status), rec, now)
	})
}

func (s *Service) ListOnlineEvaluationConfigs(ctx context.Context, in *api.ListOnlineEvaluationConfigsRequest) (*api.ListOnlineEvaluationConfigsResponse, error) {
	out := &api.ListOnlineEvaluationConfigsResponse{OnlineEvaluationConfigs: []api.OnlineEvaluationConfigSummary{}}
	sc := scopeOf(ctx)
	err := s.read(ctx, func(tx store.Tx) error {
		rows, next, err := s.page(ctx, tx, sc, kindOnlineEval, "", in.MaxResults, defaultEvaluatorLimit, in.NextToken)
		if err != nil {
			return err
		}
		out.NextToken = next
		for _, r := range rows {
			var rec onlineEvalRecord
			if err := decodeDoc(r, &rec); err != nil {
				return err
			}
			c := &rec.GetOnlineEvaluationConfigResponse
			out.OnlineEvaluationConfigs = append(out.OnlineEvaluationConfigs, api.OnlineEvaluationConfigSummary{
				OnlineEvaluationConfigArn: c.OnlineEvaluationConfigArn, OnlineEvaluationConfigId: c.OnlineEvaluationConfigId,
				OnlineEvaluationConfigName: c.OnlineEvaluationConfigName, Description: c.Description,
				Status: c.Status, ExecutionStatus: c.ExecutionStatus, CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt,
				FailureReason: c.FailureReason,
			})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// reconcileOnlineEval completes an online evaluation configuration's
// pending transition.
func (s *Service) reconcileOnlineEval(ctx context.Context, tx store.Tx, row *store.Resource, now time.Time) error {
	var rec onlineEvalRecord
	if err := decodeDoc(row, &rec); err != nil {
		return err
	}
	switch rec.Status {
	case api.OnlineEvaluationConfigStatusCreating, api.OnlineEvaluationConfigStatusUpdating:
		next := api.OnlineEvaluationConfigStatusActive
		if rec.PendingFailure != "" {
			rec.FailureReason = rec.PendingFailure
			next = api.OnlineEvaluationConfigStatusUpdateFailed
			if rec.Status == api.OnlineEvaluationConfigStatusCreating {
				// A configuration that never came up evaluates nothing.
				next = api.OnlineEvaluationConfigStatusCreateFailed
				rec.ExecutionStatus = api.OnlineEvaluationExecutionStatusDisabled
			}
		}
		rec.Status = next
		rec.PendingFailure = ""
		rec.UpdatedAt = api.NewEpochTime(now)
		return saveDoc(ctx, tx, row, string(next), rec, now)
	case api.OnlineEvaluationConfigStatusDeleting:
		return s.removeResource(ctx, tx, row)
	}
	return nil
}
