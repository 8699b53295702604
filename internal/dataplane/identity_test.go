package dataplane

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"agentcored/internal/awserr"
	"agentcored/internal/dpapi"
	"agentcored/internal/reqctx"
	"agentcored/internal/service"
)

func code(err error) string {
	if e, ok := err.(*awserr.Error); ok {
		return e.Code
	}
	if err != nil {
		return "not an awserr: " + err.Error()
	}
	return ""
}

func TestParseToken(t *testing.T) {
	key, other := []byte("k1"), []byte("k2")
	now := time.Unix(1_700_000_000, 0)
	good := signToken(key, workloadClaims{Account: "1", Region: "r", Workload: "w", User: "u", IssuedAt: now.Unix(), Expires: now.Add(time.Hour).Unix()})
	expired := signToken(key, workloadClaims{Account: "1", Region: "r", Workload: "w", Expires: now.Unix()})
	payload := strings.SplitN(strings.TrimPrefix(good, workloadTokenPrefix), ".", 2)
	forged := workloadTokenPrefix + base64.RawURLEncoding.EncodeToString([]byte(`{"acct":"1","rgn":"r","wl":"w","usr":"admin","exp":9999999999}`)) + "." + payload[1]
	for _, tc := range []struct {
		name, token string
		key         []byte
		want        string // "" = valid
	}{
		{"valid", good, key, ""},
		{"other key", good, other, awserr.CodeAccessDenied},
		{"expired", expired, key, awserr.CodeAccessDenied},
		{"forged claims", forged, key, awserr.CodeAccessDenied},
		{"no prefix", strings.TrimPrefix(good, workloadTokenPrefix), key, awserr.CodeAccessDenied},
		{"truncated", good[:len(good)-2], key, awserr.CodeAccessDenied},
		{"empty", "", key, awserr.CodeAccessDenied},
	} {
		c, err := parseToken(tc.key, tc.token, now)
		if code(err) != tc.want {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
		}
		if tc.want == "" && (c.Workload != "w" || c.User != "u" || c.Account != "1") {
			t.Errorf("%s: claims %+v", tc.name, c)
		}
	}
}

func TestJWTSubject(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	jwt := func(claims string) string {
		return "eyJhbGciOiJub25lIn0." + base64.RawURLEncoding.EncodeToString([]byte(claims)) + ".sig"
	}
	for _, tc := range []struct {
		token, sub, code string
	}{
		{jwt(`{"sub":"alice","exp":1700003600}`), "alice", ""},
		{jwt(`{"sub":"alice"}`), "alice", ""},
		{jwt(`{"sub":"alice","exp":1699999999}`), "", codeUnauthorized},
		{jwt(`{"iss":"x"}`), "", awserr.CodeValidation},
		{jwt(`{"sub":"a","exp":"soon"}`), "", awserr.CodeValidation},
		{"a.b", "", awserr.CodeValidation},
		{"abc.def.ghi", "", awserr.CodeValidation},
	} {
		sub, err := jwtSubject(tc.token, "userToken", now)
		if sub != tc.sub || code(err) != tc.code {
			t.Errorf("%s: %q %v, want %q %q", tc.token, sub, err, tc.sub, tc.code)
		}
	}
}

func TestRedirectURI(t *testing.T) {
	cb := "https://bedrock-agentcore.us-east-1.amazonaws.com/identities/oauth2/callback/1234"
	if got := redirectURI(context.Background(), cb); got != cb {
		t.Errorf("without a base: %s", got)
	}
	if got := redirectURI(WithBaseURL(context.Background(), "http://127.0.0.1:4566"), cb); got != "http://127.0.0.1:4566/identities/oauth2/callback/1234" {
		t.Errorf("with a base: %s", got)
	}
}

func TestVaultKeyOrdersScopes(t *testing.T) {
	c := &workloadClaims{Workload: "w"}
	a := vaultKey(c, "u", &dpapi.GetResourceOauth2TokenRequest{ResourceCredentialProviderName: "p", Scopes: []string{"b", "a", "a"}, Audiences: []string{"x"}})
	b := vaultKey(c, "u", &dpapi.GetResourceOauth2TokenRequest{ResourceCredentialProviderName: "p", Scopes: []string{"a", "b"}, Audiences: []string{"x"}})
	if strings.Join(a.Scopes, " ") != strings.Join(b.Scopes, " ") || len(a.Scopes) != 3 {
		t.Errorf("%v vs %v", a, b)
	}
}

// fakeIdentities holds workload identities; the rest is unused here.
type fakeIdentities struct {
	Identities
	ids map[string]*service.WorkloadIdentity
}

func (f fakeIdentities) LookupWorkloadIdentity(_ context.Context, _, _, name string) (*service.WorkloadIdentity, error) {
	if wi, ok := f.ids[name]; ok {
		return wi, nil
	}
	return nil, awserr.NotFound("WorkloadIdentity '%s' was not found.", name)
}

func (fakeIdentities) WorkloadTokenKey(context.Context) ([]byte, error) { return []byte("key"), nil }

// TestServiceLinkedIdentity: callers get no token for an identity a runtime
// manages; the data plane itself (for the runtime's agent) does.
func TestServiceLinkedIdentity(t *testing.T) {
	s := &Service{identities: fakeIdentities{ids: map[string]*service.WorkloadIdentity{
		"own":       {Name: "own"},
		"rt-abc123": {Name: "rt-abc123", LinkedTo: "arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/rt-abc123"},
	}}}
	ctx := reqctx.With(context.Background(), &reqctx.Info{Account: "123456789012", Region: "us-east-1"})
	if _, err := s.GetWorkloadAccessToken(ctx, &dpapi.GetWorkloadAccessTokenRequest{WorkloadName: "own"}); err != nil {
		t.Errorf("own identity: %v", err)
	}
	_, err := s.GetWorkloadAccessTokenForUserId(ctx, &dpapi.GetWorkloadAccessTokenForUserIdRequest{WorkloadName: "rt-abc123", UserId: "u"})
	if code(err) != awserr.CodeAccessDenied {
		t.Errorf("linked identity: %v, want AccessDeniedException", err)
	}
	tok, err := s.IssueWorkloadAccessToken(ctx, "rt-abc123", "u")
	if err != nil {
		t.Fatal(err)
	}
	c, err := s.verify(ctx, tok)
	if err != nil || c.Workload != "rt-abc123" || c.User != "u" {
		t.Errorf("issued for the runtime: %+v %v", c, err)
	}
	other := reqctx.With(context.Background(), &reqctx.Info{Account: "999999999999", Region: "us-east-1"})
	if _, err := s.verify(other, tok); code(err) != awserr.CodeAccessDenied {
		t.Errorf("another account: %v", err)
	}
	_, err = s.GetWorkloadAccessToken(ctx, &dpapi.GetWorkloadAccessTokenRequest{WorkloadName: "missing"})
	if code(err) != awserr.CodeNotFound {
		t.Errorf("missing: %v", err)
	}
	var raw map[string]any
	b, _ := base64.RawURLEncoding.DecodeString(strings.Split(strings.TrimPrefix(tok, workloadTokenPrefix), ".")[0])
	if json.Unmarshal(b, &raw); raw["exp"].(float64)-raw["iat"].(float64) != workloadTokenTTL.Seconds() {
		t.Errorf("lifetime: %v", raw)
	}
}
