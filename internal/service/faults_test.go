package service

import (
	"context"
	"testing"

	"agentcored/internal/faults"
	"agentcored/internal/reqctx"
)

func TestInjectedFailureIsTakenOncePerRequest(t *testing.T) {
	s := &Service{faults: faults.New()}
	if _, err := s.faults.Add(faults.Rule{Operation: "CreateAgentRuntime", Action: faults.ActionFail, FailureReason: "boom", Count: 2}); err != nil {
		t.Fatal(err)
	}
	first := reqctx.With(context.Background(), &reqctx.Info{})
	// A transaction that runs three times within one request decides once.
	for i := 0; i < 3; i++ {
		if got := s.injectedFailure(first, "CreateAgentRuntime"); got != "boom" {
			t.Fatalf("run %d: %q, want boom", i, got)
		}
	}
	if n := s.faults.List()[0].Count; n != 1 {
		t.Fatalf("rule has %d matches left, want 1", n)
	}
	second := reqctx.With(context.Background(), &reqctx.Info{})
	if got := s.injectedFailure(second, "CreateAgentRuntime"); got != "boom" {
		t.Fatalf("second request: %q", got)
	}
	third := reqctx.With(context.Background(), &reqctx.Info{})
	if got := s.injectedFailure(third, "CreateAgentRuntime"); got != "" {
		t.Fatalf("third request after the rule ran out: %q", got)
	}
	if got := s.injectedFailure(third, "UpdateAgentRuntime"); got != "" {
		t.Fatalf("other operation: %q", got)
	}
}
