package e2e

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	dp "github.com/aws/aws-sdk-go-v2/service/bedrockagentcore"
	dptypes "github.com/aws/aws-sdk-go-v2/service/bedrockagentcore/types"
	ctl "github.com/aws/aws-sdk-go-v2/service/bedrockagentcorecontrol"
	"github.com/aws/aws-sdk-go-v2/service/bedrockagentcorecontrol/types"

	"agentcored/internal/testserver"
)

// The identity data plane end to end: workload access tokens, API keys and
// OAuth2 tokens from a local OAuth2 server the test runs (discovery,
// authorization and token endpoints), the user-federation flow through
// agentcored's own callback, and tokens sealed at rest.

const (
	idpClientID     = "client-id-1"
	idpClientSecret = "idp-CLIENT-secret-0a1b2c3d"
	idpUserToken    = "AT-USER-federated-9f8e7d6c"
	idpMachineToken = "AT-M2M-machine-5a4b3c2d"
)

// tokenCall is one request the test IdP's token endpoint saw.
type tokenCall struct {
	Grant, ClientID, Secret, Auth, Scope, Code, RedirectURI string
}

// testIdP is a minimal OAuth2 authorization server.
type testIdP struct {
	*httptest.Server
	mu     sync.Mutex
	calls  []tokenCall
	codes  map[string]string // code -> redirect_uri it was issued for
	issued int
}

func startIdP(t *testing.T) *testIdP {
	idp := &testIdP{codes: map[string]string{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(map[string]any{"issuer": idp.URL, "authorization_endpoint": idp.URL + "/authorize",
			"token_endpoint": idp.URL + "/token", "response_types_supported": []string{"code"}})
	})
	// The user "consents" at once: back to redirect_uri with a code.
	mux.HandleFunc("GET /authorize", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if q.Get("response_type") != "code" || q.Get("client_id") != idpClientID || q.Get("state") == "" {
			http.Error(w, "bad authorization request: "+r.URL.RawQuery, http.StatusBadRequest)
			return
		}
		idp.mu.Lock()
		idp.issued++
		code := fmt.Sprintf("code-%d", idp.issued)
		idp.codes[code] = q.Get("redirect_uri")
		idp.mu.Unlock()
		back, _ := url.Parse(q.Get("redirect_uri"))
		bq := back.Query()
		bq.Set("code", code)
		bq.Set("state", q.Get("state"))
		back.RawQuery = bq.Encode()
		http.Redirect(w, r, back.String(), http.StatusFound)
	})
	mux.HandleFunc("POST /token", func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		call := tokenCall{Grant: r.PostForm.Get("grant_type"), Scope: r.PostForm.Get("scope"), Code: r.PostForm.Get("code"),
			RedirectURI: r.PostForm.Get("redirect_uri")}
		if id, secret, ok := r.BasicAuth(); ok {
			call.Auth, call.ClientID, call.Secret = "basic", id, secret
		} else {
			call.Auth, call.ClientID, call.Secret = "post", r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
		}
		idp.mu.Lock()
		idp.calls = append(idp.calls, call)
		n := len(idp.calls)
		wantRedirect, codeOK := idp.codes[call.Code]
		delete(idp.codes, call.Code)
		idp.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		if call.ClientID != idpClientID || call.Secret != idpClientSecret {
			w.WriteHeader(http.StatusUnauthorized)
			w.Write([]byte(`{"error":"invalid_client"}`))
			return
		}
		switch call.Grant {
		case "client_credentials":
			json.NewEncoder(w).Encode(map[string]any{"access_token": fmt.Sprintf("%s-%d", idpMachineToken, n), "token_type": "Bearer", "expires_in": 3600})
		case "authorization_code":
			if !codeOK || wantRedirect != call.RedirectURI {
				w.WriteHeader(http.StatusBadRequest)
				w.Write([]byte(`{"error":"invalid_grant"}`))
				return
			}
			json.NewEncoder(w).Encode(map[string]any{"access_token": idpUserToken, "refresh_token": "RT-refresh", "token_type": "Bearer", "expires_in": 3600})
		default:
			w.WriteHeader(http.StatusBadRequest)
			w.Write([]byte(`{"error":"unsupported_grant_type"}`))
		}
	})
	idp.Server = httptest.NewServer(mux)
	t.Cleanup(idp.Close)
	return idp
}

func (idp *testIdP) tokenCalls() []tokenCall {
	idp.mu.Lock()
	defer idp.mu.Unlock()
	return append([]tokenCall(nil), idp.calls...)
}

// testJWT is an unsigned compact JWT with the given claims.
func testJWT(claims map[string]any) string {
	enc := func(v any) string { b, _ := json.Marshal(v); return base64.RawURLEncoding.EncodeToString(b) }
	return enc(map[string]string{"alg": "RS256", "typ": "JWT"}) + "." + enc(claims) + ".c2lnbmF0dXJl"
}

func TestIdentityWorkloadAccessTokens(t *testing.T) {
	srv := testserver.Start(t)
	ctx := context.Background()
	c, d := srv.Client(t), srv.DataClient(t)
	if _, err := c.CreateWorkloadIdentity(ctx, &ctl.CreateWorkloadIdentityInput{Name: aws.String("wl-tokens")}); err != nil {
		t.Fatal(err)
	}
	plain, err := d.GetWorkloadAccessToken(ctx, &dp.GetWorkloadAccessTokenInput{WorkloadName: aws.String("wl-tokens")})
	if err != nil || aws.ToString(plain.WorkloadAccessToken) == "" {
		t.Fatalf("GetWorkloadAccessToken: %v %v", plain, err)
	}
	forUser, err := d.GetWorkloadAccessTokenForUserId(ctx, &dp.GetWorkloadAccessTokenForUserIdInput{WorkloadName: aws.String("wl-tokens"), UserId: aws.String("alice")})
	if err != nil {
		t.Fatal(err)
	}
	jwt := testJWT(map[string]any{"sub": "bob", "exp": time.Now().Add(time.Hour).Unix()})
	forJWT, err := d.GetWorkloadAccessTokenForJWT(ctx, &dp.GetWorkloadAccessTokenForJWTInput{WorkloadName: aws.String("wl-tokens"), UserToken: aws.String(jwt)})
	if err != nil {
		t.Fatal(err)
	}
	toks := map[string]bool{aws.ToString(plain.WorkloadAccessToken): true, aws.ToString(forUser.WorkloadAccessToken): true, aws.ToString(forJWT.WorkloadAccessToken): true}
	if len(toks) != 3 {
		t.Errorf("the three tokens are not distinct: %v", toks)
	}

	_, err = d.GetWorkloadAccessToken(ctx, &dp.GetWorkloadAccessTokenInput{WorkloadName: aws.String("no-such-workload")})
	wantCode(t, "unknown workload", err, "ResourceNotFoundException")
	_, err = d.GetWorkloadAccessTokenForUserId(ctx, &dp.GetWorkloadAccessTokenForUserIdInput{WorkloadName: aws.String("no-such-workload"), UserId: aws.String("alice")})
	wantCode(t, "unknown workload for a user", err, "ResourceNotFoundException")
	_, err = d.GetWorkloadAccessTokenForJWT(ctx, &dp.GetWorkloadAccessTokenForJWTInput{WorkloadName: aws.String("wl-tokens"), UserToken: aws.String("abc.def.ghi")})
	wantCode(t, "malformed JWT", err, "ValidationException")
	noSub := testJWT(map[string]any{"iss": "x"})
	_, err = d.GetWorkloadAccessTokenForJWT(ctx, &dp.GetWorkloadAccessTokenForJWTInput{WorkloadName: aws.String("wl-tokens"), UserToken: aws.String(noSub)})
	wantCode(t, "JWT without sub", err, "ValidationException")
	expired := testJWT(map[string]any{"sub": "bob", "exp": time.Now().Add(-time.Hour).Unix()})
	_, err = d.GetWorkloadAccessTokenForJWT(ctx, &dp.GetWorkloadAccessTokenForJWTInput{WorkloadName: aws.String("wl-tokens"), UserToken: aws.String(expired)})
	wantCode(t, "expired JWT", err, "UnauthorizedException")

	// A runtime's own identity (named its id) is not for callers.
	rt := invokeRuntime(t, c, "id_runtime", "http://127.0.0.1:1", nil)
	_, err = d.GetWorkloadAccessToken(ctx, &dp.GetWorkloadAccessTokenInput{WorkloadName: rt.AgentRuntimeId})
	wantCode(t, "runtime-linked identity", err, "AccessDeniedException")

	// A token is only good with the identity operations of its own
	// account: a forged or altered one is refused.
	for name, bad := range map[string]string{
		"garbage":   "not-a-token",
		"altered":   aws.ToString(plain.WorkloadAccessToken) + "x",
		"spliced":   strings.SplitN(aws.ToString(plain.WorkloadAccessToken), ".", 3)[0] + "." + strings.SplitN(aws.ToString(forUser.WorkloadAccessToken), ".", 3)[1] + "." + strings.SplitN(aws.ToString(plain.WorkloadAccessToken), ".", 3)[2],
		"other-acc": "acwat1.eyJhY2N0IjoiMTExMTExMTExMTExIn0.AAAA",
	} {
		_, err := d.GetResourceApiKey(ctx, &dp.GetResourceApiKeyInput{WorkloadIdentityToken: aws.String(bad), ResourceCredentialProviderName: aws.String("any")})
		wantCode(t, "bad workload token "+name, err, "AccessDeniedException")
	}
}

func TestIdentityAPIKeyRoundTrip(t *testing.T) {
	srv := testserver.Start(t)
	ctx := context.Background()
	c, d := srv.Client(t), srv.DataClient(t)
	const key = "sk-api-KEY-round-trip-424242"
	if _, err := c.CreateWorkloadIdentity(ctx, &ctl.CreateWorkloadIdentityInput{Name: aws.String("wl-keys")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateApiKeyCredentialProvider(ctx, &ctl.CreateApiKeyCredentialProviderInput{Name: aws.String("search-key"), ApiKey: aws.String(key)}); err != nil {
		t.Fatal(err)
	}
	tok, err := d.GetWorkloadAccessToken(ctx, &dp.GetWorkloadAccessTokenInput{WorkloadName: aws.String("wl-keys")})
	if err != nil {
		t.Fatal(err)
	}
	out, err := d.GetResourceApiKey(ctx, &dp.GetResourceApiKeyInput{WorkloadIdentityToken: tok.WorkloadAccessToken, ResourceCredentialProviderName: aws.String("search-key")})
	if err != nil || aws.ToString(out.ApiKey) != key {
		t.Fatalf("GetResourceApiKey: %v %v, want %s", out, err, key)
	}
	// A new key is what the next call gets.
	if _, err := c.UpdateApiKeyCredentialProvider(ctx, &ctl.UpdateApiKeyCredentialProviderInput{Name: aws.String("search-key"), ApiKey: aws.String(key + "-v2")}); err != nil {
		t.Fatal(err)
	}
	out, err = d.GetResourceApiKey(ctx, &dp.GetResourceApiKeyInput{WorkloadIdentityToken: tok.WorkloadAccessToken, ResourceCredentialProviderName: aws.String("search-key")})
	if err != nil || aws.ToString(out.ApiKey) != key+"-v2" {
		t.Errorf("after update: %v %v", out, err)
	}
	_, err = d.GetResourceApiKey(ctx, &dp.GetResourceApiKeyInput{WorkloadIdentityToken: tok.WorkloadAccessToken, ResourceCredentialProviderName: aws.String("no-such-provider")})
	wantCode(t, "unknown provider", err, "ResourceNotFoundException")
}

// createOAuthProviders creates two custom providers at idp: "idp-discovery"
// (discovery URL, client_secret_basic) and "idp-post" (explicit metadata,
// client_secret_post). It returns the first one's callbackUrl.
func createOAuthProviders(t *testing.T, c *ctl.Client, idp *testIdP) string {
	t.Helper()
	ctx := context.Background()
	out, err := c.CreateOauth2CredentialProvider(ctx, &ctl.CreateOauth2CredentialProviderInput{
		Name: aws.String("idp-discovery"), CredentialProviderVendor: types.CredentialProviderVendorTypeCustomOauth2,
		Oauth2ProviderConfigInput: &types.Oauth2ProviderConfigInputMemberCustomOauth2ProviderConfig{Value: types.CustomOauth2ProviderConfigInput{
			ClientId: aws.String(idpClientID), ClientSecret: aws.String(idpClientSecret),
			OauthDiscovery: &types.Oauth2DiscoveryMemberDiscoveryUrl{Value: idp.URL + "/.well-known/openid-configuration"},
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateOauth2CredentialProvider(ctx, &ctl.CreateOauth2CredentialProviderInput{
		Name: aws.String("idp-post"), CredentialProviderVendor: types.CredentialProviderVendorTypeCustomOauth2,
		Oauth2ProviderConfigInput: &types.Oauth2ProviderConfigInputMemberCustomOauth2ProviderConfig{Value: types.CustomOauth2ProviderConfigInput{
			ClientId: aws.String(idpClientID), ClientSecret: aws.String(idpClientSecret),
			ClientAuthenticationMethod: types.ClientAuthenticationMethodTypeClientSecretPost,
			OauthDiscovery: &types.Oauth2DiscoveryMemberAuthorizationServerMetadata{Value: types.Oauth2AuthorizationServerMetadata{
				Issuer: aws.String(idp.URL), AuthorizationEndpoint: aws.String(idp.URL + "/authorize"), TokenEndpoint: aws.String(idp.URL + "/token"),
				ResponseTypes: []string{"code"}}},
		}},
	}); err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.CallbackUrl)
}

func TestIdentityOAuth2MachineToMachine(t *testing.T) {
	srv := testserver.Start(t)
	idp := startIdP(t)
	ctx := context.Background()
	c, d := srv.Client(t), srv.DataClient(t)
	createOAuthProviders(t, c, idp)
	if _, err := c.CreateWorkloadIdentity(ctx, &ctl.CreateWorkloadIdentityInput{Name: aws.String("wl-m2m")}); err != nil {
		t.Fatal(err)
	}
	wat, err := d.GetWorkloadAccessToken(ctx, &dp.GetWorkloadAccessTokenInput{WorkloadName: aws.String("wl-m2m")})
	if err != nil {
		t.Fatal(err)
	}
	get := func(provider string, force bool) (string, error) {
		out, err := d.GetResourceOauth2Token(ctx, &dp.GetResourceOauth2TokenInput{
			WorkloadIdentityToken: wat.WorkloadAccessToken, ResourceCredentialProviderName: aws.String(provider),
			Scopes: []string{"read", "write"}, Oauth2Flow: dptypes.Oauth2FlowTypeM2m, ForceAuthentication: aws.Bool(force)})
		if err != nil {
			return "", err
		}
		return aws.ToString(out.AccessToken), nil
	}
	first, err := get("idp-discovery", false)
	if err != nil || first != idpMachineToken+"-1" {
		t.Fatalf("M2M token: %q %v", first, err)
	}
	calls := idp.tokenCalls()
	if len(calls) != 1 || calls[0] != (tokenCall{Grant: "client_credentials", ClientID: idpClientID, Secret: idpClientSecret, Auth: "basic", Scope: "read write"}) {
		t.Fatalf("the token endpoint saw %+v", calls)
	}
	// Cached until it expires ...
	if again, err := get("idp-discovery", false); err != nil || again != first || len(idp.tokenCalls()) != 1 {
		t.Errorf("second call: %q %v, %d token calls; want the cached token", again, err, len(idp.tokenCalls()))
	}
	// ... unless forceAuthentication.
	if forced, err := get("idp-discovery", true); err != nil || forced != idpMachineToken+"-2" {
		t.Errorf("forced: %q %v", forced, err)
	}
	// client_secret_post with explicit metadata.
	if tok, err := get("idp-post", false); err != nil || tok != idpMachineToken+"-3" {
		t.Errorf("client_secret_post provider: %q %v", tok, err)
	}
	if calls := idp.tokenCalls(); len(calls) != 3 || calls[2].Auth != "post" || calls[2].ClientID != idpClientID || calls[2].Secret != idpClientSecret {
		t.Errorf("the token endpoint saw %+v", calls)
	}
	_, err = get("no-such-provider", false)
	wantCode(t, "unknown provider", err, "ResourceNotFoundException")
	// A wrong client secret: the server's refusal, not a 500.
	if _, err := c.UpdateOauth2CredentialProvider(ctx, &ctl.UpdateOauth2CredentialProviderInput{
		Name: aws.String("idp-post"), CredentialProviderVendor: types.CredentialProviderVendorTypeCustomOauth2,
		Oauth2ProviderConfigInput: &types.Oauth2ProviderConfigInputMemberCustomOauth2ProviderConfig{Value: types.CustomOauth2ProviderConfigInput{
			ClientId: aws.String(idpClientID), ClientSecret: aws.String("wrong"),
			OauthDiscovery: &types.Oauth2DiscoveryMemberDiscoveryUrl{Value: idp.URL + "/.well-known/openid-configuration"}}},
	}); err != nil {
		t.Fatal(err)
	}
	_, err = get("idp-post", true)
	wantCode(t, "refused client", err, "AccessDeniedException")
}

func TestIdentityOAuth2UserFederation(t *testing.T) {
	dir := t.TempDir()
	srv, st := cpStartOwned(t, dir)
	idp := startIdP(t)
	ctx := context.Background()
	c, d := srv.Client(t), srv.DataClient(t)
	callbackURL := createOAuthProviders(t, c, idp)

	// The application the user is sent back to.
	var backMu sync.Mutex
	var back url.Values
	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		backMu.Lock()
		back = r.URL.Query()
		backMu.Unlock()
		w.Write([]byte("welcome back"))
	}))
	defer app.Close()
	returnURL := app.URL + "/oauth/done"
	if _, err := c.CreateWorkloadIdentity(ctx, &ctl.CreateWorkloadIdentityInput{Name: aws.String("wl-user"),
		AllowedResourceOauth2ReturnUrls: []string{returnURL}}); err != nil {
		t.Fatal(err)
	}
	wat, err := d.GetWorkloadAccessTokenForUserId(ctx, &dp.GetWorkloadAccessTokenForUserIdInput{WorkloadName: aws.String("wl-user"), UserId: aws.String("alice")})
	if err != nil {
		t.Fatal(err)
	}
	ask := func(d *dp.Client, sessionURI, ret string) (*dp.GetResourceOauth2TokenOutput, error) {
		in := &dp.GetResourceOauth2TokenInput{WorkloadIdentityToken: wat.WorkloadAccessToken, ResourceCredentialProviderName: aws.String("idp-discovery"),
			Scopes: []string{"profile"}, Oauth2Flow: dptypes.Oauth2FlowTypeUserFederation, CustomState: aws.String("app-state-1")}
		if sessionURI != "" {
			in.SessionUri = aws.String(sessionURI)
		}
		if ret != "" {
			in.ResourceOauth2ReturnUrl = aws.String(ret)
		}
		return d.GetResourceOauth2Token(ctx, in)
	}
	_, err = ask(d, "", "https://evil.example/steal")
	wantCode(t, "return URL not allowed", err, "ValidationException")
	plain, _ := d.GetWorkloadAccessToken(ctx, &dp.GetWorkloadAccessTokenInput{WorkloadName: aws.String("wl-user")})
	_, err = d.GetResourceOauth2Token(ctx, &dp.GetResourceOauth2TokenInput{WorkloadIdentityToken: plain.WorkloadAccessToken,
		ResourceCredentialProviderName: aws.String("idp-discovery"), Scopes: []string{"profile"}, Oauth2Flow: dptypes.Oauth2FlowTypeUserFederation})
	wantCode(t, "user federation without a user", err, "ValidationException")

	started, err := ask(d, "", returnURL)
	if err != nil {
		t.Fatal(err)
	}
	sessionURI := aws.ToString(started.SessionUri)
	if started.SessionStatus != dptypes.SessionStatusInProgress || !strings.HasPrefix(sessionURI, "urn:ietf:params:oauth:request_uri:") || started.AccessToken != nil {
		t.Fatalf("start: %+v", started)
	}
	authURL, err := url.Parse(aws.ToString(started.AuthorizationUrl))
	if err != nil || !strings.HasPrefix(authURL.String(), idp.URL+"/authorize?") {
		t.Fatalf("authorizationUrl %v %v", authURL, err)
	}
	cb, _ := url.Parse(callbackURL)
	q := authURL.Query()
	if q.Get("redirect_uri") != srv.URL+cb.Path || q.Get("scope") != "profile" || q.Get("client_id") != idpClientID || q.Get("response_type") != "code" {
		t.Errorf("authorization query %v (callbackUrl %s)", q, callbackURL)
	}
	if pending, err := ask(d, sessionURI, returnURL); err != nil || pending.SessionStatus != dptypes.SessionStatusInProgress {
		t.Errorf("before the user authorized: %+v %v", pending, err)
	}
	_, err = d.CompleteResourceTokenAuth(ctx, &dp.CompleteResourceTokenAuthInput{SessionUri: aws.String(sessionURI),
		UserIdentifier: &dptypes.UserIdentifierMemberUserId{Value: "alice"}})
	wantCode(t, "complete before the callback", err, "ValidationException")

	// The user's browser: IdP -> agentcored's callback -> the application.
	browser := &http.Client{Timeout: 30 * time.Second}
	resp, err := browser.Get(authURL.String())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	backMu.Lock()
	gotBack := back
	backMu.Unlock()
	if resp.StatusCode != 200 || gotBack.Get("session_id") != sessionURI || gotBack.Get("state") != "app-state-1" {
		t.Fatalf("browser ended at %s (%d) with %v", resp.Request.URL, resp.StatusCode, gotBack)
	}
	if calls := idp.tokenCalls(); len(calls) != 1 || calls[0].Grant != "authorization_code" || calls[0].RedirectURI != q.Get("redirect_uri") || calls[0].Auth != "basic" {
		t.Errorf("the token endpoint saw %+v", calls)
	}
	// The authorization URL is good once.
	if resp, err := browser.Get(authURL.String()); err != nil || resp.StatusCode != http.StatusBadRequest {
		t.Errorf("second use of the authorization URL: %v %v", resp, err)
	} else {
		resp.Body.Close()
	}

	// Only the user who started it can complete it.
	_, err = d.CompleteResourceTokenAuth(ctx, &dp.CompleteResourceTokenAuthInput{SessionUri: aws.String(sessionURI),
		UserIdentifier: &dptypes.UserIdentifierMemberUserId{Value: "mallory"}})
	wantCode(t, "another user", err, "AccessDeniedException")
	if pending, err := ask(d, sessionURI, returnURL); err != nil || pending.AccessToken != nil {
		t.Errorf("before completion: %+v %v", pending, err)
	}
	aliceJWT := testJWT(map[string]any{"sub": "alice", "exp": time.Now().Add(time.Hour).Unix()})
	if _, err := d.CompleteResourceTokenAuth(ctx, &dp.CompleteResourceTokenAuthInput{SessionUri: aws.String(sessionURI),
		UserIdentifier: &dptypes.UserIdentifierMemberUserToken{Value: aliceJWT}}); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{sessionURI, ""} {
		got, err := ask(d, s, returnURL)
		if err != nil || aws.ToString(got.AccessToken) != idpUserToken {
			t.Errorf("token (sessionUri %q): %+v %v", s, got, err)
		}
	}
	_, err = d.CompleteResourceTokenAuth(ctx, &dp.CompleteResourceTokenAuthInput{SessionUri: aws.String("urn:ietf:params:oauth:request_uri:nope"),
		UserIdentifier: &dptypes.UserIdentifierMemberUserId{Value: "alice"}})
	wantCode(t, "unknown session", err, "ResourceNotFoundException")

	// Secrets and tokens are sealed at rest; the vault survives a restart,
	// and so do tokens issued before it.
	srv.Stop()
	st.Close() // one process (here: one store) per data dir
	sawRows := false
	for name, b := range cpReadDataDir(t, dir) {
		// The session's row names its workload in clear: the files read
		// hold the rows.
		sawRows = sawRows || bytes.Contains(b, []byte(`"workload":"wl-user"`))
		for _, secret := range []string{idpClientSecret, idpUserToken, "RT-refresh", "app-state-1"} {
			if bytes.Contains(b, []byte(secret)) {
				t.Errorf("%s holds %q in clear", name, secret)
			}
		}
	}
	if !sawRows {
		t.Error("no file under the data dir holds the session rows")
	}
	srv2, _ := cpStartOwned(t, dir)
	got, err := ask(srv2.DataClient(t), "", returnURL)
	if err != nil || aws.ToString(got.AccessToken) != idpUserToken {
		t.Errorf("after restart: %+v %v", got, err)
	}
}
