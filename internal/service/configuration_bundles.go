package service

// Configuration bundles: versioned maps of component configurations with a
// git-like lineage (branches, parents, merge commits). Stored as:
//   - one "configuration-bundle" row: the bundle's current name and
//     description, the head version of its default branch (the embedded
//     GetConfigurationBundleResponse) and the head of every branch;
//   - one immutable "configuration-bundle-version" row per version (parent:
//     the bundle, row id "<bundleId>/<versionId>"), a snapshot of the
//     bundle as that version made it.
//
// Create (201) and Update (200) are synchronous: no output of the model
// carries a bundle status. Delete answers 202 with DELETING; the bundle and
// its versions then disappear, or, with an injected failure, the bundle
// stays (DELETE_FAILED, visible only in that nothing was deleted) until a
// later Delete succeeds.
//
// Decisions where the reference is thin:
//   - Branches: a bundle's first version is on branchName (default
//     "mainline"). GetConfigurationBundle without branchName answers the head
//     of "mainline", or of the bundle's first branch while no mainline exists.
//   - Update: the branch is branchName, else the first parent's branch, else
//     the default branch. Without parentVersionIds the parent is that
//     branch's head (a new branch starts from the default branch's head).
//     When the branch exists, the first parent must be its head, otherwise
//     ConflictException (a concurrent commit won); unknown parents or more
//     than two are a ValidationException. Members left out (components,
//     description) are carried over from the first parent / the bundle;
//     bundleName renames the bundle (unique per account and region).
//   - ListConfigurationBundleVersions lists in creation order, oldest first;
//     latestPerBranch keeps the branch heads only.
//   - kmsKeyArn (botocore 1.43.67): set on Create, replaced by an Update
//     that gives one (an Update without it keeps the key). Each version
//     records the key the bundle had when it was made, so
//     GetConfigurationBundleVersion answers the version's and
//     GetConfigurationBundle the bundle's current one. The key is not
//     checked against KMS.
//   - parentVersionIds and commitMessage, which the Go SDK v1.81.0 sends on
//     every UpdateConfigurationBundle, are model members: they are the
//     version's lineage (parents as above; the message in lineageMetadata).
//   - Faults: "fail" rules apply to DeleteConfigurationBundle only (Create and
//     Update have no asynchronous step to fail).

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"

	"agentcored/internal/api"
	"agentcored/internal/awserr"
	"agentcored/internal/members"
	"agentcored/internal/store"
)

const (
	kindBundle           = "configuration-bundle"
	kindBundleVersion    = "configuration-bundle-version"
	familyBundles        = "configurationbundles"
	mainlineBranch       = "mainline"
	defaultBundleLimit   = 10
	maxBundleVersionPars = 2
)

// bundleRecord is the document of a configuration bundle row.
type bundleRecord struct {
	// The head version of the default branch, with the bundle's current
	// name, description and timestamps.
	api.GetConfigurationBundleResponse
	Status api.ConfigurationBundleStatus `json:"status"`
	// Branches maps each branch to its head version.
	Branches map[string]string `json:"branches"`
	// FirstBranch is the branch of the bundle's first version.
	FirstBranch string `json:"firstBranch"`
	failable
}

// defaultBranch is the branch GetConfigurationBundle answers without one.
func (r *bundleRecord) defaultBranch() string {
	if _, ok := r.Branches[mainlineBranch]; ok {
		return mainlineBranch
	}
	return r.FirstBranch
}

var bundles = &family[bundleRecord]{
	kind: kindBundle, group: familyBundles, noun: "configuration bundle", arnPath: "configuration-bundle/",
	fields: fields{ID: "BundleId", ARN: "BundleArn", Status: "Status", Created: "CreatedAt", Updated: "UpdatedAt"},
	states: states{create: "ACTIVE", delete: "DELETING", settle: map[string]outcome{"DELETING": {"", "DELETE_FAILED"}}},
	quota:  func(q Quotas) int { return q.ConfigurationBundlesPerAccount }, listLimit: defaultBundleLimit,
	taken: func(_, name string) error { return bundleNameTaken(name) },
	// The versions go with the bundle.
	settled: func(ctx context.Context, s *Service, tx store.Tx, row *store.Resource, rec *bundleRecord, _ string) error {
		if rec.Status != api.ConfigurationBundleStatusDeleting {
			return nil
		}
		return s.removeChildren(ctx, tx, row, kindBundleVersion)
	},
}

// bundleVersions are read through the engine; they are written only as a
// side effect of the bundle's Create and Update (addBundleVersion).
var bundleVersions = &family[api.GetConfigurationBundleVersionResponse]{
	kind: kindBundleVersion, noun: "configuration bundle version", fields: fields{ID: "VersionId"},
	missing: bundleVersionNotFound,
	parentExists: func(ctx context.Context, tx store.Tx, sc scope, bundleID string) error {
		_, _, err := bundles.load(ctx, tx, sc, "", bundleID)
		return err
	},
}

func bundleVersionNotFound(bundleID, versionID string) error {
	return awserr.NotFound("Version '%s' of configuration bundle '%s' was not found.", versionID, bundleID)
}

func bundleNameTaken(name string) error {
	return awserr.Conflict("A configuration bundle named '%s' already exists in this account and region.", name)
}

// addBundleVersion stores a new version of the bundle rec, with the
// bundle's current name and description, and makes it the head of its
// branch (and the bundle's own head when that is the default branch).
func addBundleVersion(ctx context.Context, tx store.Tx, sc scope, rec *bundleRecord,
	components map[string]api.ComponentConfiguration, lineage *api.VersionLineageMetadata, at time.Time) (string, error) {
	if components == nil {
		components = map[string]api.ComponentConfiguration{} // required in every output
	}
	v := &api.GetConfigurationBundleVersionResponse{
		BundleArn: rec.BundleArn, BundleId: rec.BundleId, BundleName: rec.BundleName, Description: rec.Description,
		VersionId: uuid.NewString(), Components: components, LineageMetadata: lineage,
		CreatedAt: rec.CreatedAt, VersionCreatedAt: api.NewEpochTime(at), KmsKeyArn: rec.KmsKeyArn,
	}
	if rec.Branches == nil {
		rec.Branches, rec.FirstBranch = map[string]string{}, lineage.BranchName
	}
	rec.Branches[lineage.BranchName] = v.VersionId
	if lineage.BranchName == rec.defaultBranch() {
		rec.VersionId, rec.Components, rec.LineageMetadata = v.VersionId, v.Components, v.LineageMetadata
	}
	return v.VersionId, tx.Insert(ctx, &store.Resource{
		Account: sc.account, Region: sc.region, Kind: kindBundleVersion,
		ID: bundleVersions.rowID(v.BundleId, v.VersionId), ParentID: v.BundleId,
		Status: string(api.ConfigurationBundleStatusActive), CreatedAt: at, UpdatedAt: at, Doc: encodeDoc(v),
	})
}

func (s *Service) CreateConfigurationBundle(ctx context.Context, in *api.CreateConfigurationBundleRequest) (*api.CreateConfigurationBundleResponse, error) {
	return create[api.CreateConfigurationBundleResponse](ctx, s, bundles, creation{name: in.BundleName, tags: in.Tags, from: in},
		func(tx store.Tx, sc scope, rec *bundleRecord) error {
			branch := in.BranchName
			if branch == "" {
				branch = mainlineBranch
			}
			_, err := addBundleVersion(ctx, tx, sc, rec, in.Components,
				&api.VersionLineageMetadata{BranchName: branch, CreatedBy: in.CreatedBy, CommitMessage: in.CommitMessage}, rec.CreatedAt.Time)
			return err
		})
}

func (s *Service) GetConfigurationBundle(ctx context.Context, in *api.GetConfigurationBundleRequest) (*api.GetConfigurationBundleResponse, error) {
	sc := scopeOf(ctx)
	return readAnswer(ctx, s, func(tx store.Tx) (*api.GetConfigurationBundleResponse, error) {
		_, rec, err := bundles.load(ctx, tx, sc, "", in.BundleId)
		if err != nil {
			return nil, err
		}
		out := &rec.GetConfigurationBundleResponse
		if in.BranchName == "" || in.BranchName == rec.defaultBranch() {
			return out, nil
		}
		head, ok := rec.Branches[in.BranchName]
		if !ok {
			return nil, awserr.NotFound("Branch '%s' of configuration bundle '%s' was not found.", in.BranchName, in.BundleId)
		}
		_, v, err := bundleVersions.load(ctx, tx, sc, in.BundleId, head)
		if err != nil {
			return nil, err
		}
		out.VersionId, out.Components, out.LineageMetadata = v.VersionId, v.Components, v.LineageMetadata
		return out, nil
	})
}

func (s *Service) GetConfigurationBundleVersion(ctx context.Context, in *api.GetConfigurationBundleVersionRequest) (*api.GetConfigurationBundleVersionResponse, error) {
	return get[api.GetConfigurationBundleVersionResponse](ctx, s, bundleVersions, in.BundleId, in.VersionId)
}

// UpdateConfigurationBundle commits a new version in its own transaction
// rather than through update: the bundle's updatedAt and the version's
// versionCreatedAt are one instant, and a rename lost to a concurrent one
// answers the bundle's own name-taken error.
func (s *Service) UpdateConfigurationBundle(ctx context.Context, in *api.UpdateConfigurationBundleRequest) (*api.UpdateConfigurationBundleResponse, error) {
	if len(in.ParentVersionIds) > maxBundleVersionPars {
		return nil, awserr.Validation("1 validation error detected: Value at 'parentVersionIds' failed to satisfy constraint: A version has at most %d parents", maxBundleVersionPars)
	}
	sc := scopeOf(ctx)
	return mutate(ctx, s, func(tx store.Tx) (*api.UpdateConfigurationBundleResponse, error) {
		row, rec, err := bundles.load(ctx, tx, sc, "", in.BundleId)
		if err != nil {
			return nil, err
		}
		if rec.Status == api.ConfigurationBundleStatusDeleting {
			return nil, awserr.Conflict("Configuration bundle '%s' is being deleted.", in.BundleId)
		}
		var parents []*api.GetConfigurationBundleVersionResponse
		for _, pid := range in.ParentVersionIds {
			if len(parents) == 1 && parents[0].VersionId == pid {
				return nil, awserr.Validation("1 validation error detected: Value at 'parentVersionIds' failed to satisfy constraint: Version '%s' is listed twice", pid)
			}
			_, v, err := loadDoc[api.GetConfigurationBundleVersionResponse](ctx, tx, sc.key(kindBundleVersion, bundleVersions.rowID(in.BundleId, pid)), func() error {
				return awserr.Validation("Parent version '%s' does not exist in configuration bundle '%s'.", pid, in.BundleId)
			})
			if err != nil {
				return nil, err
			}
			parents = append(parents, v)
		}
		branch := in.BranchName
		switch {
		case branch != "":
		case len(parents) > 0 && parents[0].LineageMetadata != nil && parents[0].LineageMetadata.BranchName != "":
			branch = parents[0].LineageMetadata.BranchName
		default:
			branch = rec.defaultBranch()
		}
		head, exists := rec.Branches[branch]
		if len(parents) == 0 {
			// A new branch starts from the default branch's head.
			from := head
			if !exists {
				from = rec.Branches[rec.defaultBranch()]
			}
			_, v, err := bundleVersions.load(ctx, tx, sc, in.BundleId, from)
			if err != nil {
				return nil, err
			}
			parents = append(parents, v)
		} else if exists && parents[0].VersionId != head {
			return nil, awserr.Conflict("Version '%s' is not the latest version of branch '%s' (the latest is '%s').", parents[0].VersionId, branch, head)
		}

		if in.BundleName != "" && in.BundleName != rec.BundleName {
			if _, err := tx.GetByName(ctx, sc.account, sc.region, kindBundle, "", in.BundleName); err == nil {
				return nil, bundleNameTaken(in.BundleName)
			} else if !errors.Is(err, store.ErrNotFound) {
				return nil, err
			}
			rec.BundleName, row.Name = in.BundleName, in.BundleName
		}
		if in.Description != "" {
			rec.Description = in.Description
		}
		if in.KmsKeyArn != "" {
			rec.KmsKeyArn = in.KmsKeyArn
		}
		components := parents[0].Components
		if in.Components != nil {
			components = in.Components
		}
		parentIDs := make([]string, len(parents))
		for i, p := range parents {
			parentIDs[i] = p.VersionId
		}
		now := s.now().UTC()
		version, err := addBundleVersion(ctx, tx, sc, rec, components, &api.VersionLineageMetadata{ParentVersionIds: parentIDs,
			BranchName: branch, CreatedBy: in.CreatedBy, CommitMessage: in.CommitMessage}, now)
		if err != nil {
			return nil, err
		}
		rec.UpdatedAt = api.NewEpochTime(now)
		if err := bundles.save(ctx, s, tx, row, rec, now); err != nil {
			if errors.Is(err, store.ErrConflict) {
				return nil, bundleNameTaken(rec.BundleName)
			}
			return nil, err
		}
		return &api.UpdateConfigurationBundleResponse{BundleArn: rec.BundleArn, BundleId: rec.BundleId, VersionId: version, UpdatedAt: rec.UpdatedAt}, nil
	})
}

func (s *Service) DeleteConfigurationBundle(ctx context.Context, in *api.DeleteConfigurationBundleRequest) (*api.DeleteConfigurationBundleResponse, error) {
	return remove[api.DeleteConfigurationBundleResponse](ctx, s, bundles, "", in.BundleId)
}

func (s *Service) ListConfigurationBundles(ctx context.Context, in *api.ListConfigurationBundlesRequest) (*api.ListConfigurationBundlesResponse, error) {
	return answerPage[api.ListConfigurationBundlesResponse](list[api.ConfigurationBundleSummary](ctx, s, bundles,
		listing[bundleRecord]{maxResults: in.MaxResults, nextToken: in.NextToken}))
}

// ListConfigurationBundleVersions pages through the versions the filter
// keeps. It stays outside list because latestPerBranch needs the bundle's
// branch heads, read in the same transaction; the token is checked first.
func (s *Service) ListConfigurationBundleVersions(ctx context.Context, in *api.ListConfigurationBundleVersionsRequest) (*api.ListConfigurationBundleVersionsResponse, error) {
	sc := scopeOf(ctx)
	if in.NextToken != "" {
		if _, err := s.decodePageToken(sc, in.NextToken, kindBundleVersion, in.BundleId); err != nil {
			return nil, err
		}
	}
	return readAnswer(ctx, s, func(tx store.Tx) (*api.ListConfigurationBundleVersionsResponse, error) {
		_, rec, err := bundles.load(ctx, tx, sc, "", in.BundleId)
		if err != nil {
			return nil, err
		}
		heads := map[string]bool{}
		for _, v := range rec.Branches {
			heads[v] = true
		}
		rows, next, err := s.pageKeeping(ctx, tx, sc, kindBundleVersion, in.BundleId, in.MaxResults, defaultBundleLimit, in.NextToken,
			func(r *store.Resource) (bool, error) {
				var v api.GetConfigurationBundleVersionResponse
				err := decodeDoc(r, &v)
				return err == nil && versionMatches(&v, in.Filter, heads), err
			})
		if err != nil {
			return nil, err
		}
		out := &api.ListConfigurationBundleVersionsResponse{Versions: []api.ConfigurationBundleVersionSummary{}, NextToken: next}
		for _, r := range rows {
			var v api.GetConfigurationBundleVersionResponse
			if err := decodeDoc(r, &v); err != nil {
				return nil, err
			}
			out.Versions = append(out.Versions, *members.Project[api.ConfigurationBundleVersionSummary](&v))
		}
		return out, nil
	})
}

func versionMatches(v *api.GetConfigurationBundleVersionResponse, f *api.VersionFilter, heads map[string]bool) bool {
	if f == nil {
		return true
	}
	lm := v.LineageMetadata
	if lm == nil {
		lm = &api.VersionLineageMetadata{}
	}
	return (f.BranchName == "" || lm.BranchName == f.BranchName) &&
		(f.CreatedByName == "" || lm.CreatedBy != nil && lm.CreatedBy.Name == f.CreatedByName) &&
		(f.LatestPerBranch == nil || !*f.LatestPerBranch || heads[v.VersionId])
}
