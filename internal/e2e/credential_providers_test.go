package e2e

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	ctl "github.com/aws/aws-sdk-go-v2/service/bedrockagentcorecontrol"
	"github.com/aws/aws-sdk-go-v2/service/bedrockagentcorecontrol/types"

	"agentcored/internal/server"
	"agentcored/internal/service"
	"agentcored/internal/store"
	"agentcored/internal/testserver"
)

// cpExchange is one HTTP answer as it went over the wire.
type cpExchange struct {
	path   string
	status int
	body   []byte
}

// cpRecorder keeps every response body the SDK receives, so tests can check
// the raw JSON and not only what the SDK chose to deserialize.
type cpRecorder struct {
	mu   sync.Mutex
	seen []cpExchange
	next http.RoundTripper
}

func (r *cpRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := r.next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	r.mu.Lock()
	r.seen = append(r.seen, cpExchange{path: req.URL.Path, status: resp.StatusCode, body: body})
	r.mu.Unlock()
	return resp, nil
}

// last returns the most recent cpExchange.
func (r *cpRecorder) last(t *testing.T) cpExchange {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.seen) == 0 {
		t.Fatal("no response recorded")
	}
	return r.seen[len(r.seen)-1]
}

// assertNeverReturned fails if any recorded body contains one of the values.
func (r *cpRecorder) assertNeverReturned(t *testing.T, values ...string) {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.seen) == 0 {
		t.Fatal("no response recorded: the check would prove nothing")
	}
	for _, ex := range r.seen {
		for _, v := range values {
			if bytes.Contains(ex.body, []byte(v)) {
				t.Errorf("response of %s contains the secret %q: %s", ex.path, v, ex.body)
			}
		}
	}
}

func cpRecordingClient(t *testing.T, srv *testserver.Server) (*ctl.Client, *cpRecorder) {
	rec := &cpRecorder{next: http.DefaultTransport}
	c := ctl.New(srv.Client(t).Options(), func(o *ctl.Options) { o.HTTPClient = &http.Client{Transport: rec} })
	return c, rec
}

func cpWantStatus(t *testing.T, rec *cpRecorder, status int) {
	t.Helper()
	if got := rec.last(t); got.status != status {
		t.Errorf("%s answered %d, want %d", got.path, got.status, status)
	}
}

var (
	cpSecretARNRe = func(dir, name string) *regexp.Regexp {
		return regexp.MustCompile(`^arn:aws:secretsmanager:us-east-1:[0-9]{12}:secret:bedrock-agentcore-identity!default/` +
			regexp.QuoteMeta(dir+"/"+name) + `-[a-zA-Z0-9]{6}$`)
	}
	cpCallbackRe = regexp.MustCompile(`^https://bedrock-agentcore\.us-east-1\.amazonaws\.com/identities/oauth2/callback/[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
)

func cpProviderARN(t *testing.T, typ, name string) *regexp.Regexp {
	return regexp.MustCompile(`^arn:aws:bedrock-agentcore:us-east-1:[0-9]{12}:token-vault/default/` + typ + `/` + regexp.QuoteMeta(name) + `$`)
}

func TestApiKeyCredentialProviderLifecycle(t *testing.T) {
	srv := testserver.Start(t)
	c, rec := cpRecordingClient(t, srv)
	ctx := context.Background()
	const key1, key2 = "sk-first-SECRET-value-0001", "sk-second-SECRET-value-0002"

	created, err := c.CreateApiKeyCredentialProvider(ctx, &ctl.CreateApiKeyCredentialProviderInput{
		Name: aws.String("openai"), ApiKey: aws.String(key1), Tags: map[string]string{"team": "agents"},
	})
	if err != nil {
		t.Fatal(err)
	}
	cpWantStatus(t, rec, http.StatusCreated)
	if got := aws.ToString(created.CredentialProviderArn); !cpProviderARN(t, "apikeycredentialprovider", "openai").MatchString(got) {
		t.Errorf("credentialProviderArn = %s", got)
	}
	if created.ApiKeySecretArn == nil || !cpSecretARNRe("apikey", "openai").MatchString(aws.ToString(created.ApiKeySecretArn.SecretArn)) {
		t.Fatalf("apiKeySecretArn = %+v", created.ApiKeySecretArn)
	}
	secretARN := aws.ToString(created.ApiKeySecretArn.SecretArn)

	got, err := c.GetApiKeyCredentialProvider(ctx, &ctl.GetApiKeyCredentialProviderInput{Name: aws.String("openai")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(got.CredentialProviderArn) != aws.ToString(created.CredentialProviderArn) || aws.ToString(got.ApiKeySecretArn.SecretArn) != secretARN {
		t.Errorf("Get = %s / %s, want the ARNs Create gave", aws.ToString(got.CredentialProviderArn), aws.ToString(got.ApiKeySecretArn.SecretArn))
	}
	if got.CreatedTime == nil || got.CreatedTime.IsZero() || got.LastUpdatedTime == nil {
		t.Errorf("timestamps missing: %v %v", got.CreatedTime, got.LastUpdatedTime)
	}
	// Epoch seconds on the wire, not ISO text.
	if b := rec.last(t).body; !regexp.MustCompile(`"createdTime":[0-9]`).Match(b) {
		t.Errorf("createdTime is not epoch seconds: %s", b)
	}

	tags, err := c.ListTagsForResource(ctx, &ctl.ListTagsForResourceInput{ResourceArn: created.CredentialProviderArn})
	if err != nil {
		t.Fatal(err)
	}
	if tags.Tags["team"] != "agents" {
		t.Errorf("tags = %v", tags.Tags)
	}

	updated, err := c.UpdateApiKeyCredentialProvider(ctx, &ctl.UpdateApiKeyCredentialProviderInput{Name: aws.String("openai"), ApiKey: aws.String(key2)})
	if err != nil {
		t.Fatal(err)
	}
	cpWantStatus(t, rec, http.StatusOK)
	if aws.ToString(updated.ApiKeySecretArn.SecretArn) != secretARN {
		t.Errorf("update changed the secret ARN: %s", aws.ToString(updated.ApiKeySecretArn.SecretArn))
	}
	if updated.LastUpdatedTime.Before(*updated.CreatedTime) {
		t.Errorf("lastUpdatedTime %v before createdTime %v", updated.LastUpdatedTime, updated.CreatedTime)
	}
	if revealed, err := srv.Service().RevealSecret(ctx, cpArnAccount(t, *created.CredentialProviderArn), "us-east-1",
		service.KindAPIKeyCredentialProvider, "openai", "apiKey"); err != nil || revealed != key2 {
		t.Errorf("stored key after update = %q, %v; want the new key", revealed, err)
	}

	list, err := c.ListApiKeyCredentialProviders(ctx, &ctl.ListApiKeyCredentialProvidersInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.CredentialProviders) != 1 || aws.ToString(list.CredentialProviders[0].Name) != "openai" || list.NextToken != nil {
		t.Errorf("list = %+v", list.CredentialProviders)
	}

	if _, err := c.DeleteApiKeyCredentialProvider(ctx, &ctl.DeleteApiKeyCredentialProviderInput{Name: aws.String("openai")}); err != nil {
		t.Fatal(err)
	}
	if ex := rec.last(t); ex.status != http.StatusNoContent || len(ex.body) != 0 {
		t.Errorf("delete answered %d %q, want 204 with no body", ex.status, ex.body)
	}
	_, err = c.GetApiKeyCredentialProvider(ctx, &ctl.GetApiKeyCredentialProviderInput{Name: aws.String("openai")})
	requireCode(t, err, "ResourceNotFoundException")
	_, err = c.DeleteApiKeyCredentialProvider(ctx, &ctl.DeleteApiKeyCredentialProviderInput{Name: aws.String("openai")})
	requireCode(t, err, "ResourceNotFoundException")
	_, err = c.UpdateApiKeyCredentialProvider(ctx, &ctl.UpdateApiKeyCredentialProviderInput{Name: aws.String("openai"), ApiKey: aws.String(key2)})
	requireCode(t, err, "ResourceNotFoundException")
	// The tags went with the provider.
	_, err = c.ListTagsForResource(ctx, &ctl.ListTagsForResourceInput{ResourceArn: created.CredentialProviderArn})
	requireCode(t, err, "ResourceNotFoundException")

	rec.assertNeverReturned(t, key1, key2)
}

func cpArnAccount(t *testing.T, arn string) string {
	parts := strings.Split(arn, ":")
	if len(parts) < 6 {
		t.Fatalf("bad ARN %s", arn)
	}
	return parts[4]
}

func TestCredentialProviderDuplicateNames(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client(t)
	ctx := context.Background()
	if _, err := c.CreateApiKeyCredentialProvider(ctx, &ctl.CreateApiKeyCredentialProviderInput{Name: aws.String("dup"), ApiKey: aws.String("k1")}); err != nil {
		t.Fatal(err)
	}
	_, err := c.CreateApiKeyCredentialProvider(ctx, &ctl.CreateApiKeyCredentialProviderInput{Name: aws.String("dup"), ApiKey: aws.String("k2")})
	requireCode(t, err, "ConflictException")

	in := &ctl.CreateOauth2CredentialProviderInput{
		Name: aws.String("dup-oauth"), CredentialProviderVendor: types.CredentialProviderVendorTypeGithubOauth2,
		Oauth2ProviderConfigInput: &types.Oauth2ProviderConfigInputMemberGithubOauth2ProviderConfig{
			Value: types.GithubOauth2ProviderConfigInput{ClientId: aws.String("id"), ClientSecret: aws.String("s")}},
	}
	if _, err := c.CreateOauth2CredentialProvider(ctx, in); err != nil {
		t.Fatal(err)
	}
	_, err = c.CreateOauth2CredentialProvider(ctx, in)
	requireCode(t, err, "ConflictException")

	// After a delete the name is free again.
	if _, err := c.DeleteApiKeyCredentialProvider(ctx, &ctl.DeleteApiKeyCredentialProviderInput{Name: aws.String("dup")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateApiKeyCredentialProvider(ctx, &ctl.CreateApiKeyCredentialProviderInput{Name: aws.String("dup"), ApiKey: aws.String("k3")}); err != nil {
		t.Fatalf("re-create after delete: %v", err)
	}
}

func TestCredentialProviderTagsAtCreate(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client(t)
	ctx := context.Background()
	_, err := c.CreateApiKeyCredentialProvider(ctx, &ctl.CreateApiKeyCredentialProviderInput{
		Name: aws.String("bad-tags"), ApiKey: aws.String("k"), Tags: map[string]string{"aws:owner": "x"},
	})
	requireCode(t, err, "ValidationException")
	_, err = c.GetApiKeyCredentialProvider(ctx, &ctl.GetApiKeyCredentialProviderInput{Name: aws.String("bad-tags")})
	requireCode(t, err, "ResourceNotFoundException")

	out, err := c.CreateOauth2CredentialProvider(ctx, &ctl.CreateOauth2CredentialProviderInput{
		Name: aws.String("tagged"), CredentialProviderVendor: types.CredentialProviderVendorTypeSlackOauth2,
		Oauth2ProviderConfigInput: &types.Oauth2ProviderConfigInputMemberSlackOauth2ProviderConfig{
			Value: types.SlackOauth2ProviderConfigInput{ClientId: aws.String("id"), ClientSecret: aws.String("s")}},
		Tags: map[string]string{"env": "test", "owner": "me"},
	})
	if err != nil {
		t.Fatal(err)
	}
	// The model's TaggableResourcesArn pattern allows only [a-z-] in resource
	// types, so "oauth2credentialprovider" ARNs cannot be passed to the
	// tagging operations; look at the store instead.
	var tags map[string]string
	err = srv.Store.Read(ctx, func(tx store.Tx) error {
		var err error
		tags, err = tx.Tags(ctx, aws.ToString(out.CredentialProviderArn))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(tags) != 2 || tags["env"] != "test" || tags["owner"] != "me" {
		t.Errorf("tags = %v", tags)
	}
}

func TestCredentialProviderListPagination(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client(t)
	ctx := context.Background()
	var want []string
	for i := range 3 {
		name := fmt.Sprintf("key-%d", i)
		want = append(want, name)
		if _, err := c.CreateApiKeyCredentialProvider(ctx, &ctl.CreateApiKeyCredentialProviderInput{Name: aws.String(name), ApiKey: aws.String("k")}); err != nil {
			t.Fatal(err)
		}
		oname := fmt.Sprintf("oauth-%d", i)
		if _, err := c.CreateOauth2CredentialProvider(ctx, &ctl.CreateOauth2CredentialProviderInput{
			Name: aws.String(oname), CredentialProviderVendor: types.CredentialProviderVendorTypeGoogleOauth2,
			Oauth2ProviderConfigInput: &types.Oauth2ProviderConfigInputMemberGoogleOauth2ProviderConfig{
				Value: types.GoogleOauth2ProviderConfigInput{ClientId: aws.String("id"), ClientSecret: aws.String("s")}},
		}); err != nil {
			t.Fatal(err)
		}
	}

	var apiKeys []string
	var token *string
	for pages := 0; ; pages++ {
		if pages > 5 {
			t.Fatal("pagination does not end")
		}
		out, err := c.ListApiKeyCredentialProviders(ctx, &ctl.ListApiKeyCredentialProvidersInput{MaxResults: aws.Int32(1), NextToken: token})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.CredentialProviders) != 1 {
			t.Fatalf("page %d has %d items", pages, len(out.CredentialProviders))
		}
		apiKeys = append(apiKeys, aws.ToString(out.CredentialProviders[0].Name))
		if out.NextToken == nil {
			break
		}
		token = out.NextToken
	}
	if !slices.Equal(apiKeys, want) {
		t.Errorf("paged API key providers = %v, want %v", apiKeys, want)
	}

	// The SDK paginator walks the OAuth2 providers the same way.
	var oauth []string
	p := ctl.NewListOauth2CredentialProvidersPaginator(c, &ctl.ListOauth2CredentialProvidersInput{MaxResults: aws.Int32(1)})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range out.CredentialProviders {
			oauth = append(oauth, aws.ToString(it.Name))
			if it.CredentialProviderVendor != types.CredentialProviderVendorTypeGoogleOauth2 {
				t.Errorf("vendor = %s", it.CredentialProviderVendor)
			}
		}
	}
	if !slices.Equal(oauth, []string{"oauth-0", "oauth-1", "oauth-2"}) {
		t.Errorf("paged OAuth2 providers = %v", oauth)
	}

	// A token of one listing is no good for another.
	out, err := c.ListApiKeyCredentialProviders(ctx, &ctl.ListApiKeyCredentialProvidersInput{MaxResults: aws.Int32(1)})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.ListOauth2CredentialProviders(ctx, &ctl.ListOauth2CredentialProvidersInput{NextToken: out.NextToken})
	requireCode(t, err, "ValidationException")
	// maxResults above the model's bound for OAuth2 lists (20).
	_, err = c.ListOauth2CredentialProviders(ctx, &ctl.ListOauth2CredentialProvidersInput{MaxResults: aws.Int32(21)})
	requireCode(t, err, "ValidationException")
}

func TestCredentialProviderQuota(t *testing.T) {
	srv := testserver.Start(t, func(c *server.Config) {
		c.Quotas = service.DefaultQuotas
		c.Quotas.IdentitiesPerAccount = 1
	})
	c := srv.Client(t)
	ctx := context.Background()
	if _, err := c.CreateApiKeyCredentialProvider(ctx, &ctl.CreateApiKeyCredentialProviderInput{Name: aws.String("one"), ApiKey: aws.String("k")}); err != nil {
		t.Fatal(err)
	}
	_, err := c.CreateApiKeyCredentialProvider(ctx, &ctl.CreateApiKeyCredentialProviderInput{Name: aws.String("two"), ApiKey: aws.String("k")})
	requireCode(t, err, "ResourceLimitExceededException")
}

// cpOauth2Case is one vendor configuration of the model's union.
type cpOauth2Case struct {
	vendor types.CredentialProviderVendorType
	input  types.Oauth2ProviderConfigInput
	// check inspects the output member; it returns the clientId and discovery.
	check func(t *testing.T, out types.Oauth2ProviderConfigOutput) (clientID *string, d types.Oauth2Discovery)
}

func cpOauth2Cases(secret string) map[string]cpOauth2Case {
	id, sec := aws.String("client-id-1"), aws.String(secret)
	return map[string]cpOauth2Case{
		"google": {types.CredentialProviderVendorTypeGoogleOauth2,
			&types.Oauth2ProviderConfigInputMemberGoogleOauth2ProviderConfig{Value: types.GoogleOauth2ProviderConfigInput{ClientId: id, ClientSecret: sec}},
			func(t *testing.T, out types.Oauth2ProviderConfigOutput) (*string, types.Oauth2Discovery) {
				m, ok := out.(*types.Oauth2ProviderConfigOutputMemberGoogleOauth2ProviderConfig)
				if !ok {
					t.Fatalf("output member %T", out)
				}
				return m.Value.ClientId, m.Value.OauthDiscovery
			}},
		"github": {types.CredentialProviderVendorTypeGithubOauth2,
			&types.Oauth2ProviderConfigInputMemberGithubOauth2ProviderConfig{Value: types.GithubOauth2ProviderConfigInput{ClientId: id, ClientSecret: sec}},
			func(t *testing.T, out types.Oauth2ProviderConfigOutput) (*string, types.Oauth2Discovery) {
				m, ok := out.(*types.Oauth2ProviderConfigOutputMemberGithubOauth2ProviderConfig)
				if !ok {
					t.Fatalf("output member %T", out)
				}
				return m.Value.ClientId, m.Value.OauthDiscovery
			}},
		"slack": {types.CredentialProviderVendorTypeSlackOauth2,
			&types.Oauth2ProviderConfigInputMemberSlackOauth2ProviderConfig{Value: types.SlackOauth2ProviderConfigInput{ClientId: id, ClientSecret: sec}},
			func(t *testing.T, out types.Oauth2ProviderConfigOutput) (*string, types.Oauth2Discovery) {
				m, ok := out.(*types.Oauth2ProviderConfigOutputMemberSlackOauth2ProviderConfig)
				if !ok {
					t.Fatalf("output member %T", out)
				}
				return m.Value.ClientId, m.Value.OauthDiscovery
			}},
		"salesforce": {types.CredentialProviderVendorTypeSalesforceOauth2,
			&types.Oauth2ProviderConfigInputMemberSalesforceOauth2ProviderConfig{Value: types.SalesforceOauth2ProviderConfigInput{ClientId: id, ClientSecret: sec}},
			func(t *testing.T, out types.Oauth2ProviderConfigOutput) (*string, types.Oauth2Discovery) {
				m, ok := out.(*types.Oauth2ProviderConfigOutputMemberSalesforceOauth2ProviderConfig)
				if !ok {
					t.Fatalf("output member %T", out)
				}
				return m.Value.ClientId, m.Value.OauthDiscovery
			}},
		"microsoft": {types.CredentialProviderVendorTypeMicrosoftOauth2,
			&types.Oauth2ProviderConfigInputMemberMicrosoftOauth2ProviderConfig{Value: types.MicrosoftOauth2ProviderConfigInput{ClientId: id, ClientSecret: sec, TenantId: aws.String("contoso-tenant")}},
			func(t *testing.T, out types.Oauth2ProviderConfigOutput) (*string, types.Oauth2Discovery) {
				m, ok := out.(*types.Oauth2ProviderConfigOutputMemberMicrosoftOauth2ProviderConfig)
				if !ok {
					t.Fatalf("output member %T", out)
				}
				md, ok := m.Value.OauthDiscovery.(*types.Oauth2DiscoveryMemberAuthorizationServerMetadata)
				if !ok || !strings.Contains(aws.ToString(md.Value.TokenEndpoint), "contoso-tenant") {
					t.Errorf("microsoft discovery ignores the tenant: %#v", m.Value.OauthDiscovery)
				}
				return m.Value.ClientId, m.Value.OauthDiscovery
			}},
		"atlassian": {types.CredentialProviderVendorTypeAtlassianOauth2,
			&types.Oauth2ProviderConfigInputMemberAtlassianOauth2ProviderConfig{Value: types.AtlassianOauth2ProviderConfigInput{ClientId: id, ClientSecret: sec}},
			func(t *testing.T, out types.Oauth2ProviderConfigOutput) (*string, types.Oauth2Discovery) {
				m, ok := out.(*types.Oauth2ProviderConfigOutputMemberAtlassianOauth2ProviderConfig)
				if !ok {
					t.Fatalf("output member %T", out)
				}
				return m.Value.ClientId, m.Value.OauthDiscovery
			}},
		"linkedin": {types.CredentialProviderVendorTypeLinkedinOauth2,
			&types.Oauth2ProviderConfigInputMemberLinkedinOauth2ProviderConfig{Value: types.LinkedinOauth2ProviderConfigInput{ClientId: id, ClientSecret: sec}},
			func(t *testing.T, out types.Oauth2ProviderConfigOutput) (*string, types.Oauth2Discovery) {
				m, ok := out.(*types.Oauth2ProviderConfigOutputMemberLinkedinOauth2ProviderConfig)
				if !ok {
					t.Fatalf("output member %T", out)
				}
				return m.Value.ClientId, m.Value.OauthDiscovery
			}},
		"custom-discovery-url": {types.CredentialProviderVendorTypeCustomOauth2,
			&types.Oauth2ProviderConfigInputMemberCustomOauth2ProviderConfig{Value: types.CustomOauth2ProviderConfigInput{
				ClientId: id, ClientSecret: sec, ClientAuthenticationMethod: types.ClientAuthenticationMethodTypeClientSecretPost,
				OauthDiscovery: &types.Oauth2DiscoveryMemberDiscoveryUrl{Value: "https://idp.example.com/.well-known/openid-configuration"}}},
			func(t *testing.T, out types.Oauth2ProviderConfigOutput) (*string, types.Oauth2Discovery) {
				m, ok := out.(*types.Oauth2ProviderConfigOutputMemberCustomOauth2ProviderConfig)
				if !ok {
					t.Fatalf("output member %T", out)
				}
				if u, ok := m.Value.OauthDiscovery.(*types.Oauth2DiscoveryMemberDiscoveryUrl); !ok || u.Value != "https://idp.example.com/.well-known/openid-configuration" {
					t.Errorf("discovery = %#v, want the given discovery URL", m.Value.OauthDiscovery)
				}
				if m.Value.ClientAuthenticationMethod != types.ClientAuthenticationMethodTypeClientSecretPost {
					t.Errorf("clientAuthenticationMethod = %q", m.Value.ClientAuthenticationMethod)
				}
				return m.Value.ClientId, m.Value.OauthDiscovery
			}},
		"custom-metadata": {types.CredentialProviderVendorTypeCustomOauth2,
			&types.Oauth2ProviderConfigInputMemberCustomOauth2ProviderConfig{Value: types.CustomOauth2ProviderConfigInput{
				ClientId: id, ClientSecret: sec,
				OauthDiscovery: &types.Oauth2DiscoveryMemberAuthorizationServerMetadata{Value: types.Oauth2AuthorizationServerMetadata{
					Issuer: aws.String("https://idp.example.com"), AuthorizationEndpoint: aws.String("https://idp.example.com/authorize"),
					TokenEndpoint: aws.String("https://idp.example.com/token"), ResponseTypes: []string{"code"}}}}},
			func(t *testing.T, out types.Oauth2ProviderConfigOutput) (*string, types.Oauth2Discovery) {
				m, ok := out.(*types.Oauth2ProviderConfigOutputMemberCustomOauth2ProviderConfig)
				if !ok {
					t.Fatalf("output member %T", out)
				}
				md, ok := m.Value.OauthDiscovery.(*types.Oauth2DiscoveryMemberAuthorizationServerMetadata)
				if !ok || aws.ToString(md.Value.TokenEndpoint) != "https://idp.example.com/token" {
					t.Errorf("discovery = %#v, want the given metadata", m.Value.OauthDiscovery)
				}
				return m.Value.ClientId, m.Value.OauthDiscovery
			}},
		"included-notion": {types.CredentialProviderVendorTypeNotionOauth2,
			&types.Oauth2ProviderConfigInputMemberIncludedOauth2ProviderConfig{Value: types.IncludedOauth2ProviderConfigInput{ClientId: id, ClientSecret: sec}},
			func(t *testing.T, out types.Oauth2ProviderConfigOutput) (*string, types.Oauth2Discovery) {
				m, ok := out.(*types.Oauth2ProviderConfigOutputMemberIncludedOauth2ProviderConfig)
				if !ok {
					t.Fatalf("output member %T", out)
				}
				return m.Value.ClientId, m.Value.OauthDiscovery
			}},
		"included-okta-issuer": {types.CredentialProviderVendorTypeOktaOauth2,
			&types.Oauth2ProviderConfigInputMemberIncludedOauth2ProviderConfig{Value: types.IncludedOauth2ProviderConfigInput{
				ClientId: id, ClientSecret: sec, Issuer: aws.String("https://dev-1.okta.com/oauth2/default")}},
			func(t *testing.T, out types.Oauth2ProviderConfigOutput) (*string, types.Oauth2Discovery) {
				m, ok := out.(*types.Oauth2ProviderConfigOutputMemberIncludedOauth2ProviderConfig)
				if !ok {
					t.Fatalf("output member %T", out)
				}
				if u, ok := m.Value.OauthDiscovery.(*types.Oauth2DiscoveryMemberDiscoveryUrl); !ok ||
					u.Value != "https://dev-1.okta.com/oauth2/default/.well-known/openid-configuration" {
					t.Errorf("discovery = %#v, want the issuer's discovery document", m.Value.OauthDiscovery)
				}
				return m.Value.ClientId, m.Value.OauthDiscovery
			}},
	}
}

func TestOauth2CredentialProviderEveryVendorConfig(t *testing.T) {
	srv := testserver.Start(t)
	c, rec := cpRecordingClient(t, srv)
	ctx := context.Background()
	const secret = "oauth-client-SECRET-do-not-leak"
	for name, tc := range cpOauth2Cases(secret) {
		t.Run(name, func(t *testing.T) {
			created, err := c.CreateOauth2CredentialProvider(ctx, &ctl.CreateOauth2CredentialProviderInput{
				Name: aws.String(name), CredentialProviderVendor: tc.vendor, Oauth2ProviderConfigInput: tc.input,
			})
			if err != nil {
				t.Fatal(err)
			}
			cpWantStatus(t, rec, http.StatusCreated)
			if got := aws.ToString(created.CredentialProviderArn); !cpProviderARN(t, "oauth2credentialprovider", name).MatchString(got) {
				t.Errorf("credentialProviderArn = %s", got)
			}
			if created.ClientSecretArn == nil || !cpSecretARNRe("oauth2", name).MatchString(aws.ToString(created.ClientSecretArn.SecretArn)) {
				t.Errorf("clientSecretArn = %+v", created.ClientSecretArn)
			}
			if !cpCallbackRe.MatchString(aws.ToString(created.CallbackUrl)) {
				t.Errorf("callbackUrl = %s", aws.ToString(created.CallbackUrl))
			}
			if created.Status != types.StatusReady {
				t.Errorf("status = %q", created.Status)
			}
			id, d := tc.check(t, created.Oauth2ProviderConfigOutput)
			if aws.ToString(id) != "client-id-1" || d == nil {
				t.Errorf("create output: clientId %v, discovery %#v", aws.ToString(id), d)
			}

			got, err := c.GetOauth2CredentialProvider(ctx, &ctl.GetOauth2CredentialProviderInput{Name: aws.String(name)})
			if err != nil {
				t.Fatal(err)
			}
			if got.CredentialProviderVendor != tc.vendor || aws.ToString(got.CallbackUrl) != aws.ToString(created.CallbackUrl) ||
				aws.ToString(got.ClientSecretArn.SecretArn) != aws.ToString(created.ClientSecretArn.SecretArn) || got.CreatedTime == nil {
				t.Errorf("Get = vendor %s, callback %s, secret %s", got.CredentialProviderVendor, aws.ToString(got.CallbackUrl), aws.ToString(got.ClientSecretArn.SecretArn))
			}
			id, d = tc.check(t, got.Oauth2ProviderConfigOutput)
			if aws.ToString(id) != "client-id-1" || d == nil {
				t.Errorf("get output: clientId %v, discovery %#v", aws.ToString(id), d)
			}
			revealed, err := srv.Service().RevealSecret(ctx, cpArnAccount(t, *created.CredentialProviderArn), "us-east-1",
				service.KindOAuth2CredentialProvider, name, "clientSecret")
			if err != nil || revealed != secret {
				t.Errorf("stored client secret = %q, %v", revealed, err)
			}
		})
	}
	list, err := c.ListOauth2CredentialProviders(ctx, &ctl.ListOauth2CredentialProvidersInput{MaxResults: aws.Int32(20)})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.CredentialProviders) != len(cpOauth2Cases("")) {
		t.Errorf("list has %d providers, want %d", len(list.CredentialProviders), len(cpOauth2Cases("")))
	}
	rec.assertNeverReturned(t, secret)
}

func TestOauth2CredentialProviderUpdateAndDelete(t *testing.T) {
	srv := testserver.Start(t)
	c, rec := cpRecordingClient(t, srv)
	ctx := context.Background()
	const first, second = "first-oauth-SECRET-1", "second-oauth-SECRET-2"
	created, err := c.CreateOauth2CredentialProvider(ctx, &ctl.CreateOauth2CredentialProviderInput{
		Name: aws.String("gh"), CredentialProviderVendor: types.CredentialProviderVendorTypeGoogleOauth2,
		Oauth2ProviderConfigInput: &types.Oauth2ProviderConfigInputMemberGoogleOauth2ProviderConfig{
			Value: types.GoogleOauth2ProviderConfigInput{ClientId: aws.String("g-id"), ClientSecret: aws.String(first)}},
	})
	if err != nil {
		t.Fatal(err)
	}
	updated, err := c.UpdateOauth2CredentialProvider(ctx, &ctl.UpdateOauth2CredentialProviderInput{
		Name: aws.String("gh"), CredentialProviderVendor: types.CredentialProviderVendorTypeGithubOauth2,
		Oauth2ProviderConfigInput: &types.Oauth2ProviderConfigInputMemberGithubOauth2ProviderConfig{
			Value: types.GithubOauth2ProviderConfigInput{ClientId: aws.String("gh-id"), ClientSecret: aws.String(second)}},
	})
	if err != nil {
		t.Fatal(err)
	}
	cpWantStatus(t, rec, http.StatusOK)
	if updated.CredentialProviderVendor != types.CredentialProviderVendorTypeGithubOauth2 {
		t.Errorf("vendor = %s", updated.CredentialProviderVendor)
	}
	m, ok := updated.Oauth2ProviderConfigOutput.(*types.Oauth2ProviderConfigOutputMemberGithubOauth2ProviderConfig)
	if !ok || aws.ToString(m.Value.ClientId) != "gh-id" {
		t.Errorf("output config = %#v", updated.Oauth2ProviderConfigOutput)
	}
	if aws.ToString(updated.ClientSecretArn.SecretArn) != aws.ToString(created.ClientSecretArn.SecretArn) ||
		aws.ToString(updated.CallbackUrl) != aws.ToString(created.CallbackUrl) {
		t.Errorf("update changed the secret ARN or callback URL")
	}
	if revealed, _ := srv.Service().RevealSecret(ctx, cpArnAccount(t, *created.CredentialProviderArn), "us-east-1",
		service.KindOAuth2CredentialProvider, "gh", "clientSecret"); revealed != second {
		t.Errorf("stored client secret after update = %q", revealed)
	}

	// A config member that does not fit the vendor.
	_, err = c.UpdateOauth2CredentialProvider(ctx, &ctl.UpdateOauth2CredentialProviderInput{
		Name: aws.String("gh"), CredentialProviderVendor: types.CredentialProviderVendorTypeGoogleOauth2,
		Oauth2ProviderConfigInput: &types.Oauth2ProviderConfigInputMemberSlackOauth2ProviderConfig{
			Value: types.SlackOauth2ProviderConfigInput{ClientId: aws.String("x"), ClientSecret: aws.String("y")}},
	})
	requireCode(t, err, "ValidationException")

	if _, err := c.DeleteOauth2CredentialProvider(ctx, &ctl.DeleteOauth2CredentialProviderInput{Name: aws.String("gh")}); err != nil {
		t.Fatal(err)
	}
	cpWantStatus(t, rec, http.StatusNoContent)
	_, err = c.GetOauth2CredentialProvider(ctx, &ctl.GetOauth2CredentialProviderInput{Name: aws.String("gh")})
	requireCode(t, err, "ResourceNotFoundException")
	_, err = c.DeleteOauth2CredentialProvider(ctx, &ctl.DeleteOauth2CredentialProviderInput{Name: aws.String("gh")})
	requireCode(t, err, "ResourceNotFoundException")
	rec.assertNeverReturned(t, first, second)
}

func TestPaymentCredentialProviderLifecycle(t *testing.T) {
	srv := testserver.Start(t)
	c, rec := cpRecordingClient(t, srv)
	ctx := context.Background()
	const apiSecret, walletSecret, appSecret, privateKey = "coinbase-API-SECRET-1", "coinbase-WALLET-SECRET-2", "stripe-APP-SECRET-3", "stripe-PRIVATE-KEY-4"

	created, err := c.CreatePaymentCredentialProvider(ctx, &ctl.CreatePaymentCredentialProviderInput{
		Name: aws.String("pay"), CredentialProviderVendor: types.PaymentCredentialProviderVendorTypeCoinbaseCDP,
		ProviderConfigurationInput: &types.PaymentProviderConfigurationInputMemberCoinbaseCdpConfiguration{Value: types.CoinbaseCdpConfigurationInput{
			ApiKeyId: aws.String("key-id"), ApiKeySecret: aws.String(apiSecret), WalletSecret: aws.String(walletSecret)}},
		Tags: map[string]string{"k": "v"},
	})
	if err != nil {
		t.Fatal(err)
	}
	cpWantStatus(t, rec, http.StatusCreated)
	if got := aws.ToString(created.CredentialProviderArn); !cpProviderARN(t, "paymentcredentialprovider", "pay").MatchString(got) {
		t.Errorf("credentialProviderArn = %s", got)
	}
	cb, ok := created.ProviderConfigurationOutput.(*types.PaymentProviderConfigurationOutputMemberCoinbaseCdpConfiguration)
	if !ok || aws.ToString(cb.Value.ApiKeyId) != "key-id" || cb.Value.ApiKeySecretArn == nil || cb.Value.WalletSecretArn == nil {
		t.Fatalf("output config = %#v", created.ProviderConfigurationOutput)
	}
	if aws.ToString(cb.Value.ApiKeySecretArn.SecretArn) == aws.ToString(cb.Value.WalletSecretArn.SecretArn) {
		t.Errorf("two secrets share one ARN")
	}

	got, err := c.GetPaymentCredentialProvider(ctx, &ctl.GetPaymentCredentialProviderInput{Name: aws.String("pay")})
	if err != nil {
		t.Fatal(err)
	}
	if got.Tags["k"] != "v" || got.CredentialProviderVendor != types.PaymentCredentialProviderVendorTypeCoinbaseCDP || got.CreatedTime == nil {
		t.Errorf("Get = %+v", got)
	}

	updated, err := c.UpdatePaymentCredentialProvider(ctx, &ctl.UpdatePaymentCredentialProviderInput{
		Name: aws.String("pay"), CredentialProviderVendor: types.PaymentCredentialProviderVendorTypeStripePrivy,
		ProviderConfigurationInput: &types.PaymentProviderConfigurationInputMemberStripePrivyConfiguration{Value: types.StripePrivyConfigurationInput{
			AppId: aws.String("app"), AppSecret: aws.String(appSecret), AuthorizationPrivateKey: aws.String(privateKey), AuthorizationId: aws.String("auth")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	sp, ok := updated.ProviderConfigurationOutput.(*types.PaymentProviderConfigurationOutputMemberStripePrivyConfiguration)
	if !ok || aws.ToString(sp.Value.AppId) != "app" || sp.Value.AppSecretArn == nil || sp.Value.AuthorizationPrivateKeyArn == nil || aws.ToString(sp.Value.AuthorizationId) != "auth" {
		t.Fatalf("updated config = %#v", updated.ProviderConfigurationOutput)
	}
	account := cpArnAccount(t, *created.CredentialProviderArn)
	if v, err := srv.Service().RevealSecret(ctx, account, "us-east-1", service.KindPaymentCredentialProvider, "pay", "authorizationPrivateKey"); err != nil || v != privateKey {
		t.Errorf("stored private key = %q, %v", v, err)
	}
	if _, err := srv.Service().RevealSecret(ctx, account, "us-east-1", service.KindPaymentCredentialProvider, "pay", "walletSecret"); err == nil {
		t.Errorf("the replaced configuration's wallet secret is still stored")
	}

	list, err := c.ListPaymentCredentialProviders(ctx, &ctl.ListPaymentCredentialProvidersInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.CredentialProviders) != 1 || list.CredentialProviders[0].CredentialProviderVendor != types.PaymentCredentialProviderVendorTypeStripePrivy {
		t.Errorf("list = %+v", list.CredentialProviders)
	}

	// A config member that does not fit the vendor.
	_, err = c.CreatePaymentCredentialProvider(ctx, &ctl.CreatePaymentCredentialProviderInput{
		Name: aws.String("mismatch"), CredentialProviderVendor: types.PaymentCredentialProviderVendorTypeStripePrivy,
		ProviderConfigurationInput: &types.PaymentProviderConfigurationInputMemberCoinbaseCdpConfiguration{Value: types.CoinbaseCdpConfigurationInput{
			ApiKeyId: aws.String("key-id"), ApiKeySecret: aws.String("a"), WalletSecret: aws.String("b")}},
	})
	requireCode(t, err, "ValidationException")

	if _, err := c.DeletePaymentCredentialProvider(ctx, &ctl.DeletePaymentCredentialProviderInput{Name: aws.String("pay")}); err != nil {
		t.Fatal(err)
	}
	cpWantStatus(t, rec, http.StatusNoContent)
	_, err = c.GetPaymentCredentialProvider(ctx, &ctl.GetPaymentCredentialProviderInput{Name: aws.String("pay")})
	requireCode(t, err, "ResourceNotFoundException")
	rec.assertNeverReturned(t, apiSecret, walletSecret, appSecret, privateKey)
}

func TestTokenVault(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client(t)
	ctx := context.Background()

	first, err := c.GetTokenVault(ctx, &ctl.GetTokenVaultInput{})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(first.TokenVaultId) != "default" || first.KmsConfiguration == nil ||
		first.KmsConfiguration.KeyType != types.KeyTypeServiceManagedKey || first.KmsConfiguration.KmsKeyArn != nil ||
		first.LastModifiedDate == nil || first.LastModifiedDate.IsZero() {
		t.Fatalf("GetTokenVault = %+v", first)
	}
	again, err := c.GetTokenVault(ctx, &ctl.GetTokenVaultInput{TokenVaultId: aws.String("default")})
	if err != nil {
		t.Fatal(err)
	}
	if !again.LastModifiedDate.Equal(*first.LastModifiedDate) {
		t.Errorf("lastModifiedDate moved between two reads: %v then %v", first.LastModifiedDate, again.LastModifiedDate)
	}
	_, err = c.GetTokenVault(ctx, &ctl.GetTokenVaultInput{TokenVaultId: aws.String("other")})
	requireCode(t, err, "ResourceNotFoundException")

	const keyARN = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	set, err := c.SetTokenVaultCMK(ctx, &ctl.SetTokenVaultCMKInput{KmsConfiguration: &types.KmsConfiguration{
		KeyType: types.KeyTypeCustomerManagedKey, KmsKeyArn: aws.String(keyARN)}})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(set.TokenVaultId) != "default" || set.KmsConfiguration.KeyType != types.KeyTypeCustomerManagedKey ||
		aws.ToString(set.KmsConfiguration.KmsKeyArn) != keyARN || set.LastModifiedDate == nil {
		t.Errorf("SetTokenVaultCMK = %+v", set)
	}
	got, err := c.GetTokenVault(ctx, &ctl.GetTokenVaultInput{})
	if err != nil {
		t.Fatal(err)
	}
	if got.KmsConfiguration.KeyType != types.KeyTypeCustomerManagedKey || aws.ToString(got.KmsConfiguration.KmsKeyArn) != keyARN {
		t.Errorf("GetTokenVault after Set = %+v", got.KmsConfiguration)
	}

	bad := []struct {
		name string
		id   *string
		kms  types.KmsConfiguration
		code string
	}{
		{"customer key without ARN", nil, types.KmsConfiguration{KeyType: types.KeyTypeCustomerManagedKey}, "ValidationException"},
		{"service key with ARN", nil, types.KmsConfiguration{KeyType: types.KeyTypeServiceManagedKey, KmsKeyArn: aws.String(keyARN)}, "ValidationException"},
		{"unknown vault", aws.String("other"), types.KmsConfiguration{KeyType: types.KeyTypeServiceManagedKey}, "ResourceNotFoundException"},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			kms := tt.kms
			_, err := c.SetTokenVaultCMK(ctx, &ctl.SetTokenVaultCMKInput{TokenVaultId: tt.id, KmsConfiguration: &kms})
			requireCode(t, err, tt.code)
		})
	}

	// Back to the service-managed key.
	set, err = c.SetTokenVaultCMK(ctx, &ctl.SetTokenVaultCMKInput{TokenVaultId: aws.String("default"),
		KmsConfiguration: &types.KmsConfiguration{KeyType: types.KeyTypeServiceManagedKey}})
	if err != nil {
		t.Fatal(err)
	}
	if set.KmsConfiguration.KeyType != types.KeyTypeServiceManagedKey || set.KmsConfiguration.KmsKeyArn != nil {
		t.Errorf("SetTokenVaultCMK = %+v", set.KmsConfiguration)
	}
}
