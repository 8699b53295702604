package dataplane

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"

	"agentcored/internal/api"
	"agentcored/internal/awserr"
	"agentcored/internal/dpapi"
	"agentcored/internal/reqctx"
)

// agentCardPath: where an A2A agent publishes its card (A2A protocol
// contract), under the agent's base URL.
const agentCardPath = ".well-known/agent-card.json"

// maxAgentCard bounds the card read from the agent (a card is a small
// JSON document; a runaway agent must not exhaust memory).
const maxAgentCard = 1 << 20

// GetAgentCard answers an A2A runtime's agent card: GET
// <agent>/.well-known/agent-card.json, returned as the agentCard document.
// Only A2A runtimes have one (ValidationException otherwise); an agent that
// fails or answers something other than JSON is RuntimeClientError.
func (s *Service) GetAgentCard(ctx context.Context, in *dpapi.GetAgentCardRequest) (*dpapi.GetAgentCardResponse, error) {
	info := reqctx.From(ctx)
	t, err := s.resolveAuthorized(ctx, in.AgentRuntimeArn, in.Qualifier)
	if err != nil {
		return nil, err
	}
	if p := serverProtocol(t); p != api.ServerProtocolA2a {
		return nil, awserr.Errorf(awserr.CodeValidation,
			"Agent runtime '%s' (version %s) uses server protocol %s; only A2A runtimes (protocolConfiguration.serverProtocol A2A) have an agent card.",
			t.RuntimeID, t.Version, p)
	}
	at, err := s.agentFor(t)
	if err != nil {
		return nil, err
	}
	// The card comes from the session's agent, as an invocation would.
	sess, callID, callCtx, session, err := s.joinSession(ctx, t, at, in.RuntimeSessionId)
	if err != nil {
		return nil, err
	}
	defer s.sessions.release(sess, callID)
	base := sess.url
	req, err := http.NewRequestWithContext(callCtx, http.MethodGet, base.JoinPath(agentCardPath).String(), nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set(headerSessionID, session)
	req.Header.Set(headerRequestID, info.RequestID)
	resp, err := s.agents.http.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, awserr.Errorf(codeRuntimeClient, "The agent of runtime '%s' (version %s) at %s did not answer: %v",
			t.RuntimeID, t.Version, base.Redacted(), unwrapURLError(err))
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxAgentCard+1))
	if err != nil {
		return nil, awserr.Errorf(codeRuntimeClient, "Reading the agent card of runtime '%s' (version %s): %v", t.RuntimeID, t.Version, err)
	}
	if resp.StatusCode >= 300 {
		msg := fmt.Sprintf("Received error (%d) from runtime '%s' (version %s) for GET /%s.", resp.StatusCode, t.RuntimeID, t.Version, agentCardPath)
		if s := strings.TrimSpace(string(body[:min(len(body), 1024)])); s != "" {
			msg += " The agent answered: " + s
		}
		return nil, awserr.Errorf(codeRuntimeClient, "%s", msg)
	}
	if len(body) > maxAgentCard || !json.Valid(body) {
		return nil, awserr.Errorf(codeRuntimeClient,
			"The agent of runtime '%s' (version %s) answered GET /%s with something other than a JSON document of at most %d bytes.",
			t.RuntimeID, t.Version, agentCardPath, maxAgentCard)
	}
	status := int64(http.StatusOK)
	return &dpapi.GetAgentCardResponse{RuntimeSessionId: session, AgentCard: dpapi.Document(body), StatusCode: &status}, nil
}
