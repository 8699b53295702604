package e2e

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	dp "github.com/aws/aws-sdk-go-v2/service/bedrockagentcore"
	dptypes "github.com/aws/aws-sdk-go-v2/service/bedrockagentcore/types"
	acc "github.com/aws/aws-sdk-go-v2/service/bedrockagentcorecontrol"
	acctypes "github.com/aws/aws-sdk-go-v2/service/bedrockagentcorecontrol/types"
	"github.com/aws/smithy-go"

	"agentcored/internal/auth"
	"agentcored/internal/server"
	"agentcored/internal/testserver"
)

// Code interpreter sessions run real code on this machine: python in a
// persistent interpreter per session, javascript with node, shell commands,
// file tools, background tasks; SANDBOX sessions have no network. The
// answers are read through the Go SDK's event-stream reader.

const builtinCI = "aws.codeinterpreter.v1"

func needPython(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("python3 not installed")
	}
}

// ciClient is a data-plane client whose http.Client has no Timeout: with
// one (testserver's clients set 30 s), the Go SDK v1.59.0 sometimes fails
// InvokeCodeInterpreter's stream with "use of closed network connection"
// (this operation's reader reads the body after the call has returned).
func ciClient(t *testing.T, srv *testserver.Server) *dp.Client {
	return dp.New(dp.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL),
		Credentials: credentials.NewStaticCredentialsProvider(auth.DefaultAccessKeyID, auth.DefaultSecretAccessKey, ""),
		Retryer:     aws.NopRetryer{}, HTTPClient: &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}})
}

func startCI(t *testing.T, c *dp.Client, interp string, timeout int32) string {
	t.Helper()
	in := &dp.StartCodeInterpreterSessionInput{CodeInterpreterIdentifier: aws.String(interp), Name: aws.String("test")}
	if timeout > 0 {
		in.SessionTimeoutSeconds = aws.Int32(timeout)
	}
	out, err := c.StartCodeInterpreterSession(context.Background(), in)
	if err != nil {
		t.Fatalf("StartCodeInterpreterSession: %v", err)
	}
	return aws.ToString(out.SessionId)
}

// invokeCI calls one tool and reads its one result event.
func invokeCI(t *testing.T, c *dp.Client, interp, session string, name dptypes.ToolName, args *dptypes.ToolArguments) dptypes.CodeInterpreterResult {
	t.Helper()
	res, err := tryInvokeCI(c, interp, session, name, args)
	if err != nil {
		t.Fatalf("InvokeCodeInterpreter %s: %v", name, err)
	}
	return res
}

func tryInvokeCI(c *dp.Client, interp, session string, name dptypes.ToolName, args *dptypes.ToolArguments) (dptypes.CodeInterpreterResult, error) {
	out, err := c.InvokeCodeInterpreter(context.Background(), &dp.InvokeCodeInterpreterInput{
		CodeInterpreterIdentifier: aws.String(interp), SessionId: aws.String(session), Name: name, Arguments: args})
	if err != nil {
		return dptypes.CodeInterpreterResult{}, err
	}
	stream := out.GetStream()
	defer stream.Close()
	var results []dptypes.CodeInterpreterResult
	for ev := range stream.Events() {
		r, ok := ev.(*dptypes.CodeInterpreterStreamOutputMemberResult)
		if !ok {
			return dptypes.CodeInterpreterResult{}, fmt.Errorf("unexpected event %T", ev)
		}
		results = append(results, r.Value)
	}
	if err := stream.Err(); err != nil {
		return dptypes.CodeInterpreterResult{}, err
	}
	if len(results) != 1 {
		return dptypes.CodeInterpreterResult{}, fmt.Errorf("%d result events, want 1", len(results))
	}
	return results[0], nil
}

func runPy(t *testing.T, c *dp.Client, interp, session, code string) dptypes.CodeInterpreterResult {
	t.Helper()
	return invokeCI(t, c, interp, session, dptypes.ToolNameExecuteCode,
		&dptypes.ToolArguments{Language: dptypes.ProgrammingLanguagePython, Code: aws.String(code)})
}

func stdoutOf(r dptypes.CodeInterpreterResult) string {
	if r.StructuredContent == nil {
		return ""
	}
	return aws.ToString(r.StructuredContent.Stdout)
}

func stderrOf(r dptypes.CodeInterpreterResult) string {
	if r.StructuredContent == nil {
		return ""
	}
	return aws.ToString(r.StructuredContent.Stderr)
}

// processGone: no such process, or only its zombie (PID 1 of a container
// may not reap orphans).
func processGone(pid int) bool {
	if syscall.Kill(pid, 0) == syscall.ESRCH {
		return true
	}
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return true
	}
	fields := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
	return len(fields) > 0 && fields[0] == "Z"
}

func waitGone(t *testing.T, pids ...int) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for _, pid := range pids {
		for !processGone(pid) {
			if time.Now().After(deadline) {
				t.Fatalf("process %d still running", pid)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
}

// spawnPids runs python that starts a background sleep and answers the
// interpreter's pid and the child's.
func spawnPids(t *testing.T, c *dp.Client, interp, session string) []int {
	t.Helper()
	r := runPy(t, c, interp, session, "import os, subprocess\nchild = subprocess.Popen(['sleep', '1000'])\nprint(os.getpid(), child.pid)")
	var a, b int
	if _, err := fmt.Sscan(stdoutOf(r), &a, &b); err != nil {
		t.Fatalf("pids from %q: %v", stdoutOf(r), err)
	}
	for _, pid := range []int{a, b} {
		if processGone(pid) {
			t.Fatalf("process %d should be running", pid)
		}
	}
	return []int{a, b}
}

func TestCodeInterpreterSessionTools(t *testing.T) {
	needPython(t)
	srv := testserver.Start(t)
	c := ciClient(t, srv)
	ctx := context.Background()
	s := startCI(t, c, builtinCI, 0)

	got, err := c.GetCodeInterpreterSession(ctx, &dp.GetCodeInterpreterSessionInput{CodeInterpreterIdentifier: aws.String(builtinCI), SessionId: aws.String(s)})
	if err != nil || got.Status != dptypes.CodeInterpreterSessionStatusReady || aws.ToInt32(got.SessionTimeoutSeconds) != 900 || aws.ToString(got.Name) != "test" {
		t.Fatalf("GetCodeInterpreterSession: %+v %v", got, err)
	}

	// stdout, and state kept between calls.
	if r := runPy(t, c, builtinCI, s, "x = 40\nprint('hello')"); stdoutOf(r) != "hello\n" || aws.ToBool(r.IsError) ||
		aws.ToInt32(r.StructuredContent.ExitCode) != 0 || len(r.Content) == 0 || aws.ToString(r.Content[0].Text) != "hello\n" {
		t.Fatalf("print: %+v", r)
	}
	if r := runPy(t, c, builtinCI, s, "x + 2"); stdoutOf(r) != "42\n" {
		t.Fatalf("variable kept: stdout %q stderr %q", stdoutOf(r), stderrOf(r))
	}
	if r := runPy(t, c, builtinCI, s, "1/0"); !aws.ToBool(r.IsError) || !strings.Contains(stderrOf(r), "ZeroDivisionError") ||
		aws.ToInt32(r.StructuredContent.ExitCode) != 1 || strings.Contains(stderrOf(r), "driver") {
		t.Fatalf("exception: %+v / %q", r, stderrOf(r))
	}
	if r := invokeCI(t, c, builtinCI, s, dptypes.ToolNameExecuteCode, &dptypes.ToolArguments{Code: aws.String("print(x)"), ClearContext: aws.Bool(true)}); !strings.Contains(stderrOf(r), "NameError") {
		t.Fatalf("clearContext: %q", stderrOf(r))
	}

	// A file written in one call is read in the next (both ways).
	invokeCI(t, c, builtinCI, s, dptypes.ToolNameWriteFiles, &dptypes.ToolArguments{Content: []dptypes.InputContentBlock{
		{Path: aws.String("data/in.txt"), Text: aws.String("from writeFiles")}}})
	if r := runPy(t, c, builtinCI, s, "print(open('data/in.txt').read())\n_ = open('out.txt', 'w').write('from python')"); stdoutOf(r) != "from writeFiles\n" {
		t.Fatalf("python reads a written file: %q %q", stdoutOf(r), stderrOf(r))
	}
	r := invokeCI(t, c, builtinCI, s, dptypes.ToolNameReadFiles, &dptypes.ToolArguments{Paths: []string{"out.txt"}})
	if len(r.Content) != 1 || r.Content[0].Resource == nil || aws.ToString(r.Content[0].Resource.Text) != "from python" {
		t.Fatalf("readFiles: %+v", r.Content)
	}
	r = invokeCI(t, c, builtinCI, s, dptypes.ToolNameListFiles, &dptypes.ToolArguments{DirectoryPath: aws.String(".")})
	var names []string
	for _, b := range r.Content {
		names = append(names, aws.ToString(b.Name)+":"+aws.ToString(b.Description))
	}
	if strings.Join(names, ",") != "data:Directory,out.txt:File" {
		t.Fatalf("listFiles: %v", names)
	}
	invokeCI(t, c, builtinCI, s, dptypes.ToolNameRemoveFiles, &dptypes.ToolArguments{Paths: []string{"out.txt"}})
	if r := invokeCI(t, c, builtinCI, s, dptypes.ToolNameReadFiles, &dptypes.ToolArguments{Paths: []string{"out.txt"}}); !aws.ToBool(r.IsError) {
		t.Fatalf("read after remove: %+v", r)
	}
	if r := invokeCI(t, c, builtinCI, s, dptypes.ToolNameReadFiles, &dptypes.ToolArguments{Paths: []string{"../../etc/passwd"}}); !aws.ToBool(r.IsError) {
		t.Fatalf("path outside the session: %+v", r)
	}

	// Shell commands and javascript.
	if r := invokeCI(t, c, builtinCI, s, dptypes.ToolNameExecuteCommand, &dptypes.ToolArguments{Command: aws.String("cat data/in.txt; echo oops >&2; exit 3")}); stdoutOf(r) != "from writeFiles" ||
		stderrOf(r) != "oops\n" || aws.ToInt32(r.StructuredContent.ExitCode) != 3 || !aws.ToBool(r.IsError) {
		t.Fatalf("executeCommand: %+v", r.StructuredContent)
	}
	if _, err := exec.LookPath("node"); err == nil {
		if r := invokeCI(t, c, builtinCI, s, dptypes.ToolNameExecuteCode, &dptypes.ToolArguments{Language: dptypes.ProgrammingLanguageJavascript,
			Code: aws.String("console.log(require('fs').readFileSync('data/in.txt', 'utf8').length + 1)")}); stdoutOf(r) != "16\n" {
			t.Fatalf("javascript: %q %q", stdoutOf(r), stderrOf(r))
		}
	}

	// Background tasks.
	r = invokeCI(t, c, builtinCI, s, dptypes.ToolNameStartCommandExecution, &dptypes.ToolArguments{Command: aws.String("echo started; sleep 1000")})
	task := aws.ToString(r.StructuredContent.TaskId)
	if task == "" || r.StructuredContent.TaskStatus != dptypes.TaskStatusWorking {
		t.Fatalf("startCommandExecution: %+v", r.StructuredContent)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		r = invokeCI(t, c, builtinCI, s, dptypes.ToolNameGetTask, &dptypes.ToolArguments{TaskId: aws.String(task)})
		if stdoutOf(r) == "started\n" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("getTask: %+v", r.StructuredContent)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if r = invokeCI(t, c, builtinCI, s, dptypes.ToolNameStopTask, &dptypes.ToolArguments{TaskId: aws.String(task)}); r.StructuredContent.TaskStatus != dptypes.TaskStatusCanceled {
		t.Fatalf("stopTask: %+v", r.StructuredContent)
	}
	r = invokeCI(t, c, builtinCI, s, dptypes.ToolNameStartCommandExecution, &dptypes.ToolArguments{Command: aws.String("exit 4")})
	task = aws.ToString(r.StructuredContent.TaskId)
	for {
		r = invokeCI(t, c, builtinCI, s, dptypes.ToolNameGetTask, &dptypes.ToolArguments{TaskId: aws.String(task)})
		if r.StructuredContent.TaskStatus == dptypes.TaskStatusFailed && aws.ToInt32(r.StructuredContent.ExitCode) == 4 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("getTask of a failing task: %+v", r.StructuredContent)
		}
		time.Sleep(50 * time.Millisecond)
	}

	// Input errors are 400s naming the field.
	_, err = tryInvokeCI(c, builtinCI, s, dptypes.ToolNameExecuteCode, &dptypes.ToolArguments{})
	if !isAPIError(err, "ValidationException", "arguments.code") {
		t.Fatalf("executeCode without code: %v", err)
	}

	// Stop: TERMINATED, no process left, further calls refused.
	pids := spawnPids(t, c, builtinCI, s)
	if _, err := c.StopCodeInterpreterSession(ctx, &dp.StopCodeInterpreterSessionInput{CodeInterpreterIdentifier: aws.String(builtinCI), SessionId: aws.String(s)}); err != nil {
		t.Fatal(err)
	}
	waitGone(t, pids...)
	got, err = c.GetCodeInterpreterSession(ctx, &dp.GetCodeInterpreterSessionInput{CodeInterpreterIdentifier: aws.String(builtinCI), SessionId: aws.String(s)})
	if err != nil || got.Status != dptypes.CodeInterpreterSessionStatusTerminated {
		t.Fatalf("after stop: %+v %v", got, err)
	}
	if _, err := tryInvokeCI(c, builtinCI, s, dptypes.ToolNameExecuteCode, &dptypes.ToolArguments{Code: aws.String("1")}); !isAPIError(err, "ResourceNotFoundException", "TERMINATED") {
		t.Fatalf("invoke after stop: %v", err)
	}
}

func isAPIError(err error, code, text string) bool {
	var ae smithy.APIError
	return errors.As(err, &ae) && ae.ErrorCode() == code && strings.Contains(ae.ErrorMessage(), text)
}

func TestCodeInterpreterSessionsListAndErrors(t *testing.T) {
	srv := testserver.Start(t)
	c := ciClient(t, srv)
	ctx := context.Background()
	var ids []string
	for range 3 {
		ids = append(ids, startCI(t, c, builtinCI, 0))
	}
	if _, err := c.StopCodeInterpreterSession(ctx, &dp.StopCodeInterpreterSessionInput{CodeInterpreterIdentifier: aws.String(builtinCI), SessionId: aws.String(ids[1])}); err != nil {
		t.Fatal(err)
	}
	var all []string
	var token *string
	for {
		page, err := c.ListCodeInterpreterSessions(ctx, &dp.ListCodeInterpreterSessionsInput{CodeInterpreterIdentifier: aws.String(builtinCI), MaxResults: aws.Int32(2), NextToken: token})
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range page.Items {
			all = append(all, aws.ToString(it.SessionId)+"="+string(it.Status))
		}
		if token = page.NextToken; token == nil {
			break
		}
	}
	want := ids[0] + "=READY," + ids[1] + "=TERMINATED," + ids[2] + "=READY"
	if strings.Join(all, ",") != want {
		t.Fatalf("list: %v, want %s", all, want)
	}
	ready, err := c.ListCodeInterpreterSessions(ctx, &dp.ListCodeInterpreterSessionsInput{CodeInterpreterIdentifier: aws.String(builtinCI), Status: dptypes.CodeInterpreterSessionStatusTerminated})
	if err != nil || len(ready.Items) != 1 || aws.ToString(ready.Items[0].SessionId) != ids[1] {
		t.Fatalf("list TERMINATED: %+v %v", ready, err)
	}
	_, err = c.GetCodeInterpreterSession(ctx, &dp.GetCodeInterpreterSessionInput{CodeInterpreterIdentifier: aws.String(builtinCI), SessionId: aws.String("nosuchsession")})
	if !isAPIError(err, "ResourceNotFoundException", "nosuchsession") {
		t.Fatalf("unknown session: %v", err)
	}
	_, err = c.StartCodeInterpreterSession(ctx, &dp.StartCodeInterpreterSessionInput{CodeInterpreterIdentifier: aws.String("nosuch-interp")})
	if !isAPIError(err, "ResourceNotFoundException", "nosuch-interp") {
		t.Fatalf("unknown interpreter: %v", err)
	}
	_, err = c.StartCodeInterpreterSession(ctx, &dp.StartCodeInterpreterSessionInput{CodeInterpreterIdentifier: aws.String(builtinCI), SessionTimeoutSeconds: aws.Int32(28801)})
	if !isAPIError(err, "ValidationException", "sessionTimeoutSeconds") {
		t.Fatalf("timeout too long: %v", err)
	}
}

// Code that loops forever is stopped at its CPU limit; the session (and
// its variables) survive.
func TestCodeInterpreterCPULimit(t *testing.T) {
	needPython(t)
	srv := testserver.Start(t, func(cfg *server.Config) { cfg.CodeInterpreterLimits.CPUSeconds = 2 })
	c := ciClient(t, srv)
	s := startCI(t, c, builtinCI, 0)
	runPy(t, c, builtinCI, s, "kept = 7")
	r := runPy(t, c, builtinCI, s, "while True:\n    pass")
	if !aws.ToBool(r.IsError) || !strings.Contains(stderrOf(r), "CPU time limit exceeded") {
		t.Fatalf("infinite loop: %+v %q", r, stderrOf(r))
	}
	if r := runPy(t, c, builtinCI, s, "kept"); stdoutOf(r) != "7\n" {
		t.Fatalf("after the limit: %q %q", stdoutOf(r), stderrOf(r))
	}
	r = invokeCI(t, c, builtinCI, s, dptypes.ToolNameExecuteCommand, &dptypes.ToolArguments{Command: aws.String("while :; do :; done")})
	if !aws.ToBool(r.IsError) || !strings.Contains(stderrOf(r), "CPU time limit exceeded") {
		t.Fatalf("shell loop: %+v %q", r.StructuredContent, stderrOf(r))
	}
}

// A SANDBOX interpreter's code cannot reach a listener on 127.0.0.1; a
// PUBLIC one's can.
func TestCodeInterpreterSandboxNetwork(t *testing.T) {
	needPython(t)
	if err := exec.Command("unshare", "-n", "--", "true").Run(); err != nil {
		t.Skipf("this host refuses network namespaces: %v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			conn.Write([]byte("hi"))
			conn.Close()
		}
	}()
	port := ln.Addr().(*net.TCPAddr).Port
	code := fmt.Sprintf("import socket\ntry:\n    s = socket.create_connection(('127.0.0.1', %d), timeout=5)\n    print('connected', s.recv(2).decode())\nexcept OSError as e:\n    print('refused', e)", port)

	srv := testserver.Start(t)
	c := ciClient(t, srv)
	if out := stdoutOf(runPy(t, c, builtinCI, startCI(t, c, builtinCI, 0), code)); !strings.HasPrefix(out, "refused") {
		t.Fatalf("SANDBOX (built-in): %q", out)
	}
	ctl := srv.Client(t)
	created, err := ctl.CreateCodeInterpreter(context.Background(), &acc.CreateCodeInterpreterInput{Name: aws.String("public_ci"),
		NetworkConfiguration: &acctypes.CodeInterpreterNetworkConfiguration{NetworkMode: acctypes.CodeInterpreterNetworkModePublic}})
	if err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(created.CodeInterpreterId)
	waitInterpreterReady(t, ctl, id)
	if out := stdoutOf(runPy(t, c, id, startCI(t, c, id, 0), code)); out != "connected hi\n" {
		t.Fatalf("PUBLIC: %q", out)
	}
	sandboxed, err := ctl.CreateCodeInterpreter(context.Background(), &acc.CreateCodeInterpreterInput{Name: aws.String("sandbox_ci"),
		NetworkConfiguration: &acctypes.CodeInterpreterNetworkConfiguration{NetworkMode: acctypes.CodeInterpreterNetworkModeSandbox}})
	if err != nil {
		t.Fatal(err)
	}
	id = aws.ToString(sandboxed.CodeInterpreterId)
	waitInterpreterReady(t, ctl, id)
	if out := invokeCI(t, c, id, startCI(t, c, id, 0), dptypes.ToolNameExecuteCommand,
		&dptypes.ToolArguments{Command: aws.String(fmt.Sprintf("python3 -c \"%s\"", strings.ReplaceAll(code, "\n", "\\n")))}); !strings.Contains(stdoutOf(out)+stderrOf(out), "rror") && !strings.HasPrefix(stdoutOf(out), "refused") {
		t.Fatalf("SANDBOX (custom, shell): %+v", out.StructuredContent)
	}
}

func waitInterpreterReady(t *testing.T, ctl *acc.Client, id string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		got, err := ctl.GetCodeInterpreter(context.Background(), &acc.GetCodeInterpreterInput{CodeInterpreterId: aws.String(id)})
		if err == nil && got.Status == acctypes.CodeInterpreterStatusReady {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("code interpreter %s not READY: %+v %v", id, got, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// The session timeout ends a session and its processes; so does the
// server's shutdown.
func TestCodeInterpreterSessionTimeoutAndClose(t *testing.T) {
	needPython(t)
	srv := testserver.Start(t)
	c := ciClient(t, srv)
	ctx := context.Background()
	s := startCI(t, c, builtinCI, 3)
	pids := spawnPids(t, c, builtinCI, s)
	waitGone(t, pids...)
	got, err := c.GetCodeInterpreterSession(ctx, &dp.GetCodeInterpreterSessionInput{CodeInterpreterIdentifier: aws.String(builtinCI), SessionId: aws.String(s)})
	if err != nil || got.Status != dptypes.CodeInterpreterSessionStatusTerminated {
		t.Fatalf("after the timeout: %+v %v", got, err)
	}

	s2 := startCI(t, c, builtinCI, 0)
	pids = spawnPids(t, c, builtinCI, s2)
	srv.Stop()
	waitGone(t, pids...)
}
