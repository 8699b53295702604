// Package dataplane implements data-plane (bedrock-agentcore) operations
// over the control plane's store: InvokeAgentRuntime forwards a call to the
// agent a runtime version is bound to. Every other operation answers
// NotImplementedException (dpapi.UnimplementedHandlers).
package dataplane

import (
	"context"

	"agentcored/internal/dpapi"
	"agentcored/internal/service"
)

// Runtimes reads runtimes from the control plane (service.Service).
type Runtimes interface {
	ResolveRuntime(ctx context.Context, arnOrID, qualifier string) (*service.RuntimeTarget, error)
}

// Service serves the data-plane operations built so far.
type Service struct {
	dpapi.UnimplementedHandlers
	runtimes Runtimes
	agents   *agentClient
	jwt      *jwtVerifier // inbound JWT auth (jwt.go)
}

// New serves the data plane over the control plane's runtimes.
func New(r Runtimes) *Service {
	return &Service{runtimes: r, agents: newAgentClient(), jwt: newJWTVerifier()}
}
