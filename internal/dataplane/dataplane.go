// Package dataplane implements data-plane (bedrock-agentcore) operations
// over the control plane's store: InvokeAgentRuntime forwards a call to the
// agent a runtime version is bound to (agents.go), in a session that sticks
// to one agent (sessions.go); StopRuntimeSession ends one. The identity
// operations (identity.go) issue workload access tokens and hand out the
// token vault's credentials. Every other operation answers
// NotImplementedException (dpapi.UnimplementedHandlers).
package dataplane

import (
	"context"
	"time"

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
	MemoryEvents
	BrowserSessions
}

// Options configure the data plane.
type Options struct {
	// Agents bind artifacts to agents (validated by New).
	Agents []AgentBinding
	// SessionTimeScale multiplies the sessions' idle timeout and maximum
	// lifetime (0 means 1; tests use 0.01 to run "60 s" in 0.6 s).
	SessionTimeScale float64
	// Now is the sessions' clock (nil: time.Now).
	Now func() time.Time
}

// Service serves the data-plane operations built so far.
type Service struct {
	dpapi.UnimplementedHandlers
	runtimes   Runtimes
	identities Identities
	events     MemoryEvents
	agents     *agentClient
	oauth      *oauthClient
	registry   *agentRegistry
	sessions   *sessions
	jwt        *jwtVerifier // inbound JWT auth (jwt.go)
	// browserStore and browsers: browser sessions (browser_sessions.go).
	browserStore BrowserSessions
	browsers     *browserManager
}

// New serves the data plane over the control plane svc and starts the
// session reaper; Close stops it and every agent process.
func New(svc ControlPlane, opts Options) (*Service, error) {
	s := &Service{runtimes: svc, identities: svc, events: svc, agents: newAgentClient(), oauth: newOAuthClient(), registry: &agentRegistry{}, jwt: newJWTVerifier()}
	if err := s.registry.set(opts.Agents); err != nil {
		return nil, err
	}
	s.sessions = newSessions(opts.Now, opts.SessionTimeScale, s.agents.http)
	s.sessions.start = s.launch
	go s.sessions.run()
	s.browserStore, s.browsers = svc, newBrowserManager(svc, opts.Now)
	s.browsers.sweep(context.Background())
	go s.browsers.run()
	return s, nil
}

// Close ends every session and stops every agent process agentcored
// started.
func (s *Service) Close() {
	s.sessions.close()
	s.browsers.close()
}

// Agents is the current list of bindings.
func (s *Service) Agents() []AgentBinding { return s.registry.get() }

// SetAgents replaces the bindings (validated first; on error nothing
// changes). Live sessions keep their agent until they end.
func (s *Service) SetAgents(list []AgentBinding) error { return s.registry.set(list) }

// Sessions lists the live runtime sessions.
func (s *Service) Sessions() []SessionInfo { return s.sessions.list() }
