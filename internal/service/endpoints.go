package service

import (
	"context"
	"time"

	"agentcored/internal/api"
	"agentcored/internal/awserr"
	"agentcored/internal/store"
)

// Runtime endpoints. The row id is "<runtimeId>/<name>" so that the name in
// the path finds the row directly; the endpoint's own id (a generated
// "<name>-<10>") lives in the document. An endpoint serves liveVersion and
// moves to targetVersion: CREATING/UPDATING until the move completes.
//
// Decisions:
//   - DEFAULT is made with its runtime, follows the latest version and goes
//     with the runtime; callers can neither create, update nor delete it,
//     and it does not count against the endpoints quota.
//   - An endpoint created or updated without a version targets the latest.
//   - ListAgentRuntimeEndpoints models no ResourceNotFoundException: an
//     unknown runtime simply has no endpoints.

type endpointRecord struct {
	api.GetAgentRuntimeEndpointResponse
	// AgentRuntimeId and EndpointName are members of the Create and Delete
	// answers that the Get answer lacks.
	AgentRuntimeId string `json:"agentRuntimeId,omitempty"`
	EndpointName   string `json:"endpointName,omitempty"`
	failable
}

var endpoints = &family[endpointRecord]{
	kind: kindEndpoint, group: familyRuntimes, noun: "endpoint",
	arnOf: func(sc scope, runtimeID, name string) string {
		return endpointARN(runtimes.arn(sc, "", runtimeID), name)
	},
	// The row is found by name; the document's own id is made in fill.
	newID:  func(name string) string { return name },
	fields: fields{ID: "Name", ARN: "AgentRuntimeEndpointArn", Status: "Status", Reason: "FailureReason", Created: "CreatedAt", Updated: "LastUpdatedAt"},
	states: asyncEnding("READY", ""),
	// DEFAULT does not count.
	quota:     func(q Quotas) int { return q.EndpointsPerRuntime + 1 },
	listLimit: 100, parentExists: runtimeExists,
	missing: func(runtimeID, name string) error {
		return awserr.NotFound("Endpoint '%s' of agent '%s' was not found.", name, runtimeID)
	},
	taken: func(runtimeID, name string) error {
		return awserr.Conflict("An endpoint named '%s' already exists for agent '%s'.", name, runtimeID)
	},
	full: func(runtimeID string, quota int) error {
		return awserr.QuotaExceeded("Agent '%s' has reached the maximum of %d endpoints.", runtimeID, quota-1)
	},
	busy: func(name, status string) error { return changeInProgress("Endpoint", name, status) },
	settled: func(_ context.Context, _ *Service, _ store.Tx, _ *store.Resource, ep *endpointRecord, _ string) error {
		goLive(ep)
		return nil
	},
}

func endpointARN(runtimeARN, name string) string { return runtimeARN + "/runtime-endpoint/" + name }

// goLive ends a move that succeeded: the endpoint serves its target.
func goLive(ep *endpointRecord) {
	if ep.Status == api.AgentRuntimeEndpointStatusReady {
		ep.LiveVersion = ep.TargetVersion
	}
}

// newDefaultEndpoint is the DEFAULT endpoint of a new runtime, moving to
// its first version with the failure injected into the runtime's create.
func newDefaultEndpoint(rt *runtimeRecord, now time.Time) *endpointRecord {
	ep := &endpointRecord{
		GetAgentRuntimeEndpointResponse: api.GetAgentRuntimeEndpointResponse{
			Name: defaultEndpoint, Id: newID(defaultEndpoint), TargetVersion: rt.AgentRuntimeVersion,
			AgentRuntimeArn: rt.AgentRuntimeArn, AgentRuntimeEndpointArn: endpointARN(rt.AgentRuntimeArn, defaultEndpoint),
			CreatedAt: api.NewDateTime(now),
		},
		AgentRuntimeId: rt.AgentRuntimeId, EndpointName: defaultEndpoint, failable: rt.failable,
	}
	endpoints.setStatus(ep, "CREATING", "", now)
	return ep
}

// retargetDefault starts moving the DEFAULT endpoint to the runtime's new
// version, with the failure injected into the runtime's update.
func (s *Service) retargetDefault(ctx context.Context, tx store.Tx, sc scope, rt *runtimeRecord, now time.Time) error {
	row, ep, err := endpoints.load(ctx, tx, sc, rt.AgentRuntimeId, defaultEndpoint)
	if err != nil {
		return err
	}
	ep.TargetVersion = rt.AgentRuntimeVersion
	endpoints.setStatus(ep, "UPDATING", "", now)
	endpoints.setPending(ep, rt.PendingFailure)
	return endpoints.save(ctx, s, tx, row, ep, now)
}

// endpointTarget is the version an endpoint created or updated on a
// runtime moves to: the one asked for, which must exist, or the latest.
func endpointTarget(ctx context.Context, tx store.Tx, sc scope, runtimeID, version string) (string, error) {
	_, rt, err := runtimes.load(ctx, tx, sc, "", runtimeID)
	if err != nil {
		return "", err
	}
	if rt.Status == api.AgentRuntimeStatusDeleting {
		return "", awserr.Conflict("Agent '%s' is being deleted.", runtimeID)
	}
	if version == "" {
		return rt.AgentRuntimeVersion, nil
	}
	_, _, err = runtimeVersions.load(ctx, tx, sc, runtimeID, "v"+version)
	return version, err
}

func (s *Service) CreateAgentRuntimeEndpoint(ctx context.Context, in *api.CreateAgentRuntimeEndpointRequest) (*api.CreateAgentRuntimeEndpointResponse, error) {
	if in.Name == defaultEndpoint {
		return nil, awserr.Conflict("The DEFAULT endpoint is created and managed by the service.")
	}
	var target string
	check := func(tx store.Tx, sc scope) (err error) {
		target, err = endpointTarget(ctx, tx, sc, in.AgentRuntimeId, in.AgentRuntimeVersion)
		return err
	}
	return create[api.CreateAgentRuntimeEndpointResponse](ctx, s, endpoints,
		creation{parent: in.AgentRuntimeId, name: in.Name, tags: in.Tags, from: in, check: check},
		func(_ store.Tx, sc scope, ep *endpointRecord) error {
			ep.Id, ep.TargetVersion, ep.AgentRuntimeArn = newID(in.Name), target, runtimes.arn(sc, "", in.AgentRuntimeId)
			ep.AgentRuntimeId, ep.EndpointName = in.AgentRuntimeId, in.Name
			return nil
		})
}

func (s *Service) GetAgentRuntimeEndpoint(ctx context.Context, in *api.GetAgentRuntimeEndpointRequest) (*api.GetAgentRuntimeEndpointResponse, error) {
	return get[api.GetAgentRuntimeEndpointResponse](ctx, s, endpoints, in.AgentRuntimeId, in.EndpointName)
}

// UpdateAgentRuntimeEndpoint answers the move it starts (UPDATING, the
// version served until now), even when the immediate lifecycle ends it.
func (s *Service) UpdateAgentRuntimeEndpoint(ctx context.Context, in *api.UpdateAgentRuntimeEndpointRequest) (*api.UpdateAgentRuntimeEndpointResponse, error) {
	if in.EndpointName == defaultEndpoint {
		return nil, awserr.Conflict("The DEFAULT endpoint always serves the latest version and cannot be updated.")
	}
	// An empty description keeps the current one (patch).
	return update[api.UpdateAgentRuntimeEndpointResponse](ctx, s, endpoints, in.AgentRuntimeId, in.EndpointName, in,
		func(tx store.Tx, sc scope, _ *store.Resource, ep *endpointRecord) (err error) {
			ep.TargetVersion, err = endpointTarget(ctx, tx, sc, in.AgentRuntimeId, in.AgentRuntimeVersion)
			return err
		})
}

func (s *Service) DeleteAgentRuntimeEndpoint(ctx context.Context, in *api.DeleteAgentRuntimeEndpointRequest) (*api.DeleteAgentRuntimeEndpointResponse, error) {
	if in.EndpointName == defaultEndpoint {
		return nil, awserr.Conflict("Default endpoints are removed when you delete the agent")
	}
	return remove[api.DeleteAgentRuntimeEndpointResponse](ctx, s, endpoints, in.AgentRuntimeId, in.EndpointName)
}

func (s *Service) ListAgentRuntimeEndpoints(ctx context.Context, in *api.ListAgentRuntimeEndpointsRequest) (*api.ListAgentRuntimeEndpointsResponse, error) {
	return answerPage[api.ListAgentRuntimeEndpointsResponse](list[api.AgentRuntimeEndpoint](ctx, s, endpoints,
		listing[endpointRecord]{parent: in.AgentRuntimeId, maxResults: in.MaxResults, nextToken: in.NextToken, anyParent: true}))
}
