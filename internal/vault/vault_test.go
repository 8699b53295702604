package vault

import (
	"errors"
	"strings"
	"testing"

	"agentcored/internal/api"
	"agentcored/internal/secrets"
)

func newSealer(old map[string]Secret) *Sealer {
	return &Sealer{Box: secrets.Ephemeral(), Account: "123456789012", Region: "us-east-1",
		Naming: Naming{Dir: "apikey"}, Provider: "p", ProviderARN: "arn:p",
		NewSuffix: func() string { return "abc123" }, Old: old, Next: map[string]Secret{}}
}

func TestSealOpen(t *testing.T) {
	z := newSealer(nil)
	arn, err := z.Seal("apiKey", "s3cret")
	if err != nil || arn != "arn:aws:secretsmanager:us-east-1:123456789012:secret:bedrock-agentcore-identity!default/apikey/p-abc123" {
		t.Fatalf("Seal = %q, %v", arn, err)
	}
	sec := z.Next["apiKey"]
	if strings.Contains(sec.Sealed, "s3cret") {
		t.Fatal("sealed value holds the secret in clear")
	}
	if got, err := Open(z.Box, "arn:p", "apiKey", sec, true); err != nil || got != "s3cret" {
		t.Fatalf("Open = %q, %v", got, err)
	}
	// Bound to provider and member: a ciphertext moved elsewhere does not open.
	for _, c := range []struct{ arn, member string }{{"arn:other", "apiKey"}, {"arn:p", "clientSecret"}} {
		if _, err := Open(z.Box, c.arn, c.member, sec, true); err == nil {
			t.Errorf("Open(%s, %s) of another's secret succeeded", c.arn, c.member)
		}
	}
	if _, err := Open(z.Box, "arn:p", "apiKey", Secret{}, false); !errors.Is(err, ErrNoSecret) {
		t.Errorf("Open of a missing secret = %v, want ErrNoSecret", err)
	}
	// A new value keeps the secret's ARN.
	z2 := newSealer(z.Next)
	z2.NewSuffix = func() string { return "zzzzzz" }
	if again, _ := z2.Seal("apiKey", "other"); again != arn {
		t.Errorf("re-seal ARN = %q, want %q", again, arn)
	}
}

func TestSecretPair(t *testing.T) {
	ref := map[string]any{"secretId": "my-secret", "jsonKey": "k"}
	tests := []struct {
		name     string
		obj      map[string]any
		optional bool
		want     string // error substring; "" for success
		source   api.SecretSourceType
	}{
		{"in clear", map[string]any{"apiKey": "v"}, false, "", api.SecretSourceTypeManaged},
		{"reference", map[string]any{"apiKeySecretConfig": ref}, false, "", api.SecretSourceTypeExternal},
		{"both", map[string]any{"apiKey": "v", "apiKeySecretConfig": ref}, false, "only one of 'apiKey' and 'apiKeySecretConfig'", ""},
		{"external without reference", map[string]any{"apiKey": "v", "apiKeySecretSource": "EXTERNAL"}, false, "'apiKeySecretConfig' is required", ""},
		{"managed with reference", map[string]any{"apiKeySecretConfig": ref, "apiKeySecretSource": "MANAGED"}, false, "cannot be given when", ""},
		{"neither", map[string]any{}, false, "either 'apiKey' or 'apiKeySecretConfig' is required", ""},
		{"neither, optional", map[string]any{}, true, "", ""},
		{"secret of another region", map[string]any{"apiKeySecretConfig": map[string]any{"secretId": "arn:aws:secretsmanager:eu-west-1:123456789012:secret:x"}}, false, "Region of the credential provider", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			z := newSealer(nil)
			z.Optional = map[string]bool{"apiKey": tt.optional}
			err := z.SecretPair(tt.obj, "apiKey", "apiKeySecret", "")
			if tt.want != "" {
				if err == nil || !strings.Contains(err.Error(), tt.want) {
					t.Fatalf("err = %v, want %q", err, tt.want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got, _ := tt.obj["apiKeySecretSource"].(string); got != string(tt.source) {
				t.Errorf("source = %q, want %q", got, tt.source)
			}
			if _, clear := tt.obj["apiKey"]; clear {
				t.Error("the clear value is still in the config")
			}
		})
	}
}
