package modelgen

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"testing"

	"agentcored/internal/dpmodel"
	"agentcored/internal/model"
)

// moduleRoot is where the generated files live, relative to this package.
const moduleRoot = "../.."

// TestGeneratedFilesUpToDate regenerates both planes from the repository's
// models (models/, the overlay merged into the control plane) in memory and
// compares with the committed files byte for byte: it fails when the
// generated code is stale against the model of record.
func TestGeneratedFilesUpToDate(t *testing.T) {
	files, err := GenerateFromRepo(moduleRoot)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"internal/api/zz_operations.go", "internal/api/zz_types.go",
		"internal/dpapi/zz_operations.go", "internal/dpapi/zz_types.go",
		"internal/dpmodel/zz_generated.go", "internal/model/zz_generated.go"}
	var got []string
	for name := range files {
		got = append(got, name)
	}
	sort.Strings(got)
	if len(got) != len(want) {
		t.Fatalf("generated %v, want %v", got, want)
	}
	for i, name := range want {
		if got[i] != name {
			t.Fatalf("generated %v, want %v", got, want)
		}
		committed, err := os.ReadFile(filepath.Join(moduleRoot, name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(committed, files[name]) {
			t.Errorf("%s is stale against models/ (%s, %s, %s); run `go run ./cmd/modelgen`", name, ControlModelPath, ControlOverlayPath, DataPlane.ModelPath())
		}
	}
}

// TestDeterministic generates twice: map order must not leak into the output.
func TestDeterministic(t *testing.T) {
	a, err := GenerateFromRepo(moduleRoot)
	if err != nil {
		t.Fatal(err)
	}
	b, err := GenerateFromRepo(moduleRoot)
	if err != nil {
		t.Fatal(err)
	}
	for name := range a {
		if !bytes.Equal(a[name], b[name]) {
			t.Errorf("%s differs between two runs", name)
		}
	}
}

// TestCommittedModelFacts pins the model the committed tables came from.
func TestCommittedModelFacts(t *testing.T) {
	if model.BotocoreVersion != "1.43.67" {
		t.Errorf("BotocoreVersion = %q, want 1.43.67", model.BotocoreVersion)
	}
	// 165 from botocore, 10 from the overlay (aws-sdk-go-v2 v1.81.0).
	if len(model.Operations) != 175 {
		t.Errorf("%d operations, want 175", len(model.Operations))
	}
	if len(model.OverlayOperations) != 10 {
		t.Errorf("%d overlay operations, want 10", len(model.OverlayOperations))
	}
	if model.APIVersion != "2023-06-05" {
		t.Errorf("APIVersion = %q", model.APIVersion)
	}
	if !regexp.MustCompile(`^[0-9a-f]{64}$`).MatchString(model.ModelSHA256) {
		t.Errorf("ModelSHA256 = %q", model.ModelSHA256)
	}
	for i := 1; i < len(model.Operations); i++ {
		if model.Operations[i-1].Name >= model.Operations[i].Name {
			t.Errorf("operations not sorted at %s", model.Operations[i].Name)
		}
	}
}

// TestCommittedDataPlaneFacts pins the data plane's tables: generated from
// the same botocore release as the control plane, no overlay.
func TestCommittedDataPlaneFacts(t *testing.T) {
	if dpmodel.BotocoreVersion != model.BotocoreVersion {
		t.Errorf("data plane from botocore %s, control plane from %s", dpmodel.BotocoreVersion, model.BotocoreVersion)
	}
	if len(dpmodel.Operations) != 66 {
		t.Errorf("%d data-plane operations, want 66", len(dpmodel.Operations))
	}
	if dpmodel.APIVersion != "2024-02-28" || dpmodel.OverlaySHA256 != "" || len(dpmodel.OverlayOperations) != 0 {
		t.Errorf("APIVersion %q, overlay %q %v", dpmodel.APIVersion, dpmodel.OverlaySHA256, dpmodel.OverlayOperations)
	}
	p, err := ReadProvenance(filepath.Join(moduleRoot, ModelsDir))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range p.Files {
		if f.Path == Data.Dir()+"/service-2.json" && f.SHA256 != dpmodel.ModelSHA256 {
			t.Errorf("%s: sha256 %s, generated tables from %s", f.Path, f.SHA256, dpmodel.ModelSHA256)
		}
	}
	if dpmodel.Service.OperationByName("InvokeAgentRuntime") == nil || model.Control.OperationByName("InvokeAgentRuntime") != nil {
		t.Error("InvokeAgentRuntime must be a data-plane operation only")
	}
}

// TestModelsProvenance checks models/: every file PROVENANCE lists is
// there with its recorded sum, holds no documentation prose, and is already
// in stripped form; the generated tables name the control model's sum.
func TestModelsProvenance(t *testing.T) {
	modelsDir := filepath.Join(moduleRoot, ModelsDir)
	p, err := ReadProvenance(modelsDir)
	if err != nil {
		t.Fatal(err)
	}
	if p.Botocore != model.BotocoreVersion {
		t.Errorf("PROVENANCE botocore %s, generated tables from %s", p.Botocore, model.BotocoreVersion)
	}
	listed := map[string]bool{}
	for _, f := range p.Files {
		listed[f.Path] = true
		b, err := os.ReadFile(filepath.Join(modelsDir, filepath.FromSlash(f.Path)))
		if err != nil {
			t.Error(err)
			continue
		}
		if got := sha(b); got != f.SHA256 {
			t.Errorf("%s: sha256 %s, PROVENANCE says %s", f.Path, got, f.SHA256)
		}
		if f.Path == Control.Dir()+"/service-2.json" && f.SHA256 != model.ModelSHA256 {
			t.Errorf("%s: sha256 %s, generated tables from %s", f.Path, f.SHA256, model.ModelSHA256)
		}
		if again, err := Strip(b); err != nil || !bytes.Equal(again, b) {
			t.Errorf("%s is not in stripped form (err %v)", f.Path, err)
		}
	}
	for _, svc := range Services {
		for _, name := range ModelFiles {
			if path := svc.Dir() + "/" + name + ".json"; !listed[path] {
				t.Errorf("PROVENANCE does not list %s", path)
			}
		}
	}
}

func TestStrip(t *testing.T) {
	in := `{"documentation":"top","b":{"documentation":"x","documentationUrl":"http://x","shape":"S"},
	  "a":[1, 2.50, "s\u00e9"], "members":{"documentation":{"shape":"Doc"}}, "z":true}`
	want := `{
  "b": {
    "shape": "S"
  },
  "a": [
    1,
    2.50,
    "s\u00e9"
  ],
  "members": {
    "documentation": {
      "shape": "Doc"
    }
  },
  "z": true
}
`
	got, err := Strip([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Errorf("Strip =\n%s\nwant\n%s", got, want)
	}
	if _, err := Strip([]byte(`{"a":`)); err == nil {
		t.Error("broken JSON was accepted")
	}
}

func TestEnumIdent(t *testing.T) {
	cases := map[string]string{
		"CREATE_FAILED":        "CreateFailed",
		"READY":                "Ready",
		"aws.browser.v1":       "AwsBrowserV1",
		"PYTHON_3_12":          "Python312",
		"CustomerManagedKey":   "CustomerManagedKey",
		"GoogleOauth2":         "GoogleOauth2",
		"CoinbaseCDP":          "CoinbaseCDP",
		"TOOL_CALL":            "ToolCall",
		"application/json":     "ApplicationJson",
		"3P":                   "V3p",
		"NODE_22":              "Node22",
		"2023-06-05":           "V20230605",
		"":                     "V",
		"---":                  "V",
		"openid-configuration": "OpenidConfiguration",
	}
	for in, want := range cases {
		if got := enumIdent(in); got != want {
			t.Errorf("enumIdent(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestExported(t *testing.T) {
	cases := map[string]string{
		"agentRuntimeId":     "AgentRuntimeId",
		"CreateAgentRuntime": "CreateAgentRuntime",
		"s3":                 "S3",
		"kms-key_arn":        "KmsKeyArn",
		"a.b":                "AB",
		"9lives":             "V9lives",
		"":                   "V",
		"__type":             "Type",
	}
	for in, want := range cases {
		if got := exported(in); got != want {
			t.Errorf("exported(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestGoPattern(t *testing.T) {
	cases := []struct {
		model, want string
		match       []string
		noMatch     []string
	}{
		{
			model: `[a-zA-Z][a-zA-Z0-9_]{0,47}`, want: `^(?:[a-zA-Z][a-zA-Z0-9_]{0,47})$`,
			match: []string{"a", "agent_x"}, noMatch: []string{"a-b", "x agent", "_a", ""},
		},
		{
			// Alternation stays anchored as a whole.
			model: `aws\.browser\.v1|[a-z]{3}`, want: `^(?:aws\.browser\.v1|[a-z]{3})$`,
			match: []string{"aws.browser.v1", "abc"}, noMatch: []string{"aws.browser.v1x", "xabc", "abcd"},
		},
		{
			// RE2 rejects repeat counts above 1000.
			model: `[\s\S]{1,2048}`, want: `^(?:[\s\S]{1,})$`,
			match: []string{"x"}, noMatch: []string{""},
		},
		{
			model: `.{0,1000}x{2,5000}`, want: `^(?:.{0,1000}x{2,})$`,
			match: []string{"xx"}, noMatch: []string{"x"},
		},
	}
	for _, tc := range cases {
		got := goPattern(tc.model)
		if got != tc.want {
			t.Errorf("goPattern(%q) = %q, want %q", tc.model, got, tc.want)
			continue
		}
		re := regexp.MustCompile(got)
		for _, s := range tc.match {
			if !re.MatchString(s) {
				t.Errorf("%s does not match %q", got, s)
			}
		}
		for _, s := range tc.noMatch {
			if re.MatchString(s) {
				t.Errorf("%s matches %q", got, s)
			}
		}
	}
}

// Every model pattern compiles in Go and keeps its text for messages.
func TestCommittedPatterns(t *testing.T) {
	n := 0
	for _, s := range model.Shapes {
		if s.PatternText == "" {
			continue
		}
		n++
		if s.Pattern == nil || s.Pattern.String() != goPattern(s.PatternText) {
			t.Errorf("shape %s: pattern %v for %q", s.Name, s.Pattern, s.PatternText)
		}
	}
	if n == 0 {
		t.Error("no patterns in the model")
	}
}

// Generate works from bytes alone and reports what it cannot handle.
func TestGenerateSmallModel(t *testing.T) {
	const small = `{
	  "metadata": {"apiVersion": "2000-01-01"},
	  "operations": {
	    "GetThing": {"name": "GetThing", "http": {"method": "GET", "requestUri": "/things/{id}"},
	      "input": {"shape": "GetThingRequest"}, "output": {"shape": "GetThingResponse"},
	      "errors": [{"shape": "NotFound"}]}
	  },
	  "shapes": {
	    "GetThingRequest": {"type": "structure", "required": ["id"], "members": {
	      "id": {"shape": "Id", "location": "uri", "locationName": "id"}}},
	    "GetThingResponse": {"type": "structure", "members": {
	      "zeta": {"shape": "Id"}, "alpha": {"shape": "When"}, "state": {"shape": "State"}}},
	    "Id": {"type": "string", "min": 1, "max": 5000, "pattern": "[a-z]{1,5000}"},
	    "When": {"type": "timestamp", "timestampFormat": "iso8601"},
	    "State": {"type": "string", "enum": ["READY", "CREATE_FAILED"]},
	    "NotFound": {"type": "structure", "members": {"message": {"shape": "Id"}}, "exception": true,
	      "error": {"httpStatusCode": 404}}
	  }
	}`
	files, err := Generate([]byte(small), "0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	m := string(files["internal/model/zz_generated.go"])
	for _, want := range []string{
		`const BotocoreVersion = "0.0.1"`,
		`{Name: "GetThing", Method: "GET", URI: "/things/{id}", Status: 200,`,
		`Location: InURI, LocationName: "id"`,
		`regexp.MustCompile("^(?:[a-z]{1,})$"), PatternText: "[a-z]{1,5000}"`,
		`TimestampISO: true`,
		`"NotFound": 404,`,
	} {
		if !bytes.Contains([]byte(m), []byte(want)) {
			t.Errorf("model file lacks %s", want)
		}
	}
	types := string(files["internal/api/zz_types.go"])
	for _, want := range []string{`StateReady\s+State = "READY"`, `StateCreateFailed\s+State = "CREATE_FAILED"`, `Alpha\s+DateTime\s+` + "`" + `json:"alpha,omitzero"`} {
		if !regexp.MustCompile(want).MatchString(types) {
			t.Errorf("types file lacks %s", want)
		}
	}
	// Members keep model order (zeta before alpha), not sorted order.
	if z, a := bytes.Index([]byte(types), []byte("Zeta ")), bytes.Index([]byte(types), []byte("Alpha ")); z < 0 || a < 0 || z > a {
		t.Errorf("members out of model order:\n%s", types)
	}

	// Headers are served (the data plane has them); prefixed header maps are not.
	bad := bytes.Replace([]byte(small), []byte(`"location": "uri"`), []byte(`"location": "headers"`), 1)
	if _, err := Generate(bad, "0.0.1"); err == nil {
		t.Error("a headers location was accepted")
	}
	if _, err := Generate([]byte(`{`), "0.0.1"); err == nil {
		t.Error("broken JSON was accepted")
	}
}
