package service

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/google/uuid"

	"agentcored/internal/api"
	"agentcored/internal/awserr"
	"agentcored/internal/members"
	"agentcored/internal/model"
	"agentcored/internal/store"
	"agentcored/internal/vault"
)

// Credential providers (API key, OAuth2, payment) live in the account's one
// token vault, "default". They are synchronous (201/200/204), named uniquely
// per account and region, with epoch-second timestamps.
//
// Secret values (the API key, OAuth2 client secrets, payment provider keys:
// every sensitive string member of a structure) never reach the store in
// clear: each is sealed with s.secrets, bound to the provider's ARN and the
// member name, and kept base64 in the document. The API answers only with the
// Secrets Manager-style ARN that names a secret, never with its value, and
// nothing here logs a request.
//
// Decisions on secret sources (botocore 1.43.67; the developer guide's "Add
// API key" and "Client authentication methods" pages, the API reference of
// SecretReference, CreateApiKeyCredentialProvider and the SDKs' docs of
// *SecretConfig: "Required when *SecretSource is set to EXTERNAL"):
//   - Each secret X comes either in clear (X: sealed, source MANAGED, an ARN
//     of ours) or as XConfig, a SecretReference to the customer's own secret
//     (source EXTERNAL, stored as given: a reference is not a secret value).
//     XSource may be omitted: it is EXTERNAL when XConfig is given, else
//     MANAGED. X and XConfig together, EXTERNAL without XConfig (or with X),
//     and MANAGED with XConfig are ValidationExceptions naming the members.
//   - Neither X nor XConfig is a ValidationException for the API key, the
//     payment secrets and the client secret of built-in OAuth2 vendors (the
//     model required X before XConfig existed); a custom OAuth2 client needs
//     one only with CLIENT_SECRET_BASIC (the default) or CLIENT_SECRET_POST.
//   - Answers report XSource (MANAGED also for providers stored before
//     sources existed), XJsonKey for an external secret, and as XArn the
//     customer's secret: its ARN as given, or for a secret name [infer] the
//     partial ARN arn:aws:secretsmanager:<region>:<account>:secret:<name>
//     (this server cannot ask Secrets Manager for the full one). A secret
//     ARN of another Region is refused: cross-Region secrets are not
//     supported (AWS blog "Reference your own AWS Secrets Manager secrets in
//     Amazon Bedrock AgentCore Identity").
//   - PRIVATE_KEY_JWT (custom OAuth2 only) needs clientId and
//     privateKeyJwtConfig with privateKeySource and signingAlgorithm, and no
//     client secret (guide "Private Key JWT client authentication");
//     [infer] privateKeyJwtConfig with another method is refused. Its claim
//     values are configuration the model's output returns, kept as given.
//
// Each kind is a family over the one record shape below, whose row id is the
// provider's name; the quota (Quotas.IdentitiesPerAccount per kind) is
// checked before the name.

// Kinds of the credential-provider families in the store (for RevealSecret).
const (
	KindAPIKeyCredentialProvider  = "apikey-credential-provider"
	KindOAuth2CredentialProvider  = "oauth2-credential-provider"
	KindPaymentCredentialProvider = "payment-credential-provider"
)

// credentialRecord is the stored document of a credential provider of any
// kind.
type credentialRecord struct {
	Name                  string `json:"name"`
	CredentialProviderArn string `json:"arn"`
	Vendor                string `json:"vendor,omitempty"`
	CallbackUrl           string `json:"callbackUrl,omitempty"`
	// Config is the provider configuration as given, each secret member
	// replaced by "<member>Arn": {"secretArn": ...}; for OAuth2 completed
	// with the vendor's oauthDiscovery.
	Config json.RawMessage `json:"config,omitempty"`
	// Secrets maps a secret member name ("apiKey", "clientSecret", ...) to
	// its ARN and sealed value.
	Secrets         map[string]vault.Secret `json:"secrets"`
	CreatedTime     api.EpochTime           `json:"createdTime"`
	LastUpdatedTime api.EpochTime           `json:"lastUpdatedTime"`
}

func (r *credentialRecord) secret(member string) *api.Secret {
	if sec, ok := r.Secrets[member]; ok {
		return &api.Secret{SecretArn: sec.SecretArn}
	}
	return nil
}

// credentialKind is one kind of credential provider: its family, where its
// secrets are named, and how its record reads as the model's Get*Response
// (Full), from which every other answer is projected.
type credentialKind[Full any] struct {
	*family[credentialRecord]
	secrets vault.Naming
	view    func(*credentialRecord) (*Full, error)
	// callback: providers get the URL of their OAuth2 callback at creation.
	callback bool
}

// credentialFamily is the family of one kind, whose ARN is
// ...:token-vault/default/<arnType>/<name>.
func credentialFamily(kind, arnType, noun string) *family[credentialRecord] {
	return &family[credentialRecord]{
		kind: kind, noun: noun, listLimit: 10,
		arnOf:   func(sc scope, _, name string) string { return sc.arn("token-vault/default/" + arnType + "/" + name) },
		newID:   func(name string) string { return name },
		fields:  fields{ID: "Name", ARN: "CredentialProviderArn", Created: "CreatedTime", Updated: "LastUpdatedTime"},
		quota:   func(q Quotas) int { return q.IdentitiesPerAccount },
		missing: func(_, name string) error { return awserr.NotFound("The %s '%s' was not found.", noun, name) },
		taken: func(_, name string) error {
			return awserr.Conflict("A credential provider named '%s' already exists.", name)
		},
		full: func(_ string, quota int) error {
			return awserr.Errorf("ResourceLimitExceededException", "You have reached the maximum of %d %ss in this account and region.", quota, noun)
		},
	}
}

var apiKeyProviders = &credentialKind[api.GetApiKeyCredentialProviderResponse]{
	family:  credentialFamily(KindAPIKeyCredentialProvider, "apikeycredentialprovider", "API key credential provider"),
	secrets: vault.Naming{Dir: "apikey"},
	view: func(rec *credentialRecord) (*api.GetApiKeyCredentialProviderResponse, error) {
		out := members.Project[api.GetApiKeyCredentialProviderResponse](rec)
		out.ApiKeySecretArn = rec.secret("apiKey")
		if sec, ok := rec.Secrets["apiKey"]; ok {
			out.ApiKeySecretSource, out.ApiKeySecretJsonKey = sec.Reported(), sec.JsonKey
		}
		return out, nil
	},
}

var oauth2Providers = &credentialKind[api.GetOauth2CredentialProviderResponse]{
	family:   credentialFamily(KindOAuth2CredentialProvider, "oauth2credentialprovider", "OAuth2 credential provider"),
	secrets:  vault.Naming{Dir: "oauth2"},
	callback: true,
	view: func(rec *credentialRecord) (*api.GetOauth2CredentialProviderResponse, error) {
		out := members.Project[api.GetOauth2CredentialProviderResponse](rec)
		out.ClientSecretArn, out.Status = rec.secret("clientSecret"), api.StatusReady
		if sec, ok := rec.Secrets["clientSecret"]; ok {
			out.ClientSecretSource, out.ClientSecretJsonKey = sec.Reported(), sec.JsonKey
		}
		out.CredentialProviderVendor = api.CredentialProviderVendorType(rec.Vendor)
		return out, decodeConfig(rec, &out.Oauth2ProviderConfigOutput)
	},
}

var paymentProviders = &credentialKind[api.GetPaymentCredentialProviderResponse]{
	family:  credentialFamily(KindPaymentCredentialProvider, "paymentcredentialprovider", "payment credential provider"),
	secrets: vault.Naming{Dir: "payment", PerMember: true},
	view: func(rec *credentialRecord) (*api.GetPaymentCredentialProviderResponse, error) {
		out := members.Project[api.GetPaymentCredentialProviderResponse](rec)
		out.CredentialProviderVendor = api.PaymentCredentialProviderVendorType(rec.Vendor)
		return out, decodeConfig(rec, &out.ProviderConfigurationOutput)
	},
}

// answer projects a record, read as its kind's Get*Response, on Out.
func answer[Out, Full any](k *credentialKind[Full], rec *credentialRecord, err error) (*Out, error) {
	if err != nil {
		return nil, err
	}
	full, err := k.view(rec)
	if err != nil {
		return nil, err
	}
	return members.Project[Out](full), nil
}

// createProvider creates a provider whose vendor, config and secrets fill
// sets through the sealer.
func createProvider[Out, Full any](ctx context.Context, s *Service, k *credentialKind[Full], name string, tags map[string]string, fill func(*vault.Sealer) error) (*Out, error) {
	if err := s.checkFill(ctx, k.secrets, fill); err != nil {
		return nil, err
	}
	// The quota first, then the engine's name (and quota) check.
	quotaFirst := func(tx store.Tx, sc scope) error { return k.checkRoom(ctx, s, tx, sc, "", "") }
	rec, err := create[credentialRecord](ctx, s, k.family, creation{name: name, tags: tags, check: quotaFirst},
		func(_ store.Tx, sc scope, rec *credentialRecord) error {
			if k.callback {
				rec.CallbackUrl = "https://bedrock-agentcore." + sc.region + ".amazonaws.com/identities/oauth2/callback/" + uuid.NewString()
			}
			return s.sealSecrets(sc, k.secrets, rec, fill)
		})
	return answer[Out](k, rec, err)
}

// updateProvider replaces a provider's vendor, config and secrets through
// fill.
func updateProvider[Out, Full any](ctx context.Context, s *Service, k *credentialKind[Full], name string, fill func(*vault.Sealer) error) (*Out, error) {
	if err := s.checkFill(ctx, k.secrets, fill); err != nil {
		return nil, err
	}
	rec, err := update[credentialRecord](ctx, s, k.family, "", name, nil,
		func(_ store.Tx, sc scope, _ *store.Resource, rec *credentialRecord) error {
			return s.sealSecrets(sc, k.secrets, rec, fill)
		})
	return answer[Out](k, rec, err)
}

func getProvider[Full any](ctx context.Context, s *Service, k *credentialKind[Full], name string) (*Full, error) {
	rec, err := get[credentialRecord](ctx, s, k.family, "", name)
	return answer[Full](k, rec, err)
}

// listProviders answers one page of a kind as its List*Response Out, whose
// entries are Items.
func listProviders[Out, Item, Full any](ctx context.Context, s *Service, k *credentialKind[Full], maxResults *int64, nextToken string) (*Out, error) {
	recs, next, err := list[credentialRecord](ctx, s, k.family, listing[credentialRecord]{maxResults: maxResults, nextToken: nextToken})
	if err != nil {
		return nil, err
	}
	items := make([]Item, 0, len(recs))
	for i := range recs {
		item, err := answer[Item](k, &recs[i], nil)
		if err != nil {
			return nil, err
		}
		items = append(items, *item)
	}
	return members.Project[Out](struct {
		CredentialProviders []Item
		NextToken           string
	}{items, next}), nil
}

// secretSuffix ends a new secret's name, as Secrets Manager's 6 random
// characters do.
func secretSuffix() string { return randomString(idAlphabet, 6) }

// sealSecrets runs fill over a sealer for rec, then makes the collected
// secrets, config and vendor the record's: members not given this time are
// gone.
func (s *Service) sealSecrets(sc scope, names vault.Naming, rec *credentialRecord, fill func(*vault.Sealer) error) error {
	z := &vault.Sealer{Box: s.secrets, Account: sc.account, Region: sc.region, Naming: names,
		Provider: rec.Name, ProviderARN: rec.CredentialProviderArn, NewSuffix: secretSuffix,
		Old: rec.Secrets, Next: map[string]vault.Secret{}, Vendor: rec.Vendor}
	if err := fill(z); err != nil {
		return err
	}
	rec.Secrets, rec.Vendor = z.Next, z.Vendor
	if z.Config != nil {
		rec.Config = encodeDoc(z.Config)
	}
	return nil
}

// checkFill runs fill on a scratch record, so that the request's own
// errors come before the store's (not found, name taken, quota).
func (s *Service) checkFill(ctx context.Context, names vault.Naming, fill func(*vault.Sealer) error) error {
	return s.sealSecrets(scopeOf(ctx), names, &credentialRecord{}, fill)
}

// decodeConfig decodes the provider's stored config into the model's
// output union.
func decodeConfig(rec *credentialRecord, union any) error {
	if err := vault.DecodeConfig(rec.Config, union); err != nil {
		return fmt.Errorf("decode config of credential provider %s: %w", rec.Name, err)
	}
	return nil
}

// RevealSecret returns the clear value of one secret member of a credential
// provider ("apiKey" of an API key provider, "clientSecret" of an OAuth2
// provider, ...). It is for the data plane and tests; no control-plane
// operation returns a secret.
func (s *Service) RevealSecret(ctx context.Context, account, region, kind, name, member string) (string, error) {
	var rec *credentialRecord
	err := s.store.Read(ctx, func(tx store.Tx) (err error) {
		_, rec, err = loadDoc[credentialRecord](ctx, tx, store.Key{Account: account, Region: region, Kind: kind, ID: name},
			func() error { return store.ErrNotFound })
		return err
	})
	if err != nil {
		return "", err
	}
	sec, ok := rec.Secrets[member]
	plain, err := vault.Open(s.secrets, rec.CredentialProviderArn, member, sec, ok)
	if errors.Is(err, vault.ErrNoSecret) {
		return "", fmt.Errorf("%s %s: %w: %w", kind, name, err, store.ErrNotFound)
	}
	return plain, err
}

// ---- API key credential providers ----

// sealAPIKey keeps the key in clear (sealed) or the reference to the
// customer's secret, through the same rules as every other secret.
func sealAPIKey(key string, ref *api.SecretReference, source api.SecretSourceType) func(*vault.Sealer) error {
	return func(z *vault.Sealer) error {
		doc := map[string]any{}
		if key != "" {
			doc["apiKey"] = key
		}
		if ref != nil {
			doc["apiKeySecretConfig"] = map[string]any{"secretId": ref.SecretId, "jsonKey": ref.JsonKey}
		}
		if source != "" {
			doc["apiKeySecretSource"] = string(source)
		}
		return z.SecretPair(doc, "apiKey", "apiKeySecret", "")
	}
}

func (s *Service) CreateApiKeyCredentialProvider(ctx context.Context, in *api.CreateApiKeyCredentialProviderRequest) (*api.CreateApiKeyCredentialProviderResponse, error) {
	return createProvider[api.CreateApiKeyCredentialProviderResponse](ctx, s, apiKeyProviders, in.Name, in.Tags,
		sealAPIKey(in.ApiKey, in.ApiKeySecretConfig, in.ApiKeySecretSource))
}

func (s *Service) GetApiKeyCredentialProvider(ctx context.Context, in *api.GetApiKeyCredentialProviderRequest) (*api.GetApiKeyCredentialProviderResponse, error) {
	return getProvider(ctx, s, apiKeyProviders, in.Name)
}

func (s *Service) UpdateApiKeyCredentialProvider(ctx context.Context, in *api.UpdateApiKeyCredentialProviderRequest) (*api.UpdateApiKeyCredentialProviderResponse, error) {
	return updateProvider[api.UpdateApiKeyCredentialProviderResponse](ctx, s, apiKeyProviders, in.Name,
		sealAPIKey(in.ApiKey, in.ApiKeySecretConfig, in.ApiKeySecretSource))
}

func (s *Service) DeleteApiKeyCredentialProvider(ctx context.Context, in *api.DeleteApiKeyCredentialProviderRequest) (*api.DeleteApiKeyCredentialProviderResponse, error) {
	return remove[api.DeleteApiKeyCredentialProviderResponse](ctx, s, apiKeyProviders.family, "", in.Name)
}

func (s *Service) ListApiKeyCredentialProviders(ctx context.Context, in *api.ListApiKeyCredentialProvidersRequest) (*api.ListApiKeyCredentialProvidersResponse, error) {
	return listProviders[api.ListApiKeyCredentialProvidersResponse, api.ApiKeyCredentialProviderItem](ctx, s, apiKeyProviders, in.MaxResults, in.NextToken)
}

// ---- OAuth2 credential providers ----

// oauth2ConfigMember is the member of Oauth2ProviderConfigInput a vendor
// takes: its own when the model has one (googleOauth2ProviderConfig for
// GoogleOauth2, customOauth2ProviderConfig for CustomOauth2), else the
// shared includedOauth2ProviderConfig.
func oauth2ConfigMember(vendor api.CredentialProviderVendorType) string {
	base := strings.TrimSuffix(string(vendor), "Oauth2")
	if base != "" {
		own := strings.ToLower(base[:1]) + base[1:] + "Oauth2ProviderConfig"
		for _, m := range model.Shapes[vault.InputMemberShape("CreateOauth2CredentialProvider", "oauth2ProviderConfigInput")].Members {
			if m.Name == own {
				return own
			}
		}
	}
	return "includedOauth2ProviderConfig"
}

// vendorEndpoints are the OAuth2 endpoints of vendors whose endpoints do not
// depend on the customer's tenant. [infer] The service answers with such
// metadata for built-in vendors; the exact values are the vendors' public
// endpoints.
var vendorEndpoints = map[api.CredentialProviderVendorType][3]string{ // issuer, authorization, token
	api.CredentialProviderVendorTypeGoogleOauth2:     {"https://accounts.google.com", "https://accounts.google.com/o/oauth2/v2/auth", "https://oauth2.googleapis.com/token"},
	api.CredentialProviderVendorTypeGithubOauth2:     {"https://github.com", "https://github.com/login/oauth/authorize", "https://github.com/login/oauth/access_token"},
	api.CredentialProviderVendorTypeSlackOauth2:      {"https://slack.com", "https://slack.com/oauth/v2/authorize", "https://slack.com/api/oauth.v2.access"},
	api.CredentialProviderVendorTypeSalesforceOauth2: {"https://login.salesforce.com", "https://login.salesforce.com/services/oauth2/authorize", "https://login.salesforce.com/services/oauth2/token"},
	api.CredentialProviderVendorTypeAtlassianOauth2:  {"https://auth.atlassian.com", "https://auth.atlassian.com/authorize", "https://auth.atlassian.com/oauth/token"},
	api.CredentialProviderVendorTypeLinkedinOauth2:   {"https://www.linkedin.com/oauth", "https://www.linkedin.com/oauth/v2/authorization", "https://www.linkedin.com/oauth/v2/accessToken"},
	api.CredentialProviderVendorTypeXOauth2:          {"https://x.com", "https://x.com/i/oauth2/authorize", "https://api.x.com/2/oauth2/token"},
	api.CredentialProviderVendorTypeFacebookOauth2:   {"https://www.facebook.com", "https://www.facebook.com/dialog/oauth", "https://graph.facebook.com/oauth/access_token"},
	api.CredentialProviderVendorTypeYandexOauth2:     {"https://oauth.yandex.com", "https://oauth.yandex.com/authorize", "https://oauth.yandex.com/token"},
	api.CredentialProviderVendorTypeRedditOauth2:     {"https://www.reddit.com", "https://www.reddit.com/api/v1/authorize", "https://www.reddit.com/api/v1/access_token"},
	api.CredentialProviderVendorTypeZoomOauth2:       {"https://zoom.us", "https://zoom.us/oauth/authorize", "https://zoom.us/oauth/token"},
	api.CredentialProviderVendorTypeTwitchOauth2:     {"https://id.twitch.tv/oauth2", "https://id.twitch.tv/oauth2/authorize", "https://id.twitch.tv/oauth2/token"},
	api.CredentialProviderVendorTypeSpotifyOauth2:    {"https://accounts.spotify.com", "https://accounts.spotify.com/authorize", "https://accounts.spotify.com/api/token"},
	api.CredentialProviderVendorTypeDropboxOauth2:    {"https://www.dropbox.com", "https://www.dropbox.com/oauth2/authorize", "https://api.dropboxapi.com/oauth2/token"},
	api.CredentialProviderVendorTypeNotionOauth2:     {"https://api.notion.com", "https://api.notion.com/v1/oauth/authorize", "https://api.notion.com/v1/oauth/token"},
	api.CredentialProviderVendorTypeHubspotOauth2:    {"https://app.hubspot.com", "https://app.hubspot.com/oauth/authorize", "https://api.hubapi.com/oauth/v1/token"},
}

// oauthDiscovery is the discovery information the service reports for a
// vendor config that did not give its own: the endpoints the caller gave
// (included vendors), the issuer's OIDC discovery document, or the vendor's
// well-known endpoints.
func oauthDiscovery(vendor api.CredentialProviderVendorType, cfg map[string]any) map[string]any {
	str := func(k string) string { v, _ := cfg[k].(string); return v }
	issuer, authz, token := str("issuer"), str("authorizationEndpoint"), str("tokenEndpoint")
	if vendor == api.CredentialProviderVendorTypeMicrosoftOauth2 {
		base := "https://login.microsoftonline.com/" + cmp.Or(str("tenantId"), "common")
		issuer, authz, token = base+"/v2.0", base+"/oauth2/v2.0/authorize", base+"/oauth2/v2.0/token"
	}
	known, isKnown := vendorEndpoints[vendor]
	if authz == "" && token == "" && issuer != "" && !isKnown {
		return map[string]any{"discoveryUrl": strings.TrimSuffix(issuer, "/") + "/.well-known/openid-configuration"}
	}
	meta := map[string]any{"responseTypes": []any{"code"}}
	for k, v := range map[string]string{"issuer": cmp.Or(issuer, known[0]), "authorizationEndpoint": cmp.Or(authz, known[1]), "tokenEndpoint": cmp.Or(token, known[2])} {
		if v != "" {
			meta[k] = v
		}
	}
	return map[string]any{"authorizationServerMetadata": meta}
}

// sealOauth2Config checks that the config fits the vendor, seals its
// secrets and stores it with its discovery information.
func sealOauth2Config(vendor api.CredentialProviderVendorType, in *api.Oauth2ProviderConfigInput) func(*vault.Sealer) error {
	return func(z *vault.Sealer) error {
		if vendor == api.CredentialProviderVendorTypeCustomOauth2 && in != nil && in.CustomOauth2ProviderConfig != nil {
			secretOptional, err := checkCustomOauth2(in.CustomOauth2ProviderConfig)
			if err != nil {
				return err
			}
			z.Optional = map[string]bool{"clientSecret": secretOptional}
		}
		if err := z.SealConfig("CreateOauth2CredentialProvider", "oauth2ProviderConfigInput", string(vendor), oauth2ConfigMember(vendor), in); err != nil {
			return err
		}
		cfg := z.VendorConfig()
		if _, ok := cfg["oauthDiscovery"]; !ok && cfg != nil {
			cfg["oauthDiscovery"] = oauthDiscovery(vendor, cfg)
		}
		// An OAuth2 provider always names its client secret, even without one.
		if _, ok := z.Next["clientSecret"]; !ok {
			if _, err := z.Seal("clientSecret", ""); err != nil {
				return err
			}
		}
		return nil
	}
}

// checkCustomOauth2 applies the rules of the custom vendor's client
// authentication methods; it reports whether the client may have no secret.
func checkCustomOauth2(c *api.CustomOauth2ProviderConfigInput) (secretOptional bool, err error) {
	const p = "oauth2ProviderConfigInput.customOauth2ProviderConfig."
	method := cmp.Or(c.ClientAuthenticationMethod, api.ClientAuthenticationMethodTypeClientSecretBasic)
	if method == api.ClientAuthenticationMethodTypePrivateKeyJwt {
		jwt := c.PrivateKeyJwtConfig
		switch {
		case jwt == nil:
			return false, awserr.Validation("1 validation error detected: '%sprivateKeyJwtConfig' is required when '%sclientAuthenticationMethod' is PRIVATE_KEY_JWT.", p, p)
		case jwt.PrivateKeySource == nil:
			return false, awserr.Validation("1 validation error detected: '%sprivateKeyJwtConfig.privateKeySource' is required when '%sclientAuthenticationMethod' is PRIVATE_KEY_JWT.", p, p)
		case jwt.SigningAlgorithm == "":
			return false, awserr.Validation("1 validation error detected: '%sprivateKeyJwtConfig.signingAlgorithm' is required when '%sclientAuthenticationMethod' is PRIVATE_KEY_JWT.", p, p)
		}
	} else if c.PrivateKeyJwtConfig != nil {
		return false, awserr.Validation("1 validation error detected: '%sprivateKeyJwtConfig' can only be given when '%sclientAuthenticationMethod' is PRIVATE_KEY_JWT.", p, p)
	}
	// AWS_IAM_ID_TOKEN_JWT needs a client ID only for user-delegated access,
	// which is decided when a token is asked for, not here.
	if method == api.ClientAuthenticationMethodTypeAwsIamIdTokenJwt {
		return true, nil
	}
	if c.ClientId == "" {
		return false, awserr.Validation("1 validation error detected: '%sclientId' is required when '%sclientAuthenticationMethod' is %s.", p, p, method)
	}
	return method == api.ClientAuthenticationMethodTypePrivateKeyJwt, nil
}

func (s *Service) CreateOauth2CredentialProvider(ctx context.Context, in *api.CreateOauth2CredentialProviderRequest) (*api.CreateOauth2CredentialProviderResponse, error) {
	return createProvider[api.CreateOauth2CredentialProviderResponse](ctx, s, oauth2Providers, in.Name, in.Tags,
		sealOauth2Config(in.CredentialProviderVendor, in.Oauth2ProviderConfigInput))
}

func (s *Service) GetOauth2CredentialProvider(ctx context.Context, in *api.GetOauth2CredentialProviderRequest) (*api.GetOauth2CredentialProviderResponse, error) {
	return getProvider(ctx, s, oauth2Providers, in.Name)
}

func (s *Service) UpdateOauth2CredentialProvider(ctx context.Context, in *api.UpdateOauth2CredentialProviderRequest) (*api.UpdateOauth2CredentialProviderResponse, error) {
	return updateProvider[api.UpdateOauth2CredentialProviderResponse](ctx, s, oauth2Providers, in.Name,
		sealOauth2Config(in.CredentialProviderVendor, in.Oauth2ProviderConfigInput))
}

func (s *Service) DeleteOauth2CredentialProvider(ctx context.Context, in *api.DeleteOauth2CredentialProviderRequest) (*api.DeleteOauth2CredentialProviderResponse, error) {
	return remove[api.DeleteOauth2CredentialProviderResponse](ctx, s, oauth2Providers.family, "", in.Name)
}

func (s *Service) ListOauth2CredentialProviders(ctx context.Context, in *api.ListOauth2CredentialProvidersRequest) (*api.ListOauth2CredentialProvidersResponse, error) {
	return listProviders[api.ListOauth2CredentialProvidersResponse, api.Oauth2CredentialProviderItem](ctx, s, oauth2Providers, in.MaxResults, in.NextToken)
}

// ---- Payment credential providers ----

var paymentConfigMembers = map[api.PaymentCredentialProviderVendorType]string{
	api.PaymentCredentialProviderVendorTypeCoinbaseCDP: "coinbaseCdpConfiguration",
	api.PaymentCredentialProviderVendorTypeStripePrivy: "stripePrivyConfiguration",
}

func sealPaymentConfig(vendor api.PaymentCredentialProviderVendorType, in *api.PaymentProviderConfigurationInput) func(*vault.Sealer) error {
	return func(z *vault.Sealer) error {
		return z.SealConfig("CreatePaymentCredentialProvider", "providerConfigurationInput", string(vendor), paymentConfigMembers[vendor], in)
	}
}

func (s *Service) CreatePaymentCredentialProvider(ctx context.Context, in *api.CreatePaymentCredentialProviderRequest) (*api.CreatePaymentCredentialProviderResponse, error) {
	return createProvider[api.CreatePaymentCredentialProviderResponse](ctx, s, paymentProviders, in.Name, in.Tags,
		sealPaymentConfig(in.CredentialProviderVendor, in.ProviderConfigurationInput))
}

// GetPaymentCredentialProvider also reports the provider's tags (the
// model's output has them), read in the same transaction.
func (s *Service) GetPaymentCredentialProvider(ctx context.Context, in *api.GetPaymentCredentialProviderRequest) (*api.GetPaymentCredentialProviderResponse, error) {
	sc := scopeOf(ctx)
	var rec *credentialRecord
	var tags map[string]string
	err := s.read(ctx, func(tx store.Tx) (err error) {
		if _, rec, err = paymentProviders.load(ctx, tx, sc, "", in.Name); err == nil {
			tags, err = tx.Tags(ctx, rec.CredentialProviderArn)
		}
		return err
	})
	out, err := answer[api.GetPaymentCredentialProviderResponse](paymentProviders, rec, err)
	if err == nil && len(tags) > 0 {
		out.Tags = tags
	}
	return out, err
}

func (s *Service) UpdatePaymentCredentialProvider(ctx context.Context, in *api.UpdatePaymentCredentialProviderRequest) (*api.UpdatePaymentCredentialProviderResponse, error) {
	return updateProvider[api.UpdatePaymentCredentialProviderResponse](ctx, s, paymentProviders, in.Name,
		sealPaymentConfig(in.CredentialProviderVendor, in.ProviderConfigurationInput))
}

func (s *Service) DeletePaymentCredentialProvider(ctx context.Context, in *api.DeletePaymentCredentialProviderRequest) (*api.DeletePaymentCredentialProviderResponse, error) {
	return remove[api.DeletePaymentCredentialProviderResponse](ctx, s, paymentProviders.family, "", in.Name)
}

func (s *Service) ListPaymentCredentialProviders(ctx context.Context, in *api.ListPaymentCredentialProvidersRequest) (*api.ListPaymentCredentialProvidersResponse, error) {
	return listProviders[api.ListPaymentCredentialProvidersResponse, api.PaymentCredentialProviderItem](ctx, s, paymentProviders, in.MaxResults, in.NextToken)
}
