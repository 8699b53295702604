package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	ctl "github.com/aws/aws-sdk-go-v2/service/bedrockagentcorecontrol"
	"github.com/aws/aws-sdk-go-v2/service/bedrockagentcorecontrol/types"
	"github.com/aws/smithy-go/middleware"

	"agentcored/internal/testserver"
)

// wireCountListed answers how many items a list call shows under key.
func wireCountListed(t *testing.T, base, method, path, key string) int {
	t.Helper()
	r := rawRequest(t, method, base+path, "")
	if r.status != 200 {
		t.Fatalf("%s %s: status %d: %s", method, path, r.status, r.body)
	}
	var out map[string]json.RawMessage
	if err := json.Unmarshal(r.body, &out); err != nil {
		t.Fatal(err)
	}
	var items []json.RawMessage
	if err := json.Unmarshal(out[key], &items); err != nil {
		t.Fatalf("%s %s: %s is not a list: %s", method, path, key, r.body)
	}
	return len(items)
}

// valNoClientChecks turns off the SDK's client-side check of required members,
// so the server sees the invalid request.
func valNoClientChecks(o *ctl.Options) {
	o.APIOptions = append(o.APIOptions, func(s *middleware.Stack) error {
		_, err := s.Initialize.Remove("OperationInputValidation")
		return err
	})
}

const (
	valContainer = `{"containerConfiguration":{"containerUri":"123456789012.dkr.ecr.us-east-1.amazonaws.com/agent:latest"}}`
	valNetwork   = `{"networkMode":"PUBLIC"}`
	valRole      = `"arn:aws:iam::123456789012:role/agentcore"`
)

// valRuntimeBody builds a CreateAgentRuntime body; each argument replaces one
// member's JSON ("" leaves the member out).
func valRuntimeBody(name, artifact, network, extra string) string {
	parts := []string{`"roleArn":` + valRole}
	if name != "" {
		parts = append(parts, `"agentRuntimeName":`+name)
	}
	if artifact != "" {
		parts = append(parts, `"agentRuntimeArtifact":`+artifact)
	}
	if network != "" {
		parts = append(parts, `"networkConfiguration":`+network)
	}
	if extra != "" {
		parts = append(parts, extra)
	}
	return "{" + strings.Join(parts, ",") + "}"
}

func valCodeArtifact(entryPoints string) string {
	return `{"codeConfiguration":{"code":{"s3":{"bucket":"my-bucket","prefix":"agent.zip"}},"runtime":"PYTHON_3_12","entryPoint":` + entryPoints + `}}`
}

func valManyTags(n int) string {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = fmt.Sprintf(`"k%d":"v"`, i)
	}
	return `"tags":{` + strings.Join(parts, ",") + `}`
}

func TestValidationRaw(t *testing.T) {
	srv := testserver.Start(t)
	const (
		createRuntime  = "PUT /runtimes/"
		createIdentity = "POST /identities/CreateWorkloadIdentity"
		listRuntimes   = "POST /runtimes/"
	)
	cases := []struct {
		name    string
		request string // "METHOD /path"
		body    string
		reason  string
		field   string // expected fieldList name; "" when the failure has no member path
		message string // exact message; "" to check only that it names the field
	}{
		{
			name: "required member missing", request: createRuntime,
			body:   valRuntimeBody("", valContainer, valNetwork, ""),
			reason: "FieldValidationFailed", field: "agentRuntimeName",
			message: "1 validation error detected: Value null at 'agentRuntimeName' failed to satisfy constraint: Member must not be null",
		},
		{
			name: "nested required member missing", request: createRuntime,
			body:   valRuntimeBody(`"rt_nested"`, valContainer, `{}`, ""),
			reason: "FieldValidationFailed", field: "networkConfiguration.networkMode",
			message: "1 validation error detected: Value null at 'networkConfiguration.networkMode' failed to satisfy constraint: Member must not be null",
		},
		{
			name: "string too short", request: createIdentity, body: `{"name":"ab"}`,
			reason: "FieldValidationFailed", field: "name",
			message: "1 validation error detected: Value 'ab' at 'name' failed to satisfy constraint: Member must have length greater than or equal to 3",
		},
		{
			name: "string too long", request: createIdentity, body: `{"name":"` + strings.Repeat("a", 256) + `"}`,
			reason: "FieldValidationFailed", field: "name",
			message: "1 validation error detected: Value '" + strings.Repeat("a", 256) + "' at 'name' failed to satisfy constraint: Member must have length less than or equal to 255",
		},
		{
			name: "list too short", request: createRuntime,
			body:   valRuntimeBody(`"rt_list"`, valCodeArtifact(`[]`), valNetwork, ""),
			reason: "FieldValidationFailed", field: "agentRuntimeArtifact.codeConfiguration.entryPoint",
			message: "1 validation error detected: Value '[]' at 'agentRuntimeArtifact.codeConfiguration.entryPoint' failed to satisfy constraint: Member must have length greater than or equal to 1",
		},
		{
			name: "list too long", request: createRuntime,
			body:   valRuntimeBody(`"rt_list"`, valCodeArtifact(`["a.py","b.py","c.py"]`), valNetwork, ""),
			reason: "FieldValidationFailed", field: "agentRuntimeArtifact.codeConfiguration.entryPoint",
			message: "1 validation error detected: Value '[a.py, b.py, c.py]' at 'agentRuntimeArtifact.codeConfiguration.entryPoint' failed to satisfy constraint: Member must have length less than or equal to 2",
		},
		{
			name: "list element too short", request: createRuntime,
			body:   valRuntimeBody(`"rt_list"`, valCodeArtifact(`[""]`), valNetwork, ""),
			reason: "FieldValidationFailed", field: "agentRuntimeArtifact.codeConfiguration.entryPoint",
			message: "1 validation error detected: Value '[]' at 'agentRuntimeArtifact.codeConfiguration.entryPoint' failed to satisfy constraint: Member must satisfy constraint: [Member must have length greater than or equal to 1]",
		},
		{
			name: "map too large", request: createRuntime,
			body:   valRuntimeBody(`"rt_tags"`, valContainer, valNetwork, valManyTags(51)),
			reason: "FieldValidationFailed", field: "tags",
		},
		{
			name: "map too large on identity", request: createIdentity, body: `{"name":"wi-tags",` + valManyTags(51) + `}`,
			reason: "FieldValidationFailed", field: "tags",
		},
		{
			name: "number below minimum", request: listRuntimes + "?maxResults=0",
			reason: "FieldValidationFailed", field: "maxResults",
			message: "1 validation error detected: Value '0' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1",
		},
		{
			name: "number above maximum", request: listRuntimes + "?maxResults=101",
			reason: "FieldValidationFailed", field: "maxResults",
			message: "1 validation error detected: Value '101' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 100",
		},
		{
			name: "number out of range in body", request: "POST /identities/ListWorkloadIdentities", body: `{"maxResults":0}`,
			reason: "FieldValidationFailed", field: "maxResults",
			message: "1 validation error detected: Value '0' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1",
		},
		{
			name: "pattern mismatch", request: createRuntime,
			body:   valRuntimeBody(`"a-b"`, valContainer, valNetwork, ""),
			reason: "FieldValidationFailed", field: "agentRuntimeName",
			message: "1 validation error detected: Value 'a-b' at 'agentRuntimeName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z][a-zA-Z0-9_]{0,47}",
		},
		{
			name: "pattern mismatch in label", request: "GET /runtimes/not%20an%20id/",
			reason: "FieldValidationFailed", field: "agentRuntimeId",
			message: "1 validation error detected: Value 'not an id' at 'agentRuntimeId' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z][a-zA-Z0-9_]{0,99}-[a-zA-Z0-9]{10}",
		},
		{
			name: "enum not in set", request: createRuntime,
			body:   valRuntimeBody(`"rt_enum"`, valContainer, `{"networkMode":"PRIVATE"}`, ""),
			reason: "FieldValidationFailed", field: "networkConfiguration.networkMode",
			message: "1 validation error detected: Value 'PRIVATE' at 'networkConfiguration.networkMode' failed to satisfy constraint: Member must satisfy enum value set: [PUBLIC, VPC]",
		},
		{
			name: "union with no member", request: createRuntime,
			body:   valRuntimeBody(`"rt_union"`, `{}`, valNetwork, ""),
			reason: "FieldValidationFailed", field: "agentRuntimeArtifact",
		},
		{
			name: "union with two members", request: createRuntime,
			body: valRuntimeBody(`"rt_union"`,
				`{"containerConfiguration":{"containerUri":"123456789012.dkr.ecr.us-east-1.amazonaws.com/agent:latest"},`+
					`"codeConfiguration":{"code":{"s3":{"bucket":"my-bucket","prefix":"agent.zip"}},"runtime":"PYTHON_3_12","entryPoint":["main.py"]}}`,
				valNetwork, ""),
			reason: "FieldValidationFailed", field: "agentRuntimeArtifact",
		},
		{
			name: "number where string expected", request: createRuntime,
			body:   valRuntimeBody(`42`, valContainer, valNetwork, ""),
			reason: "CannotParse", field: "agentRuntimeName",
		},
		{
			name: "string where number expected", request: "POST /identities/ListWorkloadIdentities", body: `{"maxResults":"10"}`,
			reason: "CannotParse", field: "maxResults",
		},
		{
			name: "string where object expected", request: createRuntime,
			body:   valRuntimeBody(`"rt_type"`, valContainer, `"PUBLIC"`, ""),
			reason: "CannotParse", field: "networkConfiguration",
		},
		{
			name: "fraction where integer expected", request: createRuntime,
			body:   valRuntimeBody(`"rt_type"`, valContainer, valNetwork, `"lifecycleConfiguration":{"idleRuntimeSessionTimeout":60.5}`),
			reason: "CannotParse", field: "lifecycleConfiguration.idleRuntimeSessionTimeout",
		},
		{
			name: "malformed JSON", request: createIdentity, body: `{"name":"wi-bad"`,
			reason: "CannotParse",
		},
		{
			name: "trailing data after the object", request: createIdentity, body: `{"name":"wi-bad"} {}`,
			reason: "CannotParse",
		},
		{
			name: "non-object JSON body", request: createIdentity, body: `["wi-bad"]`,
			reason: "CannotParse",
		},
		{
			name: "query integer not a number", request: listRuntimes + "?maxResults=ten",
			reason: "CannotParse", field: "maxResults",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			method, path, _ := strings.Cut(tc.request, " ")
			r := rawRequest(t, method, srv.URL+path, tc.body)
			if r.status != 400 {
				t.Fatalf("status %d, want 400: %s", r.status, r.body)
			}
			if got := r.header.Get("X-Amzn-ErrorType"); got != "ValidationException" {
				t.Errorf("X-Amzn-ErrorType = %q, want ValidationException", got)
			}
			if r.header.Get("x-amzn-RequestId") == "" {
				t.Error("no x-amzn-RequestId")
			}
			_, e := r.apiError(t)
			if e.Message == "" {
				t.Error("no message")
			}
			if tc.message != "" && e.Message != tc.message {
				t.Errorf("message\n got %q\nwant %q", e.Message, tc.message)
			}
			if e.Reason != tc.reason {
				t.Errorf("reason %q, want %q", e.Reason, tc.reason)
			}
			if tc.field != "" {
				if len(e.FieldList) != 1 || e.FieldList[0].Name != tc.field || e.FieldList[0].Message == "" {
					t.Errorf("fieldList %+v, want one entry named %q with a message", e.FieldList, tc.field)
				}
				if !strings.Contains(e.Message, "'"+tc.field+"'") {
					t.Errorf("message %q does not name %q", e.Message, tc.field)
				}
			}
		})
	}
	// Nothing above may have created anything.
	if n := wireCountListed(t, srv.URL, "POST", "/runtimes/", "agentRuntimes"); n != 0 {
		t.Errorf("%d runtimes exist after invalid requests", n)
	}
	if n := wireCountListed(t, srv.URL, "POST", "/identities/ListWorkloadIdentities", "workloadIdentities"); n != 0 {
		t.Errorf("%d workload identities exist after invalid requests", n)
	}
}

func TestValidationUnknownOperation(t *testing.T) {
	srv := testserver.Start(t)
	for _, req := range []string{"GET /no-such-thing", "POST /identities/NoSuchOperation", "PATCH /runtimes/", "DELETE /runtimes/"} {
		method, path, _ := strings.Cut(req, " ")
		r := rawRequest(t, method, srv.URL+path, "")
		if r.status != 404 || r.header.Get("X-Amzn-ErrorType") != "UnknownOperationException" {
			t.Errorf("%s: status %d, error type %q; want 404 UnknownOperationException", req, r.status, r.header.Get("X-Amzn-ErrorType"))
		}
		if _, e := r.apiError(t); e.Message == "" {
			t.Errorf("%s: no message", req)
		}
	}
}

func TestValidationUnknownMembersIgnored(t *testing.T) {
	srv := testserver.Start(t)
	r := rawRequest(t, "POST", srv.URL+"/identities/CreateWorkloadIdentity", `{"name":"wi-extra","someFutureMember":{"x":[1,2]},"another":7}`)
	if r.status != 201 {
		t.Fatalf("status %d, want 201: %s", r.status, r.body)
	}
	r = rawRequest(t, "PUT", srv.URL+"/runtimes/", valRuntimeBody(`"rt_extra"`, valContainer, valNetwork, `"brandNewMember":"x"`))
	if r.status != 202 {
		t.Fatalf("status %d, want 202: %s", r.status, r.body)
	}
	if r := rawRequest(t, "POST", srv.URL+"/identities/GetWorkloadIdentity", `{"name":"wi-extra"}`); r.status != 200 {
		t.Errorf("GetWorkloadIdentity after create: %d %s", r.status, r.body)
	}
	if n := wireCountListed(t, srv.URL, "POST", "/runtimes/", "agentRuntimes"); n != 1 {
		t.Errorf("%d runtimes, want 1", n)
	}
}

// TestValidationSDK sends invalid requests through the real client with its
// own checks removed, and reads the error the way SDK users do.
func TestValidationSDK(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client(t)
	ctx := context.Background()
	artifact := &types.AgentRuntimeArtifactMemberContainerConfiguration{Value: types.ContainerConfiguration{ContainerUri: aws.String(opsContainerURI)}}
	network := &types.NetworkConfiguration{NetworkMode: types.NetworkModePublic}
	cases := []struct {
		name   string
		call   func() error
		reason types.ValidationExceptionReason
		field  string
	}{
		{"required member missing", func() error {
			_, err := c.CreateAgentRuntime(ctx, &ctl.CreateAgentRuntimeInput{AgentRuntimeArtifact: artifact, RoleArn: aws.String(opsRoleARN),
				NetworkConfiguration: network}, valNoClientChecks)
			return err
		}, types.ValidationExceptionReasonFieldValidationFailed, "agentRuntimeName"},
		{"required body member missing", func() error {
			_, err := c.GetWorkloadIdentity(ctx, &ctl.GetWorkloadIdentityInput{}, valNoClientChecks)
			return err
		}, types.ValidationExceptionReasonFieldValidationFailed, "name"},
		{"pattern mismatch", func() error {
			_, err := c.CreateAgentRuntime(ctx, &ctl.CreateAgentRuntimeInput{AgentRuntimeName: aws.String("a-b"), AgentRuntimeArtifact: artifact,
				RoleArn: aws.String(opsRoleARN), NetworkConfiguration: network})
			return err
		}, types.ValidationExceptionReasonFieldValidationFailed, "agentRuntimeName"},
		{"number out of range", func() error {
			_, err := c.ListAgentRuntimes(ctx, &ctl.ListAgentRuntimesInput{MaxResults: aws.Int32(101)})
			return err
		}, types.ValidationExceptionReasonFieldValidationFailed, "maxResults"},
		{"enum not in set", func() error {
			_, err := c.CreateAgentRuntime(ctx, &ctl.CreateAgentRuntimeInput{AgentRuntimeName: aws.String("rt_enum"), AgentRuntimeArtifact: artifact,
				RoleArn: aws.String(opsRoleARN), NetworkConfiguration: &types.NetworkConfiguration{NetworkMode: "PRIVATE"}})
			return err
		}, types.ValidationExceptionReasonFieldValidationFailed, "networkConfiguration.networkMode"},
		{"map too large", func() error {
			tags := map[string]string{}
			for i := range 51 {
				tags[fmt.Sprintf("k%d", i)] = "v"
			}
			_, err := c.CreateWorkloadIdentity(ctx, &ctl.CreateWorkloadIdentityInput{Name: aws.String("wi-tags"), Tags: tags})
			return err
		}, types.ValidationExceptionReasonFieldValidationFailed, "tags"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			var ve *types.ValidationException
			if !errors.As(err, &ve) {
				t.Fatalf("got %v, want a ValidationException", err)
			}
			if ve.Reason != tc.reason || ve.ErrorMessage() == "" {
				t.Errorf("reason %q message %q", ve.Reason, ve.ErrorMessage())
			}
			if len(ve.FieldList) != 1 || aws.ToString(ve.FieldList[0].Name) != tc.field {
				t.Errorf("fieldList %+v, want %q", ve.FieldList, tc.field)
			}
		})
	}
	if n := wireCountListed(t, srv.URL, "POST", "/runtimes/", "agentRuntimes"); n != 0 {
		t.Errorf("%d runtimes exist after invalid requests", n)
	}
	if n := wireCountListed(t, srv.URL, "POST", "/identities/ListWorkloadIdentities", "workloadIdentities"); n != 0 {
		t.Errorf("%d workload identities exist after invalid requests", n)
	}
}
