package e2e

import (
	"context"
	"encoding/json"
	"os/exec"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	ctl "github.com/aws/aws-sdk-go-v2/service/bedrockagentcorecontrol"
	"github.com/aws/aws-sdk-go-v2/service/bedrockagentcorecontrol/types"

	"agentcored/internal/service"
	"agentcored/internal/testserver"
)

const (
	cssSecretARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:team/keys-AbCdEf"
	cssKMSKey    = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
)

// An API key provider takes its key in clear (MANAGED, the default) or as
// the customer's secret (EXTERNAL); each answer says which, Get and Update
// round-trip it, and no answer carries the key.
func TestApiKeyCredentialProviderSecretSources(t *testing.T) {
	srv := testserver.Start(t)
	c, rec := cpRecordingClient(t, srv)
	ctx := context.Background()
	const key = "sk-managed-SECRET-0001"

	created, err := c.CreateApiKeyCredentialProvider(ctx, &ctl.CreateApiKeyCredentialProviderInput{Name: aws.String("managed"), ApiKey: aws.String(key)})
	if err != nil {
		t.Fatal(err)
	}
	if created.ApiKeySecretSource != types.SecretSourceTypeManaged || created.ApiKeySecretJsonKey != nil ||
		!cpSecretARNRe("apikey", "managed").MatchString(aws.ToString(created.ApiKeySecretArn.SecretArn)) {
		t.Errorf("create in clear = source %q, jsonKey %v, arn %s", created.ApiKeySecretSource, created.ApiKeySecretJsonKey, aws.ToString(created.ApiKeySecretArn.SecretArn))
	}

	ext, err := c.CreateApiKeyCredentialProvider(ctx, &ctl.CreateApiKeyCredentialProviderInput{Name: aws.String("external"),
		ApiKeySecretConfig: &types.SecretReference{SecretId: aws.String(cssSecretARN), JsonKey: aws.String("openai")},
		ApiKeySecretSource: types.SecretSourceTypeExternal})
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.GetApiKeyCredentialProvider(ctx, &ctl.GetApiKeyCredentialProviderInput{Name: aws.String("external")})
	if err != nil {
		t.Fatal(err)
	}
	for what, out := range map[string]struct {
		arn     *types.Secret
		src     types.SecretSourceType
		jsonKey *string
	}{"create": {ext.ApiKeySecretArn, ext.ApiKeySecretSource, ext.ApiKeySecretJsonKey}, "get": {got.ApiKeySecretArn, got.ApiKeySecretSource, got.ApiKeySecretJsonKey}} {
		if aws.ToString(out.arn.SecretArn) != cssSecretARN || out.src != types.SecretSourceTypeExternal || aws.ToString(out.jsonKey) != "openai" {
			t.Errorf("%s of a customer's secret = arn %s, source %q, jsonKey %v", what, aws.ToString(out.arn.SecretArn), out.src, aws.ToString(out.jsonKey))
		}
	}

	// Update turns the managed one external (source left to its default).
	up, err := c.UpdateApiKeyCredentialProvider(ctx, &ctl.UpdateApiKeyCredentialProviderInput{Name: aws.String("managed"),
		ApiKeySecretConfig: &types.SecretReference{SecretId: aws.String("team/other"), JsonKey: aws.String("k")}})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(up.ApiKeySecretArn.SecretArn) != "arn:aws:secretsmanager:us-east-1:123456789012:secret:team/other" ||
		up.ApiKeySecretSource != types.SecretSourceTypeExternal || aws.ToString(up.ApiKeySecretJsonKey) != "k" {
		t.Errorf("update to a secret name = arn %s, source %q, jsonKey %v", aws.ToString(up.ApiKeySecretArn.SecretArn), up.ApiKeySecretSource, aws.ToString(up.ApiKeySecretJsonKey))
	}
	got, err = c.GetApiKeyCredentialProvider(ctx, &ctl.GetApiKeyCredentialProviderInput{Name: aws.String("managed")})
	if err != nil || got.ApiKeySecretSource != types.SecretSourceTypeExternal || aws.ToString(got.ApiKeySecretJsonKey) != "k" {
		t.Errorf("get after update = %+v, %v", got, err)
	}

	bad := []struct {
		name   string
		in     ctl.CreateApiKeyCredentialProviderInput
		naming string
	}{
		{"neither", ctl.CreateApiKeyCredentialProviderInput{}, "'apiKeySecretConfig'"},
		{"both", ctl.CreateApiKeyCredentialProviderInput{ApiKey: aws.String(key),
			ApiKeySecretConfig: &types.SecretReference{SecretId: aws.String(cssSecretARN), JsonKey: aws.String("k")}}, "'apiKeySecretConfig'"},
		{"EXTERNAL without config", ctl.CreateApiKeyCredentialProviderInput{ApiKey: aws.String(key), ApiKeySecretSource: types.SecretSourceTypeExternal}, "'apiKeySecretSource'"},
		{"MANAGED with config", ctl.CreateApiKeyCredentialProviderInput{ApiKeySecretSource: types.SecretSourceTypeManaged,
			ApiKeySecretConfig: &types.SecretReference{SecretId: aws.String(cssSecretARN), JsonKey: aws.String("k")}}, "'apiKeySecretSource'"},
		{"secret of another Region", ctl.CreateApiKeyCredentialProviderInput{
			ApiKeySecretConfig: &types.SecretReference{SecretId: aws.String("arn:aws:secretsmanager:eu-west-1:123456789012:secret:x"), JsonKey: aws.String("k")}}, "'apiKeySecretConfig.secretId'"},
	}
	for _, b := range bad {
		t.Run(b.name, func(t *testing.T) {
			in := b.in
			in.Name = aws.String("bad")
			_, err := c.CreateApiKeyCredentialProvider(ctx, &in)
			wantValidation(t, "create "+b.name, err, b.naming)
			_, err = c.UpdateApiKeyCredentialProvider(ctx, &ctl.UpdateApiKeyCredentialProviderInput{Name: aws.String("external"),
				ApiKey: in.ApiKey, ApiKeySecretConfig: in.ApiKeySecretConfig, ApiKeySecretSource: in.ApiKeySecretSource})
			wantValidation(t, "update "+b.name, err, b.naming)
		})
	}
	rec.assertNeverReturned(t, key)
}

// OAuth2 client secrets take the same two forms, and the custom vendor's
// PRIVATE_KEY_JWT configuration round-trips.
func TestOauth2CredentialProviderSecretSourcesAndPrivateKeyJwt(t *testing.T) {
	srv := testserver.Start(t)
	c, rec := cpRecordingClient(t, srv)
	ctx := context.Background()
	const secret, claim = "oauth-SECRET-in-clear-77", "claim-value-1"

	ext, err := c.CreateOauth2CredentialProvider(ctx, &ctl.CreateOauth2CredentialProviderInput{
		Name: aws.String("gh"), CredentialProviderVendor: types.CredentialProviderVendorTypeGithubOauth2,
		Oauth2ProviderConfigInput: &types.Oauth2ProviderConfigInputMemberGithubOauth2ProviderConfig{Value: types.GithubOauth2ProviderConfigInput{
			ClientId: aws.String("id"), ClientSecretConfig: &types.SecretReference{SecretId: aws.String(cssSecretARN), JsonKey: aws.String("github")}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.GetOauth2CredentialProvider(ctx, &ctl.GetOauth2CredentialProviderInput{Name: aws.String("gh")})
	if err != nil {
		t.Fatal(err)
	}
	for what, out := range map[string][3]string{
		"create": {aws.ToString(ext.ClientSecretArn.SecretArn), string(ext.ClientSecretSource), aws.ToString(ext.ClientSecretJsonKey)},
		"get":    {aws.ToString(got.ClientSecretArn.SecretArn), string(got.ClientSecretSource), aws.ToString(got.ClientSecretJsonKey)},
	} {
		if out != [3]string{cssSecretARN, "EXTERNAL", "github"} {
			t.Errorf("%s = %v", what, out)
		}
	}
	up, err := c.UpdateOauth2CredentialProvider(ctx, &ctl.UpdateOauth2CredentialProviderInput{
		Name: aws.String("gh"), CredentialProviderVendor: types.CredentialProviderVendorTypeGithubOauth2,
		Oauth2ProviderConfigInput: &types.Oauth2ProviderConfigInputMemberGithubOauth2ProviderConfig{Value: types.GithubOauth2ProviderConfigInput{
			ClientId: aws.String("id"), ClientSecret: aws.String(secret), ClientSecretSource: types.SecretSourceTypeManaged}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if up.ClientSecretSource != types.SecretSourceTypeManaged || up.ClientSecretJsonKey != nil || !cpSecretARNRe("oauth2", "gh").MatchString(aws.ToString(up.ClientSecretArn.SecretArn)) {
		t.Errorf("update in clear = %s %q %v", aws.ToString(up.ClientSecretArn.SecretArn), up.ClientSecretSource, up.ClientSecretJsonKey)
	}
	if v, err := srv.Service().RevealSecret(ctx, cpArnAccount(t, *up.CredentialProviderArn), "us-east-1", service.KindOAuth2CredentialProvider, "gh", "clientSecret"); err != nil || v != secret {
		t.Errorf("stored client secret = %q, %v", v, err)
	}

	jwt := types.PrivateKeyJwtConfig{
		PrivateKeySource:        &types.PrivateKeySourceMemberKmsKeySource{Value: types.KmsKeySourceType{KmsKeyArn: aws.String(cssKMSKey)}},
		SigningAlgorithm:        types.SigningAlgorithmEs256,
		AdditionalPayloadClaims: map[string]string{"aud": claim},
	}
	custom := func(cfg types.CustomOauth2ProviderConfigInput) *types.Oauth2ProviderConfigInputMemberCustomOauth2ProviderConfig {
		cfg.OauthDiscovery = &types.Oauth2DiscoveryMemberDiscoveryUrl{Value: "https://idp.example.com/.well-known/openid-configuration"}
		return &types.Oauth2ProviderConfigInputMemberCustomOauth2ProviderConfig{Value: cfg}
	}
	pk, err := c.CreateOauth2CredentialProvider(ctx, &ctl.CreateOauth2CredentialProviderInput{
		Name: aws.String("pkjwt"), CredentialProviderVendor: types.CredentialProviderVendorTypeCustomOauth2,
		Oauth2ProviderConfigInput: custom(types.CustomOauth2ProviderConfigInput{ClientId: aws.String("id"),
			ClientAuthenticationMethod: types.ClientAuthenticationMethodTypePrivateKeyJwt, PrivateKeyJwtConfig: &jwt}),
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err = c.GetOauth2CredentialProvider(ctx, &ctl.GetOauth2CredentialProviderInput{Name: aws.String("pkjwt")})
	if err != nil {
		t.Fatal(err)
	}
	for what, out := range map[string]types.Oauth2ProviderConfigOutput{"create": pk.Oauth2ProviderConfigOutput, "get": got.Oauth2ProviderConfigOutput} {
		m, ok := out.(*types.Oauth2ProviderConfigOutputMemberCustomOauth2ProviderConfig)
		if !ok || m.Value.ClientAuthenticationMethod != types.ClientAuthenticationMethodTypePrivateKeyJwt || m.Value.PrivateKeyJwtConfig == nil {
			t.Fatalf("%s output = %#v", what, out)
		}
		j := m.Value.PrivateKeyJwtConfig
		kms, ok := j.PrivateKeySource.(*types.PrivateKeySourceMemberKmsKeySource)
		if !ok || aws.ToString(kms.Value.KmsKeyArn) != cssKMSKey || j.SigningAlgorithm != types.SigningAlgorithmEs256 || j.AdditionalPayloadClaims["aud"] != claim {
			t.Errorf("%s privateKeyJwtConfig = %#v", what, j)
		}
	}

	const cp = "oauth2ProviderConfigInput.customOauth2ProviderConfig."
	for name, in := range map[string]struct {
		cfg    types.Oauth2ProviderConfigInput
		vendor types.CredentialProviderVendorType
		naming string
	}{
		"PRIVATE_KEY_JWT without its config": {custom(types.CustomOauth2ProviderConfigInput{ClientId: aws.String("id"),
			ClientAuthenticationMethod: types.ClientAuthenticationMethodTypePrivateKeyJwt}), types.CredentialProviderVendorTypeCustomOauth2, "'" + cp + "privateKeyJwtConfig'"},
		"JWT config with CLIENT_SECRET_POST": {custom(types.CustomOauth2ProviderConfigInput{ClientId: aws.String("id"), ClientSecret: aws.String(secret),
			ClientAuthenticationMethod: types.ClientAuthenticationMethodTypeClientSecretPost, PrivateKeyJwtConfig: &jwt}), types.CredentialProviderVendorTypeCustomOauth2, "'" + cp + "privateKeyJwtConfig'"},
		"github without a secret": {&types.Oauth2ProviderConfigInputMemberGithubOauth2ProviderConfig{Value: types.GithubOauth2ProviderConfigInput{ClientId: aws.String("id")}},
			types.CredentialProviderVendorTypeGithubOauth2, "'oauth2ProviderConfigInput.githubOauth2ProviderConfig.clientSecretConfig'"},
		"both forms": {&types.Oauth2ProviderConfigInputMemberGoogleOauth2ProviderConfig{Value: types.GoogleOauth2ProviderConfigInput{ClientId: aws.String("id"),
			ClientSecret: aws.String(secret), ClientSecretConfig: &types.SecretReference{SecretId: aws.String(cssSecretARN), JsonKey: aws.String("k")}}},
			types.CredentialProviderVendorTypeGoogleOauth2, "'oauth2ProviderConfigInput.googleOauth2ProviderConfig.clientSecretConfig'"},
	} {
		_, err := c.CreateOauth2CredentialProvider(ctx, &ctl.CreateOauth2CredentialProviderInput{Name: aws.String("bad"), CredentialProviderVendor: in.vendor, Oauth2ProviderConfigInput: in.cfg})
		wantValidation(t, name, err, in.naming)
	}
	rec.assertNeverReturned(t, secret)
}

// Payment providers' four secrets take both forms; outputs carry each
// one's source and, for the customer's secrets, JSON key.
func TestPaymentCredentialProviderSecretSources(t *testing.T) {
	srv := testserver.Start(t)
	c, rec := cpRecordingClient(t, srv)
	ctx := context.Background()
	const wallet, privateKey = "coinbase-WALLET-secret-9", "stripe-PRIVATE-key-9"
	ref := func(k string) *types.SecretReference {
		return &types.SecretReference{SecretId: aws.String(cssSecretARN), JsonKey: aws.String(k)}
	}
	created, err := c.CreatePaymentCredentialProvider(ctx, &ctl.CreatePaymentCredentialProviderInput{
		Name: aws.String("pay"), CredentialProviderVendor: types.PaymentCredentialProviderVendorTypeCoinbaseCDP,
		ProviderConfigurationInput: &types.PaymentProviderConfigurationInputMemberCoinbaseCdpConfiguration{Value: types.CoinbaseCdpConfigurationInput{
			ApiKeyId: aws.String("key-id"), ApiKeySecretConfig: ref("cdp"), ApiKeySecretSource: types.SecretSourceTypeExternal, WalletSecret: aws.String(wallet)}},
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.GetPaymentCredentialProvider(ctx, &ctl.GetPaymentCredentialProviderInput{Name: aws.String("pay")})
	if err != nil {
		t.Fatal(err)
	}
	for what, out := range map[string]types.PaymentProviderConfigurationOutput{"create": created.ProviderConfigurationOutput, "get": got.ProviderConfigurationOutput} {
		cb, ok := out.(*types.PaymentProviderConfigurationOutputMemberCoinbaseCdpConfiguration)
		if !ok {
			t.Fatalf("%s output = %#v", what, out)
		}
		v := cb.Value
		if aws.ToString(v.ApiKeySecretArn.SecretArn) != cssSecretARN || v.ApiKeySecretSource != types.SecretSourceTypeExternal || aws.ToString(v.ApiKeySecretJsonKey) != "cdp" ||
			!cpSecretARNRe("payment", "pay/walletSecret").MatchString(aws.ToString(v.WalletSecretArn.SecretArn)) || v.WalletSecretSource != types.SecretSourceTypeManaged || v.WalletSecretJsonKey != nil {
			t.Errorf("%s coinbase output = %+v", what, v)
		}
	}

	up, err := c.UpdatePaymentCredentialProvider(ctx, &ctl.UpdatePaymentCredentialProviderInput{
		Name: aws.String("pay"), CredentialProviderVendor: types.PaymentCredentialProviderVendorTypeStripePrivy,
		ProviderConfigurationInput: &types.PaymentProviderConfigurationInputMemberStripePrivyConfiguration{Value: types.StripePrivyConfigurationInput{
			AppId: aws.String("app"), AuthorizationId: aws.String("auth"), AppSecretConfig: ref("privy"), AuthorizationPrivateKey: aws.String(privateKey)}},
	})
	if err != nil {
		t.Fatal(err)
	}
	sp, ok := up.ProviderConfigurationOutput.(*types.PaymentProviderConfigurationOutputMemberStripePrivyConfiguration)
	if !ok || aws.ToString(sp.Value.AppSecretArn.SecretArn) != cssSecretARN || sp.Value.AppSecretSource != types.SecretSourceTypeExternal ||
		aws.ToString(sp.Value.AppSecretJsonKey) != "privy" || sp.Value.AuthorizationPrivateKeySource != types.SecretSourceTypeManaged {
		t.Errorf("stripe output = %#v", up.ProviderConfigurationOutput)
	}

	const cb = "providerConfigurationInput.coinbaseCdpConfiguration."
	for name, in := range map[string]struct {
		cfg    types.CoinbaseCdpConfigurationInput
		naming string
	}{
		"no wallet secret":        {types.CoinbaseCdpConfigurationInput{ApiKeySecret: aws.String("a")}, "'" + cb + "walletSecret'"},
		"both api key secrets":    {types.CoinbaseCdpConfigurationInput{ApiKeySecret: aws.String("a"), ApiKeySecretConfig: ref("k"), WalletSecret: aws.String("w")}, "'" + cb + "apiKeySecretConfig'"},
		"EXTERNAL without config": {types.CoinbaseCdpConfigurationInput{ApiKeySecret: aws.String("a"), WalletSecret: aws.String("w"), WalletSecretSource: types.SecretSourceTypeExternal}, "'" + cb + "walletSecretSource'"},
	} {
		cfg := in.cfg
		cfg.ApiKeyId = aws.String("key-id")
		_, err := c.CreatePaymentCredentialProvider(ctx, &ctl.CreatePaymentCredentialProviderInput{Name: aws.String("bad"),
			CredentialProviderVendor:   types.PaymentCredentialProviderVendorTypeCoinbaseCDP,
			ProviderConfigurationInput: &types.PaymentProviderConfigurationInputMemberCoinbaseCdpConfiguration{Value: cfg}})
		wantValidation(t, name, err, in.naming)
	}
	rec.assertNeverReturned(t, wallet, privateKey)
}

// boto3, on the repository's model, sends the new members and reads them
// back.
func TestApiKeyCredentialProviderSecretSourceBoto3(t *testing.T) {
	py := admPython(t, "boto3")
	srv := testserver.Start(t)
	cmd := exec.Command(py, "-c", `import json, os, boto3
c = boto3.client("bedrock-agentcore-control", endpoint_url=os.environ["ENDPOINT"], region_name="us-east-1",
    aws_access_key_id="AKIAIOSFODNN7EXAMPLE", aws_secret_access_key="wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
c.create_api_key_credential_provider(name="boto", apiKeySecretConfig={"secretId": os.environ["SECRET"], "jsonKey": "k"}, apiKeySecretSource="EXTERNAL")
g = c.get_api_key_credential_provider(name="boto")
try:
    c.create_api_key_credential_provider(name="bad", apiKey="x", apiKeySecretSource="EXTERNAL")
    err = None
except c.exceptions.ValidationException as e:
    err = e.response["Error"]["Message"]
print(json.dumps({"arn": g["apiKeySecretArn"]["secretArn"], "source": g["apiKeySecretSource"], "jsonKey": g["apiKeySecretJsonKey"], "err": err}))`)
	cmd.Env = append(cleanAWSEnv(), "ENDPOINT="+srv.URL, "SECRET="+cssSecretARN)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("boto3: %v\n%s", err, out)
	}
	var got struct{ Arn, Source, JsonKey, Err string }
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if got.Arn != cssSecretARN || got.Source != "EXTERNAL" || got.JsonKey != "k" || !strings.Contains(got.Err, "'apiKeySecretConfig'") {
		t.Errorf("boto3 saw %+v", got)
	}
}
