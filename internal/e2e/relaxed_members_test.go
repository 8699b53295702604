package e2e

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	ctl "github.com/aws/aws-sdk-go-v2/service/bedrockagentcorecontrol"
	"github.com/aws/aws-sdk-go-v2/service/bedrockagentcorecontrol/types"

	"agentcored/internal/testserver"
)

// The members botocore 1.43.67 requires and aws-sdk-go-v2 v1.81.0 does not
// (the overlay's "optional" section, models/overlay/README.md): a Go SDK
// request without them succeeds and Get answers the default the family file
// documents.

// CreateDataset without source makes an empty dataset that
// AddDatasetExamples fills; without schemaType the dataset is
// AGENTCORE_EVALUATION_PREDEFINED_V1 (datasets.go).
func TestDatasetWithoutSourceOrSchemaType(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client(t)
	ctx := context.Background()

	// Neither: an empty dataset of the default schema.
	out, err := c.CreateDataset(ctx, &ctl.CreateDatasetInput{DatasetName: aws.String("ds_bare")})
	if err != nil {
		t.Fatalf("CreateDataset without source and schemaType: %v", err)
	}
	if got := httpStatus(t, out.ResultMetadata); got != http.StatusAccepted {
		t.Errorf("CreateDataset status = %d, want 202", got)
	}
	got := dsGet(t, c, out.DatasetId, "")
	if got.Status != types.DatasetStatusActive || got.SchemaType != dsPredefined || aws.ToInt64(got.ExampleCount) != 0 {
		t.Errorf("bare dataset = %s %s %d examples, want ACTIVE %s 0", got.Status, got.SchemaType, aws.ToInt64(got.ExampleCount), dsPredefined)
	}
	if ex := dsExamples(t, c, out.DatasetId, "", 100); len(ex) != 0 {
		t.Errorf("bare dataset has examples %v", ex)
	}
	list, err := c.ListDatasets(ctx, &ctl.ListDatasetsInput{})
	if err != nil || len(list.Datasets) != 1 || list.Datasets[0].SchemaType != dsPredefined {
		t.Errorf("ListDatasets = %+v, %v", list, err)
	}
	// Examples come afterwards, validated against the default schema.
	_, err = c.AddDatasetExamples(ctx, &ctl.AddDatasetExamplesInput{DatasetId: out.DatasetId,
		Source: dsInline(map[string]any{"scenario_id": "sim", "input": "hi", "actor_profile": map[string]any{"context": "c", "goal": "g"}})})
	wantCode(t, "simulated example in a predefined dataset", err, "ValidationException")
	if _, err := c.AddDatasetExamples(ctx, &ctl.AddDatasetExamplesInput{DatasetId: out.DatasetId, Source: dsInline(dsTurn("TC-01", "hi"))}); err != nil {
		t.Fatal(err)
	}
	if got := dsGet(t, c, out.DatasetId, ""); aws.ToInt64(got.ExampleCount) != 1 {
		t.Errorf("exampleCount after AddDatasetExamples = %d, want 1", aws.ToInt64(got.ExampleCount))
	}

	// A source without schemaType is validated against the default schema.
	withSource, err := c.CreateDataset(ctx, &ctl.CreateDatasetInput{DatasetName: aws.String("ds_noschema"), Source: dsInline(dsTurn("TC-01", "hi"))})
	if err != nil {
		t.Fatal(err)
	}
	if got := dsGet(t, c, withSource.DatasetId, ""); got.SchemaType != dsPredefined || aws.ToInt64(got.ExampleCount) != 1 {
		t.Errorf("dataset without schemaType = %s %d examples", got.SchemaType, aws.ToInt64(got.ExampleCount))
	}
	_, err = c.CreateDataset(ctx, &ctl.CreateDatasetInput{DatasetName: aws.String("ds_noschema_bad"), Source: dsInline(map[string]any{"scenario_id": "x"})})
	wantCode(t, "example without turns, no schemaType", err, "ValidationException")

	// A schemaType without source is kept.
	sim, err := c.CreateDataset(ctx, &ctl.CreateDatasetInput{DatasetName: aws.String("ds_sim_empty"), SchemaType: types.DatasetSchemaTypeAgentcoreEvaluationSimulatedV1})
	if err != nil {
		t.Fatal(err)
	}
	if got := dsGet(t, c, sim.DatasetId, ""); got.SchemaType != types.DatasetSchemaTypeAgentcoreEvaluationSimulatedV1 || aws.ToInt64(got.ExampleCount) != 0 {
		t.Errorf("simulated empty dataset = %s %d examples", got.SchemaType, aws.ToInt64(got.ExampleCount))
	}
}

// A browserSigning without enabled is signing off (browsers.go). The Go SDK
// always sends enabled (a plain bool), so the request without it is sent
// raw, as another client would.
func TestBrowserSigningWithoutEnabled(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client(t)
	ctx := context.Background()

	// The Go SDK's zero value: enabled false on the wire.
	zero, err := c.CreateBrowser(ctx, &ctl.CreateBrowserInput{Name: aws.String("sign_zero"),
		NetworkConfiguration: &types.BrowserNetworkConfiguration{NetworkMode: types.BrowserNetworkModePublic},
		BrowserSigning:       &types.BrowserSigningConfigInput{}})
	if err != nil {
		t.Fatal(err)
	}
	r := rawRequest(t, http.MethodPut, srv.URL+"/browsers", `{"name": "sign_absent", "networkConfiguration": {"networkMode": "PUBLIC"}, "browserSigning": {}}`)
	if r.status != http.StatusAccepted {
		t.Fatalf("CreateBrowser with browserSigning {} = %d %s", r.status, r.body)
	}
	var absent struct {
		BrowserID string `json:"browserId"`
	}
	if err := json.Unmarshal(r.body, &absent); err != nil || absent.BrowserID == "" {
		t.Fatalf("CreateBrowser answer %s: %v", r.body, err)
	}
	for _, id := range []string{aws.ToString(zero.BrowserId), absent.BrowserID} {
		got, err := c.GetBrowser(ctx, &ctl.GetBrowserInput{BrowserId: aws.String(id)})
		if err != nil {
			t.Fatal(err)
		}
		if got.BrowserSigning == nil || got.BrowserSigning.Enabled {
			t.Errorf("browser %s browserSigning = %+v, want enabled false", id, got.BrowserSigning)
		}
	}
	// Without browserSigning at all, Get has none.
	none := bxCreatePublicBrowser(t, c, "sign_none")
	if got, err := c.GetBrowser(ctx, &ctl.GetBrowserInput{BrowserId: none.BrowserId}); err != nil || got.BrowserSigning != nil {
		t.Errorf("browser without browserSigning = %+v, %v", got, err)
	}
}

// An online evaluation configuration whose CloudWatch logs source has no
// logGroupNames is accepted; Get answers an empty list beside the service
// names (online_evaluations.go). logGroupNamePrefixes, which v1.81.0 has
// and the botocore model does not, is ignored.
func TestOnlineEvalWithoutLogGroupNames(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client(t)
	ctx := context.Background()

	in := evOnlineInput("oec_nolog", false, "Builtin.Correctness")
	in.DataSourceConfig = &types.DataSourceConfigMemberCloudWatchLogs{Value: types.CloudWatchLogsInputConfig{
		ServiceNames: []string{"agent.DEFAULT"}, LogGroupNamePrefixes: []string{"/aws/bedrock-agentcore/runtimes/"}}}
	created, err := c.CreateOnlineEvaluationConfig(ctx, in)
	if err != nil {
		t.Fatalf("CreateOnlineEvaluationConfig without logGroupNames: %v", err)
	}
	check := func(what string) {
		t.Helper()
		got, err := c.GetOnlineEvaluationConfig(ctx, &ctl.GetOnlineEvaluationConfigInput{OnlineEvaluationConfigId: created.OnlineEvaluationConfigId})
		if err != nil {
			t.Fatal(err)
		}
		logs, ok := got.DataSourceConfig.(*types.DataSourceConfigMemberCloudWatchLogs)
		if !ok {
			t.Fatalf("%s: dataSourceConfig = %#v", what, got.DataSourceConfig)
		}
		if len(logs.Value.LogGroupNames) != 0 || len(logs.Value.LogGroupNamePrefixes) != 0 ||
			len(logs.Value.ServiceNames) != 1 || logs.Value.ServiceNames[0] != "agent.DEFAULT" {
			t.Errorf("%s: cloudWatchLogs = %+v, want serviceNames [agent.DEFAULT] only", what, logs.Value)
		}
	}
	check("after create")
	r := rawRequest(t, http.MethodGet, srv.URL+"/online-evaluation-configs/"+aws.ToString(created.OnlineEvaluationConfigId), "")
	var raw struct {
		DataSourceConfig struct {
			CloudWatchLogs map[string]json.RawMessage `json:"cloudWatchLogs"`
		} `json:"dataSourceConfig"`
	}
	if err := json.Unmarshal(r.body, &raw); err != nil || string(raw.DataSourceConfig.CloudWatchLogs["logGroupNames"]) != "[]" {
		t.Errorf("GetOnlineEvaluationConfig logGroupNames = %s (%v), want []: %s", raw.DataSourceConfig.CloudWatchLogs["logGroupNames"], err, r.body)
	}

	// Update with a source without logGroupNames replaces the stored one.
	if _, err := c.UpdateOnlineEvaluationConfig(ctx, &ctl.UpdateOnlineEvaluationConfigInput{
		OnlineEvaluationConfigId: created.OnlineEvaluationConfigId,
		DataSourceConfig: &types.DataSourceConfigMemberCloudWatchLogs{Value: types.CloudWatchLogsInputConfig{
			ServiceNames: []string{"agent.DEFAULT"}}},
	}); err != nil {
		t.Fatalf("UpdateOnlineEvaluationConfig without logGroupNames: %v", err)
	}
	advanceAll(t, srv.URL)
	check("after update")
}
