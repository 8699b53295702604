package auth

import (
	"net/http"
	"net/url"
	"strings"
)

// OAuth inbound auth: a runtime with a customJWTAuthorizer is called with
// "Authorization: Bearer <JWT>" instead of a SigV4 signature. The server
// cannot verify such a token (it depends on the runtime's configuration),
// so for the routes below it lets the request past SigV4 marked as a bearer
// call, and the data-plane handler verifies the token (dataplane jwt.go).
//
// Every route accepted here MUST verify the token in its handler: the
// runtime operations below all resolve their runtime through the data
// plane's resolveAuthorized, which does.

// BearerCall is a request let past SigV4 for its handler to verify.
type BearerCall struct {
	Token   string // "" when the header named the scheme alone
	Account string
	Region  string
}

// Bearer reports whether r is a bearer call on a route that verifies its
// token itself, with the account and region it addresses: those of the
// runtime ARN in the path, else the accountId query parameter (an ID with
// accountId) and the server's defaults.
func Bearer(r *http.Request, defaultAccount, defaultRegion string) (*BearerCall, bool) {
	scheme, token, _ := strings.Cut(strings.TrimSpace(r.Header.Get("Authorization")), " ")
	if !strings.EqualFold(scheme, "Bearer") {
		return nil, false
	}
	segment, ok := invocationsRuntime(r.Method, r.URL.EscapedPath())
	if !ok {
		return nil, false
	}
	call := &BearerCall{Token: strings.TrimSpace(token), Account: defaultAccount, Region: defaultRegion}
	if id, err := url.PathUnescape(segment); err == nil && strings.HasPrefix(id, "arn:") {
		// arn:aws:bedrock-agentcore:<region>:<account>:runtime/<id>
		parts := strings.SplitN(id, ":", 6)
		if len(parts) == 6 && parts[3] != "" && parts[4] != "" {
			call.Region, call.Account = parts[3], parts[4]
		}
	} else if a := r.URL.Query().Get("accountId"); a != "" {
		call.Account = a
	}
	return call, true
}

// bearerRoutes are the runtime routes that take a bearer token, after
// /runtimes/{agentRuntimeArn}/ (the ARN one escaped segment): InvokeAgentRuntime,
// GetAgentCard, InvokeAgentRuntimeCommand, StopRuntimeSession and the
// runtime WebSocket (GET .../ws, the server's runtime_ws.go).
var bearerRoutes = []struct{ method, rest string }{
	{http.MethodPost, "invocations"},
	{http.MethodGet, "invocations/.well-known/agent-card.json"},
	{http.MethodPost, "commands"},
	{http.MethodPost, "stopruntimesession"},
	{http.MethodGet, "ws"},
}

// invocationsRuntime matches one of bearerRoutes and returns the runtime
// segment.
func invocationsRuntime(method, escapedPath string) (string, bool) {
	segment, rest, ok := strings.Cut(strings.TrimPrefix(escapedPath, "/runtimes/"), "/")
	if !ok || segment == "" || !strings.HasPrefix(escapedPath, "/runtimes/") {
		return "", false
	}
	for _, r := range bearerRoutes {
		if r.method == method && r.rest == rest {
			return segment, true
		}
	}
	return "", false
}
