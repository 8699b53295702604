package protocol

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"agentcored/internal/api"
	"agentcored/internal/awserr"
	"agentcored/internal/dpapi"
	"agentcored/internal/dpmodel"
	"agentcored/internal/model"
	"agentcored/internal/reqctx"
)

// template is one route of a plane as the router compiles it.
type template struct {
	op, method, uri string
}

func planeTemplates(ops []model.Operation, extra []extraRoute) []template {
	var ts []template
	for _, op := range ops {
		ts = append(ts, template{op.Name, op.Method, op.URI})
	}
	for _, x := range extra {
		ts = append(ts, template{x.op, x.method, x.uri})
	}
	return ts
}

func isLabel(s string) bool  { return strings.HasPrefix(s, "{") && strings.HasSuffix(s, "}") }
func isGreedy(s string) bool { return isLabel(s) && strings.HasSuffix(s, "+}") }

// overlap reports whether some path matches both segment lists: a literal
// matches itself, {label} any one segment, {label+} one or more segments.
// The trailing slash is optional on both sides (splitPath), as in the router.
func overlap(a, b []string) bool {
	if len(a) == 0 || len(b) == 0 {
		return len(a) == 0 && len(b) == 0
	}
	if isGreedy(a[0]) {
		for k := 1; k <= len(b); k++ {
			if overlap(a[1:], b[k:]) || overlap(a, b[k:]) && k < len(b) {
				return true
			}
		}
		return false
	}
	if isGreedy(b[0]) {
		return overlap(b, a)
	}
	if !isLabel(a[0]) && !isLabel(b[0]) && a[0] != b[0] {
		return false
	}
	return overlap(a[1:], b[1:])
}

func TestOverlap(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want bool
	}{
		{"/runtimes/{id}/", "/runtimes/{arn}/invocations", false},
		{"/runtimes/{id}", "/runtimes/{arn}/", true},
		{"/identities/CreateWorkloadIdentity", "/identities/GetWorkloadAccessToken", false},
		{"/identities/{name}", "/identities/GetWorkloadAccessToken", true},
		{"/memories/{id}/details", "/memories/{id}/events", false},
		{"/files/{key+}", "/files/a/b/c", true},
		{"/files/{key+}", "/files", false},
		{"/files/{key+}/meta", "/files/a/b/meta", true},
		{"/files/{key+}/meta", "/files/a/b/data", false},
		{"/a/{x}/c", "/{y+}", true},
	} {
		if got := overlap(splitPath(tc.a), splitPath(tc.b)); got != tc.want {
			t.Errorf("overlap(%s, %s) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
}

// TestPlaneRoutesDoNotCollide: the planes share one port, one signing name
// and one Host, so method + path alone must tell them apart. No route of one
// (the model's and the extra ones) may match a path a route of the other
// matches, with the router's rules.
func TestPlaneRoutesDoNotCollide(t *testing.T) {
	control := planeTemplates(model.Operations[:], extraRoutes)
	data := planeTemplates(dpmodel.Operations[:], nil)
	if len(control) < 175 || len(data) != 66 {
		t.Fatalf("%d control and %d data routes", len(control), len(data))
	}
	for _, ts := range [][]template{control, data} {
		for _, r := range ts {
			for _, s := range splitPath(r.uri) {
				if isGreedy(s) {
					t.Errorf("%s %s: the router has no greedy labels yet; teach it before serving %s", r.method, r.uri, r.op)
				}
			}
		}
	}
	for _, c := range control {
		for _, d := range data {
			if c.method == d.method && overlap(splitPath(c.uri), splitPath(d.uri)) {
				t.Errorf("control %s (%s %s) collides with data %s (%s %s)", c.op, c.method, c.uri, d.op, d.method, d.uri)
			}
		}
	}
}

const testRuntimeARN = "arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/my_agent-abcdefghij"

// escapedARN is the ARN as one percent-encoded path segment, as the SDKs send it.
const escapedARN = "arn%3Aaws%3Abedrock-agentcore%3Aus-east-1%3A123456789012%3Aruntime%2Fmy_agent-abcdefghij"

// TestPlanesRouting matches requests against both planes' routers: exactly
// the expected plane routes each request, with its labels.
func TestPlanesRouting(t *testing.T) {
	routers := map[string]*Router{
		"control": newRouter(model.Operations[:], extraRoutes),
		"data":    newRouter(dpmodel.Operations[:], nil),
	}
	ops := map[string][]model.Operation{"control": model.Operations[:], "data": dpmodel.Operations[:]}
	for _, tc := range []struct {
		method, path string
		plane, op    string // plane "" when nothing matches
		labels       map[string]string
	}{
		{"POST", "/runtimes/", "control", "ListAgentRuntimes", nil},
		{"PUT", "/runtimes", "control", "CreateAgentRuntime", nil},
		{"GET", "/runtimes/agent_x-abcdefghij/", "control", "GetAgentRuntime", map[string]string{"agentRuntimeId": "agent_x-abcdefghij"}},
		{"POST", "/runtimes/" + escapedARN + "/invocations", "data", "InvokeAgentRuntime", map[string]string{"agentRuntimeArn": testRuntimeARN}},
		{"POST", "/runtimes/" + escapedARN + "/invocations/", "data", "InvokeAgentRuntime", map[string]string{"agentRuntimeArn": testRuntimeARN}},
		{"GET", "/runtimes/" + escapedARN + "/invocations/.well-known/agent-card.json", "data", "GetAgentCard", map[string]string{"agentRuntimeArn": testRuntimeARN}},
		{"POST", "/runtimes/" + escapedARN + "/stopruntimesession", "data", "StopRuntimeSession", map[string]string{"agentRuntimeArn": testRuntimeARN}},
		{"POST", "/runtimes/" + escapedARN + "/commands", "data", "InvokeAgentRuntimeCommand", map[string]string{"agentRuntimeArn": testRuntimeARN}},
		{"POST", "/identities/CreateWorkloadIdentity", "control", "CreateWorkloadIdentity", nil},
		{"POST", "/identities/GetWorkloadAccessToken", "data", "GetWorkloadAccessToken", nil},
		{"POST", "/identities/api-key", "data", "GetResourceApiKey", nil},
		{"GET", "/memories/mem_x-abcdefghij/details", "control", "GetMemory", map[string]string{"memoryId": "mem_x-abcdefghij"}},
		{"POST", "/memories/mem_x-abcdefghij/events", "data", "CreateEvent", map[string]string{"memoryId": "mem_x-abcdefghij"}},
		{"POST", "/memories/m/actor/a%2Fb/sessions/s", "data", "ListEvents", map[string]string{"memoryId": "m", "actorId": "a/b", "sessionId": "s"}},
		{"DELETE", "/memories/m/actor/a/sessions/s/events/1%23ab", "data", "DeleteEvent", map[string]string{"memoryId": "m", "actorId": "a", "sessionId": "s", "eventId": "1#ab"}},
		{"PUT", "/browsers/aws.browser.v1/sessions/start", "data", "StartBrowserSession", map[string]string{"browserIdentifier": "aws.browser.v1"}},
		{"GET", "/browsers/br_x-abcdefghij", "control", "GetBrowser", map[string]string{"browserId": "br_x-abcdefghij"}},
		{"POST", "/datasets/list", "control", "ListDatasets", nil},
		{"POST", "/harnesses/invoke", "data", "InvokeHarness", nil},
		{"GET", "/runtimes/" + escapedARN + "/invocations", "", "", nil},
		{"POST", "/nothing/here", "", "", nil},
		{"POST", "/runtimes/a/b/invocations", "", "", nil}, // an unencoded ARN is more segments
	} {
		var matched []string
		for plane, r := range routers {
			op, labels, ok := r.Match(tc.method, tc.path)
			if !ok {
				continue
			}
			matched = append(matched, plane)
			if plane != tc.plane || ops[plane][op].Name != tc.op {
				t.Errorf("%s %s: %s %s, want %s %s", tc.method, tc.path, plane, ops[plane][op].Name, tc.plane, tc.op)
				continue
			}
			for k, v := range tc.labels {
				if labels[k] != v {
					t.Errorf("%s %s: label %s = %q, want %q", tc.method, tc.path, k, labels[k], v)
				}
			}
		}
		if len(matched) > 1 || tc.plane == "" && len(matched) > 0 || tc.plane != "" && len(matched) == 0 {
			t.Errorf("%s %s: matched by %v, want %q", tc.method, tc.path, matched, tc.plane)
		}
	}
}

// bothPlanes serves both planes with no handlers; gate (nil for none) runs
// after routing, as throttling or an injected fault would.
func bothPlanes(gate Gate) Planes {
	p := Planes{New(ControlPlane(api.UnimplementedHandlers{})), New(DataPlane(dpapi.UnimplementedHandlers{}))}
	for _, d := range p {
		d.Gate = gate
	}
	return p
}

type planeAnswer struct {
	status    int
	code      string
	operation string
	body      errorBody
}

func servePlanes(t *testing.T, p Planes, method, path, body string, header http.Header) planeAnswer {
	t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	for k, v := range header {
		req.Header[k] = v
	}
	info := &reqctx.Info{Account: "123456789012", Region: "us-east-1"}
	req = req.WithContext(reqctx.With(req.Context(), info))
	rec := httptest.NewRecorder()
	p.ServeHTTP(rec, req)
	a := planeAnswer{status: rec.Code, code: rec.Header().Get("X-Amzn-ErrorType"), operation: info.Operation}
	if rec.Body.Len() > 0 {
		if err := json.Unmarshal(rec.Body.Bytes(), &a.body); err != nil {
			t.Fatalf("%s %s: body %q: %v", method, path, rec.Body, err)
		}
	}
	return a
}

// TestPlanesDispatch: both planes on one handler; data-plane operations
// answer NotImplementedException after their input is validated; a path
// neither plane routes is UnknownOperationException.
func TestPlanesDispatch(t *testing.T) {
	p := bothPlanes(nil)
	sessionHeader := http.Header{"X-Amzn-Bedrock-Agentcore-Runtime-Session-Id": {strings.Repeat("s", 36)}}
	for _, tc := range []struct {
		name, method, path, body string
		header                   http.Header
		status                   int
		code, operation, inMsg   string
		field                    string
	}{
		{"control", "GET", "/runtimes/agent_x-abcdefghij/", "", nil, 501, awserr.CodeNotImplemented, "GetAgentRuntime", "GetAgentRuntime", ""},
		{"invoke", "POST", "/runtimes/" + escapedARN + "/invocations", `{"prompt":"hi"}`, sessionHeader, 501, awserr.CodeNotImplemented, "InvokeAgentRuntime", "InvokeAgentRuntime", ""},
		{"invoke without payload", "POST", "/runtimes/" + escapedARN + "/invocations", "", nil, 400, awserr.CodeValidation, "InvokeAgentRuntime", "payload", "payload"},
		{"short session header", "POST", "/runtimes/" + escapedARN + "/invocations", "x", http.Header{"X-Amzn-Bedrock-Agentcore-Runtime-Session-Id": {"short"}}, 400, awserr.CodeValidation, "InvokeAgentRuntime", "runtimeSessionId", "runtimeSessionId"},
		{"bad account query", "POST", "/runtimes/" + escapedARN + "/invocations?accountId=12", "x", nil, 400, awserr.CodeValidation, "InvokeAgentRuntime", "accountId", "accountId"},
		{"command payload", "POST", "/runtimes/" + escapedARN + "/commands", `{"timeout":5}`, nil, 400, awserr.CodeValidation, "InvokeAgentRuntimeCommand", "body.command", "body.command"},
		{"event", "POST", "/memories/mem_x-abcdefghij/events", `{"actorId":"a","eventTimestamp":1700000000,"payload":[]}`, nil, 501, awserr.CodeNotImplemented, "CreateEvent", "CreateEvent", ""},
		{"event without actor", "POST", "/memories/mem_x-abcdefghij/events", `{"eventTimestamp":1700000000,"payload":[]}`, nil, 400, awserr.CodeValidation, "CreateEvent", "actorId", "actorId"},
		{"list events", "POST", "/memories/mem_x-abcdefghij/actor/a/sessions/s", `{"maxResults":1000}`, nil, 400, awserr.CodeValidation, "ListEvents", "maxResults", "maxResults"},
		{"token", "POST", "/identities/GetWorkloadAccessToken", `{"workloadName":"w"}`, nil, 400, awserr.CodeValidation, "GetWorkloadAccessToken", "workloadName", "workloadName"},
		{"unknown", "POST", "/identities/nothing", `{}`, nil, 404, awserr.CodeUnknownOperation, "", "POST /identities/nothing", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := servePlanes(t, p, tc.method, tc.path, tc.body, tc.header)
			if a.status != tc.status || a.code != tc.code || a.operation != tc.operation || !strings.Contains(a.body.Message, tc.inMsg) {
				t.Fatalf("got %d %s (operation %q) %q, want %d %s (operation %q) naming %q", a.status, a.code, a.operation, a.body.Message, tc.status, tc.code, tc.operation, tc.inMsg)
			}
			if tc.field != "" && (len(a.body.FieldList) != 1 || a.body.FieldList[0].Name != tc.field) {
				t.Errorf("fieldList %+v, want %s", a.body.FieldList, tc.field)
			}
		})
	}
}

// TestPlanesErrorCodes: statuses come from the plane's model, and the
// memory operations' own error names are taken from their modeled errors.
func TestPlanesErrorCodes(t *testing.T) {
	var answer error
	p := bothPlanes(func(context.Context, *model.Operation, map[string]string) error { return answer })
	createEvent := "/memories/mem_x-abcdefghij/events"
	getToken := "/identities/GetWorkloadAccessToken"
	getMemory := "/memories/mem_x-abcdefghij/details"
	invoke := "/runtimes/" + escapedARN + "/invocations"
	for _, tc := range []struct {
		path, code string
		status     int
		wantCode   string
	}{
		{createEvent, awserr.CodeThrottling, 429, "ThrottledException"},
		{createEvent, awserr.CodeInternal, 500, "ServiceException"},
		{getToken, awserr.CodeThrottling, 429, awserr.CodeThrottling},
		{getToken, awserr.CodeInternal, 500, awserr.CodeInternal},
		{getMemory, awserr.CodeThrottling, 429, "ThrottledException"},
		{invoke, "RuntimeClientError", 424, "RuntimeClientError"},
		{createEvent, "InvalidInputException", 400, "InvalidInputException"},
		{invoke, "RetryableConflictException", 409, "RetryableConflictException"},
		{getToken, "UnauthorizedException", 401, "UnauthorizedException"},
	} {
		answer = awserr.Errorf(tc.code, "m")
		a := servePlanes(t, p, "POST", tc.path, `{}`, nil)
		if tc.path == getMemory {
			a = servePlanes(t, p, "GET", tc.path, "", nil)
		}
		if a.status != tc.status || a.code != tc.wantCode {
			t.Errorf("%s answering %s: %d %s, want %d %s", tc.path, tc.code, a.status, a.code, tc.status, tc.wantCode)
		}
	}
}

// TestHeaderTokenStays: InvokeAgentRuntime's idempotency token is the
// session header; it is the request's client token and stays in the input.
func TestHeaderTokenStays(t *testing.T) {
	d := New(DataPlane(dpapi.UnimplementedHandlers{}))
	var got *dpapi.InvokeAgentRuntimeRequest
	var token string
	i := -1
	for j, op := range dpmodel.Operations {
		if op.Name == "InvokeAgentRuntime" {
			i = j
		}
	}
	d.invoke[i] = func(ctx context.Context, input []byte) (any, error) {
		got = new(dpapi.InvokeAgentRuntimeRequest)
		token = reqctx.From(ctx).ClientToken
		return nil, json.Unmarshal(input, got)
	}
	session := strings.Repeat("s", 40)
	a := servePlanes(t, Planes{d}, "POST", "/runtimes/"+escapedARN+"/invocations?qualifier=DEFAULT", "raw \x00 bytes",
		http.Header{"X-Amzn-Bedrock-Agentcore-Runtime-Session-Id": {session}, "Content-Type": {"application/octet-stream"}})
	if a.status != 200 || got == nil {
		t.Fatalf("status %d %s %q", a.status, a.code, a.body.Message)
	}
	if got.RuntimeSessionId != session || token != session || got.AgentRuntimeArn != testRuntimeARN || got.Qualifier != "DEFAULT" ||
		string(got.Payload) != "raw \x00 bytes" || got.ContentType != "application/octet-stream" {
		t.Errorf("input %+v, client token %q", got, token)
	}
}
