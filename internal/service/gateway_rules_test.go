package service

import (
	"testing"

	"agentcored/internal/api"
)

// Rules have no failed status, so their operations take no injected
// failure: a fail rule for them stays for the next operation that can fail.
func TestGatewayRulesTakeNoInjectedFailure(t *testing.T) {
	s, _ := widgetService(t)
	ops := []string{"CreateGatewayRule", "UpdateGatewayRule", "DeleteGatewayRule"}
	failNext(t, s, "boom", ops...)
	gw, err := s.CreateGateway(call("CreateGateway", ""), &api.CreateGatewayRequest{Name: "gw", AuthorizerType: api.AuthorizerTypeNone})
	if err != nil {
		t.Fatal(err)
	}
	rule, err := s.CreateGatewayRule(call("CreateGatewayRule", ""), &api.CreateGatewayRuleRequest{GatewayIdentifier: gw.GatewayId, Priority: ptr(int64(1))})
	if err != nil {
		t.Fatal(err)
	}
	status := func(want api.GatewayRuleStatus) {
		t.Helper()
		advanceRow(t, s, kindGatewayRule, gw.GatewayId+"/"+rule.RuleId)
		got, err := s.GetGatewayRule(call("GetGatewayRule", ""), &api.GetGatewayRuleRequest{GatewayIdentifier: gw.GatewayId, RuleId: rule.RuleId})
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != want {
			t.Fatalf("status %s, want %s", got.Status, want)
		}
	}
	status(api.GatewayRuleStatusActive)
	if _, err := s.UpdateGatewayRule(call("UpdateGatewayRule", ""), &api.UpdateGatewayRuleRequest{GatewayIdentifier: gw.GatewayId, RuleId: rule.RuleId, Priority: ptr(int64(2))}); err != nil {
		t.Fatal(err)
	}
	status(api.GatewayRuleStatusActive)
	if _, err := s.DeleteGatewayRule(call("DeleteGatewayRule", ""), &api.DeleteGatewayRuleRequest{GatewayIdentifier: gw.GatewayId, RuleId: rule.RuleId}); err != nil {
		t.Fatal(err)
	}
	for _, op := range ops {
		if reason, ok := s.faults.TakeFailure(op); !ok || reason != "boom" {
			t.Errorf("%s: fail rule taken by the rule operation", op)
		}
	}
}
