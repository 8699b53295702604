package server

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"agentcored/internal/auth"
	"agentcored/internal/awserr"
	"agentcored/internal/dataplane"
	"agentcored/internal/dpmodel"
	"agentcored/internal/protocol"
	"agentcored/internal/reqctx"
)

// runtimeWSRoute is the runtime WebSocket for bidirectional streaming,
// outside the model: wss://bedrock-agentcore.<region>.amazonaws.com/
// runtimes/<agentRuntimeArn>/ws on AWS (developer guide,
// runtime-get-started-websocket.html). No API route has a third segment
// "ws" under /runtimes/.
const runtimeWSRoute = "GET /runtimes/{agentRuntimeArn}/ws"

// runtimeWSOperation names the connection in logs, metrics and identity
// policies (the IAM action of a runtime WebSocket).
const runtimeWSOperation = "InvokeAgentRuntimeWithWebSocketStream"

// sessionHeader may also come as a query parameter of the same name (a
// browser cannot set WebSocket headers).
const sessionHeader = "X-Amzn-Bedrock-AgentCore-Runtime-Session-Id"

// runtimeWebSocket authenticates the handshake like an API request — SigV4
// headers, a SigV4 presigned URL (verified in strict mode) or, for a
// runtime with a JWT authorizer, an OAuth bearer token the data plane
// verifies — and hands the connection to the data plane's proxy.
func (s *Server) runtimeWebSocket(dp *dataplane.Service) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		info := reqctx.From(r.Context())
		info.Operation = runtimeWSOperation
		info.Header = r.Header
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusSwitchingProtocols}
		defer func() {
			elapsed := time.Since(start)
			s.metrics.observeRequest(info.Operation, rec.status, elapsed)
			accessLog(s.log, r, info, rec, elapsed)
		}()
		if !strings.EqualFold(r.Header.Get("Upgrade"), "websocket") {
			writeWSError(rec, awserr.Errorf(awserr.CodeValidation,
				"GET %s is the runtime's WebSocket: the request must be a WebSocket handshake (Upgrade: websocket).", r.URL.EscapedPath()))
			return
		}
		query := r.URL.Query()
		signed, err := s.authenticateWS(r, query, info)
		if err != nil {
			writeWSError(rec, err)
			return
		}
		// A page of another site may open a WebSocket to this port; without
		// credentials of its own (permissive mode) only allowed origins may.
		if origin := r.Header.Get("Origin"); !signed && origin != "" && !sameOrigin(origin, r.Host) && !corsAllowed(s.cfg.CORSOrigins, origin) {
			writeWSError(rec, awserr.Errorf(awserr.CodeAccessDenied,
				"An unsigned WebSocket handshake from origin %s is refused; sign it, presign the URL, or allow the origin with --cors-origins.", origin))
			return
		}
		arn := r.PathValue("agentRuntimeArn")
		if err := s.auth.Authorize(r.Context(), info.Operation, map[string]string{"agentRuntimeArn": arn}); err != nil {
			writeWSError(rec, err)
			return
		}
		session := r.Header.Get(sessionHeader)
		if session == "" {
			session = query.Get(sessionHeader)
		}
		h, err := dp.RuntimeWebSocket(r.Context(), dataplane.WebSocketRequest{
			AgentRuntimeArn: arn, Qualifier: query.Get("qualifier"), AccountId: query.Get("accountId"),
			SessionID: session, Header: wsHeaders(r.Header, query), Subprotocols: subprotocols(r.Header),
		})
		if err != nil {
			writeWSError(rec, err)
			return
		}
		h.ServeHTTP(rec, r)
	})
}

// wsOperation is the modeled operation whose errors the WebSocket answers
// (statuses and per-operation codes of the data plane).
var wsOperation = dpmodel.Service.OperationByName("InvokeAgentRuntime")

func writeWSError(w http.ResponseWriter, err error) {
	protocol.WriteErrorOf(w, dpmodel.Service, wsOperation, err)
}

// authenticateWS identifies the caller of a handshake into info; signed
// tells whether it carried credentials.
func (s *Server) authenticateWS(r *http.Request, query url.Values, info *reqctx.Info) (signed bool, err error) {
	if call, ok := auth.Bearer(r, s.cfg.Account, s.cfg.Region); ok {
		// The data plane verifies the token against the runtime's
		// customJWTAuthorizer (resolveAuthorized).
		info.Bearer, info.BearerToken, info.Account, info.Region = true, call.Token, call.Account, call.Region
		return true, nil
	}
	var id *auth.Identity
	if auth.IsPresigned(query) {
		id, err = s.auth.AuthenticatePresigned(r)
		signed = true
	} else {
		id, err = s.auth.Authenticate(r, nil)
		signed = r.Header.Get("Authorization") != ""
	}
	if err != nil {
		return false, err
	}
	info.AccessKey, info.Account, info.Region = id.AccessKeyID, id.Account, id.Region
	if info.Region == "" {
		info.Region = s.cfg.Region
	}
	return signed, nil
}

// wsHeaders is the caller's headers plus the custom headers a client may
// pass as query parameters (X-Amzn-Bedrock-AgentCore-Runtime-Custom-*).
func wsHeaders(h http.Header, query url.Values) http.Header {
	out := h.Clone()
	prefix := http.CanonicalHeaderKey(dataplane.CustomHeaderPrefix)
	for name, values := range query {
		if key := http.CanonicalHeaderKey(name); strings.HasPrefix(key, prefix) {
			out[key] = append(out[key], values...)
		}
	}
	return out
}

// subprotocols are the ones the client offered, in its order.
func subprotocols(h http.Header) []string {
	var out []string
	for _, v := range h.Values("Sec-WebSocket-Protocol") {
		for p := range strings.SplitSeq(v, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
	}
	return out
}

// sameOrigin: the page's origin is this server's own address.
func sameOrigin(origin, host string) bool {
	u, err := url.Parse(origin)
	return err == nil && strings.EqualFold(u.Host, host)
}
