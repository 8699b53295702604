package service

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"agentcored/internal/api"
	"agentcored/internal/awserr"
	"agentcored/internal/lifecycle"
	"agentcored/internal/store"
)

// The e2e tests drive runtimes through the SDK; these pin what they do not
// look at: the exact error messages, the members of the endpoint answers,
// and where an injected failure of an update ends.

// runtimeService is the engine tests' service with the runtimes' lifecycle
// policy and, unless zero, the quotas given.
func runtimeService(t *testing.T, policy lifecycle.Policy, quotas Quotas) *Service {
	t.Helper()
	s, _ := widgetService(t)
	if quotas != (Quotas{}) {
		s.quotas = quotas
	}
	if err := s.lifecycle.SetPolicy(familyRuntimes, lifecycle.PolicySetting{Policy: policy}); err != nil {
		t.Fatal(err)
	}
	return s
}

// errOf keeps the error of a call.
func errOf[T any](_ T, err error) error { return err }

func newRuntime(t *testing.T, s *Service, name string) *api.CreateAgentRuntimeResponse {
	t.Helper()
	out, err := s.CreateAgentRuntime(call("CreateAgentRuntime", ""), runtimeRequest(name))
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func runtimeRequest(name string) *api.CreateAgentRuntimeRequest {
	return &api.CreateAgentRuntimeRequest{
		AgentRuntimeName:     name,
		AgentRuntimeArtifact: &api.AgentRuntimeArtifact{ContainerConfiguration: &api.ContainerConfiguration{ContainerUri: "img"}},
		RoleArn:              "arn:aws:iam::123456789012:role/R", NetworkConfiguration: &api.NetworkConfiguration{NetworkMode: api.NetworkModePublic},
	}
}

func runtimeUpdate(id string) *api.UpdateAgentRuntimeRequest {
	return &api.UpdateAgentRuntimeRequest{
		AgentRuntimeId:       id,
		AgentRuntimeArtifact: &api.AgentRuntimeArtifact{ContainerConfiguration: &api.ContainerConfiguration{ContainerUri: "img2"}},
		RoleArn:              "arn:aws:iam::123456789012:role/R", NetworkConfiguration: &api.NetworkConfiguration{NetworkMode: api.NetworkModePublic},
	}
}

func errorText(err error) string {
	var ae *awserr.Error
	if errors.As(err, &ae) {
		return ae.Code + ": " + ae.Message
	}
	if err != nil {
		return "unexpected: " + err.Error()
	}
	return ""
}

func TestRuntimeErrorMessages(t *testing.T) {
	q := DefaultQuotas
	q.RuntimesPerAccount, q.VersionsPerRuntime, q.EndpointsPerRuntime, q.IdentitiesPerAccount = 2, 2, 1, 4
	s := runtimeService(t, lifecycle.PolicyManual, q)
	a := newRuntime(t, s, "a").AgentRuntimeId
	b := newRuntime(t, s, "b").AgentRuntimeId
	advanceRow(t, s, kindRuntime, b)
	if _, err := s.CreateAgentRuntimeEndpoint(call("CreateAgentRuntimeEndpoint", ""), &api.CreateAgentRuntimeEndpointRequest{AgentRuntimeId: a, Name: "prod"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateWorkloadIdentity(call("CreateWorkloadIdentity", ""), &api.CreateWorkloadIdentityRequest{Name: "wi"}); err != nil {
		t.Fatal(err)
	}
	missing := "nope-0123456789"
	tests := []struct {
		name string
		call func() error
		want string
	}{
		{"get a missing runtime", func() error {
			return errOf(s.GetAgentRuntime(call("GetAgentRuntime", ""), &api.GetAgentRuntimeRequest{AgentRuntimeId: missing}))
		}, "ResourceNotFoundException: Agent 'nope-0123456789' was not found. Please check the agent ID and try again."},
		{"get a missing version", func() error {
			return errOf(s.GetAgentRuntime(call("GetAgentRuntime", ""), &api.GetAgentRuntimeRequest{AgentRuntimeId: a, AgentRuntimeVersion: "9"}))
		}, fmt.Sprintf("ResourceNotFoundException: Version 9 of agent '%s' was not found.", a)},
		{"list versions of a missing runtime", func() error {
			return errOf(s.ListAgentRuntimeVersions(call("ListAgentRuntimeVersions", ""), &api.ListAgentRuntimeVersionsRequest{AgentRuntimeId: missing}))
		}, "ResourceNotFoundException: Agent 'nope-0123456789' was not found. Please check the agent ID and try again."},
		{"name taken", func() error { return errOf(s.CreateAgentRuntime(call("CreateAgentRuntime", ""), runtimeRequest("a"))) }, "ConflictException: Runtime name 'a' already exists or was recently deleted"},
		{"runtime quota", func() error { return errOf(s.CreateAgentRuntime(call("CreateAgentRuntime", ""), runtimeRequest("c"))) }, "ServiceQuotaExceededException: You have reached the maximum of 2 agent runtimes in this account and region."},
		{"update while creating", func() error { return errOf(s.UpdateAgentRuntime(call("UpdateAgentRuntime", ""), runtimeUpdate(a))) }, fmt.Sprintf("ConflictException: Agent '%s' is CREATING; wait until the change completes and try again.", a)},
		{"update a missing runtime", func() error {
			return errOf(s.UpdateAgentRuntime(call("UpdateAgentRuntime", ""), runtimeUpdate(missing)))
		}, "ResourceNotFoundException: Agent 'nope-0123456789' was not found. Please check the agent ID and try again."},
		{"version quota", func() error {
			if _, err := s.UpdateAgentRuntime(call("UpdateAgentRuntime", ""), runtimeUpdate(b)); err != nil {
				return err
			}
			advanceRow(t, s, kindRuntime, b)
			_, err := s.UpdateAgentRuntime(call("UpdateAgentRuntime", ""), runtimeUpdate(b))
			return err
		}, fmt.Sprintf("ServiceQuotaExceededException: Agent '%s' has reached the maximum of 2 versions.", b)},
		{"create DEFAULT", func() error {
			return errOf(s.CreateAgentRuntimeEndpoint(call("CreateAgentRuntimeEndpoint", ""), &api.CreateAgentRuntimeEndpointRequest{AgentRuntimeId: a, Name: "DEFAULT"}))
		}, "ConflictException: The DEFAULT endpoint is created and managed by the service."},
		{"update DEFAULT", func() error {
			return errOf(s.UpdateAgentRuntimeEndpoint(call("UpdateAgentRuntimeEndpoint", ""), &api.UpdateAgentRuntimeEndpointRequest{AgentRuntimeId: a, EndpointName: "DEFAULT"}))
		}, "ConflictException: The DEFAULT endpoint always serves the latest version and cannot be updated."},
		{"delete DEFAULT", func() error {
			return errOf(s.DeleteAgentRuntimeEndpoint(call("DeleteAgentRuntimeEndpoint", ""), &api.DeleteAgentRuntimeEndpointRequest{AgentRuntimeId: a, EndpointName: "DEFAULT"}))
		}, "ConflictException: Default endpoints are removed when you delete the agent"},
		{"endpoint name taken", func() error {
			return errOf(s.CreateAgentRuntimeEndpoint(call("CreateAgentRuntimeEndpoint", ""), &api.CreateAgentRuntimeEndpointRequest{AgentRuntimeId: a, Name: "prod"}))
		}, fmt.Sprintf("ConflictException: An endpoint named 'prod' already exists for agent '%s'.", a)},
		{"endpoint quota", func() error {
			return errOf(s.CreateAgentRuntimeEndpoint(call("CreateAgentRuntimeEndpoint", ""), &api.CreateAgentRuntimeEndpointRequest{AgentRuntimeId: a, Name: "stage"}))
		}, fmt.Sprintf("ServiceQuotaExceededException: Agent '%s' has reached the maximum of 1 endpoints.", a)},
		{"endpoint of a missing version", func() error {
			return errOf(s.CreateAgentRuntimeEndpoint(call("CreateAgentRuntimeEndpoint", ""), &api.CreateAgentRuntimeEndpointRequest{AgentRuntimeId: b, Name: "old", AgentRuntimeVersion: "7"}))
		}, fmt.Sprintf("ResourceNotFoundException: Version 7 of agent '%s' was not found.", b)},
		{"endpoint of a missing runtime", func() error {
			return errOf(s.CreateAgentRuntimeEndpoint(call("CreateAgentRuntimeEndpoint", ""), &api.CreateAgentRuntimeEndpointRequest{AgentRuntimeId: missing, Name: "x"}))
		}, "ResourceNotFoundException: Agent 'nope-0123456789' was not found. Please check the agent ID and try again."},
		{"get a missing endpoint", func() error {
			return errOf(s.GetAgentRuntimeEndpoint(call("GetAgentRuntimeEndpoint", ""), &api.GetAgentRuntimeEndpointRequest{AgentRuntimeId: a, EndpointName: "x"}))
		}, fmt.Sprintf("ResourceNotFoundException: Endpoint 'x' of agent '%s' was not found.", a)},
		{"update a creating endpoint", func() error {
			return errOf(s.UpdateAgentRuntimeEndpoint(call("UpdateAgentRuntimeEndpoint", ""), &api.UpdateAgentRuntimeEndpointRequest{AgentRuntimeId: a, EndpointName: "prod"}))
		}, "ConflictException: Endpoint 'prod' is CREATING; wait until the change completes and try again."},
		{"delete a runtime with endpoints", func() error {
			return errOf(s.DeleteAgentRuntime(call("DeleteAgentRuntime", ""), &api.DeleteAgentRuntimeRequest{AgentRuntimeId: a}))
		}, "ConflictException: This agent has endpoints that must be deleted first"},
		{"delete a linked identity", func() error {
			return errOf(s.DeleteWorkloadIdentity(call("DeleteWorkloadIdentity", ""), &api.DeleteWorkloadIdentityRequest{Name: a}))
		}, "ValidationException: WorkloadIdentity is linked to a service and cannot be deleted by the caller."},
		{"get a missing identity", func() error {
			return errOf(s.GetWorkloadIdentity(call("GetWorkloadIdentity", ""), &api.GetWorkloadIdentityRequest{Name: "nope"}))
		}, "ResourceNotFoundException: WorkloadIdentity 'nope' was not found."},
		{"identity name taken", func() error {
			return errOf(s.CreateWorkloadIdentity(call("CreateWorkloadIdentity", ""), &api.CreateWorkloadIdentityRequest{Name: "wi"}))
		}, "ConflictException: A workload identity named 'wi' already exists."},
		{"identity quota", func() error {
			if _, err := s.CreateWorkloadIdentity(call("CreateWorkloadIdentity", ""), &api.CreateWorkloadIdentityRequest{Name: "wi2"}); err != nil {
				return err
			}
			_, err := s.CreateWorkloadIdentity(call("CreateWorkloadIdentity", ""), &api.CreateWorkloadIdentityRequest{Name: "wi3"})
			return err
		}, "ResourceLimitExceededException: You have reached the maximum of 4 workload identities."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := errorText(tt.call()); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

// TestRuntimeEndpointAnswers: what each endpoint operation answers, under
// the immediate lifecycle (the move ends inside the request) and the manual
// one (it waits).
func TestRuntimeEndpointAnswers(t *testing.T) {
	for _, policy := range []lifecycle.Policy{lifecycle.PolicyImmediate, lifecycle.PolicyManual} {
		t.Run(string(policy), func(t *testing.T) {
			s := runtimeService(t, policy, Quotas{})
			id := newRuntime(t, s, "ep").AgentRuntimeId
			advanceRow(t, s, kindRuntime, id)
			advanceRow(t, s, kindEndpoint, id+"/DEFAULT")
			deleteProd := func() (any, error) {
				return s.DeleteAgentRuntimeEndpoint(call("DeleteAgentRuntimeEndpoint", ""), &api.DeleteAgentRuntimeEndpointRequest{AgentRuntimeId: id, EndpointName: "prod"})
			}
			steps := []struct {
				name string
				call func() (any, error)
				want string
			}{
				{"create", func() (any, error) {
					out, err := s.CreateAgentRuntimeEndpoint(call("CreateAgentRuntimeEndpoint", ""), &api.CreateAgentRuntimeEndpointRequest{AgentRuntimeId: id, Name: "prod", Description: "first"})
					if out != nil {
						out.CreatedAt = api.DateTime{}
					}
					return out, err
				}, fmt.Sprintf("&{TargetVersion:1 AgentRuntimeEndpointArn:arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/%[1]s/runtime-endpoint/prod AgentRuntimeArn:arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/%[1]s AgentRuntimeId:%[1]s EndpointName:prod Status:CREATING CreatedAt:0001-01-01 00:00:00 +0000 UTC}", id)},
				{"settle", func() (any, error) {
					advanceRow(t, s, kindEndpoint, id+"/prod")
					if _, err := s.UpdateAgentRuntime(call("UpdateAgentRuntime", ""), runtimeUpdate(id)); err != nil {
						return nil, err
					}
					advanceRow(t, s, kindRuntime, id)
					advanceRow(t, s, kindEndpoint, id+"/DEFAULT")
					return endpointState(s, id, "prod")
				}, "READY live 1 target 1 \"first\" \"\""},
				{"update", func() (any, error) {
					out, err := s.UpdateAgentRuntimeEndpoint(call("UpdateAgentRuntimeEndpoint", ""), &api.UpdateAgentRuntimeEndpointRequest{AgentRuntimeId: id, EndpointName: "prod"})
					if out == nil {
						return nil, err
					}
					return fmt.Sprintf("%s live %s target %s", out.Status, out.LiveVersion, out.TargetVersion), err
				}, "UPDATING live 1 target 2"},
				{"after the update", func() (any, error) {
					advanceRow(t, s, kindEndpoint, id+"/prod")
					return endpointState(s, id, "prod")
				}, "READY live 2 target 2 \"first\" \"\""},
				{"DEFAULT after the runtime's update", func() (any, error) { return endpointState(s, id, "DEFAULT") }, "READY live 2 target 2 \"\" \"\""},
				{"delete", deleteProd, fmt.Sprintf("&{Status:DELETING AgentRuntimeId:%s EndpointName:prod}", id)},
				{"delete again", func() (any, error) {
					out, err := deleteProd()
					if policy == lifecycle.PolicyImmediate {
						return errorText(err), nil // gone already
					}
					return out, err
				}, map[lifecycle.Policy]string{
					lifecycle.PolicyImmediate: fmt.Sprintf("ResourceNotFoundException: Endpoint 'prod' of agent '%s' was not found.", id),
					lifecycle.PolicyManual:    fmt.Sprintf("&{Status:DELETING AgentRuntimeId:%s EndpointName:prod}", id),
				}[policy]},
			}
			for _, st := range steps {
				got, err := st.call()
				if err != nil {
					t.Fatalf("%s: %v", st.name, err)
				}
				if g := fmt.Sprintf("%+v", got); g != st.want {
					t.Errorf("%s:\ngot  %s\nwant %s", st.name, g, st.want)
				}
			}
		})
	}
}

func endpointState(s *Service, id, name string) (string, error) {
	ep, err := s.GetAgentRuntimeEndpoint(call("GetAgentRuntimeEndpoint", ""), &api.GetAgentRuntimeEndpointRequest{AgentRuntimeId: id, EndpointName: name})
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%s live %s target %s %q %q", ep.Status, ep.LiveVersion, ep.TargetVersion, ep.Description, ep.FailureReason), nil
}

// TestRuntimeFailedUpdate: an injected failure of UpdateAgentRuntime fails
// the runtime, its new version and the DEFAULT endpoint's move alike; the
// previous version stays as it was, and a later update succeeds.
func TestRuntimeFailedUpdate(t *testing.T) {
	for _, policy := range []lifecycle.Policy{lifecycle.PolicyImmediate, lifecycle.PolicyManual} {
		t.Run(string(policy), func(t *testing.T) {
			s := runtimeService(t, policy, Quotas{})
			id := newRuntime(t, s, "fails").AgentRuntimeId
			advanceRow(t, s, kindRuntime, id)
			advanceRow(t, s, kindEndpoint, id+"/DEFAULT")
			failNext(t, s, "bad image", "UpdateAgentRuntime")
			state := func() string {
				t.Helper()
				var out string
				for _, v := range []string{"", "1", "2", "3"} {
					rt, err := s.GetAgentRuntime(call("GetAgentRuntime", ""), &api.GetAgentRuntimeRequest{AgentRuntimeId: id, AgentRuntimeVersion: v})
					if err != nil {
						out += fmt.Sprintf("v%s missing; ", v)
						continue
					}
					out += fmt.Sprintf("v%s: %s %s %q; ", v, rt.AgentRuntimeVersion, rt.Status, rt.FailureReason)
				}
				ep, err := endpointState(s, id, "DEFAULT")
				if err != nil {
					t.Fatal(err)
				}
				return out + "DEFAULT " + ep
			}
			steps := []struct {
				name string
				do   func() error
				want string
			}{
				{"failed update", func() error {
					out, err := s.UpdateAgentRuntime(call("UpdateAgentRuntime", ""), runtimeUpdate(id))
					if err == nil && (out.Status != api.AgentRuntimeStatusUpdating || out.AgentRuntimeVersion != "2") {
						err = fmt.Errorf("update answered %+v", out)
					}
					advanceRow(t, s, kindRuntime, id)
					advanceRow(t, s, kindEndpoint, id+"/DEFAULT")
					return err
				}, `v: 2 UPDATE_FAILED "bad image"; v1: 1 READY ""; v2: 2 UPDATE_FAILED "bad image"; v3 missing; DEFAULT UPDATE_FAILED live 1 target 2 "" "bad image"`},
				{"next update", func() error {
					_, err := s.UpdateAgentRuntime(call("UpdateAgentRuntime", ""), runtimeUpdate(id))
					advanceRow(t, s, kindRuntime, id)
					advanceRow(t, s, kindEndpoint, id+"/DEFAULT")
					return err
				}, `v: 3 READY ""; v1: 1 READY ""; v2: 2 UPDATE_FAILED "bad image"; v3: 3 READY ""; DEFAULT READY live 3 target 3 "" ""`},
			}
			for _, st := range steps {
				if err := st.do(); err != nil {
					t.Fatalf("%s: %v", st.name, err)
				}
				if got := state(); got != st.want {
					t.Errorf("%s:\ngot  %s\nwant %s", st.name, got, st.want)
				}
			}
		})
	}
}

// TestRuntimeDeleteAnswers: a delete answers DELETING, again while the
// deletion is pending, and takes the versions, endpoints and linked
// identity with the runtime.
func TestRuntimeDeleteAnswers(t *testing.T) {
	s := runtimeService(t, lifecycle.PolicyManual, Quotas{})
	id := newRuntime(t, s, "gone").AgentRuntimeId
	advanceRow(t, s, kindRuntime, id)
	for range 2 {
		out, err := s.DeleteAgentRuntime(call("DeleteAgentRuntime", ""), &api.DeleteAgentRuntimeRequest{AgentRuntimeId: id})
		if err != nil || fmt.Sprintf("%+v", out) != fmt.Sprintf("&{Status:DELETING AgentRuntimeId:%s AgentRuntimeVersion:}", id) {
			t.Fatalf("delete answered %+v %v", out, err)
		}
	}
	advanceRow(t, s, kindRuntime, id)
	ctx := context.Background()
	err := s.store.Read(ctx, func(tx store.Tx) error {
		for _, kind := range []string{kindRuntime, kindRuntimeVersion, kindEndpoint, kindWorkloadIdentity} {
			rows, err := tx.List(ctx, store.ListQuery{Account: "123456789012", Region: "us-east-1", Kind: kind})
			if err != nil {
				return err
			}
			if len(rows) != 0 {
				t.Errorf("%d %s rows remain", len(rows), kind)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestWorkloadIdentityUpdateReplaces: an update sets the return URLs it
// carries, and none clears them.
func TestWorkloadIdentityUpdateReplaces(t *testing.T) {
	s := runtimeService(t, lifecycle.PolicyImmediate, Quotas{})
	if _, err := s.CreateWorkloadIdentity(call("CreateWorkloadIdentity", ""), &api.CreateWorkloadIdentityRequest{Name: "wi", AllowedResourceOauth2ReturnUrls: []string{"https://a"}}); err != nil {
		t.Fatal(err)
	}
	for _, urls := range [][]string{{"https://b", "https://c"}, nil} {
		out, err := s.UpdateWorkloadIdentity(call("UpdateWorkloadIdentity", ""), &api.UpdateWorkloadIdentityRequest{Name: "wi", AllowedResourceOauth2ReturnUrls: urls})
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.GetWorkloadIdentity(call("GetWorkloadIdentity", ""), &api.GetWorkloadIdentityRequest{Name: "wi"})
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(out.AllowedResourceOauth2ReturnUrls, got.AllowedResourceOauth2ReturnUrls) != fmt.Sprint(urls, urls) ||
			out.WorkloadIdentityArn != "arn:aws:bedrock-agentcore:us-east-1:123456789012:workload-identity-directory/default/workload-identity/wi" {
			t.Errorf("update to %v answered %+v, then read %v", urls, out, got.AllowedResourceOauth2ReturnUrls)
		}
	}
}
