package service

// Datasets: evaluation scenarios (examples) with a working copy, the DRAFT,
// and immutable numbered versions published from it.
//
// Sources: the model (botocore 1.43.67), the Go SDK v1.81.0 documentation
// comments, and the developer guide pages "Getting started" (datasets),
// "Manage dataset examples", "Manage dataset versions" and "Dataset schema".
//
// Storage. The model bounds a batch (1,000 examples, 5 MB inline) but not a
// dataset, so examples are rows of their own, not members of the dataset
// document (which is rewritten on every status change):
//   - "dataset": the DRAFT view (the embedded GetDatasetResponse), the last
//     version number given out and the version being published;
//   - "dataset-version": one row per published version (parent: the
//     dataset, row id "<datasetId>/<n>"), its DatasetVersionSummary;
//   - "dataset-example": one row per example of the DRAFT or of a version
//     (parent "<datasetId>/DRAFT" or "<datasetId>/<n>", row id
//     "<parent>/<exampleId>", row name its scenario_id). The document is the
//     example as the caller wrote it plus "exampleId" (a UUID).
//
// Lifecycle (DatasetStatus; the SDK: "CREATING ... All writes are blocked",
// "UPDATING: an async example mutation or CreateDatasetVersion is in
// progress"): CreateDataset answers 202 CREATING → ACTIVE (CREATE_FAILED on
// an injected failure or an S3 source); AddDatasetExamples,
// UpdateDatasetExamples, DeleteDatasetExamples and CreateDatasetVersion
// answer 202 UPDATING → ACTIVE (UPDATE_FAILED); DeleteDataset answers 202
// DELETING → gone (DELETE_FAILED). UpdateDataset (description only) is
// synchronous, 200. The examples of a mutation are written when it is
// accepted; the status then says when "the service" is done, as the
// lifecycle policy decides. Writes are accepted in ACTIVE and
// UPDATE_FAILED only (ConflictException otherwise); a dataset in
// CREATE_FAILED or DELETE_FAILED can only be deleted.
//
// Examples (dataset_examples.go): every batch is validated whole before
// anything is written (the SDK: "all-or-nothing semantics"); one bad
// example answers ValidationException at its member path (1-based, as the
// validator names list elements, e.g. source.inlineExamples.examples.3)
// and changes nothing. Unknown example ids answer ResourceNotFoundException
// (devguide). Schema rules (devguide "Getting started"):
// AGENTCORE_EVALUATION_PREDEFINED_V1 needs scenario_id and a non-empty
// turns list whose turns each have input; AGENTCORE_EVALUATION_SIMULATED_V1
// needs scenario_id, actor_profile {context, goal} and input. scenario_id
// is "the unique identifier of the scenario within the dataset" (devguide
// "Dataset schema"): a second one in the DRAFT is a ValidationException.
// An exampleId sent to Add/Create is replaced by a new one.
//
// Versions (devguide "Manage dataset versions"): CreateDatasetVersion
// copies the DRAFT into version n+1 (numbers start at 1 and are never
// reused, even after DeleteDataset removed a version); the DRAFT stays and
// draftStatus becomes UNMODIFIED; any example change makes it MODIFIED (a
// new dataset is MODIFIED: nothing is published). A publication that fails
// (injected fault) leaves no version. ListDatasetVersions lists newest
// first; GetDataset and ListDatasetExamples default to DRAFT.
// DeleteDataset with datasetVersion n removes that version at once and
// answers the dataset's status; datasetVersion DRAFT is a
// ValidationException (the DRAFT goes with the dataset).
//
// schemaType and source: botocore 1.43.67 requires both; aws-sdk-go-v2
// v1.81.0 requires neither (the overlay makes them optional,
// models/overlay/README.md). The API reference and the devguide ("Manage
// datasets") still list both as required parameters; CloudFormation's
// AWS::BedrockAgentCore::Dataset requires schemaType but not source, and the
// AgentCore CLI creates a dataset first and syncs its examples afterwards.
//   - Without source the dataset is created empty (exampleCount 0, ACTIVE);
//     examples come with AddDatasetExamples.
//   - Without schemaType: no default is documented, but every dataset has
//     one ("Each dataset declares a schemaType at creation time"; GetDataset
//     and the listing require it in their answers) and it is immutable, so
//     agentcored gives it AGENTCORE_EVALUATION_PREDEFINED_V1, the type of
//     every example in the devguide, and validates the source's examples
//     against it.
//
// Other decisions where AWS is silent:
//   - id "<name>-<10 alphanumerics>", ARN ...:dataset/<id>; names unique
//     per account and region (the SDK: "Must be unique within the
//     account"), ConflictException.
//   - s3Source: agentcored cannot read S3, so the ingestion it asks for ends
//     in CREATE_FAILED / UPDATE_FAILED with a failureReason saying so.
//   - No downloadUrl (no consolidated file is ever written).
//   - Quotas (none documented): 1,000 datasets per account and region,
//     10,000 examples per dataset, 1,000 versions per dataset
//     (ServiceQuotaExceededException).
//   - Page sizes: 10 datasets, 10 versions, 1,000 examples (paws docs of
//     ListDatasetExamples: "Default: 1000").
//   - UpdateDataset in UPDATE_FAILED keeps the status but, like every
//     engine update, clears the failure reason.

import (
	"context"
	"strconv"
	"strings"
	"time"

	"agentcored/internal/api"
	"agentcored/internal/awserr"
	"agentcored/internal/members"
	"agentcored/internal/store"
)

const (
	kindDataset          = "dataset"
	kindDatasetVersion   = "dataset-version"
	kindDatasetExample   = "dataset-example"
	familyDatasets       = "datasets"
	draftVersion         = "DRAFT"
	maxDatasets          = 1000
	maxDatasetExamples   = 10000
	maxDatasetVersions   = 1000
	defaultDatasetLimit  = 10
	defaultExamplesLimit = 1000
)

// datasetRecord is the document of a dataset row.
type datasetRecord struct {
	api.GetDatasetResponse
	// LastVersion is the newest version number given out (0: none).
	LastVersion int `json:"lastVersion,omitempty"`
	// Publishing is the version CreateDatasetVersion is making while the
	// dataset is UPDATING; it is removed again if that ends UPDATE_FAILED.
	Publishing string `json:"publishing,omitempty"`
	failable          // set by an injected fault or an S3 source
}

var datasets = &family[datasetRecord]{
	kind: kindDataset, group: familyDatasets, noun: "dataset", arnPath: "dataset/",
	fields: fields{ID: "DatasetId", ARN: "DatasetArn", Status: "Status", Reason: "FailureReason", Created: "CreatedAt", Updated: "UpdatedAt"},
	// UpdateDataset is synchronous (update ""); the example operations and
	// CreateDatasetVersion enter UPDATING themselves.
	states: states{create: "CREATING", delete: "DELETING",
		settle: map[string]outcome{
			"CREATING": {"ACTIVE", "CREATE_FAILED"},
			"UPDATING": {"ACTIVE", "UPDATE_FAILED"},
			"DELETING": {"", "DELETE_FAILED"},
		},
		frozen: []string{"CREATE_FAILED", "DELETE_FAILED"},
	},
	quota: func(Quotas) int { return maxDatasets }, listLimit: defaultDatasetLimit,
	summary: func(r *datasetRecord) any { return members.Project[api.DatasetSummary](r) },
	settled: settleDataset,
}

// settleDataset removes a deleted dataset's versions and examples, and a
// version whose publication failed.
func settleDataset(ctx context.Context, s *Service, tx store.Tx, row *store.Resource, rec *datasetRecord, from string) error {
	switch {
	case from == "DELETING" && rec.Status == api.DatasetStatusDeleting:
		versions, err := datasetVersionRows(ctx, tx, row)
		if err != nil {
			return err
		}
		for _, v := range versions {
			if err := removeDatasetVersion(ctx, tx, v); err != nil {
				return err
			}
		}
		return removeExamples(ctx, tx, row.Account, row.Region, examplesParent(rec.DatasetId, draftVersion))
	case from == "UPDATING":
		publishing := rec.Publishing
		rec.Publishing = ""
		if publishing == "" || rec.Status != api.DatasetStatusUpdateFailed {
			return nil
		}
		rec.DraftStatus = api.DraftStatusModified
		v, err := tx.Get(ctx, store.Key{Account: row.Account, Region: row.Region, Kind: kindDatasetVersion, ID: datasetVersionRowID(rec.DatasetId, publishing)})
		if err != nil {
			return err
		}
		return removeDatasetVersion(ctx, tx, v)
	}
	return nil
}

func examplesParent(datasetID, version string) string { return datasetID + "/" + version }

func datasetVersionRowID(datasetID, version string) string { return datasetID + "/" + version }

func datasetVersionRows(ctx context.Context, tx store.Tx, row *store.Resource) ([]*store.Resource, error) {
	return tx.List(ctx, store.ListQuery{Account: row.Account, Region: row.Region, Kind: kindDatasetVersion, ParentID: row.ID})
}

// removeDatasetVersion removes a version row and its examples.
func removeDatasetVersion(ctx context.Context, tx store.Tx, v *store.Resource) error {
	if err := removeExamples(ctx, tx, v.Account, v.Region, v.ID); err != nil {
		return err
	}
	return tx.Delete(ctx, v.Key())
}

func removeExamples(ctx context.Context, tx store.Tx, account, region, parent string) error {
	rows, err := tx.List(ctx, store.ListQuery{Account: account, Region: region, Kind: kindDatasetExample, ParentID: parent})
	if err != nil {
		return err
	}
	for _, r := range rows {
		if err := tx.Delete(ctx, r.Key()); err != nil {
			return err
		}
	}
	return nil
}

func datasetVersionNotFound(datasetID, version string) error {
	return awserr.NotFound("Version '%s' of dataset '%s' was not found.", version, datasetID)
}

// checkVersionName rejects a version that can never exist ("0", "01").
func checkVersionName(member, version string) error {
	if version == "" || version == draftVersion {
		return nil
	}
	if n, err := strconv.Atoi(version); err != nil || n < 1 || strconv.Itoa(n) != version {
		return invalidMember(member, "Member must be DRAFT or a version number starting at 1")
	}
	return nil
}

// defaultDatasetSchemaType is the schema of a dataset created without one.
const defaultDatasetSchemaType = api.DatasetSchemaTypeAgentcoreEvaluationPredefinedV1

func (s *Service) CreateDataset(ctx context.Context, in *api.CreateDatasetRequest) (*api.CreateDatasetResponse, error) {
	schema := in.SchemaType
	if schema == "" {
		schema = defaultDatasetSchemaType
	}
	batch, err := checkExamples(schema, in.Source, "source.inlineExamples.examples")
	if err != nil {
		return nil, err
	}
	return create[api.CreateDatasetResponse](ctx, s, datasets, creation{name: in.DatasetName, tags: in.Tags, from: in},
		func(tx store.Tx, sc scope, rec *datasetRecord) error {
			rec.Tags = nil // tags live in the tag table (GetDataset reads them there)
			rec.SchemaType = schema
			rec.DatasetVersion = draftVersion
			rec.DraftStatus = api.DraftStatusModified
			rec.ExampleCount = ptr(int64(0))
			if in.Source != nil && in.Source.S3Source != nil {
				rec.PendingFailure = s3Unsupported(in.Source.S3Source.S3Uri)
				return nil
			}
			_, err := insertExamples(ctx, tx, sc, rec, batch, rec.CreatedAt.Time)
			return err
		})
}

func s3Unsupported(uri string) string {
	return "Could not read the examples at " + uri + ": agentcored does not read Amazon S3; use inlineExamples."
}

func (s *Service) GetDataset(ctx context.Context, in *api.GetDatasetRequest) (*api.GetDatasetResponse, error) {
	if err := checkVersionName("datasetVersion", in.DatasetVersion); err != nil {
		return nil, err
	}
	sc := scopeOf(ctx)
	return readAnswer(ctx, s, func(tx store.Tx) (*api.GetDatasetResponse, error) {
		_, rec, err := datasets.load(ctx, tx, sc, "", in.DatasetId)
		if err != nil {
			return nil, err
		}
		out := &rec.GetDatasetResponse
		if in.DatasetVersion != "" && in.DatasetVersion != draftVersion {
			_, v, err := loadDatasetVersion(ctx, tx, sc, in.DatasetId, in.DatasetVersion)
			if err != nil {
				return nil, err
			}
			out.DatasetVersion, out.ExampleCount = v.DatasetVersion, v.ExampleCount
		}
		tags, err := tx.Tags(ctx, rec.DatasetArn)
		if len(tags) > 0 {
			out.Tags = tags
		}
		return out, err
	})
}

func loadDatasetVersion(ctx context.Context, tx store.Tx, sc scope, datasetID, version string) (*store.Resource, *api.DatasetVersionSummary, error) {
	return loadDoc[api.DatasetVersionSummary](ctx, tx, sc.key(kindDatasetVersion, datasetVersionRowID(datasetID, version)), func() error {
		return datasetVersionNotFound(datasetID, version)
	})
}

func (s *Service) UpdateDataset(ctx context.Context, in *api.UpdateDatasetRequest) (*api.UpdateDatasetResponse, error) {
	return update[api.UpdateDatasetResponse](ctx, s, datasets, "", in.DatasetId, in, nil)
}

func (s *Service) DeleteDataset(ctx context.Context, in *api.DeleteDatasetRequest) (*api.DeleteDatasetResponse, error) {
	switch in.DatasetVersion {
	case "":
		return remove[api.DeleteDatasetResponse](ctx, s, datasets, "", in.DatasetId)
	case draftVersion:
		return nil, invalidMember("datasetVersion", "The DRAFT cannot be deleted on its own; delete the dataset instead")
	}
	if err := checkVersionName("datasetVersion", in.DatasetVersion); err != nil {
		return nil, err
	}
	return editDataset(ctx, s, in.DatasetId, "", func(tx store.Tx, sc scope, rec *datasetRecord, out *api.DeleteDatasetResponse) error {
		v, _, err := loadDatasetVersion(ctx, tx, sc, in.DatasetId, in.DatasetVersion)
		if err != nil {
			return err
		}
		if in.DatasetVersion == strconv.Itoa(rec.LastVersion) {
			rec.DraftStatus = api.DraftStatusModified // nothing published matches the DRAFT now
		}
		out.DatasetVersion = in.DatasetVersion
		return removeDatasetVersion(ctx, tx, v)
	})
}

func (s *Service) ListDatasets(ctx context.Context, in *api.ListDatasetsRequest) (*api.ListDatasetsResponse, error) {
	return answerPage[api.ListDatasetsResponse](list[api.DatasetSummary](ctx, s, datasets,
		listing[datasetRecord]{maxResults: in.MaxResults, nextToken: in.NextToken}))
}

func (s *Service) CreateDatasetVersion(ctx context.Context, in *api.CreateDatasetVersionRequest) (*api.CreateDatasetVersionResponse, error) {
	return editDataset(ctx, s, in.DatasetId, "UPDATING", func(tx store.Tx, sc scope, rec *datasetRecord, out *api.CreateDatasetVersionResponse) error {
		n, err := tx.Count(ctx, sc.account, sc.region, kindDatasetVersion, rec.DatasetId)
		if err != nil {
			return err
		}
		if n >= maxDatasetVersions {
			return awserr.QuotaExceeded("You have reached the maximum of %d versions of dataset '%s'.", maxDatasetVersions, rec.DatasetId)
		}
		now := s.now().UTC()
		rec.LastVersion++
		version := strconv.Itoa(rec.LastVersion)
		if err := copyExamples(ctx, tx, sc, examplesParent(rec.DatasetId, draftVersion), examplesParent(rec.DatasetId, version), now); err != nil {
			return err
		}
		summary := api.DatasetVersionSummary{DatasetVersion: version, ExampleCount: ptr(derefInt64(rec.ExampleCount)), CreatedAt: api.NewEpochTime(now)}
		if err := tx.Insert(ctx, &store.Resource{Account: sc.account, Region: sc.region, Kind: kindDatasetVersion,
			ID: datasetVersionRowID(rec.DatasetId, version), ParentID: rec.DatasetId, Status: string(api.DatasetStatusActive),
			CreatedAt: now, UpdatedAt: now, Doc: encodeDoc(&summary)}); err != nil {
			return err
		}
		rec.Publishing, rec.DraftStatus = version, api.DraftStatusUnmodified
		out.DatasetVersion, out.CreatedAt = version, summary.CreatedAt
		return nil
	})
}

func derefInt64(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}

// copyExamples copies the example rows under one parent to another.
func copyExamples(ctx context.Context, tx store.Tx, sc scope, from, to string, now time.Time) error {
	rows, err := tx.List(ctx, store.ListQuery{Account: sc.account, Region: sc.region, Kind: kindDatasetExample, ParentID: from})
	if err != nil {
		return err
	}
	for _, r := range rows {
		c := &store.Resource{Account: sc.account, Region: sc.region, Kind: kindDatasetExample,
			ID: to + "/" + strings.TrimPrefix(r.ID, from+"/"), ParentID: to, Name: r.Name,
			Status: r.Status, CreatedAt: now, UpdatedAt: now, Doc: r.Doc}
		if err := tx.Insert(ctx, c); err != nil {
			return err
		}
	}
	return nil
}

// ListDatasetVersions answers the versions newest first. The store lists in
// creation order, which is version order, so the versions (at most the
// quota) are read whole and reversed; the token carries the last version
// number answered.
func (s *Service) ListDatasetVersions(ctx context.Context, in *api.ListDatasetVersionsRequest) (*api.ListDatasetVersionsResponse, error) {
	sc := scopeOf(ctx)
	before, err := s.decodePageToken(sc, in.NextToken, kindDatasetVersion, in.DatasetId)
	if err != nil {
		return nil, err
	}
	limit := intValue(in.MaxResults, defaultDatasetLimit)
	return readAnswer(ctx, s, func(tx store.Tx) (*api.ListDatasetVersionsResponse, error) {
		row, _, err := datasets.load(ctx, tx, sc, "", in.DatasetId)
		if err != nil {
			return nil, err
		}
		rows, err := datasetVersionRows(ctx, tx, row)
		if err != nil {
			return nil, err
		}
		out := &api.ListDatasetVersionsResponse{Versions: []api.DatasetVersionSummary{}}
		for i := len(rows) - 1; i >= 0; i-- {
			var v api.DatasetVersionSummary
			if err := decodeDoc(rows[i], &v); err != nil {
				return nil, err
			}
			n, _ := strconv.ParseInt(v.DatasetVersion, 10, 64)
			if before != 0 && n >= before {
				continue
			}
			if len(out.Versions) == limit {
				last, _ := strconv.ParseInt(out.Versions[limit-1].DatasetVersion, 10, 64)
				out.NextToken = s.encodePageToken(sc, pageToken{Kind: kindDatasetVersion, Parent: in.DatasetId, Seq: last})
				break
			}
			out.Versions = append(out.Versions, v)
		}
		return out, nil
	})
}

// editDataset is one change to a dataset that is ACTIVE or UPDATE_FAILED:
// edit applies it and sets the answer's own members in out; then the
// dataset enters status ("" keeps it) and the answer is the dataset's
// members with out's set over them.
func editDataset[Out any](ctx context.Context, s *Service, id, status string, edit func(tx store.Tx, sc scope, rec *datasetRecord, out *Out) error) (*Out, error) {
	sc := scopeOf(ctx)
	return mutate(ctx, s, func(tx store.Tx) (*Out, error) {
		row, rec, err := datasets.load(ctx, tx, sc, "", id)
		if err != nil {
			return nil, err
		}
		if rec.Status != api.DatasetStatusActive && rec.Status != api.DatasetStatusUpdateFailed {
			return nil, awserr.Conflict("Dataset '%s' is %s and cannot be changed now.", id, rec.Status)
		}
		out := new(Out)
		if err := edit(tx, sc, rec, out); err != nil {
			return nil, err
		}
		if status == "" {
			status = string(rec.Status)
		}
		if err := datasets.enter(ctx, s, tx, row, rec, status, s.now().UTC()); err != nil {
			return nil, err
		}
		answer := members.Project[Out](rec)
		members.Patch(answer, out) // the answer's own members
		return answer, nil
	})
}
