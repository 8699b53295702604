package faults

import (
	"context"
	"errors"
	"testing"

	"agentcored/internal/awserr"
	"agentcored/internal/model"
)

func TestAddValidates(t *testing.T) {
	for _, tt := range []struct {
		name    string
		rule    Rule
		wantErr bool
	}{
		{"fail gets a default reason", Rule{Operation: "CreateBrowser", Action: ActionFail}, false},
		{"error needs a code", Rule{Operation: "CreateBrowser", Action: ActionError}, true},
		{"error", Rule{Operation: "CreateBrowser", Action: ActionError, ErrorCode: "ThrottlingException"}, false},
		{"latency needs a duration", Rule{Operation: "CreateBrowser", Action: ActionLatency}, true},
		{"unknown operation", Rule{Operation: "CreateNothing", Action: ActionFail}, true},
		{"data-plane error", Rule{Operation: "InvokeAgentRuntime", Action: ActionError, ErrorCode: "ThrottlingException"}, false},
		{"data-plane latency", Rule{Operation: "CreateEvent", Action: ActionLatency, LatencyMillis: 5}, false},
		{"data-plane operations do not fail resources", Rule{Operation: "InvokeAgentRuntime", Action: ActionFail}, true},
		{"unknown action", Rule{Operation: "CreateBrowser", Action: "explode"}, true},
		{"probability above 1", Rule{Operation: "CreateBrowser", Action: ActionFail, Probability: 1.5}, true},
		{"negative count", Rule{Operation: "CreateBrowser", Action: ActionFail, Count: -1}, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			set := New()
			got, err := set.Add(tt.rule)
			if (err != nil) != tt.wantErr {
				t.Fatalf("Add: %v, want error %v", err, tt.wantErr)
			}
			if n := len(set.List()); (n == 1) == tt.wantErr {
				t.Fatalf("%d rules installed", n)
			}
			if err == nil && (got.ID == "" || (got.Action == ActionFail && got.FailureReason == "")) {
				t.Fatalf("installed rule %+v lacks its id or default reason", got)
			}
		})
	}
}

func TestCountedRuleIsConsumed(t *testing.T) {
	set := New()
	if _, err := set.Add(Rule{Operation: "CreateBrowser", Action: ActionFail, FailureReason: "boom", Count: 2}); err != nil {
		t.Fatal(err)
	}
	for i, want := range []bool{true, true, false} {
		if reason, ok := set.TakeFailure("CreateBrowser"); ok != want || (ok && reason != "boom") {
			t.Fatalf("take %d: %q %v, want %v", i, reason, ok, want)
		}
	}
	if n := len(set.List()); n != 0 {
		t.Fatalf("%d rules left after their count", n)
	}
}

func TestGateAnswersTheInjectedError(t *testing.T) {
	set := New()
	if _, err := set.Add(Rule{Operation: "GetBrowser", Action: ActionError, ErrorCode: "ThrottlingException"}); err != nil {
		t.Fatal(err)
	}
	var aerr *awserr.Error
	if err := set.Gate(context.Background(), model.OperationByName("GetBrowser")); !errors.As(err, &aerr) || aerr.Code != "ThrottlingException" {
		t.Fatalf("Gate(GetBrowser) = %v", err)
	}
	if err := set.Gate(context.Background(), model.OperationByName("ListBrowsers")); err != nil {
		t.Fatalf("Gate(ListBrowsers) = %v", err)
	}
	if !set.Remove("") || len(set.List()) != 0 {
		t.Fatal("Remove all left rules")
	}
}
