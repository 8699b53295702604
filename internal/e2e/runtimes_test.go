package e2e

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	acc "github.com/aws/aws-sdk-go-v2/service/bedrockagentcorecontrol"
	"github.com/aws/aws-sdk-go-v2/service/bedrockagentcorecontrol/types"

	"agentcored/internal/server"
	"agentcored/internal/testserver"
)

// Fixtures valid against the model's patterns.
const (
	rtImage  = "123456789012.dkr.ecr.us-east-1.amazonaws.com/agent:latest"
	rtImage2 = "123456789012.dkr.ecr.us-east-1.amazonaws.com/agent:v2"
	rtRole   = "arn:aws:iam::123456789012:role/AgentRole"
	rtArnRe  = `^arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/`
)

func rtContainer(uri string) types.AgentRuntimeArtifact {
	return &types.AgentRuntimeArtifactMemberContainerConfiguration{Value: types.ContainerConfiguration{ContainerUri: aws.String(uri)}}
}

func rtVPC() *types.NetworkConfiguration {
	return &types.NetworkConfiguration{
		NetworkMode: types.NetworkModeVpc,
		NetworkModeConfig: &types.VpcConfig{
			SecurityGroups: []string{"sg-0123456789abcdef0", "sg-0fedcba9876543210"},
			Subnets:        []string{"subnet-0123456789abcdef0", "subnet-0fedcba9876543210"},
		},
	}
}

func rtPublic() *types.NetworkConfiguration {
	return &types.NetworkConfiguration{NetworkMode: types.NetworkModePublic}
}

// rtCreate creates a minimal PUBLIC runtime.
func rtCreate(t *testing.T, c *acc.Client, name string) *acc.CreateAgentRuntimeOutput {
	t.Helper()
	return rtCreateTagged(t, c, name, nil)
}

// rtCreateTagged is rtCreate with create-time tags.
func rtCreateTagged(t *testing.T, c *acc.Client, name string, tags map[string]string) *acc.CreateAgentRuntimeOutput {
	t.Helper()
	out, err := c.CreateAgentRuntime(context.Background(), &acc.CreateAgentRuntimeInput{
		AgentRuntimeName: aws.String(name), AgentRuntimeArtifact: rtContainer(rtImage),
		RoleArn: aws.String(rtRole), NetworkConfiguration: rtPublic(), Tags: tags,
	})
	if err != nil {
		t.Fatalf("CreateAgentRuntime %s: %v", name, err)
	}
	return out
}

func TestRuntimeCreateGetRoundTripsEveryMember(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client(t)
	ctx := context.Background()
	in := &acc.CreateAgentRuntimeInput{
		AgentRuntimeName:      aws.String("full_agent"),
		Description:           aws.String("every member"),
		AgentRuntimeArtifact:  rtContainer(rtImage),
		RoleArn:               aws.String(rtRole),
		NetworkConfiguration:  rtVPC(),
		ProtocolConfiguration: &types.ProtocolConfiguration{ServerProtocol: types.ServerProtocolMcp},
		AuthorizerConfiguration: &types.AuthorizerConfigurationMemberCustomJWTAuthorizer{Value: types.CustomJWTAuthorizerConfiguration{
			DiscoveryUrl:    aws.String("https://idp.example.com/.well-known/openid-configuration"),
			AllowedAudience: []string{"aud1"},
			AllowedClients:  []string{"client1", "client2"},
		}},
		RequestHeaderConfiguration: &types.RequestHeaderConfigurationMemberRequestHeaderAllowlist{
			Value: []string{"Authorization", "X-Amzn-Bedrock-AgentCore-Runtime-Custom-Tenant"},
		},
		EnvironmentVariables:   map[string]string{"LOG_LEVEL": "debug", "MODE": "test"},
		LifecycleConfiguration: &types.LifecycleConfiguration{IdleRuntimeSessionTimeout: aws.Int32(300)},
		FilesystemConfigurations: []types.FilesystemConfiguration{
			&types.FilesystemConfigurationMemberSessionStorage{Value: types.SessionStorageConfiguration{MountPath: aws.String("/mnt/session")}},
		},
		Tags: map[string]string{"team": "agents", "cost-center": "42"},
	}
	created, err := c.CreateAgentRuntime(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	if created.Status != types.AgentRuntimeStatusCreating || aws.ToString(created.AgentRuntimeVersion) != "1" {
		t.Fatalf("create answered %s version %s, want CREATING version 1", created.Status, aws.ToString(created.AgentRuntimeVersion))
	}
	id := aws.ToString(created.AgentRuntimeId)
	if !strings.HasPrefix(id, "full_agent-") || len(id) != len("full_agent-")+10 {
		t.Fatalf("id %q is not <name>-<10 chars>", id)
	}
	if want := "arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/" + id; aws.ToString(created.AgentRuntimeArn) != want {
		t.Fatalf("arn %q, want %q", aws.ToString(created.AgentRuntimeArn), want)
	}
	wantWI := "arn:aws:bedrock-agentcore:us-east-1:123456789012:workload-identity-directory/default/workload-identity/" + id
	if created.WorkloadIdentityDetails == nil || aws.ToString(created.WorkloadIdentityDetails.WorkloadIdentityArn) != wantWI {
		t.Fatalf("workload identity %+v, want %s", created.WorkloadIdentityDetails, wantWI)
	}

	got, err := c.GetAgentRuntime(ctx, &acc.GetAgentRuntimeInput{AgentRuntimeId: aws.String(id)})
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != types.AgentRuntimeStatusReady {
		t.Fatalf("status %s, want READY (immediate lifecycle)", got.Status)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"name", aws.ToString(got.AgentRuntimeName), "full_agent"},
		{"description", aws.ToString(got.Description), "every member"},
		{"role", aws.ToString(got.RoleArn), rtRole},
		{"network", got.NetworkConfiguration, in.NetworkConfiguration},
		{"protocol", got.ProtocolConfiguration, in.ProtocolConfiguration},
		{"artifact", got.AgentRuntimeArtifact, in.AgentRuntimeArtifact},
		{"authorizer", got.AuthorizerConfiguration, in.AuthorizerConfiguration},
		{"headers", got.RequestHeaderConfiguration, in.RequestHeaderConfiguration},
		{"env", got.EnvironmentVariables, in.EnvironmentVariables},
		{"filesystems", got.FilesystemConfigurations, in.FilesystemConfigurations},
		// The unset maxLifetime gets the documented default.
		{"lifecycle", got.LifecycleConfiguration, &types.LifecycleConfiguration{IdleRuntimeSessionTimeout: aws.Int32(300), MaxLifetime: aws.Int32(28800)}},
		{"version", aws.ToString(got.AgentRuntimeVersion), "1"},
	}
	for _, ch := range checks {
		if !reflect.DeepEqual(ch.got, ch.want) {
			t.Errorf("%s: got %#v, want %#v", ch.name, ch.got, ch.want)
		}
	}
	tags, err := c.ListTagsForResource(ctx, &acc.ListTagsForResourceInput{ResourceArn: created.AgentRuntimeArn})
	if err != nil || !reflect.DeepEqual(tags.Tags, in.Tags) {
		t.Fatalf("tags %v, %v; want %v", tags, err, in.Tags)
	}
}

func TestRuntimeLifecycleDefaultsAndCodeArtifact(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client(t)
	ctx := context.Background()
	code := &types.AgentRuntimeArtifactMemberCodeConfiguration{Value: types.CodeConfiguration{
		Code:       &types.CodeMemberS3{Value: types.S3Location{Bucket: aws.String("my-bucket"), Prefix: aws.String("agents/code.zip")}},
		EntryPoint: []string{"main.py"},
		Runtime:    types.AgentManagedRuntimeTypePython312,
	}}
	out, err := c.CreateAgentRuntime(ctx, &acc.CreateAgentRuntimeInput{
		AgentRuntimeName: aws.String("code_agent"), AgentRuntimeArtifact: code,
		RoleArn: aws.String(rtRole), NetworkConfiguration: rtPublic(),
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.GetAgentRuntime(ctx, &acc.GetAgentRuntimeInput{AgentRuntimeId: out.AgentRuntimeId})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.AgentRuntimeArtifact, types.AgentRuntimeArtifact(code)) {
		t.Errorf("artifact %#v, want %#v", got.AgentRuntimeArtifact, code)
	}
	want := &types.LifecycleConfiguration{IdleRuntimeSessionTimeout: aws.Int32(900), MaxLifetime: aws.Int32(28800)}
	if !reflect.DeepEqual(got.LifecycleConfiguration, want) {
		t.Errorf("lifecycle %#v, want defaults %#v", got.LifecycleConfiguration, want)
	}
}

func TestRuntimeNetworkRules(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client(t)
	ctx := context.Background()
	cases := []struct {
		name string
		net  *types.NetworkConfiguration
	}{
		{"vpc without config", &types.NetworkConfiguration{NetworkMode: types.NetworkModeVpc}},
		{"public with config", &types.NetworkConfiguration{NetworkMode: types.NetworkModePublic, NetworkModeConfig: rtVPC().NetworkModeConfig}},
		{"bad subnet id", &types.NetworkConfiguration{NetworkMode: types.NetworkModeVpc, NetworkModeConfig: &types.VpcConfig{
			SecurityGroups: []string{"sg-0123456789abcdef0"}, Subnets: []string{"subnet-XYZ"}}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.CreateAgentRuntime(ctx, &acc.CreateAgentRuntimeInput{
				AgentRuntimeName: aws.String("net_agent"), AgentRuntimeArtifact: rtContainer(rtImage),
				RoleArn: aws.String(rtRole), NetworkConfiguration: tc.net,
			})
			requireCode(t, err, "ValidationException")
		})
	}
	list, err := c.ListAgentRuntimes(ctx, &acc.ListAgentRuntimesInput{})
	if err != nil || len(list.AgentRuntimes) != 0 {
		t.Fatalf("rejected creates left %d runtimes (%v)", len(list.AgentRuntimes), err)
	}
}

func TestRuntimeRequestHeaderAllowlistLimits(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client(t)
	long := strings.Repeat("h", 257)
	_, err := c.CreateAgentRuntime(context.Background(), &acc.CreateAgentRuntimeInput{
		AgentRuntimeName: aws.String("hdr_agent"), AgentRuntimeArtifact: rtContainer(rtImage),
		RoleArn: aws.String(rtRole), NetworkConfiguration: rtPublic(),
		RequestHeaderConfiguration: &types.RequestHeaderConfigurationMemberRequestHeaderAllowlist{Value: []string{long}},
	})
	var ve *types.ValidationException
	if !errors.As(err, &ve) || !strings.Contains(aws.ToString(ve.Message), "requestHeaderConfiguration.requestHeaderAllowlist") {
		t.Fatalf("got %v, want a ValidationException naming requestHeaderConfiguration.requestHeaderAllowlist", err)
	}
}

func TestRuntimeVersionsAndDefaultEndpoint(t *testing.T) {
	srv := testserver.Start(t, func(c *server.Config) { c.Lifecycle = "manual" })
	c := srv.Client(t)
	ctx := context.Background()
	created := rtCreate(t, c, "versioned")
	id := created.AgentRuntimeId
	advance := func(kind, rid string) {
		t.Helper()
		adminOK(t, http.MethodPost, srv.URL+"/_agentcored/lifecycle/advance", fmt.Sprintf(`{"kind":%q,"id":%q}`, kind, rid))
	}
	// Manual: nothing moves until advanced.
	ep, err := c.GetAgentRuntimeEndpoint(ctx, &acc.GetAgentRuntimeEndpointInput{AgentRuntimeId: id, EndpointName: aws.String("DEFAULT")})
	if err != nil {
		t.Fatal(err)
	}
	if ep.Status != types.AgentRuntimeEndpointStatusCreating || aws.ToString(ep.TargetVersion) != "1" || ep.LiveVersion != nil {
		t.Fatalf("DEFAULT before advance: %s target %v live %v", ep.Status, aws.ToString(ep.TargetVersion), ep.LiveVersion)
	}
	advance("runtime", *id)
	advance("runtime-endpoint", *id+"/DEFAULT")

	// A user endpoint pinned to version 1.
	pinned, err := c.CreateAgentRuntimeEndpoint(ctx, &acc.CreateAgentRuntimeEndpointInput{
		AgentRuntimeId: id, Name: aws.String("prod"), AgentRuntimeVersion: aws.String("1"), Tags: map[string]string{"stage": "prod"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := aws.ToString(created.AgentRuntimeArn) + "/runtime-endpoint/prod"; aws.ToString(pinned.AgentRuntimeEndpointArn) != want {
		t.Fatalf("endpoint arn %s, want %s", aws.ToString(pinned.AgentRuntimeEndpointArn), want)
	}
	advance("runtime-endpoint", *id+"/prod")

	// Update: version 2, full replacement of the configuration.
	up, err := c.UpdateAgentRuntime(ctx, &acc.UpdateAgentRuntimeInput{
		AgentRuntimeId: id, AgentRuntimeArtifact: rtContainer(rtImage2), RoleArn: aws.String(rtRole),
		NetworkConfiguration: rtVPC(), Description: aws.String("v2"),
	})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(up.AgentRuntimeVersion) != "2" || up.Status != types.AgentRuntimeStatusUpdating {
		t.Fatalf("update answered version %s %s", aws.ToString(up.AgentRuntimeVersion), up.Status)
	}
	ep, err = c.GetAgentRuntimeEndpoint(ctx, &acc.GetAgentRuntimeEndpointInput{AgentRuntimeId: id, EndpointName: aws.String("DEFAULT")})
	if err != nil {
		t.Fatal(err)
	}
	if ep.Status != types.AgentRuntimeEndpointStatusUpdating || aws.ToString(ep.TargetVersion) != "2" || aws.ToString(ep.LiveVersion) != "1" {
		t.Fatalf("DEFAULT during update: %s target %s live %s, want UPDATING 2/1", ep.Status, aws.ToString(ep.TargetVersion), aws.ToString(ep.LiveVersion))
	}
	// Another update while UPDATING is refused.
	_, err = c.UpdateAgentRuntime(ctx, &acc.UpdateAgentRuntimeInput{
		AgentRuntimeId: id, AgentRuntimeArtifact: rtContainer(rtImage2), RoleArn: aws.String(rtRole), NetworkConfiguration: rtPublic(),
	})
	requireCode(t, err, "ConflictException")
	advance("runtime", *id)
	advance("runtime-endpoint", *id+"/DEFAULT")
	ep, _ = c.GetAgentRuntimeEndpoint(ctx, &acc.GetAgentRuntimeEndpointInput{AgentRuntimeId: id, EndpointName: aws.String("DEFAULT")})
	if ep.Status != types.AgentRuntimeEndpointStatusReady || aws.ToString(ep.LiveVersion) != "2" {
		t.Fatalf("DEFAULT after update: %s live %s, want READY 2", ep.Status, aws.ToString(ep.LiveVersion))
	}
	prod, _ := c.GetAgentRuntimeEndpoint(ctx, &acc.GetAgentRuntimeEndpointInput{AgentRuntimeId: id, EndpointName: aws.String("prod")})
	if aws.ToString(prod.LiveVersion) != "1" {
		t.Fatalf("pinned endpoint moved to %s", aws.ToString(prod.LiveVersion))
	}

	// Each version keeps its own configuration.
	v1, err := c.GetAgentRuntime(ctx, &acc.GetAgentRuntimeInput{AgentRuntimeId: id, AgentRuntimeVersion: aws.String("1")})
	if err != nil {
		t.Fatal(err)
	}
	v2, err := c.GetAgentRuntime(ctx, &acc.GetAgentRuntimeInput{AgentRuntimeId: id})
	if err != nil {
		t.Fatal(err)
	}
	if v1.NetworkConfiguration.NetworkMode != types.NetworkModePublic || v2.NetworkConfiguration.NetworkMode != types.NetworkModeVpc {
		t.Fatalf("version configs mixed up: v1 %s v2 %s", v1.NetworkConfiguration.NetworkMode, v2.NetworkConfiguration.NetworkMode)
	}
	if aws.ToString(v2.Description) != "v2" || v1.Description != nil {
		t.Fatalf("descriptions v1 %v v2 %v", v1.Description, v2.Description)
	}
	_, err = c.GetAgentRuntime(ctx, &acc.GetAgentRuntimeInput{AgentRuntimeId: id, AgentRuntimeVersion: aws.String("9")})
	requireCode(t, err, "ResourceNotFoundException")
	versions, err := c.ListAgentRuntimeVersions(ctx, &acc.ListAgentRuntimeVersionsInput{AgentRuntimeId: id})
	if err != nil {
		t.Fatal(err)
	}
	var vs []string
	for _, v := range versions.AgentRuntimes {
		vs = append(vs, aws.ToString(v.AgentRuntimeVersion))
	}
	if !reflect.DeepEqual(vs, []string{"1", "2"}) {
		t.Fatalf("versions %v", vs)
	}
	// Listings show each entry as it is now (entries are stored beside the
	// documents and must follow every change).
	listed, err := c.ListAgentRuntimes(ctx, &acc.ListAgentRuntimesInput{})
	if err != nil {
		t.Fatal(err)
	}
	entries := map[string]types.AgentRuntime{"runtime": {}, "version 1": versions.AgentRuntimes[0], "version 2": versions.AgentRuntimes[1]}
	for _, e := range listed.AgentRuntimes {
		if aws.ToString(e.AgentRuntimeId) == aws.ToString(id) {
			entries["runtime"] = e
		}
	}
	for what, want := range map[string]*acc.GetAgentRuntimeOutput{"runtime": v2, "version 1": v1, "version 2": v2} {
		e := entries[what]
		if aws.ToString(e.AgentRuntimeVersion) != aws.ToString(want.AgentRuntimeVersion) || aws.ToString(e.Description) != aws.ToString(want.Description) ||
			e.Status != want.Status || !aws.ToTime(e.LastUpdatedAt).Equal(aws.ToTime(want.LastUpdatedAt)) || aws.ToString(e.AgentRuntimeName) != aws.ToString(want.AgentRuntimeName) {
			t.Fatalf("%s listed as version %s %q %s %v, read as version %s %q %s %v", what,
				aws.ToString(e.AgentRuntimeVersion), aws.ToString(e.Description), e.Status, aws.ToTime(e.LastUpdatedAt),
				aws.ToString(want.AgentRuntimeVersion), aws.ToString(want.Description), want.Status, aws.ToTime(want.LastUpdatedAt))
		}
	}

	// Move the pinned endpoint to version 2.
	upd, err := c.UpdateAgentRuntimeEndpoint(ctx, &acc.UpdateAgentRuntimeEndpointInput{AgentRuntimeId: id, EndpointName: aws.String("prod"), AgentRuntimeVersion: aws.String("2")})
	if err != nil {
		t.Fatal(err)
	}
	if upd.Status != types.AgentRuntimeEndpointStatusUpdating || aws.ToString(upd.TargetVersion) != "2" || aws.ToString(upd.LiveVersion) != "1" {
		t.Fatalf("endpoint update answered %s target %s live %s", upd.Status, aws.ToString(upd.TargetVersion), aws.ToString(upd.LiveVersion))
	}
	advance("runtime-endpoint", *id+"/prod")
	prod, _ = c.GetAgentRuntimeEndpoint(ctx, &acc.GetAgentRuntimeEndpointInput{AgentRuntimeId: id, EndpointName: aws.String("prod")})
	if aws.ToString(prod.LiveVersion) != "2" || prod.Status != types.AgentRuntimeEndpointStatusReady {
		t.Fatalf("prod after move: %s live %s", prod.Status, aws.ToString(prod.LiveVersion))
	}
	list, err := c.ListAgentRuntimeEndpoints(ctx, &acc.ListAgentRuntimeEndpointsInput{AgentRuntimeId: id})
	if err != nil || len(list.RuntimeEndpoints) != 2 || aws.ToString(list.RuntimeEndpoints[0].Name) != "DEFAULT" {
		t.Fatalf("endpoints %+v %v", list, err)
	}
}

func TestRuntimeEndpointRulesAndDelete(t *testing.T) {
	srv := testserver.Start(t, func(c *server.Config) { c.Quotas.EndpointsPerRuntime = 2 })
	c := srv.Client(t)
	ctx := context.Background()
	rt := rtCreate(t, c, "ep_rules")
	id := rt.AgentRuntimeId

	_, err := c.CreateAgentRuntimeEndpoint(ctx, &acc.CreateAgentRuntimeEndpointInput{AgentRuntimeId: id, Name: aws.String("DEFAULT")})
	requireCode(t, err, "ConflictException")
	_, err = c.DeleteAgentRuntimeEndpoint(ctx, &acc.DeleteAgentRuntimeEndpointInput{AgentRuntimeId: id, EndpointName: aws.String("DEFAULT")})
	requireCode(t, err, "ConflictException")
	_, err = c.CreateAgentRuntimeEndpoint(ctx, &acc.CreateAgentRuntimeEndpointInput{AgentRuntimeId: id, Name: aws.String("e1"), AgentRuntimeVersion: aws.String("7")})
	requireCode(t, err, "ResourceNotFoundException")
	for _, name := range []string{"e1", "e2"} {
		out, err := c.CreateAgentRuntimeEndpoint(ctx, &acc.CreateAgentRuntimeEndpointInput{AgentRuntimeId: id, Name: aws.String(name)})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(out.TargetVersion) != "1" {
			t.Fatalf("endpoint without version targets %s, want the latest (1)", aws.ToString(out.TargetVersion))
		}
	}
	_, err = c.CreateAgentRuntimeEndpoint(ctx, &acc.CreateAgentRuntimeEndpointInput{AgentRuntimeId: id, Name: aws.String("e1")})
	requireCode(t, err, "ConflictException")
	_, err = c.CreateAgentRuntimeEndpoint(ctx, &acc.CreateAgentRuntimeEndpointInput{AgentRuntimeId: id, Name: aws.String("e3")})
	requireCode(t, err, "ServiceQuotaExceededException")

	_, err = c.DeleteAgentRuntime(ctx, &acc.DeleteAgentRuntimeInput{AgentRuntimeId: id})
	requireCode(t, err, "ConflictException")
	for _, name := range []string{"e1", "e2"} {
		del, err := c.DeleteAgentRuntimeEndpoint(ctx, &acc.DeleteAgentRuntimeEndpointInput{AgentRuntimeId: id, EndpointName: aws.String(name)})
		if err != nil || del.Status != types.AgentRuntimeEndpointStatusDeleting {
			t.Fatalf("delete endpoint %s: %v %v", name, del, err)
		}
		_, err = c.GetAgentRuntimeEndpoint(ctx, &acc.GetAgentRuntimeEndpointInput{AgentRuntimeId: id, EndpointName: aws.String(name)})
		requireCode(t, err, "ResourceNotFoundException")
	}
	del, err := c.DeleteAgentRuntime(ctx, &acc.DeleteAgentRuntimeInput{AgentRuntimeId: id})
	if err != nil || del.Status != types.AgentRuntimeStatusDeleting {
		t.Fatalf("delete runtime: %v %v", del, err)
	}
	_, err = c.GetAgentRuntime(ctx, &acc.GetAgentRuntimeInput{AgentRuntimeId: id})
	requireCode(t, err, "ResourceNotFoundException")
	_, err = c.GetAgentRuntimeEndpoint(ctx, &acc.GetAgentRuntimeEndpointInput{AgentRuntimeId: id, EndpointName: aws.String("DEFAULT")})
	requireCode(t, err, "ResourceNotFoundException")
	_, err = c.GetWorkloadIdentity(ctx, &acc.GetWorkloadIdentityInput{Name: id})
	requireCode(t, err, "ResourceNotFoundException")
	_, err = c.ListTagsForResource(ctx, &acc.ListTagsForResourceInput{ResourceArn: rt.AgentRuntimeArn})
	requireCode(t, err, "ResourceNotFoundException")
	_, err = c.UpdateAgentRuntime(ctx, &acc.UpdateAgentRuntimeInput{AgentRuntimeId: id, AgentRuntimeArtifact: rtContainer(rtImage), RoleArn: aws.String(rtRole), NetworkConfiguration: rtPublic()})
	var nf *types.ResourceNotFoundException
	if !errors.As(err, &nf) || !strings.Contains(aws.ToString(nf.Message), "was not found") {
		t.Fatalf("update of a deleted runtime: %v", err)
	}
}

func TestRuntimeLinkedWorkloadIdentity(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client(t)
	ctx := context.Background()
	rt := rtCreate(t, c, "linked")
	wi, err := c.GetWorkloadIdentity(ctx, &acc.GetWorkloadIdentityInput{Name: rt.AgentRuntimeId})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(wi.WorkloadIdentityArn) != aws.ToString(rt.WorkloadIdentityDetails.WorkloadIdentityArn) {
		t.Fatalf("identity arn %s, runtime says %s", aws.ToString(wi.WorkloadIdentityArn), aws.ToString(rt.WorkloadIdentityDetails.WorkloadIdentityArn))
	}
	_, err = c.DeleteWorkloadIdentity(ctx, &acc.DeleteWorkloadIdentityInput{Name: rt.AgentRuntimeId})
	var ve *types.ValidationException
	if !errors.As(err, &ve) || !strings.Contains(aws.ToString(ve.Message), "linked to a service") {
		t.Fatalf("deleting a linked identity: %v", err)
	}
}

func TestWorkloadIdentityOperations(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client(t)
	ctx := context.Background()
	created, err := c.CreateWorkloadIdentity(ctx, &acc.CreateWorkloadIdentityInput{
		Name: aws.String("my-identity.v1"), AllowedResourceOauth2ReturnUrls: []string{"https://app.example.com/cb"},
		Tags: map[string]string{"owner": "me"},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := "arn:aws:bedrock-agentcore:us-east-1:123456789012:workload-identity-directory/default/workload-identity/my-identity.v1"
	if aws.ToString(created.WorkloadIdentityArn) != want {
		t.Fatalf("arn %s", aws.ToString(created.WorkloadIdentityArn))
	}
	_, err = c.CreateWorkloadIdentity(ctx, &acc.CreateWorkloadIdentityInput{Name: aws.String("my-identity.v1")})
	requireCode(t, err, "ConflictException")
	got, err := c.GetWorkloadIdentity(ctx, &acc.GetWorkloadIdentityInput{Name: aws.String("my-identity.v1")})
	if err != nil {
		t.Fatal(err)
	}
	if got.CreatedTime == nil || time.Since(*got.CreatedTime) > time.Minute || time.Since(*got.CreatedTime) < -time.Minute {
		t.Fatalf("createdTime %v", got.CreatedTime)
	}
	up, err := c.UpdateWorkloadIdentity(ctx, &acc.UpdateWorkloadIdentityInput{Name: aws.String("my-identity.v1"), AllowedResourceOauth2ReturnUrls: []string{"https://b.example.com/cb"}})
	if err != nil || !reflect.DeepEqual(up.AllowedResourceOauth2ReturnUrls, []string{"https://b.example.com/cb"}) {
		t.Fatalf("update: %+v %v", up, err)
	}
	tags, err := c.ListTagsForResource(ctx, &acc.ListTagsForResourceInput{ResourceArn: created.WorkloadIdentityArn})
	if err != nil || tags.Tags["owner"] != "me" {
		t.Fatalf("tags %v %v", tags, err)
	}
	for i := 0; i < 3; i++ {
		if _, err := c.CreateWorkloadIdentity(ctx, &acc.CreateWorkloadIdentityInput{Name: aws.String(fmt.Sprintf("wi-%d", i))}); err != nil {
			t.Fatal(err)
		}
	}
	var names []string
	p := acc.NewListWorkloadIdentitiesPaginator(c, &acc.ListWorkloadIdentitiesInput{MaxResults: aws.Int32(1)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(page.WorkloadIdentities) > 1 {
			t.Fatalf("page of %d with maxResults 1", len(page.WorkloadIdentities))
		}
		for _, w := range page.WorkloadIdentities {
			names = append(names, aws.ToString(w.Name))
		}
	}
	if !reflect.DeepEqual(names, []string{"my-identity.v1", "wi-0", "wi-1", "wi-2"}) {
		t.Fatalf("listed %v", names)
	}
	if _, err := c.DeleteWorkloadIdentity(ctx, &acc.DeleteWorkloadIdentityInput{Name: aws.String("my-identity.v1")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetWorkloadIdentity(ctx, &acc.GetWorkloadIdentityInput{Name: aws.String("my-identity.v1")})
	requireCode(t, err, "ResourceNotFoundException")
}

func TestRuntimeIdempotency(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client(t)
	ctx := context.Background()
	token := "token-0123456789-0123456789-0123456789"
	in := func(desc string) *acc.CreateAgentRuntimeInput {
		return &acc.CreateAgentRuntimeInput{
			AgentRuntimeName: aws.String("idem"), AgentRuntimeArtifact: rtContainer(rtImage), RoleArn: aws.String(rtRole),
			NetworkConfiguration: rtPublic(), Description: aws.String(desc), ClientToken: aws.String(token),
		}
	}
	first, err := c.CreateAgentRuntime(ctx, in("same"))
	if err != nil {
		t.Fatal(err)
	}
	again, err := c.CreateAgentRuntime(ctx, in("same"))
	if err != nil {
		t.Fatalf("replay: %v", err)
	}
	if aws.ToString(again.AgentRuntimeId) != aws.ToString(first.AgentRuntimeId) || again.Status != first.Status ||
		!again.CreatedAt.Equal(*first.CreatedAt) {
		t.Fatalf("replay answered %+v, first %+v", again, first)
	}
	_, err = c.CreateAgentRuntime(ctx, in("different"))
	if reason, _ := validationReason(err); reason != types.ValidationExceptionReasonIdempotentParameterMismatchException {
		t.Fatalf("mismatch: %v", err)
	}
	// A token shorter than the model's 33 characters is invalid.
	short := in("same")
	short.ClientToken = aws.String("short")
	_, err = c.CreateAgentRuntime(ctx, short)
	requireCode(t, err, "ValidationException")

	// Concurrent retries with one token create one resource.
	token2 := "token-concurrent-0123456789-0123456789"
	ids := make([]string, 8)
	var wg sync.WaitGroup
	for i := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out, err := c.CreateAgentRuntime(ctx, &acc.CreateAgentRuntimeInput{
				AgentRuntimeName: aws.String("idem_concurrent"), AgentRuntimeArtifact: rtContainer(rtImage), RoleArn: aws.String(rtRole),
				NetworkConfiguration: rtPublic(), ClientToken: aws.String(token2),
			})
			if err != nil {
				t.Errorf("concurrent retry %d: %v", i, err)
				return
			}
			ids[i] = aws.ToString(out.AgentRuntimeId)
		}()
	}
	wg.Wait()
	for _, id := range ids {
		if id != ids[0] {
			t.Fatalf("concurrent retries got different ids: %v", ids)
		}
	}
	list, _ := c.ListAgentRuntimes(ctx, &acc.ListAgentRuntimesInput{})
	if len(list.AgentRuntimes) != 2 {
		t.Fatalf("%d runtimes exist, want 2", len(list.AgentRuntimes))
	}

	// Delete replays too, with the token in the query string.
	delToken := "token-delete-0123456789-0123456789-01"
	for i := 0; i < 2; i++ {
		out, err := c.DeleteAgentRuntime(ctx, &acc.DeleteAgentRuntimeInput{AgentRuntimeId: first.AgentRuntimeId, ClientToken: aws.String(delToken)})
		if err != nil || out.Status != types.AgentRuntimeStatusDeleting {
			t.Fatalf("delete attempt %d: %v %v", i, out, err)
		}
	}
}

func TestRuntimeConcurrentCreatesOfOneName(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	codes := make([]string, 8)
	for i := range codes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := c.CreateAgentRuntime(ctx, &acc.CreateAgentRuntimeInput{
				AgentRuntimeName: aws.String("racer"), AgentRuntimeArtifact: rtContainer(rtImage), RoleArn: aws.String(rtRole),
				NetworkConfiguration: rtPublic(),
			})
			codes[i] = errCode(err)
		}()
	}
	wg.Wait()
	sort.Strings(codes)
	want := []string{"", "ConflictException", "ConflictException", "ConflictException", "ConflictException", "ConflictException", "ConflictException", "ConflictException"}
	if !reflect.DeepEqual(codes, want) {
		t.Fatalf("results %v, want one success and seven ConflictException", codes)
	}
}

func TestRuntimeQuota(t *testing.T) {
	srv := testserver.Start(t, func(c *server.Config) { c.Quotas.RuntimesPerAccount = 2 })
	c := srv.Client(t)
	rtCreate(t, c, "q1")
	rtCreate(t, c, "q2")
	_, err := c.CreateAgentRuntime(context.Background(), &acc.CreateAgentRuntimeInput{
		AgentRuntimeName: aws.String("q3"), AgentRuntimeArtifact: rtContainer(rtImage), RoleArn: aws.String(rtRole), NetworkConfiguration: rtPublic(),
	})
	requireCode(t, err, "ServiceQuotaExceededException")
}

func TestRuntimeVersionQuota(t *testing.T) {
	srv := testserver.Start(t, func(c *server.Config) { c.Quotas.VersionsPerRuntime = 2 })
	c := srv.Client(t)
	rt := rtCreate(t, c, "vq")
	// A fresh input each time: the SDK writes its generated clientToken into
	// the input, and reusing it would (rightly) replay the first answer.
	up := func() *acc.UpdateAgentRuntimeInput {
		return &acc.UpdateAgentRuntimeInput{AgentRuntimeId: rt.AgentRuntimeId, AgentRuntimeArtifact: rtContainer(rtImage2), RoleArn: aws.String(rtRole), NetworkConfiguration: rtPublic()}
	}
	if _, err := c.UpdateAgentRuntime(context.Background(), up()); err != nil {
		t.Fatal(err)
	}
	_, err := c.UpdateAgentRuntime(context.Background(), up())
	requireCode(t, err, "ServiceQuotaExceededException")
}

func TestRuntimePagination(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client(t)
	ctx := context.Background()
	want := map[string]bool{}
	for i := 0; i < 5; i++ {
		want[aws.ToString(rtCreate(t, c, fmt.Sprintf("page_%d", i)).AgentRuntimeId)] = true
	}
	// Creates that land while we page must not cause duplicates or gaps
	// among the runtimes that existed before.
	seen := map[string]int{}
	var token *string
	for pages := 0; ; pages++ {
		out, err := c.ListAgentRuntimes(ctx, &acc.ListAgentRuntimesInput{MaxResults: aws.Int32(1), NextToken: token})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.AgentRuntimes) > 1 {
			t.Fatalf("page of %d", len(out.AgentRuntimes))
		}
		for _, r := range out.AgentRuntimes {
			seen[aws.ToString(r.AgentRuntimeId)]++
		}
		if pages == 1 {
			rtCreate(t, c, "page_late")
		}
		if out.NextToken == nil {
			break
		}
		if aws.ToString(out.NextToken) == "" {
			t.Fatal("empty-string nextToken")
		}
		token = out.NextToken
	}
	for id := range want {
		if seen[id] != 1 {
			t.Fatalf("runtime %s listed %d times (%v)", id, seen[id], seen)
		}
	}
	for id, n := range seen {
		if n != 1 {
			t.Fatalf("runtime %s listed %d times", id, n)
		}
	}
	_, err := c.ListAgentRuntimes(ctx, &acc.ListAgentRuntimesInput{NextToken: aws.String("forged-token")})
	requireCode(t, err, "ValidationException")
	_, err = c.ListAgentRuntimes(ctx, &acc.ListAgentRuntimesInput{MaxResults: aws.Int32(101)})
	requireCode(t, err, "ValidationException")
}

func TestRuntimeInjectedFailures(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client(t)
	ctx := context.Background()
	failNext(t, srv.URL, "CreateAgentRuntime", "image pull failed")
	rt := rtCreate(t, c, "doomed")
	got, err := c.GetAgentRuntime(ctx, &acc.GetAgentRuntimeInput{AgentRuntimeId: rt.AgentRuntimeId})
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != types.AgentRuntimeStatusCreateFailed || aws.ToString(got.FailureReason) != "image pull failed" {
		t.Fatalf("status %s reason %q", got.Status, aws.ToString(got.FailureReason))
	}
	// The rule was used up: the next create succeeds, and an update can fail too.
	ok := rtCreate(t, c, "fine")
	failNext(t, srv.URL, "UpdateAgentRuntime", "bad image")
	if _, err := c.UpdateAgentRuntime(ctx, &acc.UpdateAgentRuntimeInput{AgentRuntimeId: ok.AgentRuntimeId, AgentRuntimeArtifact: rtContainer(rtImage2), RoleArn: aws.String(rtRole), NetworkConfiguration: rtPublic()}); err != nil {
		t.Fatal(err)
	}
	got, _ = c.GetAgentRuntime(ctx, &acc.GetAgentRuntimeInput{AgentRuntimeId: ok.AgentRuntimeId})
	if got.Status != types.AgentRuntimeStatusUpdateFailed || aws.ToString(got.FailureReason) != "bad image" {
		t.Fatalf("after failed update: %s %q", got.Status, aws.ToString(got.FailureReason))
	}
	// An error rule answers the modeled error directly.
	addFault(t, srv.URL, map[string]any{"operation": "ListAgentRuntimes", "action": "error", "errorCode": "ThrottlingException", "message": "Rate exceeded", "count": 1})
	_, err = c.ListAgentRuntimes(ctx, &acc.ListAgentRuntimesInput{})
	requireCode(t, err, "ThrottlingException")
}

func TestRuntimeTimedLifecycleSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	timed := func(delay time.Duration) testserver.Options {
		return func(c *server.Config) { c.DataDir = dir; c.Lifecycle = "timed"; c.LifecycleDelay = delay }
	}
	first := testserver.Start(t, timed(time.Hour))
	rt := rtCreate(t, first.Client(t), "restarted")
	id := aws.ToString(rt.AgentRuntimeId)
	got, err := first.Client(t).GetAgentRuntime(context.Background(), &acc.GetAgentRuntimeInput{AgentRuntimeId: rt.AgentRuntimeId})
	if err != nil || got.Status != types.AgentRuntimeStatusCreating {
		t.Fatalf("before restart: %v %v", got, err)
	}
	first.Stop()
	first.Store.Close()

	// The restarted instance finds both pending jobs in the store: advancing
	// them reports they were there.
	second := testserver.Start(t, timed(10*time.Millisecond))
	for _, job := range [][2]string{{"runtime", id}, {"runtime-endpoint", id + "/DEFAULT"}} {
		body := adminOK(t, http.MethodPost, second.URL+"/_agentcored/lifecycle/advance", fmt.Sprintf(`{"kind":%q,"id":%q}`, job[0], job[1]))
		if !strings.Contains(body, `"advanced":true`) {
			t.Fatalf("job %v did not survive the restart: %s", job, body)
		}
	}
	got, err = second.Client(t).GetAgentRuntime(context.Background(), &acc.GetAgentRuntimeInput{AgentRuntimeId: rt.AgentRuntimeId})
	if err != nil || got.Status != types.AgentRuntimeStatusReady {
		t.Fatalf("after restart and advance: %v %v", got, err)
	}
	second.Stop()
	second.Store.Close()

	// A job that falls due after the restart completes by itself.
	third := testserver.Start(t, timed(500*time.Millisecond))
	rt2 := rtCreate(t, third.Client(t), "restarted_again")
	third.Stop()
	third.Store.Close()
	fourth := testserver.Start(t, timed(time.Hour))
	rtWaitReady(t, fourth.Client(t), rt2.AgentRuntimeId)
}

// rtWaitReady polls, as SDK waiters do, until the runtime and its DEFAULT
// endpoint are READY.
func rtWaitReady(t *testing.T, c *acc.Client, id *string) {
	t.Helper()
	eventually(t, "runtime and DEFAULT endpoint READY", func() (bool, error) {
		ep, err := c.GetAgentRuntimeEndpoint(context.Background(), &acc.GetAgentRuntimeEndpointInput{AgentRuntimeId: id, EndpointName: aws.String("DEFAULT")})
		if err != nil {
			return false, err
		}
		got, err := c.GetAgentRuntime(context.Background(), &acc.GetAgentRuntimeInput{AgentRuntimeId: id})
		if err != nil {
			return false, err
		}
		return got.Status == types.AgentRuntimeStatusReady && ep.Status == types.AgentRuntimeEndpointStatusReady, nil
	})
}

func TestRuntimeTimedLifecycleReachesReady(t *testing.T) {
	srv := testserver.Start(t, func(c *server.Config) { c.Lifecycle = "timed"; c.LifecycleDelay = 100 * time.Millisecond })
	c := srv.Client(t)
	rt := rtCreate(t, c, "timed")
	rtWaitReady(t, c, rt.AgentRuntimeId)
}

// TestRuntimeCreateSettledMatchesReconciled: under the immediate lifecycle
// a create writes the end state directly (runtime, version 1, DEFAULT
// endpoint); it must be what the reconcilers produce when the same create
// is advanced later, with and without an injected failure.
func TestRuntimeCreateSettledMatchesReconciled(t *testing.T) {
	immediate := testserver.Start(t)
	manual := testserver.Start(t, func(c *server.Config) { c.Lifecycle = "manual" })
	ctx := context.Background()
	state := func(srv *testserver.Server, failure string) string {
		c := srv.Client(t)
		if failure != "" {
			failNext(t, srv.URL, "CreateAgentRuntime", failure)
		}
		rt := rtCreate(t, c, "settled_"+strings.ReplaceAll(failure, " ", "_"))
		advanceAll(t, srv.URL)
		got, err := c.GetAgentRuntime(ctx, &acc.GetAgentRuntimeInput{AgentRuntimeId: rt.AgentRuntimeId})
		if err != nil {
			t.Fatal(err)
		}
		v1, err := c.GetAgentRuntime(ctx, &acc.GetAgentRuntimeInput{AgentRuntimeId: rt.AgentRuntimeId, AgentRuntimeVersion: aws.String("1")})
		if err != nil {
			t.Fatal(err)
		}
		ep, err := c.GetAgentRuntimeEndpoint(ctx, &acc.GetAgentRuntimeEndpointInput{AgentRuntimeId: rt.AgentRuntimeId, EndpointName: aws.String("DEFAULT")})
		if err != nil {
			t.Fatal(err)
		}
		return fmt.Sprintf("runtime %s %q v%s; version 1 %s %q; DEFAULT %s %q live %s target %s",
			got.Status, aws.ToString(got.FailureReason), aws.ToString(got.AgentRuntimeVersion),
			v1.Status, aws.ToString(v1.FailureReason),
			ep.Status, aws.ToString(ep.FailureReason), aws.ToString(ep.LiveVersion), aws.ToString(ep.TargetVersion))
	}
	for _, failure := range []string{"", "image pull failed"} {
		settled, reconciled := state(immediate, failure), state(manual, failure)
		if settled != reconciled {
			t.Errorf("failure %q:\nsettled:    %s\nreconciled: %s", failure, settled, reconciled)
		}
		t.Log(settled)
	}
}
