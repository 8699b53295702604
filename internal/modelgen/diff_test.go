package modelgen

import (
	"bytes"
	"strings"
	"testing"
)

// diffBase is a small model the cases below change one fact of.
const diffBase = `{
  "metadata": {"apiVersion": "2000-01-01"},
  "operations": {
    "GetThing": {"name": "GetThing", "http": {"method": "GET", "requestUri": "/things/{id}", "responseCode": 200},
      "input": {"shape": "GetThingRequest"}, "output": {"shape": "GetThingResponse"},
      "errors": [{"shape": "NotFound"}]}
  },
  "shapes": {
    "GetThingRequest": {"type": "structure", "required": ["id"], "members": {
      "id": {"shape": "Id", "location": "uri", "locationName": "id"},
      "token": {"shape": "Id", "idempotencyToken": true}}},
    "GetThingResponse": {"type": "structure", "members": {"state": {"shape": "State"}, "config": {"shape": "Config"}}},
    "Config": {"type": "structure", "members": {"size": {"shape": "Size"}}},
    "Id": {"type": "string", "min": 1, "max": 64, "pattern": "[a-z]+"},
    "Size": {"type": "integer", "min": 1},
    "State": {"type": "string", "enum": ["READY", "FAILED"]},
    "NotFound": {"type": "structure", "members": {}, "exception": true, "error": {"httpStatusCode": 404}}
  }
}`

func TestDiffModels(t *testing.T) {
	cases := []struct {
		name     string
		old, new string // replacements applied to diffBase: old → new
		want     []string
		oneWay   bool // the reverse diff lists fewer changes (a removed member's required flag is not listed)
	}{
		{name: "same model", want: nil},
		{
			name: "operation added",
			old:  `"operations": {`,
			new:  `"operations": {"ListThings": {"name": "ListThings", "http": {"method": "GET", "requestUri": "/things"}, "input": {"shape": "Config"}, "output": {"shape": "Config"}},`,
			want: []string{"+ operation ListThings: GET /things"},
		},
		{
			name: "URI and method",
			old:  `"method": "GET", "requestUri": "/things/{id}"`,
			new:  `"method": "POST", "requestUri": "/things/{id}/get"`,
			want: []string{"~ http GetThing: GET /things/{id} → POST /things/{id}/get"},
		},
		{
			name: "success status",
			old:  `"responseCode": 200`, new: `"responseCode": 202`,
			want: []string{"~ http GetThing: status 200 → 202"},
		},
		{
			name: "error added",
			old:  `[{"shape": "NotFound"}]`, new: `[{"shape": "NotFound"}, {"shape": "Conflict"}]`,
			want: []string{"+ errors GetThing: Conflict"},
		},
		{
			name: "shape added, member added",
			old:  `"members": {"size": {"shape": "Size"}}`,
			new:  `"members": {"size": {"shape": "Size"}, "mode": {"shape": "Mode"}}}, "Mode": {"type": "string", "enum": ["A"]`,
			want: []string{"+ shape Mode: enum, 1 values", "+ member Config.mode: Mode"},
		},
		{
			name: "member removed, shape retargeted",
			old:  `"state": {"shape": "State"}, "config": {"shape": "Config"}`,
			new:  `"state": {"shape": "Id"}`,
			want: []string{"- member GetThingResponse.config: Config", "~ member GetThingResponse.state: shape State → Id"},
		},
		{
			name: "member moved to the query string",
			old:  `"location": "uri", "locationName": "id"`, new: `"location": "querystring", "locationName": "thingId"`,
			want: []string{"~ member GetThingRequest.id: location uri:id → querystring:thingId"},
		},
		{
			name: "became optional",
			old:  `"required": ["id"]`, new: `"required": []`,
			want: []string{"- required GetThingRequest.id"},
		},
		{
			name: "became required",
			old:  `"type": "structure", "members": {"size"`, new: `"type": "structure", "required": ["size"], "members": {"size"`,
			want: []string{"+ required Config.size"},
		},
		{
			name:   "new required member",
			old:    `"type": "structure", "members": {"size": {"shape": "Size"}}`,
			new:    `"type": "structure", "required": ["count"], "members": {"size": {"shape": "Size"}, "count": {"shape": "Size"}}`,
			want:   []string{"+ member Config.count: Size", "+ required Config.count: new member"},
			oneWay: true,
		},
		{
			name: "enum values",
			old:  `["READY", "FAILED"]`, new: `["READY", "DELETING"]`,
			want: []string{"+ enum State: DELETING", "- enum State: FAILED"},
		},
		{
			name: "constraints",
			old:  `"min": 1, "max": 64, "pattern": "[a-z]+"`, new: `"min": 2, "pattern": "[a-z0-9]+"`,
			want: []string{`~ constraint Id: max 64 → (none)`, `~ constraint Id: min 1 → 2`, `~ constraint Id: pattern "[a-z]+" → "[a-z0-9]+"`},
		},
		{
			name: "traits",
			old:  `"idempotencyToken": true}}}`, new: `"idempotencyToken": false}}}`,
			want: []string{"- trait GetThingRequest.token: idempotencyToken"},
		},
		{
			name: "sensitive",
			old:  `"type": "integer", "min": 1}`, new: `"type": "integer", "min": 1, "sensitive": true}`,
			want: []string{"+ trait Size: sensitive"},
		},
		{
			name: "error status",
			old:  `"httpStatusCode": 404`, new: `"httpStatusCode": 410`,
			want: []string{"~ trait NotFound: error status 404 → 410"},
		},
		{
			name: "type changed",
			old:  `"Size": {"type": "integer", "min": 1}`, new: `"Size": {"type": "long", "min": 1}`,
			want: []string{"~ shape Size: type integer → long"},
		},
		{
			name: "operation removed",
			old: `"operations": {
    "GetThing"`,
			new: `"operations": {
    "GotThing"`,
			want: []string{"- operation GetThing: GET /things/{id}", "+ operation GotThing: GET /things/{id}"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			newModel := diffBase
			if tc.old != "" {
				if !strings.Contains(diffBase, tc.old) {
					t.Fatalf("base model lacks %q", tc.old)
				}
				newModel = strings.Replace(diffBase, tc.old, tc.new, 1)
			}
			cs, err := DiffModels([]byte(diffBase), []byte(newModel))
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, c := range cs {
				got = append(got, c.String())
			}
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("got\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(tc.want, "\n  "))
			}
			// The reverse diff has as many changes.
			back, err := DiffModels([]byte(newModel), []byte(diffBase))
			if err != nil {
				t.Fatal(err)
			}
			if !tc.oneWay && len(back) != len(cs) {
				t.Errorf("reverse diff has %d changes, forward %d", len(back), len(cs))
			}
		})
	}
	if _, err := DiffModels([]byte(`{`), []byte(diffBase)); err == nil {
		t.Error("broken old model accepted")
	}
}

func TestWriteMarkdown(t *testing.T) {
	cs := []Change{
		{Kind: KindOperation, Action: Added, Subject: "ListThings", Detail: "GET /things"},
		{Kind: KindConstraint, Action: Changed, Subject: "Id", Detail: "pattern \"`\" → \"x\""},
	}
	var b bytes.Buffer
	WriteMarkdown(&b, "T", cs)
	out := b.String()
	for _, want := range []string{
		"# T\n",
		"| operation | 1 | 0 | 0 |",
		"| constraint | 0 | 0 | 1 |",
		"## operation\n\n- `+ operation ListThings: GET /things`\n",
		"- `` ~ constraint Id: pattern \"`\" → \"x\" ``\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "## trait") {
		t.Errorf("empty section written:\n%s", out)
	}
}
