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
// Every route accepted here MUST verify the token in its handler: today
// only InvokeAgentRuntime does (its checkInboundAuth), so only its route is
// listed. GetAgentCard, InvokeAgentRuntimeCommand and StopRuntimeSession
// join when their handlers make the same call.

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

// invocationsRuntime matches InvokeAgentRuntime's route, POST
// /runtimes/{agentRuntimeArn}/invocations (the ARN one escaped segment),
// and returns the runtime segment.
func invocationsRuntime(method, escapedPath string) (string, bool) {
	if method != http.MethodPost {
		return "", false
	}
	parts := strings.Split(strings.TrimPrefix(escapedPath, "/"), "/")
	if len(parts) != 3 || parts[0] != "runtimes" || parts[1] == "" || parts[2] != "invocations" {
		return "", false
	}
	return parts[1], true
}
