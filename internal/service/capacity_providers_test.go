package service

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"agentcored/internal/api"
	"agentcored/internal/awserr"
	"agentcored/internal/lifecycle"
	"agentcored/internal/store"
)

// Capacity-provider tests run on a service whose transitions wait for an
// explicit advance. The runtime and runtime-version rows that use a
// provider are written into the store directly, with documents under the
// model's wire names (what runtimes.go stores); internal/e2e creates them
// through CreateAgentRuntime.

const cpAccount, cpRegion = "123456789012", "us-east-1"

func cpService(t *testing.T) (*Service, store.Store) {
	return testService(t, lifecycle.PolicyManual)
}

func cpCreate(t *testing.T, s *Service, name string) *api.CreateCapacityProviderOutput {
	t.Helper()
	out, err := s.CreateCapacityProvider(call("CreateCapacityProvider", ""), &api.CreateCapacityProviderInput{
		Name:                     name,
		PermissionsConfiguration: &api.PermissionsConfiguration{CapacityProviderOperatorRoleArn: "arn:aws:iam::123456789012:role/Operator"},
		ComputeConfiguration:     &api.ComputeConfiguration{Ec2Configuration: &api.Ec2Configuration{}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func cpAdvance(t *testing.T, s *Service, id string) { advanceRow(t, s, kindCapacityProvider, id) }

// cpPutVersion writes version v of runtime rt (and the runtime row, at its
// first version) in the given account, on the provider arn ("" for none).
func cpPutVersion(t *testing.T, st store.Store, account, rt string, v int, arn string) {
	t.Helper()
	doc := map[string]any{
		"agentRuntimeArn":     "arn:aws:bedrock-agentcore:" + cpRegion + ":" + account + ":runtime/" + rt,
		"agentRuntimeId":      rt,
		"agentRuntimeVersion": fmt.Sprint(v),
		"status":              "READY",
	}
	if arn != "" {
		doc["capacityProviderConfiguration"] = map[string]any{"capacityProviderArn": arn}
	}
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	err = st.Write(context.Background(), func(tx store.Tx) error {
		if v == 1 {
			if err := tx.Insert(context.Background(), &store.Resource{Account: account, Region: cpRegion, Kind: kindRuntime, ID: rt, Name: rt, Status: "READY", Doc: b}); err != nil {
				return err
			}
		}
		return tx.Insert(context.Background(), &store.Resource{Account: account, Region: cpRegion, Kind: kindRuntimeVersion,
			ID: fmt.Sprintf("%s/v%d", rt, v), ParentID: rt, Status: "READY", Doc: b})
	})
	if err != nil {
		t.Fatal(err)
	}
}

func errCodeOf(err error) string {
	var ae *awserr.Error
	if errors.As(err, &ae) {
		return ae.Code
	}
	if err != nil {
		return "not an API error: " + err.Error()
	}
	return ""
}

func TestCheckCapacityProvider(t *testing.T) {
	s, st := cpService(t)
	creating := cpCreate(t, s, "creating")
	ready := cpCreate(t, s, "ready")
	cpAdvance(t, s, ready.CapacityProviderId)
	updating := cpCreate(t, s, "updating")
	cpAdvance(t, s, updating.CapacityProviderId)
	if _, err := s.UpdateCapacityProvider(call("UpdateCapacityProvider", ""), &api.UpdateCapacityProviderInput{CapacityProviderId: updating.CapacityProviderId}); err != nil {
		t.Fatal(err)
	}
	deleting := cpCreate(t, s, "deleting")
	cpAdvance(t, s, deleting.CapacityProviderId)
	if _, err := s.DeleteCapacityProvider(call("DeleteCapacityProvider", ""), &api.DeleteCapacityProviderInput{CapacityProviderId: deleting.CapacityProviderId}); err != nil {
		t.Fatal(err)
	}
	otherAccount := "arn:aws:bedrock-agentcore:us-east-1:210987654321:capacity-provider/" + ready.CapacityProviderId
	tests := []struct {
		name string
		cfg  *api.CapacityProviderConfiguration
		want string
	}{
		{"none", nil, ""},
		{"ready", &api.CapacityProviderConfiguration{CapacityProviderArn: ready.CapacityProviderArn}, ""},
		{"updating", &api.CapacityProviderConfiguration{CapacityProviderArn: updating.CapacityProviderArn}, ""},
		{"creating", &api.CapacityProviderConfiguration{CapacityProviderArn: creating.CapacityProviderArn}, awserr.CodeValidation},
		{"deleting", &api.CapacityProviderConfiguration{CapacityProviderArn: deleting.CapacityProviderArn}, awserr.CodeValidation},
		{"unknown id", &api.CapacityProviderConfiguration{CapacityProviderArn: ready.CapacityProviderArn + "x"}, awserr.CodeNotFound},
		{"other account", &api.CapacityProviderConfiguration{CapacityProviderArn: otherAccount}, awserr.CodeNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := st.Read(context.Background(), func(tx store.Tx) error {
				return checkCapacityProvider(context.Background(), tx, scope{account: cpAccount, region: cpRegion}, tt.cfg)
			})
			if got := errCodeOf(err); got != tt.want {
				t.Errorf("checkCapacityProvider: %q (%v), want %q", got, err, tt.want)
			}
		})
	}
}

func TestCapacityProviderInUse(t *testing.T) {
	s, st := cpService(t)
	cp := cpCreate(t, s, "pool")
	cpAdvance(t, s, cp.CapacityProviderId)
	other := cpCreate(t, s, "other")
	// Versions on the provider, interleaved across two runtimes, and some
	// that are not: on no provider, on another, in another account.
	cpPutVersion(t, st, cpAccount, "a-0123456789", 1, cp.CapacityProviderArn)
	cpPutVersion(t, st, cpAccount, "b-0123456789", 1, "")
	cpPutVersion(t, st, cpAccount, "b-0123456789", 2, cp.CapacityProviderArn)
	cpPutVersion(t, st, cpAccount, "a-0123456789", 2, other.CapacityProviderArn)
	cpPutVersion(t, st, cpAccount, "a-0123456789", 3, cp.CapacityProviderArn)
	cpPutVersion(t, st, "210987654321", "c-0123456789", 1, cp.CapacityProviderArn)

	var got []string
	token := ""
	for pages := 0; ; pages++ {
		out, err := s.ListAgentRuntimeVersionsByCapacityProvider(call("ListAgentRuntimeVersionsByCapacityProvider", ""),
			&api.ListAgentRuntimeVersionsByCapacityProviderInput{CapacityProviderId: cp.CapacityProviderId, MaxResults: ptr(int64(2)), NextToken: token})
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range out.AgentRuntimes {
			got = append(got, v.AgentRuntimeArn[len(v.AgentRuntimeArn)-12:]+" v"+v.AgentRuntimeVersion+" "+string(v.Status))
		}
		if token = out.NextToken; token == "" {
			if pages != 1 {
				t.Errorf("%d pages, want 2", pages+1)
			}
			break
		}
	}
	want := []string{"a-0123456789 v1 READY", "b-0123456789 v2 READY", "a-0123456789 v3 READY"}
	if !equal(got, want) {
		t.Errorf("listed %q, want %q", got, want)
	}

	// A token of another provider's listing is refused.
	first, err := s.ListAgentRuntimeVersionsByCapacityProvider(call("ListAgentRuntimeVersionsByCapacityProvider", ""),
		&api.ListAgentRuntimeVersionsByCapacityProviderInput{CapacityProviderId: cp.CapacityProviderId, MaxResults: ptr(int64(1))})
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.ListAgentRuntimeVersionsByCapacityProvider(call("ListAgentRuntimeVersionsByCapacityProvider", ""),
		&api.ListAgentRuntimeVersionsByCapacityProviderInput{CapacityProviderId: other.CapacityProviderId, NextToken: first.NextToken})
	if code := errCodeOf(err); code != awserr.CodeValidation {
		t.Errorf("foreign token: %q (%v), want ValidationException", code, err)
	}
	// An unknown provider lists nothing (no ResourceNotFoundException is modeled).
	none, err := s.ListAgentRuntimeVersionsByCapacityProvider(call("ListAgentRuntimeVersionsByCapacityProvider", ""),
		&api.ListAgentRuntimeVersionsByCapacityProviderInput{CapacityProviderId: "nobody-0123456789"})
	if err != nil || none.AgentRuntimes == nil || len(none.AgentRuntimes) != 0 {
		t.Errorf("unknown provider: %+v, %v; want an empty list", none, err)
	}

	// In use: the delete is refused and nothing changes.
	_, err = s.DeleteCapacityProvider(call("DeleteCapacityProvider", ""), &api.DeleteCapacityProviderInput{CapacityProviderId: cp.CapacityProviderId})
	if code := errCodeOf(err); code != awserr.CodeConflict {
		t.Fatalf("delete in use: %q (%v), want ConflictException", code, err)
	}
	if msg := err.Error(); !containsAll(msg, cp.CapacityProviderId, "3 agent runtime version", "runtime/a-0123456789") {
		t.Errorf("delete in use: message %q does not name the provider, the count and a version", msg)
	}
	if g, err := s.GetCapacityProvider(call("GetCapacityProvider", ""), &api.GetCapacityProviderInput{CapacityProviderId: cp.CapacityProviderId}); err != nil || g.Status != api.CapacityProviderStatusReady {
		t.Fatalf("after the refused delete: %+v, %v; want READY", g, err)
	}

	// Once the runtimes that use it are gone (only the other account's is
	// left), the provider goes through DELETING.
	err = st.Write(context.Background(), func(tx store.Tx) error {
		for _, id := range []string{"a-0123456789/v1", "a-0123456789/v2", "a-0123456789/v3", "b-0123456789/v1", "b-0123456789/v2"} {
			if err := tx.Delete(context.Background(), store.Key{Account: cpAccount, Region: cpRegion, Kind: kindRuntimeVersion, ID: id}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	out, err := s.DeleteCapacityProvider(call("DeleteCapacityProvider", ""), &api.DeleteCapacityProviderInput{CapacityProviderId: cp.CapacityProviderId})
	if err != nil || out.Status != api.CapacityProviderStatusDeleting {
		t.Fatalf("delete unused: %+v, %v; want DELETING", out, err)
	}
	cpAdvance(t, s, cp.CapacityProviderId)
	_, err = s.GetCapacityProvider(call("GetCapacityProvider", ""), &api.GetCapacityProviderInput{CapacityProviderId: cp.CapacityProviderId})
	if code := errCodeOf(err); code != awserr.CodeNotFound {
		t.Errorf("after DELETING: %q (%v), want ResourceNotFoundException", code, err)
	}
}

func containsAll(s string, parts ...string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}

// TestCapacityProviderFailureCode: a failed transition reports its reason
// with statusCode INTERNAL_SERVER_EXCEPTION; the next change clears both.
func TestCapacityProviderFailureCode(t *testing.T) {
	s, _ := cpService(t)
	cp := cpCreate(t, s, "pool")
	cpAdvance(t, s, cp.CapacityProviderId)
	failNext(t, s, "boom", "UpdateCapacityProvider")
	state := func() string {
		g, err := s.GetCapacityProvider(call("GetCapacityProvider", ""), &api.GetCapacityProviderInput{CapacityProviderId: cp.CapacityProviderId})
		if err != nil {
			t.Fatal(err)
		}
		return fmt.Sprintf("%s %q %q %q", g.Status, g.StatusCode, g.StatusReason, g.Description)
	}
	var got []string
	for _, desc := range []*api.UpdatedDescription{{OptionalValue: "first"}, nil, {}} {
		if _, err := s.UpdateCapacityProvider(call("UpdateCapacityProvider", ""), &api.UpdateCapacityProviderInput{CapacityProviderId: cp.CapacityProviderId, Description: desc}); err != nil {
			t.Fatal(err)
		}
		got = append(got, state())
		cpAdvance(t, s, cp.CapacityProviderId)
		got = append(got, state())
	}
	// The description of a failed update stays: the engine keeps what the
	// request set (no rollback is modeled for capacity providers).
	want := []string{
		`UPDATING "" "" "first"`, `UPDATE_FAILED "INTERNAL_SERVER_EXCEPTION" "boom" "first"`,
		`UPDATING "" "" "first"`, `READY "" "" "first"`,
		`UPDATING "" "" ""`, `READY "" "" ""`,
	}
	if !equal(got, want) {
		t.Errorf("states\n%q\nwant\n%q", got, want)
	}
}
