package dataplane

import (
	"context"
	"net/http"
	"strings"
	"time"

	"agentcored/internal/reqctx"
	"agentcored/internal/service"
)

const (
	headerWorkloadToken = "WorkloadAccessToken"
	headerOAuth2Return  = "OAuth2CallbackUrl"
)

// setAgentIdentity gives the agent what AgentCore Runtime delivers with each
// invocation: a workload access token for the runtime's own workload
// identity, acting for user when the call names one ("Get workload access
// token", developer guide), and the caller's OAuth2 callback URL, which the
// agent's SDK passes on as resourceOauth2ReturnUrl. A runtime without a
// workload identity gets no token; failing to issue one fails the call, so
// that an agent never runs without the identity it was promised.
func (s *Service) setAgentIdentity(ctx context.Context, h http.Header, t *service.RuntimeTarget, user string, caller http.Header) error {
	if d := t.Config.WorkloadIdentityDetails; d != nil && d.WorkloadIdentityArn != "" {
		name := d.WorkloadIdentityArn[strings.LastIndex(d.WorkloadIdentityArn, "/")+1:]
		// The runtime's own identity: created with it and undeletable, so
		// no lookup (IssueWorkloadAccessToken's) on this hot path.
		token, err := s.issue(ctx, name, user)
		if err != nil {
			return err
		}
		h.Set(headerWorkloadToken, token)
	}
	if v := caller.Get(headerOAuth2Return); v != "" {
		h.Set(headerOAuth2Return, v)
	}
	return nil
}

// callerUser is the user the agent acts for: on a JWT runtime the verified
// token's subject (AWS obtains the agent's token with
// GetWorkloadAccessTokenForJWT), else the caller's user id header.
func callerUser(info *reqctx.Info, userID string) string {
	if info.Bearer {
		if sub, err := jwtSubject(info.BearerToken, "Authorization", time.Now()); err == nil {
			return sub
		}
	}
	return userID
}
