package modelgen

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"agentcored/internal/model"
)

// A small model and overlay: the overlay adds PutThing and the shapes it needs,
// and repeats the model's Id (identical, so allowed).
const (
	baseModel = `{
	  "metadata": {"apiVersion": "2000-01-01"},
	  "operations": {
	    "GetThing": {"name": "GetThing", "http": {"method": "GET", "requestUri": "/things/{id}"},
	      "input": {"shape": "GetThingRequest"}, "output": {"shape": "GetThingResponse"}}
	  },
	  "shapes": {
	    "GetThingRequest": {"type": "structure", "required": ["id"], "members": {
	      "id": {"shape": "Id", "location": "uri", "locationName": "id"}}},
	    "GetThingResponse": {"type": "structure", "members": {"id": {"shape": "Id"}}},
	    "Id": {"type": "string", "min": 1, "max": 5}
	  }
	}`
	baseOverlay = `{
	  "operations": {
	    "PutThing": {"name": "PutThing", "http": {"method": "PUT", "requestUri": "/things/{id}", "responseCode": 202},
	      "input": {"shape": "PutThingRequest"}, "output": {"shape": "PutThingResponse"}}
	  },
	  "shapes": {
	    "PutThingRequest": {"type": "structure", "required": ["id"], "members": {
	      "id": {"shape": "Id", "location": "uri", "locationName": "id"},
	      "zeta": {"shape": "Color"}, "alpha": {"shape": "Token", "idempotencyToken": true}}},
	    "PutThingResponse": {"type": "structure", "members": {"id": {"shape": "Id"}}},
	    "Color": {"type": "string", "enum": ["RED"]},
	    "Token": {"type": "string"},
	    "Id": {"max": 5, "min": 1, "type": "string"}
	  }
	}`
)

func TestMergeOverlay(t *testing.T) {
	for _, tc := range []struct {
		name    string
		model   string
		overlay string
		wantOps []string
		wantErr string
	}{
		{name: "adds operations and shapes", model: baseModel, overlay: baseOverlay, wantOps: []string{"GetThing", "PutThing"}},
		{name: "empty overlay", model: baseModel, overlay: `{"operations": {}, "shapes": {}}`, wantOps: []string{"GetThing"}},
		{name: "shape differs from the model", model: baseModel,
			overlay: strings.Replace(baseOverlay, `"Id": {"max": 5,`, `"Id": {"max": 6,`, 1), wantErr: "shapes Id differs"},
		{name: "operation differs from the model", model: baseModel,
			overlay: `{"operations": {"GetThing": {"name": "GetThing", "http": {"method": "POST", "requestUri": "/things/{id}"}}}, "shapes": {}}`,
			wantErr: "operations GetThing differs"},
		{name: "operation identical to the model", model: baseModel,
			overlay: `{"operations": {"GetThing": {"name": "GetThing", "http": {"requestUri": "/things/{id}", "method": "GET"},
			  "input": {"shape": "GetThingRequest"}, "output": {"shape": "GetThingResponse"}}}, "shapes": {}}`,
			wantOps: []string{"GetThing"}},
		{name: "broken overlay", model: baseModel, overlay: `{`, wantErr: "parse overlay"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := checkMerge(t, tc.model, tc.overlay, tc.wantErr)
			if m == nil {
				return
			}
			var ops []string
			for name := range m.Operations {
				ops = append(ops, name)
			}
			if !reflect.DeepEqual(sortedStrings(ops), tc.wantOps) {
				t.Errorf("operations %v, want %v", ops, tc.wantOps)
			}
			// Members keep overlay order through the merge.
			if s, ok := m.Shapes["PutThingRequest"]; ok {
				var names []string
				for _, mem := range s.members {
					names = append(names, mem.Name)
				}
				if !reflect.DeepEqual(names, []string{"id", "zeta", "alpha"}) {
					t.Errorf("PutThingRequest members %v", names)
				}
			}
		})
	}
}

// checkMerge merges the overlay into the model and parses the result; with
// wantErr it checks the merge fails so and returns nil.
func checkMerge(t *testing.T, model, overlay, wantErr string) *rawModel {
	t.Helper()
	merged, err := MergeOverlay([]byte(model), []byte(overlay))
	if wantErr != "" {
		if err == nil || !strings.Contains(err.Error(), wantErr) {
			t.Fatalf("err = %v, want %q", err, wantErr)
		}
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	m, err := parseModel(merged)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// The merged model generates: the overlay's operation is routed with its
// status, idempotency token and location, and the overlay's sum is recorded.
func TestGenerateWithOverlay(t *testing.T) {
	files, err := GenerateWithOverlay([]byte(baseModel), []byte(baseOverlay), "0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	m := string(files["internal/model/zz_generated.go"])
	for _, want := range []string{
		`Method: "PUT", URI: "/things/{id}", Status: 202,`,
		`TokenMember: "alpha"`,
		`OverlaySHA256 = "` + sha([]byte(baseOverlay)) + `"`,
		`OverlayOperations = []string{"PutThing"}`,
		`ModelSHA256 = "` + sha([]byte(baseModel)) + `"`,
	} {
		if !strings.Contains(m, want) {
			t.Errorf("model file lacks %s", want)
		}
	}
}

func TestDropDefined(t *testing.T) {
	// newModel is baseModel once a botocore release has PutThing (and Color).
	withPut := func(color string) string {
		var m map[string]map[string]json.RawMessage
		if err := json.Unmarshal([]byte(baseModel), &m); err != nil {
			t.Fatal(err)
		}
		var o overlayFile
		if err := json.Unmarshal([]byte(baseOverlay), &o); err != nil {
			t.Fatal(err)
		}
		m["operations"]["PutThing"] = o.Operations["PutThing"]
		for _, n := range []string{"PutThingRequest", "PutThingResponse", "Token"} {
			m["shapes"][n] = o.Shapes[n]
		}
		m["shapes"]["Color"] = json.RawMessage(color)
		b, _ := json.Marshal(m)
		return string(b)
	}
	onlyColor := strings.Replace(baseModel, `"Id": {`, `"Color": {"type": "string", "enum": ["RED", "BLUE"]}, "Id": {`, 1)
	for _, tc := range []struct {
		name      string
		model     string
		want      DropReport
		wantGone  bool     // the overlay has no operation left
		wantShape []string // shapes left in the overlay
	}{
		{name: "nothing defined yet", model: baseModel,
			want: DropReport{Shapes: []string{"Id"}}, wantShape: []string{"Color", "PutThingRequest", "PutThingResponse", "Token"}},
		{name: "model defines the operation", model: withPut(`{"type": "string", "enum": ["RED"]}`), wantGone: true,
			want: DropReport{Operations: []string{"PutThing"}, Shapes: []string{"Color", "Id", "PutThingRequest", "PutThingResponse", "Token"}}},
		{name: "model defines a shape differently: the model wins", model: onlyColor,
			want: DropReport{Shapes: []string{"Color", "Id"}}, wantShape: []string{"PutThingRequest", "PutThingResponse", "Token"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, o := checkDrop(t, tc.model, baseOverlay, tc.want, tc.wantGone)
			if o == nil {
				return
			}
			if got := sortedKeys(o.Shapes); !reflect.DeepEqual(got, tc.wantShape) {
				t.Errorf("shapes left %v, want %v", got, tc.wantShape)
			}
			// What is left still merges into the new model.
			if _, err := MergeOverlay([]byte(tc.model), out); err != nil {
				t.Error(err)
			}
		})
	}

	// Shapes only a dropped operation used go with it.
	two := strings.Replace(baseOverlay, `"operations": {`, `"operations": {
	    "Ping": {"name": "Ping", "http": {"method": "GET", "requestUri": "/ping"}, "output": {"shape": "PingResponse"}},`, 1)
	two = strings.Replace(two, `"shapes": {`, `"shapes": {"PingResponse": {"type": "structure", "members": {"when": {"shape": "When"}}}, "When": {"type": "timestamp"},`, 1)
	newModel := strings.Replace(baseModel, `"operations": {`, `"operations": {"Ping": {"name": "Ping", "http": {"method": "GET", "requestUri": "/ping"}, "output": {"shape": "Pong"}},`, 1)
	_, r, err := DropDefined([]byte(newModel), []byte(two))
	if err != nil {
		t.Fatal(err)
	}
	if want := (DropReport{Operations: []string{"Ping"}, Shapes: []string{"Id"}, Unused: []string{"PingResponse", "When"}}); !reflect.DeepEqual(r, want) {
		t.Errorf("report %+v, want %+v", r, want)
	}
}

// checkDrop runs DropDefined and checks its report and whether the overlay
// is gone; it returns the overlay left (nil when gone).
func checkDrop(t *testing.T, model, overlay string, want DropReport, wantGone bool) ([]byte, *overlayFile) {
	t.Helper()
	out, r, err := DropDefined([]byte(model), []byte(overlay))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(r, want) {
		t.Errorf("report %+v, want %+v", r, want)
	}
	if wantGone {
		if out != nil {
			t.Errorf("overlay kept:\n%s", out)
		}
		return nil, nil
	}
	o, err := parseOverlay(out)
	if err != nil {
		t.Fatal(err)
	}
	return out, o
}

// DropFromRepo rewrites the overlay in a module root, or removes it.
func TestDropFromRepo(t *testing.T) {
	root := t.TempDir()
	write := func(rel, body string) {
		p := filepath.Join(root, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(ControlModelPath, baseModel)
	write(ControlOverlayPath, baseOverlay)
	r, gone, err := DropFromRepo(root)
	if err != nil || gone || !reflect.DeepEqual(r.Shapes, []string{"Id"}) {
		t.Fatalf("first drop: %+v gone=%v err=%v", r, gone, err)
	}
	write(ControlModelPath, strings.Replace(baseModel, `"operations": {`, `"operations": {"PutThing": {"name": "PutThing"},`, 1))
	r, gone, err = DropFromRepo(root)
	if err != nil || !gone || !reflect.DeepEqual(r.Operations, []string{"PutThing"}) {
		t.Fatalf("second drop: %+v gone=%v err=%v", r, gone, err)
	}
	if b, err := ReadOverlay(root); err != nil || b != nil {
		t.Errorf("overlay still there: %q %v", b, err)
	}
	// No overlay: generation uses the model alone.
	if _, _, err := DropFromRepo(root); err != nil {
		t.Error(err)
	}
}

// The committed overlay is in canonical form, adds only operations the
// botocore copy lacks and relaxes only members it requires (else `modelgen
// upgrade` would have dropped them) and is what the generated tables were
// made from.
func TestCommittedOverlay(t *testing.T) {
	raw, err := ReadOverlay(moduleRoot)
	if err != nil || raw == nil {
		t.Fatalf("overlay: %v", err)
	}
	o, err := parseOverlay(raw)
	if err != nil {
		t.Fatal(err)
	}
	if again, err := o.encode(); err != nil || !bytes.Equal(again, raw) {
		t.Errorf("%s is not in canonical form (err %v)", ControlOverlayPath, err)
	}
	modelJSON, err := os.ReadFile(filepath.Join(moduleRoot, filepath.FromSlash(ControlModelPath)))
	if err != nil {
		t.Fatal(err)
	}
	out, r, err := DropDefined(modelJSON, raw)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Operations) > 0 || len(r.Unused) > 0 || len(r.Optional) > 0 || !bytes.Equal(out, raw) {
		t.Errorf("the overlay has what the model defines or nothing uses: %+v", r)
	}
	if sha(raw) != model.OverlaySHA256 {
		t.Errorf("overlay sha256 %s, generated tables from %s", sha(raw), model.OverlaySHA256)
	}
	if !reflect.DeepEqual(sortedKeys(o.Operations), model.OverlayOperations) {
		t.Errorf("overlay operations %v, generated %v", sortedKeys(o.Operations), model.OverlayOperations)
	}
	// The members aws-sdk-go-v2 v1.81.0 no longer requires (README.md).
	wantOptional := map[string][]string{
		"BrowserSigningConfigInput": {"enabled"},
		"CloudWatchLogsInputConfig": {"logGroupNames"},
		"CreateDatasetRequest":      {"schemaType", "source"},
	}
	if !reflect.DeepEqual(o.Optional, wantOptional) {
		t.Errorf("overlay optional %v, want %v", o.Optional, wantOptional)
	}
}

func sortedStrings(s []string) []string {
	out := append([]string(nil), s...)
	sort.Strings(out)
	return out
}

// optionalModel has a structure with two required members and one optional.
const optionalModel = `{
  "metadata": {"apiVersion": "2000-01-01"},
  "operations": {
    "MakeThing": {"name": "MakeThing", "http": {"method": "POST", "requestUri": "/things"},
      "input": {"shape": "MakeThingRequest"}, "output": {"shape": "MakeThingResponse"}}
  },
  "shapes": {
    "MakeThingResponse": {"type": "structure", "members": {}},
    "MakeThingRequest": {"type": "structure", "required": ["name", "kind", "size"], "members": {
      "name": {"shape": "Id"}, "kind": {"shape": "Id"}, "size": {"shape": "Id"}, "note": {"shape": "Id"}}},
    "Id": {"type": "string"}
  }
}`

// The overlay's optional section removes members from a shape's required
// list; a stale or mistyped entry fails the merge.
func TestMergeOverlayOptional(t *testing.T) {
	for _, tc := range []struct {
		name     string
		optional string
		want     []string // MakeThingRequest's required members after the merge
		wantErr  string
	}{
		{name: "one member", optional: `{"MakeThingRequest": ["kind"]}`, want: []string{"name", "size"}},
		{name: "two members", optional: `{"MakeThingRequest": ["size", "kind"]}`, want: []string{"name"}},
		{name: "every required member", optional: `{"MakeThingRequest": ["name", "kind", "size"]}`, want: nil},
		{name: "no such shape", optional: `{"MakeThingInput": ["kind"]}`, wantErr: "overlay optional MakeThingInput: no such shape"},
		{name: "no such member", optional: `{"MakeThingRequest": ["colour"]}`, wantErr: "overlay optional MakeThingRequest.colour: no such member"},
		{name: "member not required", optional: `{"MakeThingRequest": ["note"]}`, wantErr: "overlay optional MakeThingRequest.note: the member is not required"},
		{name: "listed twice", optional: `{"MakeThingRequest": ["kind", "kind"]}`, wantErr: "MakeThingRequest.kind: the member is not required"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			overlay := `{"optional": ` + tc.optional + `, "operations": {}, "shapes": {}}`
			m := checkMerge(t, optionalModel, overlay, tc.wantErr)
			if m == nil {
				return
			}
			s := m.Shapes["MakeThingRequest"]
			if !reflect.DeepEqual(s.Required, tc.want) {
				t.Errorf("required %v, want %v", s.Required, tc.want)
			}
			// Members keep their order and definitions.
			var names []string
			for _, mem := range s.members {
				names = append(names, mem.Name)
			}
			if !reflect.DeepEqual(names, []string{"name", "kind", "size", "note"}) {
				t.Errorf("members %v", names)
			}
		})
	}
}

// A relaxed member reaches the generated tables as not required.
func TestGenerateWithOverlayOptional(t *testing.T) {
	overlay := `{"optional": {"MakeThingRequest": ["kind"]}, "operations": {}, "shapes": {}}`
	files, err := GenerateWithOverlay([]byte(optionalModel), []byte(overlay), "0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	m := string(files["internal/model/zz_generated.go"])
	for _, want := range []string{`{Name: "name", Shape: 0, Required: true}`, `{Name: "kind", Shape: 0}`, `{Name: "size", Shape: 0, Required: true}`, `{Name: "note", Shape: 0}`} {
		if !strings.Contains(m, want) {
			t.Errorf("model file lacks %s", want)
		}
	}
	if !strings.Contains(m, `OverlayOperations = []string{}`) {
		t.Errorf("an overlay of optional members only adds no operation")
	}
}

// `modelgen upgrade` drops an optional entry once the new model has the
// member optional, keeps the others, and keeps an overlay that still relaxes
// something even when every operation reached the model.
func TestDropDefinedOptional(t *testing.T) {
	notRequired := func(members ...string) string {
		return strings.Replace(optionalModel, `"required": ["name", "kind", "size"]`, `"required": ["`+strings.Join(members, `", "`)+`"]`, 1)
	}
	for _, tc := range []struct {
		name     string
		model    string
		overlay  string
		want     DropReport
		wantGone bool
		wantLeft map[string][]string
	}{
		{name: "still required", model: optionalModel,
			overlay:  `{"optional": {"MakeThingRequest": ["kind", "size"]}, "operations": {}, "shapes": {}}`,
			wantLeft: map[string][]string{"MakeThingRequest": {"kind", "size"}}},
		{name: "one became optional", model: notRequired("name", "size"),
			overlay:  `{"optional": {"MakeThingRequest": ["kind", "size"]}, "operations": {}, "shapes": {}}`,
			want:     DropReport{Optional: []string{"MakeThingRequest.kind"}},
			wantLeft: map[string][]string{"MakeThingRequest": {"size"}}},
		{name: "all became optional: nothing left", model: notRequired("name"),
			overlay:  `{"optional": {"MakeThingRequest": ["kind", "size"]}, "operations": {}, "shapes": {}}`,
			want:     DropReport{Optional: []string{"MakeThingRequest.kind", "MakeThingRequest.size"}},
			wantGone: true},
		{name: "operations gone, optional kept", model: strings.Replace(optionalModel, `"operations": {`, `"operations": {"PutThing": {"name": "PutThing"},`, 1),
			overlay:  `{"optional": {"MakeThingRequest": ["kind"]}, "operations": {"PutThing": {"name": "PutThing"}}, "shapes": {}}`,
			want:     DropReport{Operations: []string{"PutThing"}},
			wantLeft: map[string][]string{"MakeThingRequest": {"kind"}}},
		{name: "member gone from the model: kept, so that generation fails", model: strings.Replace(optionalModel, `"kind": {"shape": "Id"}, `, ``, 1),
			overlay:  `{"optional": {"MakeThingRequest": ["kind"]}, "operations": {}, "shapes": {}}`,
			wantLeft: map[string][]string{"MakeThingRequest": {"kind"}}},
		{name: "shape gone from the model: kept", model: strings.Replace(optionalModel, `"MakeThingRequest": {`, `"MakeOtherRequest": {`, 1),
			overlay:  `{"optional": {"MakeThingRequest": ["kind"]}, "operations": {}, "shapes": {}}`,
			wantLeft: map[string][]string{"MakeThingRequest": {"kind"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, o := checkDrop(t, tc.model, tc.overlay, tc.want, tc.wantGone)
			if o == nil {
				return
			}
			if !reflect.DeepEqual(o.Optional, tc.wantLeft) {
				t.Errorf("optional left %v, want %v", o.Optional, tc.wantLeft)
			}
		})
	}
}
