package modelgen

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"testing"

	"agentcored/internal/model"
)

// moduleRoot is where the generated files live, relative to this package.
const moduleRoot = "../.."

func installedBotocore(t *testing.T) string {
	t.Helper()
	dir, err := FindBotocore()
	if err != nil {
		t.Skipf("botocore is not installed (pip install botocore==%s to run this test): %v", model.BotocoreVersion, err)
	}
	if _, err := os.Stat(filepath.Join(dir, ModelPath)); err != nil {
		t.Skipf("botocore at %s has no bedrock-agentcore-control model: %v", dir, err)
	}
	return dir
}

// TestGeneratedFilesUpToDate regenerates from the installed botocore and
// compares with the committed files byte for byte.
func TestGeneratedFilesUpToDate(t *testing.T) {
	dir := installedBotocore(t)
	files, err := GenerateFromBotocore(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"internal/api/zz_operations.go", "internal/api/zz_types.go", "internal/model/zz_generated.go"}
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
			t.Errorf("%s differs from what modelgen generates from botocore at %s; run `go run ./cmd/modelgen`", name, dir)
		}
	}
}

// TestDeterministic generates twice: map order must not leak into the output.
func TestDeterministic(t *testing.T) {
	dir := installedBotocore(t)
	a, err := GenerateFromBotocore(dir)
	if err != nil {
		t.Fatal(err)
	}
	b, err := GenerateFromBotocore(dir)
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
	if model.BotocoreVersion != "1.43.11" {
		t.Errorf("BotocoreVersion = %q, want 1.43.11", model.BotocoreVersion)
	}
	if len(model.Operations) != 136 {
		t.Errorf("%d operations, want 136", len(model.Operations))
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

// TestModelSHA256 checks the recorded sum against the installed model.
func TestModelSHA256(t *testing.T) {
	dir := installedBotocore(t)
	gz, err := os.ReadFile(filepath.Join(dir, ModelPath))
	if err != nil {
		t.Fatal(err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(raw)
	if got := hex.EncodeToString(sum[:]); got != model.ModelSHA256 {
		t.Errorf("installed model sha256 %s, committed tables from %s", got, model.ModelSHA256)
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

	bad := bytes.Replace([]byte(small), []byte(`"location": "uri"`), []byte(`"location": "header"`), 1)
	if _, err := Generate(bad, "0.0.1"); err == nil {
		t.Error("a header location was accepted")
	}
	if _, err := Generate([]byte(`{`), "0.0.1"); err == nil {
		t.Error("broken JSON was accepted")
	}
}
