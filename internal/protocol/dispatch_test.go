package protocol

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"agentcored/internal/api"
	"agentcored/internal/awserr"
	"agentcored/internal/model"
	"agentcored/internal/reqctx"
)

func mustOp(t testing.TB, name string) *model.Operation {
	t.Helper()
	op := model.OperationByName(name)
	if op == nil {
		t.Fatalf("no operation %s", name)
	}
	return op
}

func TestDecodeMergesLocations(t *testing.T) {
	op := mustOp(t, "UntagResource")
	q := url.Values{"tagKeys": {"a", "b"}, "unknown": {"x"}}
	doc, err := Decode(op, map[string]string{"resourceArn": "arn:x"}, q, []byte(`{"resourceArn":"from-body","tagKeys":["c"]}`))
	if err != nil {
		t.Fatal(err)
	}
	// Labels and query win; body keys of URI/query members are not members.
	want := `{"resourceArn":"arn:x","tagKeys":["a","b"]}`
	if got, _ := json.Marshal(doc); string(got) != want {
		t.Errorf("doc %s, want %s", got, want)
	}

	op = mustOp(t, "ListAgentRuntimes")
	for in, want := range map[string]string{"5": "5", "+5": "5", "05": "5", "-0": "0", "1.5": "1.5", "1e2": "1e2"} {
		doc, err := Decode(op, nil, url.Values{"maxResults": {in}, "nextToken": {"t"}}, nil)
		if err != nil {
			t.Fatalf("maxResults=%s: %v", in, err)
		}
		if doc["maxResults"] != json.Number(want) || doc["nextToken"] != "t" {
			t.Errorf("maxResults=%s: doc %v", in, doc)
		}
		if _, err := json.Marshal(doc); err != nil {
			t.Errorf("maxResults=%s: doc does not encode: %v", in, err)
		}
	}
	for _, bad := range []string{"ten", "", "0x10", "1,000"} {
		_, err := Decode(op, nil, url.Values{"maxResults": {bad}}, nil)
		if err == nil || err.Reason != awserr.ReasonCannotParse || len(err.Fields) != 1 || err.Fields[0].Name != "maxResults" {
			t.Errorf("maxResults=%q: %v", bad, err)
		}
	}
}

func TestDecodeBody(t *testing.T) {
	op := mustOp(t, "CreateWorkloadIdentity")
	cases := []struct {
		body    string
		want    string // the document as JSON; "" when Decode must fail
		message string
	}{
		{``, `{}`, ""},
		{"  \n", `{}`, ""},
		{`null`, `{}`, ""},
		{`{}`, `{}`, ""},
		{`{"name":"wi","unknown":{"deep":[1]},"tags":{"a":"b"}}`, `{"name":"wi","tags":{"a":"b"}}`, ""},
		{`{"name":12345678901234567890}`, `{"name":12345678901234567890}`, ""}, // numbers stay exact
		{`{"name":`, "", "Could not parse the request body as JSON"},
		{`{"name":"a"}{}`, "", "trailing data"},
		{`{"name":"a"} x`, "", "trailing data"},
		{`[]`, "", "must be a JSON object"},
		{`"name"`, "", "must be a JSON object"},
		{`7`, "", "must be a JSON object"},
		{`{'name':'a'}`, "", "Could not parse"},
	}
	for _, tc := range cases {
		doc, err := Decode(op, nil, nil, []byte(tc.body))
		if tc.want == "" {
			if err == nil || err.Code != awserr.CodeValidation || err.Reason != awserr.ReasonCannotParse || !strings.Contains(err.Message, tc.message) {
				t.Errorf("body %q: err %v, want CannotParse with %q", tc.body, err, tc.message)
			}
			continue
		}
		if err != nil {
			t.Errorf("body %q: %v", tc.body, err)
			continue
		}
		if got, _ := json.Marshal(doc); string(got) != tc.want {
			t.Errorf("body %q: doc %s, want %s", tc.body, got, tc.want)
		}
	}
}

// recorder is a handler set that remembers what it was called with.
type recorder struct {
	api.UnimplementedHandlers
	info      reqctx.Info
	runtimeIn *api.CreateAgentRuntimeRequest
	err       error
}

func (h *recorder) CreateWorkloadIdentity(ctx context.Context, in *api.CreateWorkloadIdentityRequest) (*api.CreateWorkloadIdentityResponse, error) {
	h.info = *reqctx.From(ctx)
	if h.err != nil {
		return nil, h.err
	}
	return &api.CreateWorkloadIdentityResponse{Name: in.Name, WorkloadIdentityArn: "arn:wi/" + in.Name}, nil
}

func (h *recorder) CreateAgentRuntime(ctx context.Context, in *api.CreateAgentRuntimeRequest) (*api.CreateAgentRuntimeResponse, error) {
	h.info = *reqctx.From(ctx)
	h.runtimeIn = in
	return &api.CreateAgentRuntimeResponse{AgentRuntimeId: "a-abcdefghij", Status: api.AgentRuntimeStatusCreating}, nil
}

func (h *recorder) TagResource(ctx context.Context, in *api.TagResourceRequest) (*api.TagResourceResponse, error) {
	return &api.TagResourceResponse{}, nil
}

func (h *recorder) ListAgentRuntimes(ctx context.Context, in *api.ListAgentRuntimesRequest) (*api.ListAgentRuntimesResponse, error) {
	return nil, nil // a nil output is an empty object
}

func serve(t *testing.T, d *Dispatcher, method, target, body string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	info := &reqctx.Info{RequestID: "rid"}
	req = req.WithContext(reqctx.With(req.Context(), info))
	w := httptest.NewRecorder()
	d.ServeHTTP(w, req)
	return w
}

func errorBodyOf(t *testing.T, w *httptest.ResponseRecorder) errorBody {
	t.Helper()
	var e errorBody
	if err := json.Unmarshal(w.Body.Bytes(), &e); err != nil {
		t.Fatalf("error body %q: %v", w.Body.String(), err)
	}
	return e
}

const runtimeJSON = `{"agentRuntimeName":"rt","roleArn":"arn:aws:iam::123456789012:role/r",` +
	`"agentRuntimeArtifact":{"containerConfiguration":{"containerUri":"public.ecr.aws/a/b"}},"networkConfiguration":{"networkMode":"PUBLIC"}`

func TestDispatcherSuccess(t *testing.T) {
	h := &recorder{}
	d := NewDispatcher(h)

	w := serve(t, d, "POST", "/identities/CreateWorkloadIdentity", `{"name":"wi-1"}`)
	if w.Code != 201 || w.Header().Get("Content-Type") != "application/json" || w.Body.String() != `{"name":"wi-1","workloadIdentityArn":"arn:wi/wi-1"}` {
		t.Errorf("CreateWorkloadIdentity: %d %v %s", w.Code, w.Header(), w.Body)
	}
	if w.Header().Get("Content-Length") != "51" {
		t.Errorf("Content-Length %q", w.Header().Get("Content-Length"))
	}
	if h.info.Operation != "CreateWorkloadIdentity" || h.info.ClientToken != "" || h.info.RequestHash != "" {
		t.Errorf("info %+v", h.info)
	}

	w = serve(t, d, "POST", "/tags/arn%3Aaws%3Abedrock-agentcore%3Aus-east-1%3A123456789012%3Aruntime%2Fa-abcdefghij", `{"tags":{"k":"v"}}`)
	if w.Code != 204 || w.Body.Len() != 0 || w.Header().Get("Content-Type") != "" {
		t.Errorf("TagResource: %d %v %q", w.Code, w.Header(), w.Body)
	}

	w = serve(t, d, "POST", "/runtimes/?maxResults=5", "")
	if w.Code != 200 || w.Body.String() != `{}` {
		t.Errorf("ListAgentRuntimes: %d %s", w.Code, w.Body)
	}
}

// The idempotency token leaves the input and goes to reqctx, with a hash of
// the rest of the request.
func TestDispatcherClientToken(t *testing.T) {
	h := &recorder{}
	d := NewDispatcher(h)
	token1, token2 := strings.Repeat("a", 36), strings.Repeat("b", 36)

	w := serve(t, d, "PUT", "/runtimes/", runtimeJSON+`,"clientToken":"`+token1+`"}`)
	if w.Code != 202 {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
	if h.info.ClientToken != token1 || h.runtimeIn.ClientToken != "" || len(h.info.RequestHash) != 64 {
		t.Errorf("token %q in input %q hash %q", h.info.ClientToken, h.runtimeIn.ClientToken, h.info.RequestHash)
	}
	hash1 := h.info.RequestHash

	serve(t, d, "PUT", "/runtimes", runtimeJSON+`,"clientToken":"`+token2+`","unknownMember":1}`)
	if h.info.ClientToken != token2 || h.info.RequestHash != hash1 {
		t.Errorf("same request with another token: hash %s, want %s", h.info.RequestHash, hash1)
	}
	serve(t, d, "PUT", "/runtimes/", runtimeJSON+`,"description":"d","clientToken":"`+token1+`"}`)
	if h.info.RequestHash == hash1 {
		t.Error("a different request has the same hash")
	}
	serve(t, d, "PUT", "/runtimes/", runtimeJSON+`}`)
	if h.info.ClientToken != "" || h.info.RequestHash != "" {
		t.Errorf("no token: info %+v", h.info)
	}
}

func TestDispatcherErrors(t *testing.T) {
	cases := []struct {
		name          string
		handlerErr    error
		gate          Gate
		maxBody       int64
		method, path  string
		body          string
		status        int
		code, message string
	}{
		{name: "unknown route", method: "GET", path: "/nope", status: 404, code: "UnknownOperationException", message: "No operation matches GET /nope."},
		{name: "wrong method", method: "PATCH", path: "/runtimes/", status: 404, code: "UnknownOperationException"},
		{name: "not implemented", method: "GET", path: "/gateways/", status: 501, code: "NotImplementedException",
			message: "The operation ListGateways is not implemented by this server yet."},
		{name: "validation before not implemented", method: "GET", path: "/gateways/?maxResults=0", status: 400, code: "ValidationException"},
		{name: "validation", method: "POST", path: "/identities/CreateWorkloadIdentity", body: `{"name":"x"}`, status: 400, code: "ValidationException"},
		{name: "modeled handler error", handlerErr: awserr.Conflict("taken"), method: "POST", path: "/identities/CreateWorkloadIdentity",
			body: `{"name":"wi-1"}`, status: 409, code: "ConflictException", message: "taken"},
		{name: "plain error is hidden", handlerErr: errors.New("disk on fire"), method: "POST", path: "/identities/CreateWorkloadIdentity",
			body: `{"name":"wi-1"}`, status: 500, code: "InternalServerException", message: "An internal error occurred. Try again."},
		{name: "wrapped awserr", handlerErr: errors.Join(errors.New("ctx"), awserr.NotFound("gone")), method: "POST",
			path: "/identities/CreateWorkloadIdentity", body: `{"name":"wi-1"}`, status: 404, code: "ResourceNotFoundException"},
		{name: "body too large", maxBody: 10, method: "POST", path: "/identities/CreateWorkloadIdentity", body: `{"name":"wi-1234567890"}`,
			status: 413, code: "RequestEntityTooLargeException"},
		{name: "gate refuses before the body is read", gate: func(context.Context, *model.Operation, map[string]string) error {
			return awserr.Errorf(awserr.CodeThrottling, "Rate exceeded")
		}, method: "POST", path: "/identities/CreateWorkloadIdentity", body: `{`, status: 429, code: "ThrottlingException", message: "Rate exceeded"},
		{name: "memory throttling is renamed", gate: func(context.Context, *model.Operation, map[string]string) error {
			return awserr.Errorf(awserr.CodeThrottling, "Rate exceeded")
		}, method: "GET", path: "/memories/mem-abcdefghij/details", status: 429, code: "ThrottledException"},
		{name: "memory internal error is renamed", gate: func(context.Context, *model.Operation, map[string]string) error {
			return errors.New("boom")
		}, method: "POST", path: "/memories/", status: 500, code: "ServiceException"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := NewDispatcher(&recorder{err: tc.handlerErr})
			d.Gate = tc.gate
			if tc.maxBody > 0 {
				d.MaxBody = tc.maxBody
			}
			w := serve(t, d, tc.method, tc.path, tc.body)
			if w.Code != tc.status || w.Header().Get("X-Amzn-ErrorType") != tc.code {
				t.Fatalf("%d %s, want %d %s: %s", w.Code, w.Header().Get("X-Amzn-ErrorType"), tc.status, tc.code, w.Body)
			}
			e := errorBodyOf(t, w)
			if e.Message == "" || tc.message != "" && e.Message != tc.message {
				t.Errorf("message %q, want %q", e.Message, tc.message)
			}
			if strings.Contains(w.Body.String(), "disk on fire") {
				t.Error("internal error text leaked")
			}
		})
	}
}

type replayer struct{ api.UnimplementedHandlers }

func (replayer) CreateWorkloadIdentity(context.Context, *api.CreateWorkloadIdentityRequest) (*api.CreateWorkloadIdentityResponse, error) {
	return nil, &reqctx.Replay{Status: 201, Body: []byte(`{"name":"earlier"}`)}
}

func TestDispatcherReplay(t *testing.T) {
	w := serve(t, NewDispatcher(replayer{}), "POST", "/identities/CreateWorkloadIdentity", `{"name":"wi-1"}`)
	if w.Code != 201 || w.Body.String() != `{"name":"earlier"}` {
		t.Errorf("%d %s", w.Code, w.Body)
	}
}

func TestOperationCode(t *testing.T) {
	getMemory, getRuntime := mustOp(t, "GetMemory"), mustOp(t, "GetAgentRuntime")
	cases := []struct {
		op         *model.Operation
		code, want string
	}{
		{getMemory, "ThrottlingException", "ThrottledException"},
		{getMemory, "InternalServerException", "ServiceException"},
		{getMemory, "ResourceNotFoundException", "ResourceNotFoundException"},
		{getRuntime, "ThrottlingException", "ThrottlingException"},
		{getRuntime, "InternalServerException", "InternalServerException"},
		{nil, "ThrottlingException", "ThrottlingException"},
	}
	for _, tc := range cases {
		if got := operationCode(tc.op, tc.code); got != tc.want {
			t.Errorf("%s %s → %s, want %s", opName(tc.op), tc.code, got, tc.want)
		}
	}
	// Every operation that models ThrottledException lacks ThrottlingException,
	// so the rename is total for Memory operations.
	for _, op := range model.Operations {
		if op.HasError("ThrottledException") && op.HasError("ThrottlingException") {
			t.Errorf("%s models both throttling codes", op.Name)
		}
	}
}

func TestWriteErrorShape(t *testing.T) {
	w := httptest.NewRecorder()
	WriteError(w, nil, &awserr.Error{Code: awserr.CodeValidation, Message: "m", Reason: awserr.ReasonFieldValidation,
		Fields: []awserr.FieldError{{Name: "a.b", Message: "bad"}}})
	want := `{"message":"m","reason":"FieldValidationFailed","fieldList":[{"name":"a.b","message":"bad"}]}`
	if w.Code != 400 || w.Body.String() != want || w.Header().Get("X-Amzn-ErrorType") != "ValidationException" {
		t.Errorf("%d %v %s", w.Code, w.Header(), w.Body)
	}
	w = httptest.NewRecorder()
	WriteError(w, nil, awserr.NotFound("x"))
	if w.Body.String() != `{"message":"x"}` || w.Code != http.StatusNotFound {
		t.Errorf("%d %s", w.Code, w.Body)
	}
}

func TestEncodeOutput(t *testing.T) {
	b, err := EncodeOutput(mustOp(t, "TagResource"), &api.TagResourceResponse{})
	if err != nil || b != nil {
		t.Errorf("204 body %q %v", b, err)
	}
	b, err = EncodeOutput(mustOp(t, "GetAgentRuntime"), nil)
	if err != nil || string(b) != "{}" {
		t.Errorf("nil output %q %v", b, err)
	}
}
