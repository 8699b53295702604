package dataplane

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"agentcored/internal/awserr"
	"agentcored/internal/dpapi"
	"agentcored/internal/reqctx"
	"agentcored/internal/service"
)

// The runtime service contract's HTTP side (docs/DATAPLANE.md).
const (
	// EnvAgentURL, among a runtime version's environmentVariables, binds
	// the version to the agent listening at that base URL. It is read from
	// the runtime's configuration only, never from agentcored's own
	// environment.
	EnvAgentURL = "AGENTCORED_AGENT_URL"

	headerSessionID = "X-Amzn-Bedrock-AgentCore-Runtime-Session-Id"
	headerRequestID = "X-Amzn-Bedrock-AgentCore-Runtime-Request-Id"
	headerUserID    = "X-Amzn-Bedrock-AgentCore-Runtime-User-Id"
	// CustomHeaderPrefix: headers with it reach the agent without being
	// allowlisted.
	CustomHeaderPrefix = "X-Amzn-Bedrock-AgentCore-Runtime-Custom-"
	// maxHeaderValue bounds a forwarded header's value (4 KB, header
	// allowlist documentation).
	maxHeaderValue = 4096

	codeRuntimeClient = "RuntimeClientError"
)

// agentClient calls agents. No overall timeout (an answer may stream for
// as long as the agent talks; the caller's disconnect cancels it) and no
// proxy from agentcored's environment: agents are addressed directly.
type agentClient struct{ http *http.Client }

func newAgentClient() *agentClient {
	tr := &http.Transport{
		Proxy:                 nil,
		DialContext:           (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConnsPerHost:   16,
		IdleConnTimeout:       90 * time.Second,
		ExpectContinueTimeout: time.Second,
		DisableCompression:    true, // pass the agent's bytes as they are
	}
	return &agentClient{http: &http.Client{Transport: tr,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// InvokeAgentRuntime sends the payload to the agent the qualified
// endpoint's version is bound to (POST <agent>/invocations) and answers
// with the agent's status, content type and body, streamed as the agent
// produces it.
func (s *Service) InvokeAgentRuntime(ctx context.Context, in *dpapi.InvokeAgentRuntimeRequest) (*dpapi.InvokeAgentRuntimeResponse, error) {
	info := reqctx.From(ctx)
	if in.AccountId != "" && in.AccountId != info.Account {
		return nil, awserr.NotFound("Agent runtime '%s' was not found in account %s.", in.AgentRuntimeArn, in.AccountId)
	}
	t, err := s.resolveAuthorized(ctx, in.AgentRuntimeArn, in.Qualifier)
	if err != nil {
		return nil, err
	}
	at, err := s.agentFor(t)
	if err != nil {
		return nil, err
	}
	header := http.Header{}
	if err := forwardHeaders(header, info.Header, t); err != nil {
		return nil, err
	}
	// The session sticks to one agent (its own process for a command
	// binding); callCtx ends when the answer is closed or the session is
	// stopped, which cuts a streamed answer.
	sess, callID, callCtx, session, err := s.joinSession(ctx, t, at, in.RuntimeSessionId)
	if err != nil {
		return nil, err
	}
	base := sess.url
	released := false
	defer func() {
		if !released {
			s.sessions.release(sess, callID)
		}
	}()
	req, err := http.NewRequestWithContext(callCtx, http.MethodPost, base.JoinPath(invocationPath(t)).String(), bytes.NewReader(in.Payload))
	if err != nil {
		return nil, err
	}
	req.Header = header
	contentType := in.ContentType
	if contentType == "" {
		contentType = "application/json"
	}
	req.Header.Set("Content-Type", contentType)
	for name, v := range map[string]string{"Accept": in.Accept, headerUserID: in.RuntimeUserId,
		"Mcp-Session-Id": in.McpSessionId, "Mcp-Protocol-Version": in.McpProtocolVersion,
		"Mcp-Method": in.McpMethod, "Mcp-Name": in.McpName,
		"X-Amzn-Trace-Id": in.TraceId, "traceparent": in.TraceParent, "tracestate": in.TraceState, "baggage": in.Baggage} {
		if v != "" {
			req.Header.Set(name, v)
		}
	}
	req.Header.Set(headerSessionID, session)
	req.Header.Set(headerRequestID, info.RequestID)
	if err := s.setAgentIdentity(ctx, req.Header, t, callerUser(info, in.RuntimeUserId), info.Header); err != nil {
		return nil, err
	}
	resp, err := s.agents.http.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, s.callFailed(t, sess, base, err)
	}
	if resp.StatusCode >= 400 {
		// AWS reports an agent's failure as RuntimeClientError ("Received
		// error (500) from runtime"), not as the agent's own status.
		defer resp.Body.Close()
		snippet, _ := io.ReadAll(io.LimitReader(resp.Body, 1024))
		msg := fmt.Sprintf("Received error (%d) from runtime '%s' (version %s).", resp.StatusCode, t.RuntimeID, t.Version)
		if s := strings.TrimSpace(string(snippet)); s != "" {
			msg += " The agent answered: " + s
		}
		return nil, awserr.Errorf(codeRuntimeClient, "%s", msg)
	}
	status := int64(resp.StatusCode)
	ct := resp.Header.Get("Content-Type")
	if ct == "" {
		ct = "application/octet-stream"
	}
	released = true // by the body's Close, once the answer is sent
	body := &sessionBody{ReadCloser: resp.Body, release: func() { s.sessions.release(sess, callID) }}
	return &dpapi.InvokeAgentRuntimeResponse{
		RuntimeSessionId: session, ContentType: ct, StatusCode: &status, Response: body,
		McpSessionId: resp.Header.Get("Mcp-Session-Id"), McpProtocolVersion: resp.Header.Get("Mcp-Protocol-Version"),
		TraceId: resp.Header.Get("X-Amzn-Trace-Id"), TraceParent: resp.Header.Get("traceparent"),
		TraceState: resp.Header.Get("tracestate"), Baggage: resp.Header.Get("baggage"),
	}, nil
}

// callFailed is the RuntimeClientError of a call the agent did not answer.
// A started agent that crashed ends its session, so that the next call
// starts a new one; its last output goes in the message.
func (s *Service) callFailed(t *service.RuntimeTarget, sess *agentSession, base *url.URL, err error) error {
	s.sessions.mu.Lock()
	stopped := sess.stopped
	s.sessions.mu.Unlock()
	if stopped {
		return awserr.Errorf(codeRuntimeClient, "Runtime session '%s' of runtime '%s' was stopped during the call.", sess.key.Session, t.RuntimeID)
	}
	if p := sess.proc; p != nil {
		// Give a crashing process a moment to be seen as exited.
		select {
		case <-p.exited:
		case <-time.After(time.Second):
		}
		exited := !p.running()
		s.sessions.stop(sess)
		if exited {
			return awserr.Errorf(codeRuntimeClient, "The agent of runtime '%s' (version %s, session %s) exited during the call (%v); "+
				"the next call starts it again. Its last output: %s", t.RuntimeID, t.Version, sess.key.Session, p.err, p.tail())
		}
		return awserr.Errorf(codeRuntimeClient, "The agent of runtime '%s' (version %s) at %s did not answer: %v; "+
			"it was stopped and the next call starts it again. Its last output: %s",
			t.RuntimeID, t.Version, base.Redacted(), unwrapURLError(err), p.tail())
	}
	return awserr.Errorf(codeRuntimeClient, "The agent of runtime '%s' (version %s) at %s did not answer: %v",
		t.RuntimeID, t.Version, base.Redacted(), unwrapURLError(err))
}

// sessionBody is an agent's answer; closing it ends the call in its
// session.
type sessionBody struct {
	io.ReadCloser
	release func()
	once    sync.Once
}

func (b *sessionBody) Close() error {
	err := b.ReadCloser.Close()
	b.once.Do(b.release)
	return err
}

// forwardHeaders copies to the agent's request the caller's headers that
// may reach it: the names in the runtime's requestHeaderAllowlist
// (case-insensitive) and those with CustomHeaderPrefix. Never the caller's
// credentials and signature (Authorization, X-Amz-*), nor the contract's own
// headers, which agentcored sets. A forwarded value over 4 KB is a
// ValidationException.
func forwardHeaders(dst, src http.Header, t *service.RuntimeTarget) error {
	allowed := map[string]bool{}
	if c := t.Config.RequestHeaderConfiguration; c != nil {
		for _, name := range c.RequestHeaderAllowlist {
			allowed[http.CanonicalHeaderKey(name)] = true
		}
	}
	for name, values := range src {
		name = http.CanonicalHeaderKey(name)
		if neverForwarded(name) && !(name == "Authorization" && jwtAuthorizer(t) != nil) {
			continue
		}
		if !allowed[name] && !strings.HasPrefix(name, http.CanonicalHeaderKey(CustomHeaderPrefix)) {
			continue
		}
		for _, v := range values {
			if len(v) > maxHeaderValue {
				return awserr.Errorf(awserr.CodeValidation, "The value of header %s is longer than %d bytes.", name, maxHeaderValue)
			}
			dst.Add(name, v)
		}
	}
	return nil
}

// neverForwarded: headers the caller cannot pass to the agent whatever the
// allowlist says. Authorization is the exception on a runtime with a JWT
// authorizer (the caller's verified bearer token, when allowlisted); on any
// other runtime it is the SigV4 signature.
func neverForwarded(name string) bool {
	lower := strings.ToLower(name)
	switch lower {
	case "authorization", "host", "content-length", "content-type", "connection", "transfer-encoding",
		"x-amzn-bedrock-agentcore-runtime-session-id", "x-amzn-bedrock-agentcore-runtime-request-id",
		"x-amzn-bedrock-agentcore-runtime-user-id", "workloadaccesstoken", "oauth2callbackurl":
		return true
	}
	return strings.HasPrefix(lower, "x-amz-")
}

func unwrapURLError(err error) error {
	if ue, ok := err.(*url.Error); ok {
		return ue.Err
	}
	return err
}
