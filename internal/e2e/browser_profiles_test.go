package e2e

import (
	"context"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/bedrockagentcorecontrol"
	"github.com/aws/aws-sdk-go-v2/service/bedrockagentcorecontrol/types"

	"agentcored/internal/server"
	"agentcored/internal/testserver"
)

func TestBrowserProfileLifecycle(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client(t)
	ctx := context.Background()

	created, err := c.CreateBrowserProfile(ctx, &bedrockagentcorecontrol.CreateBrowserProfileInput{
		Name:        aws.String("shop_profile"),
		Description: aws.String("cookies for the shop"),
		Tags:        map[string]string{"owner": "qa"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if code := httpStatus(t, created.ResultMetadata); code != http.StatusOK {
		t.Errorf("create status = %d, want 200", code)
	}
	if created.Status != types.BrowserProfileStatusReady || created.CreatedAt == nil {
		t.Errorf("create answer = %+v", created)
	}
	id := aws.ToString(created.ProfileId)
	if !strings.HasPrefix(id, "shop_profile-") || len(id) != len("shop_profile-")+10 {
		t.Errorf("id %q is not <name>-<10>", id)
	}
	arn := "arn:aws:bedrock-agentcore:us-east-1:123456789012:browser-profile/" + id
	if aws.ToString(created.ProfileArn) != arn {
		t.Errorf("arn = %s, want %s", aws.ToString(created.ProfileArn), arn)
	}

	got, err := c.GetBrowserProfile(ctx, &bedrockagentcorecontrol.GetBrowserProfileInput{ProfileId: aws.String(id)})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(got.ProfileId) != id || aws.ToString(got.ProfileArn) != arn || aws.ToString(got.Name) != "shop_profile" ||
		aws.ToString(got.Description) != "cookies for the shop" || got.Status != types.BrowserProfileStatusReady ||
		got.CreatedAt == nil || got.LastUpdatedAt == nil || got.LastSavedAt != nil {
		t.Errorf("get = %+v", got)
	}
	tags, err := c.ListTagsForResource(ctx, &bedrockagentcorecontrol.ListTagsForResourceInput{ResourceArn: aws.String(arn)})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(tags.Tags, map[string]string{"owner": "qa"}) {
		t.Errorf("tags = %v", tags.Tags)
	}

	other, err := c.CreateBrowserProfile(ctx, &bedrockagentcorecontrol.CreateBrowserProfileInput{Name: aws.String("other_profile")})
	if err != nil {
		t.Fatal(err)
	}
	all, err := c.ListBrowserProfiles(ctx, &bedrockagentcorecontrol.ListBrowserProfilesInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(all.ProfileSummaries) != 2 || aws.ToString(all.ProfileSummaries[0].ProfileId) != id ||
		aws.ToString(all.ProfileSummaries[0].Name) != "shop_profile" || all.ProfileSummaries[0].Status != types.BrowserProfileStatusReady ||
		aws.ToString(all.ProfileSummaries[1].ProfileId) != aws.ToString(other.ProfileId) {
		t.Errorf("list = %+v", all.ProfileSummaries)
	}
	byName, err := c.ListBrowserProfiles(ctx, &bedrockagentcorecontrol.ListBrowserProfilesInput{Name: aws.String("other_profile")})
	if err != nil {
		t.Fatal(err)
	}
	if len(byName.ProfileSummaries) != 1 || aws.ToString(byName.ProfileSummaries[0].ProfileId) != aws.ToString(other.ProfileId) {
		t.Errorf("list by name = %+v", byName.ProfileSummaries)
	}
	none, err := c.ListBrowserProfiles(ctx, &bedrockagentcorecontrol.ListBrowserProfilesInput{Name: aws.String("no_such_profile")})
	if err != nil {
		t.Fatal(err)
	}
	if len(none.ProfileSummaries) != 0 {
		t.Errorf("list by unknown name = %+v", none.ProfileSummaries)
	}

	del, err := c.DeleteBrowserProfile(ctx, &bedrockagentcorecontrol.DeleteBrowserProfileInput{ProfileId: aws.String(id)})
	if err != nil {
		t.Fatal(err)
	}
	if code := httpStatus(t, del.ResultMetadata); code != http.StatusOK {
		t.Errorf("delete status = %d, want 200", code)
	}
	if aws.ToString(del.ProfileId) != id || aws.ToString(del.ProfileArn) != arn || del.Status != types.BrowserProfileStatusDeleted || del.LastUpdatedAt == nil {
		t.Errorf("delete answer = %+v", del)
	}
	if _, err := c.GetBrowserProfile(ctx, &bedrockagentcorecontrol.GetBrowserProfileInput{ProfileId: aws.String(id)}); errCode(err) != "ResourceNotFoundException" {
		t.Errorf("get after delete: %v, want ResourceNotFoundException", err)
	}
	if _, err := c.ListTagsForResource(ctx, &bedrockagentcorecontrol.ListTagsForResourceInput{ResourceArn: aws.String(arn)}); errCode(err) != "ResourceNotFoundException" {
		t.Errorf("tags after delete: %v, want ResourceNotFoundException", err)
	}
	if _, err := c.DeleteBrowserProfile(ctx, &bedrockagentcorecontrol.DeleteBrowserProfileInput{ProfileId: aws.String(id)}); errCode(err) != "ResourceNotFoundException" {
		t.Errorf("second delete: %v, want ResourceNotFoundException", err)
	}
}

func TestBrowserProfileRules(t *testing.T) {
	srv := testserver.Start(t, func(c *server.Config) { c.Quotas.ProfilesPerAccount = 3 })
	c := srv.Client(t)
	ctx := context.Background()

	in := func(desc string) *bedrockagentcorecontrol.CreateBrowserProfileInput {
		return &bedrockagentcorecontrol.CreateBrowserProfileInput{
			Name: aws.String("retry_profile"), Description: aws.String(desc), ClientToken: aws.String(clientToken("profile-token")),
		}
	}
	first, err := c.CreateBrowserProfile(ctx, in("a"))
	if err != nil {
		t.Fatal(err)
	}
	second, err := c.CreateBrowserProfile(ctx, in("a"))
	if err != nil {
		t.Fatalf("retry: %v", err)
	}
	if aws.ToString(first.ProfileId) != aws.ToString(second.ProfileId) {
		t.Errorf("retry created %s besides %s", aws.ToString(second.ProfileId), aws.ToString(first.ProfileId))
	}
	_, err = c.CreateBrowserProfile(ctx, in("b"))
	if reason, ok := validationReason(err); !ok || reason != types.ValidationExceptionReasonIdempotentParameterMismatchException {
		t.Errorf("same token, other params: %v", err)
	}
	_, err = c.CreateBrowserProfile(ctx, &bedrockagentcorecontrol.CreateBrowserProfileInput{Name: aws.String("retry_profile")})
	if errCode(err) != "ConflictException" {
		t.Errorf("duplicate name: %v, want ConflictException", err)
	}

	want := map[string]bool{aws.ToString(first.ProfileId): true}
	for _, name := range []string{"profile_two", "profile_three"} {
		out, err := c.CreateBrowserProfile(ctx, &bedrockagentcorecontrol.CreateBrowserProfileInput{Name: aws.String(name)})
		if err != nil {
			t.Fatal(err)
		}
		want[aws.ToString(out.ProfileId)] = true
	}
	_, err = c.CreateBrowserProfile(ctx, &bedrockagentcorecontrol.CreateBrowserProfileInput{Name: aws.String("profile_four")})
	if errCode(err) != "ServiceQuotaExceededException" {
		t.Errorf("over quota: %v, want ServiceQuotaExceededException", err)
	}

	seen := map[string]int{}
	var token *string
	for pages := 0; ; pages++ {
		if pages > 10 {
			t.Fatal("pagination does not end")
		}
		out, err := c.ListBrowserProfiles(ctx, &bedrockagentcorecontrol.ListBrowserProfilesInput{MaxResults: aws.Int32(1), NextToken: token})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.ProfileSummaries) > 1 {
			t.Fatalf("page of %d with maxResults 1", len(out.ProfileSummaries))
		}
		for _, p := range out.ProfileSummaries {
			seen[aws.ToString(p.ProfileId)]++
		}
		if token = out.NextToken; token == nil {
			break
		}
	}
	if len(seen) != len(want) {
		t.Errorf("paged through %v, want %v", seen, want)
	}
	for id, n := range seen {
		if !want[id] || n != 1 {
			t.Errorf("%s seen %d times", id, n)
		}
	}
}
