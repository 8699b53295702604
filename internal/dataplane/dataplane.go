// Package dataplane implements data-plane (bedrock-agentcore) operations
// over the control plane's store: InvokeAgentRuntime forwards a call to the
// agent a runtime version is bound to; the identity operations (identity.go)
// issue workload access tokens and hand out the token vault's credentials.
// Every other operation answers NotImplementedException
// (dpapi.UnimplementedHandlers).
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

// ControlPlane is everything the data plane reads and keeps through the
// control plane; *service.Service implements it.
type ControlPlane interface {
	Runtimes
	Identities
}

// Service serves the data-plane operations built so far.
type Service struct {
	dpapi.UnimplementedHandlers
	runtimes   Runtimes
	identities Identities
	agents     *agentClient
	oauth      *oauthClient
}

// New serves the data plane over the control plane svc.
func New(svc ControlPlane) *Service {
	return &Service{runtimes: svc, identities: svc, agents: newAgentClient(), oauth: newOAuthClient()}
}
