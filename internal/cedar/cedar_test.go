package cedar

import (
	"strings"
	"testing"
)

func TestParseAndFinding(t *testing.T) {
	tests := []struct {
		statement string
		finding   string // "" when Parse must fail
	}{
		{`permit(principal, action, resource);`, "ALLOW_ALL"},
		{`forbid(principal, action, resource);`, "DENY_ALL"},
		{`permit(principal, action == AgentCore::Action::"x", resource);`, "VALID"},
		{`@id("a") permit(principal is User, action, resource) when { context.a > 1 };`, "VALID"},
		{`permit(principal, action, resource) unless { };`, ""},
		{`permit(principal, action, resource)`, ""},
		{`permit(principal, action, resource); forbid(principal, action, resource);`, ""},
		{`allow(principal, action, resource);`, ""},
		{`permit(principal ==, action, resource);`, ""},
		{`permit(principal, action, resource == "unterminated);`, ""},
		{`permit(principal, action in [A, B), resource);`, ""},
	}
	for _, tt := range tests {
		pol, err := Parse(tt.statement)
		switch {
		case tt.finding == "" && err == nil:
			t.Errorf("Parse(%q) accepted a malformed statement", tt.statement)
		case tt.finding != "" && err != nil:
			t.Errorf("Parse(%q): %v", tt.statement, err)
		case tt.finding != "" && pol.Finding().Type != tt.finding:
			t.Errorf("Parse(%q) finding %s, want %s", tt.statement, pol.Finding().Type, tt.finding)
		}
	}
}

func TestAppliesTo(t *testing.T) {
	const arn = "arn:aws:bedrock-agentcore:us-east-1:123456789012:gateway/g-1"
	tests := []struct {
		resource string
		want     bool
	}{
		{`resource`, true},
		{`resource is AgentCore::Gateway`, true},
		{`resource == AgentCore::Gateway::"` + arn + `"`, true},
		{`resource == AgentCore::Gateway::"arn:other"`, false},
		{`resource is AgentCore::Gateway in AgentCore::Gateway::"arn:other"`, false},
	}
	for _, tt := range tests {
		pol, err := Parse(`permit(principal, action, ` + tt.resource + `);`)
		if err != nil {
			t.Fatalf("%s: %v", tt.resource, err)
		}
		if got := pol.AppliesTo(arn); got != tt.want {
			t.Errorf("%s: AppliesTo = %v, want %v", tt.resource, got, tt.want)
		}
	}
}

func TestTranslate(t *testing.T) {
	assets, summary := Translate("gen-1", "arn:g", "Allow refunds up to $500. Never delete accounts! The sky is blue.")
	if len(assets) != 3 {
		t.Fatalf("%d assets, want 3", len(assets))
	}
	if !strings.Contains(assets[0].Statement, "permit(") || !strings.Contains(assets[0].Statement, "context.input.amount <= 500") {
		t.Errorf("first asset %q", assets[0].Statement)
	}
	if !strings.HasPrefix(assets[1].Statement, "forbid(") || assets[1].Finding.Type != "DENY_ALL" {
		t.Errorf("second asset %q (%s)", assets[1].Statement, assets[1].Finding.Type)
	}
	if assets[2].Statement != "" || assets[2].Finding.Type != "NOT_TRANSLATABLE" {
		t.Errorf("third asset %q (%s)", assets[2].Statement, assets[2].Finding.Type)
	}
	if again, _ := Translate("gen-1", "arn:g", "Allow refunds up to $500."); again[0].ID != assets[0].ID {
		t.Errorf("asset ids are not stable: %s then %s", assets[0].ID, again[0].ID)
	}
	if want := "Generated 2 policy assets from 3 statements: 1 VALID, 1 NOT_TRANSLATABLE, 1 DENY_ALL."; summary != want {
		t.Errorf("summary %q, want %q", summary, want)
	}
}
