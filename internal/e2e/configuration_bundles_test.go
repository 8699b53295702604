package e2e

import (
	"context"
	"net/http"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	ctl "github.com/aws/aws-sdk-go-v2/service/bedrockagentcorecontrol"
	"github.com/aws/aws-sdk-go-v2/service/bedrockagentcorecontrol/document"
	"github.com/aws/aws-sdk-go-v2/service/bedrockagentcorecontrol/types"

	"agentcored/internal/server"
	"agentcored/internal/testserver"
)

// Helpers of the configuration bundle tests carry a "cb" prefix; they also
// use the "ev" helpers of evaluators_test.go.

var cbUUID = regexp.MustCompile(`^[a-f0-9]{8}-[a-f0-9]{4}-4[a-f0-9]{3}-[89ab][a-f0-9]{3}-[a-f0-9]{12}$`)

func cbComponents(values map[string]any) map[string]types.ComponentConfiguration {
	out := map[string]types.ComponentConfiguration{}
	for k, v := range values {
		out[k] = types.ComponentConfiguration{Configuration: document.NewLazyDocument(v)}
	}
	return out
}

// cbPlain turns components read back into plain Go values.
func cbPlain(t *testing.T, c map[string]types.ComponentConfiguration) map[string]any {
	t.Helper()
	out := map[string]any{}
	for k, v := range c {
		out[k] = evDoc(t, v.Configuration)
	}
	return out
}

func cbCreate(t *testing.T, c *ctl.Client, name string, components map[string]any) *ctl.CreateConfigurationBundleOutput {
	t.Helper()
	out, err := c.CreateConfigurationBundle(context.Background(), &ctl.CreateConfigurationBundleInput{
		BundleName: aws.String(name), Components: cbComponents(components)})
	if err != nil {
		t.Fatalf("CreateConfigurationBundle %s: %v", name, err)
	}
	return out
}

func cbUpdate(t *testing.T, c *ctl.Client, in *ctl.UpdateConfigurationBundleInput) *ctl.UpdateConfigurationBundleOutput {
	t.Helper()
	out, err := c.UpdateConfigurationBundle(context.Background(), in)
	if err != nil {
		t.Fatalf("UpdateConfigurationBundle: %v", err)
	}
	return out
}

func cbVersions(t *testing.T, c *ctl.Client, id *string, filter *types.VersionFilter) []string {
	t.Helper()
	out, err := c.ListConfigurationBundleVersions(context.Background(), &ctl.ListConfigurationBundleVersionsInput{BundleId: id, Filter: filter, MaxResults: aws.Int32(100)})
	if err != nil {
		t.Fatal(err)
	}
	ids := []string{}
	for _, v := range out.Versions {
		ids = append(ids, aws.ToString(v.VersionId))
	}
	return ids
}

func TestConfigurationBundleRoundTripAndDelete(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client(t)
	ctx := context.Background()

	components := map[string]any{
		"arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/agent-abcdefghij": map[string]any{"model": "claude", "temperature": "0.2"},
		"prompt/system": map[string]any{"text": "be brief", "tags": []any{"a", "b"}, "strict": true},
	}
	created, err := c.CreateConfigurationBundle(ctx, &ctl.CreateConfigurationBundleInput{
		BundleName: aws.String("full_bundle"), Description: aws.String("agent settings"), Components: cbComponents(components),
		CommitMessage: aws.String("initial"), CreatedBy: &types.VersionCreatedBySource{Name: aws.String("user"), Arn: aws.String(evRoleARN)},
		Tags: map[string]string{"team": "qa"},
	})
	if err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(created.BundleId)
	arn := "arn:aws:bedrock-agentcore:us-east-1:123456789012:configuration-bundle/" + id
	v1 := aws.ToString(created.VersionId)
	if code := httpStatus(t, created.ResultMetadata); code != http.StatusCreated || !strings.HasPrefix(id, "full_bundle-") ||
		len(id) != len("full_bundle-")+10 || aws.ToString(created.BundleArn) != arn || !cbUUID.MatchString(v1) || created.CreatedAt == nil {
		t.Errorf("create answer %d %+v", code, created)
	}

	got, err := c.GetConfigurationBundle(ctx, &ctl.GetConfigurationBundleInput{BundleId: created.BundleId})
	if err != nil {
		t.Fatal(err)
	}
	wantLineage := &types.VersionLineageMetadata{BranchName: aws.String("mainline"), CommitMessage: aws.String("initial"),
		CreatedBy: &types.VersionCreatedBySource{Name: aws.String("user"), Arn: aws.String(evRoleARN)}}
	if aws.ToString(got.BundleArn) != arn || aws.ToString(got.BundleId) != id || aws.ToString(got.BundleName) != "full_bundle" ||
		aws.ToString(got.Description) != "agent settings" || aws.ToString(got.VersionId) != v1 || got.CreatedAt == nil || got.UpdatedAt == nil {
		t.Errorf("get = %+v", got)
	}
	if !reflect.DeepEqual(got.LineageMetadata, wantLineage) {
		t.Errorf("lineage = %+v", got.LineageMetadata)
	}
	if plain := cbPlain(t, got.Components); !reflect.DeepEqual(plain, components) {
		t.Errorf("components = %#v", plain)
	}
	tags, err := c.ListTagsForResource(ctx, &ctl.ListTagsForResourceInput{ResourceArn: aws.String(arn)})
	if err != nil || !reflect.DeepEqual(tags.Tags, map[string]string{"team": "qa"}) {
		t.Errorf("tags = %v, %v", tags, err)
	}
	if _, err := c.TagResource(ctx, &ctl.TagResourceInput{ResourceArn: aws.String(arn), Tags: map[string]string{"env": "dev"}}); err != nil {
		t.Errorf("TagResource: %v", err)
	}

	// Every update makes a new version; members left out are carried over.
	upd := cbUpdate(t, c, &ctl.UpdateConfigurationBundleInput{BundleId: created.BundleId, Description: aws.String("tuned"), ParentVersionIds: []string{v1},
		CommitMessage: aws.String("warmer"), CreatedBy: &types.VersionCreatedBySource{Name: aws.String("optimization-job")}})
	v2 := aws.ToString(upd.VersionId)
	if code := httpStatus(t, upd.ResultMetadata); code != http.StatusOK || !cbUUID.MatchString(v2) || v2 == v1 ||
		aws.ToString(upd.BundleArn) != arn || aws.ToString(upd.BundleId) != id || upd.UpdatedAt == nil {
		t.Errorf("update answer %d %+v", code, upd)
	}
	got, err = c.GetConfigurationBundle(ctx, &ctl.GetConfigurationBundleInput{BundleId: created.BundleId})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(got.VersionId) != v2 || aws.ToString(got.Description) != "tuned" || !reflect.DeepEqual(cbPlain(t, got.Components), components) ||
		!reflect.DeepEqual(got.LineageMetadata.ParentVersionIds, []string{v1}) || aws.ToString(got.LineageMetadata.BranchName) != "mainline" ||
		aws.ToString(got.LineageMetadata.CommitMessage) != "warmer" || aws.ToString(got.LineageMetadata.CreatedBy.Name) != "optimization-job" {
		t.Errorf("after update = %+v lineage %+v", got, got.LineageMetadata)
	}
	newComponents := map[string]any{"prompt/system": map[string]any{"text": "be thorough"}}
	v3 := aws.ToString(cbUpdate(t, c, &ctl.UpdateConfigurationBundleInput{BundleId: created.BundleId, Components: cbComponents(newComponents),
		ParentVersionIds: []string{v2}, CommitMessage: aws.String("new prompt")}).VersionId)

	// Old versions stay as they were.
	old, err := c.GetConfigurationBundleVersion(ctx, &ctl.GetConfigurationBundleVersionInput{BundleId: created.BundleId, VersionId: aws.String(v1)})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(old.VersionId) != v1 || aws.ToString(old.Description) != "agent settings" || aws.ToString(old.BundleName) != "full_bundle" ||
		aws.ToString(old.BundleArn) != arn || !reflect.DeepEqual(cbPlain(t, old.Components), components) ||
		!reflect.DeepEqual(old.LineageMetadata, wantLineage) || old.CreatedAt == nil || old.VersionCreatedAt == nil {
		t.Errorf("version 1 = %+v", old)
	}
	latest, err := c.GetConfigurationBundleVersion(ctx, &ctl.GetConfigurationBundleVersionInput{BundleId: created.BundleId, VersionId: aws.String(v3)})
	if err != nil || !reflect.DeepEqual(cbPlain(t, latest.Components), newComponents) || aws.ToString(latest.Description) != "tuned" {
		t.Errorf("version 3 = %+v, %v", latest, err)
	}
	_, err = c.GetConfigurationBundleVersion(ctx, &ctl.GetConfigurationBundleVersionInput{BundleId: created.BundleId,
		VersionId: aws.String("00000000-0000-4000-8000-000000000000")})
	wantCode(t, "unknown version", err, "ResourceNotFoundException")
	if got := cbVersions(t, c, created.BundleId, nil); !reflect.DeepEqual(got, []string{v1, v2, v3}) {
		t.Errorf("versions = %v", got)
	}

	list, err := c.ListConfigurationBundles(ctx, &ctl.ListConfigurationBundlesInput{})
	if err != nil || len(list.Bundles) != 1 || aws.ToString(list.Bundles[0].BundleId) != id || aws.ToString(list.Bundles[0].BundleArn) != arn ||
		aws.ToString(list.Bundles[0].BundleName) != "full_bundle" || aws.ToString(list.Bundles[0].Description) != "tuned" {
		t.Errorf("list = %+v, %v", list, err)
	}

	del, err := c.DeleteConfigurationBundle(ctx, &ctl.DeleteConfigurationBundleInput{BundleId: created.BundleId})
	if err != nil {
		t.Fatal(err)
	}
	if code := httpStatus(t, del.ResultMetadata); code != http.StatusAccepted || del.Status != types.ConfigurationBundleStatusDeleting || aws.ToString(del.BundleId) != id {
		t.Errorf("delete answer %d %+v", code, del)
	}
	_, err = c.GetConfigurationBundle(ctx, &ctl.GetConfigurationBundleInput{BundleId: created.BundleId})
	wantCode(t, "Get after delete", err, "ResourceNotFoundException")
	_, err = c.GetConfigurationBundleVersion(ctx, &ctl.GetConfigurationBundleVersionInput{BundleId: created.BundleId, VersionId: aws.String(v1)})
	wantCode(t, "GetVersion after delete", err, "ResourceNotFoundException")
	_, err = c.ListConfigurationBundleVersions(ctx, &ctl.ListConfigurationBundleVersionsInput{BundleId: created.BundleId})
	wantCode(t, "ListVersions after delete", err, "ResourceNotFoundException")
	_, err = c.ListTagsForResource(ctx, &ctl.ListTagsForResourceInput{ResourceArn: aws.String(arn)})
	wantCode(t, "tags after delete", err, "ResourceNotFoundException")
	_, err = c.DeleteConfigurationBundle(ctx, &ctl.DeleteConfigurationBundleInput{BundleId: created.BundleId})
	wantCode(t, "second delete", err, "ResourceNotFoundException")
	_, err = c.UpdateConfigurationBundle(ctx, &ctl.UpdateConfigurationBundleInput{BundleId: created.BundleId, ParentVersionIds: []string{v3}, CommitMessage: aws.String("late")})
	wantCode(t, "update after delete", err, "ResourceNotFoundException")
	// The name is free again.
	cbCreate(t, c, "full_bundle", map[string]any{"k": map[string]any{"v": "1"}})
}

func TestConfigurationBundleBranchesAndLineage(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client(t)
	ctx := context.Background()
	b := cbCreate(t, c, "branchy", map[string]any{"c": map[string]any{"v": "main-1"}})
	v1 := aws.ToString(b.VersionId)

	// A new branch without a parent starts from the mainline head.
	exp1 := aws.ToString(cbUpdate(t, c, &ctl.UpdateConfigurationBundleInput{BundleId: b.BundleId, BranchName: aws.String("exp"),
		ParentVersionIds: []string{}, CommitMessage: aws.String("try"),
		Components: cbComponents(map[string]any{"c": map[string]any{"v": "exp-1"}}), CreatedBy: &types.VersionCreatedBySource{Name: aws.String("bot")}}).VersionId)
	onExp, err := c.GetConfigurationBundle(ctx, &ctl.GetConfigurationBundleInput{BundleId: b.BundleId, BranchName: aws.String("exp")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(onExp.VersionId) != exp1 || !reflect.DeepEqual(onExp.LineageMetadata.ParentVersionIds, []string{v1}) ||
		aws.ToString(onExp.LineageMetadata.BranchName) != "exp" || aws.ToString(onExp.BundleName) != "branchy" {
		t.Errorf("exp head = %+v lineage %+v", onExp, onExp.LineageMetadata)
	}
	main, err := c.GetConfigurationBundle(ctx, &ctl.GetConfigurationBundleInput{BundleId: b.BundleId})
	if err != nil || aws.ToString(main.VersionId) != v1 {
		t.Errorf("mainline head = %v, %v", main, err)
	}
	_, err = c.GetConfigurationBundle(ctx, &ctl.GetConfigurationBundleInput{BundleId: b.BundleId, BranchName: aws.String("nope")})
	wantCode(t, "unknown branch", err, "ResourceNotFoundException")

	// Giving a parent on the exp branch continues it; a stale parent loses.
	exp2 := aws.ToString(cbUpdate(t, c, &ctl.UpdateConfigurationBundleInput{BundleId: b.BundleId, ParentVersionIds: []string{exp1}, CommitMessage: aws.String("more")}).VersionId)
	_, err = c.UpdateConfigurationBundle(ctx, &ctl.UpdateConfigurationBundleInput{BundleId: b.BundleId, ParentVersionIds: []string{exp1}, CommitMessage: aws.String("stale")})
	wantCode(t, "stale parent", err, "ConflictException")
	_, err = c.UpdateConfigurationBundle(ctx, &ctl.UpdateConfigurationBundleInput{BundleId: b.BundleId,
		ParentVersionIds: []string{"00000000-0000-4000-8000-000000000000"}, CommitMessage: aws.String("ghost")})
	wantCode(t, "unknown parent", err, "ValidationException")
	_, err = c.UpdateConfigurationBundle(ctx, &ctl.UpdateConfigurationBundleInput{BundleId: b.BundleId, ParentVersionIds: []string{v1, exp2, exp1}, CommitMessage: aws.String("octopus")})
	wantCode(t, "three parents", err, "ValidationException")

	// A merge commit: mainline head first, then the exp head.
	merge := cbUpdate(t, c, &ctl.UpdateConfigurationBundleInput{BundleId: b.BundleId, ParentVersionIds: []string{v1, exp2}, BranchName: aws.String("mainline"),
		Components: cbComponents(map[string]any{"c": map[string]any{"v": "merged"}}), CommitMessage: aws.String("merge exp")})
	m := aws.ToString(merge.VersionId)
	main, err = c.GetConfigurationBundle(ctx, &ctl.GetConfigurationBundleInput{BundleId: b.BundleId})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(main.VersionId) != m || !reflect.DeepEqual(main.LineageMetadata.ParentVersionIds, []string{v1, exp2}) ||
		!reflect.DeepEqual(cbPlain(t, main.Components), map[string]any{"c": map[string]any{"v": "merged"}}) {
		t.Errorf("after merge = %+v lineage %+v", main, main.LineageMetadata)
	}

	if got := cbVersions(t, c, b.BundleId, nil); !reflect.DeepEqual(got, []string{v1, exp1, exp2, m}) {
		t.Errorf("all versions = %v", got)
	}
	if got := cbVersions(t, c, b.BundleId, &types.VersionFilter{BranchName: aws.String("exp")}); !reflect.DeepEqual(got, []string{exp1, exp2}) {
		t.Errorf("exp versions = %v", got)
	}
	if got := cbVersions(t, c, b.BundleId, &types.VersionFilter{LatestPerBranch: aws.Bool(true)}); !reflect.DeepEqual(got, []string{exp2, m}) {
		t.Errorf("branch heads = %v", got)
	}
	if got := cbVersions(t, c, b.BundleId, &types.VersionFilter{CreatedByName: aws.String("bot")}); !reflect.DeepEqual(got, []string{exp1}) {
		t.Errorf("created by bot = %v", got)
	}
	if got := cbVersions(t, c, b.BundleId, &types.VersionFilter{BranchName: aws.String("mainline"), LatestPerBranch: aws.Bool(true)}); !reflect.DeepEqual(got, []string{m}) {
		t.Errorf("mainline head = %v", got)
	}

	// Pages of one over a filtered listing.
	var seen []string
	var token *string
	for pages := 0; ; pages++ {
		if pages > 5 {
			t.Fatal("pagination does not end")
		}
		out, err := c.ListConfigurationBundleVersions(ctx, &ctl.ListConfigurationBundleVersionsInput{BundleId: b.BundleId, MaxResults: aws.Int32(1),
			NextToken: token, Filter: &types.VersionFilter{BranchName: aws.String("mainline")}})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Versions) != 1 {
			t.Fatalf("page of %d", len(out.Versions))
		}
		v := out.Versions[0]
		if aws.ToString(v.BundleId) != aws.ToString(b.BundleId) || aws.ToString(v.BundleArn) != aws.ToString(b.BundleArn) || v.VersionCreatedAt == nil || v.LineageMetadata == nil {
			t.Errorf("summary = %+v", v)
		}
		seen = append(seen, aws.ToString(v.VersionId))
		if out.NextToken == nil {
			break
		}
		token = out.NextToken
	}
	if !reflect.DeepEqual(seen, []string{v1, m}) {
		t.Errorf("paged mainline versions = %v", seen)
	}
	_, err = c.ListConfigurationBundleVersions(ctx, &ctl.ListConfigurationBundleVersionsInput{BundleId: b.BundleId, NextToken: aws.String("forged.token")})
	wantCode(t, "forged token", err, "ValidationException")

	// A bundle created on another branch answers that branch by default.
	dev := cbCreate(t, c, "dev_first", map[string]any{"c": map[string]any{"v": "1"}})
	if _, err := c.UpdateConfigurationBundle(ctx, &ctl.UpdateConfigurationBundleInput{BundleId: dev.BundleId, BranchName: aws.String("dev"),
		ParentVersionIds: []string{aws.ToString(dev.VersionId)}, CommitMessage: aws.String("fork")}); err != nil {
		t.Fatal(err)
	}
	devOnly, err := c.CreateConfigurationBundle(ctx, &ctl.CreateConfigurationBundleInput{BundleName: aws.String("dev_only"), BranchName: aws.String("dev"),
		Components: cbComponents(map[string]any{"c": map[string]any{"v": "1"}})})
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.GetConfigurationBundle(ctx, &ctl.GetConfigurationBundleInput{BundleId: devOnly.BundleId})
	if err != nil || aws.ToString(got.VersionId) != aws.ToString(devOnly.VersionId) || aws.ToString(got.LineageMetadata.BranchName) != "dev" {
		t.Errorf("dev-only default = %+v, %v", got, err)
	}
}

func TestConfigurationBundleNamesIdempotencyQuota(t *testing.T) {
	srv := testserver.Start(t, func(c *server.Config) { c.Quotas.ConfigurationBundlesPerAccount = 2 })
	c := srv.Client(t)
	ctx := context.Background()

	in := func(desc string) *ctl.CreateConfigurationBundleInput {
		return &ctl.CreateConfigurationBundleInput{BundleName: aws.String("retry_bundle"), Description: aws.String(desc),
			Components: cbComponents(map[string]any{"c": map[string]any{"v": "1"}}), ClientToken: aws.String(clientToken("bundle-token"))}
	}
	first, err := c.CreateConfigurationBundle(ctx, in("one"))
	if err != nil {
		t.Fatal(err)
	}
	again, err := c.CreateConfigurationBundle(ctx, in("one"))
	if err != nil || aws.ToString(again.BundleId) != aws.ToString(first.BundleId) || aws.ToString(again.VersionId) != aws.ToString(first.VersionId) ||
		httpStatus(t, again.ResultMetadata) != http.StatusCreated {
		t.Errorf("replay = %+v, %v", again, err)
	}
	_, err = c.CreateConfigurationBundle(ctx, in("two"))
	if reason, _ := validationReason(err); reason != types.ValidationExceptionReasonIdempotentParameterMismatchException {
		t.Errorf("mismatch: %v", err)
	}

	updIn := func() *ctl.UpdateConfigurationBundleInput {
		return &ctl.UpdateConfigurationBundleInput{BundleId: first.BundleId, CommitMessage: aws.String("once"), ParentVersionIds: []string{}, ClientToken: aws.String(clientToken("bundle-update"))}
	}
	u1 := cbUpdate(t, c, updIn())
	u2 := cbUpdate(t, c, updIn())
	if aws.ToString(u1.VersionId) != aws.ToString(u2.VersionId) || httpStatus(t, u2.ResultMetadata) != http.StatusOK {
		t.Errorf("update replay made %s, first %s", aws.ToString(u2.VersionId), aws.ToString(u1.VersionId))
	}
	if got := cbVersions(t, c, first.BundleId, nil); len(got) != 2 {
		t.Errorf("%d versions after a replayed update, want 2", len(got))
	}

	_, err = c.CreateConfigurationBundle(ctx, &ctl.CreateConfigurationBundleInput{BundleName: aws.String("retry_bundle"), Components: cbComponents(nil)})
	wantCode(t, "duplicate name", err, "ConflictException")
	other := cbCreate(t, c, "other_bundle", nil)
	_, err = c.CreateConfigurationBundle(ctx, &ctl.CreateConfigurationBundleInput{BundleName: aws.String("third_bundle"), Components: cbComponents(nil)})
	wantCode(t, "over quota", err, "ServiceQuotaExceededException")

	// Renames keep names unique; the old name is free afterwards.
	_, err = c.UpdateConfigurationBundle(ctx, &ctl.UpdateConfigurationBundleInput{BundleId: other.BundleId, BundleName: aws.String("retry_bundle"),
		ParentVersionIds: []string{}, CommitMessage: aws.String("rename")})
	wantCode(t, "rename onto a taken name", err, "ConflictException")
	cbUpdate(t, c, &ctl.UpdateConfigurationBundleInput{BundleId: first.BundleId, BundleName: aws.String("renamed_bundle"),
		ParentVersionIds: []string{aws.ToString(u1.VersionId)}, CommitMessage: aws.String("rename")})
	got, err := c.GetConfigurationBundle(ctx, &ctl.GetConfigurationBundleInput{BundleId: first.BundleId})
	if err != nil || aws.ToString(got.BundleName) != "renamed_bundle" {
		t.Errorf("after rename = %+v, %v", got, err)
	}
	cbUpdate(t, c, &ctl.UpdateConfigurationBundleInput{BundleId: other.BundleId, BundleName: aws.String("retry_bundle"),
		ParentVersionIds: []string{aws.ToString(other.VersionId)}, CommitMessage: aws.String("rename")})

	// Pages of one over the bundles.
	var seen []string
	var token *string
	for pages := 0; ; pages++ {
		if pages > 5 {
			t.Fatal("pagination does not end")
		}
		out, err := c.ListConfigurationBundles(ctx, &ctl.ListConfigurationBundlesInput{MaxResults: aws.Int32(1), NextToken: token})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Bundles) != 1 {
			t.Fatalf("page of %d", len(out.Bundles))
		}
		seen = append(seen, aws.ToString(out.Bundles[0].BundleName))
		if out.NextToken == nil {
			break
		}
		token = out.NextToken
	}
	if !reflect.DeepEqual(seen, []string{"renamed_bundle", "retry_bundle"}) {
		t.Errorf("listed %v", seen)
	}
}

func TestConfigurationBundleDeleteFaultAndTimed(t *testing.T) {
	srv := testserver.Start(t, func(c *server.Config) { c.Lifecycle = "timed"; c.LifecycleDelay = 200 * time.Millisecond })
	c := srv.Client(t)
	ctx := context.Background()
	gone := func(id *string) func() (bool, error) {
		return func() (bool, error) {
			_, err := c.GetConfigurationBundle(ctx, &ctl.GetConfigurationBundleInput{BundleId: id})
			if errCode(err) == "ResourceNotFoundException" {
				return true, nil
			}
			return false, err
		}
	}

	b := cbCreate(t, c, "timed_bundle", map[string]any{"c": map[string]any{"v": "1"}})
	del, err := c.DeleteConfigurationBundle(ctx, &ctl.DeleteConfigurationBundleInput{BundleId: b.BundleId})
	if err != nil || del.Status != types.ConfigurationBundleStatusDeleting {
		t.Fatalf("delete = %+v, %v", del, err)
	}
	// While the deletion is pending, the bundle cannot change.
	if _, err := c.UpdateConfigurationBundle(ctx, &ctl.UpdateConfigurationBundleInput{BundleId: b.BundleId, ParentVersionIds: []string{aws.ToString(b.VersionId)},
		CommitMessage: aws.String("late")}); errCode(err) != "ConflictException" && errCode(err) != "ResourceNotFoundException" {
		t.Errorf("update while deleting: %v", err)
	}
	eventually(t, "bundle gone", gone(b.BundleId))

	// An injected failure leaves the bundle in place; deleting again works.
	failNext(t, srv.URL, "DeleteConfigurationBundle", "stuck")
	kept := cbCreate(t, c, "kept_bundle", map[string]any{"c": map[string]any{"v": "1"}})
	if _, err := c.DeleteConfigurationBundle(ctx, &ctl.DeleteConfigurationBundleInput{BundleId: kept.BundleId}); err != nil {
		t.Fatal(err)
	}
	advanceAll(t, srv.URL)
	if _, err := c.GetConfigurationBundle(ctx, &ctl.GetConfigurationBundleInput{BundleId: kept.BundleId}); err != nil {
		t.Fatalf("bundle whose delete failed is gone: %v", err)
	}
	if _, err := c.UpdateConfigurationBundle(ctx, &ctl.UpdateConfigurationBundleInput{BundleId: kept.BundleId, CommitMessage: aws.String("still here"),
		ParentVersionIds: []string{aws.ToString(kept.VersionId)}}); err != nil {
		t.Errorf("update after a failed delete: %v", err)
	}
	if _, err := c.DeleteConfigurationBundle(ctx, &ctl.DeleteConfigurationBundleInput{BundleId: kept.BundleId}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "bundle gone after the second delete", gone(kept.BundleId))
}
