package service

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"agentcored/internal/api"
	"agentcored/internal/awserr"
	"agentcored/internal/store"
)

// credentialService is a service on a fresh store with the quotas q (the
// defaults when zero).
func credentialService(t *testing.T, q Quotas) (*Service, store.Store) {
	s, st := widgetService(t)
	if q != (Quotas{}) {
		s.quotas = q
	}
	return s, st
}

// A full kind answers its quota error even for a name already taken.
func TestCredentialProviderQuotaBeforeName(t *testing.T) {
	q := DefaultQuotas
	q.IdentitiesPerAccount = 1
	s, _ := credentialService(t, q)
	ctx := call("CreateApiKeyCredentialProvider", "")
	in := &api.CreateApiKeyCredentialProviderRequest{Name: "one", ApiKey: "k"}
	if _, err := s.CreateApiKeyCredentialProvider(ctx, in); err != nil {
		t.Fatal(err)
	}
	_, err := s.CreateApiKeyCredentialProvider(ctx, in)
	var ae *awserr.Error
	if !errors.As(err, &ae) || ae.Code != "ResourceLimitExceededException" ||
		ae.Message != "You have reached the maximum of 1 API key credential providers in this account and region." {
		t.Fatalf("second create = %v", err)
	}
}

// The rows keep the layout existing databases have: id and name the
// provider's name, no parent or status, and the document's members.
func TestCredentialProviderStoredLayout(t *testing.T) {
	s, st := credentialService(t, Quotas{})
	if _, err := s.CreateApiKeyCredentialProvider(call("CreateApiKeyCredentialProvider", ""),
		&api.CreateApiKeyCredentialProviderRequest{Name: "key", ApiKey: "k"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateOauth2CredentialProvider(call("CreateOauth2CredentialProvider", ""), &api.CreateOauth2CredentialProviderRequest{
		Name: "gh", CredentialProviderVendor: api.CredentialProviderVendorTypeGithubOauth2,
		Oauth2ProviderConfigInput: &api.Oauth2ProviderConfigInput{GithubOauth2ProviderConfig: &api.GithubOauth2ProviderConfigInput{ClientId: "id", ClientSecret: "s"}},
	}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		kind, name, arnType string
		members             []string
	}{
		{KindAPIKeyCredentialProvider, "key", "apikeycredentialprovider", []string{"arn", "createdTime", "lastUpdatedTime", "name", "secrets"}},
		{KindOAuth2CredentialProvider, "gh", "oauth2credentialprovider", []string{"arn", "callbackUrl", "config", "createdTime", "lastUpdatedTime", "name", "secrets", "vendor"}},
	} {
		var row *store.Resource
		err := st.Read(context.Background(), func(tx store.Tx) (err error) {
			row, err = tx.Get(context.Background(), store.Key{Account: "123456789012", Region: "us-east-1", Kind: c.kind, ID: c.name})
			return err
		})
		if err != nil {
			t.Fatalf("%s %s: %v", c.kind, c.name, err)
		}
		wantARN := "arn:aws:bedrock-agentcore:us-east-1:123456789012:token-vault/default/" + c.arnType + "/" + c.name
		if row.Name != c.name || row.ParentID != "" || row.Status != "" || row.ARN != wantARN || row.Summary != nil {
			t.Errorf("%s row = name %q parent %q status %q arn %q summary %s", c.kind, row.Name, row.ParentID, row.Status, row.ARN, row.Summary)
		}
		var doc map[string]json.RawMessage
		if err := json.Unmarshal(row.Doc, &doc); err != nil {
			t.Fatal(err)
		}
		if got := slices.Sorted(maps.Keys(doc)); !slices.Equal(got, c.members) {
			t.Errorf("%s document members = %v, want %v", c.kind, got, c.members)
		}
	}
}

// The combination rules of a secret given in clear or as the customer's
// secret reference, each refused with a ValidationException naming the
// members at fault.
func TestCredentialProviderSecretCombinations(t *testing.T) {
	s, _ := credentialService(t, Quotas{})
	ref := &api.SecretReference{SecretId: "arn:aws:secretsmanager:us-east-1:123456789012:secret:team/openai-AbCdEf", JsonKey: "key"}
	kms := &api.PrivateKeySource{KmsKeySource: &api.KmsKeySourceType{KmsKeyArn: "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"}}
	discovery := &api.Oauth2Discovery{DiscoveryUrl: "https://idp.example.com/.well-known/openid-configuration"}
	apiKey := func(key string, ref *api.SecretReference, src api.SecretSourceType) func(int) error {
		return func(i int) error {
			_, err := s.CreateApiKeyCredentialProvider(call("CreateApiKeyCredentialProvider", ""), &api.CreateApiKeyCredentialProviderRequest{
				Name: fmt.Sprintf("k%d", i), ApiKey: key, ApiKeySecretConfig: ref, ApiKeySecretSource: src})
			return err
		}
	}
	oauth2 := func(prefix string, vendor api.CredentialProviderVendorType, cfg api.Oauth2ProviderConfigInput) func(int) error {
		return func(i int) error {
			_, err := s.CreateOauth2CredentialProvider(call("CreateOauth2CredentialProvider", ""), &api.CreateOauth2CredentialProviderRequest{
				Name: fmt.Sprintf("%s%d", prefix, i), CredentialProviderVendor: vendor, Oauth2ProviderConfigInput: &cfg})
			return err
		}
	}
	payment := func(prefix string, vendor api.PaymentCredentialProviderVendorType, cfg api.PaymentProviderConfigurationInput) func(int) error {
		return func(i int) error {
			_, err := s.CreatePaymentCredentialProvider(call("CreatePaymentCredentialProvider", ""), &api.CreatePaymentCredentialProviderRequest{
				Name: fmt.Sprintf("%s%d", prefix, i), CredentialProviderVendor: vendor, ProviderConfigurationInput: &cfg})
			return err
		}
	}
	custom := func(c api.CustomOauth2ProviderConfigInput) func(int) error {
		c.OauthDiscovery = discovery
		return oauth2("o", api.CredentialProviderVendorTypeCustomOauth2, api.Oauth2ProviderConfigInput{CustomOauth2ProviderConfig: &c})
	}
	github := func(c api.GithubOauth2ProviderConfigInput) func(int) error {
		c.ClientId = "id"
		return oauth2("g", api.CredentialProviderVendorTypeGithubOauth2, api.Oauth2ProviderConfigInput{GithubOauth2ProviderConfig: &c})
	}
	coinbase := func(c api.CoinbaseCdpConfigurationInput) func(int) error {
		c.ApiKeyId = "key-id"
		return payment("p", api.PaymentCredentialProviderVendorTypeCoinbaseCDP, api.PaymentProviderConfigurationInput{CoinbaseCdpConfiguration: &c})
	}
	stripe := func(c api.StripePrivyConfigurationInput) func(int) error {
		c.AppId, c.AuthorizationId = "app", "auth"
		return payment("s", api.PaymentCredentialProviderVendorTypeStripePrivy, api.PaymentProviderConfigurationInput{StripePrivyConfiguration: &c})
	}
	const cb, cp = "providerConfigurationInput.coinbaseCdpConfiguration.", "oauth2ProviderConfigInput.customOauth2ProviderConfig."
	cases := []struct {
		name   string
		create func(int) error
		names  []string // the members the ValidationException names; none: accepted
	}{
		{"api key in clear", apiKey("k", nil, ""), nil},
		{"api key in clear, MANAGED", apiKey("k", nil, api.SecretSourceTypeManaged), nil},
		{"api key reference", apiKey("", ref, ""), nil},
		{"api key reference, EXTERNAL", apiKey("", ref, api.SecretSourceTypeExternal), nil},
		{"api key by secret name", apiKey("", &api.SecretReference{SecretId: "team/openai", JsonKey: "key"}, ""), nil},
		{"api key neither", apiKey("", nil, ""), []string{"'apiKey'", "'apiKeySecretConfig'"}},
		{"api key MANAGED alone", apiKey("", nil, api.SecretSourceTypeManaged), []string{"'apiKey'", "'apiKeySecretConfig'"}},
		{"api key both", apiKey("k", ref, ""), []string{"'apiKey'", "'apiKeySecretConfig'"}},
		{"api key EXTERNAL in clear", apiKey("k", nil, api.SecretSourceTypeExternal), []string{"'apiKeySecretConfig'", "'apiKeySecretSource'"}},
		{"api key EXTERNAL alone", apiKey("", nil, api.SecretSourceTypeExternal), []string{"'apiKeySecretConfig'", "'apiKeySecretSource'"}},
		{"api key MANAGED reference", apiKey("", ref, api.SecretSourceTypeManaged), []string{"'apiKeySecretConfig'", "'apiKeySecretSource'"}},
		{"api key secret of another Region", apiKey("", &api.SecretReference{SecretId: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:x-AbCdEf", JsonKey: "k"}, ""), []string{"'apiKeySecretConfig.secretId'"}},
		{"api key not a secret ARN", apiKey("", &api.SecretReference{SecretId: "arn:aws:s3:::bucket", JsonKey: "k"}, ""), []string{"'apiKeySecretConfig.secretId'"}},

		{"github reference", github(api.GithubOauth2ProviderConfigInput{ClientSecretConfig: ref}), nil},
		{"github neither", github(api.GithubOauth2ProviderConfigInput{}), []string{"'oauth2ProviderConfigInput.githubOauth2ProviderConfig.clientSecret'"}},
		{"github both", github(api.GithubOauth2ProviderConfigInput{ClientSecret: "s", ClientSecretConfig: ref}), []string{"'oauth2ProviderConfigInput.githubOauth2ProviderConfig.clientSecretConfig'"}},
		{"github MANAGED reference", github(api.GithubOauth2ProviderConfigInput{ClientSecretConfig: ref, ClientSecretSource: api.SecretSourceTypeManaged}), []string{"'oauth2ProviderConfigInput.githubOauth2ProviderConfig.clientSecretSource'"}},
		{"custom basic without secret", custom(api.CustomOauth2ProviderConfigInput{ClientId: "id"}), []string{"'" + cp + "clientSecret'"}},
		{"custom basic without client id", custom(api.CustomOauth2ProviderConfigInput{ClientSecret: "s"}), []string{"'" + cp + "clientId'"}},
		{"custom IAM JWT without secret", custom(api.CustomOauth2ProviderConfigInput{ClientAuthenticationMethod: api.ClientAuthenticationMethodTypeAwsIamIdTokenJwt}), nil},
		{"custom private key JWT", custom(api.CustomOauth2ProviderConfigInput{ClientId: "id", ClientAuthenticationMethod: api.ClientAuthenticationMethodTypePrivateKeyJwt,
			PrivateKeyJwtConfig: &api.PrivateKeyJwtConfig{PrivateKeySource: kms, SigningAlgorithm: api.SigningAlgorithmRs256}}), nil},
		{"custom private key JWT without config", custom(api.CustomOauth2ProviderConfigInput{ClientId: "id", ClientAuthenticationMethod: api.ClientAuthenticationMethodTypePrivateKeyJwt}),
			[]string{"'" + cp + "privateKeyJwtConfig'"}},
		{"custom private key JWT without key", custom(api.CustomOauth2ProviderConfigInput{ClientId: "id", ClientAuthenticationMethod: api.ClientAuthenticationMethodTypePrivateKeyJwt,
			PrivateKeyJwtConfig: &api.PrivateKeyJwtConfig{SigningAlgorithm: api.SigningAlgorithmEs256}}), []string{"'" + cp + "privateKeyJwtConfig.privateKeySource'"}},
		{"custom private key JWT without algorithm", custom(api.CustomOauth2ProviderConfigInput{ClientId: "id", ClientAuthenticationMethod: api.ClientAuthenticationMethodTypePrivateKeyJwt,
			PrivateKeyJwtConfig: &api.PrivateKeyJwtConfig{PrivateKeySource: kms}}), []string{"'" + cp + "privateKeyJwtConfig.signingAlgorithm'"}},
		{"custom private key JWT without client id", custom(api.CustomOauth2ProviderConfigInput{ClientAuthenticationMethod: api.ClientAuthenticationMethodTypePrivateKeyJwt,
			PrivateKeyJwtConfig: &api.PrivateKeyJwtConfig{PrivateKeySource: kms, SigningAlgorithm: api.SigningAlgorithmPs256}}), []string{"'" + cp + "clientId'"}},
		{"custom JWT config with basic", custom(api.CustomOauth2ProviderConfigInput{ClientId: "id", ClientSecret: "s",
			PrivateKeyJwtConfig: &api.PrivateKeyJwtConfig{PrivateKeySource: kms, SigningAlgorithm: api.SigningAlgorithmRs256}}), []string{"'" + cp + "privateKeyJwtConfig'"}},

		{"coinbase references", coinbase(api.CoinbaseCdpConfigurationInput{ApiKeySecretConfig: ref, WalletSecret: "w"}), nil},
		{"coinbase no wallet secret", coinbase(api.CoinbaseCdpConfigurationInput{ApiKeySecret: "a"}), []string{"'" + cb + "walletSecret'", "'" + cb + "walletSecretConfig'"}},
		{"coinbase EXTERNAL in clear", coinbase(api.CoinbaseCdpConfigurationInput{ApiKeySecret: "a", ApiKeySecretSource: api.SecretSourceTypeExternal, WalletSecret: "w"}),
			[]string{"'" + cb + "apiKeySecretConfig'", "'" + cb + "apiKeySecretSource'"}},
		{"stripe both", stripe(api.StripePrivyConfigurationInput{AppSecret: "a", AppSecretConfig: ref, AuthorizationPrivateKey: "p"}),
			[]string{"'providerConfigurationInput.stripePrivyConfiguration.appSecret'", "'providerConfigurationInput.stripePrivyConfiguration.appSecretConfig'"}},
		{"stripe no private key", stripe(api.StripePrivyConfigurationInput{AppSecretConfig: ref}),
			[]string{"'providerConfigurationInput.stripePrivyConfiguration.authorizationPrivateKey'"}},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.create(i)
			if c.names == nil {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			var ae *awserr.Error
			if !errors.As(err, &ae) || ae.Code != "ValidationException" {
				t.Fatalf("err = %v, want a ValidationException", err)
			}
			for _, n := range c.names {
				if !strings.Contains(ae.Message, n) {
					t.Errorf("message %q does not name %s", ae.Message, n)
				}
			}
		})
	}
}

// A customer's secret is stored as its reference, never sealed; switching
// back to a key in clear gets an ARN of ours, not the customer's.
func TestCredentialProviderExternalSecretStored(t *testing.T) {
	s, _ := credentialService(t, Quotas{})
	ctx := call("CreateApiKeyCredentialProvider", "")
	out, err := s.CreateApiKeyCredentialProvider(ctx, &api.CreateApiKeyCredentialProviderRequest{
		Name: "ext", ApiKeySecretConfig: &api.SecretReference{SecretId: "team/openai", JsonKey: "key"}})
	if err != nil {
		t.Fatal(err)
	}
	if out.ApiKeySecretArn.SecretArn != "arn:aws:secretsmanager:us-east-1:123456789012:secret:team/openai" ||
		out.ApiKeySecretSource != api.SecretSourceTypeExternal || out.ApiKeySecretJsonKey != "key" {
		t.Errorf("create = %+v %s %s", out.ApiKeySecretArn, out.ApiKeySecretSource, out.ApiKeySecretJsonKey)
	}
	if _, err := s.RevealSecret(context.Background(), "123456789012", "us-east-1", KindAPIKeyCredentialProvider, "ext", "apiKey"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("RevealSecret of a customer's secret = %v, want not found", err)
	}
	up, err := s.UpdateApiKeyCredentialProvider(call("UpdateApiKeyCredentialProvider", ""), &api.UpdateApiKeyCredentialProviderRequest{Name: "ext", ApiKey: "clear"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(up.ApiKeySecretArn.SecretArn, ":secret:bedrock-agentcore-identity!default/apikey/ext-") ||
		up.ApiKeySecretSource != api.SecretSourceTypeManaged || up.ApiKeySecretJsonKey != "" {
		t.Errorf("update = %+v %s %q", up.ApiKeySecretArn, up.ApiKeySecretSource, up.ApiKeySecretJsonKey)
	}
	if v, err := s.RevealSecret(context.Background(), "123456789012", "us-east-1", KindAPIKeyCredentialProvider, "ext", "apiKey"); err != nil || v != "clear" {
		t.Errorf("RevealSecret = %q, %v", v, err)
	}
}
