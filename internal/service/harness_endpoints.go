package service

// Harness endpoints: named pointers at a harness version, as runtime
// endpoints are (devguide, "AgentCore harness versioning and endpoints":
// "harness is a managed abstraction over Runtime"). Row id
// "<harnessId>/<endpointName>", parent the harness; ARN
// ...:harness/<harnessId>/harness-endpoint/<name> (the model's pattern).
// An endpoint serves liveVersion and moves to targetVersion: CREATING or
// UPDATING until the move ends in READY (liveVersion = targetVersion), or
// CREATE_FAILED / UPDATE_FAILED with an injected failure (liveVersion
// unchanged). Delete answers the endpoint in DELETING; the row then goes
// (or DELETE_FAILED).
//
// DEFAULT: "The DEFAULT endpoint automatically points to the latest version
// of your harness ... When you update a harness, the DEFAULT endpoint is
// automatically updated to point to the new version" (devguide). As for
// runtimes, CreateHarness makes a DEFAULT endpoint on version 1 and each
// UpdateHarness retargets it; it has no change of its own: it is CREATING or
// UPDATING while the harness is and ends as the harness's change does
// (READY, or the harness's *_FAILED status and reason). It cannot be created,
// updated or deleted by the caller (ConflictException, as for runtimes), it
// does not count toward the quota, and it is listed.
//
// Decisions where AWS is silent:
//   - targetVersion defaults to the harness's latest version on create and
//     to the endpoint's current target on update ("If not specified, the
//     existing value is retained", API reference); a version the harness
//     does not have is a ResourceNotFoundException, as for runtime
//     endpoints.
//   - Names are unique per harness (ConflictException); at most
//     Quotas.EndpointsPerRuntime endpoints besides DEFAULT
//     (ServiceQuotaExceededException).
//   - No endpoint is created on a harness being deleted (ConflictException).
//     Deleting the harness removes its endpoints with it.
//   - An endpoint in CREATING, UPDATING or DELETING refuses an update
//     (ConflictException); a failed one can be retargeted.
//   - Listing: creation order (DEFAULT first), 10 a page.

import (
	"context"
	"errors"
	"time"

	"agentcored/internal/api"
	"agentcored/internal/awserr"
	"agentcored/internal/store"
)

const kindHarnessEndpoint = "harness-endpoint"

// Endpoint is the endpoint a document embeds, under the name of the
// responses' member that wraps it ({"endpoint": {...}}), so that the engine
// projects those responses from the record (project matches by name), and
// a clientToken replay answers the whole response.
type Endpoint = api.HarnessEndpoint

// harnessEndpointDoc is the document of a harness-endpoint row.
type harnessEndpointDoc struct {
	Endpoint
	failable
}

var harnessEndpoints = &family[harnessEndpointDoc]{
	kind: kindHarnessEndpoint, group: familyHarnesses, noun: "endpoint",
	// Endpoints are addressed by name: the name is the id.
	newID: func(name string) string { return name },
	arnOf: func(sc scope, harnessID, name string) string {
		return sc.arn("harness/" + harnessID + "/harness-endpoint/" + name)
	},
	fields:    fields{ID: "EndpointName", ARN: "Arn", Status: "Status", Reason: "FailureReason", Created: "CreatedAt", Updated: "UpdatedAt"},
	states:    asyncEnding("READY", "DELETE_FAILED"),
	listLimit: defaultHarnessListLimit,
	// DEFAULT is a row under the harness too, but does not count.
	quota: func(q Quotas) int { return q.EndpointsPerRuntime + 1 },
	full: func(harnessID string, quota int) error {
		return awserr.QuotaExceeded("Harness '%s' has reached the maximum of %d endpoints.", harnessID, quota-1)
	},
	parentExists: harnessExists,
	missing: func(harnessID, name string) error {
		return awserr.NotFound("Endpoint '%s' of harness '%s' was not found.", name, harnessID)
	},
	taken: func(harnessID, name string) error {
		return awserr.Conflict("An endpoint named '%s' already exists for harness '%s'.", name, harnessID)
	},
	// A completed move serves the version it moved to.
	settled: func(_ context.Context, _ *Service, _ store.Tx, _ *store.Resource, ep *harnessEndpointDoc, _ string) error {
		if ep.Status == api.HarnessEndpointStatusReady {
			ep.LiveVersion = ep.TargetVersion
		}
		return nil
	},
}

// harnessVersionExists answers the not-found error of a version the
// harness does not have.
func harnessVersionExists(ctx context.Context, tx store.Tx, sc scope, harnessID, version string) error {
	_, err := tx.Get(ctx, sc.key(kindHarnessVersion, harnessVersions.rowID(harnessID, version)))
	if errors.Is(err, store.ErrNotFound) {
		return harnessVersions.missing(harnessID, version)
	}
	return err
}

func refuseDefaultEndpoint(name, what string) error {
	if name == defaultEndpoint {
		return awserr.Conflict("The DEFAULT endpoint is managed by the service and cannot be %s; it follows the harness's latest version.", what)
	}
	return nil
}

func (s *Service) CreateHarnessEndpoint(ctx context.Context, in *api.CreateHarnessEndpointRequest) (*api.CreateHarnessEndpointResponse, error) {
	if err := refuseDefaultEndpoint(in.EndpointName, "created"); err != nil {
		return nil, err
	}
	var harness *harnessDoc
	c := creation{parent: in.HarnessId, name: in.EndpointName, tags: in.Tags, from: in,
		check: func(tx store.Tx, sc scope) error {
			var err error
			if _, harness, err = harnesses.load(ctx, tx, sc, "", in.HarnessId); err != nil {
				return err
			}
			if harness.Status == api.HarnessStatusDeleting {
				return awserr.Conflict("Harness '%s' is being deleted.", in.HarnessId)
			}
			if in.TargetVersion != "" {
				return harnessVersionExists(ctx, tx, sc, in.HarnessId, in.TargetVersion)
			}
			return nil
		}}
	return create[api.CreateHarnessEndpointResponse](ctx, s, harnessEndpoints, c, func(_ store.Tx, _ scope, ep *harnessEndpointDoc) error {
		ep.HarnessName = harness.HarnessName
		if ep.TargetVersion == "" {
			ep.TargetVersion = harness.HarnessVersion
		}
		return nil
	})
}

func (s *Service) GetHarnessEndpoint(ctx context.Context, in *api.GetHarnessEndpointRequest) (*api.GetHarnessEndpointResponse, error) {
	return get[api.GetHarnessEndpointResponse](ctx, s, harnessEndpoints, in.HarnessId, in.EndpointName)
}

func (s *Service) UpdateHarnessEndpoint(ctx context.Context, in *api.UpdateHarnessEndpointRequest) (*api.UpdateHarnessEndpointResponse, error) {
	if err := refuseDefaultEndpoint(in.EndpointName, "updated"); err != nil {
		return nil, err
	}
	return update[api.UpdateHarnessEndpointResponse](ctx, s, harnessEndpoints, in.HarnessId, in.EndpointName, in,
		func(tx store.Tx, sc scope, _ *store.Resource, ep *harnessEndpointDoc) error {
			if in.TargetVersion == "" {
				return nil
			}
			return harnessVersionExists(ctx, tx, sc, in.HarnessId, in.TargetVersion)
		})
}

func (s *Service) DeleteHarnessEndpoint(ctx context.Context, in *api.DeleteHarnessEndpointRequest) (*api.DeleteHarnessEndpointResponse, error) {
	if err := refuseDefaultEndpoint(in.EndpointName, "deleted (it goes with the harness)"); err != nil {
		return nil, err
	}
	return remove[api.DeleteHarnessEndpointResponse](ctx, s, harnessEndpoints, in.HarnessId, in.EndpointName)
}

func (s *Service) ListHarnessEndpoints(ctx context.Context, in *api.ListHarnessEndpointsRequest) (*api.ListHarnessEndpointsResponse, error) {
	return answerPage[api.ListHarnessEndpointsResponse](list[api.HarnessEndpoint](ctx, s, harnessEndpoints,
		listing[harnessEndpointDoc]{parent: in.HarnessId, maxResults: in.MaxResults, nextToken: in.NextToken}))
}

// addDefaultHarnessEndpoint stores the DEFAULT endpoint of a new harness h,
// CREATING on its first version. Its change ends with the harness's
// (followHarness), so it is not scheduled on its own.
func addDefaultHarnessEndpoint(ctx context.Context, tx store.Tx, sc scope, h *api.Harness, now time.Time) error {
	ep := &harnessEndpointDoc{Endpoint: api.HarnessEndpoint{
		HarnessId: h.HarnessId, HarnessName: h.HarnessName, EndpointName: defaultEndpoint,
		Arn: harnessEndpoints.arn(sc, h.HarnessId, defaultEndpoint), Status: api.HarnessEndpointStatusCreating,
		CreatedAt: api.NewDateTime(now), UpdatedAt: api.NewDateTime(now), TargetVersion: h.HarnessVersion,
	}}
	row := &store.Resource{Account: sc.account, Region: sc.region, Kind: kindHarnessEndpoint,
		ID: harnessEndpoints.rowID(h.HarnessId, defaultEndpoint), ParentID: h.HarnessId, Name: defaultEndpoint,
		ARN: ep.Arn, Status: string(ep.Status), CreatedAt: now, UpdatedAt: now}
	harnessEndpoints.encode(row, ep)
	return tx.Insert(ctx, row)
}

// followHarness moves the harness's DEFAULT endpoint along with the harness
// h: onto its latest version, in the status h is in (CREATING and UPDATING
// become the endpoint's own, READY makes the target live, a failure is
// reported with h's reason). A harness stored before endpoints existed has
// no DEFAULT; nothing to move then.
func followHarness(ctx context.Context, tx store.Tx, sc scope, h *api.Harness, now time.Time) error {
	row, err := tx.Get(ctx, sc.key(kindHarnessEndpoint, harnessEndpoints.rowID(h.HarnessId, defaultEndpoint)))
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	ep := new(harnessEndpointDoc)
	if err := decodeDoc(row, ep); err != nil {
		return err
	}
	ep.TargetVersion = h.HarnessVersion
	ep.Status = api.HarnessEndpointStatus(h.Status)
	ep.FailureReason = h.FailureReason
	if ep.Status == api.HarnessEndpointStatusReady {
		ep.LiveVersion = ep.TargetVersion
	}
	ep.UpdatedAt = api.NewDateTime(now)
	row.Status, row.UpdatedAt = string(ep.Status), now
	harnessEndpoints.encode(row, ep)
	return tx.Update(ctx, row)
}
