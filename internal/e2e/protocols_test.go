package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	dp "github.com/aws/aws-sdk-go-v2/service/bedrockagentcore"
	dptypes "github.com/aws/aws-sdk-go-v2/service/bedrockagentcore/types"
	acc "github.com/aws/aws-sdk-go-v2/service/bedrockagentcorecontrol"
	"github.com/aws/aws-sdk-go-v2/service/bedrockagentcorecontrol/types"

	"agentcored/internal/testserver"
)

// Protocol routing: a runtime's protocolConfiguration.serverProtocol picks
// the agent path InvokeAgentRuntime calls (MCP → POST /mcp, A2A → POST /),
// and A2A runtimes answer GetAgentCard from the agent's well-known card.

// protocolAgent serves the MCP and A2A contract paths with JSON-RPC and
// records which path each call took.
type protocolAgent struct {
	*httptest.Server
	mu       sync.Mutex
	paths    []string
	sessions []string
	cardFail bool
}

func startProtocolAgent(t *testing.T) *protocolAgent {
	a := &protocolAgent{}
	rpc := func(w http.ResponseWriter, r *http.Request) {
		a.mu.Lock()
		a.paths = append(a.paths, r.Method+" "+r.URL.Path)
		a.sessions = append(a.sessions, r.Header.Get("X-Amzn-Bedrock-AgentCore-Runtime-Session-Id"))
		a.mu.Unlock()
		var req struct {
			ID     any    `json:"id"`
			Method string `json:"method"`
		}
		body, _ := io.ReadAll(r.Body)
		if err := json.Unmarshal(body, &req); err != nil {
			http.Error(w, "not JSON-RPC", http.StatusBadRequest)
			return
		}
		var result any
		switch {
		case r.URL.Path == "/mcp" && req.Method == "tools/list":
			w.Header().Set("Mcp-Session-Id", "mcp-session-42")
			result = map[string]any{"tools": []any{map[string]any{"name": "add", "inputSchema": map[string]any{"type": "object"}}}}
		case r.URL.Path == "/" && req.Method == "message/send":
			result = map[string]any{"kind": "message", "role": "agent", "parts": []any{map[string]any{"kind": "text", "text": "hello from a2a"}}}
		default:
			http.Error(w, "unexpected "+r.URL.Path+" "+req.Method, http.StatusNotFound)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"jsonrpc": "2.0", "id": req.ID, "result": result})
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /mcp", rpc)
	mux.HandleFunc("POST /{$}", rpc)
	mux.HandleFunc("POST /invocations", rpc)
	mux.HandleFunc("GET /.well-known/agent-card.json", func(w http.ResponseWriter, r *http.Request) {
		a.mu.Lock()
		a.paths = append(a.paths, r.Method+" "+r.URL.Path)
		a.sessions = append(a.sessions, r.Header.Get("X-Amzn-Bedrock-AgentCore-Runtime-Session-Id"))
		fail := a.cardFail
		a.mu.Unlock()
		if fail {
			http.Error(w, "card exploded", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"name":"Calculator","description":"adds numbers","url":"http://localhost:9000/","version":"1.0.0","protocolVersion":"0.3.0","skills":[{"id":"add","name":"add"}]}`))
	})
	a.Server = httptest.NewServer(mux)
	t.Cleanup(a.Close)
	return a
}

func (a *protocolAgent) last(t *testing.T) (path, session string) {
	t.Helper()
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.paths) == 0 {
		t.Fatalf("the agent was never called")
	}
	return a.paths[len(a.paths)-1], a.sessions[len(a.sessions)-1]
}

// protocolRuntime creates a runtime bound to agentURL with the given
// server protocol ("" for no protocolConfiguration).
func protocolRuntime(t *testing.T, c *acc.Client, name, agentURL string, protocol types.ServerProtocol) *acc.CreateAgentRuntimeOutput {
	t.Helper()
	in := &acc.CreateAgentRuntimeInput{AgentRuntimeName: aws.String(name), AgentRuntimeArtifact: rtContainer(rtImage),
		RoleArn: aws.String(rtRole), NetworkConfiguration: rtPublic(),
		EnvironmentVariables: map[string]string{"AGENTCORED_AGENT_URL": agentURL}}
	if protocol != "" {
		in.ProtocolConfiguration = &types.ProtocolConfiguration{ServerProtocol: protocol}
	}
	out, err := c.CreateAgentRuntime(context.Background(), in)
	if err != nil {
		t.Fatalf("CreateAgentRuntime %s: %v", name, err)
	}
	return out
}

func TestInvokeAgentRuntimeProtocols(t *testing.T) {
	agent := startProtocolAgent(t)
	srv := testserver.Start(t)
	ctl, c := srv.Client(t), srv.DataClient(t)
	ctx := context.Background()

	mcp := protocolRuntime(t, ctl, "mcp_server", agent.URL, types.ServerProtocolMcp)
	out, err := c.InvokeAgentRuntime(ctx, &dp.InvokeAgentRuntimeInput{AgentRuntimeArn: mcp.AgentRuntimeArn,
		Payload: []byte(`{"jsonrpc":"2.0","id":1,"method":"tools/list"}`), ContentType: aws.String("application/json"),
		Accept: aws.String("application/json, text/event-stream"), RuntimeSessionId: aws.String(dpSession)})
	if err != nil {
		t.Fatalf("MCP tools/list: %v", err)
	}
	body, _ := io.ReadAll(out.Response)
	out.Response.Close()
	if !strings.Contains(string(body), `"name":"add"`) {
		t.Errorf("MCP answer %s", body)
	}
	if got := aws.ToString(out.McpSessionId); got != "mcp-session-42" {
		t.Errorf("Mcp-Session-Id %q, want the agent's mcp-session-42", got)
	}
	if path, session := agent.last(t); path != "POST /mcp" || session != dpSession {
		t.Errorf("MCP runtime called %s with session %q", path, session)
	}

	a2a := protocolRuntime(t, ctl, "a2a_agent", agent.URL, types.ServerProtocolA2a)
	out, err = c.InvokeAgentRuntime(ctx, &dp.InvokeAgentRuntimeInput{AgentRuntimeArn: a2a.AgentRuntimeArn,
		Payload: []byte(`{"jsonrpc":"2.0","id":"m1","method":"message/send","params":{"message":{"role":"user","parts":[{"kind":"text","text":"hi"}],"messageId":"x"}}}`)})
	if err != nil {
		t.Fatalf("A2A message/send: %v", err)
	}
	body, _ = io.ReadAll(out.Response)
	out.Response.Close()
	if !strings.Contains(string(body), "hello from a2a") {
		t.Errorf("A2A answer %s", body)
	}
	if path, _ := agent.last(t); path != "POST /" {
		t.Errorf("A2A runtime called %s, want POST /", path)
	}

	// HTTP, explicit or absent, keeps POST /invocations.
	for name, p := range map[string]types.ServerProtocol{"http_explicit": types.ServerProtocolHttp, "http_default": ""} {
		rt := protocolRuntime(t, ctl, name, agent.URL, p)
		out, err := c.InvokeAgentRuntime(ctx, &dp.InvokeAgentRuntimeInput{AgentRuntimeArn: rt.AgentRuntimeArn,
			Payload: []byte(`{"jsonrpc":"2.0","id":1,"method":"tools/list"}`)})
		if err == nil {
			out.Response.Close()
		}
		if path, _ := agent.last(t); path != "POST /invocations" {
			t.Errorf("%s runtime called %s, want POST /invocations", name, path)
		}
	}
}

func TestGetAgentCard(t *testing.T) {
	agent := startProtocolAgent(t)
	srv := testserver.Start(t)
	ctl, c := srv.Client(t), srv.DataClient(t)
	ctx := context.Background()
	a2a := protocolRuntime(t, ctl, "card_agent", agent.URL, types.ServerProtocolA2a)

	out, err := c.GetAgentCard(ctx, &dp.GetAgentCardInput{AgentRuntimeArn: a2a.AgentRuntimeArn, RuntimeSessionId: aws.String(dpSession)})
	if err != nil {
		t.Fatalf("GetAgentCard: %v", err)
	}
	var card map[string]any
	if out.AgentCard == nil {
		t.Fatalf("no agentCard in the answer")
	}
	if err := out.AgentCard.UnmarshalSmithyDocument(&card); err != nil {
		t.Fatalf("agentCard document: %v", err)
	}
	if card["name"] != "Calculator" || card["protocolVersion"] != "0.3.0" {
		t.Errorf("agent card %v", card)
	}
	if aws.ToString(out.RuntimeSessionId) != dpSession {
		t.Errorf("session %q, want %q", aws.ToString(out.RuntimeSessionId), dpSession)
	}
	if path, session := agent.last(t); path != "GET /.well-known/agent-card.json" || session != dpSession {
		t.Errorf("agent called %s with session %q", path, session)
	}

	// A non-A2A runtime has no card.
	mcp := protocolRuntime(t, ctl, "card_mcp", agent.URL, types.ServerProtocolMcp)
	_, err = c.GetAgentCard(ctx, &dp.GetAgentCardInput{AgentRuntimeArn: mcp.AgentRuntimeArn})
	var ve *dptypes.ValidationException
	if !errors.As(err, &ve) || errStatus(err) != 400 || !strings.Contains(aws.ToString(ve.Message), "only A2A runtimes") {
		t.Errorf("GetAgentCard on an MCP runtime: %v, want ValidationException saying only A2A runtimes have one", err)
	}
	// An agent's failure is RuntimeClientError.
	agent.mu.Lock()
	agent.cardFail = true
	agent.mu.Unlock()
	_, err = c.GetAgentCard(ctx, &dp.GetAgentCardInput{AgentRuntimeArn: a2a.AgentRuntimeArn})
	var rce *dptypes.RuntimeClientError
	if !errors.As(err, &rce) || errStatus(err) != 424 || !strings.Contains(err.Error(), "(500)") {
		t.Errorf("failing card: %v, want 424 RuntimeClientError naming 500", err)
	}
	// An unknown runtime is ResourceNotFoundException.
	_, err = c.GetAgentCard(ctx, &dp.GetAgentCardInput{AgentRuntimeArn: aws.String(opsRuntimeARN)})
	wantCode(t, "unknown runtime", err, "ResourceNotFoundException")
}
