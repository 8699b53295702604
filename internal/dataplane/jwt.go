package dataplane

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"agentcored/internal/api"
	"agentcored/internal/awserr"
	"agentcored/internal/reqctx"
	"agentcored/internal/service"
)

// Inbound JWT auth (docs/DATAPLANE.md "Inbound JWT auth"): a runtime
// version whose authorizerConfiguration.customJWTAuthorizer is set is
// called with "Authorization: Bearer <JWT>" instead of SigV4. The token's
// signature is checked with go-jose against the keys the authorizer's
// discoveryUrl publishes (its jwks_uri), then its claims against the
// authorizer: issuer, expiry, audience, client, scopes, custom claims.

const (
	// Missing tokens answer codeUnauthorized (identity.go), the data
	// plane's modeled 401.

	// jwksTTL: how long a discovery document and its key set are used
	// before they are fetched again.
	jwksTTL = 15 * time.Minute
	// jwksRefetchEvery bounds refetches caused by tokens naming an unknown
	// key id (a key rotation), so that junk tokens cannot hammer the IdP.
	jwksRefetchEvery = 10 * time.Second
	// minTokenLife: AWS refuses tokens that expire within the next minute
	// (dataplane-facts §4).
	minTokenLife = time.Minute
	// maxOIDCDocument bounds a discovery document or a key set.
	maxOIDCDocument = 1 << 20
)

// jwtAlgorithms are the signature algorithms accepted: the asymmetric ones
// a JWKS can publish (never "none", never HMAC).
var jwtAlgorithms = []jose.SignatureAlgorithm{
	jose.RS256, jose.RS384, jose.RS512, jose.PS256, jose.PS384, jose.PS512,
	jose.ES256, jose.ES384, jose.ES512, jose.EdDSA,
}

// resolveAuthorized finds the runtime version a call addresses and checks
// that the call's authentication is the one the version asks for (SigV4, or
// a bearer JWT for a customJWTAuthorizer): every runtime operation goes
// through it, so none can be reached around the authorizer.
func (s *Service) resolveAuthorized(ctx context.Context, arnOrID, qualifier string) (*service.RuntimeTarget, error) {
	t, err := s.runtimes.ResolveRuntime(ctx, arnOrID, qualifier)
	if err != nil {
		return nil, err
	}
	if err := s.checkInboundAuth(ctx, t); err != nil {
		return nil, err
	}
	return t, nil
}

// checkInboundAuth decides whether the call in ctx may invoke the runtime
// version t: a SigV4 call a runtime without a JWT authorizer, a valid
// bearer token one with it. The agent is never called when it fails.
func (s *Service) checkInboundAuth(ctx context.Context, t *service.RuntimeTarget) error {
	info := reqctx.From(ctx)
	cfg := jwtAuthorizer(t)
	if cfg == nil {
		if info.Bearer {
			return awserr.Errorf(awserr.CodeAccessDenied,
				"Authorization method mismatch. Agent runtime '%s' is configured for AWS IAM (SigV4) authorization, but the request carried an OAuth bearer token; sign the request with SigV4.", t.RuntimeID)
		}
		return nil
	}
	if !info.Bearer {
		if info.Header.Get("Authorization") == "" {
			return awserr.Errorf(codeUnauthorized,
				"Missing Authentication Token. Agent runtime '%s' accepts OAuth bearer tokens only (Authorization: Bearer <JWT>).", t.RuntimeID)
		}
		return awserr.Errorf(awserr.CodeAccessDenied,
			"Authorization method mismatch. Agent runtime '%s' is configured for OAuth (customJWTAuthorizer) authorization, but the request was signed with SigV4; send Authorization: Bearer <JWT> instead (OAuth runtimes cannot be called through the AWS SDKs).", t.RuntimeID)
	}
	if info.BearerToken == "" {
		return awserr.Errorf(codeUnauthorized, "Missing Authentication Token. The Authorization header holds no bearer token.")
	}
	return s.jwt.verify(ctx, cfg, info.BearerToken)
}

// jwtAuthorizer is the version's JWT authorizer, or nil.
func jwtAuthorizer(t *service.RuntimeTarget) *api.CustomJWTAuthorizerConfiguration {
	if a := t.Config.AuthorizerConfiguration; a != nil {
		return a.CustomJWTAuthorizer
	}
	return nil
}

// jwtVerifier verifies bearer tokens, caching each discovery URL's issuer
// and key set.
type jwtVerifier struct {
	client       *http.Client
	ttl          time.Duration
	refetchEvery time.Duration
	now          func() time.Time

	mu        sync.Mutex
	providers map[string]*oidcProvider
}

// oidcProvider is what one discovery URL told, and when.
type oidcProvider struct {
	mu        sync.Mutex // one fetch at a time
	issuer    string
	jwksURI   string
	keys      jose.JSONWebKeySet
	fetched   time.Time // the discovery document and the keys
	refetched time.Time // the keys, last refetch for an unknown key id
}

func newJWTVerifier() *jwtVerifier {
	return &jwtVerifier{
		// The IdP is reached like any client would (proxy from the
		// environment; loopback never proxied), with a bounded wait.
		client:       &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{Proxy: http.ProxyFromEnvironment}},
		ttl:          jwksTTL,
		refetchEvery: jwksRefetchEvery,
		now:          time.Now,
		providers:    map[string]*oidcProvider{},
	}
}

// tokenClaims are the claims the authorizer checks beyond the registered
// ones; all of them are also kept raw for customClaims.
type tokenClaims struct {
	ClientID string `json:"client_id"`
	AZP      string `json:"azp"`
	Scope    any    `json:"scope"` // "a b c" (RFC 8693), some IdPs a list
	SCP      any    `json:"scp"`
}

// verify checks token against cfg: an AccessDeniedException saying why
// when any check fails.
func (v *jwtVerifier) verify(ctx context.Context, cfg *api.CustomJWTAuthorizerConfiguration, token string) error {
	denied := func(format string, args ...any) error {
		return awserr.Errorf(awserr.CodeAccessDenied, "Invalid bearer token: "+format, args...)
	}
	tok, err := jwt.ParseSigned(token, jwtAlgorithms)
	if err != nil {
		return denied("not a signed JWT with an accepted algorithm (%v).", err)
	}
	if len(tok.Headers) != 1 {
		return denied("a JWT has exactly one signature.")
	}
	kid := tok.Headers[0].KeyID
	issuer, keys, err := v.keysFor(ctx, cfg.DiscoveryUrl, kid)
	if err != nil {
		return awserr.Errorf(awserr.CodeAccessDenied, "Could not verify the bearer token: %v", err)
	}
	if len(keys) == 0 {
		return denied("no key with id %q in the key set of %s.", kid, cfg.DiscoveryUrl)
	}
	var std jwt.Claims
	var extra tokenClaims
	var raw map[string]any
	verified := false
	for _, k := range keys {
		if k.Use != "" && k.Use != "sig" {
			continue
		}
		if err := tok.Claims(k.Key, &std, &extra, &raw); err == nil {
			verified = true
			break
		}
	}
	if !verified {
		return denied("the signature does not verify with the issuer's keys.")
	}
	now := v.now()
	if std.Issuer != issuer {
		return denied("issuer %q is not the discovery document's issuer %q.", std.Issuer, issuer)
	}
	if std.Expiry == nil {
		return denied("it has no expiry (exp).")
	}
	if exp := std.Expiry.Time(); !exp.After(now.Add(minTokenLife)) {
		if !exp.After(now) {
			return denied("it expired at %s.", exp.UTC().Format(time.RFC3339))
		}
		return denied("it expires at %s, within the next %s.", exp.UTC().Format(time.RFC3339), minTokenLife)
	}
	if std.NotBefore != nil && std.NotBefore.Time().After(now) {
		return denied("it is not valid before %s.", std.NotBefore.Time().UTC().Format(time.RFC3339))
	}
	if len(cfg.AllowedAudience) > 0 && !slices.ContainsFunc(std.Audience, func(a string) bool { return slices.Contains(cfg.AllowedAudience, a) }) {
		return denied("audience %v is not among the allowed audiences.", []string(std.Audience))
	}
	if len(cfg.AllowedClients) > 0 {
		// client_id as AWS documents; OIDC's azp (authorized party) when a
		// token has no client_id.
		client := extra.ClientID
		if client == "" {
			client = extra.AZP
		}
		if !slices.Contains(cfg.AllowedClients, client) {
			return denied("client %q is not among the allowed clients.", client)
		}
	}
	if len(cfg.AllowedScopes) > 0 {
		scopes := append(stringsOf(extra.Scope, true), stringsOf(extra.SCP, true)...)
		if !slices.ContainsFunc(scopes, func(s string) bool { return slices.Contains(cfg.AllowedScopes, s) }) {
			return denied("none of its scopes %v is allowed.", scopes)
		}
	}
	for _, rule := range cfg.CustomClaims {
		if reason := customClaimFails(rule, raw); reason != "" {
			return denied("%s", reason)
		}
	}
	return nil
}

// customClaimFails is why the token's claims break rule, or "". STRING
// claims must equal the value (EQUALS); STRING_ARRAY claims must contain
// the value (CONTAINS) or one of the values (CONTAINS_ANY) — the control
// API reference, CustomClaimValidationType.
func customClaimFails(rule api.CustomClaimValidationType, claims map[string]any) string {
	name := rule.InboundTokenClaimName
	value, present := claims[name]
	if !present {
		return fmt.Sprintf("claim %q is missing.", name)
	}
	var want []string
	op := api.ClaimMatchOperatorType("")
	if m := rule.AuthorizingClaimMatchValue; m != nil {
		op = m.ClaimMatchOperator
		if v := m.ClaimMatchValue; v != nil {
			if v.MatchValueString != "" {
				want = append(want, v.MatchValueString)
			}
			want = append(want, v.MatchValueStringList...)
		}
	}
	switch rule.InboundTokenClaimValueType {
	case api.InboundTokenClaimValueTypeStringArray:
		got := stringsOf(value, false)
		if got == nil {
			return fmt.Sprintf("claim %q is not an array of strings.", name)
		}
		match := slices.ContainsFunc(want, func(w string) bool { return slices.Contains(got, w) })
		if op != api.ClaimMatchOperatorTypeContainsAny {
			// CONTAINS (and EQUALS): every value given must be there.
			match = len(want) > 0 && !slices.ContainsFunc(want, func(w string) bool { return !slices.Contains(got, w) })
		}
		if !match {
			return fmt.Sprintf("claim %q %v does not match %s %v.", name, got, op, want)
		}
	default:
		got, ok := value.(string)
		if !ok {
			return fmt.Sprintf("claim %q is not a string.", name)
		}
		if !slices.Contains(want, got) {
			return fmt.Sprintf("claim %q %q does not match %s %v.", name, got, op, want)
		}
	}
	return ""
}

// stringsOf reads a claim that is a list of strings; with spaced, a string
// is split on spaces (the scope claim), else a string is not a list (nil).
func stringsOf(v any, spaced bool) []string {
	switch v := v.(type) {
	case string:
		if spaced {
			return strings.Fields(v)
		}
	case []any:
		out := []string{}
		for _, e := range v {
			s, ok := e.(string)
			if !ok {
				return nil
			}
			out = append(out, s)
		}
		return out
	}
	return nil
}

// keysFor returns the issuer of discoveryURL and its keys with id kid
// (all its keys when kid is ""), fetching the discovery document and the
// key set when not cached or older than the TTL, and refetching the key set
// once (at most every refetchEvery) when kid is unknown: the IdP may have
// rotated its keys.
func (v *jwtVerifier) keysFor(ctx context.Context, discoveryURL, kid string) (string, []jose.JSONWebKey, error) {
	v.mu.Lock()
	p := v.providers[discoveryURL]
	if p == nil {
		p = &oidcProvider{}
		v.providers[discoveryURL] = p
	}
	v.mu.Unlock()

	p.mu.Lock()
	defer p.mu.Unlock()
	now := v.now()
	if p.fetched.IsZero() || now.Sub(p.fetched) >= v.ttl {
		if err := v.fetchDiscovery(ctx, p, discoveryURL); err != nil {
			return "", nil, err
		}
		if err := v.fetchKeys(ctx, p); err != nil {
			return "", nil, err
		}
		p.fetched = now
	}
	find := func() []jose.JSONWebKey {
		if kid == "" {
			return p.keys.Keys
		}
		return p.keys.Key(kid)
	}
	keys := find()
	if len(keys) == 0 && kid != "" && now.Sub(p.refetched) >= v.refetchEvery {
		p.refetched = now
		if err := v.fetchKeys(ctx, p); err != nil {
			return "", nil, err
		}
		keys = find()
	}
	// A copy: the caller reads it without the lock.
	return p.issuer, slices.Clone(keys), nil
}

func (v *jwtVerifier) fetchDiscovery(ctx context.Context, p *oidcProvider, discoveryURL string) error {
	var doc struct {
		Issuer  string `json:"issuer"`
		JWKSURI string `json:"jwks_uri"`
	}
	if err := v.getJSON(ctx, discoveryURL, &doc); err != nil {
		return fmt.Errorf("discovery document %s: %w", discoveryURL, err)
	}
	if doc.Issuer == "" || doc.JWKSURI == "" {
		return fmt.Errorf("discovery document %s has no issuer or no jwks_uri", discoveryURL)
	}
	p.issuer, p.jwksURI = doc.Issuer, doc.JWKSURI
	return nil
}

// fetchKeys replaces the provider's key set. Keys go-jose cannot read
// (another kty, an encryption key ...) are skipped, not fatal: they cannot
// have signed a token anyway.
func (v *jwtVerifier) fetchKeys(ctx context.Context, p *oidcProvider) error {
	var set struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := v.getJSON(ctx, p.jwksURI, &set); err != nil {
		return fmt.Errorf("key set %s: %w", p.jwksURI, err)
	}
	keys := jose.JSONWebKeySet{}
	for _, raw := range set.Keys {
		var k jose.JSONWebKey
		if err := k.UnmarshalJSON(raw); err == nil && k.Valid() {
			keys.Keys = append(keys.Keys, k)
		}
	}
	p.keys = keys
	return nil
}

func (v *jwtVerifier) getJSON(ctx context.Context, url string, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := v.client.Do(req)
	if err != nil {
		return unwrapURLError(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("answered %s", resp.Status)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxOIDCDocument+1))
	if err != nil {
		return err
	}
	if len(body) > maxOIDCDocument {
		return errors.New("larger than 1 MB")
	}
	if err := json.Unmarshal(body, out); err != nil {
		return fmt.Errorf("not valid JSON: %v", err)
	}
	return nil
}
