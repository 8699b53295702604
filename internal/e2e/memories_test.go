package e2e

import (
	"context"
	"fmt"
	"net/http"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	acc "github.com/aws/aws-sdk-go-v2/service/bedrockagentcorecontrol"
	"github.com/aws/aws-sdk-go-v2/service/bedrockagentcorecontrol/types"

	"agentcored/internal/server"
	"agentcored/internal/testserver"
)

// Helpers of the memory tests carry a "mem" prefix: the e2e package is
// shared by every family.

const (
	memRole      = "arn:aws:iam::123456789012:role/MemoryRole"
	memKMS       = "arn:aws:kms:us-east-1:123456789012:key/0123abcd-0123-4567-89ab-0123456789ab"
	memStream    = "arn:aws:kinesis:us-east-1:123456789012:stream/memory-events"
	memTopic     = "arn:aws:sns:us-east-1:123456789012:memory-jobs"
	memNsActor   = "/strategies/{memoryStrategyId}/actors/{actorId}"
	memNsSession = "/strategies/{memoryStrategyId}/actors/{actorId}/sessions/{sessionId}"
	memArnPrefix = "arn:aws:bedrock-agentcore:us-east-1:123456789012:memory/"
)

var memIDRe = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9_]*-[a-zA-Z0-9]{10}$`)

func memSemantic(name string) types.MemoryStrategyInput {
	return &types.MemoryStrategyInputMemberSemanticMemoryStrategy{Value: types.SemanticMemoryStrategyInput{Name: aws.String(name)}}
}

func memSummary(name string) types.MemoryStrategyInput {
	return &types.MemoryStrategyInputMemberSummaryMemoryStrategy{Value: types.SummaryMemoryStrategyInput{Name: aws.String(name)}}
}

// memCreate creates a memory with the given strategies and returns it.
func memCreate(t *testing.T, c *acc.Client, name string, strategies ...types.MemoryStrategyInput) *types.Memory {
	t.Helper()
	out, err := c.CreateMemory(context.Background(), &acc.CreateMemoryInput{
		Name: aws.String(name), EventExpiryDuration: aws.Int32(30), MemoryStrategies: strategies,
	})
	if err != nil {
		t.Fatalf("CreateMemory %s: %v", name, err)
	}
	return out.Memory
}

func memGet(t *testing.T, c *acc.Client, id *string) *types.Memory {
	t.Helper()
	out, err := c.GetMemory(context.Background(), &acc.GetMemoryInput{MemoryId: id})
	if err != nil {
		t.Fatalf("GetMemory %s: %v", aws.ToString(id), err)
	}
	return out.Memory
}

// memStrategy finds a strategy of a memory by name.
func memStrategy(t *testing.T, m *types.Memory, name string) types.MemoryStrategy {
	t.Helper()
	for _, st := range m.Strategies {
		if aws.ToString(st.Name) == name {
			return st
		}
	}
	t.Fatalf("memory %s has no strategy %q", aws.ToString(m.Id), name)
	return types.MemoryStrategy{}
}

func memStatuses(m *types.Memory) map[string]types.MemoryStrategyStatus {
	out := map[string]types.MemoryStrategyStatus{}
	for _, st := range m.Strategies {
		out[aws.ToString(st.Name)] = st.Status
	}
	return out
}

// memWantCode stops the test unless err has the code and, when contains is
// not empty, mentions contains.
func memWantCode(t *testing.T, err error, code, contains string) {
	t.Helper()
	requireCode(t, err, code)
	if contains != "" && !strings.Contains(err.Error(), contains) {
		t.Fatalf("error %q does not mention %q", err, contains)
	}
}

func TestMemoryCreateRoundTripsEveryMember(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client(t)
	ctx := context.Background()

	schema := &types.MemoryRecordSchema{MetadataSchema: []types.MetadataSchemaEntry{{Key: aws.String("topic"), Type: types.MetadataValueTypeString}}}
	reflSchema := &types.MemoryRecordSchema{MetadataSchema: []types.MetadataSchemaEntry{{Key: aws.String("lesson"), Type: types.MetadataValueTypeStringlist}}}
	indexed := []types.IndexedKey{{Key: aws.String("topic"), Type: types.MetadataValueTypeString}, {Key: aws.String("score"), Type: types.MetadataValueTypeNumber}}
	strategies := []types.MemoryStrategyInput{
		&types.MemoryStrategyInputMemberSemanticMemoryStrategy{Value: types.SemanticMemoryStrategyInput{
			Name: aws.String("facts"), Description: aws.String("facts about the user"),
			NamespaceTemplates: []string{"/facts/{actorId}/"}, MemoryRecordSchema: schema,
		}},
		memSummary("summaries"),
		&types.MemoryStrategyInputMemberUserPreferenceMemoryStrategy{Value: types.UserPreferenceMemoryStrategyInput{
			Name: aws.String("prefs"), Namespaces: []string{"/prefs/{actorId}"},
		}},
		&types.MemoryStrategyInputMemberEpisodicMemoryStrategy{Value: types.EpisodicMemoryStrategyInput{
			Name:                    aws.String("episodes"),
			ReflectionConfiguration: &types.EpisodicReflectionConfigurationInput{NamespaceTemplates: []string{"/reflections/{actorId}"}, MemoryRecordSchema: reflSchema},
		}},
		&types.MemoryStrategyInputMemberCustomMemoryStrategy{Value: types.CustomMemoryStrategyInput{
			Name: aws.String("custom_semantic"),
			Configuration: &types.CustomConfigurationInputMemberSemanticOverride{Value: types.SemanticOverrideConfigurationInput{
				Extraction:    &types.SemanticOverrideExtractionConfigurationInput{AppendToPrompt: aws.String("extract facts"), ModelId: aws.String("model-x")},
				Consolidation: &types.SemanticOverrideConsolidationConfigurationInput{AppendToPrompt: aws.String("merge facts"), ModelId: aws.String("model-y")},
			}},
		}},
		&types.MemoryStrategyInputMemberCustomMemoryStrategy{Value: types.CustomMemoryStrategyInput{
			Name: aws.String("self_managed"),
			Configuration: &types.CustomConfigurationInputMemberSelfManagedConfiguration{Value: types.SelfManagedConfigurationInput{
				InvocationConfiguration: &types.InvocationConfigurationInput{TopicArn: aws.String(memTopic), PayloadDeliveryBucketName: aws.String("memory-payloads")},
			}},
		}},
	}
	created, err := c.CreateMemory(ctx, &acc.CreateMemoryInput{
		Name: aws.String("full_memory"), Description: aws.String("every member"),
		EncryptionKeyArn: aws.String(memKMS), MemoryExecutionRoleArn: aws.String(memRole),
		EventExpiryDuration: aws.Int32(90), MemoryStrategies: strategies, IndexedKeys: indexed,
		StreamDeliveryResources: &types.StreamDeliveryResources{Resources: []types.StreamDeliveryResource{
			&types.StreamDeliveryResourceMemberKinesis{Value: types.KinesisResource{
				DataStreamArn:         aws.String(memStream),
				ContentConfigurations: []types.ContentConfiguration{{Type: types.ContentTypeMemoryRecords}},
			}},
		}},
		Tags: map[string]string{"team": "agents", "env": "test"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if code := httpStatus(t, created.ResultMetadata); code != http.StatusAccepted {
		t.Errorf("CreateMemory status = %d, want 202", code)
	}
	m := created.Memory
	id := aws.ToString(m.Id)
	if !strings.HasPrefix(id, "full_memory-") || !memIDRe.MatchString(id) {
		t.Errorf("memory id %q is not <name>-<10 alnum>", id)
	}
	if aws.ToString(m.Arn) != memArnPrefix+id {
		t.Errorf("arn = %s", aws.ToString(m.Arn))
	}
	if m.Status != types.MemoryStatusCreating || len(m.Strategies) != 6 {
		t.Errorf("create answer: status %s, %d strategies", m.Status, len(m.Strategies))
	}
	for _, st := range m.Strategies {
		if st.Status != types.MemoryStrategyStatusCreating {
			t.Errorf("strategy %s in the create answer is %s, want CREATING", aws.ToString(st.Name), st.Status)
		}
	}

	got := memGet(t, c, m.Id)
	if got.Status != types.MemoryStatusActive || got.FailureReason != nil {
		t.Errorf("status %s reason %v, want ACTIVE", got.Status, got.FailureReason)
	}
	if aws.ToString(got.Name) != "full_memory" || aws.ToString(got.Description) != "every member" ||
		aws.ToString(got.EncryptionKeyArn) != memKMS || aws.ToString(got.MemoryExecutionRoleArn) != memRole ||
		aws.ToInt32(got.EventExpiryDuration) != 90 || aws.ToString(got.Arn) != memArnPrefix+id {
		t.Errorf("scalars differ: %+v", got)
	}
	if got.CreatedAt == nil || got.UpdatedAt == nil || time.Since(*got.CreatedAt) > time.Hour {
		t.Errorf("timestamps %v %v", got.CreatedAt, got.UpdatedAt)
	}
	if !reflect.DeepEqual(got.IndexedKeys, indexed) {
		t.Errorf("indexedKeys = %+v", got.IndexedKeys)
	}
	if sd := got.StreamDeliveryResources; sd == nil || len(sd.Resources) != 1 {
		t.Errorf("streamDeliveryResources = %+v", sd)
	} else if k, ok := sd.Resources[0].(*types.StreamDeliveryResourceMemberKinesis); !ok || aws.ToString(k.Value.DataStreamArn) != memStream ||
		!reflect.DeepEqual(k.Value.ContentConfigurations, []types.ContentConfiguration{{Type: types.ContentTypeMemoryRecords, Level: types.ContentLevelMetadataOnly}}) {
		t.Errorf("kinesis = %+v", sd.Resources[0])
	}
	for _, st := range got.Strategies {
		if st.Status != types.MemoryStrategyStatusActive {
			t.Errorf("strategy %s is %s, want ACTIVE", aws.ToString(st.Name), st.Status)
		}
		if sid := aws.ToString(st.StrategyId); !strings.HasPrefix(sid, aws.ToString(st.Name)+"-") || !memIDRe.MatchString(sid) {
			t.Errorf("strategy id %q is not <strategy name>-<10 alnum>", sid)
		}
		if st.CreatedAt == nil || st.UpdatedAt == nil {
			t.Errorf("strategy %s timestamps missing", aws.ToString(st.Name))
		}
	}

	facts := memStrategy(t, got, "facts")
	if facts.Type != types.MemoryStrategyTypeSemantic || aws.ToString(facts.Description) != "facts about the user" ||
		!reflect.DeepEqual(facts.NamespaceTemplates, []string{"/facts/{actorId}/"}) || !reflect.DeepEqual(facts.Namespaces, []string{"/facts/{actorId}/"}) ||
		!reflect.DeepEqual(facts.MemoryRecordSchema, schema) || facts.Configuration != nil {
		t.Errorf("semantic strategy = %+v", facts)
	}
	sum := memStrategy(t, got, "summaries")
	if sum.Type != types.MemoryStrategyTypeSummarization || !reflect.DeepEqual(sum.Namespaces, []string{memNsSession}) ||
		!reflect.DeepEqual(sum.NamespaceTemplates, []string{memNsSession}) {
		t.Errorf("summary strategy = %+v", sum)
	}
	prefs := memStrategy(t, got, "prefs")
	if prefs.Type != types.MemoryStrategyTypeUserPreference || !reflect.DeepEqual(prefs.Namespaces, []string{"/prefs/{actorId}"}) ||
		!reflect.DeepEqual(prefs.NamespaceTemplates, []string{"/prefs/{actorId}"}) {
		t.Errorf("user preference strategy = %+v", prefs)
	}
	ep := memStrategy(t, got, "episodes")
	if ep.Type != types.MemoryStrategyTypeEpisodic || !reflect.DeepEqual(ep.NamespaceTemplates, []string{memNsSession}) || ep.Configuration == nil {
		t.Errorf("episodic strategy = %+v", ep)
	} else if r, ok := ep.Configuration.Reflection.(*types.ReflectionConfigurationMemberEpisodicReflectionConfiguration); !ok ||
		!reflect.DeepEqual(r.Value.NamespaceTemplates, []string{"/reflections/{actorId}"}) || !reflect.DeepEqual(r.Value.MemoryRecordSchema, reflSchema) {
		t.Errorf("episodic reflection = %+v", ep.Configuration.Reflection)
	}
	cs := memStrategy(t, got, "custom_semantic")
	if cs.Type != types.MemoryStrategyTypeCustom || cs.Configuration == nil || cs.Configuration.Type != types.OverrideTypeSemanticOverride ||
		!reflect.DeepEqual(cs.NamespaceTemplates, []string{memNsActor}) {
		t.Fatalf("custom semantic strategy = %+v", cs)
	}
	ext, ok := cs.Configuration.Extraction.(*types.ExtractionConfigurationMemberCustomExtractionConfiguration)
	if !ok {
		t.Fatalf("extraction = %#v", cs.Configuration.Extraction)
	}
	if e, ok := ext.Value.(*types.CustomExtractionConfigurationMemberSemanticExtractionOverride); !ok ||
		aws.ToString(e.Value.AppendToPrompt) != "extract facts" || aws.ToString(e.Value.ModelId) != "model-x" {
		t.Errorf("semantic extraction override = %#v", ext.Value)
	}
	con, ok := cs.Configuration.Consolidation.(*types.ConsolidationConfigurationMemberCustomConsolidationConfiguration)
	if !ok {
		t.Fatalf("consolidation = %#v", cs.Configuration.Consolidation)
	}
	if v, ok := con.Value.(*types.CustomConsolidationConfigurationMemberSemanticConsolidationOverride); !ok ||
		aws.ToString(v.Value.AppendToPrompt) != "merge facts" || aws.ToString(v.Value.ModelId) != "model-y" {
		t.Errorf("semantic consolidation override = %#v", con.Value)
	}
	sm := memStrategy(t, got, "self_managed")
	if sm.Configuration == nil || sm.Configuration.Type != types.OverrideTypeSelfManaged || sm.Configuration.SelfManagedConfiguration == nil {
		t.Fatalf("self-managed strategy = %+v", sm)
	}
	smc := sm.Configuration.SelfManagedConfiguration
	if aws.ToString(smc.InvocationConfiguration.TopicArn) != memTopic || aws.ToString(smc.InvocationConfiguration.PayloadDeliveryBucketName) != "memory-payloads" ||
		aws.ToInt32(smc.HistoricalContextWindowSize) != 4 || len(smc.TriggerConditions) != 3 {
		t.Errorf("self-managed configuration = %+v", smc)
	}

	arn := aws.ToString(got.Arn)
	tags, err := c.ListTagsForResource(ctx, &acc.ListTagsForResourceInput{ResourceArn: aws.String(arn)})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(tags.Tags, map[string]string{"team": "agents", "env": "test"}) {
		t.Errorf("create-time tags = %v", tags.Tags)
	}
	if _, err := c.TagResource(ctx, &acc.TagResourceInput{ResourceArn: aws.String(arn), Tags: map[string]string{"cost": "42"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.UntagResource(ctx, &acc.UntagResourceInput{ResourceArn: aws.String(arn), TagKeys: []string{"env"}}); err != nil {
		t.Fatal(err)
	}
	tags, err = c.ListTagsForResource(ctx, &acc.ListTagsForResourceInput{ResourceArn: aws.String(arn)})
	if err != nil || !reflect.DeepEqual(tags.Tags, map[string]string{"team": "agents", "cost": "42"}) {
		t.Errorf("tags after Tag/Untag = %v (%v)", tags, err)
	}

	list, err := c.ListMemories(ctx, &acc.ListMemoriesInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Memories) != 1 || aws.ToString(list.Memories[0].Id) != id || aws.ToString(list.Memories[0].Arn) != arn ||
		list.Memories[0].Status != types.MemoryStatusActive || list.Memories[0].CreatedAt == nil || list.Memories[0].UpdatedAt == nil {
		t.Errorf("list = %+v", list.Memories)
	}

	del, err := c.DeleteMemory(ctx, &acc.DeleteMemoryInput{MemoryId: m.Id})
	if err != nil {
		t.Fatal(err)
	}
	if code := httpStatus(t, del.ResultMetadata); code != http.StatusAccepted {
		t.Errorf("DeleteMemory status = %d, want 202", code)
	}
	if aws.ToString(del.MemoryId) != id || del.Status != types.MemoryStatusDeleting {
		t.Errorf("delete answer = %+v", del)
	}
	_, err = c.GetMemory(ctx, &acc.GetMemoryInput{MemoryId: m.Id})
	memWantCode(t, err, "ResourceNotFoundException", "")
	_, err = c.ListTagsForResource(ctx, &acc.ListTagsForResourceInput{ResourceArn: aws.String(arn)})
	memWantCode(t, err, "ResourceNotFoundException", "")
	_, err = c.DeleteMemory(ctx, &acc.DeleteMemoryInput{MemoryId: m.Id})
	memWantCode(t, err, "ResourceNotFoundException", "")
	_, err = c.UpdateMemory(ctx, &acc.UpdateMemoryInput{MemoryId: m.Id, Description: aws.String("x")})
	memWantCode(t, err, "ResourceNotFoundException", "")
	list, err = c.ListMemories(ctx, &acc.ListMemoriesInput{})
	if err != nil || len(list.Memories) != 0 {
		t.Errorf("list after delete = %+v (%v)", list, err)
	}
}

func TestMemoryCustomOverridesMapFaithfully(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client(t)
	custom := func(name string, cfg types.CustomConfigurationInput) types.MemoryStrategyInput {
		return &types.MemoryStrategyInputMemberCustomMemoryStrategy{Value: types.CustomMemoryStrategyInput{Name: aws.String(name), Configuration: cfg}}
	}
	m := memCreate(t, c, "overrides",
		custom("c_summary", &types.CustomConfigurationInputMemberSummaryOverride{Value: types.SummaryOverrideConfigurationInput{
			Consolidation: &types.SummaryOverrideConsolidationConfigurationInput{AppendToPrompt: aws.String("sum"), ModelId: aws.String("m1")},
		}}),
		custom("c_prefs", &types.CustomConfigurationInputMemberUserPreferenceOverride{Value: types.UserPreferenceOverrideConfigurationInput{
			Extraction: &types.UserPreferenceOverrideExtractionConfigurationInput{AppendToPrompt: aws.String("pref"), ModelId: aws.String("m2")},
		}}),
		custom("c_episodic", &types.CustomConfigurationInputMemberEpisodicOverride{Value: types.EpisodicOverrideConfigurationInput{
			Extraction: &types.EpisodicOverrideExtractionConfigurationInput{AppendToPrompt: aws.String("ep"), ModelId: aws.String("m3")},
			Reflection: &types.EpisodicOverrideReflectionConfigurationInput{AppendToPrompt: aws.String("reflect"), ModelId: aws.String("m4")},
		}}),
	)
	got := memGet(t, c, m.Id)

	s := memStrategy(t, got, "c_summary")
	if s.Configuration == nil || s.Configuration.Type != types.OverrideTypeSummaryOverride || s.Configuration.Extraction != nil ||
		!reflect.DeepEqual(s.Namespaces, []string{memNsSession}) {
		t.Fatalf("summary override = %+v", s)
	}
	if con, ok := s.Configuration.Consolidation.(*types.ConsolidationConfigurationMemberCustomConsolidationConfiguration); !ok {
		t.Errorf("summary consolidation = %#v", s.Configuration.Consolidation)
	} else if v, ok := con.Value.(*types.CustomConsolidationConfigurationMemberSummaryConsolidationOverride); !ok || aws.ToString(v.Value.ModelId) != "m1" {
		t.Errorf("summary consolidation override = %#v", con.Value)
	}

	p := memStrategy(t, got, "c_prefs")
	if p.Configuration == nil || p.Configuration.Type != types.OverrideTypeUserPreferenceOverride || p.Configuration.Consolidation != nil ||
		!reflect.DeepEqual(p.Namespaces, []string{memNsActor}) {
		t.Fatalf("user preference override = %+v", p)
	}
	if ext, ok := p.Configuration.Extraction.(*types.ExtractionConfigurationMemberCustomExtractionConfiguration); !ok {
		t.Errorf("user preference extraction = %#v", p.Configuration.Extraction)
	} else if v, ok := ext.Value.(*types.CustomExtractionConfigurationMemberUserPreferenceExtractionOverride); !ok || aws.ToString(v.Value.AppendToPrompt) != "pref" {
		t.Errorf("user preference extraction override = %#v", ext.Value)
	}

	e := memStrategy(t, got, "c_episodic")
	if e.Configuration == nil || e.Configuration.Type != types.OverrideTypeEpisodicOverride || !reflect.DeepEqual(e.Namespaces, []string{memNsSession}) {
		t.Fatalf("episodic override = %+v", e)
	}
	if r, ok := e.Configuration.Reflection.(*types.ReflectionConfigurationMemberCustomReflectionConfiguration); !ok {
		t.Errorf("episodic reflection = %#v", e.Configuration.Reflection)
	} else if v, ok := r.Value.(*types.CustomReflectionConfigurationMemberEpisodicReflectionOverride); !ok ||
		aws.ToString(v.Value.ModelId) != "m4" || !reflect.DeepEqual(v.Value.NamespaceTemplates, []string{memNsActor}) {
		t.Errorf("episodic reflection override = %#v", r.Value)
	}

	// A custom strategy needs its configuration.
	_, err := c.CreateMemory(context.Background(), &acc.CreateMemoryInput{
		Name: aws.String("no_config"), EventExpiryDuration: aws.Int32(30),
		MemoryStrategies: []types.MemoryStrategyInput{&types.MemoryStrategyInputMemberCustomMemoryStrategy{Value: types.CustomMemoryStrategyInput{Name: aws.String("bare")}}},
	})
	memWantCode(t, err, "ValidationException", "configuration")
}

func TestMemoryUpdateStrategies(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client(t)
	ctx := context.Background()
	m := memCreate(t, c, "evolving", memSemantic("facts"), memSummary("old_summary"),
		&types.MemoryStrategyInputMemberCustomMemoryStrategy{Value: types.CustomMemoryStrategyInput{
			Name: aws.String("tuned"),
			Configuration: &types.CustomConfigurationInputMemberSemanticOverride{Value: types.SemanticOverrideConfigurationInput{
				Extraction: &types.SemanticOverrideExtractionConfigurationInput{AppendToPrompt: aws.String("v1"), ModelId: aws.String("m1")},
			}},
		}})
	before := memGet(t, c, m.Id)
	factsID := memStrategy(t, before, "facts").StrategyId
	oldID := memStrategy(t, before, "old_summary").StrategyId
	tunedID := memStrategy(t, before, "tuned").StrategyId

	up, err := c.UpdateMemory(ctx, &acc.UpdateMemoryInput{
		MemoryId: m.Id, EventExpiryDuration: aws.Int32(120),
		AddIndexedKeys: []types.IndexedKey{{Key: aws.String("topic"), Type: types.MetadataValueTypeString}},
		MemoryStrategies: &types.ModifyMemoryStrategies{
			AddMemoryStrategies:    []types.MemoryStrategyInput{memSummary("new_summary")},
			DeleteMemoryStrategies: []types.DeleteMemoryStrategyInput{{MemoryStrategyId: oldID}},
			ModifyMemoryStrategies: []types.ModifyMemoryStrategyInput{
				{MemoryStrategyId: factsID, Description: aws.String("now described"), NamespaceTemplates: []string{"/facts/{actorId}"}},
				{MemoryStrategyId: tunedID, Configuration: &types.ModifyStrategyConfiguration{
					Extraction: &types.ModifyExtractionConfigurationMemberCustomExtractionConfiguration{Value: &types.CustomExtractionConfigurationInputMemberSemanticExtractionOverride{
						Value: types.SemanticOverrideExtractionConfigurationInput{AppendToPrompt: aws.String("v2"), ModelId: aws.String("m2")},
					}},
				}},
			},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if code := httpStatus(t, up.ResultMetadata); code != http.StatusAccepted {
		t.Errorf("UpdateMemory status = %d, want 202", code)
	}
	// A strategy change makes the memory UPDATING (botocore 1.43.67) while
	// its strategies carry their own transitions.
	if up.Memory.Status != types.MemoryStatusUpdating {
		t.Errorf("update answer status = %s, want UPDATING", up.Memory.Status)
	}
	want := map[string]types.MemoryStrategyStatus{"facts": "ACTIVE", "old_summary": "DELETING", "tuned": "ACTIVE", "new_summary": "CREATING"}
	if got := memStatuses(up.Memory); !reflect.DeepEqual(got, want) {
		t.Errorf("update answer strategies = %v, want %v", got, want)
	}

	got := memGet(t, c, m.Id)
	want = map[string]types.MemoryStrategyStatus{"facts": "ACTIVE", "tuned": "ACTIVE", "new_summary": "ACTIVE"}
	if st := memStatuses(got); !reflect.DeepEqual(st, want) {
		t.Errorf("strategies after update = %v, want %v", st, want)
	}
	if aws.ToInt32(got.EventExpiryDuration) != 120 || len(got.IndexedKeys) != 1 || got.Description != nil {
		t.Errorf("memory after update: expiry %d, keys %+v, description %v", aws.ToInt32(got.EventExpiryDuration), got.IndexedKeys, got.Description)
	}
	facts := memStrategy(t, got, "facts")
	if aws.ToString(facts.Description) != "now described" || !reflect.DeepEqual(facts.NamespaceTemplates, []string{"/facts/{actorId}"}) ||
		aws.ToString(facts.StrategyId) != aws.ToString(factsID) {
		t.Errorf("modified semantic strategy = %+v", facts)
	}
	tuned := memStrategy(t, got, "tuned")
	ext := tuned.Configuration.Extraction.(*types.ExtractionConfigurationMemberCustomExtractionConfiguration)
	if v := ext.Value.(*types.CustomExtractionConfigurationMemberSemanticExtractionOverride); aws.ToString(v.Value.AppendToPrompt) != "v2" || aws.ToString(v.Value.ModelId) != "m2" {
		t.Errorf("modified extraction = %+v", v.Value)
	}

	// A description-only update is a patch that keeps everything else.
	if _, err := c.UpdateMemory(ctx, &acc.UpdateMemoryInput{MemoryId: m.Id, Description: aws.String("patched")}); err != nil {
		t.Fatal(err)
	}
	got = memGet(t, c, m.Id)
	if aws.ToString(got.Description) != "patched" || aws.ToInt32(got.EventExpiryDuration) != 120 || len(got.Strategies) != 3 || len(got.IndexedKeys) != 1 {
		t.Errorf("after a description patch: %+v", got)
	}

	update := func(ms *types.ModifyMemoryStrategies) error {
		_, err := c.UpdateMemory(ctx, &acc.UpdateMemoryInput{MemoryId: m.Id, MemoryStrategies: ms})
		return err
	}
	err = update(&types.ModifyMemoryStrategies{DeleteMemoryStrategies: []types.DeleteMemoryStrategyInput{{MemoryStrategyId: aws.String("ghost-abcdefghij")}}})
	memWantCode(t, err, "ValidationException", "Cannot delete non-existent memory strategies")
	err = update(&types.ModifyMemoryStrategies{ModifyMemoryStrategies: []types.ModifyMemoryStrategyInput{{MemoryStrategyId: aws.String("ghost-abcdefghij"), Description: aws.String("x")}}})
	memWantCode(t, err, "ValidationException", "non-existent")
	// A summary consolidation override does not fit a semantic override strategy.
	err = update(&types.ModifyMemoryStrategies{ModifyMemoryStrategies: []types.ModifyMemoryStrategyInput{{MemoryStrategyId: tunedID, Configuration: &types.ModifyStrategyConfiguration{
		Consolidation: &types.ModifyConsolidationConfigurationMemberCustomConsolidationConfiguration{Value: &types.CustomConsolidationConfigurationInputMemberSummaryConsolidationOverride{
			Value: types.SummaryOverrideConsolidationConfigurationInput{AppendToPrompt: aws.String("x"), ModelId: aws.String("m")},
		}},
	}}}})
	memWantCode(t, err, "ValidationException", "does not apply")
	err = update(&types.ModifyMemoryStrategies{AddMemoryStrategies: []types.MemoryStrategyInput{memSemantic("facts")}})
	memWantCode(t, err, "ConflictException", "facts")
	_, err = c.UpdateMemory(ctx, &acc.UpdateMemoryInput{MemoryId: m.Id, AddIndexedKeys: []types.IndexedKey{{Key: aws.String("topic"), Type: types.MetadataValueTypeString}}})
	memWantCode(t, err, "ValidationException", "topic")
	// Three strategies exist: four more would make seven, over the fixed quota of six.
	err = update(&types.ModifyMemoryStrategies{AddMemoryStrategies: []types.MemoryStrategyInput{memSemantic("a"), memSemantic("b"), memSemantic("c"), memSemantic("d")}})
	memWantCode(t, err, "ServiceQuotaExceededException", "")
	// Deleting one in the same request makes room.
	err = update(&types.ModifyMemoryStrategies{
		AddMemoryStrategies:    []types.MemoryStrategyInput{memSemantic("a"), memSemantic("b"), memSemantic("c"), memSemantic("d")},
		DeleteMemoryStrategies: []types.DeleteMemoryStrategyInput{{MemoryStrategyId: factsID}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := memGet(t, c, m.Id); len(got.Strategies) != 6 {
		t.Errorf("strategies after swap = %v", memStatuses(got))
	}
	// Nothing failed above: the rejected requests changed nothing.
	if got := memGet(t, c, m.Id); aws.ToString(got.Description) != "patched" {
		t.Errorf("description = %v", got.Description)
	}
}

func TestMemoryTransitionalStatesRejectUpdates(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client(t)
	ctx := context.Background()
	setLifecycle(t, srv.URL, "memories", "manual")

	m := memCreate(t, c, "held", memSemantic("facts"))
	if got := memGet(t, c, m.Id); got.Status != types.MemoryStatusCreating || memStatuses(got)["facts"] != types.MemoryStrategyStatusCreating {
		t.Fatalf("before advance: %s %v", got.Status, memStatuses(got))
	}
	_, err := c.UpdateMemory(ctx, &acc.UpdateMemoryInput{MemoryId: m.Id, Description: aws.String("too early")})
	memWantCode(t, err, "ValidationException", "Memory is in transitional state CREATING")
	advanceOne(t, srv.URL, "memory", aws.ToString(m.Id))
	if got := memGet(t, c, m.Id); got.Status != types.MemoryStatusActive || memStatuses(got)["facts"] != types.MemoryStrategyStatusActive {
		t.Fatalf("after advance: %s %v", got.Status, memStatuses(got))
	}

	up, err := c.UpdateMemory(ctx, &acc.UpdateMemoryInput{MemoryId: m.Id, MemoryStrategies: &types.ModifyMemoryStrategies{
		AddMemoryStrategies: []types.MemoryStrategyInput{memSummary("later")},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if up.Memory.Status != types.MemoryStatusUpdating || memStatuses(up.Memory)["later"] != types.MemoryStrategyStatusCreating {
		t.Errorf("update answer: %s %v", up.Memory.Status, memStatuses(up.Memory))
	}
	_, err = c.UpdateMemory(ctx, &acc.UpdateMemoryInput{MemoryId: m.Id, Description: aws.String("concurrent")})
	memWantCode(t, err, "ValidationException", "Memory is in transitional state UPDATING")
	if !strings.Contains(err.Error(), "Cannot update memory while strategies are being modified") {
		t.Errorf("message %q lacks the strategies text clients match", err)
	}
	advanceOne(t, srv.URL, "memory", aws.ToString(m.Id))
	if got := memGet(t, c, m.Id); got.Status != types.MemoryStatusActive || memStatuses(got)["later"] != types.MemoryStrategyStatusActive {
		t.Errorf("after advancing the update: %s %v", got.Status, memStatuses(got))
	}
	if _, err := c.UpdateMemory(ctx, &acc.UpdateMemoryInput{MemoryId: m.Id, Description: aws.String("settled")}); err != nil {
		t.Fatal(err)
	}

	del, err := c.DeleteMemory(ctx, &acc.DeleteMemoryInput{MemoryId: m.Id})
	if err != nil || del.Status != types.MemoryStatusDeleting {
		t.Fatalf("delete: %+v %v", del, err)
	}
	if got := memGet(t, c, m.Id); got.Status != types.MemoryStatusDeleting {
		t.Errorf("before advancing the delete: %s", got.Status)
	}
	_, err = c.UpdateMemory(ctx, &acc.UpdateMemoryInput{MemoryId: m.Id, Description: aws.String("too late")})
	memWantCode(t, err, "ValidationException", "Memory is in transitional state DELETING")
	// Deleting again while DELETING answers the same.
	again, err := c.DeleteMemory(ctx, &acc.DeleteMemoryInput{MemoryId: m.Id})
	if err != nil || again.Status != types.MemoryStatusDeleting {
		t.Errorf("second delete: %+v %v", again, err)
	}
	advanceOne(t, srv.URL, "memory", aws.ToString(m.Id))
	_, err = c.GetMemory(ctx, &acc.GetMemoryInput{MemoryId: m.Id})
	memWantCode(t, err, "ResourceNotFoundException", "")
}

func TestMemoryTimedLifecycleSatisfiesWaiter(t *testing.T) {
	srv := testserver.Start(t, func(c *server.Config) { c.Lifecycle = "timed"; c.LifecycleDelay = 200 * time.Millisecond })
	c := srv.Client(t)
	ctx := context.Background()
	m := memCreate(t, c, "slow", memSemantic("facts"), memSummary("sums"))
	if got := memGet(t, c, m.Id); got.Status != types.MemoryStatusCreating {
		t.Fatalf("right after create: %s", got.Status)
	}
	// The model's MemoryCreated waiter, with short delays: it polls
	// memory.status, retries on CREATING, succeeds on ACTIVE, fails on FAILED.
	w := acc.NewMemoryCreatedWaiter(c, func(o *acc.MemoryCreatedWaiterOptions) {
		o.MinDelay, o.MaxDelay = 20*time.Millisecond, 100*time.Millisecond
	})
	out, err := w.WaitForOutput(ctx, &acc.GetMemoryInput{MemoryId: m.Id}, 30*time.Second)
	if err != nil {
		t.Fatalf("MemoryCreated waiter: %v", err)
	}
	if out.Memory.Status != types.MemoryStatusActive {
		t.Fatalf("waiter ended with %s", out.Memory.Status)
	}
	for name, st := range memStatuses(out.Memory) {
		if st != types.MemoryStrategyStatusActive {
			t.Errorf("strategy %s is %s once the memory is ACTIVE", name, st)
		}
	}

	if _, err := c.DeleteMemory(ctx, &acc.DeleteMemoryInput{MemoryId: m.Id}); err != nil {
		t.Fatal(err)
	}
	eventuallyGone(t, "memory gone", func() (types.MemoryStatus, error) {
		got, err := c.GetMemory(ctx, &acc.GetMemoryInput{MemoryId: m.Id})
		if err != nil {
			return "", err
		}
		return got.Memory.Status, nil
	}, types.MemoryStatusDeleting)
}

func TestMemoryInjectedFailures(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client(t)
	ctx := context.Background()

	failNext(t, srv.URL, "CreateMemory", "boom")
	doomed := memCreate(t, c, "doomed", memSemantic("facts"))
	if doomed.Status != types.MemoryStatusCreating {
		t.Errorf("create answer status = %s, want CREATING", doomed.Status)
	}
	got := memGet(t, c, doomed.Id)
	if got.Status != types.MemoryStatusFailed || aws.ToString(got.FailureReason) != "boom" || memStatuses(got)["facts"] != types.MemoryStrategyStatusFailed {
		t.Errorf("failed create: %s %q %v", got.Status, aws.ToString(got.FailureReason), memStatuses(got))
	}
	w := acc.NewMemoryCreatedWaiter(c, func(o *acc.MemoryCreatedWaiterOptions) {
		o.MinDelay, o.MaxDelay = 10*time.Millisecond, 20*time.Millisecond
	})
	if err := w.Wait(ctx, &acc.GetMemoryInput{MemoryId: doomed.Id}, 10*time.Second); err == nil {
		t.Error("MemoryCreated waiter succeeded on a FAILED memory")
	}
	_, err := c.UpdateMemory(ctx, &acc.UpdateMemoryInput{MemoryId: doomed.Id, Description: aws.String("fix")})
	memWantCode(t, err, "ValidationException", "FAILED")

	// The rule was used up: the next memory is fine; an update can fail.
	ok := memCreate(t, c, "fine", memSemantic("facts"))
	failNext(t, srv.URL, "UpdateMemory", "strategy broke")
	if _, err := c.UpdateMemory(ctx, &acc.UpdateMemoryInput{MemoryId: ok.Id, MemoryStrategies: &types.ModifyMemoryStrategies{
		AddMemoryStrategies: []types.MemoryStrategyInput{memSummary("sums")},
	}}); err != nil {
		t.Fatal(err)
	}
	got = memGet(t, c, ok.Id)
	if got.Status != types.MemoryStatusActive || aws.ToString(got.FailureReason) != "strategy broke" ||
		!reflect.DeepEqual(memStatuses(got), map[string]types.MemoryStrategyStatus{"facts": "ACTIVE", "sums": "FAILED"}) {
		t.Errorf("failed update: %s %q %v", got.Status, aws.ToString(got.FailureReason), memStatuses(got))
	}
	// The failed strategy can be deleted; the memory's reason clears with the next change.
	if _, err := c.UpdateMemory(ctx, &acc.UpdateMemoryInput{MemoryId: ok.Id, MemoryStrategies: &types.ModifyMemoryStrategies{
		DeleteMemoryStrategies: []types.DeleteMemoryStrategyInput{{MemoryStrategyId: memStrategy(t, got, "sums").StrategyId}},
	}}); err != nil {
		t.Fatal(err)
	}
	got = memGet(t, c, ok.Id)
	if got.FailureReason != nil || !reflect.DeepEqual(memStatuses(got), map[string]types.MemoryStrategyStatus{"facts": "ACTIVE"}) {
		t.Errorf("after deleting the failed strategy: %v %v", got.FailureReason, memStatuses(got))
	}

	failNext(t, srv.URL, "DeleteMemory", "stuck")
	del, err := c.DeleteMemory(ctx, &acc.DeleteMemoryInput{MemoryId: ok.Id})
	if err != nil || del.Status != types.MemoryStatusDeleting {
		t.Fatalf("delete: %+v %v", del, err)
	}
	got = memGet(t, c, ok.Id)
	if got.Status != types.MemoryStatusFailed || aws.ToString(got.FailureReason) != "stuck" {
		t.Errorf("failed delete: %s %q", got.Status, aws.ToString(got.FailureReason))
	}
	for _, id := range []*string{ok.Id, doomed.Id} {
		if _, err := c.DeleteMemory(ctx, &acc.DeleteMemoryInput{MemoryId: id}); err != nil {
			t.Fatal(err)
		}
		_, err := c.GetMemory(ctx, &acc.GetMemoryInput{MemoryId: id})
		memWantCode(t, err, "ResourceNotFoundException", "")
	}
}

func TestMemoryIdempotency(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client(t)
	ctx := context.Background()
	in := func(desc string) *acc.CreateMemoryInput {
		return &acc.CreateMemoryInput{
			Name: aws.String("retried"), Description: aws.String(desc), EventExpiryDuration: aws.Int32(30),
			MemoryStrategies: []types.MemoryStrategyInput{memSemantic("facts")}, ClientToken: aws.String("mem-token-1"),
		}
	}
	first, err := c.CreateMemory(ctx, in("one"))
	if err != nil {
		t.Fatal(err)
	}
	second, err := c.CreateMemory(ctx, in("one"))
	if err != nil {
		t.Fatalf("replay: %v", err)
	}
	if code := httpStatus(t, second.ResultMetadata); code != http.StatusAccepted {
		t.Errorf("replay status = %d, want 202", code)
	}
	if aws.ToString(first.Memory.Id) != aws.ToString(second.Memory.Id) ||
		aws.ToString(memStrategy(t, first.Memory, "facts").StrategyId) != aws.ToString(memStrategy(t, second.Memory, "facts").StrategyId) ||
		second.Memory.Status != types.MemoryStatusCreating {
		t.Errorf("replay answered %+v, first %+v", second.Memory, first.Memory)
	}
	_, err = c.CreateMemory(ctx, in("two"))
	memWantCode(t, err, "ValidationException", "")
	if reason, _ := validationReason(err); reason != types.ValidationExceptionReason("IdempotentParameterMismatchException") {
		t.Errorf("mismatch reason = %q", reason)
	}
	list, err := c.ListMemories(ctx, &acc.ListMemoriesInput{})
	if err != nil || len(list.Memories) != 1 {
		t.Fatalf("list = %+v (%v), want exactly one memory", list, err)
	}
	// Without a shared token a second create of the name conflicts.
	_, err = c.CreateMemory(ctx, &acc.CreateMemoryInput{Name: aws.String("retried"), EventExpiryDuration: aws.Int32(30)})
	memWantCode(t, err, "ConflictException", "retried")

	upd := func() *acc.UpdateMemoryInput {
		return &acc.UpdateMemoryInput{MemoryId: first.Memory.Id, ClientToken: aws.String("mem-update-1"), MemoryStrategies: &types.ModifyMemoryStrategies{
			AddMemoryStrategies: []types.MemoryStrategyInput{memSummary("sums")},
		}}
	}
	u1, err := c.UpdateMemory(ctx, upd())
	if err != nil {
		t.Fatal(err)
	}
	u2, err := c.UpdateMemory(ctx, upd())
	if err != nil {
		t.Fatalf("update replay: %v", err)
	}
	if a, b := memStrategy(t, u1.Memory, "sums").StrategyId, memStrategy(t, u2.Memory, "sums").StrategyId; aws.ToString(a) != aws.ToString(b) {
		t.Errorf("update replay made another strategy: %s vs %s", aws.ToString(a), aws.ToString(b))
	}
	if got := memGet(t, c, first.Memory.Id); len(got.Strategies) != 2 {
		t.Errorf("strategies after a replayed update = %v", memStatuses(got))
	}

	del := func() *acc.DeleteMemoryInput {
		return &acc.DeleteMemoryInput{MemoryId: first.Memory.Id, ClientToken: aws.String("mem-delete-1")}
	}
	if _, err := c.DeleteMemory(ctx, del()); err != nil {
		t.Fatal(err)
	}
	// The memory is gone, but a retry of the same delete replays its answer.
	again, err := c.DeleteMemory(ctx, del())
	if err != nil || aws.ToString(again.MemoryId) != aws.ToString(first.Memory.Id) || again.Status != types.MemoryStatusDeleting {
		t.Errorf("delete replay: %+v %v", again, err)
	}
}

func TestMemoryValidationConflictAndQuotas(t *testing.T) {
	srv := testserver.Start(t, func(c *server.Config) { c.Quotas.MemoriesPerAccount = 2 })
	c := srv.Client(t)
	ctx := context.Background()
	create := func(name string, expiry int32, strategies ...types.MemoryStrategyInput) error {
		_, err := c.CreateMemory(ctx, &acc.CreateMemoryInput{Name: aws.String(name), EventExpiryDuration: aws.Int32(expiry), MemoryStrategies: strategies})
		return err
	}
	memWantCode(t, create("too_short", 2), "ValidationException", "eventExpiryDuration")
	memWantCode(t, create("too_long", 366), "ValidationException", "eventExpiryDuration")
	memWantCode(t, create("has-hyphen", 30), "ValidationException", "name")
	memWantCode(t, create("twins", 30, memSemantic("same"), memSummary("same")), "ValidationException", "same")
	seven := []types.MemoryStrategyInput{}
	for i := 0; i < 7; i++ {
		seven = append(seven, memSemantic(fmt.Sprintf("s%d", i)))
	}
	memWantCode(t, create("crowded", 30, seven...), "ServiceQuotaExceededException", "6")
	_, err := c.CreateMemory(ctx, &acc.CreateMemoryInput{Name: aws.String("reserved"), EventExpiryDuration: aws.Int32(30), Tags: map[string]string{"aws:owner": "x"}})
	memWantCode(t, err, "ValidationException", "aws:")

	memCreate(t, c, "first", seven[:6]...)
	memWantCode(t, create("first", 30), "ConflictException", "first")
	memCreate(t, c, "second")
	memWantCode(t, create("third", 30), "ServiceQuotaExceededException", "")
	// None of the rejected requests left anything behind.
	list, err := c.ListMemories(ctx, &acc.ListMemoriesInput{})
	if err != nil || len(list.Memories) != 2 {
		t.Errorf("list = %+v (%v)", list, err)
	}
}

func TestMemoryPagination(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client(t)
	ctx := context.Background()
	want := map[string]bool{}
	for i := 0; i < 5; i++ {
		want[aws.ToString(memCreate(t, c, fmt.Sprintf("page_%d", i)).Id)] = true
	}
	seen := map[string]int{}
	var token *string
	for pages := 0; ; pages++ {
		out, err := c.ListMemories(ctx, &acc.ListMemoriesInput{MaxResults: aws.Int32(1), NextToken: token})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Memories) > 1 {
			t.Fatalf("page of %d", len(out.Memories))
		}
		for _, m := range out.Memories {
			if !strings.HasPrefix(aws.ToString(m.Arn), memArnPrefix) || m.Status != types.MemoryStatusActive {
				t.Errorf("summary %+v", m)
			}
			seen[aws.ToString(m.Id)]++
		}
		if out.NextToken == nil {
			break
		}
		if aws.ToString(out.NextToken) == "" {
			t.Fatal("empty-string nextToken")
		}
		if pages > 10 {
			t.Fatal("pagination does not end")
		}
		token = out.NextToken
	}
	if len(seen) != len(want) {
		t.Fatalf("listed %v, want %v", seen, want)
	}
	for id := range want {
		if seen[id] != 1 {
			t.Fatalf("memory %s listed %d times", id, seen[id])
		}
	}
	// The default page is 10: five fit on one page without a token.
	all, err := c.ListMemories(ctx, &acc.ListMemoriesInput{})
	if err != nil || len(all.Memories) != 5 || all.NextToken != nil {
		t.Errorf("default page = %d memories, token %v (%v)", len(all.Memories), all.NextToken, err)
	}
	// The SDK paginator walks the same listing.
	p := acc.NewListMemoriesPaginator(c, &acc.ListMemoriesInput{MaxResults: aws.Int32(2)})
	n := 0
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		n += len(page.Memories)
	}
	if n != 5 {
		t.Errorf("paginator saw %d memories", n)
	}
	_, err = c.ListMemories(ctx, &acc.ListMemoriesInput{NextToken: aws.String("forged-token")})
	memWantCode(t, err, "ValidationException", "")
	_, err = c.ListMemories(ctx, &acc.ListMemoriesInput{MaxResults: aws.Int32(101)})
	memWantCode(t, err, "ValidationException", "")
}
