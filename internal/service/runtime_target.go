package service

import (
	"context"
	"strings"

	"agentcored/internal/api"
	"agentcored/internal/awserr"
	"agentcored/internal/store"
)

// RuntimeTarget is what the data plane reads of a runtime to invoke it: the
// endpoint a qualifier names, the version that endpoint serves and that
// version's configuration (environmentVariables, requestHeaderConfiguration,
// lifecycleConfiguration, protocolConfiguration ...). Read-only.
type RuntimeTarget struct {
	RuntimeID  string
	RuntimeARN string
	Endpoint   string
	Version    string
	Config     api.GetAgentRuntimeResponse
}

// ResolveRuntime finds, in the caller's account and region, the runtime
// named by arnOrID (its ARN or its ID), the endpoint qualifier names
// (DEFAULT when empty) and the version it serves: the live one, or the one
// it is moving to when it has none yet. An ARN of another account or
// region, an unknown runtime or endpoint is ResourceNotFoundException.
func (s *Service) ResolveRuntime(ctx context.Context, arnOrID, qualifier string) (*RuntimeTarget, error) {
	sc := scopeOf(ctx)
	id := arnOrID
	if strings.HasPrefix(arnOrID, "arn:") {
		prefix := sc.arn("runtime/")
		if !strings.HasPrefix(arnOrID, prefix) || strings.Contains(arnOrID[len(prefix):], "/") {
			return nil, awserr.NotFound("Agent runtime '%s' was not found in this account and region.", arnOrID)
		}
		id = arnOrID[len(prefix):]
	}
	if qualifier == "" {
		qualifier = defaultEndpoint
	}
	var t *RuntimeTarget
	err := s.read(ctx, func(tx store.Tx) error {
		_, rt, err := runtimes.load(ctx, tx, sc, "", id)
		if err != nil {
			return err
		}
		_, ep, err := endpoints.load(ctx, tx, sc, id, qualifier)
		if err != nil {
			return err
		}
		version := ep.LiveVersion
		if version == "" {
			version = ep.TargetVersion
		}
		_, v, err := runtimeVersions.load(ctx, tx, sc, id, "v"+version)
		if err != nil {
			return err
		}
		t = &RuntimeTarget{RuntimeID: id, RuntimeARN: rt.AgentRuntimeArn, Endpoint: qualifier, Version: version, Config: v.GetAgentRuntimeResponse}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}
