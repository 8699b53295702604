package service

// The examples of a dataset: the batch operations on the DRAFT and the
// listing of the DRAFT or of a version. The rules are in datasets.go's
// header: batches are checked whole against the dataset's schema type
// before anything is written, and one bad example changes nothing.

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"agentcored/internal/api"
	"agentcored/internal/awserr"
	"agentcored/internal/store"
)

// maxInlineBytes is the devguide's inline content limit of one batch.
const maxInlineBytes = 5 << 20

// datasetExample is one checked example of a batch.
type datasetExample struct {
	member   string // where it is in the request, for messages
	id       string
	scenario string
	doc      map[string]any
}

// exampleMember is the validator's name of a list element (1-based).
func exampleMember(list string, i int) string { return list + "." + strconv.Itoa(i+1) }

// checkExamples checks an inline batch against the schema type; new ids
// replace any exampleId the caller sent. An S3 source has no batch here.
func checkExamples(schema api.DatasetSchemaType, src *api.DataSourceType, list string) ([]datasetExample, error) {
	if src == nil || src.InlineExamples == nil {
		return nil, nil
	}
	return parseExamples(schema, src.InlineExamples.Examples, list, false)
}

// parseExamples checks every example of a batch; update batches name the
// example each replaces by its exampleId.
func parseExamples(schema api.DatasetSchemaType, raws []api.Document, list string, update bool) ([]datasetExample, error) {
	size := 0
	for _, raw := range raws {
		size += len(raw)
	}
	if size > maxInlineBytes {
		return nil, invalidMember(list, fmt.Sprintf("The examples of one request must not exceed %d bytes", maxInlineBytes))
	}
	batch := make([]datasetExample, 0, len(raws))
	scenarios, ids := map[string]string{}, map[string]string{}
	for i, raw := range raws {
		ex := datasetExample{member: exampleMember(list, i)}
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber() // numbers round-trip exactly
		if err := dec.Decode(&ex.doc); err != nil || ex.doc == nil {
			return nil, invalidMember(ex.member, "Member must be a JSON object")
		}
		if update {
			ex.id, _ = ex.doc["exampleId"].(string)
			if ex.id == "" {
				return nil, invalidMember(ex.member, "Member must have an exampleId naming the example it replaces")
			}
			if other, ok := ids[ex.id]; ok {
				return nil, invalidMember(ex.member, fmt.Sprintf("exampleId '%s' is also in %s", ex.id, other))
			}
			ids[ex.id] = ex.member
		} else {
			ex.id = uuid.NewString()
		}
		ex.doc["exampleId"] = ex.id
		if reason := schemaViolation(schema, ex.doc); reason != "" {
			return nil, invalidMember(ex.member, reason+" (schema "+string(schema)+")")
		}
		ex.scenario = ex.doc["scenario_id"].(string)
		if other, ok := scenarios[ex.scenario]; ok {
			return nil, invalidMember(ex.member, fmt.Sprintf("scenario_id '%s' is also used by %s", ex.scenario, other))
		}
		scenarios[ex.scenario] = ex.member
		batch = append(batch, ex)
	}
	return batch, nil
}

func nonEmptyString(v any) bool {
	s, ok := v.(string)
	return ok && strings.TrimSpace(s) != ""
}

// schemaViolation says what an example lacks for its schema type, or "".
func schemaViolation(schema api.DatasetSchemaType, doc map[string]any) string {
	if !nonEmptyString(doc["scenario_id"]) {
		return "Member must have scenario_id, a non-empty string"
	}
	switch schema {
	case api.DatasetSchemaTypeAgentcoreEvaluationPredefinedV1:
		turns, ok := doc["turns"].([]any)
		if !ok || len(turns) == 0 {
			return "Member must have turns, a non-empty list"
		}
		for j, t := range turns {
			if turn, ok := t.(map[string]any); !ok || !nonEmptyString(turn["input"]) {
				return fmt.Sprintf("Member must have turns.%d.input, a non-empty string", j+1)
			}
		}
	case api.DatasetSchemaTypeAgentcoreEvaluationSimulatedV1:
		profile, ok := doc["actor_profile"].(map[string]any)
		if !ok {
			return "Member must have actor_profile, an object"
		}
		for _, k := range []string{"context", "goal"} {
			if !nonEmptyString(profile[k]) {
				return "Member must have actor_profile." + k + ", a non-empty string"
			}
		}
		if !nonEmptyString(doc["input"]) {
			return "Member must have input, a non-empty string"
		}
	}
	return ""
}

func exampleNotFound(datasetID, exampleID string) error {
	return awserr.NotFound("Example '%s' was not found in the DRAFT of dataset '%s'.", exampleID, datasetID)
}

func scenarioTaken(ex *datasetExample, owner string) error {
	return invalidMember(ex.member, fmt.Sprintf("scenario_id '%s' is already used by example '%s'", ex.scenario, owner))
}

// scenarioOwner is the DRAFT example that has the scenario id, or "".
func scenarioOwner(ctx context.Context, tx store.Tx, sc scope, datasetID, scenario string) (*store.Resource, error) {
	r, err := tx.GetByName(ctx, sc.account, sc.region, kindDatasetExample, examplesParent(datasetID, draftVersion), scenario)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	return r, err
}

func exampleIDOf(r *store.Resource) string { return r.ID[strings.LastIndex(r.ID, "/")+1:] }

// insertExamples adds a checked batch to the DRAFT and answers the new ids.
func insertExamples(ctx context.Context, tx store.Tx, sc scope, rec *datasetRecord, batch []datasetExample, now time.Time) ([]string, error) {
	count := derefInt64(rec.ExampleCount)
	if count+int64(len(batch)) > maxDatasetExamples {
		return nil, awserr.QuotaExceeded("A dataset can have at most %d examples; dataset '%s' has %d.", maxDatasetExamples, rec.DatasetId, count)
	}
	parent := examplesParent(rec.DatasetId, draftVersion)
	ids := make([]string, 0, len(batch))
	for i := range batch {
		ex := &batch[i]
		if owner, err := scenarioOwner(ctx, tx, sc, rec.DatasetId, ex.scenario); err != nil || owner != nil {
			if err == nil {
				err = scenarioTaken(ex, exampleIDOf(owner))
			}
			return nil, err
		}
		err := tx.Insert(ctx, &store.Resource{Account: sc.account, Region: sc.region, Kind: kindDatasetExample,
			ID: parent + "/" + ex.id, ParentID: parent, Name: ex.scenario, Status: string(api.DatasetStatusActive),
			CreatedAt: now, UpdatedAt: now, Doc: encodeDoc(ex.doc)})
		if err != nil {
			return nil, err
		}
		ids = append(ids, ex.id)
	}
	rec.ExampleCount = ptr(count + int64(len(batch)))
	return ids, nil
}

func (s *Service) AddDatasetExamples(ctx context.Context, in *api.AddDatasetExamplesRequest) (*api.AddDatasetExamplesResponse, error) {
	return editDataset(ctx, s, in.DatasetId, "UPDATING", func(tx store.Tx, sc scope, rec *datasetRecord, out *api.AddDatasetExamplesResponse) error {
		out.ExampleIds, out.AddedCount = []string{}, ptr(int64(0))
		if in.Source != nil && in.Source.S3Source != nil {
			rec.PendingFailure = s3Unsupported(in.Source.S3Source.S3Uri)
			return nil
		}
		batch, err := checkExamples(rec.SchemaType, in.Source, "source.inlineExamples.examples")
		if err != nil {
			return err
		}
		ids, err := insertExamples(ctx, tx, sc, rec, batch, s.now().UTC())
		if err != nil {
			return err
		}
		rec.DraftStatus = api.DraftStatusModified
		out.ExampleIds, out.AddedCount = ids, ptr(int64(len(ids)))
		return nil
	})
}

func (s *Service) UpdateDatasetExamples(ctx context.Context, in *api.UpdateDatasetExamplesRequest) (*api.UpdateDatasetExamplesResponse, error) {
	return editDataset(ctx, s, in.DatasetId, "UPDATING", func(tx store.Tx, sc scope, rec *datasetRecord, out *api.UpdateDatasetExamplesResponse) error {
		batch, err := parseExamples(rec.SchemaType, in.Examples, "examples", true)
		if err != nil {
			return err
		}
		// Every example is found and checked before any is written.
		rows := make([]*store.Resource, len(batch))
		for i := range batch {
			ex := &batch[i]
			if rows[i], _, err = loadExample(ctx, tx, sc, rec.DatasetId, ex.id); err != nil {
				return err
			}
			owner, err := scenarioOwner(ctx, tx, sc, rec.DatasetId, ex.scenario)
			if err != nil {
				return err
			}
			if owner != nil && owner.ID != rows[i].ID {
				return scenarioTaken(ex, exampleIDOf(owner))
			}
		}
		now := s.now().UTC()
		for i, r := range rows {
			r.Name, r.Doc, r.UpdatedAt = batch[i].scenario, encodeDoc(batch[i].doc), now
			if err := tx.Update(ctx, r); err != nil {
				return err
			}
		}
		rec.DraftStatus = api.DraftStatusModified
		out.UpdatedCount = ptr(int64(len(batch)))
		return nil
	})
}

func loadExample(ctx context.Context, tx store.Tx, sc scope, datasetID, exampleID string) (*store.Resource, *json.RawMessage, error) {
	return loadDoc[json.RawMessage](ctx, tx, sc.key(kindDatasetExample, examplesParent(datasetID, draftVersion)+"/"+exampleID), func() error {
		return exampleNotFound(datasetID, exampleID)
	})
}

func (s *Service) DeleteDatasetExamples(ctx context.Context, in *api.DeleteDatasetExamplesRequest) (*api.DeleteDatasetExamplesResponse, error) {
	return editDataset(ctx, s, in.DatasetId, "UPDATING", func(tx store.Tx, sc scope, rec *datasetRecord, out *api.DeleteDatasetExamplesResponse) error {
		seen := map[string]string{}
		rows := make([]*store.Resource, len(in.ExampleIds))
		for i, id := range in.ExampleIds {
			member := exampleMember("exampleIds", i)
			if other, ok := seen[id]; ok {
				return invalidMember(member, fmt.Sprintf("exampleId '%s' is also in %s", id, other))
			}
			seen[id] = member
			var err error
			if rows[i], _, err = loadExample(ctx, tx, sc, rec.DatasetId, id); err != nil {
				return err
			}
		}
		for _, r := range rows {
			if err := tx.Delete(ctx, r.Key()); err != nil {
				return err
			}
		}
		rec.ExampleCount = ptr(derefInt64(rec.ExampleCount) - int64(len(rows)))
		rec.DraftStatus = api.DraftStatusModified
		out.DeletedCount = ptr(int64(len(rows)))
		return nil
	})
}

// ListDatasetExamples pages through the examples of the DRAFT or of a
// version in the order they were added. The token names the version it
// pages (the SDK: later pages are pinned to it); a datasetVersion that
// differs from the token's is a ValidationException.
func (s *Service) ListDatasetExamples(ctx context.Context, in *api.ListDatasetExamplesRequest) (*api.ListDatasetExamplesResponse, error) {
	sc := scopeOf(ctx)
	version := in.DatasetVersion
	if in.NextToken != "" {
		pinned, ok := tokenVersion(in.NextToken, in.DatasetId)
		if !ok {
			return nil, invalidToken()
		}
		if version != "" && version != pinned {
			return nil, invalidMember("datasetVersion", fmt.Sprintf("Member must be the version of the pagination token, %s", pinned))
		}
		version = pinned
	}
	if version == "" {
		version = draftVersion
	}
	if err := checkVersionName("datasetVersion", version); err != nil {
		return nil, err
	}
	return readAnswer(ctx, s, func(tx store.Tx) (*api.ListDatasetExamplesResponse, error) {
		_, rec, err := datasets.load(ctx, tx, sc, "", in.DatasetId)
		if err != nil {
			return nil, err
		}
		if version != draftVersion {
			if _, _, err := loadDatasetVersion(ctx, tx, sc, in.DatasetId, version); err != nil {
				return nil, err
			}
		}
		rows, next, err := s.page(ctx, tx, sc, kindDatasetExample, examplesParent(in.DatasetId, version), in.MaxResults, defaultExamplesLimit, in.NextToken)
		if err != nil {
			return nil, err
		}
		out := &api.ListDatasetExamplesResponse{DatasetArn: rec.DatasetArn, DatasetId: rec.DatasetId, DatasetVersion: version,
			Examples: make([]api.Document, 0, len(rows)), NextToken: next}
		for _, r := range rows {
			out.Examples = append(out.Examples, api.Document(r.Doc))
		}
		return out, nil
	})
}

// tokenVersion reads, unverified, the version a ListDatasetExamples token
// pages; s.page verifies the token's signature afterwards.
func tokenVersion(token, datasetID string) (string, bool) {
	payload, _, _ := strings.Cut(token, ".")
	b, err := base64.RawURLEncoding.DecodeString(payload)
	var t pageToken
	if err != nil || json.Unmarshal(b, &t) != nil || t.Kind != kindDatasetExample {
		return "", false
	}
	version, ok := strings.CutPrefix(t.Parent, datasetID+"/")
	return version, ok && version != ""
}
