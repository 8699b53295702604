package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	dp "github.com/aws/aws-sdk-go-v2/service/bedrockagentcore"
	acc "github.com/aws/aws-sdk-go-v2/service/bedrockagentcorecontrol"
	"github.com/aws/aws-sdk-go-v2/service/bedrockagentcorecontrol/types"
	"github.com/coder/websocket"

	"agentcored/internal/auth"
	"agentcored/internal/server"
	"agentcored/internal/testserver"
)

// The runtime WebSocket (/runtimes/<arn>/ws): a client signs the handshake
// (SigV4 headers or a presigned URL, or an OAuth bearer token on a JWT
// runtime) and agentcored proxies messages both ways to the session's
// agent, an in-test server implementing /ws of the HTTP protocol contract.

const wsSession = "ws-session-0123456789abcdef0123456789"

// wsAgent serves /ping and /ws: on connect it sends a hello with the
// handshake's headers (a server-initiated message), then answers "ticks:N"
// with N messages and echoes anything else with the same message type.
type wsAgent struct {
	*httptest.Server
	mu         sync.Mutex
	handshakes []http.Header
	closes     []websocket.StatusCode
}

type wsHello struct {
	Hello   string            `json:"hello"`
	Headers map[string]string `json:"headers"`
}

func startWSAgent(t *testing.T) *wsAgent {
	t.Helper()
	a := &wsAgent{}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /ping", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"status":"Healthy"}`))
	})
	mux.HandleFunc("POST /invocations", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]string{"session": r.Header.Get("X-Amzn-Bedrock-AgentCore-Runtime-Session-Id")})
	})
	mux.HandleFunc("GET /ws", func(w http.ResponseWriter, r *http.Request) {
		a.mu.Lock()
		a.handshakes = append(a.handshakes, r.Header.Clone())
		a.mu.Unlock()
		c, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		ctx := context.Background()
		hello := wsHello{Hello: r.Header.Get("X-Amzn-Bedrock-AgentCore-Runtime-Session-Id"), Headers: map[string]string{}}
		for name := range r.Header {
			hello.Headers[name] = r.Header.Get(name)
		}
		b, _ := json.Marshal(hello)
		if err := c.Write(ctx, websocket.MessageText, b); err != nil {
			return
		}
		for {
			typ, msg, err := c.Read(ctx)
			if err != nil {
				a.mu.Lock()
				a.closes = append(a.closes, websocket.CloseStatus(err))
				a.mu.Unlock()
				return
			}
			if n, ok := strings.CutPrefix(string(msg), "ticks:"); ok && typ == websocket.MessageText {
				for i := range len(n) { // "ticks:xxx" sends 3
					c.Write(ctx, websocket.MessageText, []byte("tick "+itoa(i+1)))
				}
				continue
			}
			c.Write(ctx, typ, append([]byte("echo:"), msg...))
		}
	})
	a.Server = httptest.NewServer(mux)
	t.Cleanup(a.Close)
	return a
}

func (a *wsAgent) handshakeCount() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.handshakes)
}

func (a *wsAgent) closeCodes() []websocket.StatusCode {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]websocket.StatusCode(nil), a.closes...)
}

// wsRuntime creates a runtime bound to the agent, with X-Tenant
// allowlisted and the given idle timeout (seconds, 0 for the default).
func wsRuntime(t *testing.T, c *acc.Client, name, agentURL string, idle int32) string {
	t.Helper()
	in := &acc.CreateAgentRuntimeInput{AgentRuntimeName: aws.String(name), AgentRuntimeArtifact: rtContainer(rtImage),
		RoleArn: aws.String(rtRole), NetworkConfiguration: rtPublic(),
		EnvironmentVariables:       map[string]string{"AGENTCORED_AGENT_URL": agentURL},
		RequestHeaderConfiguration: &types.RequestHeaderConfigurationMemberRequestHeaderAllowlist{Value: []string{"X-Tenant"}},
	}
	if idle > 0 {
		in.LifecycleConfiguration = &types.LifecycleConfiguration{IdleRuntimeSessionTimeout: aws.Int32(idle)}
	}
	out, err := c.CreateAgentRuntime(context.Background(), in)
	if err != nil {
		t.Fatalf("CreateAgentRuntime %s: %v", name, err)
	}
	return aws.ToString(out.AgentRuntimeArn)
}

// wsURL is the runtime's WebSocket URL on srv (the ARN one escaped
// segment), with query appended.
func wsURL(srv *testserver.Server, arn, query string) string {
	u := strings.Replace(srv.URL, "http://", "ws://", 1) + "/runtimes/" + strings.NewReplacer(":", "%3A", "/", "%2F").Replace(arn) + "/ws"
	if query != "" {
		u += "?" + query
	}
	return u
}

// wsSign signs the handshake GET of u with SigV4 headers, as the AgentCore
// SDKs' generate_ws_connection does, and returns the headers to send.
func wsSign(t *testing.T, u string, header http.Header, key, secret string, at time.Time) http.Header {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, strings.Replace(u, "ws://", "http://", 1), nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	const emptyHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
	if err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: key, SecretAccessKey: secret},
		req, emptyHash, "bedrock-agentcore", "us-east-1", at); err != nil {
		t.Fatal(err)
	}
	return req.Header
}

// wsPresign presigns u (which must carry X-Amz-Expires) in the query, as
// the AgentCore SDKs' generate_presigned_url does.
func wsPresign(t *testing.T, u, key, secret string, at time.Time) string {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, strings.Replace(u, "ws://", "http://", 1), nil)
	if err != nil {
		t.Fatal(err)
	}
	signed, _, err := v4.NewSigner().PresignHTTP(context.Background(), aws.Credentials{AccessKeyID: key, SecretAccessKey: secret},
		req, "UNSIGNED-PAYLOAD", "bedrock-agentcore", "us-east-1", at)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Replace(signed, "http://", "ws://", 1)
}

// wsDial dials u with header; on a refused handshake it returns the
// status and the AWS error type.
func wsDial(t *testing.T, u string, header http.Header) (*websocket.Conn, int, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, resp, err := websocket.Dial(ctx, u, &websocket.DialOptions{HTTPHeader: header})
	if err != nil {
		if resp == nil {
			t.Fatalf("dial %s: %v", u, err)
		}
		return nil, resp.StatusCode, resp.Header.Get("X-Amzn-ErrorType")
	}
	c.SetReadLimit(1 << 20)
	t.Cleanup(func() { c.CloseNow() })
	return c, resp.StatusCode, ""
}

func wsRead(t *testing.T, c *websocket.Conn) (websocket.MessageType, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	typ, b, err := c.Read(ctx)
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	return typ, string(b)
}

func wsHelloOf(t *testing.T, c *websocket.Conn) wsHello {
	t.Helper()
	_, msg := wsRead(t, c)
	var h wsHello
	if err := json.Unmarshal([]byte(msg), &h); err != nil {
		t.Fatalf("hello %q: %v", msg, err)
	}
	return h
}

func wsWrite(t *testing.T, c *websocket.Conn, typ websocket.MessageType, msg string) {
	t.Helper()
	if err := c.Write(context.Background(), typ, []byte(msg)); err != nil {
		t.Fatalf("write %q: %v", msg, err)
	}
}

// TestRuntimeWebSocketProxy: messages both ways (echo, server-initiated,
// binary), the contract headers on the agent's handshake, the session
// shared with InvokeAgentRuntime, and an open socket outliving the idle
// timeout.
func TestRuntimeWebSocketProxy(t *testing.T) {
	agent := startWSAgent(t)
	srv := testserver.Start(t, func(c *server.Config) { c.AgentSessionTimeScale = 0.01 })
	arn := wsRuntime(t, srv.Client(t), "ws_proxy", agent.URL, 60) // idle 0.6 s here
	u := wsURL(srv, arn, "qualifier=DEFAULT&X-Amzn-Bedrock-AgentCore-Runtime-Custom-Room=blue")
	h := wsSign(t, u, http.Header{"X-Amzn-Bedrock-Agentcore-Runtime-Session-Id": {wsSession}, "X-Tenant": {"acme"},
		"X-Not-Allowed": {"no"}}, auth.DefaultAccessKeyID, auth.DefaultSecretAccessKey, time.Now())
	c, status, code := wsDial(t, u, h)
	if c == nil {
		t.Fatalf("handshake refused: %d %s", status, code)
	}

	hello := wsHelloOf(t, c)
	if hello.Hello != wsSession {
		t.Errorf("agent saw session %q, want %q", hello.Hello, wsSession)
	}
	got := hello.Headers
	if got["X-Tenant"] != "acme" || got["X-Amzn-Bedrock-Agentcore-Runtime-Custom-Room"] != "blue" ||
		got["X-Amzn-Bedrock-Agentcore-Runtime-Request-Id"] == "" {
		t.Errorf("agent handshake headers: %v", got)
	}
	for _, never := range []string{"Authorization", "X-Amz-Date", "X-Not-Allowed"} {
		if _, ok := got[never]; ok {
			t.Errorf("agent got header %s: %v", never, got)
		}
	}

	wsWrite(t, c, websocket.MessageText, "hi")
	if typ, msg := wsRead(t, c); typ != websocket.MessageText || msg != "echo:hi" {
		t.Errorf("echo: %v %q", typ, msg)
	}
	wsWrite(t, c, websocket.MessageBinary, "\x00\x01")
	if typ, msg := wsRead(t, c); typ != websocket.MessageBinary || msg != "echo:\x00\x01" {
		t.Errorf("binary echo: %v %q", typ, msg)
	}
	wsWrite(t, c, websocket.MessageText, "ticks:xxx")
	for i := 1; i <= 3; i++ {
		if _, msg := wsRead(t, c); msg != "tick "+itoa(i) {
			t.Errorf("tick %d: %q", i, msg)
		}
	}

	// The socket is the session's: InvokeAgentRuntime with the same id
	// joins it (one session, one call in flight: the socket).
	data := srv.DataClient(t)
	out, err := data.InvokeAgentRuntime(context.Background(), &dp.InvokeAgentRuntimeInput{AgentRuntimeArn: aws.String(arn),
		RuntimeSessionId: aws.String(wsSession), Payload: []byte(`{}`)})
	if err != nil {
		t.Fatalf("InvokeAgentRuntime in the socket's session: %v", err)
	}
	out.Response.Close()
	sessionsOf := func() (n, inFlight int) {
		for _, s := range liveSessions(t, srv.URL) {
			if s.Session == wsSession {
				n++
				inFlight = s.InFlight
			}
		}
		return
	}
	eventually(t, "one session, with the socket as its one call in flight", func() (bool, error) {
		n, inFlight := sessionsOf()
		if n != 1 {
			return false, errors.New("sessions " + wsSession + ": " + itoa(n) + ", want 1")
		}
		return inFlight == 1, nil
	})

	// Many idle timeouts later, the open socket still works (no call was
	// made on the session meanwhile; the socket counts as one in flight).
	time.Sleep(3 * time.Second)
	wsWrite(t, c, websocket.MessageText, "still there")
	if _, msg := wsRead(t, c); msg != "echo:still there" {
		t.Fatalf("after the idle timeout: %q", msg)
	}
	if n, _ := sessionsOf(); n != 1 {
		t.Fatalf("the session of an open socket was reaped")
	}

	// The client's close reaches the agent with its status; then the
	// session goes idle and is reaped.
	c.Close(websocket.StatusNormalClosure, "bye")
	eventually(t, "the agent sees the client's close", func() (bool, error) {
		codes := agent.closeCodes()
		return len(codes) == 1 && codes[0] == websocket.StatusNormalClosure, nil
	})
	eventually(t, "the session is reaped once idle", func() (bool, error) {
		n, _ := sessionsOf()
		return n == 0, nil
	})
}

// TestRuntimeWebSocketStopSession: StopRuntimeSession closes the open
// socket (1001 Going Away) on both sides.
func TestRuntimeWebSocketStopSession(t *testing.T) {
	agent := startWSAgent(t)
	srv := testserver.Start(t)
	arn := wsRuntime(t, srv.Client(t), "ws_stop", agent.URL, 0)
	u := wsURL(srv, arn, "X-Amzn-Bedrock-AgentCore-Runtime-Session-Id="+wsSession) // the session as a query parameter
	c, status, code := wsDial(t, u, wsSign(t, u, nil, auth.DefaultAccessKeyID, auth.DefaultSecretAccessKey, time.Now()))
	if c == nil {
		t.Fatalf("handshake refused: %d %s", status, code)
	}
	if hello := wsHelloOf(t, c); hello.Hello != wsSession {
		t.Fatalf("agent saw session %q", hello.Hello)
	}
	if _, err := srv.DataClient(t).StopRuntimeSession(context.Background(), &dp.StopRuntimeSessionInput{
		AgentRuntimeArn: aws.String(arn), RuntimeSessionId: aws.String(wsSession)}); err != nil {
		t.Fatalf("StopRuntimeSession: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, _, err := c.Read(ctx)
	if got := websocket.CloseStatus(err); got != websocket.StatusGoingAway {
		t.Fatalf("read after StopRuntimeSession: %v (status %d), want close 1001", err, got)
	}
	eventually(t, "the agent's side is closed too", func() (bool, error) {
		codes := agent.closeCodes()
		return len(codes) == 1 && codes[0] == websocket.StatusGoingAway, nil
	})
}

// TestRuntimeWebSocketStrictSigV4: in strict mode the handshake must be
// signed (headers) or presigned, and a bad signature never reaches the
// agent.
func TestRuntimeWebSocketStrictSigV4(t *testing.T) {
	agent := startWSAgent(t)
	srv := testserver.Start(t, func(c *server.Config) { c.Auth = auth.Strict })
	arn := wsRuntime(t, srv.Client(t), "ws_strict", agent.URL, 0)
	key, secret := auth.DefaultAccessKeyID, auth.DefaultSecretAccessKey
	u := wsURL(srv, arn, "qualifier=DEFAULT")
	session := http.Header{"X-Amzn-Bedrock-Agentcore-Runtime-Session-Id": {wsSession}}

	c, status, code := wsDial(t, u, wsSign(t, u, session, key, secret, time.Now()))
	if c == nil {
		t.Fatalf("signed handshake refused: %d %s", status, code)
	}
	wsHelloOf(t, c)
	wsWrite(t, c, websocket.MessageText, "signed")
	if _, msg := wsRead(t, c); msg != "echo:signed" {
		t.Fatalf("echo: %q", msg)
	}
	c.Close(websocket.StatusNormalClosure, "")

	presigned := wsPresign(t, wsURL(srv, arn, "qualifier=DEFAULT&X-Amz-Expires=300&X-Amzn-Bedrock-AgentCore-Runtime-Session-Id="+wsSession), key, secret, time.Now())
	c, status, code = wsDial(t, presigned, nil)
	if c == nil {
		t.Fatalf("presigned handshake refused: %d %s", status, code)
	}
	if hello := wsHelloOf(t, c); hello.Hello != wsSession {
		t.Errorf("presigned: agent saw session %q", hello.Hello)
	}
	c.Close(websocket.StatusNormalClosure, "")
	calls := agent.handshakeCount()

	tampered := http.Header{}
	for k, v := range wsSign(t, u, session, key, secret, time.Now()) {
		tampered[k] = v
	}
	tampered.Set("X-Amzn-Bedrock-Agentcore-Runtime-Session-Id", wsSession+"-other") // signed header changed
	refused := []struct {
		name   string
		url    string
		header http.Header
		code   string
	}{
		{"wrong secret", u, wsSign(t, u, session, key, "not-the-secret", time.Now()), "InvalidSignatureException"},
		{"signed header changed", u, tampered, "InvalidSignatureException"},
		{"unsigned", u, session, "MissingAuthenticationTokenException"},
		{"unknown key", u, wsSign(t, u, session, "AKIAUNKNOWNKEY000000", secret, time.Now()), "UnrecognizedClientException"},
		{"presigned with a wrong secret", wsPresign(t, wsURL(srv, arn, "X-Amz-Expires=300"), key, "not-the-secret", time.Now()), nil, "InvalidSignatureException"},
		{"presigned, query changed", strings.Replace(presigned, "qualifier=DEFAULT", "qualifier=other", 1), nil, "InvalidSignatureException"},
		{"presigned, expired", wsPresign(t, wsURL(srv, arn, "X-Amz-Expires=60"), key, secret, time.Now().Add(-2*time.Minute)), nil, "AccessDeniedException"},
	}
	for _, tc := range refused {
		c, status, code := wsDial(t, tc.url, tc.header)
		if c != nil || status != 403 || code != tc.code {
			t.Errorf("%s: status %d %s, want 403 %s", tc.name, status, code, tc.code)
		}
	}
	if n := agent.handshakeCount(); n != calls {
		t.Errorf("refused handshakes reached the agent: %d calls, want %d", n, calls)
	}

	// A request without the upgrade is no WebSocket.
	req, _ := http.NewRequest(http.MethodGet, strings.Replace(u, "ws://", "http://", 1), nil)
	resp := rawDo(t, req)
	if resp.status != 400 {
		t.Errorf("plain GET of /ws: %d, want 400", resp.status)
	}
}

// TestRuntimeWebSocketJWT: a runtime with a customJWTAuthorizer takes the
// handshake with a bearer token (verified as for InvokeAgentRuntime) and
// refuses a missing or invalid token and a SigV4 signature.
func TestRuntimeWebSocketJWT(t *testing.T) {
	iss := startIssuer(t)
	agent := startWSAgent(t)
	srv := testserver.Start(t)
	rt := jwtRuntime(t, srv.Client(t), "ws_jwt", iss, agent.URL)
	arn := aws.ToString(rt.AgentRuntimeArn)
	u := wsURL(srv, arn, "")
	good := iss.token(t, nil, nil)
	header := func(authorization string) http.Header {
		h := http.Header{"X-Amzn-Bedrock-Agentcore-Runtime-Session-Id": {wsSession}, "X-Tenant": {"acme"}}
		if authorization != "" {
			h.Set("Authorization", authorization)
		}
		return h
	}

	c, status, code := wsDial(t, u, header("Bearer "+good))
	if c == nil {
		t.Fatalf("valid token refused: %d %s", status, code)
	}
	hello := wsHelloOf(t, c)
	if hello.Headers["Authorization"] != "Bearer "+good || hello.Headers["X-Tenant"] != "acme" || hello.Headers["Workloadaccesstoken"] == "" {
		t.Errorf("agent handshake headers: %v", hello.Headers)
	}
	wsWrite(t, c, websocket.MessageText, "with a token")
	if _, msg := wsRead(t, c); msg != "echo:with a token" {
		t.Errorf("echo: %q", msg)
	}
	c.Close(websocket.StatusNormalClosure, "")
	calls := agent.handshakeCount()

	refused := []struct {
		name   string
		header http.Header
		status int
		code   string
	}{
		{"no token", header(""), 401, "UnauthorizedException"},
		{"wrong audience", header("Bearer " + iss.token(t, nil, map[string]any{"aud": "other-api"})), 403, "AccessDeniedException"},
		{"expired", header("Bearer " + iss.token(t, nil, map[string]any{"exp": time.Now().Add(-time.Minute).Unix()})), 403, "AccessDeniedException"},
		{"SigV4 instead", wsSign(t, u, header(""), auth.DefaultAccessKeyID, auth.DefaultSecretAccessKey, time.Now()), 403, "AccessDeniedException"},
	}
	for _, tc := range refused {
		c, status, code := wsDial(t, u, tc.header)
		if c != nil || status != tc.status || code != tc.code {
			t.Errorf("%s: status %d %s, want %d %s", tc.name, status, code, tc.status, tc.code)
		}
	}
	if n := agent.handshakeCount(); n != calls {
		t.Errorf("refused handshakes reached the agent: %d calls, want %d", n, calls)
	}
}

// TestRuntimeWebSocketAgentErrors: an agent without /ws is a 424
// RuntimeClientError on the handshake; a bad session id a 400.
func TestRuntimeWebSocketAgentErrors(t *testing.T) {
	plain := startAgent(t, "no-ws") // serves /invocations only
	srv := testserver.Start(t)
	arn := wsRuntime(t, srv.Client(t), "ws_none", plain.URL, 0)
	u := wsURL(srv, arn, "")
	if c, status, code := wsDial(t, u, http.Header{"X-Amzn-Bedrock-Agentcore-Runtime-Session-Id": {wsSession}}); c != nil || status != 424 || code != "RuntimeClientError" {
		t.Errorf("agent without /ws: %d %s, want 424 RuntimeClientError", status, code)
	}
	if c, status, code := wsDial(t, u, http.Header{"X-Amzn-Bedrock-Agentcore-Runtime-Session-Id": {"short"}}); c != nil || status != 400 || code != "ValidationException" {
		t.Errorf("short session id: %d %s, want 400 ValidationException", status, code)
	}
	// An unsigned handshake from a foreign page is refused in permissive mode.
	if c, status, code := wsDial(t, u, http.Header{"Origin": {"http://evil.example"}}); c != nil || status != 403 || code != "AccessDeniedException" {
		t.Errorf("unsigned foreign origin: %d %s, want 403 AccessDeniedException", status, code)
	}
}
