package e2e

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	acc "github.com/aws/aws-sdk-go-v2/service/bedrockagentcorecontrol"
	"github.com/aws/aws-sdk-go-v2/service/bedrockagentcorecontrol/types"

	"agentcored/internal/testserver"
)

// Harness versions and endpoints; helpers use the "hv" prefix and hnCreate
// of harnesses_test.go.

func hvVersions(t *testing.T, c *acc.Client, id *string) []types.HarnessVersionSummary {
	t.Helper()
	var all []types.HarnessVersionSummary
	p := acc.NewListHarnessVersionsPaginator(c, &acc.ListHarnessVersionsInput{HarnessId: id, MaxResults: aws.Int32(2)})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatalf("ListHarnessVersions: %v", err)
		}
		if len(page.HarnessVersions) > 2 {
			t.Fatalf("page of %d versions, asked 2", len(page.HarnessVersions))
		}
		all = append(all, page.HarnessVersions...)
	}
	return all
}

func hvEndpoint(t *testing.T, c *acc.Client, id *string, name string) *types.HarnessEndpoint {
	t.Helper()
	out, err := c.GetHarnessEndpoint(context.Background(), &acc.GetHarnessEndpointInput{HarnessId: id, EndpointName: aws.String(name)})
	if err != nil {
		t.Fatalf("GetHarnessEndpoint %s: %v", name, err)
	}
	return out.Endpoint
}

func hvUpdate(t *testing.T, c *acc.Client, id *string, maxIter int32) *types.Harness {
	t.Helper()
	out, err := c.UpdateHarness(context.Background(), &acc.UpdateHarnessInput{HarnessId: id, MaxIterations: aws.Int32(maxIter)})
	if err != nil {
		t.Fatalf("UpdateHarness: %v", err)
	}
	return out.Harness
}

func TestHarnessVersions(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client(t)
	ctx := context.Background()
	h := hnCreate(t, c, "versioned")
	id := h.HarnessId
	if aws.ToString(h.HarnessVersion) != "1" {
		t.Errorf("CreateHarness version = %q, want 1", aws.ToString(h.HarnessVersion))
	}
	up := hvUpdate(t, c, id, 10)
	if aws.ToString(up.HarnessVersion) != "2" || up.Status != types.HarnessStatusUpdating {
		t.Errorf("UpdateHarness = version %q %s, want 2 UPDATING", aws.ToString(up.HarnessVersion), up.Status)
	}
	if got := hnGet(t, c, id); aws.ToString(got.HarnessVersion) != "2" || aws.ToInt32(got.MaxIterations) != 10 {
		t.Errorf("GetHarness = version %q maxIterations %d", aws.ToString(got.HarnessVersion), aws.ToInt32(got.MaxIterations))
	}
	// Each version answers its own configuration.
	for _, tc := range []struct {
		version string
		maxIter int32
	}{{"1", 75}, {"2", 10}} {
		out, err := c.GetHarness(ctx, &acc.GetHarnessInput{HarnessId: id, HarnessVersion: aws.String(tc.version)})
		if err != nil {
			t.Fatalf("GetHarness version %s: %v", tc.version, err)
		}
		v := out.Harness
		if aws.ToString(v.HarnessVersion) != tc.version || aws.ToInt32(v.MaxIterations) != tc.maxIter ||
			v.Status != types.HarnessStatusReady || aws.ToString(v.HarnessId) != aws.ToString(id) {
			t.Errorf("version %s = %q maxIterations %d %s", tc.version, aws.ToString(v.HarnessVersion), aws.ToInt32(v.MaxIterations), v.Status)
		}
	}
	_, err := c.GetHarness(ctx, &acc.GetHarnessInput{HarnessId: id, HarnessVersion: aws.String("3")})
	wantCode(t, "GetHarness of a missing version", err, "ResourceNotFoundException")
	_, err = c.GetHarness(ctx, &acc.GetHarnessInput{HarnessId: aws.String("nosuch-0123456789"), HarnessVersion: aws.String("1")})
	wantCode(t, "GetHarness version of a missing harness", err, "ResourceNotFoundException")
	_, err = c.GetHarness(ctx, &acc.GetHarnessInput{HarnessId: id, HarnessVersion: aws.String("0")})
	wantCode(t, "GetHarness version 0", err, "ValidationException")
	if err != nil && !strings.Contains(err.Error(), "harnessVersion") {
		t.Errorf("validation error does not name harnessVersion: %v", err)
	}

	// Three more updates: five versions, listed oldest first, two a page.
	for i := int32(1); i <= 3; i++ {
		hvUpdate(t, c, id, 10+i)
	}
	versions := hvVersions(t, c, id)
	if len(versions) != 5 {
		t.Fatalf("ListHarnessVersions = %d versions, want 5", len(versions))
	}
	for i, v := range versions {
		want := string(rune('1' + i))
		if aws.ToString(v.HarnessVersion) != want || aws.ToString(v.HarnessId) != aws.ToString(id) ||
			aws.ToString(v.Arn) != aws.ToString(h.Arn) || v.Status != types.HarnessStatusReady || v.CreatedAt == nil || v.UpdatedAt == nil {
			t.Errorf("version %d = %+v", i, v)
		}
	}
	if versions[0].CreatedAt.After(*versions[4].CreatedAt) {
		t.Errorf("version 1 created after version 5")
	}
	_, err = c.ListHarnessVersions(ctx, &acc.ListHarnessVersionsInput{HarnessId: aws.String("nosuch-0123456789")})
	wantCode(t, "ListHarnessVersions of a missing harness", err, "ResourceNotFoundException")
	if got := hvEndpoint(t, c, id, "DEFAULT"); aws.ToString(got.LiveVersion) != "5" || aws.ToString(got.TargetVersion) != "5" {
		t.Errorf("DEFAULT = live %q target %q, want 5", aws.ToString(got.LiveVersion), aws.ToString(got.TargetVersion))
	}
}

func TestHarnessEndpoints(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client(t)
	ctx := context.Background()
	h := hnCreate(t, c, "served")
	id := h.HarnessId
	arn := aws.ToString(h.Arn)

	def := hvEndpoint(t, c, id, "DEFAULT")
	if def.Status != types.HarnessEndpointStatusReady || aws.ToString(def.LiveVersion) != "1" ||
		aws.ToString(def.Arn) != arn+"/harness-endpoint/DEFAULT" || aws.ToString(def.HarnessName) != "served" {
		t.Errorf("DEFAULT after create = %+v", def)
	}
	hvUpdate(t, c, id, 20) // version 2

	out, err := c.CreateHarnessEndpoint(ctx, &acc.CreateHarnessEndpointInput{
		HarnessId: id, EndpointName: aws.String("prod"), Description: aws.String("production"),
		ClientToken: aws.String(clientToken("hv-prod")),
	})
	if err != nil {
		t.Fatal(err)
	}
	if code := httpStatus(t, out.ResultMetadata); code != http.StatusCreated {
		t.Errorf("CreateHarnessEndpoint status = %d, want 201", code)
	}
	ep := out.Endpoint
	if ep.Status != types.HarnessEndpointStatusCreating || aws.ToString(ep.TargetVersion) != "2" ||
		aws.ToString(ep.Arn) != arn+"/harness-endpoint/prod" || aws.ToString(ep.HarnessId) != aws.ToString(id) || ep.CreatedAt == nil {
		t.Errorf("CreateHarnessEndpoint = %+v", ep)
	}
	// A retry with the same token answers the same and creates nothing.
	again, err := c.CreateHarnessEndpoint(ctx, &acc.CreateHarnessEndpointInput{
		HarnessId: id, EndpointName: aws.String("prod"), Description: aws.String("production"),
		ClientToken: aws.String(clientToken("hv-prod")),
	})
	if err != nil || again.Endpoint == nil || again.Endpoint.CreatedAt == nil || !again.Endpoint.CreatedAt.Equal(*ep.CreatedAt) {
		t.Fatalf("retry = %+v, %v", again, err)
	}
	_, err = c.CreateHarnessEndpoint(ctx, &acc.CreateHarnessEndpointInput{
		HarnessId: id, EndpointName: aws.String("other"), ClientToken: aws.String(clientToken("hv-prod")),
	})
	wantCode(t, "same token, other parameters", err, "ValidationException")
	if got := hvEndpoint(t, c, id, "prod"); got.Status != types.HarnessEndpointStatusReady || aws.ToString(got.LiveVersion) != "2" ||
		aws.ToString(got.Description) != "production" {
		t.Errorf("prod = %+v", got)
	}

	stage, err := c.CreateHarnessEndpoint(ctx, &acc.CreateHarnessEndpointInput{HarnessId: id, EndpointName: aws.String("stage"), TargetVersion: aws.String("1")})
	if err != nil || aws.ToString(stage.Endpoint.TargetVersion) != "1" {
		t.Fatalf("create stage on version 1 = %v, %v", stage, err)
	}

	for _, tc := range []struct {
		what string
		in   *acc.CreateHarnessEndpointInput
		code string
		name string // the member a validation error names
	}{
		{"name clash", &acc.CreateHarnessEndpointInput{HarnessId: id, EndpointName: aws.String("prod")}, "ConflictException", ""},
		{"DEFAULT", &acc.CreateHarnessEndpointInput{HarnessId: id, EndpointName: aws.String("DEFAULT")}, "ConflictException", ""},
		{"missing version", &acc.CreateHarnessEndpointInput{HarnessId: id, EndpointName: aws.String("v9"), TargetVersion: aws.String("9")}, "ResourceNotFoundException", ""},
		{"missing harness", &acc.CreateHarnessEndpointInput{HarnessId: aws.String("nosuch-0123456789"), EndpointName: aws.String("x")}, "ResourceNotFoundException", ""},
		{"bad name", &acc.CreateHarnessEndpointInput{HarnessId: id, EndpointName: aws.String("1bad")}, "ValidationException", "endpointName"},
		{"bad version", &acc.CreateHarnessEndpointInput{HarnessId: id, EndpointName: aws.String("x"), TargetVersion: aws.String("v1")}, "ValidationException", "targetVersion"},
	} {
		_, err := c.CreateHarnessEndpoint(ctx, tc.in)
		wantCode(t, tc.what, err, tc.code)
		if tc.name != "" && err != nil && !strings.Contains(err.Error(), tc.name) {
			t.Errorf("%s: error does not name %s: %v", tc.what, tc.name, err)
		}
	}

	// Update: the target moves; a description alone keeps it.
	upd, err := c.UpdateHarnessEndpoint(ctx, &acc.UpdateHarnessEndpointInput{HarnessId: id, EndpointName: aws.String("prod"), TargetVersion: aws.String("1")})
	if err != nil || upd.Endpoint.Status != types.HarnessEndpointStatusUpdating || aws.ToString(upd.Endpoint.TargetVersion) != "1" {
		t.Fatalf("UpdateHarnessEndpoint = %+v, %v", upd, err)
	}
	if _, err := c.UpdateHarnessEndpoint(ctx, &acc.UpdateHarnessEndpointInput{HarnessId: id, EndpointName: aws.String("prod"), Description: aws.String("rolled back")}); err != nil {
		t.Fatal(err)
	}
	if got := hvEndpoint(t, c, id, "prod"); aws.ToString(got.LiveVersion) != "1" || aws.ToString(got.TargetVersion) != "1" ||
		aws.ToString(got.Description) != "rolled back" || got.Status != types.HarnessEndpointStatusReady {
		t.Errorf("prod after updates = %+v", got)
	}
	_, err = c.UpdateHarnessEndpoint(ctx, &acc.UpdateHarnessEndpointInput{HarnessId: id, EndpointName: aws.String("prod"), TargetVersion: aws.String("7")})
	wantCode(t, "update to a missing version", err, "ResourceNotFoundException")
	_, err = c.UpdateHarnessEndpoint(ctx, &acc.UpdateHarnessEndpointInput{HarnessId: id, EndpointName: aws.String("DEFAULT"), TargetVersion: aws.String("1")})
	wantCode(t, "update DEFAULT", err, "ConflictException")
	_, err = c.UpdateHarnessEndpoint(ctx, &acc.UpdateHarnessEndpointInput{HarnessId: id, EndpointName: aws.String("nosuch"), TargetVersion: aws.String("1")})
	wantCode(t, "update a missing endpoint", err, "ResourceNotFoundException")
	_, err = c.GetHarnessEndpoint(ctx, &acc.GetHarnessEndpointInput{HarnessId: id, EndpointName: aws.String("nosuch")})
	wantCode(t, "get a missing endpoint", err, "ResourceNotFoundException")

	// A harness update moves DEFAULT only.
	hvUpdate(t, c, id, 30) // version 3
	if got := hvEndpoint(t, c, id, "DEFAULT"); aws.ToString(got.LiveVersion) != "3" {
		t.Errorf("DEFAULT live = %q, want 3", aws.ToString(got.LiveVersion))
	}
	if got := hvEndpoint(t, c, id, "stage"); aws.ToString(got.LiveVersion) != "1" {
		t.Errorf("stage live = %q, want 1", aws.ToString(got.LiveVersion))
	}

	// List: DEFAULT, prod, stage in creation order, one a page.
	var names []string
	p := acc.NewListHarnessEndpointsPaginator(c, &acc.ListHarnessEndpointsInput{HarnessId: id, MaxResults: aws.Int32(1)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range page.Endpoints {
			names = append(names, aws.ToString(e.EndpointName))
		}
	}
	if strings.Join(names, ",") != "DEFAULT,prod,stage" {
		t.Errorf("ListHarnessEndpoints = %v", names)
	}

	// Delete: DEFAULT stays with the harness; stage goes.
	_, err = c.DeleteHarnessEndpoint(ctx, &acc.DeleteHarnessEndpointInput{HarnessId: id, EndpointName: aws.String("DEFAULT")})
	wantCode(t, "delete DEFAULT", err, "ConflictException")
	del, err := c.DeleteHarnessEndpoint(ctx, &acc.DeleteHarnessEndpointInput{HarnessId: id, EndpointName: aws.String("stage")})
	if err != nil || del.Endpoint.Status != types.HarnessEndpointStatusDeleting || aws.ToString(del.Endpoint.EndpointName) != "stage" {
		t.Fatalf("DeleteHarnessEndpoint = %+v, %v", del, err)
	}
	_, err = c.GetHarnessEndpoint(ctx, &acc.GetHarnessEndpointInput{HarnessId: id, EndpointName: aws.String("stage")})
	wantCode(t, "get a deleted endpoint", err, "ResourceNotFoundException")

	// Deleting the harness takes its endpoints and versions; a new harness of
	// the same name starts over.
	if _, err := c.DeleteHarness(ctx, &acc.DeleteHarnessInput{HarnessId: id, DeleteManagedMemory: aws.Bool(false)}); err != nil {
		t.Fatal(err)
	}
	_, err = c.ListHarnessEndpoints(ctx, &acc.ListHarnessEndpointsInput{HarnessId: id})
	wantCode(t, "endpoints of a deleted harness", err, "ResourceNotFoundException")
	_, err = c.GetHarness(ctx, &acc.GetHarnessInput{HarnessId: id, HarnessVersion: aws.String("1")})
	wantCode(t, "version of a deleted harness", err, "ResourceNotFoundException")
	again2 := hnCreate(t, c, "served")
	if n := len(hvVersions(t, c, again2.HarnessId)); n != 1 {
		t.Errorf("new harness has %d versions", n)
	}
}

// With the manual lifecycle, DEFAULT and the version are in the harness's
// change and end as it does, a failure included.
func TestHarnessVersionFollowsHarnessChange(t *testing.T) {
	srv := rgManualServer(t)
	c := srv.Client(t)
	ctx := context.Background()
	h := hnCreate(t, c, "manual")
	id := aws.ToString(h.HarnessId)
	if got := hvEndpoint(t, c, h.HarnessId, "DEFAULT"); got.Status != types.HarnessEndpointStatusCreating ||
		aws.ToString(got.TargetVersion) != "1" || got.LiveVersion != nil {
		t.Errorf("DEFAULT while creating = %+v", got)
	}
	if v := hvVersions(t, c, h.HarnessId); len(v) != 1 || v[0].Status != types.HarnessStatusCreating {
		t.Errorf("versions while creating = %+v", v)
	}
	advanceOne(t, srv.URL, "harness", id)
	if got := hvEndpoint(t, c, h.HarnessId, "DEFAULT"); got.Status != types.HarnessEndpointStatusReady || aws.ToString(got.LiveVersion) != "1" {
		t.Errorf("DEFAULT after create = %+v", got)
	}

	failNext(t, srv.URL, "UpdateHarness", "model unavailable")
	hvUpdate(t, c, h.HarnessId, 5)
	advanceOne(t, srv.URL, "harness", id)
	v := hvVersions(t, c, h.HarnessId)
	if len(v) != 2 || v[0].Status != types.HarnessStatusReady || v[1].Status != types.HarnessStatusUpdateFailed ||
		aws.ToString(v[1].FailureReason) != "model unavailable" {
		t.Errorf("versions after a failed update = %+v", v)
	}
	if got := hvEndpoint(t, c, h.HarnessId, "DEFAULT"); got.Status != types.HarnessEndpointStatusUpdateFailed ||
		aws.ToString(got.TargetVersion) != "2" || aws.ToString(got.LiveVersion) != "1" || aws.ToString(got.FailureReason) != "model unavailable" {
		t.Errorf("DEFAULT after a failed update = %+v", got)
	}

	// An endpoint of its own ends by its own change.
	if _, err := c.CreateHarnessEndpoint(ctx, &acc.CreateHarnessEndpointInput{HarnessId: h.HarnessId, EndpointName: aws.String("pinned"), TargetVersion: aws.String("1")}); err != nil {
		t.Fatal(err)
	}
	_, err := c.UpdateHarnessEndpoint(ctx, &acc.UpdateHarnessEndpointInput{HarnessId: h.HarnessId, EndpointName: aws.String("pinned"), TargetVersion: aws.String("2")})
	wantCode(t, "update a CREATING endpoint", err, "ConflictException")
	advanceOne(t, srv.URL, "harness-endpoint", id+"/pinned")
	if got := hvEndpoint(t, c, h.HarnessId, "pinned"); got.Status != types.HarnessEndpointStatusReady || aws.ToString(got.LiveVersion) != "1" {
		t.Errorf("pinned = %+v", got)
	}
}

// The managed memory's arn is read-only: what a caller sends is ignored.
func TestHarnessManagedMemoryArnIgnored(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client(t)
	out, err := c.CreateHarness(context.Background(), &acc.CreateHarnessInput{
		HarnessName: aws.String("managed"), ExecutionRoleArn: aws.String(hnRole),
		Memory: &types.HarnessMemoryConfigurationMemberManagedMemoryConfiguration{Value: types.HarnessManagedMemoryConfiguration{
			Arn: aws.String("arn:aws:bedrock-agentcore:us-east-1:123456789012:memory/mine-0123456789"), EventExpiryDuration: aws.Int32(30),
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	m, ok := hnGet(t, c, out.Harness.HarnessId).Memory.(*types.HarnessMemoryConfigurationMemberManagedMemoryConfiguration)
	if !ok || m.Value.Arn != nil || aws.ToInt32(m.Value.EventExpiryDuration) != 30 {
		t.Errorf("memory = %+v", m)
	}
}
