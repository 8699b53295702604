package e2e

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	dp "github.com/aws/aws-sdk-go-v2/service/bedrockagentcore"
	dptypes "github.com/aws/aws-sdk-go-v2/service/bedrockagentcore/types"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"agentcored/internal/testserver"
)

// InvokeAgentRuntimeCommand runs a shell command for a runtime session and
// streams its output back as an AWS event stream, read here through the
// Go SDK's own event-stream reader.

// commandRun is what one command's event stream said.
type commandRun struct {
	stdout, stderr string
	deltas         []string // each delta's text, in arrival order
	exit           int32
	status         dptypes.CommandExecutionStatus
	kinds          []string
}

// runRemote calls InvokeAgentRuntimeCommand and reads its stream to the
// end; onDelta (if set) sees each delta as it arrives.
func runRemote(t *testing.T, c *dp.Client, arn *string, session, command string, timeout int32, onDelta func(string)) (*dp.InvokeAgentRuntimeCommandOutput, commandRun) {
	t.Helper()
	body := &dptypes.InvokeAgentRuntimeCommandRequestBody{Command: aws.String(command)}
	if timeout > 0 {
		body.Timeout = aws.Int32(timeout)
	}
	out, err := c.InvokeAgentRuntimeCommand(context.Background(), &dp.InvokeAgentRuntimeCommandInput{AgentRuntimeArn: arn,
		RuntimeSessionId: aws.String(session), Body: body})
	if err != nil {
		t.Fatalf("InvokeAgentRuntimeCommand %q: %v", command, err)
	}
	stream := out.GetStream()
	defer stream.Close()
	var run commandRun
	for ev := range stream.Events() {
		chunk, ok := ev.(*dptypes.InvokeAgentRuntimeCommandStreamOutputMemberChunk)
		if !ok {
			t.Fatalf("%q: unexpected event %T", command, ev)
		}
		switch {
		case chunk.Value.ContentStart != nil:
			run.kinds = append(run.kinds, "start")
		case chunk.Value.ContentDelta != nil:
			d := chunk.Value.ContentDelta
			run.stdout += aws.ToString(d.Stdout)
			run.stderr += aws.ToString(d.Stderr)
			run.deltas = append(run.deltas, aws.ToString(d.Stdout)+aws.ToString(d.Stderr))
			run.kinds = append(run.kinds, "delta")
			if onDelta != nil {
				onDelta(aws.ToString(d.Stdout))
			}
		case chunk.Value.ContentStop != nil:
			run.exit = aws.ToInt32(chunk.Value.ContentStop.ExitCode)
			run.status = chunk.Value.ContentStop.Status
			run.kinds = append(run.kinds, "stop")
		}
	}
	if err := stream.Err(); err != nil {
		t.Fatalf("%q: stream: %v", command, err)
	}
	if len(run.kinds) < 2 || run.kinds[0] != "start" || run.kinds[len(run.kinds)-1] != "stop" {
		t.Fatalf("%q: events %v, want contentStart ... contentStop", command, run.kinds)
	}
	return out, run
}

func TestInvokeAgentRuntimeCommand(t *testing.T) {
	srv := testserver.Start(t)
	ctl, c := srv.Client(t), srv.DataClient(t)
	rt := invokeRuntime(t, ctl, "command_agent", "", nil) // no agent binding needed: commands run here

	out, run := runRemote(t, c, rt.AgentRuntimeArn, dpSession, "echo hi; echo err >&2; exit 3", 0, nil)
	if run.stdout != "hi\n" || run.stderr != "err\n" || run.exit != 3 || run.status != dptypes.CommandExecutionStatusCompleted {
		t.Errorf("run: %+v", run)
	}
	// The Go SDK v1.59.0 leaves the initial reply's header members empty
	// for rest-json event streams; the session header is on the raw answer.
	reply := <-out.GetInitialReply()
	raw, _ := awsmiddleware.GetRawResponse(reply.ResultMetadata).(*smithyhttp.Response)
	if raw == nil || raw.Header.Get("X-Amzn-Bedrock-AgentCore-Runtime-Session-Id") != dpSession ||
		raw.Header.Get("Content-Type") != "application/vnd.amazon.eventstream" {
		t.Errorf("raw answer %+v, want the session id %q and the event-stream content type", raw, dpSession)
	}

	// The runtime's environment variables reach the command; the session's
	// directory keeps its files between commands.
	_, run = runRemote(t, c, rt.AgentRuntimeArn, dpSession, `echo "$OTHER" > note; cat note`, 0, nil)
	if run.stdout != "x\n" || run.exit != 0 {
		t.Errorf("environment: %+v", run)
	}
	_, run = runRemote(t, c, rt.AgentRuntimeArn, dpSession, `cat note`, 0, nil)
	if run.stdout != "x\n" {
		t.Errorf("same session, next command: %+v", run)
	}

	// Output streams: "late" is written only once the test has seen
	// "early" (the command waits for the test's go file, up to its timeout).
	gate := filepath.Join(t.TempDir(), "go")
	_, run = runRemote(t, c, rt.AgentRuntimeArn, dpSession,
		`echo early; while [ ! -f `+gate+` ]; do sleep 0.05; done; echo late`, 120,
		func(text string) {
			if strings.Contains(text, "early") {
				os.WriteFile(gate, nil, 0o600)
			}
		})
	if run.status != dptypes.CommandExecutionStatusCompleted || len(run.deltas) != 2 || run.deltas[0] != "early\n" || run.deltas[1] != "late\n" {
		t.Errorf("streamed run: %+v, want deltas early then late, COMPLETED", run)
	}

	// A timeout kills the command (and what it started) and says TIMED_OUT.
	marker := filepath.Join(t.TempDir(), "finished")
	_, run = runRemote(t, c, rt.AgentRuntimeArn, dpSession, `echo started; (sleep 30; touch `+marker+`) & wait`, 1, nil)
	if run.status != dptypes.CommandExecutionStatusTimedOut || run.stdout != "started\n" {
		t.Errorf("timed-out run: %+v", run)
	}
	if _, err := os.Stat(marker); err == nil {
		t.Errorf("the timed-out command's child ran on")
	}
}

func TestInvokeAgentRuntimeCommandErrors(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.DataClient(t)
	ctx := context.Background()
	// The Go SDK returns an event-stream operation's output at once; an
	// error answer surfaces as the stream's error.
	call := func(in *dp.InvokeAgentRuntimeCommandInput) error {
		out, err := c.InvokeAgentRuntimeCommand(ctx, in)
		if err != nil {
			return err
		}
		stream := out.GetStream()
		for range stream.Events() {
		}
		return stream.Close()
	}
	err := call(&dp.InvokeAgentRuntimeCommandInput{AgentRuntimeArn: aws.String(opsRuntimeARN),
		Body: &dptypes.InvokeAgentRuntimeCommandRequestBody{Command: aws.String("true")}})
	wantCode(t, "unknown runtime", err, "ResourceNotFoundException")

	rt := invokeRuntime(t, srv.Client(t), "command_errors", "", nil)
	for _, timeout := range []int32{0, 3601} {
		err = call(&dp.InvokeAgentRuntimeCommandInput{AgentRuntimeArn: rt.AgentRuntimeArn,
			Body: &dptypes.InvokeAgentRuntimeCommandRequestBody{Command: aws.String("true"), Timeout: aws.Int32(timeout)}})
		dpWantValidation(t, "timeout out of range", err, "'body.timeout'")
	}
}

// TestInvokeAgentRuntimeCommandBoto3: boto3 parses the event stream
// natively (repository model, data-plane endpoint override).
func TestInvokeAgentRuntimeCommandBoto3(t *testing.T) {
	py := admPython(t, "boto3")
	srv := testserver.Start(t)
	rt := invokeRuntime(t, srv.Client(t), "boto_command", "", nil)
	script := `import boto3, botocore.config, sys
c = boto3.client("bedrock-agentcore", region_name="us-east-1", aws_access_key_id="AKIAIOSFODNN7EXAMPLE",
    aws_secret_access_key="wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", config=botocore.config.Config(retries={"max_attempts": 1}))
r = c.invoke_agent_runtime_command(agentRuntimeArn=sys.argv[1], runtimeSessionId="` + dpSession + `",
    body={"command": "echo hi; echo err >&2; exit 3", "timeout": 30})
print(r["runtimeSessionId"], r["contentType"])
out, err = "", ""
for ev in r["stream"]:
    ch = ev["chunk"]
    if "contentDelta" in ch:
        out += ch["contentDelta"].get("stdout", "")
        err += ch["contentDelta"].get("stderr", "")
    if "contentStop" in ch:
        print(repr(out), repr(err), ch["contentStop"]["exitCode"], ch["contentStop"]["status"])
`
	cmd := exec.Command(py, "-c", script, aws.ToString(rt.AgentRuntimeArn))
	cmd.Env = append(cleanAWSEnv(), "AWS_ENDPOINT_URL_BEDROCK_AGENTCORE="+srv.URL)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("boto3: %v\n%s", err, out)
	}
	want := dpSession + " application/vnd.amazon.eventstream\n'hi\\n' 'err\\n' 3 COMPLETED\n"
	if string(out) != want {
		t.Errorf("boto3 printed:\n%s\nwant:\n%s", out, want)
	}
}
