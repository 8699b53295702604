package service

import (
	"context"

	"agentcored/internal/api"
)

// Code interpreters: the same lifecycle as browsers (see browsers.go for the
// decisions about the built-in aws.codeinterpreter.v1), with SANDBOX as a
// third network mode.

type codeInterpreterRecord struct {
	api.GetCodeInterpreterResponse
	failable
}

var codeInterpreters = &family[codeInterpreterRecord]{
	kind: kindCodeInterpreter, group: familyCodeInterpreters, noun: "code interpreter", arnPath: "code-interpreter-custom/",
	fields: fields{ID: "CodeInterpreterId", ARN: "CodeInterpreterArn", Status: "Status", Reason: "FailureReason", Created: "CreatedAt", Updated: "LastUpdatedAt"},
	states: asyncStates, quota: func(q Quotas) int { return q.InterpretersPerAccount }, listLimit: defaultSandboxListLimit,
}

func builtinCodeInterpreter(sc scope) any {
	return &api.GetCodeInterpreterResponse{
		CodeInterpreterId: builtinInterpreterID, CodeInterpreterArn: builtinARN(sc, "code-interpreter/"+builtinInterpreterID),
		Name: "Amazon Bedrock AgentCore Code Interpreter", Description: "AWS built-in code interpreter for secure code execution",
		NetworkConfiguration: &api.CodeInterpreterNetworkConfiguration{NetworkMode: api.CodeInterpreterNetworkModeSandbox},
		Status:               api.CodeInterpreterStatusReady,
		CreatedAt:            api.NewDateTime(builtinCreatedAt), LastUpdatedAt: api.NewDateTime(builtinCreatedAt),
	}
}

func (s *Service) CreateCodeInterpreter(ctx context.Context, in *api.CreateCodeInterpreterRequest) (*api.CreateCodeInterpreterResponse, error) {
	n := in.NetworkConfiguration
	if err := checkNetwork("networkConfiguration", string(n.NetworkMode), n.VpcConfig != nil, "vpcConfig"); err != nil {
		return nil, err
	}
	return create[api.CreateCodeInterpreterResponse](ctx, s, codeInterpreters, creation{name: in.Name, tags: in.Tags, from: in}, nil)
}

func (s *Service) GetCodeInterpreter(ctx context.Context, in *api.GetCodeInterpreterRequest) (*api.GetCodeInterpreterResponse, error) {
	if in.CodeInterpreterId == builtinInterpreterID {
		return builtinCodeInterpreter(scopeOf(ctx)).(*api.GetCodeInterpreterResponse), nil
	}
	return get[api.GetCodeInterpreterResponse](ctx, s, codeInterpreters, "", in.CodeInterpreterId)
}

func (s *Service) DeleteCodeInterpreter(ctx context.Context, in *api.DeleteCodeInterpreterRequest) (*api.DeleteCodeInterpreterResponse, error) {
	if in.CodeInterpreterId == builtinInterpreterID {
		return nil, builtinUndeletable("Code interpreter", in.CodeInterpreterId)
	}
	return remove[api.DeleteCodeInterpreterResponse](ctx, s, codeInterpreters, "", in.CodeInterpreterId)
}

func (s *Service) ListCodeInterpreters(ctx context.Context, in *api.ListCodeInterpretersRequest) (*api.ListCodeInterpretersResponse, error) {
	return answerPage[api.ListCodeInterpretersResponse](listSandboxes[api.CodeInterpreterSummary](ctx, s, codeInterpreters,
		in.Type, in.MaxResults, in.NextToken, builtinCodeInterpreter))
}
