package e2e

import (
	"context"
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	acc "github.com/aws/aws-sdk-go-v2/service/bedrockagentcorecontrol"
	"github.com/aws/aws-sdk-go-v2/service/bedrockagentcorecontrol/types"

	"agentcored/internal/store"
	"agentcored/internal/testserver"
)

// Capacity-provider tests use the "cp" prefix.

const (
	cpRole = "arn:aws:iam::123456789012:role/CapacityOperator"
	cpID   = "cp_x-abcdefghij"
)

var cpIDRe = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9_]{0,47}-[a-zA-Z0-9]{10}$`)

// The capacity-provider operations' entries of TestAllOperations' table.
func init() {
	opsTable["CreateCapacityProvider"] = func(ctx context.Context, c *acc.Client) error {
		_, err := c.CreateCapacityProvider(ctx, cpInput("cp_all"))
		return err
	}
	opsTable["GetCapacityProvider"] = func(ctx context.Context, c *acc.Client) error {
		_, err := c.GetCapacityProvider(ctx, &acc.GetCapacityProviderInput{CapacityProviderId: opsStr(cpID)})
		return err
	}
	opsTable["UpdateCapacityProvider"] = func(ctx context.Context, c *acc.Client) error {
		_, err := c.UpdateCapacityProvider(ctx, &acc.UpdateCapacityProviderInput{CapacityProviderId: opsStr(cpID)})
		return err
	}
	opsTable["DeleteCapacityProvider"] = func(ctx context.Context, c *acc.Client) error {
		_, err := c.DeleteCapacityProvider(ctx, &acc.DeleteCapacityProviderInput{CapacityProviderId: opsStr(cpID)})
		return err
	}
	opsTable["ListCapacityProviders"] = func(ctx context.Context, c *acc.Client) error {
		_, err := c.ListCapacityProviders(ctx, &acc.ListCapacityProvidersInput{})
		return err
	}
	opsTable["ListAgentRuntimeVersionsByCapacityProvider"] = func(ctx context.Context, c *acc.Client) error {
		_, err := c.ListAgentRuntimeVersionsByCapacityProvider(ctx, &acc.ListAgentRuntimeVersionsByCapacityProviderInput{CapacityProviderId: opsStr(cpID)})
		return err
	}
}

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

// TestCapacityProviderInUseByRuntime: a provider named by a runtime version
// is listed with it and cannot be deleted until the runtime is. No runtime
// operation takes a capacityProviderConfiguration into its record yet, so
// the test writes it into the runtime-version row's document itself.
func TestCapacityProviderInUseByRuntime(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client(t)
	ctx := context.Background()
	cp := cpCreate(t, c, "pool")
	rt := rtCreate(t, c, "on_pool")
	rtWaitReady(t, c, rt.AgentRuntimeId)
	cpUseFromVersions(t, srv.Store, aws.ToString(rt.AgentRuntimeId), aws.ToString(cp.CapacityProviderArn))

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

// cpUseFromVersions puts capacityProviderConfiguration {arn} into the
// documents of every version row of the runtime, as the runtime family
// will once it takes the member.
func cpUseFromVersions(t *testing.T, st store.Store, runtimeID, arn string) {
	t.Helper()
	err := st.Write(context.Background(), func(tx store.Tx) error {
		rows, err := tx.ListAll(context.Background())
		if err != nil {
			return err
		}
		n := 0
		for _, r := range rows {
			if r.Kind != "runtime-version" || r.ParentID != runtimeID {
				continue
			}
			var doc map[string]any
			if err := json.Unmarshal(r.Doc, &doc); err != nil {
				return err
			}
			doc["capacityProviderConfiguration"] = map[string]any{"capacityProviderArn": arn}
			if r.Doc, err = json.Marshal(doc); err != nil {
				return err
			}
			if err := tx.Update(context.Background(), r); err != nil {
				return err
			}
			n++
		}
		if n == 0 {
			t.Errorf("runtime %s has no version rows", runtimeID)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
