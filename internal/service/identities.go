package service

import (
	"context"
	"errors"
	"time"

	"agentcored/internal/api"
	"agentcored/internal/awserr"
	"agentcored/internal/store"
)

// Workload identities: synchronous (no status), epoch-second timestamps. A
// runtime gets one named exactly its id, linked to it: the caller cannot
// delete that one, and it goes when the runtime goes. Linked identities
// count against the quota of CreateWorkloadIdentity but are never refused
// by it.

const kindWorkloadIdentity = "workload-identity"

type identityRecord struct {
	api.GetWorkloadIdentityResponse
	// LinkedTo is the ARN of the resource that owns a service-linked identity.
	LinkedTo string `json:"linkedTo,omitempty"`
}

var identities = &family[identityRecord]{
	kind: kindWorkloadIdentity, noun: "workload identity", arnPath: "workload-identity-directory/default/workload-identity/",
	newID:  func(name string) string { return name }, // the name is the id
	fields: fields{ID: "Name", ARN: "WorkloadIdentityArn", Created: "CreatedTime", Updated: "LastUpdatedTime"},
	quota:  func(q Quotas) int { return q.IdentitiesPerAccount }, listLimit: 10,
	missing: func(_, name string) error { return awserr.NotFound("WorkloadIdentity '%s' was not found.", name) },
	taken: func(_, name string) error {
		return awserr.Conflict("A workload identity named '%s' already exists.", name)
	},
	full: func(_ string, quota int) error {
		return awserr.Errorf("ResourceLimitExceededException", "You have reached the maximum of %d workload identities.", quota)
	},
	beforeDelete: func(_ context.Context, _ store.Tx, _ scope, _ *store.Resource, wi *identityRecord) error {
		if wi.LinkedTo != "" {
			return awserr.Validation("WorkloadIdentity is linked to a service and cannot be deleted by the caller.")
		}
		return nil
	},
}

// linkIdentity creates the identity a resource owns and returns its ARN.
func (s *Service) linkIdentity(ctx context.Context, tx store.Tx, sc scope, name, ownerARN string, now time.Time) (string, error) {
	wi := &identityRecord{
		GetWorkloadIdentityResponse: api.GetWorkloadIdentityResponse{
			Name: name, WorkloadIdentityArn: identities.arn(sc, "", name), CreatedTime: api.NewEpochTime(now), LastUpdatedTime: api.NewEpochTime(now),
		},
		LinkedTo: ownerARN,
	}
	_, err := identities.insert(ctx, tx, sc, "", name, name, wi, now)
	if errors.Is(err, store.ErrConflict) {
		return "", identities.nameTaken("", name)
	}
	return wi.WorkloadIdentityArn, err
}

// createLinkedIdentity is linkIdentity in the request's scope, for the
// families that do not hand theirs down (gateways, registries, payments).
func (s *Service) createLinkedIdentity(ctx context.Context, tx store.Tx, name, ownerARN string, now time.Time) (string, error) {
	return s.linkIdentity(ctx, tx, scopeOf(ctx), name, ownerARN, now)
}

// deleteLinkedIdentity removes the identity an owner created, if it is still
// linked to it.
func (s *Service) deleteLinkedIdentity(ctx context.Context, tx store.Tx, owner *store.Resource) error {
	key := store.Key{Account: owner.Account, Region: owner.Region, Kind: kindWorkloadIdentity, ID: owner.ID}
	r, err := tx.Get(ctx, key)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	var rec identityRecord
	if err := decodeDoc(r, &rec); err != nil {
		return err
	}
	if rec.LinkedTo != owner.ARN {
		return nil
	}
	return s.removeResource(ctx, tx, r)
}

func (s *Service) CreateWorkloadIdentity(ctx context.Context, in *api.CreateWorkloadIdentityRequest) (*api.CreateWorkloadIdentityResponse, error) {
	return create[api.CreateWorkloadIdentityResponse](ctx, s, identities, creation{name: in.Name, tags: in.Tags, from: in}, nil)
}

func (s *Service) GetWorkloadIdentity(ctx context.Context, in *api.GetWorkloadIdentityRequest) (*api.GetWorkloadIdentityResponse, error) {
	return get[api.GetWorkloadIdentityResponse](ctx, s, identities, "", in.Name)
}

func (s *Service) UpdateWorkloadIdentity(ctx context.Context, in *api.UpdateWorkloadIdentityRequest) (*api.UpdateWorkloadIdentityResponse, error) {
	return update[api.UpdateWorkloadIdentityResponse](ctx, s, identities, "", in.Name, nil,
		func(_ store.Tx, _ scope, _ *store.Resource, wi *identityRecord) error {
			wi.AllowedResourceOauth2ReturnUrls = in.AllowedResourceOauth2ReturnUrls // replaced: none clears them
			return nil
		})
}

func (s *Service) DeleteWorkloadIdentity(ctx context.Context, in *api.DeleteWorkloadIdentityRequest) (*api.DeleteWorkloadIdentityResponse, error) {
	return remove[api.DeleteWorkloadIdentityResponse](ctx, s, identities, "", in.Name)
}

func (s *Service) ListWorkloadIdentities(ctx context.Context, in *api.ListWorkloadIdentitiesRequest) (*api.ListWorkloadIdentitiesResponse, error) {
	return answerPage[api.ListWorkloadIdentitiesResponse](list[api.WorkloadIdentityType](ctx, s, identities,
		listing[identityRecord]{maxResults: in.MaxResults, nextToken: in.NextToken}))
}
