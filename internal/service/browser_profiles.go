package service

import (
	"context"

	"agentcored/internal/api"
)

// Browser profiles: synchronous. Create answers 200 with the profile READY;
// Delete answers 200 and removes the row (and its tags) in the same
// transaction, so it reports DELETED: the next Get is a 404. SAVING belongs
// to the data plane (saving a session into the profile), which this server
// does not run, so a profile never leaves READY while it exists.

const kindBrowserProfile = "browser-profile"

var browserProfiles = &family[api.GetBrowserProfileResponse]{
	kind: kindBrowserProfile, noun: "browser profile", arnPath: "browser-profile/",
	fields: fields{ID: "ProfileId", ARN: "ProfileArn", Status: "Status", Created: "CreatedAt", Updated: "LastUpdatedAt"},
	states: states{create: "READY", delete: "DELETED"},
	quota:  func(q Quotas) int { return q.ProfilesPerAccount }, listLimit: defaultSandboxListLimit,
}

func (s *Service) CreateBrowserProfile(ctx context.Context, in *api.CreateBrowserProfileRequest) (*api.CreateBrowserProfileResponse, error) {
	return create[api.CreateBrowserProfileResponse](ctx, s, browserProfiles, creation{name: in.Name, tags: in.Tags, from: in}, nil)
}

func (s *Service) GetBrowserProfile(ctx context.Context, in *api.GetBrowserProfileRequest) (*api.GetBrowserProfileResponse, error) {
	return get[api.GetBrowserProfileResponse](ctx, s, browserProfiles, "", in.ProfileId)
}

func (s *Service) DeleteBrowserProfile(ctx context.Context, in *api.DeleteBrowserProfileRequest) (*api.DeleteBrowserProfileResponse, error) {
	return remove[api.DeleteBrowserProfileResponse](ctx, s, browserProfiles, "", in.ProfileId)
}

func (s *Service) ListBrowserProfiles(ctx context.Context, in *api.ListBrowserProfilesRequest) (*api.ListBrowserProfilesResponse, error) {
	return answerPage[api.ListBrowserProfilesResponse](list[api.BrowserProfileSummary](ctx, s, browserProfiles,
		listing[api.GetBrowserProfileResponse]{name: in.Name, maxResults: in.MaxResults, nextToken: in.NextToken}))
}
