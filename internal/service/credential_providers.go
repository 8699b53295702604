package service

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"agentcored/internal/api"
	"agentcored/internal/awserr"
	"agentcored/internal/model"
	"agentcored/internal/secrets"
	"agentcored/internal/store"
)

// Credential providers (API key, OAuth2, payment) live in the account's one
// token vault, "default". They are synchronous (201/200/204), named uniquely
// per account and region, with epoch-second timestamps.
//
// Secret values (the API key, OAuth2 client secrets, payment provider keys:
// every member the model marks sensitive) never reach the store in clear:
// each is sealed with s.secrets, bound to the provider's ARN and the member
// name, and kept base64 in the document. The API answers only with the
// Secrets Manager-style ARN that names a secret, never with its value, and
// nothing here logs a request.

type credentialFamily struct {
	kind string
	// arnType is the resource type in the ARN and secretDir the folder of
	// its secrets' names.
	arnType, secretDir string
	noun               string // for messages
}

// Kinds of the credential-provider families in the store (for RevealSecret).
const (
	KindAPIKeyCredentialProvider  = "apikey-credential-provider"
	KindOAuth2CredentialProvider  = "oauth2-credential-provider"
	KindPaymentCredentialProvider = "payment-credential-provider"
)

var (
	apiKeyProviders = credentialFamily{kind: KindAPIKeyCredentialProvider, arnType: "apikeycredentialprovider",
		secretDir: "apikey", noun: "API key credential provider"}
	oauth2Providers = credentialFamily{kind: KindOAuth2CredentialProvider, arnType: "oauth2credentialprovider",
		secretDir: "oauth2", noun: "OAuth2 credential provider"}
	paymentProviders = credentialFamily{kind: KindPaymentCredentialProvider, arnType: "paymentcredentialprovider",
		secretDir: "payment", noun: "payment credential provider"}
)

func (f credentialFamily) arn(sc scope, name string) string {
	return sc.arn("token-vault/default/" + f.arnType + "/" + name)
}

func (f credentialFamily) notFound(name string) error {
	return awserr.NotFound("The %s '%s' was not found.", f.noun, name)
}

func (f credentialFamily) nameTaken(name string) error {
	return awserr.Conflict("A credential provider named '%s' already exists.", name)
}

// credentialRecord is the stored document of a credential provider of any
// family.
type credentialRecord struct {
	Name        string `json:"name"`
	ARN         string `json:"arn"`
	Vendor      string `json:"vendor,omitempty"`
	CallbackURL string `json:"callbackUrl,omitempty"`
	// Config is the provider configuration as given, each secret member
	// replaced by "<member>Arn": {"secretArn": ...}; for OAuth2 completed
	// with the vendor's oauthDiscovery.
	Config json.RawMessage `json:"config,omitempty"`
	// Secrets maps a secret member name ("apiKey", "clientSecret", ...) to
	// its ARN and sealed value.
	Secrets         map[string]sealedSecret `json:"secrets"`
	CreatedTime     api.EpochTime           `json:"createdTime"`
	LastUpdatedTime api.EpochTime           `json:"lastUpdatedTime"`
}

type sealedSecret struct {
	SecretArn string `json:"secretArn"`
	// Sealed is base64 of secrets.Box.Seal; empty when the member was not
	// given (an OAuth2 client without a secret still has its ARN).
	Sealed string `json:"sealed,omitempty"`
}

func (r *credentialRecord) secret(member string) *api.Secret {
	if sec, ok := r.Secrets[member]; ok {
		return &api.Secret{SecretArn: sec.SecretArn}
	}
	return nil
}

// ephemeralSecrets is the Box of a Service built without one (tests): its
// key lives as long as the process.
func ephemeralSecrets() *secrets.Box {
	key, err := secrets.NewKey()
	if err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	box, err := secrets.New(key)
	if err != nil {
		panic(err)
	}
	return box
}

// secretAD binds a sealed value to its provider and member, so that a
// ciphertext copied into another row or member does not open.
func secretAD(providerARN, member string) []byte {
	return []byte(providerARN + "\x00" + member)
}

// sealer collects the sealed secrets of one create or update. ARNs of
// members the provider already had are kept, as Secrets Manager keeps a
// secret's ARN across new versions of its value.
type sealer struct {
	box  *secrets.Box
	sc   scope
	fam  credentialFamily
	rec  *credentialRecord
	old  map[string]sealedSecret
	next map[string]sealedSecret
}

func (s *Service) newSealer(sc scope, fam credentialFamily, rec *credentialRecord) *sealer {
	return &sealer{box: s.secrets, sc: sc, fam: fam, rec: rec, old: rec.Secrets, next: map[string]sealedSecret{}}
}

// seal stores plaintext under member and returns the secret's ARN; an empty
// plaintext only reserves the ARN.
func (z *sealer) seal(member, plaintext string) (string, error) {
	arn := z.old[member].SecretArn
	if arn == "" {
		folder := z.fam.secretDir + "/" + z.rec.Name
		if z.fam.secretDir == paymentProviders.secretDir { // several secrets per provider
			folder += "/" + member
		}
		arn = "arn:aws:secretsmanager:" + z.sc.region + ":" + z.sc.account +
			":secret:bedrock-agentcore-identity!default/" + folder + "-" + randomString(idAlphabet, 6)
	}
	sec := sealedSecret{SecretArn: arn}
	if plaintext != "" {
		sealed, err := z.box.Seal([]byte(plaintext), secretAD(z.rec.ARN, member))
		if err != nil {
			return "", awserr.Errorf("EncryptionFailure", "The secret could not be encrypted.")
		}
		sec.Sealed = base64.StdEncoding.EncodeToString(sealed)
	}
	z.next[member] = sec
	return arn, nil
}

// sanitize returns the JSON of v, a request member of the given model shape,
// with every sensitive string member sealed and replaced by
// "<member>Arn": {"secretArn": ...}. It follows the model, so every member of
// every union is handled alike.
func (z *sealer) sanitize(shape int, v any) (map[string]any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil {
		return nil, err
	}
	return doc, z.walk(shape, doc)
}

func (z *sealer) walk(shape int, node any) error {
	sh := &model.Shapes[shape]
	switch sh.Type {
	case model.Structure:
		obj, ok := node.(map[string]any)
		if !ok {
			return nil
		}
		for _, m := range sh.Members {
			val, present := obj[m.Name]
			if !present {
				continue
			}
			ms := &model.Shapes[m.Shape]
			if ms.Sensitive && ms.Type == model.String {
				text, _ := val.(string)
				arn, err := z.seal(m.Name, text)
				if err != nil {
					return err
				}
				delete(obj, m.Name)
				obj[m.Name+"Arn"] = map[string]any{"secretArn": arn}
				continue
			}
			if err := z.walk(m.Shape, val); err != nil {
				return err
			}
		}
	case model.List:
		items, _ := node.([]any)
		for _, it := range items {
			if err := z.walk(sh.Member, it); err != nil {
				return err
			}
		}
	case model.Map:
		entries, _ := node.(map[string]any)
		for _, it := range entries {
			if err := z.walk(sh.Value, it); err != nil {
				return err
			}
		}
	}
	return nil
}

// done makes the collected secrets the record's: members not given this
// time are gone.
func (z *sealer) done() { z.rec.Secrets = z.next }

// inputMemberShape is the model shape of one member of an operation's input.
func inputMemberShape(operation, member string) int {
	op := model.OperationByName(operation)
	for _, m := range model.Shapes[op.Input].Members {
		if m.Name == member {
			return m.Shape
		}
	}
	panic(fmt.Sprintf("model: %s has no input member %s", operation, member))
}

// unionMember returns the one member name set in a union's JSON.
func unionMember(doc map[string]any) string {
	for k := range doc {
		return k
	}
	return ""
}

func (s *Service) getCredentialProvider(ctx context.Context, tx store.Tx, fam credentialFamily, name string) (*store.Resource, *credentialRecord, error) {
	return loadDoc[credentialRecord](ctx, tx, scopeOf(ctx).key(fam.kind, name), func() error { return fam.notFound(name) })
}

func (s *Service) readCredentialProvider(ctx context.Context, fam credentialFamily, name string) (*credentialRecord, error) {
	var rec *credentialRecord
	err := s.read(ctx, func(tx store.Tx) error {
		var err error
		_, rec, err = s.getCredentialProvider(ctx, tx, fam, name)
		return err
	})
	return rec, err
}

// insertCredentialProvider creates a provider: fill sets its vendor, config
// and secrets through the sealer.
func (s *Service) insertCredentialProvider(ctx context.Context, tx store.Tx, fam credentialFamily, name string, tags map[string]string, fill func(z *sealer) error) (*credentialRecord, error) {
	sc := scopeOf(ctx)
	if n, err := tx.Count(ctx, sc.account, sc.region, fam.kind, ""); err != nil {
		return nil, err
	} else if n >= s.quotas.IdentitiesPerAccount {
		return nil, awserr.Errorf("ResourceLimitExceededException", "You have reached the maximum of %d %ss in this account and region.", s.quotas.IdentitiesPerAccount, fam.noun)
	}
	if _, err := tx.GetByName(ctx, sc.account, sc.region, fam.kind, "", name); err == nil {
		return nil, fam.nameTaken(name)
	} else if !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	now := s.now().UTC()
	rec := &credentialRecord{Name: name, ARN: fam.arn(sc, name), CreatedTime: api.NewEpochTime(now), LastUpdatedTime: api.NewEpochTime(now)}
	z := s.newSealer(sc, fam, rec)
	if err := fill(z); err != nil {
		return nil, err
	}
	z.done()
	err := tx.Insert(ctx, &store.Resource{
		Account: sc.account, Region: sc.region, Kind: fam.kind, ID: name, Name: name, ARN: rec.ARN,
		CreatedAt: now, UpdatedAt: now, Doc: encodeDoc(rec),
	})
	if errors.Is(err, store.ErrConflict) {
		return nil, fam.nameTaken(name)
	}
	if err != nil {
		return nil, err
	}
	return rec, s.createTags(ctx, tx, rec.ARN, tags)
}

// updateCredentialProvider replaces a provider's vendor, config and secrets
// through fill.
func (s *Service) updateCredentialProvider(ctx context.Context, tx store.Tx, fam credentialFamily, name string, fill func(z *sealer) error) (*credentialRecord, error) {
	row, rec, err := s.getCredentialProvider(ctx, tx, fam, name)
	if err != nil {
		return nil, err
	}
	z := s.newSealer(scopeOf(ctx), fam, rec)
	if err := fill(z); err != nil {
		return nil, err
	}
	z.done()
	now := s.now().UTC()
	rec.LastUpdatedTime = api.NewEpochTime(now)
	row.UpdatedAt = now
	row.Doc = encodeDoc(rec)
	return rec, tx.Update(ctx, row)
}

func (s *Service) deleteCredentialProvider(ctx context.Context, fam credentialFamily, name string) error {
	_, err := mutate(ctx, s, func(tx store.Tx) (*struct{}, error) {
		row, _, err := s.getCredentialProvider(ctx, tx, fam, name)
		if err != nil {
			return nil, err
		}
		return &struct{}{}, s.removeResource(ctx, tx, row)
	})
	return err
}

// pageCredentialProviders lists one page of a family.
func (s *Service) pageCredentialProviders(ctx context.Context, fam credentialFamily, maxResults *int64, nextToken string) ([]*credentialRecord, string, error) {
	var recs []*credentialRecord
	var next string
	sc := scopeOf(ctx)
	err := s.read(ctx, func(tx store.Tx) error {
		rows, n, err := s.page(ctx, tx, sc, fam.kind, "", maxResults, 10, nextToken)
		if err != nil {
			return err
		}
		next = n
		for _, r := range rows {
			var rec credentialRecord
			if err := decodeDoc(r, &rec); err != nil {
				return err
			}
			recs = append(recs, &rec)
		}
		return nil
	})
	return recs, next, err
}

// RevealSecret returns the clear value of one secret member of a credential
// provider ("apiKey" of an API key provider, "clientSecret" of an OAuth2
// provider, ...). It is for the data plane and tests; no control-plane
// operation returns a secret.
func (s *Service) RevealSecret(ctx context.Context, account, region, kind, name, member string) (string, error) {
	var rec credentialRecord
	err := s.store.Read(ctx, func(tx store.Tx) error {
		r, err := tx.Get(ctx, store.Key{Account: account, Region: region, Kind: kind, ID: name})
		if err != nil {
			return err
		}
		return decodeDoc(r, &rec)
	})
	if err != nil {
		return "", err
	}
	sec, ok := rec.Secrets[member]
	if !ok || sec.Sealed == "" {
		return "", fmt.Errorf("%s %s has no secret %s: %w", kind, name, member, store.ErrNotFound)
	}
	sealed, err := base64.StdEncoding.DecodeString(sec.Sealed)
	if err != nil {
		return "", awserr.Errorf("DecryptionFailure", "The secret could not be decrypted.")
	}
	plain, err := s.secrets.Open(sealed, secretAD(rec.ARN, member))
	if err != nil {
		return "", awserr.Errorf("DecryptionFailure", "The secret could not be decrypted.")
	}
	return string(plain), nil
}

// ---- API key credential providers ----

func (s *Service) CreateApiKeyCredentialProvider(ctx context.Context, in *api.CreateApiKeyCredentialProviderRequest) (*api.CreateApiKeyCredentialProviderResponse, error) {
	if err := checkTagKeys("tags", mapKeys(in.Tags)); err != nil {
		return nil, err
	}
	return mutate(ctx, s, func(tx store.Tx) (*api.CreateApiKeyCredentialProviderResponse, error) {
		rec, err := s.insertCredentialProvider(ctx, tx, apiKeyProviders, in.Name, in.Tags, func(z *sealer) error {
			_, err := z.seal("apiKey", in.ApiKey)
			return err
		})
		if err != nil {
			return nil, err
		}
		return &api.CreateApiKeyCredentialProviderResponse{ApiKeySecretArn: rec.secret("apiKey"), Name: rec.Name, CredentialProviderArn: rec.ARN}, nil
	})
}

func apiKeyProviderOut(rec *credentialRecord) *api.GetApiKeyCredentialProviderResponse {
	return &api.GetApiKeyCredentialProviderResponse{
		ApiKeySecretArn: rec.secret("apiKey"), Name: rec.Name, CredentialProviderArn: rec.ARN,
		CreatedTime: rec.CreatedTime, LastUpdatedTime: rec.LastUpdatedTime,
	}
}

func (s *Service) GetApiKeyCredentialProvider(ctx context.Context, in *api.GetApiKeyCredentialProviderRequest) (*api.GetApiKeyCredentialProviderResponse, error) {
	rec, err := s.readCredentialProvider(ctx, apiKeyProviders, in.Name)
	if err != nil {
		return nil, err
	}
	return apiKeyProviderOut(rec), nil
}

func (s *Service) UpdateApiKeyCredentialProvider(ctx context.Context, in *api.UpdateApiKeyCredentialProviderRequest) (*api.UpdateApiKeyCredentialProviderResponse, error) {
	return mutate(ctx, s, func(tx store.Tx) (*api.UpdateApiKeyCredentialProviderResponse, error) {
		rec, err := s.updateCredentialProvider(ctx, tx, apiKeyProviders, in.Name, func(z *sealer) error {
			_, err := z.seal("apiKey", in.ApiKey)
			return err
		})
		if err != nil {
			return nil, err
		}
		out := api.UpdateApiKeyCredentialProviderResponse(*apiKeyProviderOut(rec))
		return &out, nil
	})
}

func (s *Service) DeleteApiKeyCredentialProvider(ctx context.Context, in *api.DeleteApiKeyCredentialProviderRequest) (*api.DeleteApiKeyCredentialProviderResponse, error) {
	if err := s.deleteCredentialProvider(ctx, apiKeyProviders, in.Name); err != nil {
		return nil, err
	}
	return &api.DeleteApiKeyCredentialProviderResponse{}, nil
}

func (s *Service) ListApiKeyCredentialProviders(ctx context.Context, in *api.ListApiKeyCredentialProvidersRequest) (*api.ListApiKeyCredentialProvidersResponse, error) {
	recs, next, err := s.pageCredentialProviders(ctx, apiKeyProviders, in.MaxResults, in.NextToken)
	if err != nil {
		return nil, err
	}
	out := &api.ListApiKeyCredentialProvidersResponse{CredentialProviders: []api.ApiKeyCredentialProviderItem{}, NextToken: next}
	for _, r := range recs {
		out.CredentialProviders = append(out.CredentialProviders, api.ApiKeyCredentialProviderItem{
			Name: r.Name, CredentialProviderArn: r.ARN, CreatedTime: r.CreatedTime, LastUpdatedTime: r.LastUpdatedTime,
		})
	}
	return out, nil
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
		for _, m := range model.Shapes[inputMemberShape("CreateOauth2CredentialProvider", "oauth2ProviderConfigInput")].Members {
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
		tenant := str("tenantId")
		if tenant == "" {
			tenant = "common"
		}
		base := "https://login.microsoftonline.com/" + tenant
		issuer, authz, token = base+"/v2.0", base+"/oauth2/v2.0/authorize", base+"/oauth2/v2.0/token"
	}
	known, isKnown := vendorEndpoints[vendor]
	if authz == "" && token == "" && issuer != "" && !isKnown {
		return map[string]any{"discoveryUrl": strings.TrimSuffix(issuer, "/") + "/.well-known/openid-configuration"}
	}
	if issuer == "" {
		issuer = known[0]
	}
	if authz == "" {
		authz = known[1]
	}
	if token == "" {
		token = known[2]
	}
	meta := map[string]any{"responseTypes": []any{"code"}}
	for k, v := range map[string]string{"issuer": issuer, "authorizationEndpoint": authz, "tokenEndpoint": token} {
		if v != "" {
			meta[k] = v
		}
	}
	return map[string]any{"authorizationServerMetadata": meta}
}

// sealOauth2Config checks that the config fits the vendor, seals its
// secrets and stores it with its discovery information.
func sealOauth2Config(z *sealer, operation string, vendor api.CredentialProviderVendorType, in *api.Oauth2ProviderConfigInput) error {
	doc, err := z.sanitize(inputMemberShape(operation, "oauth2ProviderConfigInput"), in)
	if err != nil {
		return err
	}
	member, want := unionMember(doc), oauth2ConfigMember(vendor)
	if member != want {
		return awserr.Validation("credentialProviderVendor '%s' requires oauth2ProviderConfigInput.%s, got %s.", vendor, want, member)
	}
	cfg, _ := doc[member].(map[string]any)
	if _, ok := cfg["oauthDiscovery"]; !ok && cfg != nil {
		cfg["oauthDiscovery"] = oauthDiscovery(vendor, cfg)
	}
	// An OAuth2 provider always names its client secret, even without one.
	if _, ok := z.next["clientSecret"]; !ok {
		if _, err := z.seal("clientSecret", ""); err != nil {
			return err
		}
	}
	z.rec.Vendor = string(vendor)
	z.rec.Config = encodeDoc(doc)
	return nil
}

func oauth2ConfigOut(rec *credentialRecord) (*api.Oauth2ProviderConfigOutput, error) {
	var out api.Oauth2ProviderConfigOutput
	if err := json.Unmarshal(rec.Config, &out); err != nil {
		return nil, fmt.Errorf("decode oauth2 config of %s: %w", rec.Name, err)
	}
	return &out, nil
}

func oauth2ProviderOut(rec *credentialRecord) (*api.GetOauth2CredentialProviderResponse, error) {
	cfg, err := oauth2ConfigOut(rec)
	if err != nil {
		return nil, err
	}
	return &api.GetOauth2CredentialProviderResponse{
		ClientSecretArn: rec.secret("clientSecret"), Name: rec.Name, CredentialProviderArn: rec.ARN,
		CredentialProviderVendor: api.CredentialProviderVendorType(rec.Vendor), CallbackUrl: rec.CallbackURL,
		Oauth2ProviderConfigOutput: cfg, CreatedTime: rec.CreatedTime, LastUpdatedTime: rec.LastUpdatedTime,
		Status: api.StatusReady,
	}, nil
}

// callbackUUID is a random (version 4) UUID.
func callbackUUID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

func (s *Service) CreateOauth2CredentialProvider(ctx context.Context, in *api.CreateOauth2CredentialProviderRequest) (*api.CreateOauth2CredentialProviderResponse, error) {
	if err := checkTagKeys("tags", mapKeys(in.Tags)); err != nil {
		return nil, err
	}
	sc := scopeOf(ctx)
	return mutate(ctx, s, func(tx store.Tx) (*api.CreateOauth2CredentialProviderResponse, error) {
		rec, err := s.insertCredentialProvider(ctx, tx, oauth2Providers, in.Name, in.Tags, func(z *sealer) error {
			z.rec.CallbackURL = "https://bedrock-agentcore." + sc.region + ".amazonaws.com/identities/oauth2/callback/" + callbackUUID()
			return sealOauth2Config(z, "CreateOauth2CredentialProvider", in.CredentialProviderVendor, in.Oauth2ProviderConfigInput)
		})
		if err != nil {
			return nil, err
		}
		full, err := oauth2ProviderOut(rec)
		if err != nil {
			return nil, err
		}
		return &api.CreateOauth2CredentialProviderResponse{
			ClientSecretArn: full.ClientSecretArn, Name: full.Name, CredentialProviderArn: full.CredentialProviderArn,
			CallbackUrl: full.CallbackUrl, Oauth2ProviderConfigOutput: full.Oauth2ProviderConfigOutput, Status: full.Status,
		}, nil
	})
}

func (s *Service) GetOauth2CredentialProvider(ctx context.Context, in *api.GetOauth2CredentialProviderRequest) (*api.GetOauth2CredentialProviderResponse, error) {
	rec, err := s.readCredentialProvider(ctx, oauth2Providers, in.Name)
	if err != nil {
		return nil, err
	}
	return oauth2ProviderOut(rec)
}

func (s *Service) UpdateOauth2CredentialProvider(ctx context.Context, in *api.UpdateOauth2CredentialProviderRequest) (*api.UpdateOauth2CredentialProviderResponse, error) {
	return mutate(ctx, s, func(tx store.Tx) (*api.UpdateOauth2CredentialProviderResponse, error) {
		rec, err := s.updateCredentialProvider(ctx, tx, oauth2Providers, in.Name, func(z *sealer) error {
			return sealOauth2Config(z, "UpdateOauth2CredentialProvider", in.CredentialProviderVendor, in.Oauth2ProviderConfigInput)
		})
		if err != nil {
			return nil, err
		}
		full, err := oauth2ProviderOut(rec)
		if err != nil {
			return nil, err
		}
		return &api.UpdateOauth2CredentialProviderResponse{
			ClientSecretArn: full.ClientSecretArn, Name: full.Name, CredentialProviderVendor: full.CredentialProviderVendor,
			CredentialProviderArn: full.CredentialProviderArn, CallbackUrl: full.CallbackUrl,
			Oauth2ProviderConfigOutput: full.Oauth2ProviderConfigOutput, CreatedTime: full.CreatedTime,
			LastUpdatedTime: full.LastUpdatedTime, Status: full.Status,
		}, nil
	})
}

func (s *Service) DeleteOauth2CredentialProvider(ctx context.Context, in *api.DeleteOauth2CredentialProviderRequest) (*api.DeleteOauth2CredentialProviderResponse, error) {
	if err := s.deleteCredentialProvider(ctx, oauth2Providers, in.Name); err != nil {
		return nil, err
	}
	return &api.DeleteOauth2CredentialProviderResponse{}, nil
}

func (s *Service) ListOauth2CredentialProviders(ctx context.Context, in *api.ListOauth2CredentialProvidersRequest) (*api.ListOauth2CredentialProvidersResponse, error) {
	recs, next, err := s.pageCredentialProviders(ctx, oauth2Providers, in.MaxResults, in.NextToken)
	if err != nil {
		return nil, err
	}
	out := &api.ListOauth2CredentialProvidersResponse{CredentialProviders: []api.Oauth2CredentialProviderItem{}, NextToken: next}
	for _, r := range recs {
		out.CredentialProviders = append(out.CredentialProviders, api.Oauth2CredentialProviderItem{
			Name: r.Name, CredentialProviderVendor: api.CredentialProviderVendorType(r.Vendor), CredentialProviderArn: r.ARN,
			CreatedTime: r.CreatedTime, LastUpdatedTime: r.LastUpdatedTime,
		})
	}
	return out, nil
}

// ---- Payment credential providers ----

var paymentConfigMembers = map[api.PaymentCredentialProviderVendorType]string{
	api.PaymentCredentialProviderVendorTypeCoinbaseCDP: "coinbaseCdpConfiguration",
	api.PaymentCredentialProviderVendorTypeStripePrivy: "stripePrivyConfiguration",
}

func sealPaymentConfig(z *sealer, operation string, vendor api.PaymentCredentialProviderVendorType, in *api.PaymentProviderConfigurationInput) error {
	doc, err := z.sanitize(inputMemberShape(operation, "providerConfigurationInput"), in)
	if err != nil {
		return err
	}
	if member, want := unionMember(doc), paymentConfigMembers[vendor]; member != want {
		return awserr.Validation("credentialProviderVendor '%s' requires providerConfigurationInput.%s, got %s.", vendor, want, member)
	}
	z.rec.Vendor = string(vendor)
	z.rec.Config = encodeDoc(doc)
	return nil
}

func paymentProviderOut(rec *credentialRecord) (*api.GetPaymentCredentialProviderResponse, error) {
	var cfg api.PaymentProviderConfigurationOutput
	if err := json.Unmarshal(rec.Config, &cfg); err != nil {
		return nil, fmt.Errorf("decode payment config of %s: %w", rec.Name, err)
	}
	return &api.GetPaymentCredentialProviderResponse{
		Name: rec.Name, CredentialProviderArn: rec.ARN, CredentialProviderVendor: api.PaymentCredentialProviderVendorType(rec.Vendor),
		ProviderConfigurationOutput: &cfg, CreatedTime: rec.CreatedTime, LastUpdatedTime: rec.LastUpdatedTime,
	}, nil
}

func (s *Service) CreatePaymentCredentialProvider(ctx context.Context, in *api.CreatePaymentCredentialProviderRequest) (*api.CreatePaymentCredentialProviderResponse, error) {
	if err := checkTagKeys("tags", mapKeys(in.Tags)); err != nil {
		return nil, err
	}
	return mutate(ctx, s, func(tx store.Tx) (*api.CreatePaymentCredentialProviderResponse, error) {
		rec, err := s.insertCredentialProvider(ctx, tx, paymentProviders, in.Name, in.Tags, func(z *sealer) error {
			return sealPaymentConfig(z, "CreatePaymentCredentialProvider", in.CredentialProviderVendor, in.ProviderConfigurationInput)
		})
		if err != nil {
			return nil, err
		}
		full, err := paymentProviderOut(rec)
		if err != nil {
			return nil, err
		}
		return &api.CreatePaymentCredentialProviderResponse{
			Name: full.Name, CredentialProviderVendor: full.CredentialProviderVendor,
			CredentialProviderArn: full.CredentialProviderArn, ProviderConfigurationOutput: full.ProviderConfigurationOutput,
		}, nil
	})
}

func (s *Service) GetPaymentCredentialProvider(ctx context.Context, in *api.GetPaymentCredentialProviderRequest) (*api.GetPaymentCredentialProviderResponse, error) {
	var out *api.GetPaymentCredentialProviderResponse
	err := s.read(ctx, func(tx store.Tx) error {
		_, rec, err := s.getCredentialProvider(ctx, tx, paymentProviders, in.Name)
		if err != nil {
			return err
		}
		if out, err = paymentProviderOut(rec); err != nil {
			return err
		}
		tags, err := tx.Tags(ctx, rec.ARN)
		if len(tags) > 0 {
			out.Tags = tags
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (s *Service) UpdatePaymentCredentialProvider(ctx context.Context, in *api.UpdatePaymentCredentialProviderRequest) (*api.UpdatePaymentCredentialProviderResponse, error) {
	return mutate(ctx, s, func(tx store.Tx) (*api.UpdatePaymentCredentialProviderResponse, error) {
		rec, err := s.updateCredentialProvider(ctx, tx, paymentProviders, in.Name, func(z *sealer) error {
			return sealPaymentConfig(z, "UpdatePaymentCredentialProvider", in.CredentialProviderVendor, in.ProviderConfigurationInput)
		})
		if err != nil {
			return nil, err
		}
		full, err := paymentProviderOut(rec)
		if err != nil {
			return nil, err
		}
		return &api.UpdatePaymentCredentialProviderResponse{
			Name: full.Name, CredentialProviderVendor: full.CredentialProviderVendor, CredentialProviderArn: full.CredentialProviderArn,
			ProviderConfigurationOutput: full.ProviderConfigurationOutput, CreatedTime: full.CreatedTime, LastUpdatedTime: full.LastUpdatedTime,
		}, nil
	})
}

func (s *Service) DeletePaymentCredentialProvider(ctx context.Context, in *api.DeletePaymentCredentialProviderRequest) (*api.DeletePaymentCredentialProviderResponse, error) {
	if err := s.deleteCredentialProvider(ctx, paymentProviders, in.Name); err != nil {
		return nil, err
	}
	return &api.DeletePaymentCredentialProviderResponse{}, nil
}

func (s *Service) ListPaymentCredentialProviders(ctx context.Context, in *api.ListPaymentCredentialProvidersRequest) (*api.ListPaymentCredentialProvidersResponse, error) {
	recs, next, err := s.pageCredentialProviders(ctx, paymentProviders, in.MaxResults, in.NextToken)
	if err != nil {
		return nil, err
	}
	out := &api.ListPaymentCredentialProvidersResponse{CredentialProviders: []api.PaymentCredentialProviderItem{}, NextToken: next}
	for _, r := range recs {
		out.CredentialProviders = append(out.CredentialProviders, api.PaymentCredentialProviderItem{
			Name: r.Name, CredentialProviderVendor: api.PaymentCredentialProviderVendorType(r.Vendor), CredentialProviderArn: r.ARN,
			CreatedTime: r.CreatedTime, LastUpdatedTime: r.LastUpdatedTime,
		})
	}
	return out, nil
}
