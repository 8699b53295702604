package service

import (
	"encoding/json"
	"strings"
	"testing"

	"agentcored/internal/api"
)

// Every override of a custom strategy maps to its output configuration,
// each part under its own member of the output unions.
func TestCustomOverridesMapToConfigurations(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   api.CustomConfigurationInput
		want string
	}{
		{"semantic", api.CustomConfigurationInput{SemanticOverride: &api.SemanticOverrideConfigurationInput{
			Extraction:    &api.SemanticOverrideExtractionConfigurationInput{AppendToPrompt: "e", ModelId: "m1"},
			Consolidation: &api.SemanticOverrideConsolidationConfigurationInput{AppendToPrompt: "c", ModelId: "m2"},
		}}, `{"type":"SEMANTIC_OVERRIDE","extraction":{"customExtractionConfiguration":{"semanticExtractionOverride":{"appendToPrompt":"e","modelId":"m1"}}},"consolidation":{"customConsolidationConfiguration":{"semanticConsolidationOverride":{"appendToPrompt":"c","modelId":"m2"}}}}`},
		{"summary", api.CustomConfigurationInput{SummaryOverride: &api.SummaryOverrideConfigurationInput{
			Consolidation: &api.SummaryOverrideConsolidationConfigurationInput{AppendToPrompt: "c", ModelId: "m2"},
		}}, `{"type":"SUMMARY_OVERRIDE","consolidation":{"customConsolidationConfiguration":{"summaryConsolidationOverride":{"appendToPrompt":"c","modelId":"m2"}}}}`},
		{"user preference", api.CustomConfigurationInput{UserPreferenceOverride: &api.UserPreferenceOverrideConfigurationInput{
			Extraction:    &api.UserPreferenceOverrideExtractionConfigurationInput{AppendToPrompt: "e", ModelId: "m1"},
			Consolidation: &api.UserPreferenceOverrideConsolidationConfigurationInput{AppendToPrompt: "c", ModelId: "m2"},
		}}, `{"type":"USER_PREFERENCE_OVERRIDE","extraction":{"customExtractionConfiguration":{"userPreferenceExtractionOverride":{"appendToPrompt":"e","modelId":"m1"}}},"consolidation":{"customConsolidationConfiguration":{"userPreferenceConsolidationOverride":{"appendToPrompt":"c","modelId":"m2"}}}}`},
		{"episodic", api.CustomConfigurationInput{EpisodicOverride: &api.EpisodicOverrideConfigurationInput{
			Extraction:    &api.EpisodicOverrideExtractionConfigurationInput{AppendToPrompt: "e", ModelId: "m1"},
			Consolidation: &api.EpisodicOverrideConsolidationConfigurationInput{AppendToPrompt: "c", ModelId: "m2"},
			Reflection:    &api.EpisodicOverrideReflectionConfigurationInput{AppendToPrompt: "r", ModelId: "m3", NamespaceTemplates: []string{"/r"}},
		}}, `{"type":"EPISODIC_OVERRIDE","extraction":{"customExtractionConfiguration":{"episodicExtractionOverride":{"appendToPrompt":"e","modelId":"m1"}}},"consolidation":{"customConsolidationConfiguration":{"episodicConsolidationOverride":{"appendToPrompt":"c","modelId":"m2"}}},"reflection":{"customReflectionConfiguration":{"episodicReflectionOverride":{"appendToPrompt":"r","modelId":"m3","namespaces":["/r"],"namespaceTemplates":["/r"]}}}}`},
		{"self-managed", api.CustomConfigurationInput{SelfManagedConfiguration: &api.SelfManagedConfigurationInput{
			InvocationConfiguration: &api.InvocationConfigurationInput{TopicArn: "topic"},
			TriggerConditions:       []api.TriggerConditionInput{{TokenBasedTrigger: &api.TokenBasedTriggerInput{TokenCount: ptr(int64(9))}}},
		}}, `{"type":"SELF_MANAGED","selfManagedConfiguration":{"triggerConditions":[{"tokenBasedTrigger":{"tokenCount":9}}],"invocationConfiguration":{"topicArn":"topic"},"historicalContextWindowSize":4}}`},
	} {
		st, err := newStrategy("m", api.MemoryStrategyInput{CustomMemoryStrategy: &api.CustomMemoryStrategyInput{Name: "c", Configuration: &tc.in}}, api.EpochTime{})
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if got, _ := json.Marshal(st.Configuration); string(got) != tc.want {
			t.Errorf("%s:\n got %s\nwant %s", tc.name, got, tc.want)
		}
	}
}

// A modification's override fits only a custom strategy of its own
// override type; an episodic reflection only an episodic strategy.
func TestModifiedOverridesMustFitTheStrategy(t *testing.T) {
	custom := func(c api.CustomConfigurationInput) api.MemoryStrategyInput {
		return api.MemoryStrategyInput{CustomMemoryStrategy: &api.CustomMemoryStrategyInput{Name: "c", Configuration: &c}}
	}
	strategies := map[string]api.MemoryStrategyInput{
		"semantic":          {SemanticMemoryStrategy: &api.SemanticMemoryStrategyInput{Name: "s"}},
		"episodic":          {EpisodicMemoryStrategy: &api.EpisodicMemoryStrategyInput{Name: "e"}},
		"semantic override": custom(api.CustomConfigurationInput{SemanticOverride: &api.SemanticOverrideConfigurationInput{}}),
		"summary override":  custom(api.CustomConfigurationInput{SummaryOverride: &api.SummaryOverrideConfigurationInput{}}),
		"episodic override": custom(api.CustomConfigurationInput{EpisodicOverride: &api.EpisodicOverrideConfigurationInput{}}),
		"self-managed":      custom(api.CustomConfigurationInput{SelfManagedConfiguration: &api.SelfManagedConfigurationInput{}}),
	}
	changes := map[string]api.ModifyStrategyConfiguration{
		"semantic extraction": {Extraction: &api.ModifyExtractionConfiguration{CustomExtractionConfiguration: &api.CustomExtractionConfigurationInput{
			SemanticExtractionOverride: &api.SemanticOverrideExtractionConfigurationInput{ModelId: "m"}}}},
		"summary consolidation": {Consolidation: &api.ModifyConsolidationConfiguration{CustomConsolidationConfiguration: &api.CustomConsolidationConfigurationInput{
			SummaryConsolidationOverride: &api.SummaryOverrideConsolidationConfigurationInput{ModelId: "m"}}}},
		"episodic reflection": {Reflection: &api.ModifyReflectionConfiguration{EpisodicReflectionConfiguration: &api.EpisodicReflectionConfigurationInput{}}},
		"episodic reflection override": {Reflection: &api.ModifyReflectionConfiguration{CustomReflectionConfiguration: &api.CustomReflectionConfigurationInput{
			EpisodicReflectionOverride: &api.EpisodicOverrideReflectionConfigurationInput{ModelId: "m"}}}},
		"self-managed window": {SelfManagedConfiguration: &api.ModifySelfManagedConfiguration{HistoricalContextWindowSize: ptr(int64(8))}},
		"empty extraction":    {Extraction: &api.ModifyExtractionConfiguration{}},
	}
	fits := map[string]string{
		"semantic extraction":          "semantic override",
		"summary consolidation":        "summary override",
		"episodic reflection":          "episodic",
		"episodic reflection override": "episodic override",
		"self-managed window":          "self-managed",
	}
	for sname, si := range strategies {
		for cname, c := range changes {
			st, err := newStrategy("m", si, api.EpochTime{})
			if err != nil {
				t.Fatal(err)
			}
			err = modifyStrategy("mod", &st, api.ModifyMemoryStrategyInput{Configuration: &c}, api.EpochTime{})
			switch {
			case fits[cname] == sname && err != nil:
				t.Errorf("%s on a %s strategy: %v", cname, sname, err)
			case fits[cname] != sname && (err == nil || !strings.Contains(err.Error(), "does not apply")):
				t.Errorf("%s on a %s strategy: %v, want does not apply", cname, sname, err)
			}
		}
	}
}
