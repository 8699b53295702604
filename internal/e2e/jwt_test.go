package e2e

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/aws/aws-sdk-go-v2/aws"
	dp "github.com/aws/aws-sdk-go-v2/service/bedrockagentcore"
	dptypes "github.com/aws/aws-sdk-go-v2/service/bedrockagentcore/types"
	acc "github.com/aws/aws-sdk-go-v2/service/bedrockagentcorecontrol"
	"github.com/aws/aws-sdk-go-v2/service/bedrockagentcorecontrol/types"

	"agentcored/internal/auth"
	"agentcored/internal/server"
	"agentcored/internal/testserver"
)

// Inbound JWT auth: a runtime with a customJWTAuthorizer is called with a
// bearer token, over raw HTTP (the AWS SDKs cannot send one), verified
// against a local OIDC provider the test starts.

// oidcIssuer is a local OIDC provider: discovery document, JWKS, and the
// RSA key it signs tokens with.
type oidcIssuer struct {
	*httptest.Server
	key *rsa.PrivateKey
}

func startIssuer(t *testing.T) *oidcIssuer {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	iss := &oidcIssuer{key: key}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(map[string]string{"issuer": iss.URL, "jwks_uri": iss.URL + "/keys"})
	})
	mux.HandleFunc("GET /keys", func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &key.PublicKey, KeyID: "k1", Algorithm: "RS256", Use: "sig"}}})
	})
	iss.Server = httptest.NewServer(mux)
	t.Cleanup(iss.Close)
	return iss
}

func (iss *oidcIssuer) discoveryURL() string { return iss.URL + "/.well-known/openid-configuration" }

// token signs claims over a valid base (issuer, audience, client, an hour
// of life) with key (the issuer's when nil).
func (iss *oidcIssuer) token(t *testing.T, key *rsa.PrivateKey, change map[string]any) string {
	t.Helper()
	if key == nil {
		key = iss.key
	}
	claims := map[string]any{"iss": iss.URL, "sub": "user-1", "aud": "my-api", "client_id": "my-client",
		"scope": "openid invoke", "exp": time.Now().Add(time.Hour).Unix(), "iat": time.Now().Unix()}
	for k, v := range change {
		claims[k] = v
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: jose.JSONWebKey{Key: key, KeyID: "k1"}}, (&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		t.Fatal(err)
	}
	s, err := jwt.Signed(signer).Claims(claims).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// jwtRuntime creates a runtime bound to agentURL that takes OAuth tokens
// of iss, with Authorization and X-Tenant allowlisted.
func jwtRuntime(t *testing.T, c *acc.Client, name string, iss *oidcIssuer, agentURL string) *acc.CreateAgentRuntimeOutput {
	t.Helper()
	out, err := c.CreateAgentRuntime(context.Background(), &acc.CreateAgentRuntimeInput{
		AgentRuntimeName: aws.String(name), AgentRuntimeArtifact: rtContainer(rtImage),
		RoleArn: aws.String(rtRole), NetworkConfiguration: rtPublic(),
		EnvironmentVariables: map[string]string{"AGENTCORED_AGENT_URL": agentURL},
		AuthorizerConfiguration: &types.AuthorizerConfigurationMemberCustomJWTAuthorizer{Value: types.CustomJWTAuthorizerConfiguration{
			DiscoveryUrl: aws.String(iss.discoveryURL()), AllowedAudience: []string{"my-api"}, AllowedClients: []string{"my-client"},
			AllowedScopes: []string{"invoke"},
		}},
		RequestHeaderConfiguration: &types.RequestHeaderConfigurationMemberRequestHeaderAllowlist{Value: []string{"Authorization", "X-Tenant"}},
	})
	if err != nil {
		t.Fatalf("CreateAgentRuntime %s: %v", name, err)
	}
	return out
}

// bearerInvoke POSTs to InvokeAgentRuntime's route as a raw client would
// (the ARN one percent-encoded segment), with authorization as the
// Authorization header ("" for none). It returns the status, the error
// type header and the body.
func bearerInvoke(t *testing.T, srv *testserver.Server, arn, authorization string) (int, string, string) {
	t.Helper()
	escaped := strings.NewReplacer(":", "%3A", "/", "%2F").Replace(arn)
	req, err := http.NewRequest(http.MethodPost, srv.URL+"/runtimes/"+escaped+"/invocations", strings.NewReader(`{"prompt":"with a token"}`))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Amzn-Bedrock-AgentCore-Runtime-Session-Id", dpSession)
	req.Header.Set("X-Tenant", "acme")
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("X-Amzn-ErrorType"), string(body)
}

func (a *testAgent) calls() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.headers)
}

func TestInvokeAgentRuntimeJWT(t *testing.T) {
	for _, mode := range []string{auth.Permissive, auth.Strict} {
		t.Run(mode, func(t *testing.T) { testInvokeJWT(t, mode) })
	}
}

func testInvokeJWT(t *testing.T, mode string) {
	iss := startIssuer(t)
	agent := startAgent(t, "jwt")
	srv := testserver.Start(t, func(c *server.Config) { c.Auth = mode })
	ctl, data := srv.Client(t), srv.DataClient(t)
	rt := jwtRuntime(t, ctl, "jwt_agent", iss, agent.URL)
	arn := aws.ToString(rt.AgentRuntimeArn)

	// A valid token reaches the agent, with the allowlisted headers and
	// the bearer token itself (Authorization is allowlisted).
	good := iss.token(t, nil, nil)
	status, _, body := bearerInvoke(t, srv, arn, "Bearer "+good)
	if status != 200 || !strings.Contains(body, `"echo":"with a token"`) || !strings.Contains(body, dpSession) {
		t.Fatalf("valid token: %d %s", status, body)
	}
	h := agent.lastHeaders(t)
	if h.Get("Authorization") != "Bearer "+good || h.Get("X-Tenant") != "acme" {
		t.Errorf("agent got Authorization %q, X-Tenant %q", h.Get("Authorization"), h.Get("X-Tenant"))
	}
	// The agent's workload access token acts for the JWT's user (AWS gets
	// it with GetWorkloadAccessTokenForJWT); its claims are base64url JSON
	// (docs/DATAPLANE.md, Identity).
	if parts := strings.Split(h.Get("WorkloadAccessToken"), "."); len(parts) != 3 {
		t.Errorf("agent got WorkloadAccessToken %q", h.Get("WorkloadAccessToken"))
	} else if raw, err := base64.RawURLEncoding.DecodeString(parts[1]); err != nil || !strings.Contains(string(raw), `"user-1"`) {
		t.Errorf("the agent's workload token does not act for the JWT's subject user-1: %s %v", raw, err)
	}
	calls := agent.calls()

	// The session's other runtime routes take the bearer token too.
	escaped := strings.NewReplacer(":", "%3A", "/", "%2F").Replace(arn)
	stop := func(authorization string) int {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/runtimes/"+escaped+"/stopruntimesession", strings.NewReader(`{}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Amzn-Bedrock-AgentCore-Runtime-Session-Id", dpSession)
		req.Header.Set("Authorization", authorization)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := stop("Bearer " + iss.token(t, nil, map[string]any{"aud": "other-api"})); got != 403 {
		t.Errorf("StopRuntimeSession with a wrong-audience token: %d, want 403", got)
	}
	if got := stop("Bearer " + good); got != 200 {
		t.Errorf("StopRuntimeSession with a valid token: %d, want 200", got)
	}

	otherKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	refused := []struct {
		name          string
		authorization string
		status        int
		code          string
	}{
		{"missing", "", 401, "UnauthorizedException"},
		{"scheme alone", "Bearer", 401, "UnauthorizedException"},
		{"garbage", "Bearer not.a.jwt", 403, "AccessDeniedException"},
		{"expired", "Bearer " + iss.token(t, nil, map[string]any{"exp": time.Now().Add(-time.Hour).Unix()}), 403, "AccessDeniedException"},
		{"expiring in 30 s", "Bearer " + iss.token(t, nil, map[string]any{"exp": time.Now().Add(30 * time.Second).Unix()}), 403, "AccessDeniedException"},
		{"wrong audience", "Bearer " + iss.token(t, nil, map[string]any{"aud": "other-api"}), 403, "AccessDeniedException"},
		{"wrong client", "Bearer " + iss.token(t, nil, map[string]any{"client_id": "other-client"}), 403, "AccessDeniedException"},
		{"wrong scope", "Bearer " + iss.token(t, nil, map[string]any{"scope": "openid"}), 403, "AccessDeniedException"},
		{"wrong issuer", "Bearer " + iss.token(t, nil, map[string]any{"iss": "https://idp.example.com"}), 403, "AccessDeniedException"},
		{"bad signature", "Bearer " + iss.token(t, otherKey, nil), 403, "AccessDeniedException"},
	}
	for _, c := range refused {
		if c.authorization == "" && mode == auth.Strict {
			// Strict SigV4 refuses an unauthenticated call before routing.
			c.status, c.code = 403, "MissingAuthenticationTokenException"
		}
		status, code, body := bearerInvoke(t, srv, arn, c.authorization)
		if status != c.status || code != c.code {
			t.Errorf("%s: %d %s %s, want %d %s", c.name, status, code, body, c.status, c.code)
		}
	}
	if n := agent.calls(); n != calls {
		t.Errorf("refused tokens reached the agent (%d calls, want %d)", n, calls)
	}

	// The SDK's SigV4 call to the OAuth runtime: method mismatch.
	_, err = data.InvokeAgentRuntime(context.Background(), &dp.InvokeAgentRuntimeInput{AgentRuntimeArn: rt.AgentRuntimeArn,
		Payload: []byte(`{"prompt":"signed"}`)})
	var ade *dptypes.AccessDeniedException
	if !errors.As(err, &ade) || !strings.Contains(aws.ToString(ade.Message), "Authorization method mismatch") {
		t.Errorf("SigV4 call to a JWT runtime: %v, want AccessDeniedException Authorization method mismatch", err)
	}

	// A bearer token to a SigV4 runtime: refused too, agent not called.
	plain := invokeRuntime(t, ctl, "sigv4_agent", agent.URL, nil)
	status, code, body := bearerInvoke(t, srv, aws.ToString(plain.AgentRuntimeArn), "Bearer "+good)
	if status != 403 || code != "AccessDeniedException" || !strings.Contains(body, "Authorization method mismatch") {
		t.Errorf("bearer call to a SigV4 runtime: %d %s %s", status, code, body)
	}
	if n := agent.calls(); n != calls {
		t.Errorf("refused calls reached the agent (%d calls, want %d)", n, calls)
	}
	// ... which the SDK still reaches with SigV4.
	out, err := data.InvokeAgentRuntime(context.Background(), &dp.InvokeAgentRuntimeInput{AgentRuntimeArn: plain.AgentRuntimeArn,
		Payload: []byte(`{"prompt":"signed"}`)})
	if err != nil {
		t.Fatalf("SigV4 call to a SigV4 runtime: %v", err)
	}
	out.Response.Close()
	if h := agent.lastHeaders(t); h.Get("Authorization") != "" {
		t.Errorf("the SigV4 signature reached the agent: %q", h.Get("Authorization"))
	}

	// Only the invocations route takes a bearer token: elsewhere it is no
	// credential (strict mode refuses it as a malformed signature).
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/runtimes/", nil)
	req.Header.Set("Authorization", "Bearer "+good)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if mode == auth.Strict && resp.StatusCode != 403 {
		t.Errorf("strict mode: bearer on ListAgentRuntimes answered %d, want 403", resp.StatusCode)
	}
}
