package service

// Harness versions. "Harness versioning works the same way as AgentCore
// Runtime versioning" (devguide, "AgentCore harness versioning and
// endpoints"): CreateHarness makes version 1, each UpdateHarness a new
// version with the whole configuration, and versions are immutable.
//
// Stored as one "harness-version" row per version (parent: the harness, row
// id "<harnessId>/<version>"), a snapshot of the harness as that version
// made it. Only harnesses.go writes them (addHarnessVersion, when the
// harness is created or updated, and settleHarnessVersion, when that change
// ends); the engine reads and lists them.
//
// Decisions where AWS is silent:
//   - A version carries the status of the change that made it: CREATING or
//     UPDATING, then READY or CREATE_FAILED / UPDATE_FAILED (with
//     failureReason) when the harness's change ends. A failed update still
//     leaves its version (the configuration existed; as for runtimes).
//   - GetHarness with harnessVersion answers that snapshot; its createdAt is
//     the harness's. In ListHarnessVersions, createdAt is when the version
//     was made and updatedAt when its status last changed.
//   - ListHarnessVersions lists oldest first (creation order), 10 a page.
//   - At most Quotas.VersionsPerRuntime versions (harnesses run on runtimes);
//     an update past it is a ServiceQuotaExceededException.
//   - Unknown version: ResourceNotFoundException naming version and harness.

import (
	"context"
	"errors"
	"strconv"
	"time"

	"agentcored/internal/api"
	"agentcored/internal/awserr"
	"agentcored/internal/members"
	"agentcored/internal/store"
)

const kindHarnessVersion = "harness-version"

// harnessVersionDoc is the document of a harness-version row.
type harnessVersionDoc struct {
	api.Harness
	// VersionCreatedAt is when the version was made (Harness.CreatedAt is
	// the harness's creation).
	VersionCreatedAt api.DateTime `json:"versionCreatedAt"`
}

var harnessVersions = &family[harnessVersionDoc]{
	kind: kindHarnessVersion, group: familyHarnesses, noun: "harness version",
	fields: fields{ID: "HarnessVersion"}, listLimit: defaultHarnessListLimit,
	missing: func(harnessID, version string) error {
		return awserr.NotFound("Version '%s' of harness '%s' was not found.", version, harnessID)
	},
	parentExists: harnessExists,
	summary: func(v *harnessVersionDoc) any {
		out := members.Project[api.HarnessVersionSummary](v)
		out.CreatedAt = v.VersionCreatedAt
		return out
	},
}

// harnessExists answers the harness's not-found error (the engine's
// message for the harnesses family, which the children's families cannot
// name: harnesses refers to them when its changes end).
func harnessExists(ctx context.Context, tx store.Tx, sc scope, harnessID string) error {
	_, err := tx.Get(ctx, sc.key(kindHarness, harnessID))
	if errors.Is(err, store.ErrNotFound) {
		return awserr.NotFound("Harness '%s' was not found.", harnessID)
	}
	return err
}

// nextHarnessVersion is the version an update of h makes.
func (s *Service) nextHarnessVersion(h *api.Harness) (string, error) {
	prev, _ := strconv.Atoi(h.HarnessVersion) // "" for a harness stored before versions: 0
	if max := s.quotas.VersionsPerRuntime; max > 0 && prev >= max {
		return "", awserr.QuotaExceeded("Harness '%s' has reached the maximum of %d versions.", h.HarnessId, max)
	}
	return strconv.Itoa(prev + 1), nil
}

// addHarnessVersion stores h, in the status its change entered, as its
// version h.HarnessVersion.
func addHarnessVersion(ctx context.Context, tx store.Tx, sc scope, h *api.Harness, now time.Time) error {
	v := &harnessVersionDoc{Harness: *h, VersionCreatedAt: api.NewDateTime(now)}
	v.UpdatedAt = api.NewDateTime(now)
	row := &store.Resource{Account: sc.account, Region: sc.region, Kind: kindHarnessVersion,
		ID: harnessVersions.rowID(h.HarnessId, h.HarnessVersion), ParentID: h.HarnessId, ARN: "",
		Status: string(h.Status), CreatedAt: now, UpdatedAt: now}
	harnessVersions.encode(row, v)
	return tx.Insert(ctx, row)
}

// settleHarnessVersion gives the harness's current version the status (and
// failure reason) its change ended in.
func settleHarnessVersion(ctx context.Context, tx store.Tx, sc scope, h *api.Harness, now time.Time) error {
	if h.HarnessVersion == "" {
		return nil
	}
	row, v, err := harnessVersions.load(ctx, tx, sc, h.HarnessId, h.HarnessVersion)
	if err != nil {
		return err
	}
	v.Status, v.FailureReason, v.UpdatedAt = h.Status, h.FailureReason, api.NewDateTime(now)
	row.Status, row.UpdatedAt = string(v.Status), now
	harnessVersions.encode(row, v)
	return tx.Update(ctx, row)
}

// getHarnessVersion answers GetHarness for one version.
func (s *Service) getHarnessVersion(ctx context.Context, harnessID, version string) (*api.GetHarnessResponse, error) {
	v, err := get[harnessVersionDoc](ctx, s, harnessVersions, harnessID, version)
	if err != nil {
		return nil, err
	}
	return &api.GetHarnessResponse{Harness: &v.Harness}, nil
}

func (s *Service) ListHarnessVersions(ctx context.Context, in *api.ListHarnessVersionsRequest) (*api.ListHarnessVersionsResponse, error) {
	return answerPage[api.ListHarnessVersionsResponse](list[api.HarnessVersionSummary](ctx, s, harnessVersions,
		listing[harnessVersionDoc]{parent: in.HarnessId, maxResults: in.MaxResults, nextToken: in.NextToken}))
}
