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
	acc "github.com/aws/aws-sdk-go-v2/service/bedrockagentcorecontrol"
	"github.com/aws/aws-sdk-go-v2/service/bedrockagentcorecontrol/types"

	"agentcored/internal/server"
	"agentcored/internal/testserver"
)

// Helpers of the registry tests carry an "rg" prefix; the payment and
// harness tests use them too.

const rgArnPrefix = "arn:aws:bedrock-agentcore:us-east-1:123456789012:"

func rgTimedServer(t *testing.T) *testserver.Server {
	return testserver.Start(t, func(c *server.Config) {
		c.Lifecycle = "timed"
		c.LifecycleDelay = 200 * time.Millisecond
	})
}

func rgManualServer(t *testing.T) *testserver.Server {
	return testserver.Start(t, func(c *server.Config) { c.Lifecycle = "manual" })
}

func rgJWT() *types.AuthorizerConfigurationMemberCustomJWTAuthorizer {
	return &types.AuthorizerConfigurationMemberCustomJWTAuthorizer{Value: types.CustomJWTAuthorizerConfiguration{
		DiscoveryUrl:    aws.String("https://idp.example.com/.well-known/openid-configuration"),
		AllowedAudience: []string{"registry-users"},
		AllowedClients:  []string{"client-1", "client-2"},
	}}
}

// rgCreate creates an IAM registry and returns its id.
func rgCreate(t *testing.T, c *acc.Client, name string, autoApprove bool) string {
	t.Helper()
	out, err := c.CreateRegistry(context.Background(), &acc.CreateRegistryInput{
		Name: aws.String(name), ApprovalConfiguration: &types.ApprovalConfiguration{AutoApproval: autoApprove},
	})
	if err != nil {
		t.Fatalf("CreateRegistry %s: %v", name, err)
	}
	arn := aws.ToString(out.RegistryArn)
	return arn[strings.LastIndex(arn, "/")+1:]
}

var rgIDRe = regexp.MustCompile(`^[a-zA-Z0-9]{12,16}$`)

func TestRegistryLifecycleFullConfiguration(t *testing.T) {
	srv := rgManualServer(t)
	c := srv.Client(t)
	ctx := context.Background()

	created, err := c.CreateRegistry(ctx, &acc.CreateRegistryInput{
		Name: aws.String("team/catalog.v1"), Description: aws.String("every member"),
		AuthorizerType: types.RegistryAuthorizerTypeCustomJwt, AuthorizerConfiguration: rgJWT(),
		ApprovalConfiguration: &types.ApprovalConfiguration{AutoApproval: true},
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := httpStatus(t, created.ResultMetadata); got != http.StatusAccepted {
		t.Errorf("CreateRegistry status = %d, want 202", got)
	}
	arn := aws.ToString(created.RegistryArn)
	id := arn[strings.LastIndex(arn, "/")+1:]
	if !rgIDRe.MatchString(id) || arn != rgArnPrefix+"registry/"+id {
		t.Fatalf("registry ARN %q (id %q) is not ...:registry/<12-16 alphanumerics>", arn, id)
	}

	got, err := c.GetRegistry(ctx, &acc.GetRegistryInput{RegistryId: aws.String(id)})
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != types.RegistryStatusCreating {
		t.Errorf("status before the transition = %s, want CREATING", got.Status)
	}
	advanceOne(t, srv.URL, "registry", id)

	for _, ident := range []string{id, arn} {
		got, err = c.GetRegistry(ctx, &acc.GetRegistryInput{RegistryId: aws.String(ident)})
		if err != nil {
			t.Fatalf("GetRegistry %s: %v", ident, err)
		}
		if got.Status != types.RegistryStatusReady || aws.ToString(got.RegistryId) != id || aws.ToString(got.RegistryArn) != arn ||
			aws.ToString(got.Name) != "team/catalog.v1" || aws.ToString(got.Description) != "every member" ||
			got.AuthorizerType != types.RegistryAuthorizerTypeCustomJwt || got.CreatedAt == nil || got.UpdatedAt == nil {
			t.Errorf("GetRegistry %s = %+v", ident, got)
		}
	}
	if !reflect.DeepEqual(got.AuthorizerConfiguration, types.AuthorizerConfiguration(rgJWT())) {
		t.Errorf("authorizerConfiguration = %#v", got.AuthorizerConfiguration)
	}
	if got.ApprovalConfiguration == nil || !got.ApprovalConfiguration.AutoApproval {
		t.Errorf("approvalConfiguration = %+v, want autoApproval", got.ApprovalConfiguration)
	}

	// The registry's workload identity, named after it, is the service's.
	wi, err := c.GetWorkloadIdentity(ctx, &acc.GetWorkloadIdentityInput{Name: aws.String(id)})
	if err != nil {
		t.Fatalf("linked workload identity: %v", err)
	}
	if want := rgArnPrefix + "workload-identity-directory/default/workload-identity/" + id; aws.ToString(wi.WorkloadIdentityArn) != want {
		t.Errorf("identity ARN %s, want %s", aws.ToString(wi.WorkloadIdentityArn), want)
	}
	_, err = c.DeleteWorkloadIdentity(ctx, &acc.DeleteWorkloadIdentityInput{Name: aws.String(id)})
	wantCode(t, "delete the linked identity", err, "ValidationException")

	// Another account's or region's ARN names nothing here.
	for _, other := range []string{
		"arn:aws:bedrock-agentcore:us-east-1:210987654321:registry/" + id,
		"arn:aws:bedrock-agentcore:eu-west-1:123456789012:registry/" + id,
	} {
		_, err := c.GetRegistry(ctx, &acc.GetRegistryInput{RegistryId: aws.String(other)})
		wantCode(t, "GetRegistry "+other, err, "ResourceNotFoundException")
	}

	list, err := c.ListRegistries(ctx, &acc.ListRegistriesInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Registries) != 1 || aws.ToString(list.Registries[0].RegistryId) != id || list.Registries[0].Status != types.RegistryStatusReady ||
		aws.ToString(list.Registries[0].Description) != "every member" || list.Registries[0].AuthorizerType != types.RegistryAuthorizerTypeCustomJwt {
		t.Errorf("ListRegistries = %+v", list.Registries)
	}

	// Tags through TagResource: CreateRegistry takes none.
	if _, err := c.TagResource(ctx, &acc.TagResourceInput{ResourceArn: aws.String(arn), Tags: map[string]string{"team": "ai"}}); err != nil {
		t.Fatal(err)
	}
	tags, err := c.ListTagsForResource(ctx, &acc.ListTagsForResourceInput{ResourceArn: aws.String(arn)})
	if err != nil || !reflect.DeepEqual(tags.Tags, map[string]string{"team": "ai"}) {
		t.Errorf("tags = %v, %v", tags, err)
	}

	// PATCH: name and description change, approval is reset by an empty
	// wrapper, the authorizer stays.
	upd, err := c.UpdateRegistry(ctx, &acc.UpdateRegistryInput{
		RegistryId: aws.String(arn), Name: aws.String("renamed"), Description: &types.UpdatedDescription{},
		ApprovalConfiguration: &types.UpdatedApprovalConfiguration{},
	})
	if err != nil {
		t.Fatal(err)
	}
	if code := httpStatus(t, upd.ResultMetadata); code != http.StatusAccepted || upd.Status != types.RegistryStatusUpdating ||
		aws.ToString(upd.Name) != "renamed" || upd.Description != nil || upd.AuthorizerType != types.RegistryAuthorizerTypeCustomJwt {
		t.Errorf("UpdateRegistry = %d %+v", code, upd)
	}
	_, err = c.UpdateRegistry(ctx, &acc.UpdateRegistryInput{RegistryId: aws.String(id), Name: aws.String("again")})
	wantCode(t, "update while UPDATING", err, "ConflictException")
	advanceOne(t, srv.URL, "registry", id)
	got, err = c.GetRegistry(ctx, &acc.GetRegistryInput{RegistryId: aws.String(id)})
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != types.RegistryStatusReady || aws.ToString(got.Name) != "renamed" || got.Description != nil ||
		got.ApprovalConfiguration == nil || got.ApprovalConfiguration.AutoApproval || got.AuthorizerConfiguration == nil {
		t.Errorf("after update = %+v", got)
	}
	// The old name is free again.
	rgCreate(t, c, "team/catalog.v1", false)

	del, err := c.DeleteRegistry(ctx, &acc.DeleteRegistryInput{RegistryId: aws.String(id)})
	if err != nil {
		t.Fatal(err)
	}
	if code := httpStatus(t, del.ResultMetadata); code != http.StatusAccepted || del.Status != types.RegistryStatusDeleting {
		t.Errorf("DeleteRegistry = %d %s", code, del.Status)
	}
	again, err := c.DeleteRegistry(ctx, &acc.DeleteRegistryInput{RegistryId: aws.String(id)})
	if err != nil || again.Status != types.RegistryStatusDeleting {
		t.Errorf("second delete while DELETING: %v %v", again, err)
	}
	advanceOne(t, srv.URL, "registry", id)
	_, err = c.GetRegistry(ctx, &acc.GetRegistryInput{RegistryId: aws.String(id)})
	wantCode(t, "Get after delete", err, "ResourceNotFoundException")
	_, err = c.GetWorkloadIdentity(ctx, &acc.GetWorkloadIdentityInput{Name: aws.String(id)})
	wantCode(t, "identity after delete", err, "ResourceNotFoundException")
	_, err = c.ListTagsForResource(ctx, &acc.ListTagsForResourceInput{ResourceArn: aws.String(arn)})
	wantCode(t, "tags after delete", err, "ResourceNotFoundException")
	_, err = c.DeleteRegistry(ctx, &acc.DeleteRegistryInput{RegistryId: aws.String(id)})
	wantCode(t, "delete after delete", err, "ResourceNotFoundException")
}

func TestRegistryIdempotentCreate(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client(t)
	ctx := context.Background()
	in := func(desc string) *acc.CreateRegistryInput {
		return &acc.CreateRegistryInput{Name: aws.String("retry"), Description: aws.String(desc), ClientToken: aws.String(clientToken("registry-token"))}
	}
	first, err := c.CreateRegistry(ctx, in("one"))
	if err != nil {
		t.Fatal(err)
	}
	second, err := c.CreateRegistry(ctx, in("one"))
	if err != nil {
		t.Fatalf("replay: %v", err)
	}
	if aws.ToString(first.RegistryArn) != aws.ToString(second.RegistryArn) || httpStatus(t, second.ResultMetadata) != http.StatusAccepted {
		t.Errorf("replay answered %s, first %s", aws.ToString(second.RegistryArn), aws.ToString(first.RegistryArn))
	}
	list, err := c.ListRegistries(ctx, &acc.ListRegistriesInput{})
	if err != nil || len(list.Registries) != 1 {
		t.Errorf("registries after a replay: %v %v", list, err)
	}
	_, err = c.CreateRegistry(ctx, in("two"))
	if reason, _ := validationReason(err); reason != types.ValidationExceptionReasonIdempotentParameterMismatchException {
		t.Errorf("same token, other parameters: %v", err)
	}
}

func TestRegistryConflictValidationQuota(t *testing.T) {
	srv := testserver.Start(t, func(c *server.Config) { c.Quotas.RegistriesPerAccount = 2 })
	c := srv.Client(t)
	ctx := context.Background()
	rgCreate(t, c, "dup", false)
	_, err := c.CreateRegistry(ctx, &acc.CreateRegistryInput{Name: aws.String("dup")})
	wantCode(t, "duplicate name", err, "ConflictException")

	for name, in := range map[string]*acc.CreateRegistryInput{
		"jwt without configuration": {Name: aws.String("a"), AuthorizerType: types.RegistryAuthorizerTypeCustomJwt},
		"iam with configuration":    {Name: aws.String("b"), AuthorizerConfiguration: rgJWT()},
		"jwt without any check": {Name: aws.String("c"), AuthorizerType: types.RegistryAuthorizerTypeCustomJwt,
			AuthorizerConfiguration: &types.AuthorizerConfigurationMemberCustomJWTAuthorizer{Value: types.CustomJWTAuthorizerConfiguration{
				DiscoveryUrl: aws.String("https://idp.example.com/.well-known/openid-configuration")}}},
		"name pattern": {Name: aws.String("-starts-with-hyphen")},
	} {
		_, err := c.CreateRegistry(ctx, in)
		wantCode(t, name, err, "ValidationException")
	}

	id := rgCreate(t, c, "second", false)
	_, err = c.CreateRegistry(ctx, &acc.CreateRegistryInput{Name: aws.String("third")})
	wantCode(t, "over quota", err, "ServiceQuotaExceededException")

	_, err = c.UpdateRegistry(ctx, &acc.UpdateRegistryInput{RegistryId: aws.String(id), Name: aws.String("dup")})
	wantCode(t, "rename onto a taken name", err, "ConflictException")
	_, err = c.UpdateRegistry(ctx, &acc.UpdateRegistryInput{RegistryId: aws.String(id),
		AuthorizerConfiguration: &types.UpdatedAuthorizerConfiguration{OptionalValue: rgJWT()}})
	wantCode(t, "JWT configuration on an IAM registry", err, "ValidationException")
	_, err = c.UpdateRegistry(ctx, &acc.UpdateRegistryInput{RegistryId: aws.String("abcdefghijkl")})
	wantCode(t, "update of a missing registry", err, "ResourceNotFoundException")
}

func TestRegistryPaginationAndFilters(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client(t)
	ctx := context.Background()
	want := map[string]bool{}
	for _, name := range []string{"p1", "p2", "p3"} {
		want[rgCreate(t, c, name, false)] = true
	}
	jwt, err := c.CreateRegistry(ctx, &acc.CreateRegistryInput{Name: aws.String("p4"),
		AuthorizerType: types.RegistryAuthorizerTypeCustomJwt, AuthorizerConfiguration: rgJWT()})
	if err != nil {
		t.Fatal(err)
	}

	seen := map[string]int{}
	var token *string
	for pages := 0; ; pages++ {
		out, err := c.ListRegistries(ctx, &acc.ListRegistriesInput{MaxResults: aws.Int32(1), NextToken: token,
			AuthorizerType: types.RegistryAuthorizerTypeAwsIam})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Registries) != 1 {
			t.Fatalf("page %d holds %d registries, want 1", pages, len(out.Registries))
		}
		seen[aws.ToString(out.Registries[0].RegistryId)]++
		if out.NextToken == nil {
			break
		}
		token = out.NextToken
		if pages > 5 {
			t.Fatal("pagination does not end")
		}
	}
	if len(seen) != 3 {
		t.Errorf("AWS_IAM pages saw %v, want %v", seen, want)
	}
	for id, n := range seen {
		if !want[id] || n != 1 {
			t.Errorf("%s seen %d times", id, n)
		}
	}
	out, err := c.ListRegistries(ctx, &acc.ListRegistriesInput{AuthorizerType: types.RegistryAuthorizerTypeCustomJwt})
	if err != nil || len(out.Registries) != 1 || aws.ToString(out.Registries[0].RegistryArn) != aws.ToString(jwt.RegistryArn) {
		t.Errorf("CUSTOM_JWT filter = %+v %v", out, err)
	}
	out, err = c.ListRegistries(ctx, &acc.ListRegistriesInput{Status: types.RegistryStatusCreating})
	if err != nil || len(out.Registries) != 0 || out.NextToken != nil {
		t.Errorf("CREATING filter (immediate lifecycle) = %+v %v", out, err)
	}
	_, err = c.ListRegistries(ctx, &acc.ListRegistriesInput{NextToken: aws.String("forged.token")})
	wantCode(t, "forged token", err, "ValidationException")
}

func TestRegistryFaultInjectedFailures(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client(t)
	ctx := context.Background()

	failNext(t, srv.URL, "CreateRegistry", "boom")
	failed := rgCreate(t, c, "doomed", false)
	got, err := c.GetRegistry(ctx, &acc.GetRegistryInput{RegistryId: aws.String(failed)})
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != types.RegistryStatusCreateFailed || aws.ToString(got.StatusReason) != "boom" {
		t.Errorf("status %s reason %q, want CREATE_FAILED boom", got.Status, aws.ToString(got.StatusReason))
	}
	_, err = c.UpdateRegistry(ctx, &acc.UpdateRegistryInput{RegistryId: aws.String(failed), Description: &types.UpdatedDescription{OptionalValue: aws.String("x")}})
	wantCode(t, "update a CREATE_FAILED registry", err, "ConflictException")
	_, err = c.CreateRegistryRecord(ctx, &acc.CreateRegistryRecordInput{RegistryId: aws.String(failed), Name: aws.String("r"), DescriptorType: types.DescriptorTypeCustom})
	wantCode(t, "record in a CREATE_FAILED registry", err, "ConflictException")

	ok := rgCreate(t, c, "fine", false)
	failNext(t, srv.URL, "UpdateRegistry", "no update")
	if _, err := c.UpdateRegistry(ctx, &acc.UpdateRegistryInput{RegistryId: aws.String(ok), Description: &types.UpdatedDescription{OptionalValue: aws.String("x")}}); err != nil {
		t.Fatal(err)
	}
	got, err = c.GetRegistry(ctx, &acc.GetRegistryInput{RegistryId: aws.String(ok)})
	if err != nil || got.Status != types.RegistryStatusUpdateFailed || aws.ToString(got.StatusReason) != "no update" {
		t.Errorf("after a failed update: %+v %v", got, err)
	}
	// A later update succeeds and clears the reason.
	if _, err := c.UpdateRegistry(ctx, &acc.UpdateRegistryInput{RegistryId: aws.String(ok)}); err != nil {
		t.Fatal(err)
	}
	got, err = c.GetRegistry(ctx, &acc.GetRegistryInput{RegistryId: aws.String(ok)})
	if err != nil || got.Status != types.RegistryStatusReady || got.StatusReason != nil {
		t.Errorf("after a good update: %+v %v", got, err)
	}

	failNext(t, srv.URL, "DeleteRegistry", "stuck")
	if _, err := c.DeleteRegistry(ctx, &acc.DeleteRegistryInput{RegistryId: aws.String(ok)}); err != nil {
		t.Fatal(err)
	}
	got, err = c.GetRegistry(ctx, &acc.GetRegistryInput{RegistryId: aws.String(ok)})
	if err != nil || got.Status != types.RegistryStatusDeleteFailed || aws.ToString(got.StatusReason) != "stuck" {
		t.Errorf("after a failed delete: %+v %v", got, err)
	}
	for _, id := range []string{ok, failed} {
		if _, err := c.DeleteRegistry(ctx, &acc.DeleteRegistryInput{RegistryId: aws.String(id)}); err != nil {
			t.Fatal(err)
		}
		_, err := c.GetRegistry(ctx, &acc.GetRegistryInput{RegistryId: aws.String(id)})
		wantCode(t, "Get after the second delete", err, "ResourceNotFoundException")
	}
}

func TestRegistryTimedLifecycle(t *testing.T) {
	srv := rgTimedServer(t)
	c := srv.Client(t)
	ctx := context.Background()
	id := rgCreate(t, c, "slow", false)
	status := func() (types.RegistryStatus, error) {
		got, err := c.GetRegistry(ctx, &acc.GetRegistryInput{RegistryId: aws.String(id)})
		if err != nil {
			return "", err
		}
		return got.Status, nil
	}
	eventuallyStatus(t, "registry READY", status, types.RegistryStatusReady, types.RegistryStatusCreating)
	if _, err := c.DeleteRegistry(ctx, &acc.DeleteRegistryInput{RegistryId: aws.String(id)}); err != nil {
		t.Fatal(err)
	}
	eventuallyGone(t, "registry gone", status, types.RegistryStatusDeleting)
}

// ---- Registry records ----

func rgMCP(server string) *types.Descriptors {
	return &types.Descriptors{Mcp: &types.McpDescriptor{
		Server: &types.ServerDefinition{SchemaVersion: aws.String("2025-06-18"), InlineContent: aws.String(server)},
		Tools:  &types.ToolsDefinition{ProtocolVersion: aws.String("2025-06-18"), InlineContent: aws.String(`{"tools":[{"name":"search"}]}`)},
	}}
}

// rgCreateRecord creates a CUSTOM record and returns its id.
func rgCreateRecord(t *testing.T, c *acc.Client, registry, name string) string {
	t.Helper()
	out, err := c.CreateRegistryRecord(context.Background(), &acc.CreateRegistryRecordInput{
		RegistryId: aws.String(registry), Name: aws.String(name), DescriptorType: types.DescriptorTypeCustom,
		Descriptors: &types.Descriptors{Custom: &types.CustomDescriptor{InlineContent: aws.String(`{"kind":"api"}`)}},
	})
	if err != nil {
		t.Fatalf("CreateRegistryRecord %s: %v", name, err)
	}
	arn := aws.ToString(out.RecordArn)
	return arn[strings.LastIndex(arn, "/")+1:]
}

func rgRecordStatus(t *testing.T, c *acc.Client, registry, record string) types.RegistryRecordStatus {
	t.Helper()
	got, err := c.GetRegistryRecord(context.Background(), &acc.GetRegistryRecordInput{RegistryId: aws.String(registry), RecordId: aws.String(record)})
	if err != nil {
		t.Fatalf("GetRegistryRecord %s: %v", record, err)
	}
	return got.Status
}

var rgRecordIDRe = regexp.MustCompile(`^[a-zA-Z0-9]{12}$`)

func TestRegistryRecordLifecycleFullConfiguration(t *testing.T) {
	srv := rgManualServer(t)
	c := srv.Client(t)
	ctx := context.Background()
	reg := rgCreate(t, c, "records", false)
	advanceOne(t, srv.URL, "registry", reg)
	regARN := rgArnPrefix + "registry/" + reg

	sync := &types.SynchronizationConfiguration{FromUrl: &types.FromUrlSynchronizationConfiguration{
		Url: aws.String("https://mcp.example.com/mcp"),
		CredentialProviderConfigurations: []types.RegistryRecordCredentialProviderConfiguration{{
			CredentialProviderType: types.RegistryRecordCredentialProviderTypeOauth,
			CredentialProvider: &types.RegistryRecordCredentialProviderUnionMemberOauthCredentialProvider{Value: types.RegistryRecordOAuthCredentialProvider{
				ProviderArn: aws.String(rgArnPrefix + "token-vault/default/oauth2credentialprovider/idp"),
				GrantType:   types.RegistryRecordOAuthGrantTypeClientCredentials, Scopes: []string{"read"},
				CustomParameters: map[string]string{"audience": "mcp"},
			}},
		}},
	}}
	descriptors := rgMCP(`{"name":"search-server"}`)
	created, err := c.CreateRegistryRecord(ctx, &acc.CreateRegistryRecordInput{
		RegistryId: aws.String(regARN), Name: aws.String("tools/search"), Description: aws.String("searches things"),
		DescriptorType: types.DescriptorTypeMcp, Descriptors: descriptors, RecordVersion: aws.String("1.0.0"),
		SynchronizationType: types.SynchronizationTypeUrl, SynchronizationConfiguration: sync,
	})
	if err != nil {
		t.Fatal(err)
	}
	if code := httpStatus(t, created.ResultMetadata); code != http.StatusAccepted || created.Status != types.RegistryRecordStatusCreating {
		t.Errorf("CreateRegistryRecord = %d %s", code, created.Status)
	}
	arn := aws.ToString(created.RecordArn)
	id := arn[strings.LastIndex(arn, "/")+1:]
	if !rgRecordIDRe.MatchString(id) || arn != regARN+"/record/"+id {
		t.Fatalf("record ARN %q is not %s/record/<12 alphanumerics>", arn, regARN)
	}
	if st := rgRecordStatus(t, c, reg, id); st != types.RegistryRecordStatusCreating {
		t.Errorf("status before the transition = %s", st)
	}
	advanceOne(t, srv.URL, "registry-record", reg+"/"+id)

	for _, ident := range [][2]string{{reg, id}, {regARN, arn}} {
		got, err := c.GetRegistryRecord(ctx, &acc.GetRegistryRecordInput{RegistryId: aws.String(ident[0]), RecordId: aws.String(ident[1])})
		if err != nil {
			t.Fatalf("GetRegistryRecord %v: %v", ident, err)
		}
		if got.Status != types.RegistryRecordStatusDraft || aws.ToString(got.RecordId) != id || aws.ToString(got.RecordArn) != arn ||
			aws.ToString(got.RegistryArn) != regARN || aws.ToString(got.Name) != "tools/search" || aws.ToString(got.Description) != "searches things" ||
			got.DescriptorType != types.DescriptorTypeMcp || aws.ToString(got.RecordVersion) != "1.0.0" ||
			got.SynchronizationType != types.SynchronizationTypeUrl || got.CreatedAt == nil || got.UpdatedAt == nil {
			t.Errorf("GetRegistryRecord %v = %+v", ident, got)
		}
		if !reflect.DeepEqual(got.Descriptors, descriptors) {
			t.Errorf("descriptors = %+v", got.Descriptors)
		}
		if !reflect.DeepEqual(got.SynchronizationConfiguration, sync) {
			t.Errorf("synchronizationConfiguration = %+v", got.SynchronizationConfiguration)
		}
	}
	_, err = c.GetRegistryRecord(ctx, &acc.GetRegistryRecordInput{RegistryId: aws.String(reg),
		RecordId: aws.String(rgArnPrefix + "registry/zzzzzzzzzzzz/record/" + id)})
	wantCode(t, "record ARN of another registry", err, "ResourceNotFoundException")
	if _, err := c.TagResource(ctx, &acc.TagResourceInput{ResourceArn: aws.String(arn), Tags: map[string]string{"k": "v"}}); err != nil {
		t.Errorf("tag a record: %v", err)
	}

	// Curation: DRAFT -> PENDING_APPROVAL -> APPROVED.
	_, err = c.UpdateRegistryRecordStatus(ctx, &acc.UpdateRegistryRecordStatusInput{RegistryId: aws.String(reg), RecordId: aws.String(id),
		Status: types.RegistryRecordStatusApproved, StatusReason: aws.String("early")})
	wantCode(t, "approve a DRAFT", err, "ConflictException")
	sub, err := c.SubmitRegistryRecordForApproval(ctx, &acc.SubmitRegistryRecordForApprovalInput{RegistryId: aws.String(reg), RecordId: aws.String(arn)})
	if err != nil {
		t.Fatal(err)
	}
	if code := httpStatus(t, sub.ResultMetadata); code != http.StatusAccepted || sub.Status != types.RegistryRecordStatusPendingApproval ||
		aws.ToString(sub.RecordArn) != arn || aws.ToString(sub.RegistryArn) != regARN || sub.UpdatedAt == nil {
		t.Errorf("Submit = %d %+v", code, sub)
	}
	_, err = c.SubmitRegistryRecordForApproval(ctx, &acc.SubmitRegistryRecordForApprovalInput{RegistryId: aws.String(reg), RecordId: aws.String(id)})
	wantCode(t, "submit twice", err, "ConflictException")
	st, err := c.UpdateRegistryRecordStatus(ctx, &acc.UpdateRegistryRecordStatusInput{RegistryId: aws.String(reg), RecordId: aws.String(id),
		Status: types.RegistryRecordStatusApproved, StatusReason: aws.String("looks good")})
	if err != nil {
		t.Fatal(err)
	}
	if code := httpStatus(t, st.ResultMetadata); code != http.StatusAccepted || st.Status != types.RegistryRecordStatusApproved ||
		aws.ToString(st.StatusReason) != "looks good" || aws.ToString(st.RecordId) != id {
		t.Errorf("UpdateRegistryRecordStatus = %d %+v", code, st)
	}

	// An edit of an APPROVED record makes a new DRAFT revision.
	_, err = c.UpdateRegistryRecord(ctx, &acc.UpdateRegistryRecordInput{RegistryId: aws.String(reg), RecordId: aws.String(id),
		RecordVersion: aws.String("0.9")})
	wantCode(t, "stale recordVersion", err, "ConflictException")
	upd, err := c.UpdateRegistryRecord(ctx, &acc.UpdateRegistryRecordInput{
		RegistryId: aws.String(reg), RecordId: aws.String(id), RecordVersion: aws.String("1.0.0"),
		Description: &types.UpdatedDescription{},
		Descriptors: &types.UpdatedDescriptors{OptionalValue: &types.UpdatedDescriptorsUnion{Mcp: &types.UpdatedMcpDescriptor{
			OptionalValue: &types.UpdatedMcpDescriptorFields{Tools: &types.UpdatedToolsDefinition{
				OptionalValue: &types.ToolsDefinition{InlineContent: aws.String(`{"tools":[]}`)}}}}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if code := httpStatus(t, upd.ResultMetadata); code != http.StatusAccepted || upd.Status != types.RegistryRecordStatusUpdating ||
		aws.ToString(upd.RecordVersion) != "1.0.1" || upd.Description != nil {
		t.Errorf("UpdateRegistryRecord = %d %+v", code, upd)
	}
	wantDesc := rgMCP(`{"name":"search-server"}`)
	wantDesc.Mcp.Tools = &types.ToolsDefinition{InlineContent: aws.String(`{"tools":[]}`)}
	if !reflect.DeepEqual(upd.Descriptors, wantDesc) {
		t.Errorf("patched descriptors = %+v / %+v", upd.Descriptors.Mcp.Server, upd.Descriptors.Mcp.Tools)
	}
	_, err = c.SubmitRegistryRecordForApproval(ctx, &acc.SubmitRegistryRecordForApprovalInput{RegistryId: aws.String(reg), RecordId: aws.String(id)})
	wantCode(t, "submit while UPDATING", err, "ConflictException")
	advanceOne(t, srv.URL, "registry-record", reg+"/"+id)
	if st := rgRecordStatus(t, c, reg, id); st != types.RegistryRecordStatusDraft {
		t.Errorf("status after the edit = %s, want DRAFT", st)
	}

	// Deprecation is terminal.
	if _, err := c.UpdateRegistryRecordStatus(ctx, &acc.UpdateRegistryRecordStatusInput{RegistryId: aws.String(reg), RecordId: aws.String(id),
		Status: types.RegistryRecordStatusDeprecated, StatusReason: aws.String("retired")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.UpdateRegistryRecord(ctx, &acc.UpdateRegistryRecordInput{RegistryId: aws.String(reg), RecordId: aws.String(id), Name: aws.String("x")})
	wantCode(t, "edit a DEPRECATED record", err, "ConflictException")
	_, err = c.UpdateRegistryRecordStatus(ctx, &acc.UpdateRegistryRecordStatusInput{RegistryId: aws.String(reg), RecordId: aws.String(id),
		Status: types.RegistryRecordStatusApproved, StatusReason: aws.String("")})
	wantCode(t, "approve a DEPRECATED record", err, "ConflictException")

	// The registry cannot go while the record exists, even while it is
	// being deleted.
	_, err = c.DeleteRegistry(ctx, &acc.DeleteRegistryInput{RegistryId: aws.String(reg)})
	wantCode(t, "delete a registry with a record", err, "ConflictException")
	del, err := c.DeleteRegistryRecord(ctx, &acc.DeleteRegistryRecordInput{RegistryId: aws.String(reg), RecordId: aws.String(id)})
	if err != nil {
		t.Fatal(err)
	}
	if code := httpStatus(t, del.ResultMetadata); code != http.StatusOK {
		t.Errorf("DeleteRegistryRecord status = %d, want 200", code)
	}
	_, err = c.GetRegistryRecord(ctx, &acc.GetRegistryRecordInput{RegistryId: aws.String(reg), RecordId: aws.String(id)})
	wantCode(t, "Get a record being deleted", err, "ResourceNotFoundException")
	_, err = c.DeleteRegistry(ctx, &acc.DeleteRegistryInput{RegistryId: aws.String(reg)})
	wantCode(t, "delete a registry whose record is being deleted", err, "ConflictException")
	advanceOne(t, srv.URL, "registry-record", reg+"/"+id)
	_, err = c.ListTagsForResource(ctx, &acc.ListTagsForResourceInput{ResourceArn: aws.String(arn)})
	wantCode(t, "record tags after delete", err, "ResourceNotFoundException")
	if _, err := c.DeleteRegistry(ctx, &acc.DeleteRegistryInput{RegistryId: aws.String(reg)}); err != nil {
		t.Errorf("delete an empty registry: %v", err)
	}
	_, err = c.CreateRegistryRecord(ctx, &acc.CreateRegistryRecordInput{RegistryId: aws.String(reg), Name: aws.String("late"), DescriptorType: types.DescriptorTypeCustom})
	wantCode(t, "record in a DELETING registry", err, "ConflictException")
}

func TestRegistryRecordCurationPaths(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client(t)
	ctx := context.Background()
	auto := rgCreate(t, c, "auto", true)
	rec := rgCreateRecord(t, c, auto, "a")
	sub, err := c.SubmitRegistryRecordForApproval(ctx, &acc.SubmitRegistryRecordForApprovalInput{RegistryId: aws.String(auto), RecordId: aws.String(rec)})
	if err != nil || sub.Status != types.RegistryRecordStatusApproved {
		t.Errorf("submit to an auto-approving registry: %+v %v", sub, err)
	}

	manual := rgCreate(t, c, "manual", false)
	rec = rgCreateRecord(t, c, manual, "b")
	set := func(status types.RegistryRecordStatus) error {
		_, err := c.UpdateRegistryRecordStatus(ctx, &acc.UpdateRegistryRecordStatusInput{RegistryId: aws.String(manual), RecordId: aws.String(rec),
			Status: status, StatusReason: aws.String("because")})
		return err
	}
	wantCode(t, "set DRAFT", set(types.RegistryRecordStatusDraft), "ValidationException")
	wantCode(t, "set PENDING_APPROVAL", set(types.RegistryRecordStatusPendingApproval), "ValidationException")
	wantCode(t, "reject a DRAFT", set(types.RegistryRecordStatusRejected), "ConflictException")
	if _, err := c.SubmitRegistryRecordForApproval(ctx, &acc.SubmitRegistryRecordForApprovalInput{RegistryId: aws.String(manual), RecordId: aws.String(rec)}); err != nil {
		t.Fatal(err)
	}
	if err := set(types.RegistryRecordStatusRejected); err != nil {
		t.Fatal(err)
	}
	got, err := c.GetRegistryRecord(ctx, &acc.GetRegistryRecordInput{RegistryId: aws.String(manual), RecordId: aws.String(rec)})
	if err != nil || got.Status != types.RegistryRecordStatusRejected || aws.ToString(got.StatusReason) != "because" {
		t.Errorf("after reject: %+v %v", got, err)
	}
	// A REJECTED record can be approved directly.
	if err := set(types.RegistryRecordStatusApproved); err != nil {
		t.Errorf("approve a REJECTED record: %v", err)
	}
	// Switching auto-approval on affects later submissions.
	if _, err := c.UpdateRegistry(ctx, &acc.UpdateRegistryInput{RegistryId: aws.String(manual),
		ApprovalConfiguration: &types.UpdatedApprovalConfiguration{OptionalValue: &types.ApprovalConfiguration{AutoApproval: true}}}); err != nil {
		t.Fatal(err)
	}
	rec2 := rgCreateRecord(t, c, manual, "c")
	sub, err = c.SubmitRegistryRecordForApproval(ctx, &acc.SubmitRegistryRecordForApprovalInput{RegistryId: aws.String(manual), RecordId: aws.String(rec2)})
	if err != nil || sub.Status != types.RegistryRecordStatusApproved {
		t.Errorf("submit after enabling auto-approval: %+v %v", sub, err)
	}
}

func TestRegistryRecordValidationConflictsQuota(t *testing.T) {
	srv := testserver.Start(t, func(c *server.Config) { c.Quotas.RecordsPerRegistry = 2 })
	c := srv.Client(t)
	ctx := context.Background()
	reg := rgCreate(t, c, "v", false)
	rgCreateRecord(t, c, reg, "dup")
	_, err := c.CreateRegistryRecord(ctx, &acc.CreateRegistryRecordInput{RegistryId: aws.String(reg), Name: aws.String("dup"), DescriptorType: types.DescriptorTypeCustom})
	wantCode(t, "duplicate record name", err, "ConflictException")
	// The same name in another registry is fine.
	rgCreateRecord(t, c, rgCreate(t, c, "other", false), "dup")

	for name, in := range map[string]*acc.CreateRegistryRecordInput{
		"descriptor of another type":     {DescriptorType: types.DescriptorTypeCustom, Descriptors: rgMCP(`{}`)},
		"server content not JSON":        {DescriptorType: types.DescriptorTypeMcp, Descriptors: rgMCP(`not json`)},
		"URL sync without configuration": {DescriptorType: types.DescriptorTypeMcp, SynchronizationType: types.SynchronizationTypeUrl},
		"configuration without type": {DescriptorType: types.DescriptorTypeMcp, SynchronizationConfiguration: &types.SynchronizationConfiguration{
			FromUrl: &types.FromUrlSynchronizationConfiguration{Url: aws.String("https://mcp.example.com")}}},
	} {
		in.RegistryId, in.Name = aws.String(reg), aws.String("bad")
		_, err := c.CreateRegistryRecord(ctx, in)
		wantCode(t, name, err, "ValidationException")
	}
	// Skill markdown is free text.
	if _, err := c.CreateRegistryRecord(ctx, &acc.CreateRegistryRecordInput{RegistryId: aws.String(reg), Name: aws.String("skills"),
		DescriptorType: types.DescriptorTypeAgentSkills,
		Descriptors:    &types.Descriptors{AgentSkills: &types.AgentSkillsDescriptor{SkillMd: &types.SkillMdDefinition{InlineContent: aws.String("# Skills")}}},
	}); err != nil {
		t.Fatalf("agent skills record: %v", err)
	}
	_, err = c.CreateRegistryRecord(ctx, &acc.CreateRegistryRecordInput{RegistryId: aws.String(reg), Name: aws.String("third"), DescriptorType: types.DescriptorTypeCustom})
	wantCode(t, "over quota", err, "ServiceQuotaExceededException")
	_, err = c.CreateRegistryRecord(ctx, &acc.CreateRegistryRecordInput{RegistryId: aws.String("zzzzzzzzzzzz"), Name: aws.String("x"), DescriptorType: types.DescriptorTypeCustom})
	wantCode(t, "record in a missing registry", err, "ResourceNotFoundException")

	reg2 := rgCreate(t, c, "x", false)
	r := rgCreateRecord(t, c, reg2, "one")
	rgCreateRecord(t, c, reg2, "two")
	_, err = c.UpdateRegistryRecord(ctx, &acc.UpdateRegistryRecordInput{RegistryId: aws.String(reg2), RecordId: aws.String(r), Name: aws.String("two")})
	wantCode(t, "rename onto a taken name", err, "ConflictException")
	_, err = c.UpdateRegistryRecord(ctx, &acc.UpdateRegistryRecordInput{RegistryId: aws.String(reg2), RecordId: aws.String(r), DescriptorType: types.DescriptorTypeMcp})
	wantCode(t, "type change that leaves the old descriptor", err, "ValidationException")
	upd, err := c.UpdateRegistryRecord(ctx, &acc.UpdateRegistryRecordInput{RegistryId: aws.String(reg2), RecordId: aws.String(r),
		DescriptorType: types.DescriptorTypeMcp, Descriptors: &types.UpdatedDescriptors{}})
	if err != nil || upd.DescriptorType != types.DescriptorTypeMcp || upd.Descriptors == nil || upd.Descriptors.Custom != nil || aws.ToString(upd.RecordVersion) != "2" {
		t.Errorf("type change with descriptors unset: %+v %v", upd, err)
	}
	_, err = c.UpdateRegistryRecord(ctx, &acc.UpdateRegistryRecordInput{RegistryId: aws.String(reg2), RecordId: aws.String(r), TriggerSynchronization: aws.Bool(true)})
	wantCode(t, "synchronize without configuration", err, "ValidationException")
	_, err = c.UpdateRegistryRecord(ctx, &acc.UpdateRegistryRecordInput{RegistryId: aws.String(reg2), RecordId: aws.String(r),
		SynchronizationType: &types.UpdatedSynchronizationType{OptionalValue: types.SynchronizationTypeUrl}})
	wantCode(t, "sync type without its configuration", err, "ValidationException")
	_, err = c.DeleteRegistryRecord(ctx, &acc.DeleteRegistryRecordInput{RegistryId: aws.String(reg2), RecordId: aws.String("zzzzzzzzzzzz")})
	wantCode(t, "delete a missing record", err, "ResourceNotFoundException")
}

func TestRegistryRecordIdempotencyPaginationFilters(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client(t)
	ctx := context.Background()
	reg := rgCreate(t, c, "pages", false)
	in := func(name string) *acc.CreateRegistryRecordInput {
		return &acc.CreateRegistryRecordInput{RegistryId: aws.String(reg), Name: aws.String(name), DescriptorType: types.DescriptorTypeA2a,
			ClientToken: aws.String(clientToken("record-token"))}
	}
	first, err := c.CreateRegistryRecord(ctx, in("agent-a"))
	if err != nil {
		t.Fatal(err)
	}
	again, err := c.CreateRegistryRecord(ctx, in("agent-a"))
	if err != nil || aws.ToString(again.RecordArn) != aws.ToString(first.RecordArn) {
		t.Errorf("replay: %v %v", again, err)
	}
	_, err = c.CreateRegistryRecord(ctx, in("agent-b"))
	wantCode(t, "token reuse with other parameters", err, "ValidationException")

	ids := map[string]bool{}
	for _, name := range []string{"c1", "c2", "c3"} {
		ids[rgCreateRecord(t, c, reg, name)] = true
	}
	// Submit one: status filter.
	var submitted string
	for id := range ids {
		submitted = id
		break
	}
	if _, err := c.SubmitRegistryRecordForApproval(ctx, &acc.SubmitRegistryRecordForApprovalInput{RegistryId: aws.String(reg), RecordId: aws.String(submitted)}); err != nil {
		t.Fatal(err)
	}

	seen := map[string]int{}
	var token *string
	for pages := 0; ; pages++ {
		out, err := c.ListRegistryRecords(ctx, &acc.ListRegistryRecordsInput{RegistryId: aws.String(reg), MaxResults: aws.Int32(1), NextToken: token,
			DescriptorType: types.DescriptorTypeCustom})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.RegistryRecords) != 1 {
			t.Fatalf("page %d holds %d records", pages, len(out.RegistryRecords))
		}
		r := out.RegistryRecords[0]
		if r.DescriptorType != types.DescriptorTypeCustom || aws.ToString(r.RecordVersion) != "1" || aws.ToString(r.RegistryArn) != rgArnPrefix+"registry/"+reg {
			t.Errorf("summary = %+v", r)
		}
		seen[aws.ToString(r.RecordId)]++
		if out.NextToken == nil {
			break
		}
		token = out.NextToken
		if pages > 5 {
			t.Fatal("pagination does not end")
		}
	}
	if len(seen) != 3 {
		t.Errorf("CUSTOM pages saw %v, want %v", seen, ids)
	}
	for id, n := range seen {
		if !ids[id] || n != 1 {
			t.Errorf("%s seen %d times", id, n)
		}
	}
	out, err := c.ListRegistryRecords(ctx, &acc.ListRegistryRecordsInput{RegistryId: aws.String(reg), Status: types.RegistryRecordStatusPendingApproval})
	if err != nil || len(out.RegistryRecords) != 1 || aws.ToString(out.RegistryRecords[0].RecordId) != submitted {
		t.Errorf("PENDING_APPROVAL filter = %+v %v", out, err)
	}
	out, err = c.ListRegistryRecords(ctx, &acc.ListRegistryRecordsInput{RegistryId: aws.String(rgArnPrefix + "registry/" + reg), Name: aws.String("agent-a")})
	if err != nil || len(out.RegistryRecords) != 1 || aws.ToString(out.RegistryRecords[0].RecordArn) != aws.ToString(first.RecordArn) {
		t.Errorf("name filter = %+v %v", out, err)
	}
	_, err = c.ListRegistryRecords(ctx, &acc.ListRegistryRecordsInput{RegistryId: aws.String("zzzzzzzzzzzz")})
	wantCode(t, "records of a missing registry", err, "ResourceNotFoundException")
}

func TestRegistryRecordFaultInjectedFailures(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client(t)
	ctx := context.Background()
	reg := rgCreate(t, c, "faults", false)
	failNext(t, srv.URL, "CreateRegistryRecord", "boom")
	rec := rgCreateRecord(t, c, reg, "doomed")
	got, err := c.GetRegistryRecord(ctx, &acc.GetRegistryRecordInput{RegistryId: aws.String(reg), RecordId: aws.String(rec)})
	if err != nil || got.Status != types.RegistryRecordStatusCreateFailed || aws.ToString(got.StatusReason) != "boom" {
		t.Errorf("after a failed create: %+v %v", got, err)
	}
	ok := rgCreateRecord(t, c, reg, "fine")
	failNext(t, srv.URL, "UpdateRegistryRecord", "no edit")
	if _, err := c.UpdateRegistryRecord(ctx, &acc.UpdateRegistryRecordInput{RegistryId: aws.String(reg), RecordId: aws.String(ok), Name: aws.String("fine2")}); err != nil {
		t.Fatal(err)
	}
	got, err = c.GetRegistryRecord(ctx, &acc.GetRegistryRecordInput{RegistryId: aws.String(reg), RecordId: aws.String(ok)})
	if err != nil || got.Status != types.RegistryRecordStatusUpdateFailed || aws.ToString(got.StatusReason) != "no edit" {
		t.Errorf("after a failed update: %+v %v", got, err)
	}
	for _, id := range []string{rec, ok} {
		if _, err := c.DeleteRegistryRecord(ctx, &acc.DeleteRegistryRecordInput{RegistryId: aws.String(reg), RecordId: aws.String(id)}); err != nil {
			t.Fatal(err)
		}
	}
	list, err := c.ListRegistryRecords(ctx, &acc.ListRegistryRecordsInput{RegistryId: aws.String(reg)})
	if err != nil || len(list.RegistryRecords) != 0 {
		t.Errorf("records after deletes: %+v %v", list, err)
	}
}

func TestRegistryRecordTimedLifecycle(t *testing.T) {
	srv := rgTimedServer(t)
	c := srv.Client(t)
	ctx := context.Background()
	reg := rgCreate(t, c, "slow", false)
	rec := rgCreateRecord(t, c, reg, "slow-record")
	eventuallyStatus(t, "record DRAFT", func() (types.RegistryRecordStatus, error) {
		return rgRecordStatus(t, c, reg, rec), nil
	}, types.RegistryRecordStatusDraft, types.RegistryRecordStatusCreating)
	if _, err := c.DeleteRegistryRecord(ctx, &acc.DeleteRegistryRecordInput{RegistryId: aws.String(reg), RecordId: aws.String(rec)}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "registry deletable", func() (bool, error) {
		_, err := c.DeleteRegistry(ctx, &acc.DeleteRegistryInput{RegistryId: aws.String(reg)})
		if errCode(err) == "ConflictException" {
			return false, nil
		}
		return true, err
	})
	eventually(t, "registry gone", func() (bool, error) {
		_, err := c.GetRegistry(ctx, &acc.GetRegistryInput{RegistryId: aws.String(reg)})
		if errCode(err) == "ResourceNotFoundException" {
			return true, nil
		}
		return false, err
	})
}
