package protocol

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"agentcored/internal/awserr"
	"agentcored/internal/model"
)

func shapeIndex(t testing.TB, name string) int {
	t.Helper()
	for i := range model.Shapes {
		if model.Shapes[i].Name == name {
			return i
		}
	}
	t.Fatalf("no shape %s", name)
	return 0
}

// jsonValue decodes JSON the way Decode does (numbers stay json.Number).
func jsonValue(t testing.TB, s string) any {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("bad test JSON %s: %v", s, err)
	}
	return v
}

// validateAt validates one value of a shape found at path "p".
func validateAt(t testing.TB, shape, value string) *awserr.Error {
	t.Helper()
	var vs []violation
	validateValue(shapeIndex(t, shape), jsonValue(t, value), "p", &vs)
	if len(vs) == 0 {
		return nil
	}
	return validationError(vs)
}

func validateInput(t testing.TB, operation, doc string) *awserr.Error {
	t.Helper()
	op := model.OperationByName(operation)
	if op == nil {
		t.Fatalf("no operation %s", operation)
	}
	return Validate(op.Input, jsonValue(t, doc).(map[string]any))
}

const (
	fieldFailed = awserr.ReasonFieldValidation
	parseFailed = awserr.ReasonCannotParse
)

type validationCase struct {
	name    string
	shape   string // validate a value of this shape at path "p"...
	op      string // ...or the whole input of this operation
	value   string
	reason  string // "" when the value is valid
	message string // exact message; "" to skip
	fields  []string
}

func runValidationCases(t *testing.T, cases []validationCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var err *awserr.Error
			if tc.op != "" {
				err = validateInput(t, tc.op, tc.value)
			} else {
				err = validateAt(t, tc.shape, tc.value)
			}
			if tc.reason == "" {
				if err != nil {
					t.Fatalf("valid value rejected: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("invalid value accepted")
			}
			if err.Code != awserr.CodeValidation || err.Reason != tc.reason {
				t.Errorf("code %s reason %s, want ValidationException %s", err.Code, err.Reason, tc.reason)
			}
			if tc.message != "" && err.Message != tc.message {
				t.Errorf("message\n got %q\nwant %q", err.Message, tc.message)
			}
			var names []string
			for _, f := range err.Fields {
				names = append(names, f.Name)
				if f.Message == "" {
					t.Errorf("field %s has no message", f.Name)
				}
			}
			if strings.Join(names, ",") != strings.Join(tc.fields, ",") {
				t.Errorf("fields %v, want %v", names, tc.fields)
			}
		})
	}
}

func TestValidateConstraints(t *testing.T) {
	const pre = "1 validation error detected: "
	runValidationCases(t, []validationCase{
		// Required.
		{name: "required missing", op: "CreateWorkloadIdentity", value: `{}`, reason: fieldFailed, fields: []string{"name"},
			message: pre + "Value null at 'name' failed to satisfy constraint: Member must not be null"},
		{name: "required null", op: "CreateWorkloadIdentity", value: `{"name":null}`, reason: fieldFailed, fields: []string{"name"}},
		{name: "required present", op: "CreateWorkloadIdentity", value: `{"name":"wi-1"}`},
		{name: "optional null", op: "CreateWorkloadIdentity", value: `{"name":"wi-1","tags":null}`},
		{name: "nested required", op: "CreateAgentRuntime", reason: fieldFailed, fields: []string{"networkConfiguration.networkMode"},
			value:   `{"agentRuntimeName":"a","roleArn":"arn:aws:iam::123456789012:role/r","agentRuntimeArtifact":{"containerConfiguration":{"containerUri":"public.ecr.aws/a/b"}},"networkConfiguration":{}}`,
			message: pre + "Value null at 'networkConfiguration.networkMode' failed to satisfy constraint: Member must not be null"},

		// String length, counted in UTF-16 code units.
		{name: "string too short", shape: "WorkloadIdentityNameType", value: `"ab"`, reason: fieldFailed, fields: []string{"p"},
			message: pre + "Value 'ab' at 'p' failed to satisfy constraint: Member must have length greater than or equal to 3"},
		{name: "string too long", shape: "TagValue", value: `"` + strings.Repeat("v", 257) + `"`, reason: fieldFailed, fields: []string{"p"},
			message: pre + "Value '" + strings.Repeat("v", 257) + "' at 'p' failed to satisfy constraint: Member must have length less than or equal to 256"},
		{name: "string at max", shape: "TagValue", value: `"` + strings.Repeat("v", 256) + `"`},
		{name: "string at min", shape: "TagValue", value: `""`},
		{name: "astral chars count twice", shape: "UpdateRegistryRecordStatusRequestStatusReasonString", value: `"` + strings.Repeat("😀", 128) + `"`,
			reason: fieldFailed, fields: []string{"p"}},
		{name: "BMP chars count once", shape: "UpdateRegistryRecordStatusRequestStatusReasonString", value: `"` + strings.Repeat("é", 255) + `"`},

		// Pattern: whole-string match, message quotes the model's text.
		{name: "pattern mismatch", shape: "AgentRuntimeName", value: `"a-b"`, reason: fieldFailed, fields: []string{"p"},
			message: pre + "Value 'a-b' at 'p' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z][a-zA-Z0-9_]{0,47}"},
		{name: "pattern anchored at end", shape: "AgentRuntimeName", value: `"ab cd"`, reason: fieldFailed, fields: []string{"p"}},
		{name: "pattern anchored at start", shape: "AgentRuntimeId", value: `"x agent_x-abcdefghij"`, reason: fieldFailed, fields: []string{"p"}},
		{name: "pattern match", shape: "AgentRuntimeId", value: `"agent_x-abcdefghij"`},
		{name: "length and pattern both fail", shape: "WorkloadIdentityNameType", value: `"a!"`, reason: fieldFailed, fields: []string{"p", "p"},
			message: "2 validation errors detected: Value 'a!' at 'p' failed to satisfy constraint: Member must have length greater than or equal to 3; " +
				"Value 'a!' at 'p' failed to satisfy constraint: Member must satisfy regular expression pattern: [A-Za-z0-9_.-]+"},

		// Enum.
		{name: "enum not in set", shape: "NetworkMode", value: `"PRIVATE"`, reason: fieldFailed, fields: []string{"p"},
			message: pre + "Value 'PRIVATE' at 'p' failed to satisfy constraint: Member must satisfy enum value set: [PUBLIC, VPC]"},
		{name: "enum is case-sensitive", shape: "NetworkMode", value: `"public"`, reason: fieldFailed, fields: []string{"p"}},
		{name: "enum in set", shape: "NetworkMode", value: `"VPC"`},

		// Numbers.
		{name: "integer below min", op: "ListWorkloadIdentities", value: `{"maxResults":0}`, reason: fieldFailed, fields: []string{"maxResults"},
			message: pre + "Value '0' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1"},
		{name: "integer above max", shape: "MaxResults", value: `101`, reason: fieldFailed, fields: []string{"p"},
			message: pre + "Value '101' at 'p' failed to satisfy constraint: Member must have value less than or equal to 100"},
		{name: "integer in range", shape: "MaxResults", value: `100`},
		{name: "negative integer", shape: "MaxResults", value: `-1`, reason: fieldFailed, fields: []string{"p"}},
		{name: "double below min", shape: "SamplingConfigSamplingPercentageDouble", value: `0.001`, reason: fieldFailed, fields: []string{"p"},
			message: pre + "Value '0.001' at 'p' failed to satisfy constraint: Member must have value greater than or equal to 0.01"},
		{name: "double above max", shape: "SamplingConfigSamplingPercentageDouble", value: `100.5`, reason: fieldFailed, fields: []string{"p"},
			message: pre + "Value '100.5' at 'p' failed to satisfy constraint: Member must have value less than or equal to 100"},
		{name: "double from integer literal", shape: "SamplingConfigSamplingPercentageDouble", value: `50`},
		{name: "double with exponent", shape: "SamplingConfigSamplingPercentageDouble", value: `1e1`},
		{name: "double out of float64", shape: "SamplingConfigSamplingPercentageDouble", value: `1e400`, reason: parseFailed, fields: []string{"p"}},

		// List size and elements.
		{name: "list too short", shape: "RequestHeaderAllowlist", value: `[]`, reason: fieldFailed, fields: []string{"p"},
			message: pre + "Value '[]' at 'p' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{name: "list too long", shape: "RequestHeaderAllowlist", value: `[` + strings.Repeat(`"h",`, 20) + `"h"]`, reason: fieldFailed, fields: []string{"p"},
			message: pre + "Value '[" + strings.Repeat("h, ", 20) + "h]' at 'p' failed to satisfy constraint: Member must have length less than or equal to 20"},
		{name: "list elements reported once at the list", shape: "RequestHeaderAllowlist", value: `["ok","1bad","2bad",""]`, reason: fieldFailed, fields: []string{"p"},
			message: pre + "Value '[ok, 1bad, 2bad, ]' at 'p' failed to satisfy constraint: Member must satisfy constraint: " +
				"[Member must satisfy regular expression pattern: [A-Za-z][A-Za-z0-9_-]{0,255}, Member must have length greater than or equal to 1]"},
		{name: "list null element", shape: "RequestHeaderAllowlist", value: `["ok",null]`, reason: fieldFailed, fields: []string{"p"},
			message: pre + "Value '[ok, null]' at 'p' failed to satisfy constraint: Member must satisfy constraint: [Member must not be null]"},
		{name: "list valid", shape: "RequestHeaderAllowlist", value: `["X-Amz-Custom","Authorization"]`},
		{name: "list of structures: path of a member", op: "CreateGatewayRule", reason: fieldFailed,
			value:   `{"gatewayIdentifier":"gw-abcdefghij","priority":1,"actions":[{"routeToTarget":{"staticRoute":{"targetName":"t"}}},{"routeToTarget":{"staticRoute":{}}}]}`,
			fields:  []string{"actions.2.member.routeToTarget.staticRoute.targetName"},
			message: pre + "Value null at 'actions.2.member.routeToTarget.staticRoute.targetName' failed to satisfy constraint: Member must not be null"},
		{name: "list of structures: null element", op: "CreateGatewayRule", reason: fieldFailed,
			value:  `{"gatewayIdentifier":"gw-abcdefghij","priority":1,"actions":[null]}`,
			fields: []string{"actions.1.member"}},

		// Map size, keys and values.
		{name: "map too large", shape: "TagsMap", value: tagsJSON(51), reason: fieldFailed, fields: []string{"p"}},
		{name: "map at max", shape: "TagsMap", value: tagsJSON(50)},
		{name: "map too small (its values are sensitive)", shape: "OAuthCustomParameters", value: `{}`, reason: fieldFailed, fields: []string{"p"},
			message: pre + "Value '*** Sensitive Data Redacted ***' at 'p' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{name: "map key", shape: "TagsMap", value: `{"":"v","ok":"v"}`, reason: fieldFailed, fields: []string{"p"},
			message: pre + "Value '{=v, ok=v}' at 'p' failed to satisfy constraint: Map keys must satisfy constraint: [Member must have length greater than or equal to 1]"},
		{name: "map value", shape: "TagsMap", value: `{"k":"bad!"}`, reason: fieldFailed, fields: []string{"p"},
			message: pre + "Value '{k=bad!}' at 'p' failed to satisfy constraint: Map value must satisfy constraint: [Member must satisfy regular expression pattern: [a-zA-Z0-9\\s._:/=+@-]*]"},

		// Unions.
		{name: "union with no member", shape: "AgentRuntimeArtifact", value: `{}`, reason: fieldFailed, fields: []string{"p"},
			message: pre + "Value null at 'p' failed to satisfy constraint: Member must have exactly one of [containerConfiguration, codeConfiguration] set, found 0"},
		{name: "unknown member in a union is ignored", shape: "RequestHeaderConfiguration", value: `{"requestHeaderAllowlist":["a"],"other":1}`},
		{name: "union member null counts as unset", shape: "AgentRuntimeArtifact", value: `{"containerConfiguration":{"containerUri":"public.ecr.aws/a/b"},"codeConfiguration":null}`},
		{name: "union with two set", shape: "AgentRuntimeArtifact", reason: fieldFailed, fields: []string{"p"},
			value:   `{"containerConfiguration":{"containerUri":"public.ecr.aws/a/b"},"codeConfiguration":{"code":{"s3":{"bucket":"bkt","prefix":"p"}},"runtime":"PYTHON_3_12","entryPoint":["m.py"]}}`,
			message: pre + "Value null at 'p' failed to satisfy constraint: Member must have exactly one of [containerConfiguration, codeConfiguration] set, found 2"},
		{name: "union in input keeps the member path", op: "CreateAgentRuntime", reason: fieldFailed, fields: []string{"agentRuntimeArtifact"},
			value: `{"agentRuntimeName":"a","roleArn":"arn:aws:iam::123456789012:role/r","agentRuntimeArtifact":{},"networkConfiguration":{"networkMode":"PUBLIC"}}`},

		// Wrong JSON types are CannotParse.
		{name: "number for string", shape: "AgentRuntimeName", value: `42`, reason: parseFailed, fields: []string{"p"},
			message: pre + "Value '42' at 'p' could not be parsed: expected a string"},
		{name: "string for integer", shape: "MaxResults", value: `"10"`, reason: parseFailed, fields: []string{"p"},
			message: pre + "Value '10' at 'p' could not be parsed: expected a number"},
		{name: "fraction for integer", shape: "MaxResults", value: `1.5`, reason: parseFailed, fields: []string{"p"},
			message: pre + "Value '1.5' at 'p' could not be parsed: expected an integer"},
		{name: "integer beyond 32 bits", shape: "MaxResults", value: `2147483648`, reason: parseFailed, fields: []string{"p"}},
		{name: "string for boolean", op: "CreateOnlineEvaluationConfig", reason: parseFailed, fields: []string{"enableOnCreate"},
			value: `{"onlineEvaluationConfigName":"o","rule":{"samplingConfig":{"samplingPercentage":1}},"dataSourceConfig":{"cloudWatchLogs":{"logGroupNames":["g"],"serviceNames":["s"]}},` +
				`"evaluators":[{"evaluatorId":"Builtin.X"}],"evaluationExecutionRoleArn":"arn:aws:iam::123456789012:role/r","enableOnCreate":"true"}`},
		{name: "list for structure", shape: "NetworkConfiguration", value: `["PUBLIC"]`, reason: parseFailed, fields: []string{"p"},
			message: pre + "Value '[PUBLIC]' at 'p' could not be parsed: expected an object"},
		{name: "object for list", shape: "RequestHeaderAllowlist", value: `{"a":"b"}`, reason: parseFailed, fields: []string{"p"}},
		{name: "list for map", shape: "TagsMap", value: `["a"]`, reason: parseFailed, fields: []string{"p"}},
		{name: "number in a string list", shape: "RequestHeaderAllowlist", value: `["a",7]`, reason: parseFailed, fields: []string{"p.2.member"}},
		{name: "number as map value", shape: "TagsMap", value: `{"k":7}`, reason: parseFailed, fields: []string{"p.k.member"}},
		{name: "bad timestamp text", shape: "DateTimestamp", value: `"yesterday"`, reason: parseFailed, fields: []string{"p"}},
		{name: "timestamp text", shape: "DateTimestamp", value: `"2025-01-02T03:04:05Z"`},
		{name: "timestamp number", shape: "Timestamp", value: `1700000000.5`},
		{name: "boolean for timestamp", shape: "Timestamp", value: `true`, reason: parseFailed, fields: []string{"p"}},
		{name: "document takes anything", shape: "Document", value: `[1,{"a":null},"x"]`},

		// A parse failure anywhere makes the reason CannotParse.
		{name: "mixed failures", op: "CreateWorkloadIdentity", value: `{"name":"a","tags":{"k":1}}`, reason: parseFailed,
			fields: []string{"name", "tags.k.member"}},
	})
}

func tagsJSON(n int) string {
	var b bytes.Buffer
	b.WriteString("{")
	for i := range n {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString(`"k` + strings.Repeat("x", i) + `":"v"`)
	}
	b.WriteString("}")
	return b.String()
}

// Nothing sensitive is ever echoed in a message, however deep it sits.
func TestValidateRedactsSensitiveValues(t *testing.T) {
	const secret = "s3cr3t"
	cases := []struct {
		name, shape, value string
		wantValue          string // the quoted value in the message
	}{
		{"sensitive string too long", "DefaultClientSecretType", `"` + secret + strings.Repeat("x", 2048) + `"`, "'*** Sensitive Data Redacted ***'"},
		{"sensitive string wrong type", "DefaultApiKeyType", `["` + secret + `"]`, "'*** Sensitive Data Redacted ***'"},
		{"sensitive map too large", "EnvironmentVariablesMap", envJSON(51, secret), "'*** Sensitive Data Redacted ***'"},
		{"sensitive map bad key", "EnvironmentVariablesMap", `{"":"` + secret + `"}`, "'*** Sensitive Data Redacted ***'"},
		// The map is not sensitive, its values are.
		{"map of sensitive values too large", "OAuthCustomParameters", envJSON(11, secret), "'*** Sensitive Data Redacted ***'"},
		{"map of sensitive values, bad key", "OAuthCustomParameters", `{"":"` + secret + `"}`, "'*** Sensitive Data Redacted ***'"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := validateAt(t, tc.shape, tc.value)
			if err == nil {
				t.Fatal("invalid value accepted")
			}
			if strings.Contains(err.Message, secret) {
				t.Errorf("message leaks the secret: %s", err.Message)
			}
			if !strings.Contains(err.Message, "Value "+tc.wantValue+" at 'p'") {
				t.Errorf("message %q lacks value %s", err.Message, tc.wantValue)
			}
		})
	}

	// A sensitive member inside a structure inside a too-long list.
	var vs []violation
	list := jsonValue(t, `[{"clientId":"c","clientSecret":"`+secret+`"}]`)
	s := &model.Shapes[shapeIndex(t, "GoogleOauth2ProviderConfigInput")]
	if got := render(s, list.([]any)[0]); got != "{clientId=c, clientSecret=*** Sensitive Data Redacted ***}" {
		t.Errorf("render = %q", got)
	}
	validateValue(shapeIndex(t, "Description"), jsonValue(t, `"`+strings.Repeat(secret, 1000)+`"`), "description", &vs)
	if len(vs) != 1 || strings.Contains(vs[0].message(), secret) {
		t.Errorf("violations %+v", vs)
	}
}

func envJSON(n int, secret string) string {
	var b bytes.Buffer
	b.WriteString("{")
	for i := range n {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString(`"K` + strings.Repeat("x", i) + `":"` + secret + `"`)
	}
	b.WriteString("}")
	return b.String()
}

func TestValidateMessageOrderAndCount(t *testing.T) {
	err := validateInput(t, "CreateAgentRuntime", `{}`)
	if err == nil {
		t.Fatal("empty input accepted")
	}
	// networkConfiguration is optional since botocore 1.43.67's model.
	want := "3 validation errors detected: " +
		"Value null at 'agentRuntimeName' failed to satisfy constraint: Member must not be null; " +
		"Value null at 'agentRuntimeArtifact' failed to satisfy constraint: Member must not be null; " +
		"Value null at 'roleArn' failed to satisfy constraint: Member must not be null"
	if err.Message != want {
		t.Errorf("message\n got %q\nwant %q", err.Message, want)
	}
	if len(err.Fields) != 3 || err.Reason != fieldFailed || err.Status() != 400 {
		t.Errorf("fields %v reason %s status %d", err.Fields, err.Reason, err.Status())
	}
}

func TestUTF16Len(t *testing.T) {
	for s, want := range map[string]int{"": 0, "abc": 3, "é": 1, "日本": 2, "😀": 2, "a😀b": 4, "\xff\xfe": 2} {
		if got := utf16Len(s); got != want {
			t.Errorf("utf16Len(%q) = %d, want %d", s, got, want)
		}
	}
}

func TestJavaString(t *testing.T) {
	v := jsonValue(t, `{"b":[1,"x",true,null],"a":{"k":"v"}}`)
	if got := javaString(v); got != "{a={k=v}, b=[1, x, true, null]}" {
		t.Errorf("javaString = %q", got)
	}
}
