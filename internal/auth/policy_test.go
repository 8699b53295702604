package auth

import (
	"context"
	"errors"
	"strings"
	"testing"

	"agentcored/internal/awserr"
	"agentcored/internal/reqctx"
)

func TestMatch(t *testing.T) {
	tests := []struct {
		pattern, s string
		want       bool
	}{
		{"*", "", true},
		{"*", "anything", true},
		{"", "", true},
		{"", "a", false},
		{"abc", "abc", true},
		{"abc", "abd", false},
		{"a?c", "abc", true},
		{"a?c", "ac", false},
		{"a*c", "ac", true},
		{"a*c", "abbbc", true},
		{"a*c", "abbbd", false},
		{"*runtime/*", "arn:aws:bedrock-agentcore:us-east-1:1:runtime/x", true},
		{"arn:*:runtime/agent-?", "arn:aws:bedrock-agentcore:r:1:runtime/agent-1", true},
		{"arn:*:runtime/agent-?", "arn:aws:bedrock-agentcore:r:1:runtime/agent-12", false},
		{"a*b*c", "aXbYbZc", true},
		{"a*b*c", "aXbYbZ", false},
		{"**", "x", true},
		{strings.Repeat("*a", 30) + "b", strings.Repeat("a", 200), false}, // no exponential blow-up
	}
	for _, tt := range tests {
		if got := Match(tt.pattern, tt.s); got != tt.want {
			t.Errorf("Match(%q, %q) = %v, want %v", tt.pattern, tt.s, got, tt.want)
		}
	}
}

func TestPolicyAllows(t *testing.T) {
	const runtimeA = "arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/agent-a"
	const runtimeB = "arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/agent-b"
	readOnly := &Policy{Statement: []Statement{
		{Effect: Allow, Action: Strings{"bedrock-agentcore:Get*", "bedrock-agentcore:List*"}, Resource: Strings{"*"}},
	}}
	allButB := &Policy{Statement: []Statement{
		{Effect: Allow, Action: Strings{"*"}, Resource: Strings{"*"}},
		{Effect: Deny, Action: Strings{"bedrock-agentcore:*"}, Resource: Strings{"arn:aws:bedrock-agentcore:*:*:runtime/agent-b"}},
	}}
	oneRuntime := &Policy{Statement: []Statement{
		{Effect: Allow, Action: Strings{"bedrock-agentcore:*AgentRuntime"}, Resource: Strings{"arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/agent-?"}},
	}}
	tests := []struct {
		name     string
		p        *Policy
		action   string
		resource string
		want     bool
	}{
		{"wildcard action allows", readOnly, "bedrock-agentcore:GetAgentRuntime", runtimeA, true},
		{"action case-insensitive", readOnly, "bedrock-agentcore:getagentruntime", runtimeA, true},
		{"no matching allow denies", readOnly, "bedrock-agentcore:DeleteAgentRuntime", runtimeA, false},
		{"list on *", readOnly, "bedrock-agentcore:ListAgentRuntimes", "*", true},
		{"explicit deny wins over allow", allButB, "bedrock-agentcore:GetAgentRuntime", runtimeB, false},
		{"allow elsewhere", allButB, "bedrock-agentcore:DeleteAgentRuntime", runtimeA, true},
		{"resource pattern", oneRuntime, "bedrock-agentcore:UpdateAgentRuntime", runtimeA, true},
		{"resource pattern with ? excludes longer ids", oneRuntime, "bedrock-agentcore:UpdateAgentRuntime", runtimeA + "x", false},
		{"resource pattern does not match *", oneRuntime, "bedrock-agentcore:CreateAgentRuntime", "*", false},
		{"other service's action", &Policy{Statement: []Statement{{Effect: Allow, Action: Strings{"s3:*"}, Resource: Strings{"*"}}}},
			"bedrock-agentcore:GetAgentRuntime", runtimeA, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.p.Allows(tt.action, tt.resource); got != tt.want {
				t.Fatalf("Allows(%s, %s) = %v, want %v", tt.action, tt.resource, got, tt.want)
			}
		})
	}
}

func TestParseCredentials(t *testing.T) {
	yamlDoc := `
credentials:
  - accessKeyId: AKIAACCOUNTB
    secretAccessKey: secret-b
    accountId: 210987654321
  - accessKeyId: AKIAREADONLY
    secretAccessKey: secret-r
    accountId: "012345678901"
    sessionToken: tok
    policy:
      Version: "2012-10-17"
      Statement:
        - Sid: read
          Effect: Allow
          Action: bedrock-agentcore:Get*
          Resource: "*"
        - Effect: Deny
          Action: [bedrock-agentcore:GetMemory]
          Resource: ["*"]
`
	creds, err := ParseCredentials([]byte(yamlDoc))
	if err != nil {
		t.Fatal(err)
	}
	if len(creds) != 2 || creds[0].AccountID != "210987654321" || creds[1].AccountID != "012345678901" || creds[1].SessionToken != "tok" {
		t.Fatalf("creds = %+v", creds)
	}
	p := creds[1].Policy
	if p == nil || len(p.Statement) != 2 || p.Statement[0].Action[0] != "bedrock-agentcore:Get*" || p.Statement[1].Resource[0] != "*" {
		t.Fatalf("policy = %+v", p)
	}
	if !p.Allows("bedrock-agentcore:GetAgentRuntime", "*") || p.Allows("bedrock-agentcore:GetMemory", "*") {
		t.Fatal("parsed policy evaluates wrongly")
	}

	jsonDoc := `{"credentials": [{"accessKeyId": "AKIAJSON", "secretAccessKey": "s", "accountId": "210987654321",
		"policy": {"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}}]}`
	creds, err = ParseCredentials([]byte(jsonDoc))
	if err != nil || len(creds) != 1 || creds[0].Policy.Statement[0].Action[0] != "*" {
		t.Fatalf("JSON: %+v, %v", creds, err)
	}
	if creds, err := ParseCredentials(nil); err != nil || len(creds) != 0 {
		t.Fatalf("empty file: %v, %v", creds, err)
	}

	bad := map[string]string{
		"unknown field":     "credentials:\n  - accessKeyId: A\n    secretAccesKey: s\n",
		"missing secret":    "credentials:\n  - accessKeyId: A\n",
		"missing key":       "credentials:\n  - secretAccessKey: s\n",
		"slash in key":      "credentials:\n  - accessKeyId: A/B\n    secretAccessKey: s\n",
		"bad account":       "credentials:\n  - accessKeyId: A\n    secretAccessKey: s\n    accountId: '12345'\n",
		"duplicate key":     "credentials:\n  - {accessKeyId: A, secretAccessKey: s}\n  - {accessKeyId: A, secretAccessKey: t}\n",
		"bad effect":        "credentials:\n  - {accessKeyId: A, secretAccessKey: s, policy: {Statement: [{Effect: allow, Action: '*', Resource: '*'}]}}\n",
		"no action":         "credentials:\n  - {accessKeyId: A, secretAccessKey: s, policy: {Statement: [{Effect: Allow, Resource: '*'}]}}\n",
		"no resource":       "credentials:\n  - {accessKeyId: A, secretAccessKey: s, policy: {Statement: [{Effect: Allow, Action: '*'}]}}\n",
		"no statement":      "credentials:\n  - {accessKeyId: A, secretAccessKey: s, policy: {Statement: []}}\n",
		"action is a map":   "credentials:\n  - {accessKeyId: A, secretAccessKey: s, policy: {Statement: [{Effect: Allow, Action: {a: b}, Resource: '*'}]}}\n",
		"not a credentials": "- a\n- b\n",
	}
	for name, doc := range bad {
		if _, err := ParseCredentials([]byte(doc)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestResourceARN(t *testing.T) {
	const region, account = "eu-west-1", "123456789012"
	prefix := "arn:aws:bedrock-agentcore:eu-west-1:123456789012:"
	tests := []struct {
		labels map[string]string
		want   string
	}{
		{nil, "*"},
		{map[string]string{"agentRuntimeId": "agent-1"}, prefix + "runtime/agent-1"},
		{map[string]string{"agentRuntimeId": "agent-1", "endpointName": "prod"}, prefix + "runtime/agent-1/runtime-endpoint/prod"},
		{map[string]string{"gatewayIdentifier": "gw-1", "targetId": "T1"}, prefix + "gateway/gw-1"},
		{map[string]string{"gatewayIdentifier": "arn:aws:bedrock-agentcore:us-east-1:999999999999:gateway/gw-1"}, "arn:aws:bedrock-agentcore:us-east-1:999999999999:gateway/gw-1"},
		{map[string]string{"memoryId": "mem-1"}, prefix + "memory/mem-1"},
		{map[string]string{"policyEngineId": "pe", "policyId": "p1"}, prefix + "policy-engine/pe/policy/p1"},
		{map[string]string{"resourceArn": "arn:aws:bedrock-agentcore:us-east-1:210987654321:runtime/x"}, "arn:aws:bedrock-agentcore:us-east-1:210987654321:runtime/x"},
	}
	for _, tt := range tests {
		if got := ResourceARN(region, account, tt.labels); got != tt.want {
			t.Errorf("ResourceARN(%v) = %q, want %q", tt.labels, got, tt.want)
		}
	}
}

func TestResourcePolicyAllows(t *testing.T) {
	const arn = "arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/agent-a"
	tests := []struct {
		name, doc string
		want      bool
	}{
		{"root principal", `{"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::210987654321:root"},"Action":"bedrock-agentcore:ListTagsForResource"}]}`, true},
		{"account principal in list", `{"Statement":[{"Effect":"Allow","Principal":{"AWS":["111111111111","210987654321"]},"Action":["bedrock-agentcore:List*"],"Resource":"` + arn + `"}]}`, true},
		{"star principal, single statement object", `{"Statement":{"Effect":"Allow","Principal":"*","Action":"*"}}`, true},
		{"user principal", `{"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::210987654321:user/AKIAB"},"Action":"*"}]}`, true},
		{"other account", `{"Statement":[{"Effect":"Allow","Principal":{"AWS":"111111111111"},"Action":"*"}]}`, false},
		{"other action", `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"bedrock-agentcore:TagResource"}]}`, false},
		{"other resource", `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"arn:aws:bedrock-agentcore:*:*:gateway/*"}]}`, false},
		{"deny wins", `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"*"},{"Effect":"Deny","Principal":{"AWS":"210987654321"},"Action":"bedrock-agentcore:List*"}]}`, false},
		{"no principal", `{"Statement":[{"Effect":"Allow","Action":"*"}]}`, false},
		{"not JSON", `nope`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ResourcePolicyAllows([]byte(tt.doc), "210987654321", "AKIAB", "bedrock-agentcore:ListTagsForResource", arn); got != tt.want {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestAuthorize(t *testing.T) {
	const ownerArn = "arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/agent-a"
	grant := `{"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::210987654321:root"},"Action":"bedrock-agentcore:ListTagsForResource"}]}`
	a := New(Strict, "123456789012", "us-east-1", []Credential{
		{AccessKeyID: "AKIAB", SecretAccessKey: "s", AccountID: "210987654321"},
		{AccessKeyID: "AKIARO", SecretAccessKey: "s", AccountID: "210987654321", Policy: &Policy{Statement: []Statement{
			{Effect: Allow, Action: Strings{"bedrock-agentcore:Get*"}, Resource: Strings{"*"}},
		}}},
	})
	a.ResourcePolicy = func(ctx context.Context, account, region, arn string) ([]byte, error) {
		if account == "123456789012" && region == "us-east-1" && arn == ownerArn {
			return []byte(grant), nil
		}
		return nil, nil
	}
	tests := []struct {
		name, key, op string
		labels        map[string]string
		wantCode      string
		wantAccount   string
	}{
		{"no policy allows all", "AKIAB", "DeleteAgentRuntime", map[string]string{"agentRuntimeId": "x"}, "", "210987654321"},
		{"policy allows", "AKIARO", "GetAgentRuntime", map[string]string{"agentRuntimeId": "x"}, "", "210987654321"},
		{"policy denies", "AKIARO", "DeleteAgentRuntime", map[string]string{"agentRuntimeId": "x"}, awserr.CodeAccessDenied, ""},
		{"cross-account granted", "AKIAB", "ListTagsForResource", map[string]string{"resourceArn": ownerArn}, "", "123456789012"},
		{"cross-account not granted", "AKIAB", "TagResource", map[string]string{"resourceArn": ownerArn}, "", "210987654321"},
		{"cross-account, no policy", "AKIAB", "ListTagsForResource", map[string]string{"resourceArn": ownerArn + "x"}, "", "210987654321"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			info := &reqctx.Info{AccessKey: tt.key, Account: "210987654321", Region: "us-east-1"}
			err := a.Authorize(reqctx.With(context.Background(), info), tt.op, tt.labels)
			var ae *awserr.Error
			if tt.wantCode != "" {
				if !errors.As(err, &ae) || ae.Code != tt.wantCode || ae.Status() != 403 {
					t.Fatalf("err = %v, want %s", err, tt.wantCode)
				}
				want := "User: arn:aws:iam::210987654321:user/" + tt.key + " is not authorized to perform: bedrock-agentcore:" + tt.op +
					" on resource: arn:aws:bedrock-agentcore:us-east-1:210987654321:runtime/x"
				if ae.Message != want {
					t.Fatalf("message = %q\nwant      %q", ae.Message, want)
				}
				return
			}
			if err != nil || info.Account != tt.wantAccount {
				t.Fatalf("err = %v, account = %s; want nil, %s", err, info.Account, tt.wantAccount)
			}
		})
	}
}
