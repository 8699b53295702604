package service

import (
	"context"
	"errors"
	"time"

	"agentcored/internal/api"
	"agentcored/internal/awserr"
	"agentcored/internal/store"
)

// Runtime endpoints. The row id is "<runtimeId>/<name>" so that the name in
// the path finds the row directly; the endpoint's own id (a generated
// "<name>-<10>") lives in the document. An endpoint serves liveVersion and
// moves to targetVersion: CREATING/UPDATING until the move completes.

type endpointRecord struct {
	api.GetAgentRuntimeEndpointResponse
	PendingFailure string `json:"pendingFailure,omitempty"`
	// PreviousVersion is the version served before the last completed move.
	PreviousVersion string `json:"previousVersion,omitempty"`
}

func endpointARN(runtimeARN, name string) string { return runtimeARN + "/runtime-endpoint/" + name }

func endpointRowID(runtimeID, name string) string { return runtimeID + "/" + name }

func endpointNotFound(runtimeID, name string) error {
	return awserr.NotFound("Endpoint '%s' of agent '%s' was not found.", name, runtimeID)
}

func (s *Service) insertEndpoint(ctx context.Context, tx store.Tx, runtimeID string, ep *endpointRecord, now time.Time) (*store.Resource, error) {
	sc := scopeOf(ctx)
	row := &store.Resource{
		Account: sc.account, Region: sc.region, Kind: kindEndpoint, ID: endpointRowID(runtimeID, ep.Name),
		ParentID: runtimeID, Name: ep.Name, ARN: ep.AgentRuntimeEndpointArn, Status: string(ep.Status),
		CreatedAt: now, UpdatedAt: now, Doc: encodeDoc(ep),
	}
	if err := tx.Insert(ctx, row); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return nil, awserr.Conflict("An endpoint named '%s' already exists for agent '%s'.", ep.Name, runtimeID)
		}
		return nil, err
	}
	return row, nil
}

func (s *Service) getEndpoint(ctx context.Context, tx store.Tx, runtimeID, name string) (*store.Resource, *endpointRecord, error) {
	return loadDoc[endpointRecord](ctx, tx, scopeOf(ctx).key(kindEndpoint, endpointRowID(runtimeID, name)), func() error { return endpointNotFound(runtimeID, name) })
}

// retargetEndpoint starts moving an endpoint to a version. An empty
// description keeps the current one.
func (s *Service) retargetEndpoint(ctx context.Context, tx store.Tx, runtimeID, name, version, description, pendingFailure string, now time.Time) error {
	row, rec, err := s.getEndpoint(ctx, tx, runtimeID, name)
	if err != nil {
		return err
	}
	rec.TargetVersion = version
	rec.Status = api.AgentRuntimeEndpointStatusUpdating
	rec.FailureReason = ""
	rec.PendingFailure = pendingFailure
	rec.LastUpdatedAt = api.NewDateTime(now)
	if description != "" {
		rec.Description = description
	}
	if err := saveDoc(ctx, tx, row, string(rec.Status), rec, now); err != nil {
		return err
	}
	return s.lifecycle.Schedule(ctx, tx, row)
}

// versionExists checks that a runtime has the given version.
func (s *Service) versionExists(ctx context.Context, tx store.Tx, runtimeID, version string) error {
	_, err := tx.Get(ctx, scopeOf(ctx).key(kindRuntimeVersion, versionRowID(runtimeID, version)))
	if errors.Is(err, store.ErrNotFound) {
		return awserr.NotFound("Version %s of agent '%s' was not found.", version, runtimeID)
	}
	return err
}

func (s *Service) CreateAgentRuntimeEndpoint(ctx context.Context, in *api.CreateAgentRuntimeEndpointRequest) (*api.CreateAgentRuntimeEndpointResponse, error) {
	if in.Name == defaultEndpoint {
		return nil, awserr.Conflict("The DEFAULT endpoint is created and managed by the service.")
	}
	if err := checkTagKeys("tags", mapKeys(in.Tags)); err != nil {
		return nil, err
	}
	sc := scopeOf(ctx)
	return mutate(ctx, s, func(tx store.Tx) (*api.CreateAgentRuntimeEndpointResponse, error) {
		row, rt, err := s.getRuntime(ctx, tx, in.AgentRuntimeId)
		if err != nil {
			return nil, err
		}
		if row.Status == string(api.AgentRuntimeStatusDeleting) {
			return nil, awserr.Conflict("Agent '%s' is being deleted.", in.AgentRuntimeId)
		}
		version := in.AgentRuntimeVersion
		if version == "" {
			version = rt.AgentRuntimeVersion
		} else if err := s.versionExists(ctx, tx, in.AgentRuntimeId, version); err != nil {
			return nil, err
		}
		if _, err := tx.Get(ctx, sc.key(kindEndpoint, endpointRowID(in.AgentRuntimeId, in.Name))); err == nil {
			return nil, awserr.Conflict("An endpoint named '%s' already exists for agent '%s'.", in.Name, in.AgentRuntimeId)
		}
		n, err := tx.Count(ctx, sc.account, sc.region, kindEndpoint, in.AgentRuntimeId)
		if err != nil {
			return nil, err
		}
		if n-1 >= s.quotas.EndpointsPerRuntime { // DEFAULT does not count
			return nil, awserr.QuotaExceeded("Agent '%s' has reached the maximum of %d endpoints.", in.AgentRuntimeId, s.quotas.EndpointsPerRuntime)
		}
		now := s.now().UTC()
		ep := &endpointRecord{GetAgentRuntimeEndpointResponse: api.GetAgentRuntimeEndpointResponse{
			Name: in.Name, Id: newID(in.Name), TargetVersion: version, Description: in.Description,
			AgentRuntimeArn: rt.AgentRuntimeArn, AgentRuntimeEndpointArn: endpointARN(rt.AgentRuntimeArn, in.Name),
			Status: api.AgentRuntimeEndpointStatusCreating, CreatedAt: api.NewDateTime(now), LastUpdatedAt: api.NewDateTime(now),
		}}
		ep.PendingFailure = s.injectedFailure(ctx, "CreateAgentRuntimeEndpoint")
		epRow, err := s.insertEndpoint(ctx, tx, in.AgentRuntimeId, ep, now)
		if err != nil {
			return nil, err
		}
		if err := s.createTags(ctx, tx, ep.AgentRuntimeEndpointArn, in.Tags); err != nil {
			return nil, err
		}
		if err := s.lifecycle.Schedule(ctx, tx, epRow); err != nil {
			return nil, err
		}
		return &api.CreateAgentRuntimeEndpointResponse{
			TargetVersion: version, AgentRuntimeEndpointArn: ep.AgentRuntimeEndpointArn, AgentRuntimeArn: ep.AgentRuntimeArn,
			AgentRuntimeId: in.AgentRuntimeId, EndpointName: in.Name, Status: ep.Status, CreatedAt: ep.CreatedAt,
		}, nil
	})
}

func (s *Service) GetAgentRuntimeEndpoint(ctx context.Context, in *api.GetAgentRuntimeEndpointRequest) (*api.GetAgentRuntimeEndpointResponse, error) {
	var out *endpointRecord
	err := s.read(ctx, func(tx store.Tx) error {
		var err error
		_, out, err = s.getEndpoint(ctx, tx, in.AgentRuntimeId, in.EndpointName)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &out.GetAgentRuntimeEndpointResponse, nil
}

func (s *Service) UpdateAgentRuntimeEndpoint(ctx context.Context, in *api.UpdateAgentRuntimeEndpointRequest) (*api.UpdateAgentRuntimeEndpointResponse, error) {
	if in.EndpointName == defaultEndpoint {
		return nil, awserr.Conflict("The DEFAULT endpoint always serves the latest version and cannot be updated.")
	}
	return mutate(ctx, s, func(tx store.Tx) (*api.UpdateAgentRuntimeEndpointResponse, error) {
		_, rt, err := s.getRuntime(ctx, tx, in.AgentRuntimeId)
		if err != nil {
			return nil, err
		}
		row, _, err := s.getEndpoint(ctx, tx, in.AgentRuntimeId, in.EndpointName)
		if err != nil {
			return nil, err
		}
		if transitional(row.Status) {
			return nil, awserr.Conflict("Endpoint '%s' is %s; wait until the change completes and try again.", in.EndpointName, row.Status)
		}
		version := in.AgentRuntimeVersion
		if version == "" {
			version = rt.AgentRuntimeVersion
		} else if err := s.versionExists(ctx, tx, in.AgentRuntimeId, version); err != nil {
			return nil, err
		}
		failure := s.injectedFailure(ctx, "UpdateAgentRuntimeEndpoint")
		now := s.now().UTC()
		if err := s.retargetEndpoint(ctx, tx, in.AgentRuntimeId, in.EndpointName, version, in.Description, failure, now); err != nil {
			return nil, err
		}
		// Read back what the transaction now holds: immediate mode may have
		// completed the move already, but the answer reports the move itself.
		_, rec, err := s.getEndpoint(ctx, tx, in.AgentRuntimeId, in.EndpointName)
		if err != nil {
			return nil, err
		}
		return &api.UpdateAgentRuntimeEndpointResponse{
			LiveVersion: liveBefore(rec, version), TargetVersion: version, AgentRuntimeEndpointArn: rec.AgentRuntimeEndpointArn,
			AgentRuntimeArn: rec.AgentRuntimeArn, Status: api.AgentRuntimeEndpointStatusUpdating,
			CreatedAt: rec.CreatedAt, LastUpdatedAt: api.NewDateTime(now),
		}, nil
	})
}

// liveBefore is the version the endpoint served when the update was asked:
// unchanged while the move is pending, and remembered in PreviousVersion
// once immediate mode has completed it.
func liveBefore(rec *endpointRecord, target string) string {
	if rec.Status == api.AgentRuntimeEndpointStatusUpdating || rec.PreviousVersion == "" {
		return rec.LiveVersion
	}
	return rec.PreviousVersion
}

func (s *Service) DeleteAgentRuntimeEndpoint(ctx context.Context, in *api.DeleteAgentRuntimeEndpointRequest) (*api.DeleteAgentRuntimeEndpointResponse, error) {
	if in.EndpointName == defaultEndpoint {
		return nil, awserr.Conflict("Default endpoints are removed when you delete the agent")
	}
	return mutate(ctx, s, func(tx store.Tx) (*api.DeleteAgentRuntimeEndpointResponse, error) {
		if _, _, err := s.getRuntime(ctx, tx, in.AgentRuntimeId); err != nil {
			return nil, err
		}
		row, rec, err := s.getEndpoint(ctx, tx, in.AgentRuntimeId, in.EndpointName)
		if err != nil {
			return nil, err
		}
		out := &api.DeleteAgentRuntimeEndpointResponse{Status: api.AgentRuntimeEndpointStatusDeleting, AgentRuntimeId: in.AgentRuntimeId, EndpointName: in.EndpointName}
		if row.Status == string(api.AgentRuntimeEndpointStatusDeleting) {
			return out, nil
		}
		now := s.now().UTC()
		rec.Status = api.AgentRuntimeEndpointStatusDeleting
		rec.LastUpdatedAt = api.NewDateTime(now)
		return out, s.transition(ctx, tx, row, string(rec.Status), rec, now)
	})
}

func (s *Service) ListAgentRuntimeEndpoints(ctx context.Context, in *api.ListAgentRuntimeEndpointsRequest) (*api.ListAgentRuntimeEndpointsResponse, error) {
	out := &api.ListAgentRuntimeEndpointsResponse{RuntimeEndpoints: []api.AgentRuntimeEndpoint{}}
	sc := scopeOf(ctx)
	// The model gives this operation no ResourceNotFoundException: an
	// unknown runtime simply has no endpoints.
	err := s.read(ctx, func(tx store.Tx) error {
		rows, next, err := s.page(ctx, tx, sc, kindEndpoint, in.AgentRuntimeId, in.MaxResults, 100, in.NextToken)
		if err != nil {
			return err
		}
		out.NextToken = next
		for _, r := range rows {
			var rec endpointRecord
			if err := decodeDoc(r, &rec); err != nil {
				return err
			}
			out.RuntimeEndpoints = append(out.RuntimeEndpoints, api.AgentRuntimeEndpoint{
				Name: rec.Name, LiveVersion: rec.LiveVersion, TargetVersion: rec.TargetVersion,
				AgentRuntimeEndpointArn: rec.AgentRuntimeEndpointArn, AgentRuntimeArn: rec.AgentRuntimeArn,
				Status: rec.Status, Id: rec.Id, Description: rec.Description, CreatedAt: rec.CreatedAt, LastUpdatedAt: rec.LastUpdatedAt,
			})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// reconcileEndpoint completes an endpoint's pending move or deletion.
func (s *Service) reconcileEndpoint(ctx context.Context, tx store.Tx, row *store.Resource, now time.Time) error {
	var rec endpointRecord
	if err := decodeDoc(row, &rec); err != nil {
		return err
	}
	switch rec.Status {
	case api.AgentRuntimeEndpointStatusCreating, api.AgentRuntimeEndpointStatusUpdating:
		settleEndpoint(&rec, now)
		return saveDoc(ctx, tx, row, string(rec.Status), rec, now)
	case api.AgentRuntimeEndpointStatusDeleting:
		return s.removeResource(ctx, tx, row)
	}
	return nil
}

// settleEndpoint ends a CREATING or UPDATING endpoint: READY on its target
// version, or the failure injected for it.
func settleEndpoint(rec *endpointRecord, now time.Time) {
	if rec.PendingFailure != "" {
		from := rec.Status
		rec.FailureReason = rec.PendingFailure
		rec.Status = api.AgentRuntimeEndpointStatusCreateFailed
		if from == api.AgentRuntimeEndpointStatusUpdating {
			rec.Status = api.AgentRuntimeEndpointStatusUpdateFailed
		}
	} else {
		rec.PreviousVersion = rec.LiveVersion
		rec.LiveVersion = rec.TargetVersion
		rec.Status = api.AgentRuntimeEndpointStatusReady
	}
	rec.PendingFailure = ""
	rec.LastUpdatedAt = api.NewDateTime(now)
}
