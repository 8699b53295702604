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
// delete that one, and it goes when the runtime goes.

const kindWorkloadIdentity = "workload-identity"

type identityRecord struct {
	api.GetWorkloadIdentityResponse
	// LinkedTo is the ARN of the resource that owns a service-linked identity.
	LinkedTo string `json:"linkedTo,omitempty"`
}

func identityARN(sc scope, name string) string {
	return sc.arn("workload-identity-directory/default/workload-identity/" + name)
}

func identityNotFound(name string) error {
	return awserr.NotFound("WorkloadIdentity '%s' was not found.", name)
}

// createLinkedIdentity creates the identity a resource owns and returns its ARN.
func (s *Service) createLinkedIdentity(ctx context.Context, tx store.Tx, name, ownerARN string, now time.Time) (string, error) {
	sc := scopeOf(ctx)
	arn := identityARN(sc, name)
	rec := identityRecord{
		GetWorkloadIdentityResponse: api.GetWorkloadIdentityResponse{
			Name: name, WorkloadIdentityArn: arn, CreatedTime: api.NewEpochTime(now), LastUpdatedTime: api.NewEpochTime(now),
		},
		LinkedTo: ownerARN,
	}
	err := tx.Insert(ctx, &store.Resource{
		Account: sc.account, Region: sc.region, Kind: kindWorkloadIdentity, ID: name, Name: name, ARN: arn,
		CreatedAt: now, UpdatedAt: now, Doc: encodeDoc(rec),
	})
	if errors.Is(err, store.ErrConflict) {
		return "", awserr.Conflict("A workload identity named '%s' already exists.", name)
	}
	return arn, err
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

func (s *Service) getIdentity(ctx context.Context, tx store.Tx, name string) (*store.Resource, *identityRecord, error) {
	return loadDoc[identityRecord](ctx, tx, scopeOf(ctx).key(kindWorkloadIdentity, name), func() error { return identityNotFound(name) })
}

func (s *Service) CreateWorkloadIdentity(ctx context.Context, in *api.CreateWorkloadIdentityRequest) (*api.CreateWorkloadIdentityResponse, error) {
	if err := checkTagKeys("tags", mapKeys(in.Tags)); err != nil {
		return nil, err
	}
	sc := scopeOf(ctx)
	return mutate(ctx, s, func(tx store.Tx) (*api.CreateWorkloadIdentityResponse, error) {
		if n, err := tx.Count(ctx, sc.account, sc.region, kindWorkloadIdentity, ""); err != nil {
			return nil, err
		} else if n >= s.quotas.IdentitiesPerAccount {
			return nil, awserr.Errorf("ResourceLimitExceededException", "You have reached the maximum of %d workload identities.", s.quotas.IdentitiesPerAccount)
		}
		now := s.now().UTC()
		arn := identityARN(sc, in.Name)
		rec := identityRecord{GetWorkloadIdentityResponse: api.GetWorkloadIdentityResponse{
			Name: in.Name, WorkloadIdentityArn: arn, AllowedResourceOauth2ReturnUrls: in.AllowedResourceOauth2ReturnUrls,
			CreatedTime: api.NewEpochTime(now), LastUpdatedTime: api.NewEpochTime(now),
		}}
		err := tx.Insert(ctx, &store.Resource{
			Account: sc.account, Region: sc.region, Kind: kindWorkloadIdentity, ID: in.Name, Name: in.Name, ARN: arn,
			CreatedAt: now, UpdatedAt: now, Doc: encodeDoc(rec),
		})
		if errors.Is(err, store.ErrConflict) {
			return nil, awserr.Conflict("A workload identity named '%s' already exists.", in.Name)
		}
		if err != nil {
			return nil, err
		}
		if err := s.createTags(ctx, tx, arn, in.Tags); err != nil {
			return nil, err
		}
		return &api.CreateWorkloadIdentityResponse{Name: in.Name, WorkloadIdentityArn: arn, AllowedResourceOauth2ReturnUrls: in.AllowedResourceOauth2ReturnUrls}, nil
	})
}

func (s *Service) GetWorkloadIdentity(ctx context.Context, in *api.GetWorkloadIdentityRequest) (*api.GetWorkloadIdentityResponse, error) {
	var rec *identityRecord
	err := s.read(ctx, func(tx store.Tx) error {
		var err error
		_, rec, err = s.getIdentity(ctx, tx, in.Name)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &rec.GetWorkloadIdentityResponse, nil
}

func (s *Service) UpdateWorkloadIdentity(ctx context.Context, in *api.UpdateWorkloadIdentityRequest) (*api.UpdateWorkloadIdentityResponse, error) {
	return mutate(ctx, s, func(tx store.Tx) (*api.UpdateWorkloadIdentityResponse, error) {
		row, rec, err := s.getIdentity(ctx, tx, in.Name)
		if err != nil {
			return nil, err
		}
		now := s.now().UTC()
		rec.AllowedResourceOauth2ReturnUrls = in.AllowedResourceOauth2ReturnUrls
		rec.LastUpdatedTime = api.NewEpochTime(now)
		row.UpdatedAt = now
		row.Doc = encodeDoc(rec)
		if err := tx.Update(ctx, row); err != nil {
			return nil, err
		}
		out := api.UpdateWorkloadIdentityResponse(rec.GetWorkloadIdentityResponse)
		return &out, nil
	})
}

func (s *Service) DeleteWorkloadIdentity(ctx context.Context, in *api.DeleteWorkloadIdentityRequest) (*api.DeleteWorkloadIdentityResponse, error) {
	return mutate(ctx, s, func(tx store.Tx) (*api.DeleteWorkloadIdentityResponse, error) {
		row, rec, err := s.getIdentity(ctx, tx, in.Name)
		if err != nil {
			return nil, err
		}
		if rec.LinkedTo != "" {
			return nil, awserr.Validation("WorkloadIdentity is linked to a service and cannot be deleted by the caller.")
		}
		return &api.DeleteWorkloadIdentityResponse{}, s.removeResource(ctx, tx, row)
	})
}

func (s *Service) ListWorkloadIdentities(ctx context.Context, in *api.ListWorkloadIdentitiesRequest) (*api.ListWorkloadIdentitiesResponse, error) {
	out := &api.ListWorkloadIdentitiesResponse{WorkloadIdentities: []api.WorkloadIdentityType{}}
	sc := scopeOf(ctx)
	err := s.read(ctx, func(tx store.Tx) error {
		rows, next, err := s.page(ctx, tx, sc, kindWorkloadIdentity, "", in.MaxResults, 10, in.NextToken)
		if err != nil {
			return err
		}
		out.NextToken = next
		for _, r := range rows {
			out.WorkloadIdentities = append(out.WorkloadIdentities, api.WorkloadIdentityType{Name: r.Name, WorkloadIdentityArn: r.ARN})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
