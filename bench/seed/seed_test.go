package seed

import (
	"context"
	"testing"

	"agentcored/internal/api"
	"agentcored/internal/reqctx"
	"agentcored/internal/service"
	"agentcored/internal/store"
)

// TestSeededRuntimesWorkThroughTheService: the cloned rows are whole
// runtimes to the service: listed, read, updated (DEFAULT follows) and
// deleted with everything that belongs to them.
func TestSeededRuntimesWorkThroughTheService(t *testing.T) {
	ctx := context.Background()
	st, err := store.OpenSQLite(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	const n = 30
	if err := Runtimes(ctx, st, n, "123456789012", "us-east-1"); err != nil {
		t.Fatal(err)
	}
	svc, err := service.New(ctx, st, service.Options{})
	if err != nil {
		t.Fatal(err)
	}
	rctx := func(op string) context.Context {
		return reqctx.With(ctx, &reqctx.Info{Account: "123456789012", Region: "us-east-1", Operation: op})
	}
	list, err := svc.ListAgentRuntimes(rctx("ListAgentRuntimes"), &api.ListAgentRuntimesRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.AgentRuntimes) != n {
		t.Fatalf("listed %d runtimes, want %d", len(list.AgentRuntimes), n)
	}
	ids, names := map[string]bool{}, map[string]bool{}
	for _, r := range list.AgentRuntimes {
		if ids[r.AgentRuntimeId] || names[r.AgentRuntimeName] {
			t.Fatalf("duplicate id or name: %+v", r)
		}
		ids[r.AgentRuntimeId], names[r.AgentRuntimeName] = true, true
		got, err := svc.GetAgentRuntime(rctx("GetAgentRuntime"), &api.GetAgentRuntimeRequest{AgentRuntimeId: r.AgentRuntimeId})
		if err != nil {
			t.Fatal(err)
		}
		if got.AgentRuntimeName != r.AgentRuntimeName || got.Status != api.AgentRuntimeStatusReady ||
			got.WorkloadIdentityDetails == nil || got.AgentRuntimeArn != r.AgentRuntimeArn {
			t.Fatalf("runtime %s reads back as %+v", r.AgentRuntimeId, got)
		}
	}

	id := list.AgentRuntimes[n/2].AgentRuntimeId
	_, err = svc.UpdateAgentRuntime(rctx("UpdateAgentRuntime"), &api.UpdateAgentRuntimeRequest{
		AgentRuntimeId: id, RoleArn: Role,
		AgentRuntimeArtifact: &api.AgentRuntimeArtifact{ContainerConfiguration: &api.ContainerConfiguration{ContainerUri: Image}},
		NetworkConfiguration: &api.NetworkConfiguration{NetworkMode: api.NetworkModePublic},
	})
	if err != nil {
		t.Fatalf("update a seeded runtime: %v", err)
	}
	ep, err := svc.GetAgentRuntimeEndpoint(rctx("GetAgentRuntimeEndpoint"), &api.GetAgentRuntimeEndpointRequest{AgentRuntimeId: id, EndpointName: "DEFAULT"})
	if err != nil {
		t.Fatal(err)
	}
	if ep.LiveVersion != "2" {
		t.Errorf("DEFAULT serves version %q after the update, want 2", ep.LiveVersion)
	}
	if _, err := svc.DeleteAgentRuntime(rctx("DeleteAgentRuntime"), &api.DeleteAgentRuntimeRequest{AgentRuntimeId: id}); err != nil {
		t.Fatalf("delete a seeded runtime: %v", err)
	}
	if _, err := svc.GetAgentRuntime(rctx("GetAgentRuntime"), &api.GetAgentRuntimeRequest{AgentRuntimeId: id}); err == nil {
		t.Fatal("deleted runtime still there")
	}
	if _, err := svc.GetWorkloadIdentity(rctx("GetWorkloadIdentity"), &api.GetWorkloadIdentityRequest{Name: id}); err == nil {
		t.Fatal("the deleted runtime's workload identity is still there")
	}
}
