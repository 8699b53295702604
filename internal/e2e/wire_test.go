package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	ctl "github.com/aws/aws-sdk-go-v2/service/bedrockagentcorecontrol"
	"github.com/aws/aws-sdk-go-v2/service/bedrockagentcorecontrol/types"

	"agentcored/internal/testserver"
)

var (
	wireISOCreatedAt     = regexp.MustCompile(`"createdAt":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z"`)
	wireEpochCreatedTime = regexp.MustCompile(`"createdTime":\d+(\.\d+)?[,}]`)
	wireEpochUpdatedTime = regexp.MustCompile(`"lastUpdatedTime":\d+(\.\d+)?[,}]`)
	wireRequestIDForm    = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
)

// wireCall sends one raw request and checks the status and that the answer
// carries a request id.
func wireCall(t *testing.T, base, method, path, body string, wantStatus int) rawResponse {
	t.Helper()
	r := rawRequest(t, method, base+path, body)
	if r.status != wantStatus {
		t.Fatalf("%s %s: status %d, want %d: %s", method, path, r.status, wantStatus, r.body)
	}
	if id := r.header.Get("x-amzn-RequestId"); !wireRequestIDForm.MatchString(id) {
		t.Errorf("%s %s: x-amzn-RequestId %q", method, path, id)
	}
	return r
}

// wireCreateRuntime creates a runtime and answers its id and ARN.
func wireCreateRuntime(t *testing.T, base, name string) (id, arn string) {
	t.Helper()
	r := wireCall(t, base, "PUT", "/runtimes/", valRuntimeBody(`"`+name+`"`, valContainer, valNetwork, ""), 202)
	if !wireISOCreatedAt.Match(r.body) {
		t.Errorf("CreateAgentRuntime createdAt is not ISO-8601 text: %s", r.body)
	}
	var out struct {
		AgentRuntimeID  string `json:"agentRuntimeId"`
		AgentRuntimeArn string `json:"agentRuntimeArn"`
	}
	if err := json.Unmarshal(r.body, &out); err != nil || out.AgentRuntimeID == "" || out.AgentRuntimeArn == "" {
		t.Fatalf("CreateAgentRuntime answer %s (%v)", r.body, err)
	}
	return out.AgentRuntimeID, out.AgentRuntimeArn
}

func TestWireTimestamps(t *testing.T) {
	srv := testserver.Start(t)
	id, _ := wireCreateRuntime(t, srv.URL, "rt_wire")
	r := wireCall(t, srv.URL, "GET", "/runtimes/"+id+"/", "", 200)
	if !wireISOCreatedAt.Match(r.body) {
		t.Errorf("GetAgentRuntime createdAt is not ISO-8601 text: %s", r.body)
	}

	r = wireCall(t, srv.URL, "POST", "/identities/CreateWorkloadIdentity", `{"name":"wi-wire"}`, 201)
	if !wireEpochCreatedTime.Match(r.body) && strings.Contains(string(r.body), "createdTime") {
		t.Errorf("CreateWorkloadIdentity createdTime is not epoch seconds: %s", r.body)
	}
	r = wireCall(t, srv.URL, "POST", "/identities/GetWorkloadIdentity", `{"name":"wi-wire"}`, 200)
	if !wireEpochCreatedTime.Match(r.body) || !wireEpochUpdatedTime.Match(r.body) {
		t.Errorf("GetWorkloadIdentity times are not epoch-second numbers: %s", r.body)
	}
	// Plausibly now, in seconds (not milliseconds).
	var out struct{ CreatedTime float64 }
	if err := json.Unmarshal(r.body, &out); err != nil {
		t.Fatal(err)
	}
	if out.CreatedTime < 1.6e9 || out.CreatedTime > 1e10 {
		t.Errorf("createdTime %v is not epoch seconds", out.CreatedTime)
	}

	// The SDK decodes both forms into the same instants.
	c := srv.Client(t)
	ctx := context.Background()
	rt, err := c.GetAgentRuntime(ctx, &ctl.GetAgentRuntimeInput{AgentRuntimeId: aws.String(id)})
	if err != nil {
		t.Fatal(err)
	}
	wi, err := c.GetWorkloadIdentity(ctx, &ctl.GetWorkloadIdentityInput{Name: aws.String("wi-wire")})
	if err != nil {
		t.Fatal(err)
	}
	if rt.CreatedAt == nil || rt.CreatedAt.IsZero() || wi.CreatedTime == nil || wi.CreatedTime.IsZero() {
		t.Errorf("SDK decoded zero times: runtime %v identity %v", rt.CreatedAt, wi.CreatedTime)
	}
}

func TestWireStatusCodes(t *testing.T) {
	srv := testserver.Start(t)
	id, arn := wireCreateRuntime(t, srv.URL, "rt_status")
	wireCall(t, srv.URL, "GET", "/runtimes/"+id+"/", "", 200)
	wireCall(t, srv.URL, "POST", "/identities/CreateWorkloadIdentity", `{"name":"wi-status"}`, 201)
	wireCall(t, srv.URL, "POST", "/identities/GetWorkloadIdentity", `{"name":"wi-status"}`, 200)

	tagPath := "/tags/" + url.PathEscape(arn)
	r := wireCall(t, srv.URL, "POST", tagPath, `{"tags":{"team":"a"}}`, 204)
	if len(r.body) != 0 {
		t.Errorf("TagResource 204 with body %q", r.body)
	}
	r = wireCall(t, srv.URL, "DELETE", tagPath+"?tagKeys=team", "", 204)
	if len(r.body) != 0 {
		t.Errorf("UntagResource 204 with body %q", r.body)
	}
	r = wireCall(t, srv.URL, "POST", "/identities/DeleteWorkloadIdentity", `{"name":"wi-status"}`, 204)
	if len(r.body) != 0 {
		t.Errorf("DeleteWorkloadIdentity 204 with body %q", r.body)
	}
	wireCall(t, srv.URL, "DELETE", "/runtimes/"+id+"/", "", 202)
}

func TestWireRequestIDOnErrors(t *testing.T) {
	srv := testserver.Start(t)
	wireAddFault(t, srv.URL, "ListGateways", "InternalServerException")
	for _, tc := range []struct {
		method, path, body string
		status             int
	}{
		{"GET", "/runtimes/agent_x-abcdefghij/", "", 404},                 // modeled error
		{"POST", "/identities/CreateWorkloadIdentity", `{"name":1}`, 400}, // validation
		{"GET", "/no-such-route", "", 404},                                // unknown operation
		{"GET", "/gateways/", "", 500},                                    // injected server error
	} {
		r := wireCall(t, srv.URL, tc.method, tc.path, tc.body, tc.status)
		if r.header.Get("X-Amzn-ErrorType") == "" || r.header.Get("Content-Type") != "application/json" {
			t.Errorf("%s %s: headers %v", tc.method, tc.path, r.header)
		}
	}
}

func TestWireEncodedARNLabel(t *testing.T) {
	srv := testserver.Start(t)
	_, arn := wireCreateRuntime(t, srv.URL, "rt_arn")
	encoded := url.PathEscape(arn) // ':' stays, '/' becomes %2F
	fully := strings.NewReplacer(":", "%3A", "/", "%2F").Replace(arn)
	if !strings.Contains(fully, "%2F") || !strings.HasPrefix(fully, "arn%3Aaws%3A") {
		t.Fatalf("bad test ARN encoding %q", fully)
	}
	wireCall(t, srv.URL, "POST", "/tags/"+fully, `{"tags":{"team":"a"}}`, 204)
	for _, p := range []string{"/tags/" + fully, "/tags/" + encoded, "/tags/" + fully + "/"} {
		r := wireCall(t, srv.URL, "GET", p, "", 200)
		var out struct{ Tags map[string]string }
		if err := json.Unmarshal(r.body, &out); err != nil || out.Tags["team"] != "a" {
			t.Errorf("GET %s: %s (%v)", p, r.body, err)
		}
	}
	// An unencoded '/' splits the ARN into two segments: no route matches.
	r := rawRequest(t, "GET", srv.URL+"/tags/"+arn, "")
	if r.status != 404 || r.header.Get("X-Amzn-ErrorType") != "UnknownOperationException" {
		t.Errorf("GET with raw ARN: %d %q", r.status, r.header.Get("X-Amzn-ErrorType"))
	}
}

func TestWireTrailingSlash(t *testing.T) {
	srv := testserver.Start(t)
	id, _ := wireCreateRuntime(t, srv.URL, "rt_slash")
	for _, p := range []string{"/runtimes/" + id + "/", "/runtimes/" + id} {
		r := wireCall(t, srv.URL, "GET", p, "", 200) // a redirect would show as 3xx
		if r.header.Get("Location") != "" || !strings.Contains(string(r.body), id) {
			t.Errorf("GET %s: %s", p, r.body)
		}
	}
	// List without the trailing slash the model has.
	wireCall(t, srv.URL, "POST", "/runtimes", "", 200)
	// A template without a trailing slash still matches with one.
	wireCall(t, srv.URL, "POST", "/identities/ListWorkloadIdentities/", "", 200)
}

// wireAddFault makes the next call of operation answer the error code.
func wireAddFault(t *testing.T, base, operation, code string) {
	t.Helper()
	addFault(t, base, map[string]any{"operation": operation, "action": "error", "errorCode": code, "count": 1})
}

func TestWireMemoryErrorRenames(t *testing.T) {
	srv := testserver.Start(t)
	cases := []struct {
		operation, method, path, injected string
		status                            int
		want                              string
	}{
		{"GetMemory", "GET", "/memories/mem_x-abcdefghij/details", "ThrottlingException", 429, "ThrottledException"},
		{"GetMemory", "GET", "/memories/mem_x-abcdefghij/details", "InternalServerException", 500, "ServiceException"},
		{"ListMemories", "POST", "/memories/", "ThrottlingException", 429, "ThrottledException"},
		// Operations that model the generic names keep them.
		{"GetAgentRuntime", "GET", "/runtimes/agent_x-abcdefghij/", "ThrottlingException", 429, "ThrottlingException"},
		{"GetAgentRuntime", "GET", "/runtimes/agent_x-abcdefghij/", "InternalServerException", 500, "InternalServerException"},
	}
	for _, tc := range cases {
		wireAddFault(t, srv.URL, tc.operation, tc.injected)
		r := wireCall(t, srv.URL, tc.method, tc.path, "", tc.status)
		if got := r.header.Get("X-Amzn-ErrorType"); got != tc.want {
			t.Errorf("%s with %s: X-Amzn-ErrorType %q, want %q", tc.operation, tc.injected, got, tc.want)
		}
	}

	// The SDK decodes the renamed codes into the Memory operations' types.
	c := srv.Client(t)
	wireAddFault(t, srv.URL, "GetMemory", "ThrottlingException")
	_, err := c.GetMemory(context.Background(), &ctl.GetMemoryInput{MemoryId: aws.String(opsMemoryID)})
	var throttled *types.ThrottledException
	if !errors.As(err, &throttled) {
		t.Errorf("GetMemory: %v, want *types.ThrottledException", err)
	}
	wireAddFault(t, srv.URL, "GetMemory", "InternalServerException")
	_, err = c.GetMemory(context.Background(), &ctl.GetMemoryInput{MemoryId: aws.String(opsMemoryID)})
	var svcErr *types.ServiceException
	if !errors.As(err, &svcErr) {
		t.Errorf("GetMemory: %v, want *types.ServiceException", err)
	}
}
