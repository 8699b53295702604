package service

import (
	"strings"
	"testing"

	"agentcored/internal/api"
)

func TestDatasetExampleSchemas(t *testing.T) {
	pre, sim := api.DatasetSchemaTypeAgentcoreEvaluationPredefinedV1, api.DatasetSchemaTypeAgentcoreEvaluationSimulatedV1
	for _, tc := range []struct {
		name    string
		schema  api.DatasetSchemaType
		example string
		want    string // "" = valid, else a part of the message
	}{
		{"predefined", pre, `{"scenario_id":"a","turns":[{"input":"hi"}],"assertions":["x"]}`, ""},
		{"no scenario", pre, `{"turns":[{"input":"hi"}]}`, "scenario_id"},
		{"empty scenario", pre, `{"scenario_id":" ","turns":[{"input":"hi"}]}`, "scenario_id"},
		{"no turns", pre, `{"scenario_id":"a"}`, "turns, a non-empty list"},
		{"empty turns", pre, `{"scenario_id":"a","turns":[]}`, "turns, a non-empty list"},
		{"turn without input", pre, `{"scenario_id":"a","turns":[{"input":"hi"},{"expected_response":"x"}]}`, "turns.2.input"},
		{"not an object", pre, `["a"]`, "JSON object"},
		{"null", pre, `null`, "JSON object"},
		{"simulated", sim, `{"scenario_id":"a","input":"hi","actor_profile":{"context":"c","goal":"g"}}`, ""},
		{"simulated without profile", sim, `{"scenario_id":"a","input":"hi"}`, "actor_profile, an object"},
		{"simulated without goal", sim, `{"scenario_id":"a","input":"hi","actor_profile":{"context":"c"}}`, "actor_profile.goal"},
		{"simulated without input", sim, `{"scenario_id":"a","actor_profile":{"context":"c","goal":"g"}}`, "input"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			batch, err := parseExamples(tc.schema, []api.Document{api.Document(`{"scenario_id":"first","turns":[{"input":"x"}],"input":"x","actor_profile":{"context":"c","goal":"g"}}`), api.Document(tc.example)}, "examples", false)
			if tc.want == "" {
				if err != nil || len(batch) != 2 || batch[1].doc["exampleId"] != batch[1].id || batch[1].id == "" {
					t.Fatalf("valid example: %v, %v", batch, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), "'examples.2'") || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error = %v, want one naming examples.2 and %q", err, tc.want)
			}
		})
	}
}

func TestDatasetBatchRules(t *testing.T) {
	pre := api.DatasetSchemaTypeAgentcoreEvaluationPredefinedV1
	ex := func(s string) api.Document { return api.Document(s) }
	if _, err := parseExamples(pre, []api.Document{ex(`{"scenario_id":"a","turns":[{"input":"x"}]}`), ex(`{"scenario_id":"a","turns":[{"input":"y"}]}`)}, "l", false); err == nil || !strings.Contains(err.Error(), "'l.2'") {
		t.Errorf("duplicate scenario: %v", err)
	}
	b, err := parseExamples(pre, []api.Document{ex(`{"exampleId":"mine","scenario_id":"a","turns":[{"input":"x"}]}`)}, "l", false)
	if err != nil || b[0].id == "mine" {
		t.Errorf("an added example keeps the caller's id: %v %v", b, err)
	}
	if _, err := parseExamples(pre, []api.Document{ex(`{"scenario_id":"a","turns":[{"input":"x"}]}`)}, "examples", true); err == nil || !strings.Contains(err.Error(), "exampleId") {
		t.Errorf("update without exampleId: %v", err)
	}
	two := []api.Document{ex(`{"exampleId":"e","scenario_id":"a","turns":[{"input":"x"}]}`), ex(`{"exampleId":"e","scenario_id":"b","turns":[{"input":"x"}]}`)}
	if _, err := parseExamples(pre, two, "examples", true); err == nil || !strings.Contains(err.Error(), "'examples.2'") {
		t.Errorf("update naming one example twice: %v", err)
	}
	b, err = parseExamples(pre, two[:1], "examples", true)
	if err != nil || b[0].id != "e" || b[0].scenario != "a" {
		t.Errorf("update batch = %v, %v", b, err)
	}
}

func TestDatasetVersionNames(t *testing.T) {
	for v, ok := range map[string]bool{"": true, "DRAFT": true, "1": true, "42": true, "0": false, "01": false, "-1": false} {
		if err := checkVersionName("datasetVersion", v); (err == nil) != ok {
			t.Errorf("checkVersionName(%q) = %v", v, err)
		}
	}
}

func TestDatasetTokenVersion(t *testing.T) {
	s := &Service{tokenKey: []byte("k")}
	sc := scope{account: "123456789012", region: "us-east-1"}
	tok := s.encodePageToken(sc, pageToken{Kind: kindDatasetExample, Parent: "ds-1/3", Seq: 7})
	if v, ok := tokenVersion(tok, "ds-1"); !ok || v != "3" {
		t.Errorf("tokenVersion = %q %v", v, ok)
	}
	if _, ok := tokenVersion(tok, "ds-2"); ok {
		t.Error("a token of another dataset was accepted")
	}
	other := s.encodePageToken(sc, pageToken{Kind: kindDataset, Seq: 7})
	if _, ok := tokenVersion(other, "ds-1"); ok {
		t.Error("a token of another listing was accepted")
	}
	if _, ok := tokenVersion("garbage", "ds-1"); ok {
		t.Error("garbage was accepted")
	}
}
