package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	dp "github.com/aws/aws-sdk-go-v2/service/bedrockagentcore"
	dptypes "github.com/aws/aws-sdk-go-v2/service/bedrockagentcore/types"
	acc "github.com/aws/aws-sdk-go-v2/service/bedrockagentcorecontrol"
	"github.com/aws/aws-sdk-go-v2/service/bedrockagentcorecontrol/types"

	"agentcored/internal/dataplane"
	"agentcored/internal/server"
	"agentcored/internal/testserver"
)

// Runtimes bound to agents by the agents: config (and the admin API):
// url agents already running, command agents that agentcored starts per
// session (the examples in examples/agents), containers where the machine
// allows. Session ids are 33+ characters.

const (
	agentImage = "123456789012.dkr.ecr.us-east-1.amazonaws.com/bound-agent:latest"
	sessionA   = "session-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	sessionB   = "session-bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
	sessionC   = "session-cccccccccccccccccccccccccccccccc"
	sessionD   = "session-dddddddddddddddddddddddddddddddd"
	sessionE   = "session-eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee"
)

// buildGoAgent builds examples/agents/go into a temp dir.
func buildGoAgent(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "agent")
	out, err := exec.Command("go", "build", "-o", bin, "../../examples/agents/go").CombinedOutput()
	if err != nil {
		t.Fatalf("go build the Go agent: %v\n%s", err, out)
	}
	return bin
}

// boundRuntime creates a runtime on image with the runtime's env vars and
// lifecycle (idle, maxLifetime seconds; 0 for the defaults).
func boundRuntime(t *testing.T, c *acc.Client, name, image string, env map[string]string, idle, maxLife int32) *acc.CreateAgentRuntimeOutput {
	t.Helper()
	in := &acc.CreateAgentRuntimeInput{AgentRuntimeName: aws.String(name), AgentRuntimeArtifact: rtContainer(image),
		RoleArn: aws.String(rtRole), NetworkConfiguration: rtPublic(), EnvironmentVariables: env}
	if idle > 0 || maxLife > 0 {
		in.LifecycleConfiguration = &types.LifecycleConfiguration{}
		if idle > 0 {
			in.LifecycleConfiguration.IdleRuntimeSessionTimeout = aws.Int32(idle)
		}
		if maxLife > 0 {
			in.LifecycleConfiguration.MaxLifetime = aws.Int32(maxLife)
		}
	}
	out, err := c.CreateAgentRuntime(context.Background(), in)
	if err != nil {
		t.Fatalf("CreateAgentRuntime %s: %v", name, err)
	}
	return out
}

// agentAnswer is what the example agents answer to a plain call.
type agentAnswer struct {
	Echo    string            `json:"echo"`
	PID     int               `json:"pid"`
	Calls   int               `json:"calls"`
	Session string            `json:"session"`
	Env     map[string]string `json:"env"`
	Agent   string            `json:"agent"` // the in-test url agent
}

func invokeAgent(c *dp.Client, arn *string, session string, payload any) (agentAnswer, error) {
	var a agentAnswer
	b, _ := json.Marshal(payload)
	out, err := c.InvokeAgentRuntime(context.Background(), &dp.InvokeAgentRuntimeInput{AgentRuntimeArn: arn,
		RuntimeSessionId: aws.String(session), Payload: b, ContentType: aws.String("application/json")})
	if err != nil {
		return a, err
	}
	defer out.Response.Close()
	body, err := io.ReadAll(out.Response)
	if err != nil {
		return a, err
	}
	if err := json.Unmarshal(body, &a); err != nil {
		return a, errors.New("answer is not JSON: " + string(body))
	}
	return a, nil
}

func mustInvoke(t *testing.T, c *dp.Client, arn *string, session string, payload any) agentAnswer {
	t.Helper()
	a, err := invokeAgent(c, arn, session, payload)
	if err != nil {
		t.Fatalf("InvokeAgentRuntime session %s: %v", session, err)
	}
	return a
}

// processAlive: signal 0 reaches a process that exists.
func processAlive(pid int) bool {
	p, err := os.FindProcess(pid)
	return err == nil && p.Signal(syscall.Signal(0)) == nil
}

// liveSessions is the admin API's list of sessions.
func liveSessions(t *testing.T, base string) []dataplane.SessionInfo {
	t.Helper()
	var out struct {
		Sessions []dataplane.SessionInfo `json:"sessions"`
	}
	decodeJSON(t, adminOK(t, "GET", base+"/_agentcored/agents/sessions", ""), &out)
	return out.Sessions
}

func sessionPID(t *testing.T, base, session string) (int, bool) {
	for _, s := range liveSessions(t, base) {
		if s.Session == session {
			return s.PID, true
		}
	}
	return 0, false
}

func want424(t *testing.T, what string, err error, text string) {
	t.Helper()
	var rce *dptypes.RuntimeClientError
	if !errors.As(err, &rce) || errStatus(err) != 424 || !strings.Contains(aws.ToString(rce.Message), text) {
		t.Fatalf("%s: %v, want 424 RuntimeClientError saying %q", what, err, text)
	}
}

// TestAgentsURLBinding: a config-bound url agent is reached by artifact;
// the admin API lists and replaces the bindings, validating them.
func TestAgentsURLBinding(t *testing.T) {
	agent := startAgent(t, "configured")
	srv := testserver.Start(t, func(c *server.Config) {
		c.Agents = []dataplane.AgentBinding{{Image: agentImage, URL: agent.URL}}
	})
	ctl, c := srv.Client(t), srv.DataClient(t)
	rt := boundRuntime(t, ctl, "url_bound", agentImage, nil, 0, 0)
	if a := mustInvoke(t, c, rt.AgentRuntimeArn, sessionA, map[string]string{"prompt": "hi"}); a.Agent != "configured" || a.Echo != "hi" {
		t.Errorf("answer %+v", a)
	}
	sessions := liveSessions(t, srv.URL)
	if len(sessions) != 1 || sessions[0].Session != sessionA || sessions[0].URL != agent.URL || sessions[0].PID != 0 ||
		sessions[0].RuntimeARN != aws.ToString(rt.AgentRuntimeArn) || sessions[0].Version != "1" {
		t.Errorf("sessions %+v", sessions)
	}
	if got := adminOK(t, "GET", srv.URL+"/_agentcored/agents", ""); !strings.Contains(got, `"image":"`+agentImage+`"`) || !strings.Contains(got, `"url":"`+agent.URL+`"`) {
		t.Errorf("GET agents: %s", got)
	}
	// A StopRuntimeSession of a url session forgets it.
	if _, err := c.StopRuntimeSession(context.Background(), &dp.StopRuntimeSessionInput{AgentRuntimeArn: rt.AgentRuntimeArn,
		RuntimeSessionId: aws.String(sessionA)}); err != nil {
		t.Fatalf("StopRuntimeSession: %v", err)
	}
	if n := len(liveSessions(t, srv.URL)); n != 0 {
		t.Errorf("%d sessions after the stop", n)
	}

	// Invalid lists are refused and change nothing.
	for _, body := range []string{`{"agents":[{"image":"x"}]}`, `{"agents":[{"image":"x","url":"http://h:1","command":["a"]}]}`,
		`{"agents":[{"url":"http://h:1"}]}`, `{"agents":[{"image":"x","url":"http://h:1","colour":"red"}]}`, `[]`, `{}`} {
		adminStatus(t, "PUT", srv.URL+"/_agentcored/agents", body, 400)
	}
	mustInvoke(t, c, rt.AgentRuntimeArn, sessionB, map[string]string{"prompt": "still bound"})
	// Replacing the list unbinds the image: the call says both ways to bind.
	adminOK(t, "PUT", srv.URL+"/_agentcored/agents", `{"agents":[{"image":"other:1","url":"http://127.0.0.1:1"}]}`)
	_, err := invokeAgent(c, rt.AgentRuntimeArn, sessionC, map[string]string{"prompt": "x"})
	want424(t, "unbound image", err, "agents: entry")
	want424(t, "unbound image", err, "AGENTCORED_AGENT_URL=http://host:port")
}

// TestAgentsCommandGo: the Go example agent, started per session.
func TestAgentsCommandGo(t *testing.T) {
	bin := buildGoAgent(t)
	srv := testserver.Start(t, func(c *server.Config) {
		c.Agents = []dataplane.AgentBinding{{Image: agentImage, Command: []string{bin}, Env: map[string]string{"FROM_BINDING": "b"}}}
	})
	ctl, c := srv.Client(t), srv.DataClient(t)
	ctx := context.Background()
	rt := boundRuntime(t, ctl, "command_go", agentImage, map[string]string{"FROM_RUNTIME": "r"}, 0, 0)
	arn := rt.AgentRuntimeArn
	envs := map[string]any{"prompt": "one", "env": []string{"FROM_RUNTIME", "FROM_BINDING", "PORT", "AGENTCORED_AGENT_PORT"}}

	// Env vars reach it; two calls in a session hit the same process.
	a1 := mustInvoke(t, c, arn, sessionA, envs)
	if a1.Env["FROM_RUNTIME"] != "r" || a1.Env["FROM_BINDING"] != "b" || a1.Env["PORT"] == "" || a1.Env["PORT"] != a1.Env["AGENTCORED_AGENT_PORT"] {
		t.Errorf("env %v", a1.Env)
	}
	if a1.Session != sessionA || a1.PID == 0 || a1.Calls != 1 {
		t.Errorf("first answer %+v", a1)
	}
	a2 := mustInvoke(t, c, arn, sessionA, map[string]string{"prompt": "two"})
	if a2.PID != a1.PID || a2.Calls != 2 {
		t.Errorf("second call in the session: pid %d calls %d, want pid %d calls 2", a2.PID, a2.Calls, a1.PID)
	}
	// Another session gets another process.
	b := mustInvoke(t, c, arn, sessionB, map[string]string{"prompt": "b"})
	if b.PID == a1.PID || b.Calls != 1 {
		t.Errorf("session B: pid %d calls %d (session A pid %d)", b.PID, b.Calls, a1.PID)
	}
	if pid, ok := sessionPID(t, srv.URL, sessionA); !ok || pid != a1.PID {
		t.Errorf("admin sessions: session A pid %d %v, want %d", pid, ok, a1.PID)
	}

	// A crash is a clean 424 with the agent's output; the next call
	// restarts it.
	c1 := mustInvoke(t, c, arn, sessionC, map[string]string{"prompt": "c"})
	_, err := invokeAgent(c, arn, sessionC, map[string]bool{"crash": true})
	want424(t, "crashing agent", err, "crashing on request")
	c2 := mustInvoke(t, c, arn, sessionC, map[string]string{"prompt": "after the crash"})
	if c2.PID == c1.PID || c2.Calls != 1 {
		t.Errorf("after the crash: pid %d calls %d, the crashed one was %d", c2.PID, c2.Calls, c1.PID)
	}

	// A streamed answer arrives in pieces: the first event is read while
	// the agent holds back the second.
	release := filepath.Join(t.TempDir(), "release")
	out, err := c.InvokeAgentRuntime(ctx, &dp.InvokeAgentRuntimeInput{AgentRuntimeArn: arn, RuntimeSessionId: aws.String(sessionE),
		Payload: []byte(`{"stream":true,"waitFor":"` + release + `"}`)})
	if err != nil {
		t.Fatalf("streamed invoke: %v", err)
	}
	r := bufio.NewReader(out.Response)
	first, err := r.ReadString('\n')
	if err != nil || !strings.HasPrefix(first, `data: {"part":1`) {
		t.Fatalf("first event %q %v", first, err)
	}
	os.WriteFile(release, nil, 0o600)
	rest, err := io.ReadAll(r)
	out.Response.Close()
	if err != nil || !strings.Contains(string(rest), `"part":2,"timedOut":false`) || !strings.Contains(string(rest), `"part":3`) {
		t.Errorf("rest of the stream: %q %v", rest, err)
	}

	// StopRuntimeSession ends a session at once: it cuts the streamed
	// answer in flight and kills the process.
	out, err = c.InvokeAgentRuntime(ctx, &dp.InvokeAgentRuntimeInput{AgentRuntimeArn: arn, RuntimeSessionId: aws.String(sessionD),
		Payload: []byte(`{"stream":true,"waitFor":"` + filepath.Join(t.TempDir(), "never") + `"}`)})
	if err != nil {
		t.Fatalf("streamed invoke: %v", err)
	}
	r = bufio.NewReader(out.Response)
	if first, err := r.ReadString('\n'); err != nil || !strings.HasPrefix(first, `data: {"part":1`) {
		t.Fatalf("first event %q %v", first, err)
	}
	dPID, _ := sessionPID(t, srv.URL, sessionD)
	stop, err := c.StopRuntimeSession(ctx, &dp.StopRuntimeSessionInput{AgentRuntimeArn: arn, RuntimeSessionId: aws.String(sessionD)})
	if err != nil || aws.ToString(stop.RuntimeSessionId) != sessionD || aws.ToInt32(stop.StatusCode) != 200 {
		t.Fatalf("StopRuntimeSession: %+v %v", stop, err)
	}
	rest, _ = io.ReadAll(r)
	out.Response.Close()
	if strings.Contains(string(rest), `"part":2`) {
		t.Errorf("the stopped session's answer went on: %q", rest)
	}
	if dPID == 0 || processAlive(dPID) {
		t.Errorf("the stopped session's process %d is alive", dPID)
	}
	if _, ok := sessionPID(t, srv.URL, sessionD); ok {
		t.Errorf("the stopped session is still listed")
	}
	_, err = c.StopRuntimeSession(ctx, &dp.StopRuntimeSessionInput{AgentRuntimeArn: arn, RuntimeSessionId: aws.String(sessionD)})
	wantCode(t, "stopping a stopped session", err, "ResourceNotFoundException")
	_, err = c.StopRuntimeSession(ctx, &dp.StopRuntimeSessionInput{AgentRuntimeArn: arn, RuntimeSessionId: aws.String("session-never-started-xxxxxxxxxxxxxxxxxx")})
	wantCode(t, "stopping an unknown session", err, "ResourceNotFoundException")

	// Server Close stops every agent process.
	pids := []int{}
	for _, s := range liveSessions(t, srv.URL) {
		pids = append(pids, s.PID)
	}
	if len(pids) != 4 { // A, B, C, E
		t.Errorf("live sessions %v, want 4", pids)
	}
	srv.Stop()
	for _, pid := range pids {
		if processAlive(pid) {
			t.Errorf("agent process %d survived the server's Close", pid)
		}
	}
}

// TestAgentsIdleTimeout: with the time scale 0.01 an idle timeout of 60 s
// passes in 0.6 s; the reaped session's process ends and the next call
// starts a new one.
func TestAgentsIdleTimeout(t *testing.T) {
	bin := buildGoAgent(t)
	srv := testserver.Start(t, func(c *server.Config) {
		c.Agents = []dataplane.AgentBinding{{Image: agentImage, Command: []string{bin}}}
		c.AgentSessionTimeScale = 0.01
	})
	c := srv.DataClient(t)
	rt := boundRuntime(t, srv.Client(t), "idle_go", agentImage, nil, 60, 28800)
	first := mustInvoke(t, c, rt.AgentRuntimeArn, sessionA, map[string]string{"prompt": "x"})
	eventually(t, "the idle session is reaped", func() (bool, error) {
		_, live := sessionPID(t, srv.URL, sessionA)
		return !live && !processAlive(first.PID), nil
	})
	again := mustInvoke(t, c, rt.AgentRuntimeArn, sessionA, map[string]string{"prompt": "x"})
	if again.PID == first.PID || again.Calls != 1 {
		t.Errorf("after the reap: pid %d calls %d, first pid %d", again.PID, again.Calls, first.PID)
	}
	// maxLifetime ends a session in use as well (60 s scaled: 0.6 s).
	rt2 := boundRuntime(t, srv.Client(t), "max_go", agentImage, nil, 60, 60)
	one := mustInvoke(t, c, rt2.AgentRuntimeArn, sessionB, map[string]string{"prompt": "x"})
	eventually(t, "the session past its maximum lifetime is reaped", func() (bool, error) {
		_, err := invokeAgent(c, rt2.AgentRuntimeArn, sessionB, map[string]string{"prompt": "x"})
		if err != nil && strings.Contains(err.Error(), "was stopped during the call") {
			// The lifetime ended during this very call (a slow machine):
			// what is being tested; the next call gets a new session.
			return false, nil
		}
		return err == nil && !processAlive(one.PID), err
	})
}

// TestAgentsCommandPython: the Python example agent, started with python3
// on demand, called from the Go SDK and from boto3 in one session.
func TestAgentsCommandPython(t *testing.T) {
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 not installed")
	}
	dir, _ := filepath.Abs("../../examples/agents/python")
	srv := testserver.Start(t, func(c *server.Config) {
		c.Agents = []dataplane.AgentBinding{{Image: agentImage, Command: []string{py, "agent.py"}, Dir: dir}}
	})
	c := srv.DataClient(t)
	rt := boundRuntime(t, srv.Client(t), "command_py", agentImage, map[string]string{"GREETING": "hello"}, 0, 0)
	a := mustInvoke(t, c, rt.AgentRuntimeArn, sessionA, map[string]any{"prompt": "go sdk", "env": []string{"GREETING"}})
	if a.Echo != "go sdk" || a.Env["GREETING"] != "hello" || a.PID == 0 {
		t.Errorf("python agent answered %+v", a)
	}
	// Streamed in pieces through chunked encoding.
	release := filepath.Join(t.TempDir(), "release")
	out, err := c.InvokeAgentRuntime(context.Background(), &dp.InvokeAgentRuntimeInput{AgentRuntimeArn: rt.AgentRuntimeArn,
		RuntimeSessionId: aws.String(sessionA), Payload: []byte(`{"stream":true,"waitFor":"` + release + `"}`)})
	if err != nil {
		t.Fatalf("streamed invoke: %v", err)
	}
	r := bufio.NewReader(out.Response)
	if first, err := r.ReadString('\n'); err != nil || !strings.HasPrefix(first, `data: {"part":1`) {
		t.Fatalf("first event %q %v", first, err)
	}
	os.WriteFile(release, nil, 0o600)
	rest, err := io.ReadAll(r)
	out.Response.Close()
	if err != nil || !strings.Contains(string(rest), `"part":2,"timedOut":false`) {
		t.Errorf("rest: %q %v", rest, err)
	}

	// boto3, same session: the same process answers.
	boto := admPython(t, "boto3")
	script := `import boto3, botocore.config, json, sys
c = boto3.client("bedrock-agentcore", region_name="us-east-1", aws_access_key_id="AKIAIOSFODNN7EXAMPLE",
    aws_secret_access_key="wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", config=botocore.config.Config(retries={"max_attempts": 1}))
r = c.invoke_agent_runtime(agentRuntimeArn=sys.argv[1], payload=b'{"prompt": "from boto3"}', runtimeSessionId=sys.argv[2])
a = json.loads(r["response"].read())
print(r["contentType"], r["runtimeSessionId"], a["echo"], a["pid"], a["calls"])
`
	cmd := exec.Command(boto, "-c", script, aws.ToString(rt.AgentRuntimeArn), sessionA)
	cmd.Env = append(cleanAWSEnv(), "AWS_ENDPOINT_URL_BEDROCK_AGENTCORE="+srv.URL)
	got, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("boto3: %v\n%s", err, got)
	}
	fields := strings.Fields(string(got))
	if len(fields) != 6 || fields[0] != "application/json" || fields[1] != sessionA || fields[2]+" "+fields[3] != "from boto3" ||
		fields[5] != "3" {
		t.Errorf("boto3 printed %q", got)
	}
	if len(fields) == 6 && fields[4] != itoa(a.PID) {
		t.Errorf("boto3's call reached pid %s, the session's agent is %d", fields[4], a.PID)
	}
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// TestAgentsContainerRefused: run: container says clearly when neither
// podman nor docker is installed, and when the sandbox refuses to run the
// container.
func TestAgentsContainerRefused(t *testing.T) {
	srv := testserver.Start(t, func(c *server.Config) {
		c.Agents = []dataplane.AgentBinding{{Image: agentImage, Run: dataplane.RunContainer}}
	})
	c := srv.DataClient(t)
	rt := boundRuntime(t, srv.Client(t), "container_agent", agentImage, nil, 0, 0)

	t.Setenv("PATH", t.TempDir()) // neither tool
	_, err := invokeAgent(c, rt.AgentRuntimeArn, sessionA, map[string]string{"prompt": "x"})
	want424(t, "no container tool", err, "neither is installed")

	// A podman that fails as crun does in a sandbox without setrlimit.
	tools := t.TempDir()
	fake := "#!/bin/sh\necho 'Error: crun: setrlimit `RLIMIT_NPROC`: Operation not permitted: OCI permission denied' >&2\nexit 126\n"
	if err := os.WriteFile(filepath.Join(tools, "podman"), []byte(fake), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", tools)
	_, err = invokeAgent(c, rt.AgentRuntimeArn, sessionA, map[string]string{"prompt": "x"})
	want424(t, "sandbox refusal", err, "sandbox refused to run containers")
	want424(t, "sandbox refusal", err, "setrlimit")
	if n := len(liveSessions(t, srv.URL)); n != 0 {
		t.Errorf("%d sessions left by failed starts", n)
	}
}

// TestAgentsCommandExitsBeforePing: an agent that exits before answering
// /ping is a 424 with the tail of its output; nothing is left behind.
func TestAgentsCommandExitsBeforePing(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh")
	}
	srv := testserver.Start(t, func(c *server.Config) {
		c.Agents = []dataplane.AgentBinding{
			{Image: agentImage, Command: []string{sh, "-c", "echo 'agent: missing API key' >&2; exit 2"}},
			{Image: rtImage2, Command: []string{"/nonexistent/agent-binary"}},
		}
	})
	c := srv.DataClient(t)
	rt := boundRuntime(t, srv.Client(t), "exits_early", agentImage, nil, 0, 0)
	_, err = invokeAgent(c, rt.AgentRuntimeArn, sessionA, map[string]string{"prompt": "x"})
	want424(t, "agent exiting before /ping", err, "agent: missing API key")
	rt2 := boundRuntime(t, srv.Client(t), "no_binary", rtImage2, nil, 0, 0)
	_, err = invokeAgent(c, rt2.AgentRuntimeArn, sessionA, map[string]string{"prompt": "x"})
	want424(t, "missing program", err, "could not start")
	if n := len(liveSessions(t, srv.URL)); n != 0 {
		t.Errorf("%d sessions left by failed starts", n)
	}
}
