package service

import (
	"context"
	"errors"

	"agentcored/internal/api"
	"agentcored/internal/awserr"
	"agentcored/internal/store"
)

// Browser profiles: synchronous. Create answers 200 with the profile READY;
// Delete answers 200 and removes the row (and its tags) in the same
// transaction, so it reports DELETED: the next Get is a 404. SAVING belongs
// to the data plane (saving a session into the profile), which this server
// does not run, so a profile never leaves READY while it exists.

const kindBrowserProfile = "browser-profile"

func browserProfileNotFound(id string) error {
	return awserr.NotFound("Browser profile '%s' was not found.", id)
}

func (s *Service) getBrowserProfile(ctx context.Context, tx store.Tx, id string) (*store.Resource, *api.GetBrowserProfileResponse, error) {
	r, err := tx.Get(ctx, scopeOf(ctx).key(kindBrowserProfile, id))
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil, browserProfileNotFound(id)
	}
	if err != nil {
		return nil, nil, err
	}
	var rec api.GetBrowserProfileResponse
	return r, &rec, decodeDoc(r, &rec)
}

func (s *Service) CreateBrowserProfile(ctx context.Context, in *api.CreateBrowserProfileRequest) (*api.CreateBrowserProfileResponse, error) {
	if err := checkTagKeys("tags", mapKeys(in.Tags)); err != nil {
		return nil, err
	}
	sc := scopeOf(ctx)
	return mutate(ctx, s, func(tx store.Tx) (*api.CreateBrowserProfileResponse, error) {
		if err := checkNamed(ctx, tx, sc, kindBrowserProfile, in.Name, s.quotas.ProfilesPerAccount, "browser profile"); err != nil {
			return nil, err
		}
		now := s.now().UTC()
		id := newID(in.Name)
		rec := api.GetBrowserProfileResponse{
			ProfileId: id, ProfileArn: sc.arn("browser-profile/" + id), Name: in.Name, Description: in.Description,
			Status: api.BrowserProfileStatusReady, CreatedAt: api.NewDateTime(now), LastUpdatedAt: api.NewDateTime(now),
		}
		row := &store.Resource{Account: sc.account, Region: sc.region, Kind: kindBrowserProfile, ID: id, Name: in.Name,
			ARN: rec.ProfileArn, Status: string(rec.Status), CreatedAt: now, UpdatedAt: now, Doc: encodeDoc(rec)}
		if err := s.insertNamed(ctx, tx, row, in.Tags, "browser profile"); err != nil {
			return nil, err
		}
		return &api.CreateBrowserProfileResponse{ProfileId: id, ProfileArn: rec.ProfileArn, CreatedAt: rec.CreatedAt, Status: rec.Status}, nil
	})
}

func (s *Service) GetBrowserProfile(ctx context.Context, in *api.GetBrowserProfileRequest) (*api.GetBrowserProfileResponse, error) {
	var rec *api.GetBrowserProfileResponse
	err := s.read(ctx, func(tx store.Tx) error {
		var err error
		_, rec, err = s.getBrowserProfile(ctx, tx, in.ProfileId)
		return err
	})
	if err != nil {
		return nil, err
	}
	return rec, nil
}

func (s *Service) DeleteBrowserProfile(ctx context.Context, in *api.DeleteBrowserProfileRequest) (*api.DeleteBrowserProfileResponse, error) {
	return mutate(ctx, s, func(tx store.Tx) (*api.DeleteBrowserProfileResponse, error) {
		row, rec, err := s.getBrowserProfile(ctx, tx, in.ProfileId)
		if err != nil {
			return nil, err
		}
		if err := s.removeResource(ctx, tx, row); err != nil {
			return nil, err
		}
		return &api.DeleteBrowserProfileResponse{
			ProfileId: rec.ProfileId, ProfileArn: rec.ProfileArn, Status: api.BrowserProfileStatusDeleted,
			LastUpdatedAt: api.NewDateTime(s.now()), LastSavedAt: rec.LastSavedAt,
		}, nil
	})
}

func (s *Service) ListBrowserProfiles(ctx context.Context, in *api.ListBrowserProfilesRequest) (*api.ListBrowserProfilesResponse, error) {
	out := &api.ListBrowserProfilesResponse{ProfileSummaries: []api.BrowserProfileSummary{}}
	sc := scopeOf(ctx)
	err := s.read(ctx, func(tx store.Tx) error {
		var rows []*store.Resource
		if in.Name != "" {
			// Names are unique, so the filtered listing is one page of at
			// most one profile; a token can only point past it.
			if in.NextToken != "" {
				_, err := s.decodePageToken(sc, in.NextToken, kindBrowserProfile, "")
				return err
			}
			r, err := tx.GetByName(ctx, sc.account, sc.region, kindBrowserProfile, "", in.Name)
			if errors.Is(err, store.ErrNotFound) {
				return nil
			}
			if err != nil {
				return err
			}
			rows = []*store.Resource{r}
		} else {
			var err error
			if rows, out.NextToken, err = s.page(ctx, tx, sc, kindBrowserProfile, "", in.MaxResults, defaultSandboxListLimit, in.NextToken); err != nil {
				return err
			}
		}
		for _, r := range rows {
			var rec api.GetBrowserProfileResponse
			if err := decodeDoc(r, &rec); err != nil {
				return err
			}
			out.ProfileSummaries = append(out.ProfileSummaries, api.BrowserProfileSummary{
				ProfileId: rec.ProfileId, ProfileArn: rec.ProfileArn, Name: rec.Name, Description: rec.Description,
				Status: rec.Status, CreatedAt: rec.CreatedAt, LastUpdatedAt: rec.LastUpdatedAt, LastSavedAt: rec.LastSavedAt,
				LastSavedBrowserSessionId: rec.LastSavedBrowserSessionId, LastSavedBrowserId: rec.LastSavedBrowserId,
			})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
