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
)

// Bounded fuzzing in CI (one target per invocation):
//
//	go test ./internal/protocol -run='^$' -fuzz='^FuzzDecodeValidate$' -fuzztime=20s
//	go test ./internal/protocol -run='^$' -fuzz='^FuzzServe$' -fuzztime=20s
//
// A plain `go test` runs both over the seed corpus below (and any crashers
// saved under testdata/fuzz/).

const fuzzARN = "arn%3Aaws%3Abedrock-agentcore%3Aus-east-1%3A123456789012%3Aruntime%2Fagent_x-abcdefghij"

// fuzzSeeds are real requests: operation, label value, query, body.
var fuzzSeeds = []struct {
	op, label, query, body string
}{
	{"CreateAgentRuntime", "", "", runtimeJSON + `,"clientToken":"` + strings.Repeat("a", 36) + `","tags":{"k":"v"}}`},
	{"CreateAgentRuntime", "", "", `{"agentRuntimeName":"a-b","agentRuntimeArtifact":{},"networkConfiguration":{"networkMode":"PRIVATE"}}`},
	{"UpdateAgentRuntime", "agent_x-abcdefghij", "", `{"agentRuntimeArtifact":{"codeConfiguration":{"code":{"s3":{"bucket":"bkt","prefix":"p"}},"runtime":"PYTHON_3_12","entryPoint":["main.py"]}},"roleArn":"arn:aws:iam::123456789012:role/r","networkConfiguration":{"networkMode":"PUBLIC"},"lifecycleConfiguration":{"idleRuntimeSessionTimeout":900}}`},
	{"ListAgentRuntimes", "", "maxResults=0&nextToken=abc", ``},
	{"ListAgentRuntimes", "", "maxResults=%2B5", ``},
	{"CreateWorkloadIdentity", "", "", `{"name":"wi-1","allowedResourceOauth2ReturnUrls":["https://x"],"tags":{"a":"b"}}`},
	{"ListWorkloadIdentities", "", "", `{"maxResults":"10","nextToken":null}`},
	{"TagResource", "arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/agent_x-abcdefghij", "", `{"tags":{"team":"a","":"b"}}`},
	{"UntagResource", "arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/agent_x-abcdefghij", "tagKeys=a&tagKeys=b", ``},
	{"CreateGatewayRule", "gw-abcdefghij", "", `{"priority":1,"actions":[{"routeToTarget":{"staticRoute":{"targetName":"t"}}},null]}`},
	{"CreateOnlineEvaluationConfig", "", "", `{"rule":{"samplingConfig":{"samplingPercentage":1e400}},"enableOnCreate":"yes"}`},
	{"GetMemory", "mem_x-abcdefghij", "view=full", ``},
	{"CreateConfigurationBundle", "", "", `{"bundleName":"b","components":{"c":{"configuration":{"any":[1,2,{"x":null}]}}}}`},
	{"CreateAgentRuntime", "", "", `[1,2]`},
	{"CreateAgentRuntime", "", "", `{"agentRuntimeName":`},
}

func fuzzOp(i uint16) (int, *model.Operation) {
	n := int(i) % len(model.Operations)
	return n, &model.Operations[n]
}

// labelsFor gives every label of the operation's URI the same value.
func labelsFor(op *model.Operation, value string) map[string]string {
	_, names := fillTemplate(op.URI)
	labels := map[string]string{}
	for name := range names {
		labels[name] = value
	}
	return labels
}

func checkValidationError(t *testing.T, err *awserr.Error) {
	t.Helper()
	if err.Code != awserr.CodeValidation || err.Message == "" {
		t.Fatalf("error %+v", err)
	}
	if err.Reason != awserr.ReasonCannotParse && err.Reason != awserr.ReasonFieldValidation {
		t.Fatalf("reason %q", err.Reason)
	}
}

func FuzzDecodeValidate(f *testing.F) {
	for _, s := range fuzzSeeds {
		for i := range model.Operations {
			if model.Operations[i].Name == s.op {
				f.Add(uint16(i), s.label, s.query, []byte(s.body))
			}
		}
	}
	f.Fuzz(func(t *testing.T, opIndex uint16, label, query string, body []byte) {
		i, op := fuzzOp(opIndex)
		q, _ := url.ParseQuery(query) // keeps what parses, like net/http
		doc, err := Decode(op, labelsFor(op, label), q, body)
		if err != nil {
			checkValidationError(t, err)
			return
		}
		if err := Validate(op.Input, doc); err != nil {
			checkValidationError(t, err)
			return
		}
		// A valid document always becomes the typed input: the handler is
		// reached (and answers NotImplemented), never a decoding failure.
		canonical, jerr := json.Marshal(doc)
		if jerr != nil {
			t.Fatalf("valid document does not encode: %v", jerr)
		}
		_, herr := api.Invokers[i](context.Background(), api.UnimplementedHandlers{}, canonical)
		var ae *awserr.Error
		if !errors.As(herr, &ae) || ae.Code != awserr.CodeNotImplemented {
			t.Fatalf("valid document %s: handler not reached: %v", canonical, herr)
		}
	})
}

var fuzzMethods = []string{"GET", "PUT", "POST", "DELETE", "PATCH", "HEAD", "OPTIONS"}

func FuzzServe(f *testing.F) {
	methodIndex := func(m string) uint8 {
		for i, x := range fuzzMethods {
			if x == m {
				return uint8(i)
			}
		}
		return 0
	}
	for _, s := range fuzzSeeds {
		op := model.OperationByName(s.op)
		path, labels := fillTemplate(op.URI)
		for name := range labels {
			path = strings.ReplaceAll(path, "v-"+name, url.PathEscape(s.label))
		}
		f.Add(methodIndex(op.Method), path, s.query, []byte(s.body))
	}
	f.Add(methodIndex("GET"), "/tags/"+fuzzARN, "", []byte(nil))
	f.Add(methodIndex("POST"), "/tags/"+fuzzARN+"/", "", []byte(`{"tags":{"k":"v"}}`))
	f.Add(methodIndex("GET"), "/runtimes/%zz/", "", []byte(nil))
	f.Add(methodIndex("PATCH"), "//runtimes//", "a=%", []byte(`{}`))

	d := NewDispatcher(api.UnimplementedHandlers{})
	d.MaxBody = 1 << 16
	f.Fuzz(func(t *testing.T, method uint8, path, query string, body []byte) {
		if !strings.HasPrefix(path, "/") {
			path = "/" + path
		}
		u, err := url.Parse("http://agentcored.test" + path)
		if err != nil || u.Host != "agentcored.test" {
			return // not a request net/http would hand us
		}
		u.RawQuery = query
		req := httptest.NewRequest(fuzzMethods[int(method)%len(fuzzMethods)], "http://agentcored.test/", strings.NewReader(string(body)))
		req.URL = u
		w := httptest.NewRecorder()
		d.ServeHTTP(w, req)

		if w.Code >= 500 && w.Code != http.StatusNotImplemented {
			t.Fatalf("%s %s?%s: status %d: %s", req.Method, path, query, w.Code, w.Body)
		}
		if w.Code >= 300 {
			var e errorBody
			if err := json.Unmarshal(w.Body.Bytes(), &e); err != nil || e.Message == "" || w.Header().Get("X-Amzn-ErrorType") == "" {
				t.Fatalf("%s %s: bad error answer %d %v %s", req.Method, path, w.Code, w.Header(), w.Body)
			}
		}
	})
}
