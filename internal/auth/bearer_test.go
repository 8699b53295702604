package auth

import (
	"net/http/httptest"
	"testing"
)

func TestBearer(t *testing.T) {
	const arnPath = "/runtimes/arn%3Aaws%3Abedrock-agentcore%3Aeu-west-1%3A111122223333%3Aruntime%2Fagent-abc/invocations"
	cases := []struct {
		name, method, path, header string
		ok                         bool
		token, account, region     string
	}{
		{"invocations by ARN", "POST", arnPath, "Bearer tok", true, "tok", "111122223333", "eu-west-1"},
		{"scheme any case", "POST", arnPath, "bearer tok", true, "tok", "111122223333", "eu-west-1"},
		{"scheme alone", "POST", arnPath, "Bearer", true, "", "111122223333", "eu-west-1"},
		{"by ID with accountId", "POST", "/runtimes/agent-abc/invocations?accountId=444455556666", "Bearer tok", true, "tok", "444455556666", "us-east-1"},
		{"by ID", "POST", "/runtimes/agent-abc/invocations", "Bearer tok", true, "tok", "123456789012", "us-east-1"},
		{"SigV4", "POST", arnPath, "AWS4-HMAC-SHA256 Credential=AKID/20250101/us-east-1/bedrock-agentcore/aws4_request, SignedHeaders=host, Signature=00", false, "", "", ""},
		{"no header", "POST", arnPath, "", false, "", "", ""},
		{"other route", "GET", "/runtimes/", "Bearer tok", false, "", "", ""},
		{"stop session route", "POST", "/runtimes/agent-abc/stopruntimesession", "Bearer tok", true, "tok", "123456789012", "us-east-1"},
		{"commands route", "POST", "/runtimes/agent-abc/commands", "Bearer tok", true, "tok", "123456789012", "us-east-1"},
		{"GET invocations", "GET", arnPath, "Bearer tok", false, "", "", ""},
		{"agent card", "GET", "/runtimes/agent-abc/invocations/.well-known/agent-card.json", "Bearer tok", true, "tok", "123456789012", "us-east-1"},
		{"POST agent card", "POST", "/runtimes/agent-abc/invocations/.well-known/agent-card.json", "Bearer tok", false, "", "", ""},
		{"control plane runtime", "GET", "/runtimes/agent-abc/", "Bearer tok", false, "", "", ""},
		{"deeper path", "POST", "/runtimes/agent-abc/commands/x", "Bearer tok", false, "", "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := httptest.NewRequest(c.method, c.path, nil)
			if c.header != "" {
				r.Header.Set("Authorization", c.header)
			}
			call, ok := Bearer(r, "123456789012", "us-east-1")
			if ok != c.ok {
				t.Fatalf("ok = %v, want %v", ok, c.ok)
			}
			if ok && (call.Token != c.token || call.Account != c.account || call.Region != c.region) {
				t.Fatalf("got %+v, want token %q account %s region %s", call, c.token, c.account, c.region)
			}
		})
	}
}
