package protocol

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"agentcored/internal/model"
)

// fillTemplate puts a distinct value in every label of a URI template, and
// returns the labels it used.
func fillTemplate(uri string) (string, map[string]string) {
	labels := map[string]string{}
	var segs []string
	for _, s := range strings.Split(uri, "/") {
		if strings.HasPrefix(s, "{") && strings.HasSuffix(s, "}") {
			name := strings.TrimSuffix(strings.Trim(s, "{}"), "+")
			labels[name] = "v-" + name
			s = labels[name]
		}
		segs = append(segs, s)
	}
	return strings.Join(segs, "/"), labels
}

func TestRouterMatchesEveryOperation(t *testing.T) {
	r := NewRouter()
	for i := range model.Operations {
		op := &model.Operations[i]
		path, want := fillTemplate(op.URI)
		variants := []string{path, strings.TrimSuffix(path, "/"), strings.TrimSuffix(path, "/") + "/"}
		for _, p := range variants {
			got, labels, ok := r.Match(op.Method, p)
			if !ok || got != i {
				t.Errorf("%s %s: matched %v (op %d), want %s", op.Method, p, ok, got, op.Name)
				continue
			}
			if len(labels) != len(want) {
				t.Errorf("%s %s: labels %v, want %v", op.Method, p, labels, want)
			}
			for k, v := range want {
				if labels[k] != v {
					t.Errorf("%s %s: label %s = %q, want %q", op.Method, p, k, labels[k], v)
				}
			}
		}
	}
}

// Every label of the model is the location name of an input member in the URI.
func TestRouterLabelsAreInputMembers(t *testing.T) {
	for _, op := range model.Operations {
		_, labels := fillTemplate(op.URI)
		in := &model.Shapes[op.Input]
		for name := range labels {
			found := false
			for _, m := range in.Members {
				if m.Location == model.InURI && m.LocationName == name {
					found = true
				}
			}
			if !found {
				t.Errorf("%s: label %s is no URI member of %s", op.Name, name, in.Name)
			}
		}
	}
}

func TestRouterMethodSelectsOperation(t *testing.T) {
	r := NewRouter()
	cases := []struct{ method, path, want string }{
		{"PUT", "/runtimes/", "CreateAgentRuntime"},
		{"POST", "/runtimes/", "ListAgentRuntimes"},
		{"PUT", "/runtimes", "CreateAgentRuntime"},
		{"POST", "/runtimes", "ListAgentRuntimes"},
		{"PUT", "/browsers", "CreateBrowser"},
		{"POST", "/browsers", "ListBrowsers"},
		{"PUT", "/runtimes/agent_x-abcdefghij/runtime-endpoints/", "CreateAgentRuntimeEndpoint"},
		{"POST", "/runtimes/agent_x-abcdefghij/runtime-endpoints/", "ListAgentRuntimeEndpoints"},
		{"GET", "/runtimes/agent_x-abcdefghij/", "GetAgentRuntime"},
		{"PUT", "/runtimes/agent_x-abcdefghij/", "UpdateAgentRuntime"},
		{"DELETE", "/runtimes/agent_x-abcdefghij", "DeleteAgentRuntime"},
		{"POST", "/tags/x", "TagResource"},
		{"GET", "/tags/x", "ListTagsForResource"},
		{"DELETE", "/tags/x", "UntagResource"},
		{"POST", "/identities/CreateWorkloadIdentity", "CreateWorkloadIdentity"},
		{"POST", "/identities/get-token-vault", "GetTokenVault"},
		{"GET", "/policy-engine-summaries/engine-abcdefghij", "GetPolicyEngineSummary"},
		{"GET", "/policy-engines/engine-abcdefghij", "GetPolicyEngine"},
	}
	for _, tc := range cases {
		i, _, ok := r.Match(tc.method, tc.path)
		if !ok || model.Operations[i].Name != tc.want {
			name := ""
			if ok {
				name = model.Operations[i].Name
			}
			t.Errorf("%s %s → %q (%v), want %s", tc.method, tc.path, name, ok, tc.want)
		}
	}
}

func TestRouterNoMatch(t *testing.T) {
	r := NewRouter()
	for _, tc := range []struct{ method, path string }{
		{"PATCH", "/runtimes/"},
		{"GET", "/runtimes"},
		{"GET", "/"},
		{"GET", ""},
		{"HEAD", "/runtimes/agent_x-abcdefghij/"},
		{"GET", "/runtimes/a/b/c/d/e/f"},
		{"GET", "/no-such-thing"},
		{"GET", "/runtimes/%zz/"}, // a label that does not unescape
		{"POST", "/identities/NoSuchOperation"},
		{"get", "/runtimes/agent_x-abcdefghij/"}, // methods are case-sensitive
	} {
		if i, _, ok := r.Match(tc.method, tc.path); ok {
			t.Errorf("%s %s matched %s", tc.method, tc.path, model.Operations[i].Name)
		}
	}
	if !r.PathExists("/runtimes/") || r.PathExists("/no-such-thing") {
		t.Error("PathExists")
	}
}

func TestRouterEncodedARNIsOneLabel(t *testing.T) {
	r := NewRouter()
	arn := "arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/agent_x-abcdefghij"
	for _, escaped := range []string{
		strings.NewReplacer(":", "%3A", "/", "%2F").Replace(arn),
		url.PathEscape(arn),
		strings.ReplaceAll(arn, "/", "%2f"),
	} {
		for _, tc := range []struct{ method, prefix, op, label string }{
			{"GET", "/tags/", "ListTagsForResource", "resourceArn"},
			{"POST", "/tags/", "TagResource", "resourceArn"},
			{"PUT", "/resourcepolicy/", "PutResourcePolicy", "resourceArn"},
		} {
			i, labels, ok := r.Match(tc.method, tc.prefix+escaped)
			if !ok || model.Operations[i].Name != tc.op || labels[tc.label] != arn {
				t.Errorf("%s %s%s: ok=%v labels=%v", tc.method, tc.prefix, escaped, ok, labels)
			}
		}
	}
	// Unescaped, the '/' makes a second segment and nothing matches.
	if _, _, ok := r.Match("GET", "/tags/"+arn); ok {
		t.Error("an unescaped '/' inside the ARN matched")
	}
	// Other escapes in labels decode too; '+' is not a space in a path.
	_, labels, ok := r.Match("GET", "/runtimes/a%20b+c/")
	if !ok || labels["agentRuntimeId"] != "a b+c" {
		t.Errorf("labels %v", labels)
	}
}

// Candidates with more literal segments come first, so a literal segment
// beats a label that would also match.
func TestRouterLiteralBeatsLabel(t *testing.T) {
	for k, rs := range NewRouter().routes {
		for i := 1; i < len(rs); i++ {
			if rs[i-1].literals < rs[i].literals {
				t.Errorf("%v: %s (%d literals) before %s (%d literals)", k,
					model.Operations[rs[i-1].op].Name, rs[i-1].literals, model.Operations[rs[i].op].Name, rs[i].literals)
			}
		}
	}
	// The model has no two templates that overlap, so check matching on a
	// router built by hand in the order NewRouter sorts to.
	r := &Router{routes: map[routeKey][]route{
		{"GET", 2}: {
			{op: 1, segments: []segment{{literal: "things"}, {literal: "special"}}, literals: 2},
			{op: 2, segments: []segment{{literal: "things"}, {label: "id"}}, literals: 1},
		},
	}}
	if op, labels, ok := r.Match("GET", "/things/special"); !ok || op != 1 || len(labels) != 0 {
		t.Errorf("literal route: op %d labels %v ok %v", op, labels, ok)
	}
	if op, labels, ok := r.Match("GET", "/things/other/"); !ok || op != 2 || labels["id"] != "other" {
		t.Errorf("label route: op %d labels %v ok %v", op, labels, ok)
	}
}

// The extra routes reach their operations, with labels, and take the
// query-string members from the body; the model's routes do not.
func TestRouterExtraRoutes(t *testing.T) {
	r := NewRouter()
	for _, tc := range []struct{ method, path, op, label string }{
		{"POST", "/datasets/list", "ListDatasets", ""},
		{"GET", "/datasets", "ListDatasets", ""},
		{"POST", "/datasets/ds-1/versions/list", "ListDatasetVersions", "ds-1"},
		{"GET", "/datasets/ds-1/versions", "ListDatasetVersions", "ds-1"},
		{"POST", "/datasets/ds-1/examples/list", "ListDatasetExamples", "ds-1"},
		{"GET", "/datasets/ds-1/examples", "ListDatasetExamples", "ds-1"},
		{"GET", "/datasets/list", "GetDataset", "list"},
		{"POST", "/datasets/ds-1/versions", "CreateDatasetVersion", "ds-1"},
	} {
		rt, labels, ok := r.match(tc.method, tc.path)
		if !ok || model.Operations[rt.op].Name != tc.op || labels["datasetId"] != tc.label {
			t.Errorf("%s %s: matched %v %s %v, want %s", tc.method, tc.path, ok, model.Operations[rt.op].Name, labels, tc.op)
		}
		if want := tc.method == "POST" && strings.HasSuffix(tc.path, "/list"); rt.queryInBody != want {
			t.Errorf("%s %s: queryInBody %v, want %v", tc.method, tc.path, rt.queryInBody, want)
		}
	}
	op := model.OperationByName("ListDatasetExamples")
	body := []byte(`{"maxResults":5,"nextToken":"t","datasetVersion":"2","filter":{}}`)
	doc, err := decode(op, map[string]string{"datasetId": "ds-1"}, nil, body, true)
	if err != nil || doc["maxResults"] != json.Number("5") || doc["nextToken"] != "t" || doc["datasetVersion"] != "2" || doc["datasetId"] != "ds-1" {
		t.Errorf("decode with queryInBody = %v, %v", doc, err)
	}
	if _, ok := doc["filter"]; ok {
		t.Errorf("unknown member kept: %v", doc)
	}
	if doc, _ := Decode(op, nil, nil, body); len(doc) != 0 {
		t.Errorf("model route took query members from the body: %v", doc)
	}
}
