package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	dp "github.com/aws/aws-sdk-go-v2/service/bedrockagentcore"
	dptypes "github.com/aws/aws-sdk-go-v2/service/bedrockagentcore/types"
	acc "github.com/aws/aws-sdk-go-v2/service/bedrockagentcorecontrol"
	"github.com/aws/aws-sdk-go-v2/service/bedrockagentcorecontrol/types"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"agentcored/internal/testserver"
)

// InvokeAgentRuntime reaches a real agent: a local HTTP server implementing
// the runtime service contract (POST /invocations, GET /ping), bound to a
// runtime version by its environment variable AGENTCORED_AGENT_URL.

// testAgent is an agent following the HTTP protocol contract. It records
// the headers of each invocation; a payload {"stream": true} answers
// text/event-stream, one event, then (once the test releases it) another.
type testAgent struct {
	*httptest.Server
	name    string
	mu      sync.Mutex
	headers []http.Header
	release chan struct{}
	// waited: the agent gave up waiting for the release (the test never
	// saw the first event before the answer ended).
	waited bool
}

func startAgent(t *testing.T, name string) *testAgent {
	a := &testAgent{name: name, release: make(chan struct{})}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /ping", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"status":"Healthy","time_of_last_update":1700000000}`))
	})
	mux.HandleFunc("POST /invocations", func(w http.ResponseWriter, r *http.Request) {
		a.mu.Lock()
		a.headers = append(a.headers, r.Header.Clone())
		a.mu.Unlock()
		body, _ := io.ReadAll(r.Body)
		var in struct {
			Prompt string `json:"prompt"`
			Stream bool   `json:"stream"`
			Fail   bool   `json:"fail"`
		}
		if err := json.Unmarshal(body, &in); err != nil {
			http.Error(w, "invalid JSON", http.StatusBadRequest)
			return
		}
		if in.Fail {
			http.Error(w, "agent exploded", http.StatusInternalServerError)
			return
		}
		if !in.Stream {
			w.Header().Set("Content-Type", "application/json")
			json.NewEncoder(w).Encode(map[string]string{"agent": a.name, "echo": in.Prompt,
				"contentType": r.Header.Get("Content-Type"), "session": r.Header.Get("X-Amzn-Bedrock-AgentCore-Runtime-Session-Id")})
			return
		}
		w.Header().Set("Content-Type", "text/event-stream")
		w.Write([]byte("data: {\"part\":1}\n\n"))
		w.(http.Flusher).Flush()
		select {
		case <-a.release:
		case <-time.After(5 * time.Second):
			a.mu.Lock()
			a.waited = true
			a.mu.Unlock()
		}
		w.Write([]byte("data: {\"part\":2}\n\n"))
	})
	a.Server = httptest.NewServer(mux)
	t.Cleanup(a.Close)
	return a
}

func (a *testAgent) lastHeaders(t *testing.T) http.Header {
	t.Helper()
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.headers) == 0 {
		t.Fatalf("agent %s was never invoked", a.name)
	}
	return a.headers[len(a.headers)-1]
}

// invokeRuntime creates a runtime whose first version is bound to agentURL
// ("" for none), with allowlist as its request-header allowlist.
func invokeRuntime(t *testing.T, c *acc.Client, name, agentURL string, allowlist []string) *acc.CreateAgentRuntimeOutput {
	t.Helper()
	in := &acc.CreateAgentRuntimeInput{AgentRuntimeName: aws.String(name), AgentRuntimeArtifact: rtContainer(rtImage),
		RoleArn: aws.String(rtRole), NetworkConfiguration: rtPublic(),
		EnvironmentVariables: map[string]string{"OTHER": "x"}}
	if agentURL != "" {
		in.EnvironmentVariables["AGENTCORED_AGENT_URL"] = agentURL
	}
	if allowlist != nil {
		in.RequestHeaderConfiguration = &types.RequestHeaderConfigurationMemberRequestHeaderAllowlist{Value: allowlist}
	}
	out, err := c.CreateAgentRuntime(context.Background(), in)
	if err != nil {
		t.Fatalf("CreateAgentRuntime %s: %v", name, err)
	}
	return out
}

func withHeader(name, value string) func(*dp.Options) {
	return func(o *dp.Options) { o.APIOptions = append(o.APIOptions, smithyhttp.AddHeaderValue(name, value)) }
}

func TestInvokeAgentRuntimeReachesAgent(t *testing.T) {
	agent := startAgent(t, "one")
	srv := testserver.Start(t)
	ctl, c := srv.Client(t), srv.DataClient(t)
	ctx := context.Background()
	rt := invokeRuntime(t, ctl, "invoke_agent", agent.URL, []string{"x-allowed-header"})

	out, err := c.InvokeAgentRuntime(ctx, &dp.InvokeAgentRuntimeInput{AgentRuntimeArn: rt.AgentRuntimeArn,
		Payload: []byte(`{"prompt":"hello"}`), ContentType: aws.String("application/json"), RuntimeSessionId: aws.String(dpSession)},
		withHeader("X-Allowed-Header", "yes"), withHeader("X-Not-Allowed", "no"),
		withHeader("X-Amzn-Bedrock-AgentCore-Runtime-Custom-Thing", "custom"), withHeader("X-Amz-Secret-Thing", "no"))
	if err != nil {
		t.Fatalf("InvokeAgentRuntime: %v", err)
	}
	body, err := io.ReadAll(out.Response)
	out.Response.Close()
	if err != nil {
		t.Fatalf("reading the answer: %v", err)
	}
	var got map[string]string
	decodeJSON(t, string(body), &got)
	if got["agent"] != "one" || got["echo"] != "hello" || got["contentType"] != "application/json" || got["session"] != dpSession {
		t.Errorf("agent answered %s", body)
	}
	if aws.ToString(out.ContentType) != "application/json" || aws.ToInt32(out.StatusCode) != 200 || aws.ToString(out.RuntimeSessionId) != dpSession {
		t.Errorf("answer: content type %q, status %d, session %q", aws.ToString(out.ContentType), aws.ToInt32(out.StatusCode), aws.ToString(out.RuntimeSessionId))
	}

	h := agent.lastHeaders(t)
	for name, want := range map[string]string{"X-Allowed-Header": "yes", "X-Amzn-Bedrock-Agentcore-Runtime-Custom-Thing": "custom",
		"X-Amzn-Bedrock-Agentcore-Runtime-Session-Id": dpSession} {
		if h.Get(name) != want {
			t.Errorf("agent got %s=%q, want %q", name, h.Get(name), want)
		}
	}
	if h.Get("X-Amzn-Bedrock-Agentcore-Runtime-Request-Id") == "" {
		t.Errorf("agent got no request id")
	}
	for name := range h {
		l := strings.ToLower(name)
		if l == "authorization" || strings.HasPrefix(l, "x-amz-") || l == "x-not-allowed" {
			t.Errorf("agent got the caller's header %s", name)
		}
	}

	// The ID with accountId instead of the ARN reaches the same agent.
	out, err = c.InvokeAgentRuntime(ctx, &dp.InvokeAgentRuntimeInput{AgentRuntimeArn: rt.AgentRuntimeId,
		AccountId: aws.String("123456789012"), Payload: []byte(`{"prompt":"by id"}`)})
	if err != nil {
		t.Fatalf("InvokeAgentRuntime by ID: %v", err)
	}
	body, _ = io.ReadAll(out.Response)
	out.Response.Close()
	if !strings.Contains(string(body), `"by id"`) {
		t.Errorf("by ID: %s", body)
	}
	// The SDK filled in a session id (an idempotency token); it came back.
	if s := aws.ToString(out.RuntimeSessionId); len(s) < 33 || s != agent.lastHeaders(t).Get("X-Amzn-Bedrock-AgentCore-Runtime-Session-Id") {
		t.Errorf("session id %q, agent got %q", s, agent.lastHeaders(t).Get("X-Amzn-Bedrock-AgentCore-Runtime-Session-Id"))
	}

	// An agent's failure is RuntimeClientError (424).
	_, err = c.InvokeAgentRuntime(ctx, &dp.InvokeAgentRuntimeInput{AgentRuntimeArn: rt.AgentRuntimeArn, Payload: []byte(`{"fail":true}`)})
	var rce *dptypes.RuntimeClientError
	if !errors.As(err, &rce) || errStatus(err) != 424 || !strings.Contains(err.Error(), "(500)") {
		t.Errorf("failing agent: %v, want 424 RuntimeClientError naming 500", err)
	}
}

func TestInvokeAgentRuntimeStreamsInPieces(t *testing.T) {
	agent := startAgent(t, "streamer")
	srv := testserver.Start(t)
	rt := invokeRuntime(t, srv.Client(t), "stream_agent", agent.URL, nil)
	out, err := srv.DataClient(t).InvokeAgentRuntime(context.Background(), &dp.InvokeAgentRuntimeInput{
		AgentRuntimeArn: rt.AgentRuntimeArn, Payload: []byte(`{"stream":true}`)})
	if err != nil {
		t.Fatalf("InvokeAgentRuntime: %v", err)
	}
	defer out.Response.Close()
	if ct := aws.ToString(out.ContentType); ct != "text/event-stream" {
		t.Errorf("content type %q", ct)
	}
	r := bufio.NewReader(out.Response)
	first, err := r.ReadString('\n')
	if err != nil || first != "data: {\"part\":1}\n" {
		t.Fatalf("first event: %q %v", first, err)
	}
	// The agent is still waiting: the first event came before the end.
	close(agent.release)
	rest, err := io.ReadAll(r)
	if err != nil || string(rest) != "\ndata: {\"part\":2}\n\n" {
		t.Errorf("rest: %q %v", rest, err)
	}
	agent.mu.Lock()
	defer agent.mu.Unlock()
	if agent.waited {
		t.Errorf("the first event reached the client only when the agent finished")
	}
}

func TestInvokeAgentRuntimeQualifierPicksVersion(t *testing.T) {
	one, two := startAgent(t, "one"), startAgent(t, "two")
	srv := testserver.Start(t)
	ctl, c := srv.Client(t), srv.DataClient(t)
	ctx := context.Background()
	rt := invokeRuntime(t, ctl, "versioned_agent", one.URL, nil)
	if _, err := ctl.CreateAgentRuntimeEndpoint(ctx, &acc.CreateAgentRuntimeEndpointInput{AgentRuntimeId: rt.AgentRuntimeId,
		Name: aws.String("first"), AgentRuntimeVersion: aws.String("1")}); err != nil {
		t.Fatalf("CreateAgentRuntimeEndpoint: %v", err)
	}
	if _, err := ctl.UpdateAgentRuntime(ctx, &acc.UpdateAgentRuntimeInput{AgentRuntimeId: rt.AgentRuntimeId,
		AgentRuntimeArtifact: rtContainer(rtImage), RoleArn: aws.String(rtRole), NetworkConfiguration: rtPublic(),
		EnvironmentVariables: map[string]string{"AGENTCORED_AGENT_URL": two.URL}}); err != nil {
		t.Fatalf("UpdateAgentRuntime: %v", err)
	}
	eventually(t, "DEFAULT serves version 2", func() (bool, error) {
		ep, err := ctl.GetAgentRuntimeEndpoint(ctx, &acc.GetAgentRuntimeEndpointInput{AgentRuntimeId: rt.AgentRuntimeId, EndpointName: aws.String("DEFAULT")})
		return err == nil && aws.ToString(ep.LiveVersion) == "2", err
	})
	for qualifier, want := range map[string]string{"": "two", "DEFAULT": "two", "first": "one"} {
		in := &dp.InvokeAgentRuntimeInput{AgentRuntimeArn: rt.AgentRuntimeArn, Payload: []byte(`{"prompt":"q"}`)}
		if qualifier != "" {
			in.Qualifier = aws.String(qualifier)
		}
		out, err := c.InvokeAgentRuntime(ctx, in)
		if err != nil {
			t.Errorf("qualifier %q: %v", qualifier, err)
			continue
		}
		body, _ := io.ReadAll(out.Response)
		out.Response.Close()
		if !strings.Contains(string(body), `"agent":"`+want+`"`) {
			t.Errorf("qualifier %q reached %s, want agent %s", qualifier, body, want)
		}
	}
	_, err := c.InvokeAgentRuntime(ctx, &dp.InvokeAgentRuntimeInput{AgentRuntimeArn: rt.AgentRuntimeArn, Qualifier: aws.String("nope"), Payload: []byte(`{}`)})
	wantCode(t, "unknown qualifier", err, "ResourceNotFoundException")
}

func TestInvokeAgentRuntimeUnbound(t *testing.T) {
	srv := testserver.Start(t)
	rt := invokeRuntime(t, srv.Client(t), "unbound_agent", "", nil)
	_, err := srv.DataClient(t).InvokeAgentRuntime(context.Background(), &dp.InvokeAgentRuntimeInput{
		AgentRuntimeArn: rt.AgentRuntimeArn, Payload: []byte(`{"prompt":"hi"}`)})
	var rce *dptypes.RuntimeClientError
	if !errors.As(err, &rce) || errStatus(err) != 424 || !strings.Contains(aws.ToString(rce.Message), "AGENTCORED_AGENT_URL=http://host:port") {
		t.Errorf("unbound runtime: %v, want 424 RuntimeClientError saying how to bind it", err)
	}
	// An agent that is not listening is RuntimeClientError too.
	dead := httptest.NewServer(http.NotFoundHandler())
	dead.Close()
	rt = invokeRuntime(t, srv.Client(t), "dead_agent", dead.URL, nil)
	_, err = srv.DataClient(t).InvokeAgentRuntime(context.Background(), &dp.InvokeAgentRuntimeInput{
		AgentRuntimeArn: rt.AgentRuntimeArn, Payload: []byte(`{"prompt":"hi"}`)})
	if !errors.As(err, &rce) || errStatus(err) != 424 {
		t.Errorf("agent not listening: %v, want 424 RuntimeClientError", err)
	}
}

// TestInvokeAgentRuntimeBoto3 invokes a bound agent through boto3 with the
// repository's model and the data plane's endpoint override.
func TestInvokeAgentRuntimeBoto3(t *testing.T) {
	py := admPython(t, "boto3")
	agent := startAgent(t, "py")
	srv := testserver.Start(t)
	rt := invokeRuntime(t, srv.Client(t), "boto_agent", agent.URL, nil)
	script := `import boto3, botocore.config, sys
c = boto3.client("bedrock-agentcore", region_name="us-east-1", aws_access_key_id="AKIAIOSFODNN7EXAMPLE",
    aws_secret_access_key="wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", config=botocore.config.Config(retries={"max_attempts": 1}))
r = c.invoke_agent_runtime(agentRuntimeArn=sys.argv[1], payload=b'{"prompt": "from boto3"}', runtimeSessionId="` + dpSession + `")
print(r["contentType"], r["runtimeSessionId"], r["statusCode"])
print(r["response"].read().decode())
`
	cmd := exec.Command(py, "-c", script, aws.ToString(rt.AgentRuntimeArn))
	cmd.Env = append(cleanAWSEnv(), "AWS_ENDPOINT_URL_BEDROCK_AGENTCORE="+srv.URL)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("boto3: %v\n%s", err, out)
	}
	if !strings.HasPrefix(string(out), "application/json "+dpSession+" 200\n") || !strings.Contains(string(out), `"echo":"from boto3"`) {
		t.Errorf("boto3 printed:\n%s", out)
	}
}

// TestInvokeAgentRuntimeFaults: error and latency faults apply to
// data-plane operations as to the control plane's; an injected error
// answers before the agent is called.
func TestInvokeAgentRuntimeFaults(t *testing.T) {
	srv := testserver.Start(t)
	agent := startAgent(t, "faulty")
	rt := invokeRuntime(t, srv.Client(t), "faulty_agent", agent.URL, nil)
	addFault(t, srv.URL, map[string]any{"operation": "InvokeAgentRuntime", "action": "error",
		"errorCode": "ServiceQuotaExceededException", "message": "injected", "count": 1})
	invoke := func() error {
		out, err := srv.DataClient(t).InvokeAgentRuntime(context.Background(), &dp.InvokeAgentRuntimeInput{
			AgentRuntimeArn: rt.AgentRuntimeArn, Payload: []byte(`{"prompt":"hi"}`)})
		if err == nil {
			out.Response.Close()
		}
		return err
	}
	var quota *dptypes.ServiceQuotaExceededException
	if err := invoke(); !errors.As(err, &quota) {
		t.Fatalf("invoke under an error fault: %v, want ServiceQuotaExceededException", err)
	}
	agent.mu.Lock()
	calls := len(agent.headers)
	agent.mu.Unlock()
	if calls != 0 {
		t.Errorf("the agent was called %d times under an error fault", calls)
	}
	if err := invoke(); err != nil {
		t.Fatalf("invoke once the fault is used up: %v", err)
	}
	// A data-plane call changes no resource's status: fail faults are refused.
	adminStatus(t, http.MethodPost, srv.URL+"/_agentcored/faults",
		`{"operation":"InvokeAgentRuntime","action":"fail"}`, http.StatusBadRequest)
}
