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

// Backend is everything the data plane reads and writes through the
// control plane's service (service.Service satisfies it).
type Backend interface {
	Runtimes
	MemoryEvents
}

// Service serves the data-plane operations built so far.
type Service struct {
	dpapi.UnimplementedHandlers
	runtimes Runtimes
	events   MemoryEvents
	agents   *agentClient
}

// New serves the data plane over the control plane's service.
func New(b Backend) *Service {
	return &Service{runtimes: b, events: b, agents: newAgentClient()}
}
