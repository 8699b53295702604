package dataplane

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"agentcored/internal/api"
	"agentcored/internal/awserr"
	"agentcored/internal/reqctx"
	"agentcored/internal/service"
)

// testIdP is an OIDC provider: a discovery document and a JWKS whose keys
// the test can rotate; it counts the key-set fetches.
type testIdP struct {
	*httptest.Server
	mu        sync.Mutex
	keys      []jose.JSONWebKey // public
	jwksHits  int
	discovery string
}

type signingKey struct {
	kid string
	alg jose.SignatureAlgorithm
	key crypto.Signer
}

func newSigningKey(t *testing.T, kid string, alg jose.SignatureAlgorithm) signingKey {
	t.Helper()
	var k crypto.Signer
	var err error
	if alg == jose.ES256 {
		k, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	} else {
		k, err = rsa.GenerateKey(rand.Reader, 2048)
	}
	if err != nil {
		t.Fatal(err)
	}
	return signingKey{kid: kid, alg: alg, key: k}
}

func (k signingKey) public() jose.JSONWebKey {
	return jose.JSONWebKey{Key: k.key.Public(), KeyID: k.kid, Algorithm: string(k.alg), Use: "sig"}
}

func startIdP(t *testing.T, keys ...signingKey) *testIdP {
	idp := &testIdP{}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(map[string]string{"issuer": idp.URL, "jwks_uri": idp.URL + "/jwks"})
	})
	mux.HandleFunc("GET /jwks", func(w http.ResponseWriter, r *http.Request) {
		idp.mu.Lock()
		defer idp.mu.Unlock()
		idp.jwksHits++
		json.NewEncoder(w).Encode(jose.JSONWebKeySet{Keys: idp.keys})
	})
	idp.Server = httptest.NewServer(mux)
	t.Cleanup(idp.Close)
	idp.discovery = idp.URL + "/.well-known/openid-configuration"
	idp.publish(keys...)
	return idp
}

// publish replaces the published keys (a rotation).
func (idp *testIdP) publish(keys ...signingKey) {
	idp.mu.Lock()
	defer idp.mu.Unlock()
	idp.keys = nil
	for _, k := range keys {
		idp.keys = append(idp.keys, k.public())
	}
}

func (idp *testIdP) hits() int {
	idp.mu.Lock()
	defer idp.mu.Unlock()
	return idp.jwksHits
}

func sign(t *testing.T, k signingKey, claims map[string]any) string {
	t.Helper()
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: k.alg, Key: jose.JSONWebKey{Key: k.key, KeyID: k.kid}},
		(&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		t.Fatal(err)
	}
	s, err := jwt.Signed(signer).Claims(claims).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestJWTVerifier(t *testing.T) {
	rsaKey := newSigningKey(t, "rsa-1", jose.RS256)
	ecKey := newSigningKey(t, "ec-1", jose.ES256)
	stranger := newSigningKey(t, "rsa-1", jose.RS256) // same kid, other key
	idp := startIdP(t, rsaKey, ecKey)
	now := time.Now()
	cfg := &api.CustomJWTAuthorizerConfiguration{
		DiscoveryUrl:    idp.discovery,
		AllowedAudience: []string{"my-api"},
		AllowedClients:  []string{"client-a"},
		AllowedScopes:   []string{"agent/invoke"},
		CustomClaims: []api.CustomClaimValidationType{
			{InboundTokenClaimName: "department", InboundTokenClaimValueType: api.InboundTokenClaimValueTypeString,
				AuthorizingClaimMatchValue: &api.AuthorizingClaimMatchValueType{ClaimMatchOperator: api.ClaimMatchOperatorTypeEquals,
					ClaimMatchValue: &api.ClaimMatchValueType{MatchValueString: "eng"}}},
			{InboundTokenClaimName: "groups", InboundTokenClaimValueType: api.InboundTokenClaimValueTypeStringArray,
				AuthorizingClaimMatchValue: &api.AuthorizingClaimMatchValueType{ClaimMatchOperator: api.ClaimMatchOperatorTypeContainsAny,
					ClaimMatchValue: &api.ClaimMatchValueType{MatchValueStringList: []string{"admins", "agents"}}}},
		},
	}
	valid := func() map[string]any {
		return map[string]any{"iss": idp.URL, "sub": "user-1", "aud": "my-api", "client_id": "client-a",
			"scope": "openid agent/invoke", "exp": now.Add(time.Hour).Unix(), "iat": now.Unix(), "nbf": now.Add(-time.Minute).Unix(),
			"department": "eng", "groups": []string{"users", "agents"}}
	}
	with := func(k string, v any) map[string]any {
		c := valid()
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
		return c
	}
	cases := []struct {
		name   string
		token  string
		wantIn string // "" = accepted
	}{
		{"valid RS256", sign(t, rsaKey, valid()), ""},
		{"valid ES256", sign(t, ecKey, valid()), ""},
		{"audience in a list", sign(t, rsaKey, with("aud", []string{"other", "my-api"})), ""},
		{"azp when no client_id", sign(t, rsaKey, func() map[string]any { c := with("client_id", nil); c["azp"] = "client-a"; return c }()), ""},
		{"scp list", sign(t, rsaKey, func() map[string]any { c := with("scope", nil); c["scp"] = []string{"agent/invoke"}; return c }()), ""},
		{"not a JWT", "not-a-token", "not a signed JWT"},
		{"expired", sign(t, rsaKey, with("exp", now.Add(-time.Minute).Unix())), "expired"},
		{"expiring in 30 s", sign(t, rsaKey, with("exp", now.Add(30*time.Second).Unix())), "within the next 1m0s"},
		{"no exp", sign(t, rsaKey, with("exp", nil)), "no expiry"},
		{"not yet valid", sign(t, rsaKey, with("nbf", now.Add(10*time.Minute).Unix())), "not valid before"},
		{"wrong issuer", sign(t, rsaKey, with("iss", "https://evil.example.com")), "issuer"},
		{"wrong audience", sign(t, rsaKey, with("aud", "other-api")), "audience"},
		{"wrong client", sign(t, rsaKey, with("client_id", "client-b")), "client \"client-b\""},
		{"no client", sign(t, rsaKey, with("client_id", nil)), "client \"\""},
		{"wrong scope", sign(t, rsaKey, with("scope", "openid profile")), "scopes"},
		{"custom claim string mismatch", sign(t, rsaKey, with("department", "sales")), "claim \"department\""},
		{"custom claim missing", sign(t, rsaKey, with("department", nil)), "claim \"department\" is missing"},
		{"custom claim array no match", sign(t, rsaKey, with("groups", []string{"users"})), "claim \"groups\""},
		{"custom claim array not an array", sign(t, rsaKey, with("groups", "agents")), "not an array"},
		{"bad signature", sign(t, stranger, valid()), "signature does not verify"},
		{"tampered payload", func() string {
			parts := strings.Split(sign(t, rsaKey, valid()), ".")
			other := strings.Split(sign(t, rsaKey, with("sub", "someone-else")), ".")
			return parts[0] + "." + other[1] + "." + parts[2]
		}(), "signature does not verify"},
		{"unknown kid", sign(t, newSigningKey(t, "rsa-9", jose.RS256), valid()), "no key with id \"rsa-9\""},
		{"HS256 refused", func() string {
			signer, _ := jose.NewSigner(jose.SigningKey{Algorithm: jose.HS256, Key: []byte("0123456789abcdef0123456789abcdef")}, nil)
			s, _ := jwt.Signed(signer).Claims(valid()).Serialize()
			return s
		}(), "not a signed JWT"},
	}
	v := newJWTVerifier()
	v.now = func() time.Time { return now }
	v.refetchEvery = 0
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := v.verify(context.Background(), cfg, c.token)
			if c.wantIn == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			var ae *awserr.Error
			if !errors.As(err, &ae) || ae.Code != awserr.CodeAccessDenied || !strings.Contains(ae.Message, c.wantIn) {
				t.Fatalf("got %v, want AccessDeniedException containing %q", err, c.wantIn)
			}
		})
	}
}

// A token signed by a key the cached set does not have makes the verifier
// refetch the set once (a rotation), and no more often than refetchEvery.
func TestJWTVerifierKeyRotation(t *testing.T) {
	old := newSigningKey(t, "k1", jose.RS256)
	next := newSigningKey(t, "k2", jose.ES256)
	idp := startIdP(t, old)
	now := time.Now()
	clock := now
	v := newJWTVerifier()
	v.now = func() time.Time { return clock }
	cfg := &api.CustomJWTAuthorizerConfiguration{DiscoveryUrl: idp.discovery}
	claims := map[string]any{"iss": idp.URL, "exp": now.Add(time.Hour).Unix()}
	ctx := context.Background()

	if err := v.verify(ctx, cfg, sign(t, old, claims)); err != nil {
		t.Fatalf("first token: %v", err)
	}
	if err := v.verify(ctx, cfg, sign(t, old, claims)); err != nil || idp.hits() != 1 {
		t.Fatalf("cached: %v, %d key-set fetches, want 1", err, idp.hits())
	}
	idp.publish(old, next)
	clock = now.Add(jwksRefetchEvery)
	if err := v.verify(ctx, cfg, sign(t, next, claims)); err != nil || idp.hits() != 2 {
		t.Fatalf("rotated key: %v, %d key-set fetches, want 2", err, idp.hits())
	}
	// Unknown ids right after a refetch do not fetch again.
	stray := newSigningKey(t, "k3", jose.RS256)
	for range 3 {
		if err := v.verify(ctx, cfg, sign(t, stray, claims)); err == nil {
			t.Fatal("a token of an unpublished key passed")
		}
	}
	if idp.hits() != 2 {
		t.Fatalf("%d key-set fetches after unknown ids, want still 2", idp.hits())
	}
	// The TTL ends the cache: the retired key is gone.
	idp.publish(next)
	clock = now.Add(jwksTTL + time.Second)
	claims["exp"] = clock.Add(time.Hour).Unix()
	if err := v.verify(ctx, cfg, sign(t, old, claims)); err == nil {
		t.Fatal("a retired key's token passed after the TTL")
	}
	if err := v.verify(ctx, cfg, sign(t, next, claims)); err != nil {
		t.Fatalf("after the TTL: %v", err)
	}
}

func TestJWTVerifierDiscoveryFailures(t *testing.T) {
	k := newSigningKey(t, "k1", jose.RS256)
	broken := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "down", http.StatusServiceUnavailable)
	}))
	defer broken.Close()
	v := newJWTVerifier()
	err := v.verify(context.Background(), &api.CustomJWTAuthorizerConfiguration{DiscoveryUrl: broken.URL + "/.well-known/openid-configuration"},
		sign(t, k, map[string]any{"iss": broken.URL, "exp": time.Now().Add(time.Hour).Unix()}))
	var ae *awserr.Error
	if !errors.As(err, &ae) || ae.Code != awserr.CodeAccessDenied || !strings.Contains(ae.Message, "503") {
		t.Fatalf("got %v, want AccessDeniedException naming the failed fetch", err)
	}
}

// checkInboundAuth: which calls reach which runtimes.
func TestCheckInboundAuth(t *testing.T) {
	k := newSigningKey(t, "k1", jose.RS256)
	idp := startIdP(t, k)
	good := sign(t, k, map[string]any{"iss": idp.URL, "exp": time.Now().Add(time.Hour).Unix()})
	jwtRuntime := &service.RuntimeTarget{RuntimeID: "jwt-rt", Config: api.GetAgentRuntimeResponse{
		AuthorizerConfiguration: &api.AuthorizerConfiguration{CustomJWTAuthorizer: &api.CustomJWTAuthorizerConfiguration{DiscoveryUrl: idp.discovery}}}}
	iamRuntime := &service.RuntimeTarget{RuntimeID: "iam-rt"}
	sigv4 := http.Header{"Authorization": {"AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20250101/us-east-1/bedrock-agentcore/aws4_request, SignedHeaders=host, Signature=00"}}
	cases := []struct {
		name     string
		target   *service.RuntimeTarget
		info     reqctx.Info
		wantCode string
		wantIn   string
	}{
		{"sigv4 to iam runtime", iamRuntime, reqctx.Info{Header: sigv4}, "", ""},
		{"bearer to iam runtime", iamRuntime, reqctx.Info{Bearer: true, BearerToken: good}, awserr.CodeAccessDenied, "Authorization method mismatch"},
		{"sigv4 to jwt runtime", jwtRuntime, reqctx.Info{Header: sigv4}, awserr.CodeAccessDenied, "Authorization method mismatch"},
		{"nothing to jwt runtime", jwtRuntime, reqctx.Info{Header: http.Header{}}, codeUnauthorized, "Missing Authentication Token"},
		{"empty bearer", jwtRuntime, reqctx.Info{Bearer: true}, codeUnauthorized, "Missing Authentication Token"},
		{"bad bearer", jwtRuntime, reqctx.Info{Bearer: true, BearerToken: good + "x"}, awserr.CodeAccessDenied, "Invalid bearer token"},
		{"good bearer", jwtRuntime, reqctx.Info{Bearer: true, BearerToken: good}, "", ""},
	}
	s := &Service{jwt: newJWTVerifier()}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			info := c.info
			err := s.checkInboundAuth(reqctx.With(context.Background(), &info), c.target)
			if c.wantCode == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			var ae *awserr.Error
			if !errors.As(err, &ae) || ae.Code != c.wantCode || !strings.Contains(ae.Message, c.wantIn) {
				t.Fatalf("got %v, want %s containing %q", err, c.wantCode, c.wantIn)
			}
		})
	}
}
