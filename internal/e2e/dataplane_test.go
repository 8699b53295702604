package e2e

import (
	"context"
	"errors"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	dp "github.com/aws/aws-sdk-go-v2/service/bedrockagentcore"
	dptypes "github.com/aws/aws-sdk-go-v2/service/bedrockagentcore/types"
	ctl "github.com/aws/aws-sdk-go-v2/service/bedrockagentcorecontrol"

	"agentcored/internal/dpmodel"
	"agentcored/internal/testserver"
)

// The data plane (bedrock-agentcore) is served on the control plane's port.
// Operations not implemented yet answer 501 NotImplementedException naming
// the operation, after their input is validated against the model
// (InvokeAgentRuntime is implemented: invoke_test.go).

const dpSession = "0123456789abcdef0123456789abcdef-session"

// TestDataPlaneNotImplementedGoSDK calls data-plane operations through
// aws-sdk-go-v2's bedrockagentcore client, on the same port as a working
// control-plane client.
func TestDataPlaneNotImplementedGoSDK(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.DataClient(t)
	ctx := context.Background()
	calls := map[string]func() error{
		// InvokeAgentRuntime, StopRuntimeSession (invoke_test.go, agents_test.go),
		// GetAgentCard (protocols_test.go), InvokeAgentRuntimeCommand
		// (command_test.go) and the identity operations (identity_test.go) are
		// implemented.
		// The memory event operations are implemented (memory_events_test.go).
		// The browser session operations are implemented (browser_sessions_test.go).
		"ListMemoryRecords": func() error {
			_, err := c.ListMemoryRecords(ctx, &dp.ListMemoryRecordsInput{MemoryId: aws.String(opsMemoryID), Namespace: aws.String("/")})
			return err
		},
	}
	for name, call := range calls {
		err := call()
		if errCode(err) != "NotImplementedException" || errStatus(err) != 501 || !strings.Contains(err.Error(), name) {
			t.Errorf("%s: %d %q (%v), want 501 NotImplementedException naming the operation", name, errStatus(err), errCode(err), err)
		}
	}
	// The control plane on the same port is unchanged.
	if _, err := srv.Client(t).ListAgentRuntimes(ctx, &ctl.ListAgentRuntimesInput{}); err != nil {
		t.Errorf("ListAgentRuntimes beside the data plane: %v", err)
	}
}

// TestDataPlaneValidationGoSDK: model-violating data-plane input is a 400
// ValidationException naming the field, before NotImplemented.
func TestDataPlaneValidationGoSDK(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.DataClient(t)
	ctx := context.Background()
	_, err := c.InvokeAgentRuntime(ctx, &dp.InvokeAgentRuntimeInput{AgentRuntimeArn: aws.String(opsRuntimeARN),
		Payload: []byte(`{}`), RuntimeSessionId: aws.String("too-short")})
	dpWantValidation(t, "InvokeAgentRuntime with a 9-character session id", err, "'runtimeSessionId'")
	_, err = c.InvokeAgentRuntime(ctx, &dp.InvokeAgentRuntimeInput{AgentRuntimeArn: aws.String(opsRuntimeARN),
		Payload: []byte(`{}`), AccountId: aws.String("12")})
	dpWantValidation(t, "InvokeAgentRuntime with accountId 12", err, "'accountId'")
	_, err = c.ListEvents(ctx, &dp.ListEventsInput{MemoryId: aws.String(opsMemoryID), ActorId: aws.String("actor-1"),
		SessionId: aws.String("session-1"), MaxResults: aws.Int32(1000)})
	dpWantValidation(t, "ListEvents with maxResults 1000", err, "'maxResults'")
	_, err = c.CreateEvent(ctx, &dp.CreateEventInput{MemoryId: aws.String("short"), ActorId: aws.String("actor-1"),
		EventTimestamp: aws.Time(time.Unix(1700000000, 0)), Payload: []dptypes.PayloadType{}})
	dpWantValidation(t, "CreateEvent with memory id short", err, "'memoryId'")
	_, err = c.GetWorkloadAccessToken(ctx, &dp.GetWorkloadAccessTokenInput{WorkloadName: aws.String("w")})
	dpWantValidation(t, "GetWorkloadAccessToken with a 1-character name", err, "'workloadName'")
}

// dpWantValidation is wantValidation for the data plane's client.
func dpWantValidation(t *testing.T, what string, err error, contains string) {
	t.Helper()
	var ve *dptypes.ValidationException
	if !errors.As(err, &ve) || errStatus(err) != 400 || !strings.Contains(aws.ToString(ve.Message), contains) {
		t.Errorf("%s: %v, want a ValidationException naming %s", what, err, contains)
	}
}

// dpImplemented are the data-plane operations that answer for real.
var dpImplemented = map[string]bool{
	"InvokeAgentRuntime": true, "StopRuntimeSession": true, "GetAgentCard": true, "InvokeAgentRuntimeCommand": true,
	"GetWorkloadAccessToken": true, "GetWorkloadAccessTokenForJWT": true, "GetWorkloadAccessTokenForUserId": true,
	"GetResourceApiKey": true, "GetResourceOauth2Token": true, "CompleteResourceTokenAuth": true,
	"CreateEvent": true, "GetEvent": true, "ListEvents": true, "DeleteEvent": true,
	"ListSessions": true, "ListActors": true,
	"StartBrowserSession": true, "GetBrowserSession": true, "ListBrowserSessions": true, "StopBrowserSession": true,
	"UpdateBrowserStream": true, "SaveBrowserSessionProfile": true, "InvokeBrowser": true,
}

// TestDataPlaneAllOperationsRouted sends every data-plane operation's route
// (labels filled with a placeholder, empty JSON body): each reaches its
// operation, answering 400 ValidationException or 501 NotImplementedException,
// never 404 UnknownOperationException.
func TestDataPlaneAllOperationsRouted(t *testing.T) {
	srv := testserver.Start(t)
	for _, op := range dpmodel.Operations {
		path := op.URI
		for strings.Contains(path, "{") {
			i, j := strings.Index(path, "{"), strings.Index(path, "}")
			path = path[:i] + "placeholder-abcdefghij" + path[j+1:]
		}
		body := "{}"
		if op.Method == "GET" || op.Method == "DELETE" {
			body = ""
		}
		r := rawRequest(t, op.Method, srv.URL+path, body)
		code, eb := r.apiError(t)
		switch {
		case r.status == 501 && code == "NotImplementedException":
			if !strings.Contains(eb.Message, op.Name) {
				t.Errorf("%s %s: message %q does not name %s", op.Method, path, eb.Message, op.Name)
			}
		case r.status == 400 && code == "ValidationException":
		case r.status == 404 && code == "ResourceNotFoundException" && dpImplemented[op.Name]:
			// Implemented: the placeholder runtime or memory does not exist.
		default:
			t.Errorf("%s %s (%s): %d %s %q", op.Method, path, op.Name, r.status, code, eb.Message)
		}
	}
}

// TestDataPlaneBoto3 calls the data plane through boto3 with the
// repository's model (AWS_DATA_PATH) and the per-service endpoint override.
func TestDataPlaneBoto3(t *testing.T) {
	py := admPython(t, "boto3")
	srv := testserver.Start(t)
	script := `import boto3, botocore.config, botocore.exceptions
c = boto3.client("bedrock-agentcore", region_name="us-east-1", aws_access_key_id="AKIAIOSFODNN7EXAMPLE",
    aws_secret_access_key="wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    config=botocore.config.Config(retries={"max_attempts": 1}, parameter_validation=False))
def answer(call, **kw):
    try:
        getattr(c, call)(**kw)
        print(call, "ok")
    except botocore.exceptions.ClientError as e:
        print(call, e.response["ResponseMetadata"]["HTTPStatusCode"], e.response["Error"]["Code"], e.response["Error"]["Message"])
arn = "arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/agent_x-abcdefghij"
answer("invoke_agent_runtime", agentRuntimeArn=arn, payload=b'{"prompt": "hi"}', runtimeSessionId="` + dpSession + `")
answer("invoke_agent_runtime", agentRuntimeArn=arn, payload=b'{}', runtimeSessionId="too-short")
answer("get_workload_access_token", workloadName="workload-1")
answer("list_actors", memoryId="mem_x-abcdefghij")
`
	cmd := exec.Command(py, "-c", script)
	cmd.Env = append(cleanAWSEnv(), "AWS_ENDPOINT_URL_BEDROCK_AGENTCORE="+srv.URL)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("boto3: %v\n%s", err, out)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	want := []string{
		"invoke_agent_runtime 404 ResourceNotFoundException Agent 'agent_x-abcdefghij' was not found",
		"invoke_agent_runtime 400 ValidationException 1 validation error detected: Value 'too-short' at 'runtimeSessionId'",
		"get_workload_access_token 404 ResourceNotFoundException WorkloadIdentity 'workload-1' was not found",
		"list_actors 404 ResourceNotFoundException Memory not found: mem_x-abcdefghij",
	}
	if len(lines) != len(want) {
		t.Fatalf("boto3 printed:\n%s", out)
	}
	for i, w := range want {
		if !strings.HasPrefix(lines[i], w) {
			t.Errorf("boto3 line %d: %q, want prefix %q", i+1, lines[i], w)
		}
	}
}
