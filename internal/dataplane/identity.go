package dataplane

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"agentcored/internal/awserr"
	"agentcored/internal/dpapi"
	"agentcored/internal/reqctx"
	"agentcored/internal/service"
)

// The identity data plane (docs/DATAPLANE.md, "Identity"): workload access
// tokens, API keys and OAuth2 tokens from the token vault, and the OAuth2
// user-federation flow with its callback, which agentcored serves itself.

// Identities is what the identity operations read and keep through the
// control plane (service.Service, identity_access.go).
type Identities interface {
	LookupWorkloadIdentity(ctx context.Context, account, region, name string) (*service.WorkloadIdentity, error)
	WorkloadTokenKey(ctx context.Context) ([]byte, error)
	ResourceAPIKey(ctx context.Context, account, region, name string) (string, error)
	LookupOAuth2Client(ctx context.Context, account, region, name string) (*service.OAuth2Client, error)
	PutOAuth2Session(ctx context.Context, sess *service.OAuth2Session) error
	GetOAuth2Session(ctx context.Context, sessionURI string) (*service.OAuth2Session, error)
	PutVaultToken(ctx context.Context, account, region string, k service.VaultKey, tok service.VaultToken) error
	GetVaultToken(ctx context.Context, account, region string, k service.VaultKey) (service.VaultToken, bool, error)
}

const (
	// workloadTokenTTL: a workload access token is good for an hour.
	workloadTokenTTL = time.Hour
	// workloadTokenPrefix starts every token agentcored issues (format
	// version 1): prefix || base64url(claims JSON) "." base64url(HMAC).
	workloadTokenPrefix = "acwat1."
	// sessionTTL bounds how long a user has to authorize.
	sessionTTL = 10 * time.Minute
	// defaultTokenLifetime is assumed for an access token whose server gave
	// no expires_in.
	defaultTokenLifetime = time.Hour
	// expiryMargin: a token this close to its expiry is not handed out.
	expiryMargin = 30 * time.Second

	codeUnauthorized = "UnauthorizedException"
)

// workloadClaims is what a workload access token says.
type workloadClaims struct {
	Account  string `json:"acct"`
	Region   string `json:"rgn"`
	Workload string `json:"wl"`
	// User is the user id, or the JWT's sub; "" for a token acting for nobody.
	User     string `json:"usr,omitempty"`
	IssuedAt int64  `json:"iat"`
	Expires  int64  `json:"exp"`
}

func signToken(key []byte, c workloadClaims) string {
	payload := base64.RawURLEncoding.EncodeToString(encodeJSON(c))
	return workloadTokenPrefix + payload + "." + tokenMAC(key, payload)
}

func tokenMAC(key []byte, payload string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(workloadTokenPrefix + payload))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// parseToken checks a token's MAC and expiry at now.
func parseToken(key []byte, token string, now time.Time) (*workloadClaims, error) {
	denied := func(why string) error {
		return awserr.Errorf(awserr.CodeAccessDenied, "The workload access token is %s.", why)
	}
	rest, ok := strings.CutPrefix(token, workloadTokenPrefix)
	payload, mac, ok2 := strings.Cut(rest, ".")
	if !ok || !ok2 || !hmac.Equal([]byte(mac), []byte(tokenMAC(key, payload))) {
		return nil, denied("not valid")
	}
	raw, err := base64.RawURLEncoding.DecodeString(payload)
	var c workloadClaims
	if err == nil {
		err = json.Unmarshal(raw, &c)
	}
	if err != nil {
		return nil, denied("not valid")
	}
	if now.Unix() >= c.Expires {
		return nil, denied("expired")
	}
	return &c, nil
}

func encodeJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // our own types
	}
	return b
}

// IssueWorkloadAccessToken issues a token for the workload identity name in
// the caller's account and region, acting for user ("" for nobody). It does
// not refuse service-linked identities: InvokeAgentRuntime hands the
// runtime's agent a token for its own identity this way.
func (s *Service) IssueWorkloadAccessToken(ctx context.Context, name, user string) (string, error) {
	info := reqctx.From(ctx)
	if _, err := s.identities.LookupWorkloadIdentity(ctx, info.Account, info.Region, name); err != nil {
		return "", err
	}
	return s.issue(ctx, name, user)
}

func (s *Service) issue(ctx context.Context, name, user string) (string, error) {
	info := reqctx.From(ctx)
	key, err := s.identities.WorkloadTokenKey(ctx)
	if err != nil {
		return "", err
	}
	now := time.Now()
	return signToken(key, workloadClaims{Account: info.Account, Region: info.Region, Workload: name, User: user,
		IssuedAt: now.Unix(), Expires: now.Add(workloadTokenTTL).Unix()}), nil
}

// callerToken issues a token to a caller asking directly: AWS refuses
// tokens for identities a runtime (or gateway) manages; only that service
// obtains them, for its agent ("Get workload access token", developer
// guide).
func (s *Service) callerToken(ctx context.Context, name, user string) (string, error) {
	info := reqctx.From(ctx)
	wi, err := s.identities.LookupWorkloadIdentity(ctx, info.Account, info.Region, name)
	if err != nil {
		return "", err
	}
	if wi.LinkedTo != "" {
		return "", awserr.Errorf(awserr.CodeAccessDenied,
			"WorkloadIdentity '%s' is managed by %s; its workload access token is given to the agent by AgentCore Runtime (header WorkloadAccessToken), not to callers.", name, wi.LinkedTo)
	}
	return s.issue(ctx, name, user)
}

func (s *Service) GetWorkloadAccessToken(ctx context.Context, in *dpapi.GetWorkloadAccessTokenRequest) (*dpapi.GetWorkloadAccessTokenResponse, error) {
	tok, err := s.callerToken(ctx, in.WorkloadName, "")
	if err != nil {
		return nil, err
	}
	return &dpapi.GetWorkloadAccessTokenResponse{WorkloadAccessToken: tok}, nil
}

func (s *Service) GetWorkloadAccessTokenForUserId(ctx context.Context, in *dpapi.GetWorkloadAccessTokenForUserIdRequest) (*dpapi.GetWorkloadAccessTokenForUserIdResponse, error) {
	tok, err := s.callerToken(ctx, in.WorkloadName, in.UserId)
	if err != nil {
		return nil, err
	}
	return &dpapi.GetWorkloadAccessTokenForUserIdResponse{WorkloadAccessToken: tok}, nil
}

// GetWorkloadAccessTokenForJWT binds the token to the JWT's subject. AWS
// verifies the JWT against the inbound authorizer of the workload's
// runtime; agentcored decodes it and checks its expiry only (its signature
// is not verified here).
func (s *Service) GetWorkloadAccessTokenForJWT(ctx context.Context, in *dpapi.GetWorkloadAccessTokenForJWTRequest) (*dpapi.GetWorkloadAccessTokenForJWTResponse, error) {
	sub, err := jwtSubject(in.UserToken, "userToken", time.Now())
	if err != nil {
		return nil, err
	}
	tok, err := s.callerToken(ctx, in.WorkloadName, sub)
	if err != nil {
		return nil, err
	}
	return &dpapi.GetWorkloadAccessTokenForJWTResponse{WorkloadAccessToken: tok}, nil
}

// jwtSubject reads the sub claim of a compact JWT; field names the member
// in errors. An expired JWT is UnauthorizedException.
func jwtSubject(token, field string, now time.Time) (string, error) {
	parts := strings.Split(token, ".")
	var claims struct {
		Sub string          `json:"sub"`
		Exp json.RawMessage `json:"exp"`
	}
	var err error
	if len(parts) != 3 {
		err = fmt.Errorf("%d parts", len(parts))
	} else {
		var raw []byte
		if raw, err = base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "=")); err == nil {
			err = json.Unmarshal(raw, &claims)
		}
	}
	if err != nil {
		return "", awserr.Validation("1 validation error detected: Value at '%s' failed to satisfy constraint: Member must be a JWT (header.payload.signature, base64url JSON).", field)
	}
	if claims.Sub == "" {
		return "", awserr.Validation("1 validation error detected: Value at '%s' failed to satisfy constraint: the JWT has no 'sub' claim.", field)
	}
	if len(claims.Exp) > 0 {
		exp, err := strconv.ParseFloat(string(claims.Exp), 64)
		if err != nil {
			return "", awserr.Validation("1 validation error detected: Value at '%s' failed to satisfy constraint: the JWT's 'exp' claim is not a number.", field)
		}
		if float64(now.Unix()) >= exp {
			return "", awserr.Errorf(codeUnauthorized, "JWT bearer token invalid: the token expired.")
		}
	}
	return claims.Sub, nil
}

// verify checks a workload access token and that it belongs to the caller's
// account and region.
func (s *Service) verify(ctx context.Context, token string) (*workloadClaims, error) {
	key, err := s.identities.WorkloadTokenKey(ctx)
	if err != nil {
		return nil, err
	}
	c, err := parseToken(key, token, time.Now())
	if err != nil {
		return nil, err
	}
	info := reqctx.From(ctx)
	if c.Account != info.Account || c.Region != info.Region {
		return nil, awserr.Errorf(awserr.CodeAccessDenied, "The workload access token was issued to another account or region.")
	}
	return c, nil
}

func (s *Service) GetResourceApiKey(ctx context.Context, in *dpapi.GetResourceApiKeyRequest) (*dpapi.GetResourceApiKeyResponse, error) {
	c, err := s.verify(ctx, in.WorkloadIdentityToken)
	if err != nil {
		return nil, err
	}
	key, err := s.identities.ResourceAPIKey(ctx, c.Account, c.Region, in.ResourceCredentialProviderName)
	if err != nil {
		return nil, err
	}
	return &dpapi.GetResourceApiKeyResponse{ApiKey: key}, nil
}

// GetResourceOauth2Token answers an access token: machine to machine (the
// client-credentials grant at the provider's token endpoint) or for the
// token's user (user federation: from the vault once the user authorized,
// else an authorization URL and a session to complete).
func (s *Service) GetResourceOauth2Token(ctx context.Context, in *dpapi.GetResourceOauth2TokenRequest) (*dpapi.GetResourceOauth2TokenResponse, error) {
	c, err := s.verify(ctx, in.WorkloadIdentityToken)
	if err != nil {
		return nil, err
	}
	client, err := s.identities.LookupOAuth2Client(ctx, c.Account, c.Region, in.ResourceCredentialProviderName)
	if err != nil {
		return nil, err
	}
	force := in.ForceAuthentication != nil && *in.ForceAuthentication
	switch in.Oauth2Flow {
	case dpapi.Oauth2FlowTypeM2m:
		return s.machineToken(ctx, c, client, in, force)
	case dpapi.Oauth2FlowTypeUserFederation:
		return s.userToken(ctx, c, client, in, force)
	}
	return nil, awserr.Validation("1 validation error detected: Value '%s' at 'oauth2Flow' is not supported by agentcored (M2M and USER_FEDERATION are).", in.Oauth2Flow)
}

// vaultKey names the token of a request in the vault: scopes, resources
// and audiences, sorted, are part of it.
func vaultKey(c *workloadClaims, user string, in *dpapi.GetResourceOauth2TokenRequest) service.VaultKey {
	scopes := slices.Clone(in.Scopes)
	for _, r := range in.Resources {
		scopes = append(scopes, "resource="+r)
	}
	for _, a := range in.Audiences {
		scopes = append(scopes, "audience="+a)
	}
	slices.Sort(scopes)
	return service.VaultKey{Workload: c.Workload, User: user, Provider: in.ResourceCredentialProviderName, Scopes: slices.Compact(scopes)}
}

func usable(tok service.VaultToken, now time.Time) bool {
	return tok.AccessToken != "" && (tok.ExpiresAt.IsZero() || now.Add(expiryMargin).Before(tok.ExpiresAt))
}

func (s *Service) machineToken(ctx context.Context, c *workloadClaims, client *service.OAuth2Client, in *dpapi.GetResourceOauth2TokenRequest, force bool) (*dpapi.GetResourceOauth2TokenResponse, error) {
	key := vaultKey(c, "", in)
	if !force {
		tok, ok, err := s.identities.GetVaultToken(ctx, c.Account, c.Region, key)
		if err != nil {
			return nil, err
		}
		if ok && usable(tok, time.Now()) {
			return &dpapi.GetResourceOauth2TokenResponse{AccessToken: tok.AccessToken}, nil
		}
	}
	_, tokenURL, err := s.oauth.endpoints(ctx, client)
	if err != nil {
		return nil, err
	}
	form := url.Values{"grant_type": {"client_credentials"}}
	if len(in.Scopes) > 0 {
		form.Set("scope", strings.Join(in.Scopes, " "))
	}
	for _, r := range in.Resources {
		form.Add("resource", r)
	}
	for _, a := range in.Audiences {
		form.Add("audience", a)
	}
	for k, v := range in.CustomParameters {
		form.Set(k, v)
	}
	tok, err := s.oauth.token(ctx, client, tokenURL, form)
	if err != nil {
		return nil, err
	}
	if err := s.identities.PutVaultToken(ctx, c.Account, c.Region, key, tok); err != nil {
		return nil, err
	}
	return &dpapi.GetResourceOauth2TokenResponse{AccessToken: tok.AccessToken}, nil
}

func (s *Service) userToken(ctx context.Context, c *workloadClaims, client *service.OAuth2Client, in *dpapi.GetResourceOauth2TokenRequest, force bool) (*dpapi.GetResourceOauth2TokenResponse, error) {
	if c.User == "" {
		return nil, awserr.Validation("USER_FEDERATION needs a workload access token for a user: get one with GetWorkloadAccessTokenForUserId or GetWorkloadAccessTokenForJWT.")
	}
	wi, err := s.identities.LookupWorkloadIdentity(ctx, c.Account, c.Region, c.Workload)
	if err != nil {
		return nil, err
	}
	if in.ResourceOauth2ReturnUrl != "" && !slices.Contains(wi.AllowedReturnURLs, in.ResourceOauth2ReturnUrl) {
		return nil, awserr.Validation("1 validation error detected: Value at 'resourceOauth2ReturnUrl' failed to satisfy constraint: '%s' is not one of the allowedResourceOauth2ReturnUrls of workload identity '%s'.",
			in.ResourceOauth2ReturnUrl, c.Workload)
	}
	key := vaultKey(c, c.User, in)
	now := time.Now()
	if in.SessionUri != "" && !force {
		sess, err := s.identities.GetOAuth2Session(ctx, in.SessionUri)
		if err != nil {
			return nil, err
		}
		if sess.Account != c.Account || sess.Region != c.Region || sess.Workload != c.Workload || sess.User != c.User || sess.Provider != client.Name {
			return nil, awserr.NotFound("The session '%s' was not found for this workload, user and credential provider.", in.SessionUri)
		}
		switch {
		case sess.Status == service.SessionFailed || (sess.Status == service.SessionInProgress && now.After(sess.ExpiresAt)):
			return &dpapi.GetResourceOauth2TokenResponse{SessionUri: in.SessionUri, SessionStatus: dpapi.SessionStatusFailed}, nil
		case sess.Status != service.SessionCompleted:
			return &dpapi.GetResourceOauth2TokenResponse{AuthorizationUrl: sess.AuthorizationURL, SessionUri: in.SessionUri, SessionStatus: dpapi.SessionStatusInProgress}, nil
		}
		key = service.VaultKey{Workload: sess.Workload, User: sess.User, Provider: sess.Provider, Scopes: sess.Scopes}
	}
	if !force {
		tok, ok, err := s.identities.GetVaultToken(ctx, c.Account, c.Region, key)
		if err != nil {
			return nil, err
		}
		if ok && usable(tok, now) {
			return &dpapi.GetResourceOauth2TokenResponse{AccessToken: tok.AccessToken}, nil
		}
		if ok && tok.RefreshToken != "" {
			if fresh, err := s.refresh(ctx, client, tok); err == nil {
				if err := s.identities.PutVaultToken(ctx, c.Account, c.Region, key, fresh); err != nil {
					return nil, err
				}
				return &dpapi.GetResourceOauth2TokenResponse{AccessToken: fresh.AccessToken}, nil
			}
			// A refused refresh token: the user authorizes again.
		}
	}
	return s.startSession(ctx, c, client, in, key)
}

func (s *Service) refresh(ctx context.Context, client *service.OAuth2Client, tok service.VaultToken) (service.VaultToken, error) {
	_, tokenURL, err := s.oauth.endpoints(ctx, client)
	if err != nil {
		return service.VaultToken{}, err
	}
	fresh, err := s.oauth.token(ctx, client, tokenURL, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok.RefreshToken}})
	if err == nil && fresh.RefreshToken == "" {
		fresh.RefreshToken = tok.RefreshToken // the server kept the old one valid
	}
	return fresh, err
}

// startSession makes a new authorization session: the URL the user opens
// at the provider's authorization endpoint, which sends the browser back to
// agentcored's callback with the code.
func (s *Service) startSession(ctx context.Context, c *workloadClaims, client *service.OAuth2Client, in *dpapi.GetResourceOauth2TokenRequest, key service.VaultKey) (*dpapi.GetResourceOauth2TokenResponse, error) {
	authURL, _, err := s.oauth.endpoints(ctx, client)
	if err != nil {
		return nil, err
	}
	if authURL == "" {
		return nil, awserr.Validation("The OAuth2 credential provider '%s' has no authorization endpoint: USER_FEDERATION needs one.", client.Name)
	}
	u, err := url.Parse(authURL)
	if err != nil {
		return nil, awserr.Validation("The authorization endpoint '%s' of credential provider '%s' is not a URL.", authURL, client.Name)
	}
	now := time.Now().UTC()
	sess := &service.OAuth2Session{
		ID: uuid.NewString(), Account: c.Account, Region: c.Region, Workload: c.Workload, User: c.User,
		Provider: client.Name, Scopes: key.Scopes, ReturnURL: in.ResourceOauth2ReturnUrl,
		RedirectURI: redirectURI(ctx, client.CallbackURL), CustomState: in.CustomState,
		Status: service.SessionInProgress, CreatedAt: now, ExpiresAt: now.Add(sessionTTL),
	}
	q := u.Query()
	for k, v := range in.CustomParameters {
		q.Set(k, v)
	}
	q.Set("response_type", "code")
	q.Set("client_id", client.ClientID)
	q.Set("redirect_uri", sess.RedirectURI)
	q.Set("state", sess.ID)
	if len(in.Scopes) > 0 {
		q.Set("scope", strings.Join(in.Scopes, " "))
	}
	for _, r := range in.Resources {
		q.Add("resource", r)
	}
	for _, a := range in.Audiences {
		q.Add("audience", a)
	}
	u.RawQuery = q.Encode()
	sess.AuthorizationURL = u.String()
	if err := s.identities.PutOAuth2Session(ctx, sess); err != nil {
		return nil, err
	}
	return &dpapi.GetResourceOauth2TokenResponse{AuthorizationUrl: sess.AuthorizationURL,
		SessionUri: service.SessionURIPrefix + sess.ID, SessionStatus: dpapi.SessionStatusInProgress}, nil
}

// CompleteResourceTokenAuth binds an authorized session to its user: the
// caller names the user who is signed in to its application, and only when
// that is the user the session was started for does the token enter the
// vault (session binding, developer guide).
func (s *Service) CompleteResourceTokenAuth(ctx context.Context, in *dpapi.CompleteResourceTokenAuthRequest) (*dpapi.CompleteResourceTokenAuthResponse, error) {
	id := in.UserIdentifier // required by the model; checked again, it is a union
	if id == nil || (id.UserId == "") == (id.UserToken == "") {
		return nil, awserr.Validation("1 validation error detected: exactly one of 'userIdentifier.userId' and 'userIdentifier.userToken' must be given.")
	}
	user := id.UserId
	if id.UserToken != "" {
		sub, err := jwtSubject(id.UserToken, "userIdentifier.userToken", time.Now())
		if err != nil {
			return nil, err
		}
		user = sub
	}
	info := reqctx.From(ctx)
	sess, err := s.identities.GetOAuth2Session(ctx, in.SessionUri)
	if err == nil && (sess.Account != info.Account || sess.Region != info.Region) {
		err = awserr.NotFound("The session '%s' was not found.", in.SessionUri)
	}
	if err != nil {
		return nil, err
	}
	if user != sess.User {
		return nil, awserr.Errorf(awserr.CodeAccessDenied, "The user identifier does not match the user who started the session '%s'.", in.SessionUri)
	}
	switch sess.Status {
	case service.SessionCompleted:
		return &dpapi.CompleteResourceTokenAuthResponse{}, nil
	case service.SessionFailed:
		return nil, awserr.Validation("The session '%s' failed: %s", in.SessionUri, sess.Failure)
	case service.SessionInProgress:
		return nil, awserr.Validation("The session '%s' is not authorized yet: the user has not been sent back from the authorization URL.", in.SessionUri)
	}
	key := service.VaultKey{Workload: sess.Workload, User: sess.User, Provider: sess.Provider, Scopes: sess.Scopes}
	if err := s.identities.PutVaultToken(ctx, sess.Account, sess.Region, key, sess.Token); err != nil {
		return nil, err
	}
	sess.Status, sess.Token = service.SessionCompleted, service.VaultToken{}
	if err := s.identities.PutOAuth2Session(ctx, sess); err != nil {
		return nil, err
	}
	return &dpapi.CompleteResourceTokenAuthResponse{}, nil
}

// ---- the OAuth2 callback ----

type baseURLKey struct{}

// WithBaseURL records the scheme and host a client reached agentcored at
// (e.g. http://127.0.0.1:4566): the redirect URI of user federation points
// there, at the path of the provider's callbackUrl, so that the callback
// works locally.
func WithBaseURL(ctx context.Context, base string) context.Context {
	return context.WithValue(ctx, baseURLKey{}, base)
}

// redirectURI is the provider's callbackUrl moved to agentcored's own base
// URL when the request has one.
func redirectURI(ctx context.Context, callbackURL string) string {
	base, _ := ctx.Value(baseURLKey{}).(string)
	u, err := url.Parse(callbackURL)
	if base == "" || err != nil {
		return callbackURL
	}
	return strings.TrimSuffix(base, "/") + u.EscapedPath()
}

// OAuth2Callback serves GET /identities/oauth2/callback/{id}: the browser
// comes back from the authorization server with code and state; the code
// is exchanged for the token, kept sealed in the session, and the browser
// goes on to the session's resourceOauth2ReturnUrl with session_id (the
// sessionUri) for the application to call CompleteResourceTokenAuth.
func (s *Service) OAuth2Callback(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	q := r.URL.Query()
	fail := func(status int, msg string) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(status)
		io.WriteString(w, msg+"\n")
	}
	state := q.Get("state")
	if state == "" {
		fail(http.StatusBadRequest, "Missing state.")
		return
	}
	sess, err := s.identities.GetOAuth2Session(ctx, state)
	if err != nil {
		fail(http.StatusNotFound, "Unknown authorization session.")
		return
	}
	if sess.Status != service.SessionInProgress {
		fail(http.StatusBadRequest, "This authorization session was already used.")
		return
	}
	client, err := s.identities.LookupOAuth2Client(ctx, sess.Account, sess.Region, sess.Provider)
	if err != nil || !strings.HasSuffix(client.CallbackURL, "/"+r.PathValue("id")) {
		fail(http.StatusBadRequest, "This callback does not belong to the session's credential provider.")
		return
	}
	finish := func(status, failure string, tok service.VaultToken) bool {
		sess.Status, sess.Failure, sess.Token = status, failure, tok
		if err := s.identities.PutOAuth2Session(ctx, sess); err != nil {
			fail(http.StatusServiceUnavailable, "The session could not be saved; try again.")
			return false
		}
		return true
	}
	var tok service.VaultToken
	switch {
	case time.Now().After(sess.ExpiresAt):
		err = fmt.Errorf("the authorization session expired")
	case q.Get("error") != "":
		err = fmt.Errorf("the authorization server answered %s %s", q.Get("error"), q.Get("error_description"))
	case q.Get("code") == "":
		err = fmt.Errorf("the authorization server sent no code")
	default:
		var tokenURL string
		if _, tokenURL, err = s.oauth.endpoints(ctx, client); err == nil {
			tok, err = s.oauth.token(ctx, client, tokenURL, url.Values{"grant_type": {"authorization_code"},
				"code": {q.Get("code")}, "redirect_uri": {sess.RedirectURI}})
		}
	}
	if err != nil {
		if finish(service.SessionFailed, err.Error(), service.VaultToken{}) {
			fail(http.StatusBadRequest, "Authorization failed: "+err.Error())
		}
		return
	}
	if !finish(service.SessionAuthorized, "", tok) {
		return
	}
	if sess.ReturnURL == "" {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintf(w, "Authorization complete. Call CompleteResourceTokenAuth with sessionUri %s%s.\n", service.SessionURIPrefix, sess.ID)
		return
	}
	back, err := url.Parse(sess.ReturnURL)
	if err != nil {
		fail(http.StatusBadRequest, "The return URL is not a URL.")
		return
	}
	bq := back.Query()
	bq.Set("session_id", service.SessionURIPrefix+sess.ID)
	if sess.CustomState != "" {
		bq.Set("state", sess.CustomState)
	}
	back.RawQuery = bq.Encode()
	http.Redirect(w, r, back.String(), http.StatusFound)
}

// ---- talking to authorization servers ----

// oauthClient calls authorization servers: their discovery documents and
// token endpoints. No proxy from agentcored's environment, no redirects.
type oauthClient struct{ http *http.Client }

func newOAuthClient() *oauthClient {
	return &oauthClient{http: &http.Client{Timeout: 30 * time.Second,
		Transport:     &http.Transport{Proxy: nil, MaxIdleConnsPerHost: 4, IdleConnTimeout: 90 * time.Second},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// endpoints are the provider's authorization and token endpoints: from its
// discovery document when it names one, else from its metadata.
func (o *oauthClient) endpoints(ctx context.Context, c *service.OAuth2Client) (authURL, tokenURL string, err error) {
	authURL, tokenURL = c.AuthorizationURL, c.TokenURL
	if c.DiscoveryURL != "" {
		var doc struct {
			AuthorizationEndpoint string `json:"authorization_endpoint"`
			TokenEndpoint         string `json:"token_endpoint"`
		}
		if err := o.getJSON(ctx, c.DiscoveryURL, &doc); err != nil {
			return "", "", awserr.Validation("The discovery document %s of credential provider '%s' could not be read: %v", c.DiscoveryURL, c.Name, err)
		}
		authURL, tokenURL = doc.AuthorizationEndpoint, doc.TokenEndpoint
	}
	if tokenURL == "" {
		return "", "", awserr.Validation("The OAuth2 credential provider '%s' has no token endpoint.", c.Name)
	}
	return authURL, tokenURL, nil
}

func (o *oauthClient) getJSON(ctx context.Context, u string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := o.http.Do(req)
	if err != nil {
		return unwrapURLError(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("status %d", resp.StatusCode)
	}
	return json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(v)
}

// token posts a grant to the token endpoint with the client's
// authentication (client_secret_basic unless the provider says
// CLIENT_SECRET_POST; a client without a secret sends its id only).
func (o *oauthClient) token(ctx context.Context, c *service.OAuth2Client, tokenURL string, form url.Values) (service.VaultToken, error) {
	method := c.AuthMethod
	switch method {
	case "", "CLIENT_SECRET_BASIC", "CLIENT_SECRET_POST":
	default:
		return service.VaultToken{}, awserr.Validation("agentcored does not support clientAuthenticationMethod %s (credential provider '%s').", method, c.Name)
	}
	if c.ClientSecret == "" || method == "CLIENT_SECRET_POST" {
		form.Set("client_id", c.ClientID)
		if c.ClientSecret != "" {
			form.Set("client_secret", c.ClientSecret)
		}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, tokenURL, strings.NewReader(form.Encode()))
	if err != nil {
		return service.VaultToken{}, awserr.Validation("The token endpoint '%s' of credential provider '%s' is not a URL.", tokenURL, c.Name)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	if c.ClientSecret != "" && method != "CLIENT_SECRET_POST" {
		// RFC 6749 2.3.1: id and secret are form-encoded before Basic.
		req.SetBasicAuth(url.QueryEscape(c.ClientID), url.QueryEscape(c.ClientSecret))
	}
	resp, err := o.http.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return service.VaultToken{}, ctx.Err()
		}
		return service.VaultToken{}, awserr.Validation("The token endpoint %s of credential provider '%s' did not answer: %v", tokenURL, c.Name, unwrapURLError(err))
	}
	defer resp.Body.Close()
	var body struct {
		AccessToken  string          `json:"access_token"`
		RefreshToken string          `json:"refresh_token"`
		ExpiresIn    json.RawMessage `json:"expires_in"`
		Error        string          `json:"error"`
		Description  string          `json:"error_description"`
	}
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	jsonErr := json.Unmarshal(raw, &body)
	if resp.StatusCode != http.StatusOK || body.AccessToken == "" {
		why := strings.TrimSpace(body.Error + " " + body.Description)
		if why == "" {
			why = fmt.Sprintf("status %d", resp.StatusCode)
		}
		if jsonErr != nil && resp.StatusCode == http.StatusOK {
			why = "an answer that is not JSON"
		}
		return service.VaultToken{}, awserr.Errorf(awserr.CodeAccessDenied, "The authorization server of credential provider '%s' refused the token request: %s", c.Name, why)
	}
	tok := service.VaultToken{AccessToken: body.AccessToken, RefreshToken: body.RefreshToken}
	lifetime := defaultTokenLifetime
	if secs, err := strconv.ParseFloat(strings.Trim(string(body.ExpiresIn), `"`), 64); err == nil && secs > 0 {
		lifetime = time.Duration(secs * float64(time.Second))
	}
	tok.ExpiresAt = time.Now().Add(lifetime).UTC()
	return tok, nil
}
