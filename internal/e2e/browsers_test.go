package e2e

import (
	"context"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/bedrockagentcorecontrol"
	"github.com/aws/aws-sdk-go-v2/service/bedrockagentcorecontrol/types"

	"agentcored/internal/server"
	"agentcored/internal/testserver"
)

// Helpers shared by the browser, code interpreter and browser profile tests
// carry a "bx" prefix so they cannot clash with other families' helpers in
// this package.

func bxVpc() *types.VpcConfig {
	return &types.VpcConfig{SecurityGroups: []string{"sg-0123456789abcdef0", "sg-0fedcba987654321"}, Subnets: []string{"subnet-0123456789abcdef0", "subnet-0aaaabbbbccccdddd"}}
}

func bxCreatePublicBrowser(t *testing.T, c *bedrockagentcorecontrol.Client, name string) *bedrockagentcorecontrol.CreateBrowserOutput {
	t.Helper()
	out, err := c.CreateBrowser(context.Background(), &bedrockagentcorecontrol.CreateBrowserInput{
		Name:                 aws.String(name),
		NetworkConfiguration: &types.BrowserNetworkConfiguration{NetworkMode: types.BrowserNetworkModePublic},
	})
	if err != nil {
		t.Fatalf("CreateBrowser %s: %v", name, err)
	}
	return out
}

func TestBrowserLifecycleFullConfiguration(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client(t)
	ctx := context.Background()

	network := &types.BrowserNetworkConfiguration{NetworkMode: types.BrowserNetworkModeVpc, VpcConfig: bxVpc()}
	recording := &types.RecordingConfig{Enabled: true, S3Location: &types.S3Location{Bucket: aws.String("rec-bucket"), Prefix: aws.String("sessions/")}}
	policies := []types.BrowserEnterprisePolicy{{
		Type:     types.BrowserEnterprisePolicyTypeManaged,
		Location: &types.ResourceLocationMemberS3{Value: types.S3Location{Bucket: aws.String("policy-bucket"), Prefix: aws.String("chrome/policy.json")}},
	}}
	certs := []types.Certificate{{Location: &types.CertificateLocationMemberSecretsManager{Value: types.SecretsManagerLocation{
		SecretArn: aws.String("arn:aws:secretsmanager:us-east-1:123456789012:secret:corp-ca-AbCdEf"),
	}}}}
	created, err := c.CreateBrowser(ctx, &bedrockagentcorecontrol.CreateBrowserInput{
		Name:                 aws.String("full_browser"),
		Description:          aws.String("every member"),
		ExecutionRoleArn:     aws.String("arn:aws:iam::123456789012:role/BrowserRole"),
		NetworkConfiguration: network,
		Recording:            recording,
		BrowserSigning:       &types.BrowserSigningConfigInput{Enabled: true},
		EnterprisePolicies:   policies,
		Certificates:         certs,
		Tags:                 map[string]string{"team": "web", "env": "test"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := httpStatus(t, created.ResultMetadata); got != http.StatusAccepted {
		t.Errorf("CreateBrowser status = %d, want 202", got)
	}
	if created.Status != types.BrowserStatusCreating {
		t.Errorf("create status = %s, want CREATING", created.Status)
	}
	id := aws.ToString(created.BrowserId)
	if !strings.HasPrefix(id, "full_browser-") || len(id) != len("full_browser-")+10 {
		t.Errorf("browser id %q is not <name>-<10>", id)
	}
	wantARN := "arn:aws:bedrock-agentcore:us-east-1:123456789012:browser-custom/" + id
	if aws.ToString(created.BrowserArn) != wantARN {
		t.Errorf("arn = %s, want %s", aws.ToString(created.BrowserArn), wantARN)
	}
	if created.CreatedAt == nil {
		t.Error("createdAt missing")
	}

	got, err := c.GetBrowser(ctx, &bedrockagentcorecontrol.GetBrowserInput{BrowserId: aws.String(id)})
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != types.BrowserStatusReady {
		t.Errorf("status = %s, want READY", got.Status)
	}
	if aws.ToString(got.Name) != "full_browser" || aws.ToString(got.Description) != "every member" ||
		aws.ToString(got.ExecutionRoleArn) != "arn:aws:iam::123456789012:role/BrowserRole" || aws.ToString(got.BrowserArn) != wantARN {
		t.Errorf("scalars differ: %+v", got)
	}
	if !reflect.DeepEqual(got.NetworkConfiguration, network) {
		t.Errorf("networkConfiguration = %+v / %+v, want %+v / %+v", got.NetworkConfiguration, got.NetworkConfiguration.VpcConfig, network, network.VpcConfig)
	}
	if !reflect.DeepEqual(got.Recording, recording) {
		t.Errorf("recording = %+v, want %+v", got.Recording, recording)
	}
	if got.BrowserSigning == nil || !got.BrowserSigning.Enabled {
		t.Errorf("browserSigning = %+v, want enabled", got.BrowserSigning)
	}
	if !reflect.DeepEqual(got.EnterprisePolicies, policies) {
		t.Errorf("enterprisePolicies = %+v, want %+v", got.EnterprisePolicies, policies)
	}
	if !reflect.DeepEqual(got.Certificates, certs) {
		t.Errorf("certificates = %+v, want %+v", got.Certificates, certs)
	}
	if got.CreatedAt == nil || got.LastUpdatedAt == nil {
		t.Error("timestamps missing")
	}

	tags, err := c.ListTagsForResource(ctx, &bedrockagentcorecontrol.ListTagsForResourceInput{ResourceArn: aws.String(wantARN)})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(tags.Tags, map[string]string{"team": "web", "env": "test"}) {
		t.Errorf("tags = %v", tags.Tags)
	}

	list, err := c.ListBrowsers(ctx, &bedrockagentcorecontrol.ListBrowsersInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.BrowserSummaries) != 1 || aws.ToString(list.BrowserSummaries[0].BrowserId) != id ||
		aws.ToString(list.BrowserSummaries[0].Name) != "full_browser" || list.BrowserSummaries[0].Status != types.BrowserStatusReady ||
		aws.ToString(list.BrowserSummaries[0].Description) != "every member" {
		t.Errorf("list = %+v", list.BrowserSummaries)
	}

	del, err := c.DeleteBrowser(ctx, &bedrockagentcorecontrol.DeleteBrowserInput{BrowserId: aws.String(id)})
	if err != nil {
		t.Fatal(err)
	}
	if code := httpStatus(t, del.ResultMetadata); code != http.StatusAccepted {
		t.Errorf("DeleteBrowser status = %d, want 202", code)
	}
	if aws.ToString(del.BrowserId) != id || del.Status != types.BrowserStatusDeleting || del.LastUpdatedAt == nil {
		t.Errorf("delete answer = %+v", del)
	}
	if _, err := c.GetBrowser(ctx, &bedrockagentcorecontrol.GetBrowserInput{BrowserId: aws.String(id)}); errCode(err) != "ResourceNotFoundException" {
		t.Errorf("Get after delete: %v, want ResourceNotFoundException", err)
	}
	if _, err := c.ListTagsForResource(ctx, &bedrockagentcorecontrol.ListTagsForResourceInput{ResourceArn: aws.String(wantARN)}); errCode(err) != "ResourceNotFoundException" {
		t.Errorf("ListTags after delete: %v, want ResourceNotFoundException", err)
	}
	if _, err := c.DeleteBrowser(ctx, &bedrockagentcorecontrol.DeleteBrowserInput{BrowserId: aws.String(id)}); errCode(err) != "ResourceNotFoundException" {
		t.Errorf("second delete: %v, want ResourceNotFoundException", err)
	}
	list, err = c.ListBrowsers(ctx, &bedrockagentcorecontrol.ListBrowsersInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.BrowserSummaries) != 0 {
		t.Errorf("list after delete = %+v", list.BrowserSummaries)
	}
}

func TestBrowserIdempotentCreate(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client(t)
	ctx := context.Background()
	in := func(desc string) *bedrockagentcorecontrol.CreateBrowserInput {
		return &bedrockagentcorecontrol.CreateBrowserInput{
			Name:                 aws.String("retry_browser"),
			Description:          aws.String(desc),
			NetworkConfiguration: &types.BrowserNetworkConfiguration{NetworkMode: types.BrowserNetworkModePublic},
			ClientToken:          aws.String(clientToken("browser-token")),
		}
	}
	first, err := c.CreateBrowser(ctx, in("one"))
	if err != nil {
		t.Fatal(err)
	}
	second, err := c.CreateBrowser(ctx, in("one"))
	if err != nil {
		t.Fatalf("retry with the same token: %v", err)
	}
	if aws.ToString(first.BrowserId) != aws.ToString(second.BrowserId) || aws.ToString(first.BrowserArn) != aws.ToString(second.BrowserArn) {
		t.Errorf("retry answered %s, first answered %s", aws.ToString(second.BrowserId), aws.ToString(first.BrowserId))
	}
	if code := httpStatus(t, second.ResultMetadata); code != http.StatusAccepted {
		t.Errorf("replayed status = %d, want 202", code)
	}
	list, err := c.ListBrowsers(ctx, &bedrockagentcorecontrol.ListBrowsersInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.BrowserSummaries) != 1 {
		t.Errorf("%d browsers after a retried create, want 1", len(list.BrowserSummaries))
	}

	_, err = c.CreateBrowser(ctx, in("two"))
	if reason, ok := validationReason(err); !ok || reason != types.ValidationExceptionReasonIdempotentParameterMismatchException {
		t.Errorf("same token, other params: %v (reason %q), want ValidationException IdempotentParameterMismatchException", err, reason)
	}

	// Delete with a token replays too, even once the browser is gone.
	delIn := &bedrockagentcorecontrol.DeleteBrowserInput{BrowserId: first.BrowserId, ClientToken: aws.String(clientToken("browser-delete"))}
	if _, err := c.DeleteBrowser(ctx, delIn); err != nil {
		t.Fatal(err)
	}
	again, err := c.DeleteBrowser(ctx, delIn)
	if err != nil {
		t.Fatalf("retried delete: %v", err)
	}
	if again.Status != types.BrowserStatusDeleting {
		t.Errorf("retried delete status = %s", again.Status)
	}
}

func TestBrowserConflictValidationQuota(t *testing.T) {
	srv := testserver.Start(t, func(c *server.Config) { c.Quotas.BrowsersPerAccount = 2 })
	c := srv.Client(t)
	ctx := context.Background()
	bxCreatePublicBrowser(t, c, "dup")
	_, err := c.CreateBrowser(ctx, &bedrockagentcorecontrol.CreateBrowserInput{
		Name:                 aws.String("dup"),
		NetworkConfiguration: &types.BrowserNetworkConfiguration{NetworkMode: types.BrowserNetworkModePublic},
	})
	if errCode(err) != "ConflictException" {
		t.Errorf("duplicate name: %v, want ConflictException", err)
	}

	for _, tc := range []struct {
		name string
		net  *types.BrowserNetworkConfiguration
	}{
		{"vpc_without_config", &types.BrowserNetworkConfiguration{NetworkMode: types.BrowserNetworkModeVpc}},
		{"public_with_config", &types.BrowserNetworkConfiguration{NetworkMode: types.BrowserNetworkModePublic, VpcConfig: bxVpc()}},
	} {
		_, err := c.CreateBrowser(ctx, &bedrockagentcorecontrol.CreateBrowserInput{Name: aws.String(tc.name), NetworkConfiguration: tc.net})
		if _, ok := validationReason(err); !ok {
			t.Errorf("%s: %v, want ValidationException", tc.name, err)
		}
	}

	bxCreatePublicBrowser(t, c, "second")
	_, err = c.CreateBrowser(ctx, &bedrockagentcorecontrol.CreateBrowserInput{
		Name:                 aws.String("third"),
		NetworkConfiguration: &types.BrowserNetworkConfiguration{NetworkMode: types.BrowserNetworkModePublic},
	})
	if errCode(err) != "ServiceQuotaExceededException" {
		t.Errorf("over quota: %v, want ServiceQuotaExceededException", err)
	}
}

func TestBrowserPagination(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client(t)
	ctx := context.Background()
	want := map[string]bool{}
	for _, name := range []string{"page_a", "page_b", "page_c", "page_d"} {
		want[aws.ToString(bxCreatePublicBrowser(t, c, name).BrowserId)] = true
	}
	for _, typ := range []types.ResourceType{"", types.ResourceTypeCustom} {
		seen := map[string]int{}
		var token *string
		pages := 0
		for {
			out, err := c.ListBrowsers(ctx, &bedrockagentcorecontrol.ListBrowsersInput{MaxResults: aws.Int32(1), NextToken: token, Type: typ})
			if err != nil {
				t.Fatal(err)
			}
			pages++
			if len(out.BrowserSummaries) > 1 {
				t.Fatalf("page of %d with maxResults 1", len(out.BrowserSummaries))
			}
			for _, b := range out.BrowserSummaries {
				seen[aws.ToString(b.BrowserId)]++
			}
			if out.NextToken == nil {
				break
			}
			if aws.ToString(out.NextToken) == "" {
				t.Fatal("empty-string nextToken")
			}
			token = out.NextToken
			if pages > 10 {
				t.Fatal("pagination does not end")
			}
		}
		if len(seen) != len(want) {
			t.Errorf("type %q: saw %v, want %v", typ, seen, want)
		}
		for id, n := range seen {
			if !want[id] || n != 1 {
				t.Errorf("type %q: %s seen %d times (known %v)", typ, id, n, want[id])
			}
		}
	}
	if _, err := c.ListBrowsers(ctx, &bedrockagentcorecontrol.ListBrowsersInput{NextToken: aws.String("forged.token")}); err == nil {
		t.Error("forged nextToken accepted")
	} else if _, ok := validationReason(err); !ok {
		t.Errorf("forged nextToken: %v, want ValidationException", err)
	}
}

func TestBrowserFaultInjectedFailures(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client(t)
	ctx := context.Background()

	failNext(t, srv.URL, "CreateBrowser", "boom")
	failed := bxCreatePublicBrowser(t, c, "doomed")
	if failed.Status != types.BrowserStatusCreating {
		t.Errorf("create answer status = %s, want CREATING", failed.Status)
	}
	got, err := c.GetBrowser(ctx, &bedrockagentcorecontrol.GetBrowserInput{BrowserId: failed.BrowserId})
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != types.BrowserStatusCreateFailed || aws.ToString(got.FailureReason) != "boom" {
		t.Errorf("status %s reason %q, want CREATE_FAILED boom", got.Status, aws.ToString(got.FailureReason))
	}
	// The rule was used up: the next browser is fine.
	ok := bxCreatePublicBrowser(t, c, "fine")
	got, err = c.GetBrowser(ctx, &bedrockagentcorecontrol.GetBrowserInput{BrowserId: ok.BrowserId})
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != types.BrowserStatusReady || got.FailureReason != nil {
		t.Errorf("status %s reason %v, want READY without reason", got.Status, got.FailureReason)
	}

	failNext(t, srv.URL, "DeleteBrowser", "stuck")
	del, err := c.DeleteBrowser(ctx, &bedrockagentcorecontrol.DeleteBrowserInput{BrowserId: ok.BrowserId})
	if err != nil {
		t.Fatal(err)
	}
	if del.Status != types.BrowserStatusDeleting {
		t.Errorf("delete answer status = %s", del.Status)
	}
	got, err = c.GetBrowser(ctx, &bedrockagentcorecontrol.GetBrowserInput{BrowserId: ok.BrowserId})
	if err != nil {
		t.Fatalf("browser whose delete failed is gone: %v", err)
	}
	if got.Status != types.BrowserStatusDeleteFailed || aws.ToString(got.FailureReason) != "stuck" {
		t.Errorf("status %s reason %q, want DELETE_FAILED stuck", got.Status, aws.ToString(got.FailureReason))
	}
	// Deleting again (no fault left) removes both, the CREATE_FAILED one too.
	for _, id := range []*string{ok.BrowserId, failed.BrowserId} {
		if _, err := c.DeleteBrowser(ctx, &bedrockagentcorecontrol.DeleteBrowserInput{BrowserId: id}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.GetBrowser(ctx, &bedrockagentcorecontrol.GetBrowserInput{BrowserId: id}); errCode(err) != "ResourceNotFoundException" {
			t.Errorf("Get %s after delete: %v, want ResourceNotFoundException", aws.ToString(id), err)
		}
	}
}

func TestBrowserTimedLifecycle(t *testing.T) {
	srv := testserver.Start(t, func(c *server.Config) {
		c.Lifecycle = "timed"
		c.LifecycleDelay = 300 * time.Millisecond
	})
	c := srv.Client(t)
	ctx := context.Background()
	created := bxCreatePublicBrowser(t, c, "slow_browser")
	status := func() (types.BrowserStatus, error) {
		got, err := c.GetBrowser(ctx, &bedrockagentcorecontrol.GetBrowserInput{BrowserId: created.BrowserId})
		if err != nil {
			return "", err
		}
		return got.Status, nil
	}
	eventuallyStatus(t, "browser READY", status, types.BrowserStatusReady, types.BrowserStatusCreating)
	if _, err := c.DeleteBrowser(ctx, &bedrockagentcorecontrol.DeleteBrowserInput{BrowserId: created.BrowserId}); err != nil {
		t.Fatal(err)
	}
	eventuallyGone(t, "browser gone", status, types.BrowserStatusDeleting)
}

func TestBrowserBuiltin(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client(t)
	ctx := context.Background()
	const arn = "arn:aws:bedrock-agentcore:us-east-1:aws:browser/aws.browser.v1"

	got, err := c.GetBrowser(ctx, &bedrockagentcorecontrol.GetBrowserInput{BrowserId: aws.String("aws.browser.v1")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(got.BrowserId) != "aws.browser.v1" || aws.ToString(got.BrowserArn) != arn || got.Status != types.BrowserStatusReady ||
		got.NetworkConfiguration == nil || got.NetworkConfiguration.NetworkMode != types.BrowserNetworkModePublic ||
		got.NetworkConfiguration.VpcConfig != nil || aws.ToString(got.Name) == "" || got.CreatedAt == nil || got.LastUpdatedAt == nil {
		t.Errorf("built-in = %+v", got)
	}

	_, err = c.DeleteBrowser(ctx, &bedrockagentcorecontrol.DeleteBrowserInput{BrowserId: aws.String("aws.browser.v1")})
	if _, ok := validationReason(err); !ok {
		t.Errorf("delete built-in: %v, want ValidationException", err)
	}
	if _, err := c.GetBrowser(ctx, &bedrockagentcorecontrol.GetBrowserInput{BrowserId: aws.String("aws.browser.v1")}); err != nil {
		t.Errorf("built-in gone after a refused delete: %v", err)
	}

	_, err = c.TagResource(ctx, &bedrockagentcorecontrol.TagResourceInput{ResourceArn: aws.String(arn), Tags: map[string]string{"k": "v"}})
	if _, isValidation := validationReason(err); !isValidation && errCode(err) != "ResourceNotFoundException" {
		t.Errorf("tag built-in: %v, want ValidationException or ResourceNotFoundException", err)
	}

	custom := bxCreatePublicBrowser(t, c, "mine")
	ids := func(typ types.ResourceType) []string {
		out, err := c.ListBrowsers(ctx, &bedrockagentcorecontrol.ListBrowsersInput{Type: typ})
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, b := range out.BrowserSummaries {
			ids = append(ids, aws.ToString(b.BrowserId))
			if aws.ToString(b.BrowserId) == "aws.browser.v1" && (aws.ToString(b.BrowserArn) != arn || b.Status != types.BrowserStatusReady) {
				t.Errorf("built-in summary = %+v", b)
			}
		}
		return ids
	}
	mine := aws.ToString(custom.BrowserId)
	for typ, want := range map[types.ResourceType][]string{
		types.ResourceTypeSystem: {"aws.browser.v1"},
		types.ResourceTypeCustom: {mine},
		"":                       {mine},
	} {
		if got := ids(typ); !reflect.DeepEqual(got, want) {
			t.Errorf("ListBrowsers type %q = %v, want %v", typ, got, want)
		}
	}
}
