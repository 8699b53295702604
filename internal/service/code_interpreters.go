package service

import (
	"context"
	"time"

	"agentcored/internal/api"
	"agentcored/internal/awserr"
	"agentcored/internal/store"
)

// Code interpreters: the same lifecycle as browsers (see browsers.go for the
// decisions about the built-in aws.codeinterpreter.v1), with SANDBOX as a
// third network mode.

type codeInterpreterRecord struct {
	api.GetCodeInterpreterResponse
	PendingFailure string `json:"pendingFailure,omitempty"`
}

func codeInterpreterNotFound(id string) error {
	return awserr.NotFound("Code interpreter '%s' was not found.", id)
}

func builtinCodeInterpreter(sc scope) *api.GetCodeInterpreterResponse {
	return &api.GetCodeInterpreterResponse{
		CodeInterpreterId: builtinInterpreterID, CodeInterpreterArn: builtinARN(sc, "code-interpreter/"+builtinInterpreterID),
		Name: "Amazon Bedrock AgentCore Code Interpreter", Description: "AWS built-in code interpreter for secure code execution",
		NetworkConfiguration: &api.CodeInterpreterNetworkConfiguration{NetworkMode: api.CodeInterpreterNetworkModeSandbox},
		Status:               api.CodeInterpreterStatusReady,
		CreatedAt:            api.NewDateTime(builtinCreatedAt), LastUpdatedAt: api.NewDateTime(builtinCreatedAt),
	}
}

func (s *Service) getCodeInterpreter(ctx context.Context, tx store.Tx, id string) (*store.Resource, *codeInterpreterRecord, error) {
	return loadDoc[codeInterpreterRecord](ctx, tx, scopeOf(ctx).key(kindCodeInterpreter, id), func() error { return codeInterpreterNotFound(id) })
}

func (s *Service) CreateCodeInterpreter(ctx context.Context, in *api.CreateCodeInterpreterRequest) (*api.CreateCodeInterpreterResponse, error) {
	n := in.NetworkConfiguration
	if err := checkNetwork("networkConfiguration", string(n.NetworkMode), n.VpcConfig != nil, "vpcConfig"); err != nil {
		return nil, err
	}
	if err := checkTagKeys("tags", mapKeys(in.Tags)); err != nil {
		return nil, err
	}
	sc := scopeOf(ctx)
	return mutate(ctx, s, func(tx store.Tx) (*api.CreateCodeInterpreterResponse, error) {
		if err := checkNamed(ctx, tx, sc, kindCodeInterpreter, in.Name, s.quotas.InterpretersPerAccount, "code interpreter"); err != nil {
			return nil, err
		}
		now := s.now().UTC()
		id := newID(in.Name)
		rec := codeInterpreterRecord{GetCodeInterpreterResponse: api.GetCodeInterpreterResponse{
			CodeInterpreterId: id, CodeInterpreterArn: sc.arn("code-interpreter-custom/" + id), Name: in.Name,
			Description: in.Description, ExecutionRoleArn: in.ExecutionRoleArn, NetworkConfiguration: in.NetworkConfiguration,
			Certificates: in.Certificates, Status: api.CodeInterpreterStatusCreating,
			CreatedAt: api.NewDateTime(now), LastUpdatedAt: api.NewDateTime(now),
		}}
		rec.PendingFailure = s.injectedFailure(ctx, "CreateCodeInterpreter")
		row := &store.Resource{Account: sc.account, Region: sc.region, Kind: kindCodeInterpreter, ID: id, Name: in.Name,
			ARN: rec.CodeInterpreterArn, Status: string(rec.Status), CreatedAt: now, UpdatedAt: now, Doc: encodeDoc(rec)}
		if err := s.insertNamed(ctx, tx, row, in.Tags, "code interpreter"); err != nil {
			return nil, err
		}
		if err := s.lifecycle.Schedule(ctx, tx, row); err != nil {
			return nil, err
		}
		return &api.CreateCodeInterpreterResponse{
			CodeInterpreterId: id, CodeInterpreterArn: rec.CodeInterpreterArn, CreatedAt: rec.CreatedAt,
			Status: api.CodeInterpreterStatusCreating,
		}, nil
	})
}

func (s *Service) GetCodeInterpreter(ctx context.Context, in *api.GetCodeInterpreterRequest) (*api.GetCodeInterpreterResponse, error) {
	if in.CodeInterpreterId == builtinInterpreterID {
		return builtinCodeInterpreter(scopeOf(ctx)), nil
	}
	var rec *codeInterpreterRecord
	err := s.read(ctx, func(tx store.Tx) error {
		var err error
		_, rec, err = s.getCodeInterpreter(ctx, tx, in.CodeInterpreterId)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &rec.GetCodeInterpreterResponse, nil
}

func (s *Service) DeleteCodeInterpreter(ctx context.Context, in *api.DeleteCodeInterpreterRequest) (*api.DeleteCodeInterpreterResponse, error) {
	if in.CodeInterpreterId == builtinInterpreterID {
		return nil, awserr.Validation("Code interpreter '%s' is managed by AWS and cannot be deleted.", in.CodeInterpreterId)
	}
	return mutate(ctx, s, func(tx store.Tx) (*api.DeleteCodeInterpreterResponse, error) {
		row, rec, err := s.getCodeInterpreter(ctx, tx, in.CodeInterpreterId)
		if err != nil {
			return nil, err
		}
		if rec.Status == api.CodeInterpreterStatusDeleting {
			return &api.DeleteCodeInterpreterResponse{CodeInterpreterId: in.CodeInterpreterId, Status: rec.Status, LastUpdatedAt: rec.LastUpdatedAt}, nil
		}
		now := s.now().UTC()
		rec.Status = api.CodeInterpreterStatusDeleting
		rec.FailureReason = ""
		rec.PendingFailure = s.injectedFailure(ctx, "DeleteCodeInterpreter")
		rec.LastUpdatedAt = api.NewDateTime(now)
		if err := s.transition(ctx, tx, row, string(rec.Status), rec, now); err != nil {
			return nil, err
		}
		return &api.DeleteCodeInterpreterResponse{
			CodeInterpreterId: in.CodeInterpreterId, Status: api.CodeInterpreterStatusDeleting, LastUpdatedAt: rec.LastUpdatedAt,
		}, nil
	})
}

func (s *Service) ListCodeInterpreters(ctx context.Context, in *api.ListCodeInterpretersRequest) (*api.ListCodeInterpretersResponse, error) {
	out := &api.ListCodeInterpretersResponse{CodeInterpreterSummaries: []api.CodeInterpreterSummary{}}
	err := s.read(ctx, func(tx store.Tx) error {
		rows, system, next, err := s.pageSandboxes(ctx, tx, kindCodeInterpreter, in.Type, in.MaxResults, in.NextToken)
		if err != nil {
			return err
		}
		if system {
			out.CodeInterpreterSummaries = append(out.CodeInterpreterSummaries, codeInterpreterSummary(builtinCodeInterpreter(scopeOf(ctx))))
		}
		out.NextToken = next
		for _, r := range rows {
			var rec codeInterpreterRecord
			if err := decodeDoc(r, &rec); err != nil {
				return err
			}
			out.CodeInterpreterSummaries = append(out.CodeInterpreterSummaries, codeInterpreterSummary(&rec.GetCodeInterpreterResponse))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func codeInterpreterSummary(c *api.GetCodeInterpreterResponse) api.CodeInterpreterSummary {
	return api.CodeInterpreterSummary{
		CodeInterpreterId: c.CodeInterpreterId, CodeInterpreterArn: c.CodeInterpreterArn, Name: c.Name,
		Description: c.Description, Status: c.Status, CreatedAt: c.CreatedAt, LastUpdatedAt: c.LastUpdatedAt,
	}
}

// reconcileCodeInterpreter completes a code interpreter's pending creation
// or deletion.
func (s *Service) reconcileCodeInterpreter(ctx context.Context, tx store.Tx, row *store.Resource, now time.Time) error {
	var rec codeInterpreterRecord
	if err := decodeDoc(row, &rec); err != nil {
		return err
	}
	next, reason, gone := nextSandboxStatus(string(rec.Status), rec.PendingFailure)
	if gone {
		return s.removeResource(ctx, tx, row)
	}
	if next == string(rec.Status) {
		return nil
	}
	rec.Status = api.CodeInterpreterStatus(next)
	rec.FailureReason = reason
	rec.PendingFailure = ""
	rec.LastUpdatedAt = api.NewDateTime(now)
	return saveDoc(ctx, tx, row, next, rec, now)
}
