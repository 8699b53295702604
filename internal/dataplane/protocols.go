package dataplane

import (
	"agentcored/internal/api"
	"agentcored/internal/service"
)

// Paths of the runtime service contract per server protocol
// (protocolConfiguration.serverProtocol; docs/DATAPLANE.md "Protocols"):
// HTTP and AG-UI agents take POST /invocations, MCP servers POST /mcp,
// A2A agents JSON-RPC at the root.
const (
	pathHTTP = "/invocations"
	pathMCP  = "/mcp"
	pathA2A  = "/"
)

// serverProtocol is the runtime version's protocol, HTTP when absent.
func serverProtocol(t *service.RuntimeTarget) api.ServerProtocol {
	if c := t.Config.ProtocolConfiguration; c != nil && c.ServerProtocol != "" {
		return c.ServerProtocol
	}
	return api.ServerProtocolHttp
}

// invocationPath is the agent path InvokeAgentRuntime calls under the
// agent's base URL. The model agentcored implements has no
// protocolConfiguration port or path override (newer AWS docs mention
// one), so the path is the protocol's contract path; the port is the base
// URL's.
func invocationPath(t *service.RuntimeTarget) string {
	switch serverProtocol(t) {
	case api.ServerProtocolMcp:
		return pathMCP
	case api.ServerProtocolA2a:
		return pathA2A
	default: // HTTP, AGUI
		return pathHTTP
	}
}
