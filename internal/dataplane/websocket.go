package dataplane

// The runtime WebSocket (bidirectional streaming): a client connects to
// /runtimes/<agentRuntimeArn>/ws on agentcored's port, as to
// wss://bedrock-agentcore.<region>.amazonaws.com/runtimes/<arn>/ws on AWS
// (developer guide, "Get started with bidirectional streaming using
// WebSocket", runtime-get-started-websocket.html), and agentcored proxies
// its messages both ways to the session's agent at ws://<agent>/ws (HTTP
// protocol contract: /ws on the agent's port). The runtime, version and
// session are resolved exactly as InvokeAgentRuntime resolves them, so a
// session's socket reaches the same agent process as its invocations.

import (
	"context"
	"errors"
	"io"
	"net/http"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/coder/websocket"

	"agentcored/internal/awserr"
	"agentcored/internal/reqctx"
)

// agentWSPath is where the contract puts an agent's WebSocket endpoint.
const agentWSPath = "/ws"

// wsHandshakeTimeout bounds the WebSocket handshake with the agent.
const wsHandshakeTimeout = 30 * time.Second

// Session ids are 33 to 256 characters (the model's runtimeSessionId).
const (
	minSessionID = 33
	maxSessionID = 256
)

// WebSocketRequest is a client's WebSocket handshake on the runtime's /ws
// route, as the server's handler read it.
type WebSocketRequest struct {
	AgentRuntimeArn string // the ARN, or the runtime id with AccountId
	Qualifier       string // endpoint name; DEFAULT when empty
	AccountId       string
	// SessionID is the X-Amzn-Bedrock-AgentCore-Runtime-Session-Id header,
	// or the query parameter of that name; a UUID when empty.
	SessionID string
	// Header is the caller's headers, with the custom headers passed as
	// query parameters (X-Amzn-Bedrock-AgentCore-Runtime-Custom-*) added.
	Header http.Header
	// Subprotocols the client offered (Sec-WebSocket-Protocol); the agent
	// picks one.
	Subprotocols []string
}

// RuntimeWebSocket connects to the agent of the request's runtime session
// and returns the handler that accepts the client's connection and proxies
// messages both ways. Everything that can fail before the client's upgrade
// (unknown runtime, failed inbound auth, unbound or unreachable agent, an
// agent that refuses the WebSocket) is an error answered as an API error.
// The open socket is a call in flight of its session: the idle timeout
// does not end the session while it is open; StopRuntimeSession and the
// maximum lifetime close it.
func (s *Service) RuntimeWebSocket(ctx context.Context, in WebSocketRequest) (http.Handler, error) {
	info := reqctx.From(ctx)
	if in.AccountId != "" && in.AccountId != info.Account {
		return nil, awserr.NotFound("Agent runtime '%s' was not found in account %s.", in.AgentRuntimeArn, in.AccountId)
	}
	if n := len(in.SessionID); n > 0 && (n < minSessionID || n > maxSessionID) {
		return nil, awserr.Errorf(awserr.CodeValidation,
			"Value at 'runtimeSessionId' failed to satisfy constraint: Member must have length between %d and %d.", minSessionID, maxSessionID)
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
	if err := forwardHeaders(header, in.Header, t); err != nil {
		return nil, err
	}
	for _, name := range []string{headerUserID, "X-Amzn-Trace-Id", "traceparent", "tracestate", "baggage"} {
		if v := in.Header.Get(name); v != "" {
			header.Set(name, v)
		}
	}
	sess, callID, callCtx, session, err := s.joinSession(ctx, t, at, in.SessionID)
	if err != nil {
		return nil, err
	}
	handedOver := false
	defer func() {
		if !handedOver {
			s.sessions.release(sess, callID)
		}
	}()
	header.Set(headerSessionID, session)
	header.Set(headerRequestID, info.RequestID)
	if err := s.setAgentIdentity(ctx, header, t, callerUser(info, in.Header.Get(headerUserID)), in.Header); err != nil {
		return nil, err
	}
	target := sess.url.JoinPath(agentWSPath).String()
	dialCtx, cancelDial := context.WithTimeout(callCtx, wsHandshakeTimeout)
	agent, resp, err := websocket.Dial(dialCtx, target, &websocket.DialOptions{
		HTTPClient: s.agents.http, HTTPHeader: header, Subprotocols: in.Subprotocols,
		CompressionMode: websocket.CompressionDisabled,
	})
	cancelDial()
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if resp != nil {
			// The agent answered, but not with an upgrade (no /ws, or it
			// refused): as AWS reports an agent's failure.
			return nil, awserr.Errorf(codeRuntimeClient,
				"Received error (%d) from runtime '%s' (version %s) on the WebSocket handshake with %s; the agent must serve a WebSocket at %s.",
				resp.StatusCode, t.RuntimeID, t.Version, agentWSPath, agentWSPath)
		}
		return nil, s.callFailed(t, sess, sess.url, err)
	}
	agent.SetReadLimit(-1) // messages stream through, never held whole
	handedOver = true
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer s.sessions.release(sess, callID)
		defer agent.CloseNow()
		// A WebSocket outlives the server's read and write timeouts.
		rc := http.NewResponseController(w)
		_ = rc.SetReadDeadline(time.Time{})
		_ = rc.SetWriteDeadline(time.Time{})
		w.Header().Set(headerSessionID, session)
		var protocols []string
		if p := agent.Subprotocol(); p != "" {
			protocols = []string{p}
		}
		// Origin is not checked: the handshake carries its own credentials
		// (a signature, a presigned URL or a bearer token), never a cookie;
		// the server refuses unsigned cross-origin handshakes before this.
		client, err := websocket.Accept(w, r, &websocket.AcceptOptions{Subprotocols: protocols,
			InsecureSkipVerify: true, CompressionMode: websocket.CompressionDisabled})
		if err != nil {
			agent.Close(websocket.StatusGoingAway, "the client's handshake failed")
			return
		}
		client.SetReadLimit(-1)
		proxyWebSocket(callCtx, client, agent)
	}), nil
}

// proxyWebSocket copies messages both ways until one side closes (the
// other is closed with the same status) or ctx ends: the session was
// stopped or reached its maximum lifetime, and both sides get 1001 Going
// Away.
func proxyWebSocket(ctx context.Context, client, agent *websocket.Conn) {
	ended := make(chan error, 2)
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); ended <- copyMessages(agent, client) }()
	go func() { defer wg.Done(); ended <- copyMessages(client, agent) }()
	code, reason := websocket.StatusGoingAway, "runtime session ended"
	select {
	case <-ctx.Done():
	case err := <-ended:
		code, reason = closeStatus(err)
	}
	// Close both at once: each waits for its peer's close frame.
	var cw sync.WaitGroup
	for _, c := range []*websocket.Conn{client, agent} {
		cw.Add(1)
		go func() { defer cw.Done(); c.Close(code, reason) }()
	}
	cw.Wait()
	wg.Wait()
}

// copyMessages forwards src's messages to dst, each as it arrives (a long
// message streams through in pieces), keeping its type (text or binary).
func copyMessages(dst, src *websocket.Conn) error {
	ctx := context.Background() // the connections' Close ends the reads
	for {
		typ, r, err := src.Reader(ctx)
		if err != nil {
			return err
		}
		w, err := dst.Writer(ctx, typ)
		if err != nil {
			return err
		}
		if _, err := io.Copy(w, r); err != nil {
			w.Close()
			return err
		}
		if err := w.Close(); err != nil {
			return err
		}
	}
}

// closeStatus is the status to close the other side with when one side's
// copy ended with err: the peer's own close status when it sent one that
// may be sent on (not 1005 / 1006 / 1015, which never appear on the wire),
// else 1001 Going Away.
func closeStatus(err error) (websocket.StatusCode, string) {
	var ce websocket.CloseError
	if errors.As(err, &ce) {
		switch ce.Code {
		case websocket.StatusNoStatusRcvd, websocket.StatusAbnormalClosure, websocket.StatusTLSHandshake:
			return websocket.StatusNormalClosure, ""
		}
		return ce.Code, truncateReason(ce.Reason)
	}
	return websocket.StatusGoingAway, truncateReason("peer went away: " + err.Error())
}

// truncateReason keeps a close reason within the protocol's 123 bytes.
func truncateReason(s string) string {
	if len(s) <= 120 {
		return s
	}
	s = s[:120]
	for len(s) > 0 && !utf8.ValidString(s) { // do not cut a character
		s = s[:len(s)-1]
	}
	return s
}
