package service

import (
	"context"
	"errors"
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
	// Only assigns t: the store may answer from its row cache.
	err := s.readRepeatable(ctx, func(tx store.Tx) error {
		// The runtime's row says it exists and gives its ARN; its
		// document (the latest version's configuration) is not needed.
		rt, err := tx.Get(ctx, sc.key(kindRuntime, id))
		if errors.Is(err, store.ErrNotFound) {
			return runtimeNotFound(id)
		}
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
		t = &RuntimeTarget{RuntimeID: id, RuntimeARN: rt.ARN, Endpoint: qualifier, Version: version, Config: v.GetAgentRuntimeResponse}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}
