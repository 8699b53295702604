package e2e

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	acc "github.com/aws/aws-sdk-go-v2/service/bedrockagentcorecontrol"
	"github.com/aws/aws-sdk-go-v2/service/bedrockagentcorecontrol/types"

	"agentcored/internal/testserver"
)

// Capacity-provider tests use the "cp" prefix.

const (
	cpRole = "arn:aws:iam::123456789012:role/CapacityOperator"
	cpID   = "cp_x-abcdefghij"
)

var cpIDRe = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9_]{0,47}-[a-zA-Z0-9]{10}$`)

// cpInput is a minimal model-valid CreateCapacityProvider request.
func cpInput(name string) *acc.CreateCapacityProviderInput {
	return &acc.CreateCapacityProviderInput{
		Name:                     aws.String(name),
		PermissionsConfiguration: &types.PermissionsConfiguration{CapacityProviderOperatorRoleArn: aws.String(cpRole)},
		ComputeConfiguration: &types.ComputeConfigurationMemberEc2Configuration{Value: types.Ec2Configuration{
			LaunchTemplateSource: &types.LaunchTemplateSourceMemberLaunchParameters{Value: types.LaunchParameters{
				OperatingSystem:      types.OperatingSystemLinuxArm64,
				InstanceRequirements: &types.InstanceRequirements{AllowedInstanceTypes: []string{"m7g.large", "m7g.xlarge"}},
			}},
			VpcConfiguration: &types.VpcConfiguration{Subnets: []string{"subnet-0123456789abcdef0"}, SecurityGroups: []string{"sg-0123456789abcdef0"}},
		}},
	}
}

func cpCreate(t *testing.T, c *acc.Client, name string) *acc.CreateCapacityProviderOutput {
	t.Helper()
	out, err := c.CreateCapacityProvider(context.Background(), cpInput(name))
	if err != nil {
		t.Fatalf("CreateCapacityProvider %s: %v", name, err)
	}
	return out
}

func cpGet(t *testing.T, c *acc.Client, id *string) *acc.GetCapacityProviderOutput {
	t.Helper()
	out, err := c.GetCapacityProvider(context.Background(), &acc.GetCapacityProviderInput{CapacityProviderId: id})
	if err != nil {
		t.Fatalf("GetCapacityProvider %s: %v", aws.ToString(id), err)
	}
	return out
}

func TestCapacityProviderLifecycle(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client(t)
	ctx := context.Background()

	in := cpInput("pool_a")
	in.Description = aws.String("first")
	in.Tags = map[string]string{"team": "infra"}
	created, err := c.CreateCapacityProvider(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	if code := httpStatus(t, created.ResultMetadata); code != http.StatusAccepted {
		t.Errorf("create: HTTP %d, want 202", code)
	}
	id := created.CapacityProviderId
	if !cpIDRe.MatchString(aws.ToString(id)) || !strings.HasSuffix(aws.ToString(created.CapacityProviderArn), ":capacity-provider/"+aws.ToString(id)) ||
		aws.ToString(created.Name) != "pool_a" || created.Status != types.CapacityProviderStatusCreating {
		t.Errorf("create answered %+v", created)
	}
	_, err = c.CreateCapacityProvider(ctx, cpInput("pool_a"))
	wantCode(t, "same name", err, "ConflictException")

	got := cpGet(t, c, id)
	ec2, ok := got.ComputeConfiguration.(*types.ComputeConfigurationMemberEc2Configuration)
	if got.Status != types.CapacityProviderStatusReady || aws.ToString(got.Description) != "first" || !ok ||
		aws.ToString(got.PermissionsConfiguration.CapacityProviderOperatorRoleArn) != cpRole || got.CreatedAt == nil || got.LastUpdatedAt == nil {
		t.Fatalf("get answered %+v", got)
	}
	if lp, ok := ec2.Value.LaunchTemplateSource.(*types.LaunchTemplateSourceMemberLaunchParameters); !ok ||
		lp.Value.OperatingSystem != types.OperatingSystemLinuxArm64 || len(lp.Value.InstanceRequirements.AllowedInstanceTypes) != 2 ||
		ec2.Value.VpcConfiguration.Subnets[0] != "subnet-0123456789abcdef0" {
		t.Errorf("computeConfiguration did not round-trip: %+v", ec2.Value)
	}
	tags, err := c.ListTagsForResource(ctx, &acc.ListTagsForResourceInput{ResourceArn: created.CapacityProviderArn})
	if err != nil || tags.Tags["team"] != "infra" {
		t.Errorf("tags: %v, %v", tags, err)
	}

	// Update: the wrapper sets the description, its absence keeps it, the
	// wrapper without a value clears it.
	for _, step := range []struct {
		desc *types.UpdatedDescription
		want string
	}{
		{&types.UpdatedDescription{OptionalValue: aws.String("second")}, "second"},
		{nil, "second"},
		{&types.UpdatedDescription{}, ""},
	} {
		up, err := c.UpdateCapacityProvider(ctx, &acc.UpdateCapacityProviderInput{CapacityProviderId: id, Description: step.desc})
		if err != nil {
			t.Fatal(err)
		}
		if code := httpStatus(t, up.ResultMetadata); code != http.StatusAccepted || up.Status != types.CapacityProviderStatusUpdating || up.CreatedAt == nil {
			t.Errorf("update: HTTP %d, %+v; want 202 UPDATING", code, up)
		}
		if got := cpGet(t, c, id); got.Status != types.CapacityProviderStatusReady || aws.ToString(got.Description) != step.want {
			t.Errorf("after update: %s %q, want READY %q", got.Status, aws.ToString(got.Description), step.want)
		}
	}

	// Listing: creation order, one a page; the entry's lastUpdatedAt is the
	// provider's (epoch seconds on the wire, milliseconds kept).
	second := cpCreate(t, c, "pool_b")
	var names []string
	var token *string
	for {
		page, err := c.ListCapacityProviders(ctx, &acc.ListCapacityProvidersInput{MaxResults: aws.Int32(1), NextToken: token})
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range page.CapacityProviders {
			names = append(names, aws.ToString(s.Name))
			if g := cpGet(t, c, s.CapacityProviderId); s.LastUpdatedAt == nil || !s.LastUpdatedAt.Equal(*g.LastUpdatedAt) ||
				aws.ToString(s.CapacityProviderArn) != aws.ToString(g.CapacityProviderArn) || s.Status != g.Status {
				t.Errorf("summary %+v does not match the provider %+v", s, g)
			}
		}
		if token = page.NextToken; token == nil {
			break
		}
	}
	if strings.Join(names, ",") != "pool_a,pool_b" {
		t.Errorf("listed %q, want pool_a, pool_b", names)
	}

	del, err := c.DeleteCapacityProvider(ctx, &acc.DeleteCapacityProviderInput{CapacityProviderId: second.CapacityProviderId})
	if err != nil {
		t.Fatal(err)
	}
	if code := httpStatus(t, del.ResultMetadata); code != http.StatusAccepted || del.Status != types.CapacityProviderStatusDeleting {
		t.Errorf("delete: HTTP %d, %+v; want 202 DELETING", code, del)
	}
	_, err = c.GetCapacityProvider(ctx, &acc.GetCapacityProviderInput{CapacityProviderId: second.CapacityProviderId})
	wantCode(t, "get after delete", err, "ResourceNotFoundException")
}

// TestCapacityProviderInUseByRuntime: a runtime created on a provider is
// listed with it, and the provider cannot be deleted until the runtime is;
// a runtime cannot name a provider that does not exist.
func TestCapacityProviderInUseByRuntime(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client(t)
	ctx := context.Background()
	cp := cpCreate(t, c, "pool")
	onPool := func(name, arn string) (*acc.CreateAgentRuntimeOutput, error) {
		return c.CreateAgentRuntime(ctx, &acc.CreateAgentRuntimeInput{
			AgentRuntimeName: aws.String(name), AgentRuntimeArtifact: rtContainer(rtImage), RoleArn: aws.String(rtRole),
			CapacityProviderConfiguration: &types.CapacityProviderConfiguration{CapacityProviderArn: aws.String(arn)}})
	}
	_, err := onPool("nowhere", strings.Replace(aws.ToString(cp.CapacityProviderArn), "pool-", "gone-", 1))
	wantCode(t, "runtime on an unknown provider", err, "ResourceNotFoundException")
	rt, err := onPool("on_pool", aws.ToString(cp.CapacityProviderArn))
	if err != nil {
		t.Fatal(err)
	}
	rtWaitReady(t, c, rt.AgentRuntimeId)
	got, err := c.GetAgentRuntime(ctx, &acc.GetAgentRuntimeInput{AgentRuntimeId: rt.AgentRuntimeId})
	if err != nil || got.CapacityProviderConfiguration == nil || aws.ToString(got.CapacityProviderConfiguration.CapacityProviderArn) != aws.ToString(cp.CapacityProviderArn) {
		t.Fatalf("runtime's capacity provider: %+v %v", got, err)
	}

	out, err := c.ListAgentRuntimeVersionsByCapacityProvider(ctx, &acc.ListAgentRuntimeVersionsByCapacityProviderInput{CapacityProviderId: cp.CapacityProviderId})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.AgentRuntimes) != 1 || aws.ToString(out.AgentRuntimes[0].AgentRuntimeArn) != aws.ToString(rt.AgentRuntimeArn) ||
		aws.ToString(out.AgentRuntimes[0].AgentRuntimeVersion) != "1" || out.AgentRuntimes[0].Status != types.AgentRuntimeStatusReady {
		t.Fatalf("versions on the provider: %+v", out.AgentRuntimes)
	}

	_, err = c.DeleteCapacityProvider(ctx, &acc.DeleteCapacityProviderInput{CapacityProviderId: cp.CapacityProviderId})
	wantCode(t, "delete in use", err, "ConflictException")
	if st := errStatus(err); st != http.StatusConflict {
		t.Errorf("delete in use: HTTP %d, want 409", st)
	}
	if got := cpGet(t, c, cp.CapacityProviderId); got.Status != types.CapacityProviderStatusReady {
		t.Errorf("after the refused delete: %s, want READY", got.Status)
	}

	if _, err := c.DeleteAgentRuntime(ctx, &acc.DeleteAgentRuntimeInput{AgentRuntimeId: rt.AgentRuntimeId}); err != nil {
		t.Fatal(err)
	}
	eventuallyGone(t, "runtime deleted", func() (types.AgentRuntimeStatus, error) {
		g, err := c.GetAgentRuntime(ctx, &acc.GetAgentRuntimeInput{AgentRuntimeId: rt.AgentRuntimeId})
		if err != nil {
			return "", err
		}
		return g.Status, nil
	}, types.AgentRuntimeStatusDeleting)
	out, err = c.ListAgentRuntimeVersionsByCapacityProvider(ctx, &acc.ListAgentRuntimeVersionsByCapacityProviderInput{CapacityProviderId: cp.CapacityProviderId})
	if err != nil || len(out.AgentRuntimes) != 0 {
		t.Fatalf("versions after the runtime's delete: %+v, %v; want none", out, err)
	}
	if _, err := c.DeleteCapacityProvider(ctx, &acc.DeleteCapacityProviderInput{CapacityProviderId: cp.CapacityProviderId}); err != nil {
		t.Errorf("delete once unused: %v", err)
	}
}
