package e2e

import (
	"context"
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	acc "github.com/aws/aws-sdk-go-v2/service/bedrockagentcorecontrol"
	"github.com/aws/aws-sdk-go-v2/service/bedrockagentcorecontrol/document"
	"github.com/aws/aws-sdk-go-v2/service/bedrockagentcorecontrol/types"

	"agentcored/internal/testserver"
)

// Dataset tests use the "ds" prefix.

const dsPredefined = types.DatasetSchemaTypeAgentcoreEvaluationPredefinedV1

// dsTurn is a valid AGENTCORE_EVALUATION_PREDEFINED_V1 example.
func dsTurn(scenario, input string) map[string]any {
	return map[string]any{"scenario_id": scenario, "turns": []any{map[string]any{"input": input, "expected_response": "ok"}}}
}

func dsInline(examples ...map[string]any) types.DataSourceType {
	docs := make([]document.Interface, len(examples))
	for i, e := range examples {
		docs[i] = document.NewLazyDocument(e)
	}
	return &types.DataSourceTypeMemberInlineExamples{Value: types.InlineExamplesSource{Examples: docs}}
}

func dsCreate(t *testing.T, c *acc.Client, name string, examples ...map[string]any) *acc.CreateDatasetOutput {
	t.Helper()
	out, err := c.CreateDataset(context.Background(), &acc.CreateDatasetInput{DatasetName: aws.String(name), SchemaType: dsPredefined, Source: dsInline(examples...)})
	if err != nil {
		t.Fatalf("CreateDataset %s: %v", name, err)
	}
	return out
}

func dsGet(t *testing.T, c *acc.Client, id *string, version string) *acc.GetDatasetOutput {
	t.Helper()
	in := &acc.GetDatasetInput{DatasetId: id}
	if version != "" {
		in.DatasetVersion = aws.String(version)
	}
	out, err := c.GetDataset(context.Background(), in)
	if err != nil {
		t.Fatalf("GetDataset %s %s: %v", aws.ToString(id), version, err)
	}
	return out
}

// dsExamples lists every example of a version ("" = DRAFT), page by page.
func dsExamples(t *testing.T, c *acc.Client, id *string, version string, pageSize int32) []map[string]any {
	t.Helper()
	in := &acc.ListDatasetExamplesInput{DatasetId: id, MaxResults: aws.Int32(pageSize)}
	if version != "" {
		in.DatasetVersion = aws.String(version)
	}
	var all []map[string]any
	p := acc.NewListDatasetExamplesPaginator(c, in)
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatalf("ListDatasetExamples: %v", err)
		}
		for _, d := range page.Examples {
			var m map[string]any
			if err := d.UnmarshalSmithyDocument(&m); err != nil {
				t.Fatal(err)
			}
			all = append(all, m)
		}
	}
	return all
}

func dsScenarios(examples []map[string]any) []string {
	var out []string
	for _, e := range examples {
		out = append(out, e["scenario_id"].(string))
	}
	return out
}

func TestDatasetLifecycle(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client(t)
	ctx := context.Background()

	out, err := c.CreateDataset(ctx, &acc.CreateDatasetInput{DatasetName: aws.String("ds_main"), SchemaType: dsPredefined,
		Description: aws.String("first"), Source: dsInline(dsTurn("TC-01", "hi"), dsTurn("TC-02", "bye")), Tags: map[string]string{"team": "eval"}})
	if err != nil {
		t.Fatal(err)
	}
	if code := httpStatus(t, out.ResultMetadata); code != http.StatusAccepted || out.Status != types.DatasetStatusCreating {
		t.Errorf("CreateDataset: status %d, %s; want 202 CREATING", code, out.Status)
	}
	id := aws.ToString(out.DatasetId)
	if !strings.HasPrefix(id, "ds_main-") || len(id) != len("ds_main-")+10 || aws.ToString(out.DatasetArn) != rgArnPrefix+"dataset/"+id {
		t.Errorf("id %q arn %q", id, aws.ToString(out.DatasetArn))
	}
	got := dsGet(t, c, out.DatasetId, "")
	if got.Status != types.DatasetStatusActive || aws.ToInt64(got.ExampleCount) != 2 || aws.ToString(got.DatasetVersion) != "DRAFT" ||
		got.DraftStatus != types.DraftStatusModified || got.SchemaType != dsPredefined || aws.ToString(got.Description) != "first" ||
		!reflect.DeepEqual(got.Tags, map[string]string{"team": "eval"}) || got.CreatedAt == nil || got.UpdatedAt == nil {
		t.Errorf("GetDataset = %+v", got)
	}
	examples := dsExamples(t, c, out.DatasetId, "", 1)
	if !reflect.DeepEqual(dsScenarios(examples), []string{"TC-01", "TC-02"}) || examples[0]["exampleId"] == "" {
		t.Errorf("examples = %v", examples)
	}

	// Listing pages through all three datasets in creation order.
	dsCreate(t, c, "ds_two", dsTurn("a", "x"))
	dsCreate(t, c, "ds_three", dsTurn("a", "x"))
	var names []string
	pages := 0
	p := acc.NewListDatasetsPaginator(c, &acc.ListDatasetsInput{MaxResults: aws.Int32(2)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, d := range page.Datasets {
			names = append(names, aws.ToString(d.DatasetName))
			if d.Status != types.DatasetStatusActive || aws.ToInt64(d.ExampleCount) == 0 {
				t.Errorf("summary %+v", d)
			}
		}
	}
	if !reflect.DeepEqual(names, []string{"ds_main", "ds_two", "ds_three"}) || pages != 2 {
		t.Errorf("ListDatasets = %v in %d pages", names, pages)
	}

	up, err := c.UpdateDataset(ctx, &acc.UpdateDatasetInput{DatasetId: out.DatasetId, Description: aws.String("second")})
	if err != nil || httpStatus(t, up.ResultMetadata) != http.StatusOK {
		t.Fatalf("UpdateDataset: %v", err)
	}
	if got := dsGet(t, c, out.DatasetId, ""); aws.ToString(got.Description) != "second" || aws.ToInt64(got.ExampleCount) != 2 {
		t.Errorf("after update: %+v", got)
	}

	del, err := c.DeleteDataset(ctx, &acc.DeleteDatasetInput{DatasetId: out.DatasetId})
	if err != nil {
		t.Fatal(err)
	}
	if httpStatus(t, del.ResultMetadata) != http.StatusAccepted || del.Status != types.DatasetStatusDeleting || aws.ToString(del.DatasetVersion) != "DRAFT" {
		t.Errorf("DeleteDataset = %+v", del)
	}
	_, err = c.GetDataset(ctx, &acc.GetDatasetInput{DatasetId: out.DatasetId})
	wantCode(t, "GetDataset after delete", err, "ResourceNotFoundException")
	_, err = c.ListDatasetExamples(ctx, &acc.ListDatasetExamplesInput{DatasetId: out.DatasetId})
	wantCode(t, "ListDatasetExamples after delete", err, "ResourceNotFoundException")
	_, err = c.AddDatasetExamples(ctx, &acc.AddDatasetExamplesInput{DatasetId: aws.String("nope-0123456789"), Source: dsInline(dsTurn("x", "y"))})
	wantCode(t, "AddDatasetExamples unknown", err, "ResourceNotFoundException")
	// The name is free again.
	dsCreate(t, c, "ds_main", dsTurn("a", "x"))
}

func TestDatasetIdempotencyAndConflicts(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client(t)
	ctx := context.Background()
	in := &acc.CreateDatasetInput{DatasetName: aws.String("ds_idem"), SchemaType: dsPredefined, Source: dsInline(dsTurn("a", "x")),
		ClientToken: aws.String(clientToken("ds-idem"))}
	first, err := c.CreateDataset(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	again, err := c.CreateDataset(ctx, in)
	if err != nil || aws.ToString(again.DatasetId) != aws.ToString(first.DatasetId) {
		t.Fatalf("retry = %v, %v; want the same dataset %s", again, err, aws.ToString(first.DatasetId))
	}
	in.Description = aws.String("different")
	_, err = c.CreateDataset(ctx, in)
	wantCode(t, "same token, other request", err, "ValidationException")
	if r, _ := validationReason(err); r != types.ValidationExceptionReasonIdempotentParameterMismatchException {
		t.Errorf("reason = %q", r)
	}
	_, err = c.CreateDataset(ctx, &acc.CreateDatasetInput{DatasetName: aws.String("ds_idem"), SchemaType: dsPredefined, Source: dsInline(dsTurn("a", "x"))})
	wantCode(t, "name taken", err, "ConflictException")

	// A retried example batch adds its examples once.
	add := &acc.AddDatasetExamplesInput{DatasetId: first.DatasetId, Source: dsInline(dsTurn("b", "y")), ClientToken: aws.String(clientToken("ds-add"))}
	a1, err := c.AddDatasetExamples(ctx, add)
	if err != nil {
		t.Fatal(err)
	}
	a2, err := c.AddDatasetExamples(ctx, add)
	if err != nil || !reflect.DeepEqual(a1.ExampleIds, a2.ExampleIds) {
		t.Fatalf("retried AddDatasetExamples = %v, %v", a2, err)
	}
	if n := aws.ToInt64(dsGet(t, c, first.DatasetId, "").ExampleCount); n != 2 {
		t.Errorf("exampleCount = %d, want 2", n)
	}

	// While UPDATING (manual lifecycle), writes are refused.
	setLifecycle(t, srv.URL, "datasets", "manual")
	if _, err := c.AddDatasetExamples(ctx, &acc.AddDatasetExamplesInput{DatasetId: first.DatasetId, Source: dsInline(dsTurn("c", "z"))}); err != nil {
		t.Fatal(err)
	}
	if got := dsGet(t, c, first.DatasetId, ""); got.Status != types.DatasetStatusUpdating {
		t.Fatalf("status = %s, want UPDATING", got.Status)
	}
	_, err = c.CreateDatasetVersion(ctx, &acc.CreateDatasetVersionInput{DatasetId: first.DatasetId})
	wantCode(t, "CreateDatasetVersion while UPDATING", err, "ConflictException")
	_, err = c.UpdateDataset(ctx, &acc.UpdateDatasetInput{DatasetId: first.DatasetId, Description: aws.String("x")})
	wantCode(t, "UpdateDataset while UPDATING", err, "ConflictException")
	advanceAll(t, srv.URL)
	if got := dsGet(t, c, first.DatasetId, ""); got.Status != types.DatasetStatusActive {
		t.Errorf("status after advance = %s", got.Status)
	}
}

func TestDatasetValidation(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client(t)
	ctx := context.Background()
	_, err := c.CreateDataset(ctx, &acc.CreateDatasetInput{DatasetName: aws.String("bad-name"), SchemaType: dsPredefined, Source: dsInline(dsTurn("a", "x"))})
	wantCode(t, "bad name", err, "ValidationException")
	if err == nil || !strings.Contains(err.Error(), "datasetName") {
		t.Errorf("error does not name datasetName: %v", err)
	}
	// The second example has no turns: nothing is created.
	_, err = c.CreateDataset(ctx, &acc.CreateDatasetInput{DatasetName: aws.String("ds_bad"), SchemaType: dsPredefined,
		Source: dsInline(dsTurn("a", "x"), map[string]any{"scenario_id": "b"})})
	wantCode(t, "example without turns", err, "ValidationException")
	if err == nil || !strings.Contains(err.Error(), "source.inlineExamples.examples.2") || !strings.Contains(err.Error(), "turns") {
		t.Errorf("error does not name the example: %v", err)
	}
	// A simulated example needs actor_profile.goal.
	_, err = c.CreateDataset(ctx, &acc.CreateDatasetInput{DatasetName: aws.String("ds_sim"), SchemaType: types.DatasetSchemaTypeAgentcoreEvaluationSimulatedV1,
		Source: dsInline(map[string]any{"scenario_id": "s", "input": "hello", "actor_profile": map[string]any{"context": "a customer"}})})
	if err == nil || !strings.Contains(err.Error(), "actor_profile.goal") {
		t.Errorf("simulated example without goal: %v", err)
	}
	list, err := c.ListDatasets(ctx, &acc.ListDatasetsInput{})
	if err != nil || len(list.Datasets) != 0 {
		t.Errorf("ListDatasets = %v, %v; want none", list, err)
	}
	_, err = c.GetDataset(ctx, &acc.GetDatasetInput{DatasetId: aws.String("missing-0123456789")})
	wantCode(t, "GetDataset missing", err, "ResourceNotFoundException")

	// An S3 source cannot be read here: the creation fails.
	out, err := c.CreateDataset(ctx, &acc.CreateDatasetInput{DatasetName: aws.String("ds_s3"), SchemaType: dsPredefined,
		Source: &types.DataSourceTypeMemberS3Source{Value: types.S3Source{S3Uri: aws.String("s3://my-bucket/examples.jsonl")}}})
	if err != nil {
		t.Fatal(err)
	}
	if got := dsGet(t, c, out.DatasetId, ""); got.Status != types.DatasetStatusCreateFailed || !strings.Contains(aws.ToString(got.FailureReason), "s3://my-bucket/examples.jsonl") {
		t.Errorf("S3 dataset = %s %q", got.Status, aws.ToString(got.FailureReason))
	}
	_, err = c.AddDatasetExamples(ctx, &acc.AddDatasetExamplesInput{DatasetId: out.DatasetId, Source: dsInline(dsTurn("a", "x"))})
	wantCode(t, "AddDatasetExamples to CREATE_FAILED", err, "ConflictException")
}

func TestDatasetExampleBatchesAllOrNothing(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client(t)
	ctx := context.Background()
	ds := dsCreate(t, c, "ds_batch", dsTurn("a", "x"))
	id := ds.DatasetId

	// The third example lacks turns[0].input: nothing is added.
	_, err := c.AddDatasetExamples(ctx, &acc.AddDatasetExamplesInput{DatasetId: id,
		Source: dsInline(dsTurn("b", "x"), dsTurn("c", "x"), map[string]any{"scenario_id": "d", "turns": []any{map[string]any{"expected_response": "r"}}})})
	wantCode(t, "batch with a bad example", err, "ValidationException")
	if err == nil || !strings.Contains(err.Error(), "source.inlineExamples.examples.3") {
		t.Errorf("error does not name example 3: %v", err)
	}
	// A scenario id already in the DRAFT: nothing is added either.
	_, err = c.AddDatasetExamples(ctx, &acc.AddDatasetExamplesInput{DatasetId: id, Source: dsInline(dsTurn("b", "x"), dsTurn("a", "again"))})
	wantCode(t, "duplicate scenario", err, "ValidationException")
	if got := dsExamples(t, c, id, "", 10); !reflect.DeepEqual(dsScenarios(got), []string{"a"}) {
		t.Fatalf("examples after rejected batches = %v", dsScenarios(got))
	}

	add, err := c.AddDatasetExamples(ctx, &acc.AddDatasetExamplesInput{DatasetId: id, Source: dsInline(dsTurn("b", "x"), dsTurn("c", "x"))})
	if err != nil {
		t.Fatal(err)
	}
	if httpStatus(t, add.ResultMetadata) != http.StatusAccepted || add.Status != types.DatasetStatusUpdating || aws.ToInt64(add.AddedCount) != 2 || len(add.ExampleIds) != 2 {
		t.Errorf("AddDatasetExamples = %+v", add)
	}

	// Update: one unknown id rejects the batch.
	changed := dsTurn("b", "changed")
	changed["exampleId"] = add.ExampleIds[0]
	unknown := dsTurn("z", "x")
	unknown["exampleId"] = "00000000-0000-0000-0000-000000000000"
	_, err = c.UpdateDatasetExamples(ctx, &acc.UpdateDatasetExamplesInput{DatasetId: id, Examples: []document.Interface{document.NewLazyDocument(changed), document.NewLazyDocument(unknown)}})
	wantCode(t, "update with an unknown id", err, "ResourceNotFoundException")
	if got := dsExamples(t, c, id, "", 10); got[1]["turns"].([]any)[0].(map[string]any)["input"] != "x" {
		t.Errorf("rejected update changed an example: %v", got[1])
	}
	up, err := c.UpdateDatasetExamples(ctx, &acc.UpdateDatasetExamplesInput{DatasetId: id, Examples: []document.Interface{document.NewLazyDocument(changed)}})
	if err != nil || aws.ToInt64(up.UpdatedCount) != 1 {
		t.Fatalf("UpdateDatasetExamples = %v, %v", up, err)
	}
	if got := dsExamples(t, c, id, "", 10); got[1]["turns"].([]any)[0].(map[string]any)["input"] != "changed" || got[1]["exampleId"] != add.ExampleIds[0] {
		t.Errorf("updated example = %v", got[1])
	}

	// Delete: one unknown id rejects the batch.
	_, err = c.DeleteDatasetExamples(ctx, &acc.DeleteDatasetExamplesInput{DatasetId: id, ExampleIds: []string{add.ExampleIds[0], "no-such-example"}})
	wantCode(t, "delete with an unknown id", err, "ResourceNotFoundException")
	if n := aws.ToInt64(dsGet(t, c, id, "").ExampleCount); n != 3 {
		t.Errorf("exampleCount after rejected delete = %d, want 3", n)
	}
	del, err := c.DeleteDatasetExamples(ctx, &acc.DeleteDatasetExamplesInput{DatasetId: id, ExampleIds: add.ExampleIds})
	if err != nil || aws.ToInt64(del.DeletedCount) != 2 {
		t.Fatalf("DeleteDatasetExamples = %v, %v", del, err)
	}
	if got := dsGet(t, c, id, ""); aws.ToInt64(got.ExampleCount) != 1 || got.Status != types.DatasetStatusActive {
		t.Errorf("after delete: %d examples, %s", aws.ToInt64(got.ExampleCount), got.Status)
	}
}

func TestDatasetVersions(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client(t)
	ctx := context.Background()
	ds := dsCreate(t, c, "ds_versions", dsTurn("a", "x"), dsTurn("b", "x"))
	id := ds.DatasetId

	v1, err := c.CreateDatasetVersion(ctx, &acc.CreateDatasetVersionInput{DatasetId: id})
	if err != nil {
		t.Fatal(err)
	}
	if httpStatus(t, v1.ResultMetadata) != http.StatusAccepted || aws.ToString(v1.DatasetVersion) != "1" || v1.Status != types.DatasetStatusUpdating {
		t.Errorf("CreateDatasetVersion = %+v", v1)
	}
	if got := dsGet(t, c, id, ""); got.Status != types.DatasetStatusActive || got.DraftStatus != types.DraftStatusUnmodified {
		t.Errorf("after publishing: %s %s", got.Status, got.DraftStatus)
	}
	// Changing the DRAFT leaves version 1 as it was.
	if _, err := c.AddDatasetExamples(ctx, &acc.AddDatasetExamplesInput{DatasetId: id, Source: dsInline(dsTurn("c", "x"))}); err != nil {
		t.Fatal(err)
	}
	if got := dsGet(t, c, id, ""); got.DraftStatus != types.DraftStatusModified || aws.ToInt64(got.ExampleCount) != 3 {
		t.Errorf("after adding: %s, %d", got.DraftStatus, aws.ToInt64(got.ExampleCount))
	}
	if got := dsGet(t, c, id, "1"); aws.ToString(got.DatasetVersion) != "1" || aws.ToInt64(got.ExampleCount) != 2 {
		t.Errorf("version 1: %s, %d examples", aws.ToString(got.DatasetVersion), aws.ToInt64(got.ExampleCount))
	}
	if got := dsScenarios(dsExamples(t, c, id, "1", 1)); !reflect.DeepEqual(got, []string{"a", "b"}) {
		t.Errorf("version 1 examples = %v", got)
	}
	v2, err := c.CreateDatasetVersion(ctx, &acc.CreateDatasetVersionInput{DatasetId: id})
	if err != nil || aws.ToString(v2.DatasetVersion) != "2" {
		t.Fatalf("second version = %v, %v", v2, err)
	}

	// Newest first, page by page.
	var versions []string
	p := acc.NewListDatasetVersionsPaginator(c, &acc.ListDatasetVersionsInput{DatasetId: id, MaxResults: aws.Int32(1)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range page.Versions {
			versions = append(versions, aws.ToString(v.DatasetVersion)+":"+string(rune('0'+aws.ToInt64(v.ExampleCount))))
		}
	}
	if !reflect.DeepEqual(versions, []string{"2:3", "1:2"}) {
		t.Errorf("ListDatasetVersions = %v", versions)
	}

	// A token pins its version.
	page, err := c.ListDatasetExamples(ctx, &acc.ListDatasetExamplesInput{DatasetId: id, DatasetVersion: aws.String("1"), MaxResults: aws.Int32(1)})
	if err != nil || page.NextToken == nil {
		t.Fatalf("first page = %v, %v", page, err)
	}
	next, err := c.ListDatasetExamples(ctx, &acc.ListDatasetExamplesInput{DatasetId: id, NextToken: page.NextToken})
	if err != nil || aws.ToString(next.DatasetVersion) != "1" || len(next.Examples) != 1 {
		t.Errorf("page by token alone = %v, %v", next, err)
	}
	_, err = c.ListDatasetExamples(ctx, &acc.ListDatasetExamplesInput{DatasetId: id, DatasetVersion: aws.String("DRAFT"), NextToken: page.NextToken})
	wantCode(t, "token of another version", err, "ValidationException")

	// Deleting version 1 leaves the dataset; numbers are not reused.
	del, err := c.DeleteDataset(ctx, &acc.DeleteDatasetInput{DatasetId: id, DatasetVersion: aws.String("1")})
	if err != nil || aws.ToString(del.DatasetVersion) != "1" || del.Status != types.DatasetStatusActive {
		t.Fatalf("DeleteDataset version 1 = %v, %v", del, err)
	}
	_, err = c.GetDataset(ctx, &acc.GetDatasetInput{DatasetId: id, DatasetVersion: aws.String("1")})
	wantCode(t, "deleted version", err, "ResourceNotFoundException")
	_, err = c.DeleteDataset(ctx, &acc.DeleteDatasetInput{DatasetId: id, DatasetVersion: aws.String("DRAFT")})
	wantCode(t, "delete the DRAFT alone", err, "ValidationException")
	if v3, err := c.CreateDatasetVersion(ctx, &acc.CreateDatasetVersionInput{DatasetId: id}); err != nil || aws.ToString(v3.DatasetVersion) != "3" {
		t.Errorf("third version = %v, %v", v3, err)
	}

	// A publication that fails leaves no version.
	failNext(t, srv.URL, "CreateDatasetVersion", "publish broke")
	if _, err := c.CreateDatasetVersion(ctx, &acc.CreateDatasetVersionInput{DatasetId: id}); err != nil {
		t.Fatal(err)
	}
	if got := dsGet(t, c, id, ""); got.Status != types.DatasetStatusUpdateFailed || aws.ToString(got.FailureReason) != "publish broke" {
		t.Errorf("failed publication: %s %q", got.Status, aws.ToString(got.FailureReason))
	}
	_, err = c.GetDataset(ctx, &acc.GetDatasetInput{DatasetId: id, DatasetVersion: aws.String("4")})
	wantCode(t, "failed version", err, "ResourceNotFoundException")
}

// botocore and the JS SDK list with GET and the query string; the Go SDK
// v1.81.0 (used above) with POST .../list and a JSON body.
func TestDatasetListRoutes(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client(t)
	a := dsCreate(t, c, "ds_route_a", dsTurn("a", "x"), dsTurn("b", "x"))
	dsCreate(t, c, "ds_route_b", dsTurn("a", "x"))
	if _, err := c.CreateDatasetVersion(context.Background(), &acc.CreateDatasetVersionInput{DatasetId: a.DatasetId}); err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(a.DatasetId)

	var list struct {
		Datasets []struct {
			DatasetName string `json:"datasetName"`
		} `json:"datasets"`
		NextToken string `json:"nextToken"`
	}
	r := wireCall(t, srv.URL, "GET", "/datasets?maxResults=1", "", http.StatusOK)
	decodeJSON(t, string(r.body), &list)
	if len(list.Datasets) != 1 || list.Datasets[0].DatasetName != "ds_route_a" || list.NextToken == "" {
		t.Fatalf("GET /datasets = %s", r.body)
	}
	r = wireCall(t, srv.URL, "GET", "/datasets?maxResults=1&nextToken="+list.NextToken, "", http.StatusOK)
	list.NextToken = ""
	decodeJSON(t, string(r.body), &list)
	if len(list.Datasets) != 1 || list.Datasets[0].DatasetName != "ds_route_b" || list.NextToken != "" {
		t.Errorf("GET /datasets page 2 = %s", r.body)
	}
	body, _ := json.Marshal(map[string]any{"maxResults": 1})
	r = wireCall(t, srv.URL, "POST", "/datasets/list", string(body), http.StatusOK)
	decodeJSON(t, string(r.body), &list)
	if len(list.Datasets) != 1 || list.NextToken == "" {
		t.Errorf("POST /datasets/list = %s", r.body)
	}
	r = wireCall(t, srv.URL, "GET", "/datasets?maxResults=0", "", http.StatusBadRequest)
	if code, e := r.apiError(t); code != "ValidationException" || !strings.Contains(e.Message, "maxResults") {
		t.Errorf("GET /datasets?maxResults=0: %s %s", code, r.body)
	}

	var examples struct {
		DatasetVersion string            `json:"datasetVersion"`
		Examples       []json.RawMessage `json:"examples"`
		NextToken      string            `json:"nextToken"`
	}
	r = wireCall(t, srv.URL, "GET", "/datasets/"+id+"/examples?maxResults=1&datasetVersion=1", "", http.StatusOK)
	decodeJSON(t, string(r.body), &examples)
	if examples.DatasetVersion != "1" || len(examples.Examples) != 1 || examples.NextToken == "" {
		t.Errorf("GET examples = %s", r.body)
	}
	var versions struct {
		Versions []struct {
			DatasetVersion string `json:"datasetVersion"`
		} `json:"versions"`
	}
	r = wireCall(t, srv.URL, "GET", "/datasets/"+id+"/versions", "", http.StatusOK)
	decodeJSON(t, string(r.body), &versions)
	if len(versions.Versions) != 1 || versions.Versions[0].DatasetVersion != "1" {
		t.Errorf("GET versions = %s", r.body)
	}
}
