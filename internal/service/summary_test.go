package service

import (
	"reflect"
	"testing"
	"time"

	"agentcored/internal/api"
	"agentcored/internal/store"
)

// TestDecodeSummaryMatchesRecord: the listing entry stored with a runtime
// document, and the document itself decoded straight into an entry (rows
// written before entries were stored), both give what decoding the whole
// record and copying the summary's members gives.
func TestDecodeSummaryMatchesRecord(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 678_000_000, time.UTC)
	full := runtimeRecord{GetAgentRuntimeResponse: api.GetAgentRuntimeResponse{
		AgentRuntimeArn: "arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/a-0123456789", AgentRuntimeName: "a",
		AgentRuntimeId: "a-0123456789", AgentRuntimeVersion: "7", CreatedAt: api.NewDateTime(now.Add(-time.Hour)),
		LastUpdatedAt: api.NewDateTime(now), RoleArn: "arn:aws:iam::123456789012:role/R", Status: api.AgentRuntimeStatusUpdateFailed,
		Description: "with \"quotes\" and é", FailureReason: "boom",
		NetworkConfiguration:    &api.NetworkConfiguration{NetworkMode: api.NetworkModePublic},
		WorkloadIdentityDetails: &api.WorkloadIdentityDetails{WorkloadIdentityArn: "arn:aws:bedrock-agentcore:us-east-1:123456789012:workload-identity-directory/default/workload-identity/a-0123456789"},
		EnvironmentVariables:    map[string]string{"AGENTRUNTIMEID": "not the id", "status": "not the status"},
	}, failable: failable{PendingFailure: "later"}}
	for name, rec := range map[string]runtimeRecord{
		"full":    full,
		"minimal": {GetAgentRuntimeResponse: api.GetAgentRuntimeResponse{AgentRuntimeId: "b-0123456789", Status: api.AgentRuntimeStatusCreating}},
	} {
		row := &store.Resource{Kind: kindRuntime, ID: rec.AgentRuntimeId, Doc: encodeDoc(rec)}
		var decoded runtimeRecord
		if err := decodeDoc(row, &decoded); err != nil {
			t.Fatal(err)
		}
		want := api.AgentRuntime{
			AgentRuntimeArn: decoded.AgentRuntimeArn, AgentRuntimeId: decoded.AgentRuntimeId, AgentRuntimeVersion: decoded.AgentRuntimeVersion,
			AgentRuntimeName: decoded.AgentRuntimeName, Description: decoded.Description, LastUpdatedAt: decoded.LastUpdatedAt, Status: decoded.Status,
		}
		// From a row stored before summaries were (the document), and from
		// the entry setDoc stores.
		var fromDoc, fromEntry api.AgentRuntime
		if err := decodeSummary(row, &fromDoc); err != nil {
			t.Fatal(err)
		}
		setDoc(row, rec)
		if row.Summary == nil {
			t.Fatalf("%s: setDoc stored no listing entry", name)
		}
		if err := decodeSummary(row, &fromEntry); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(fromDoc, want) || !reflect.DeepEqual(fromEntry, want) {
			t.Errorf("%s: from the document %+v, from the entry %+v; want %+v", name, fromDoc, fromEntry, want)
		}
	}
}
