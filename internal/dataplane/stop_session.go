package dataplane

import (
	"context"

	"agentcored/internal/awserr"
	"agentcored/internal/dpapi"
)

// StopRuntimeSession ends a session at once: its calls in flight are cut
// and its agent process (if agentcored started one) is killed. The next
// call with the same session id starts a new session. An unknown session
// is ResourceNotFoundException.
func (s *Service) StopRuntimeSession(ctx context.Context, in *dpapi.StopRuntimeSessionRequest) (*dpapi.StopRuntimeSessionResponse, error) {
	t, err := s.resolveAuthorized(ctx, in.AgentRuntimeArn, in.Qualifier)
	if err != nil {
		return nil, err
	}
	key := sessionKey{ARN: t.RuntimeARN, Version: t.Version, Session: in.RuntimeSessionId}
	if in.RuntimeSessionId == "" || !s.sessions.stopKey(key) {
		return nil, awserr.NotFound("Runtime session '%s' was not found for agent runtime '%s' (endpoint %s, version %s).",
			in.RuntimeSessionId, t.RuntimeID, t.Endpoint, t.Version)
	}
	status := int64(200)
	return &dpapi.StopRuntimeSessionResponse{RuntimeSessionId: in.RuntimeSessionId, StatusCode: &status}, nil
}
