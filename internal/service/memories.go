package service

// AgentCore Memory. One "memory" row per memory; its strategies live inside
// the memory's document (they have no ARN, no tags and no operations of
// their own: UpdateMemory adds, modifies and deletes them).
//
// Lifecycle:
//   - CreateMemory answers 202 with the memory CREATING and every strategy
//     CREATING; the reconciler makes them ACTIVE (an injected failure makes
//     the memory and its strategies FAILED, with the memory's failureReason).
//     The model's MemoryCreated waiter (memory.status CREATING → ACTIVE,
//     FAILED fails) is satisfied by every lifecycle policy.
//   - UpdateMemory that adds, modifies or deletes strategies answers 202
//     with the memory UPDATING (MemoryStatus gained UPDATING in botocore
//     1.43.67; the live service reports it) and the strategies carrying
//     their own transition: added ones are CREATING, deleted ones DELETING
//     (then gone), modified ones keep ACTIVE (the strategy enum has no
//     UPDATING). The reconciler ends it: the memory ACTIVE again, the
//     strategies ACTIVE (or gone). Until then a further UpdateMemory answers
//     ValidationException "Memory is in transitional state UPDATING. Cannot
//     update memory while strategies are being modified." (both real texts:
//     the SDK's and Terraform's retry matchers look for them). An injected
//     UpdateMemory failure ends the update ACTIVE with failureReason set and
//     the strategies that were changing FAILED: the model has no
//     UPDATE_FAILED, FAILED means a creation that failed (such a memory can
//     only be deleted), and the AgentCore SDK's update waiter
//     (MemoryClient._wait_for_memory_active: "wait for memory to return to
//     ACTIVE state and all strategies to reach terminal states", then
//     report the FAILED strategies) expects the memory back in ACTIVE.
//     Changes that touch no strategy (description, expiry, role, indexed
//     keys, stream delivery) apply at once: the memory stays ACTIVE. A
//     DeleteMemory while UPDATING supersedes the pending update.
//     (Rows written before UPDATING existed kept ACTIVE with the private
//     Updating flag; the reconciler still ends those.)
//   - DeleteMemory answers 202 {memoryId, status: DELETING}; the row then
//     disappears (404), or, with an injected failure, the memory parks in
//     FAILED with failureReason and can be deleted again.
//
// Strategies: id "<strategy name>-<10 alnum>", names unique within their
// memory, at most Quotas.StrategiesPerMemory (6, fixed on AWS) → 402
// ServiceQuotaExceededException. Input → output mapping:
//   - semantic / summary / user preference → type SEMANTIC / SUMMARIZATION /
//     USER_PREFERENCE, no configuration;
//   - episodic → type EPISODIC, configuration.reflection
//     .episodicReflectionConfiguration from reflectionConfiguration;
//   - custom → type CUSTOM, configuration.type the override kind
//     (SEMANTIC_OVERRIDE, SUMMARY_OVERRIDE, USER_PREFERENCE_OVERRIDE,
//     EPISODIC_OVERRIDE, SELF_MANAGED) with the override's extraction /
//     consolidation / reflection / selfManagedConfiguration in the output
//     union shapes. A custom strategy without configuration is rejected.
// Namespaces: the output requires both namespaces (legacy) and
// namespaceTemplates; when the caller gives one, the other mirrors it; when
// it gives neither, the defaults the AWS samples and CDK built-ins use:
// "/strategies/{memoryStrategyId}/actors/{actorId}" for semantic, user
// preference, self-managed and episodic reflections, and
// ".../actors/{actorId}/sessions/{sessionId}" for summaries and episodes
// (custom overrides follow their kind). Self-managed defaults (not given by
// the model; docs/IaC providers say the service fills them): historical
// context window 4, triggers messageCount 6, tokenCount 5000,
// idleSessionTimeout 20 s [infer]. Kinesis content configurations without a
// level report METADATA_ONLY (the documented default).
//
// UpdateMemory is a patch: absent members keep their value (the service
// ignores a null description); indexed keys can only be added (at most 10
// in all, no duplicates); streamDeliveryResources replaces the previous one.
// UpdateMemory on a FAILED memory answers ValidationException: its creation
// failed and it can only be deleted.
//
// managedByResourceArn (Memory, MemorySummary; read-only, botocore 1.43.67)
// names the harness that manages a memory. Harnesses here create no
// memories (their managedMemoryConfiguration is stored, not provisioned),
// so it is always absent.

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"

	"agentcored/internal/api"
	"agentcored/internal/awserr"
	"agentcored/internal/members"
	"agentcored/internal/store"
)

const (
	kindMemory             = "memory"
	familyMemories         = "memories"
	defaultMemoryListLimit = 10
	maxIndexedKeys         = 10

	nsActor   = "/strategies/{memoryStrategyId}/actors/{actorId}"
	nsSession = "/strategies/{memoryStrategyId}/actors/{actorId}/sessions/{sessionId}"

	defaultHistoricalContextWindow = 4
	defaultTriggerMessageCount     = 6
	defaultTriggerTokenCount       = 5000
	defaultTriggerIdleTimeout      = 20
)

// memoryRecord is the document of a memory row: the model's Memory with the
// private state of a pending transition.
type memoryRecord struct {
	api.Memory
	failable
	// Updating is set while an UpdateMemory's strategy changes are pending.
	Updating bool `json:"updating,omitempty"`
	// Modifying lists the strategies an update modified (they have no
	// transitional status of their own), so a failure can mark them.
	Modifying []string `json:"modifying,omitempty"`
}

var memories = &family[memoryRecord]{
	kind: kindMemory, group: familyMemories, noun: "memory", plural: "memories", arnPath: "memory/",
	fields: fields{ID: "Id", ARN: "Arn", Status: "Status", Reason: "FailureReason", Created: "CreatedAt", Updated: "UpdatedAt"},
	states: states{create: "CREATING", delete: "DELETING", settle: map[string]outcome{
		"CREATING": {"ACTIVE", "FAILED"}, "DELETING": {"", "FAILED"},
		// A failed update leaves the memory usable: ACTIVE with its
		// failureReason (see the header).
		"UPDATING": {"ACTIVE", "ACTIVE"},
	}},
	quota:     func(q Quotas) int { return quotaOrDefault(q.MemoriesPerAccount, DefaultQuotas.MemoriesPerAccount) },
	listLimit: defaultMemoryListLimit,
	missing:   func(_, id string) error { return awserr.NotFound("Memory not found: %s", id) },
	// A delete supersedes the strategy changes still pending.
	beforeDelete: func(_ context.Context, _ store.Tx, _ scope, _ *store.Resource, rec *memoryRecord) error {
		rec.Updating, rec.Modifying, rec.PendingFailure = false, nil, ""
		return nil
	},
	settled: func(ctx context.Context, _ *Service, tx store.Tx, row *store.Resource, rec *memoryRecord, from string) error {
		switch from {
		case string(api.MemoryStatusCreating):
			settleStrategies(rec, rec.FailureReason, rec.UpdatedAt)
		case string(api.MemoryStatusUpdating):
			settleStrategies(rec, rec.FailureReason, rec.UpdatedAt)
			rec.Updating, rec.Modifying = false, nil
		case string(api.MemoryStatusDeleting):
			// A memory that goes keeps its status (a failed delete is
			// FAILED): its events go with it.
			if rec.Status == api.MemoryStatusDeleting {
				sc := scope{account: row.Account, region: row.Region}
				if err := purgeMemoryEvents(ctx, tx, sc, row.ID); err != nil {
					return err
				}
				return purgeMemoryLongTerm(ctx, tx, sc, row.ID)
			}
		}
		return nil
	},
}

func strategiesPerMemory(q Quotas) int {
	return quotaOrDefault(q.StrategiesPerMemory, DefaultQuotas.StrategiesPerMemory)
}

func (s *Service) CreateMemory(ctx context.Context, in *api.CreateMemoryInput) (*api.CreateMemoryOutput, error) {
	// The tag keys first, as the engine would, so that the memory's own
	// checks keep their place after them.
	if err := checkTagKeys("tags", mapKeys(in.Tags)); err != nil {
		return nil, err
	}
	if err := checkIndexedKeys("indexedKeys", nil, in.IndexedKeys); err != nil {
		return nil, err
	}
	if err := checkStrategyRoom(nil, in.MemoryStrategies, strategiesPerMemory(s.quotas)); err != nil {
		return nil, err
	}
	return create[api.CreateMemoryOutput](ctx, s, memories, creation{name: in.Name, tags: in.Tags, from: in},
		func(_ store.Tx, _ scope, rec *memoryRecord) error {
			rec.StreamDeliveryResources = streamDelivery(in.StreamDeliveryResources)
			rec.Strategies = []api.MemoryStrategy{}
			for i, si := range in.MemoryStrategies {
				st, err := newStrategy(fmt.Sprintf("memoryStrategies.%d.member", i+1), si, rec.CreatedAt)
				if err != nil {
					return err
				}
				rec.Strategies = append(rec.Strategies, st)
			}
			return nil
		})
}

func (s *Service) GetMemory(ctx context.Context, in *api.GetMemoryInput) (*api.GetMemoryOutput, error) {
	return get[api.GetMemoryOutput](ctx, s, memories, "", in.MemoryId)
}

// UpdateMemory is the family's own: only a change of strategies makes the
// memory UPDATING (see the header), while the engine's update moves every
// change into the update status.
func (s *Service) UpdateMemory(ctx context.Context, in *api.UpdateMemoryInput) (*api.UpdateMemoryOutput, error) {
	sc := scopeOf(ctx)
	return mutate(ctx, s, func(tx store.Tx) (*api.UpdateMemoryOutput, error) {
		row, rec, err := memories.load(ctx, tx, sc, "", in.MemoryId)
		if err != nil {
			return nil, err
		}
		switch {
		case rec.Status == api.MemoryStatusUpdating || rec.Updating:
			return nil, awserr.Validation("Memory is in transitional state UPDATING. Cannot update memory while strategies are being modified.")
		case memories.transitional(string(rec.Status)):
			return nil, awserr.Validation("Memory is in transitional state %s", rec.Status)
		case rec.Status == api.MemoryStatusFailed:
			return nil, awserr.Validation("Memory %s is in FAILED state and cannot be updated; delete it and create it again.", in.MemoryId)
		}
		now := s.now().UTC()
		members.Patch(rec, in) // description, expiry and role: absent members keep their value
		if in.StreamDeliveryResources != nil {
			rec.StreamDeliveryResources = streamDelivery(in.StreamDeliveryResources)
		}
		if len(in.AddIndexedKeys) > 0 {
			if err := checkIndexedKeys("addIndexedKeys", rec.IndexedKeys, in.AddIndexedKeys); err != nil {
				return nil, err
			}
			rec.IndexedKeys = append(rec.IndexedKeys, in.AddIndexedKeys...)
		}
		if ms := in.MemoryStrategies; ms != nil {
			if err := applyStrategyChanges(rec, ms, strategiesPerMemory(s.quotas), api.NewEpochTime(now)); err != nil {
				return nil, err
			}
		}
		rec.UpdatedAt = api.NewEpochTime(now)
		if rec.Updating {
			// save schedules the end of UPDATING, a transitional status.
			rec.Status, rec.FailureReason = api.MemoryStatusUpdating, ""
			rec.PendingFailure = s.injectedFailure(ctx, "UpdateMemory")
		}
		if err := memories.save(ctx, s, tx, row, rec, now); err != nil {
			return nil, err
		}
		return members.Project[api.UpdateMemoryOutput](rec), nil
	})
}

// applyStrategyChanges applies an UpdateMemory's strategy changes to the
// record: deletions first, then modifications, then additions (so a name
// freed by a deletion can be reused in the same request).
func applyStrategyChanges(rec *memoryRecord, ms *api.ModifyMemoryStrategies, quota int, at api.EpochTime) error {
	index := map[string]int{}
	for i, st := range rec.Strategies {
		index[st.StrategyId] = i
	}
	var deleteIDs, modifyIDs []string
	for _, d := range ms.DeleteMemoryStrategies {
		deleteIDs = append(deleteIDs, d.MemoryStrategyId)
	}
	for _, m := range ms.ModifyMemoryStrategies {
		modifyIDs = append(modifyIDs, m.MemoryStrategyId)
	}
	for _, change := range []struct {
		verb string
		ids  []string
	}{{"delete", deleteIDs}, {"modify", modifyIDs}} {
		var missing []string
		for _, id := range change.ids {
			if _, ok := index[id]; !ok {
				missing = append(missing, id)
			}
		}
		if len(missing) > 0 {
			return awserr.Validation("Cannot %s non-existent memory strategies: [%s]", change.verb, strings.Join(missing, ", "))
		}
	}
	deleting, modified := map[string]bool{}, map[string]bool{}
	for _, id := range deleteIDs {
		deleting[id] = true
	}
	for i, m := range ms.ModifyMemoryStrategies {
		switch id := m.MemoryStrategyId; {
		case deleting[id]:
			return awserr.Validation("Memory strategy %s cannot be both modified and deleted in one request.", id)
		case modified[id]:
			return awserr.Validation("Memory strategy %s is modified more than once in one request.", id)
		}
		member := fmt.Sprintf("memoryStrategies.modifyMemoryStrategies.%d.member", i+1)
		if err := modifyStrategy(member, &rec.Strategies[index[m.MemoryStrategyId]], m, at); err != nil {
			return err
		}
		modified[m.MemoryStrategyId] = true
	}
	// An error below discards the record, so the deleted ones can be
	// marked while the kept ones are collected.
	var kept []api.MemoryStrategy
	for i := range rec.Strategies {
		if st := &rec.Strategies[i]; deleting[st.StrategyId] {
			st.Status, st.UpdatedAt = api.MemoryStrategyStatusDeleting, at
		} else {
			kept = append(kept, *st)
		}
	}
	if err := checkStrategyRoom(kept, ms.AddMemoryStrategies, quota); err != nil {
		return err
	}
	for i, si := range ms.AddMemoryStrategies {
		st, err := newStrategy(fmt.Sprintf("memoryStrategies.addMemoryStrategies.%d.member", i+1), si, at)
		if err != nil {
			return err
		}
		rec.Strategies = append(rec.Strategies, st)
	}
	rec.Modifying = modifyIDs
	rec.Updating = len(deleting)+len(modified)+len(ms.AddMemoryStrategies) > 0
	return nil
}

// DeleteMemory answers {memoryId, status}: the record projected on the
// answer under the record's member names.
func (s *Service) DeleteMemory(ctx context.Context, in *api.DeleteMemoryInput) (*api.DeleteMemoryOutput, error) {
	out, err := remove[memoryDeletion](ctx, s, memories, "", in.MemoryId)
	if err != nil {
		return nil, err
	}
	return &api.DeleteMemoryOutput{MemoryId: out.Id, Status: out.Status}, nil
}

// memoryDeletion is api.DeleteMemoryOutput with the record's name for the
// id; its JSON, which a clientToken replay answers, is the same.
type memoryDeletion struct {
	Id     string           `json:"memoryId,omitzero"`
	Status api.MemoryStatus `json:"status,omitzero"`
}

func (s *Service) ListMemories(ctx context.Context, in *api.ListMemoriesInput) (*api.ListMemoriesOutput, error) {
	// Summaries carry no name, as on AWS.
	return answerPage[api.ListMemoriesOutput](list[api.MemorySummary](ctx, s, memories,
		listing[memoryRecord]{maxResults: in.MaxResults, nextToken: in.NextToken}))
}

// reconcileMemory ends a memory's pending transition: the engine ends
// CREATING, UPDATING and DELETING; a row stored before UPDATING existed
// (ACTIVE with Updating set) is ended here.
func (s *Service) reconcileMemory(ctx context.Context, tx store.Tx, row *store.Resource, now time.Time) error {
	if memories.transitional(row.Status) {
		return memories.reconcile(ctx, s, tx, row, now)
	}
	var rec memoryRecord
	if err := decodeDoc(row, &rec); err != nil {
		return err
	}
	if !rec.Updating && !slices.ContainsFunc(rec.Strategies, transitionalStrategy) {
		return nil
	}
	if rec.PendingFailure != "" {
		rec.FailureReason = rec.PendingFailure
	}
	rec.UpdatedAt = api.NewEpochTime(now)
	settleStrategies(&rec, rec.PendingFailure, rec.UpdatedAt)
	rec.PendingFailure = ""
	rec.Updating, rec.Modifying = false, nil
	return memories.save(ctx, s, tx, row, &rec, now)
}

// transitionalStrategy reports whether a strategy is being created or deleted.
func transitionalStrategy(st api.MemoryStrategy) bool {
	return st.Status == api.MemoryStrategyStatusCreating || st.Status == api.MemoryStrategyStatusDeleting
}

// settleStrategies ends every strategy transition: CREATING → ACTIVE,
// DELETING → gone; with a failure, those and the modified ones → FAILED.
func settleStrategies(rec *memoryRecord, fail string, at api.EpochTime) {
	modifying := map[string]bool{}
	for _, id := range rec.Modifying {
		modifying[id] = true
	}
	kept := []api.MemoryStrategy{}
	for _, st := range rec.Strategies {
		switch {
		case !transitionalStrategy(st) && !modifying[st.StrategyId]:
		case fail != "":
			st.Status, st.UpdatedAt = api.MemoryStrategyStatusFailed, at
		case st.Status == api.MemoryStrategyStatusDeleting:
			continue
		case st.Status == api.MemoryStrategyStatusCreating:
			st.Status, st.UpdatedAt = api.MemoryStrategyStatusActive, at
		}
		kept = append(kept, st)
	}
	rec.Strategies = kept
}

// checkIndexedKeys rejects duplicate keys and more than the model's 10 in all.
func checkIndexedKeys(member string, existing, add []api.IndexedKey) error {
	seen := map[string]bool{}
	for _, k := range existing {
		seen[k.Key] = true
	}
	for _, k := range add {
		if seen[k.Key] {
			return awserr.Validation("Indexed key '%s' at '%s' is already declared; indexed keys are unique and cannot be redeclared.", k.Key, member)
		}
		seen[k.Key] = true
	}
	if len(seen) > maxIndexedKeys {
		return awserr.Validation("A memory can have at most %d indexed keys; this request would make it %d.", maxIndexedKeys, len(seen))
	}
	return nil
}

// streamDelivery copies the stream delivery configuration, reporting the
// documented default level for content configurations that have none.
func streamDelivery(in *api.StreamDeliveryResources) *api.StreamDeliveryResources {
	if in == nil {
		return nil
	}
	out := reshape[api.StreamDeliveryResources](in)
	if out.Resources == nil {
		out.Resources = []api.StreamDeliveryResource{}
	}
	for _, r := range out.Resources {
		if r.Kinesis == nil {
			continue
		}
		for i := range r.Kinesis.ContentConfigurations {
			if c := &r.Kinesis.ContentConfigurations[i]; c.Level == "" {
				c.Level = api.ContentLevelMetadataOnly
			}
		}
	}
	return out
}

// checkStrategyRoom enforces, for strategies added to those a memory keeps,
// the quota of strategies per memory and unique names: among the new ones
// (ValidationException) and against the kept ones (ConflictException, like
// other name clashes).
func checkStrategyRoom(kept []api.MemoryStrategy, add []api.MemoryStrategyInput, quota int) error {
	if n := len(kept) + len(add); n > quota {
		return awserr.QuotaExceeded("A memory can have at most %d memory strategies; this request would make it %d.", quota, n)
	}
	taken := map[string]bool{}
	for _, st := range kept {
		taken[st.Name] = true
	}
	seen := map[string]bool{}
	for _, si := range add {
		_, given := setMember(si)
		name := members.Project[api.MemoryStrategy](given).Name
		if seen[name] {
			return awserr.Validation("Memory strategy names must be unique within a memory: '%s' is given more than once.", name)
		}
		seen[name] = true
		if taken[name] {
			return awserr.Conflict("A memory strategy named '%s' already exists in this memory.", name)
		}
	}
	return nil
}

// namespacePair fills the two namespace members of an output strategy: one
// given mirrors into the other, neither gives the default.
func namespacePair(ns, templates []string, def string) ([]string, []string) {
	switch {
	case len(ns) == 0 && len(templates) == 0:
		return []string{def}, []string{def}
	case len(templates) == 0:
		return ns, ns
	case len(ns) == 0:
		return templates, templates
	}
	return ns, templates
}

// strategyKinds: per member of MemoryStrategyInput, the type of the
// strategy it makes and its namespace default.
var strategyKinds = map[string]struct {
	typ       api.MemoryStrategyType
	namespace string
}{
	"SemanticMemoryStrategy":       {api.MemoryStrategyTypeSemantic, nsActor},
	"SummaryMemoryStrategy":        {api.MemoryStrategyTypeSummarization, nsSession},
	"UserPreferenceMemoryStrategy": {api.MemoryStrategyTypeUserPreference, nsActor},
	"EpisodicMemoryStrategy":       {api.MemoryStrategyTypeEpisodic, nsSession},
	"CustomMemoryStrategy":         {api.MemoryStrategyTypeCustom, nsActor},
}

// overridePrefixes name each override type's members of the extraction,
// consolidation and reflection unions: SemanticExtractionOverride, ...
var overridePrefixes = map[api.OverrideType]string{
	api.OverrideTypeSemanticOverride:       "Semantic",
	api.OverrideTypeSummaryOverride:        "Summary",
	api.OverrideTypeUserPreferenceOverride: "UserPreference",
	api.OverrideTypeEpisodicOverride:       "Episodic",
}

// setMember returns the member a union (a struct of pointers, one set)
// sets: its Go name and value, or "" and nil when none is.
func setMember(union any) (string, any) {
	v := reflect.ValueOf(union)
	if v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return "", nil
		}
		v = v.Elem()
	}
	for i := range v.NumField() {
		if f := v.Field(i); !f.IsNil() {
			return v.Type().Field(i).Name, f.Interface()
		}
	}
	return "", nil
}

// reshape copies src into a new Out through their wire form: several input
// shapes of a strategy's configuration and their output shapes differ only
// in their Go types.
func reshape[Out any](src any) *Out {
	var out Out
	if err := json.Unmarshal(encodeDoc(src), &out); err != nil {
		panic(fmt.Sprintf("reshape %T: %v", src, err)) // both are our own shapes
	}
	return &out
}

// newStrategy maps one input strategy to its output shape, CREATING.
func newStrategy(member string, si api.MemoryStrategyInput, at api.EpochTime) (api.MemoryStrategy, error) {
	name, given := setMember(si)
	kind, ok := strategyKinds[name]
	if !ok {
		return api.MemoryStrategy{}, awserr.Validation("1 validation error detected: Value at '%s' failed to satisfy constraint: Exactly one memory strategy type must be set", member)
	}
	// Every kind has the name, description, namespaces and record schema.
	st := *members.Project[api.MemoryStrategy](given)
	st.Type, st.Status, st.CreatedAt, st.UpdatedAt = kind.typ, api.MemoryStrategyStatusCreating, at, at
	def := kind.namespace
	switch {
	case si.EpisodicMemoryStrategy != nil:
		st.Configuration = &api.StrategyConfiguration{Reflection: episodicReflection(si.EpisodicMemoryStrategy.ReflectionConfiguration)}
	case si.CustomMemoryStrategy != nil:
		path := member + ".customMemoryStrategy.configuration"
		c := si.CustomMemoryStrategy.Configuration
		if c == nil {
			return st, awserr.Validation("1 validation error detected: Value null at '%s' failed to satisfy constraint: Member must not be null for a custom memory strategy", path)
		}
		bare, ns, m := customOverride(c)
		if bare == nil {
			return st, awserr.Validation("1 validation error detected: Value at '%s' failed to satisfy constraint: Exactly one override must be set", path)
		}
		// The override is set as a modification of a bare strategy of its type.
		st.Configuration, def = bare, ns
		var err error
		if st.Configuration, err = modifiedConfiguration(path, &st, m); err != nil {
			return st, err
		}
	}
	st.StrategyId = newID(st.Name)
	st.Namespaces, st.NamespaceTemplates = namespacePair(st.Namespaces, st.NamespaceTemplates, def)
	return st, nil
}

// customOverride reads a custom strategy's override: the bare
// configuration of its type (nil when none is set), its namespace default,
// and the modification that sets the override on it (the override's members
// have the same types there), so that creating and modifying a custom
// strategy are one path.
func customOverride(c *api.CustomConfigurationInput) (*api.StrategyConfiguration, string, *api.ModifyStrategyConfiguration) {
	var ext api.CustomExtractionConfigurationInput
	var con api.CustomConsolidationConfigurationInput
	var refl api.CustomReflectionConfigurationInput
	bare, ns, m := &api.StrategyConfiguration{}, nsActor, &api.ModifyStrategyConfiguration{}
	switch {
	case c.SemanticOverride != nil:
		bare.Type = api.OverrideTypeSemanticOverride
		ext.SemanticExtractionOverride, con.SemanticConsolidationOverride = c.SemanticOverride.Extraction, c.SemanticOverride.Consolidation
	case c.SummaryOverride != nil:
		bare.Type, ns = api.OverrideTypeSummaryOverride, nsSession
		con.SummaryConsolidationOverride = c.SummaryOverride.Consolidation
	case c.UserPreferenceOverride != nil:
		bare.Type = api.OverrideTypeUserPreferenceOverride
		ext.UserPreferenceExtractionOverride, con.UserPreferenceConsolidationOverride = c.UserPreferenceOverride.Extraction, c.UserPreferenceOverride.Consolidation
	case c.EpisodicOverride != nil:
		o := c.EpisodicOverride
		bare.Type, ns = api.OverrideTypeEpisodicOverride, nsSession
		ext.EpisodicExtractionOverride, con.EpisodicConsolidationOverride, refl.EpisodicReflectionOverride = o.Extraction, o.Consolidation, o.Reflection
	case c.SelfManagedConfiguration != nil:
		bare.Type = api.OverrideTypeSelfManaged
		bare.SelfManagedConfiguration = &api.SelfManagedConfiguration{
			HistoricalContextWindowSize: ptr(int64(defaultHistoricalContextWindow)),
			TriggerConditions: []api.TriggerCondition{
				{MessageBasedTrigger: &api.MessageBasedTrigger{MessageCount: ptr(int64(defaultTriggerMessageCount))}},
				{TokenBasedTrigger: &api.TokenBasedTrigger{TokenCount: ptr(int64(defaultTriggerTokenCount))}},
				{TimeBasedTrigger: &api.TimeBasedTrigger{IdleSessionTimeout: ptr(int64(defaultTriggerIdleTimeout))}},
			},
		}
		m.SelfManagedConfiguration = reshape[api.ModifySelfManagedConfiguration](c.SelfManagedConfiguration)
	default:
		return nil, "", nil
	}
	if ext != (api.CustomExtractionConfigurationInput{}) {
		m.Extraction = &api.ModifyExtractionConfiguration{CustomExtractionConfiguration: &ext}
	}
	if con != (api.CustomConsolidationConfigurationInput{}) {
		m.Consolidation = &api.ModifyConsolidationConfiguration{CustomConsolidationConfiguration: &con}
	}
	if refl != (api.CustomReflectionConfigurationInput{}) {
		m.Reflection = &api.ModifyReflectionConfiguration{CustomReflectionConfiguration: &refl}
	}
	return bare, ns, m
}

// episodicReflection is the reflection of an episodic strategy, with the
// actor namespace by default.
func episodicReflection(in *api.EpisodicReflectionConfigurationInput) *api.ReflectionConfiguration {
	refl := members.Project[api.EpisodicReflectionConfiguration](in)
	refl.Namespaces, refl.NamespaceTemplates = namespacePair(refl.Namespaces, refl.NamespaceTemplates, nsActor)
	return &api.ReflectionConfiguration{EpisodicReflectionConfiguration: refl}
}

func wrongConfiguration(member string, st *api.MemoryStrategy, what string) error {
	kind := string(st.Type)
	if st.Configuration != nil && st.Configuration.Type != "" {
		kind += "/" + string(st.Configuration.Type)
	}
	return awserr.Validation("1 validation error detected: Value at '%s' failed to satisfy constraint: %s does not apply to memory strategy %s of type %s", member, what, st.StrategyId, kind)
}

// modifyStrategy applies one ModifyMemoryStrategyInput.
func modifyStrategy(member string, st *api.MemoryStrategy, m api.ModifyMemoryStrategyInput, at api.EpochTime) error {
	next := *st
	if m.Description != "" {
		next.Description = m.Description
	}
	if len(m.Namespaces) > 0 || len(m.NamespaceTemplates) > 0 {
		next.Namespaces, next.NamespaceTemplates = namespacePair(m.Namespaces, m.NamespaceTemplates, "")
	}
	if m.MemoryRecordSchema != nil {
		next.MemoryRecordSchema = m.MemoryRecordSchema
	}
	if c := m.Configuration; c != nil {
		cfg, err := modifiedConfiguration(member+".configuration", st, c)
		if err != nil {
			return err
		}
		next.Configuration = cfg
	}
	next.UpdatedAt = at
	*st = next
	return nil
}

// modifiedConfiguration is a strategy's configuration with the changes
// applied. They must match the strategy's kind: extraction, consolidation
// and reflection overrides of the custom strategy's own override type,
// episodic reflections for episodic strategies, self-managed settings for
// self-managed ones.
func modifiedConfiguration(member string, st *api.MemoryStrategy, c *api.ModifyStrategyConfiguration) (*api.StrategyConfiguration, error) {
	var cfg api.StrategyConfiguration
	if st.Configuration != nil {
		cfg = *st.Configuration
	}
	// Built-in and self-managed strategies have no prefix: no override fits.
	prefix := overridePrefixes[cfg.Type]
	fits := func(part string, union any) bool {
		name, _ := setMember(union)
		return name == prefix+part+"Override"
	}
	if e := c.Extraction; e != nil {
		if !fits("Extraction", e.CustomExtractionConfiguration) {
			return nil, wrongConfiguration(member+".extraction", st, "This extraction override")
		}
		cfg.Extraction = reshape[api.ExtractionConfiguration](e)
	}
	if e := c.Consolidation; e != nil {
		if !fits("Consolidation", e.CustomConsolidationConfiguration) {
			return nil, wrongConfiguration(member+".consolidation", st, "This consolidation override")
		}
		cfg.Consolidation = reshape[api.ConsolidationConfiguration](e)
	}
	if r := c.Reflection; r != nil {
		switch {
		case r.EpisodicReflectionConfiguration != nil && st.Type == api.MemoryStrategyTypeEpisodic:
			cfg.Reflection = episodicReflection(r.EpisodicReflectionConfiguration)
		case fits("Reflection", r.CustomReflectionConfiguration):
			v := reshape[api.EpisodicReflectionOverride](r.CustomReflectionConfiguration.EpisodicReflectionOverride)
			v.Namespaces, v.NamespaceTemplates = namespacePair(v.Namespaces, v.NamespaceTemplates, nsActor)
			cfg.Reflection = &api.ReflectionConfiguration{CustomReflectionConfiguration: &api.CustomReflectionConfiguration{EpisodicReflectionOverride: v}}
		default:
			return nil, wrongConfiguration(member+".reflection", st, "This reflection configuration")
		}
	}
	if sm := c.SelfManagedConfiguration; sm != nil {
		if cfg.Type != api.OverrideTypeSelfManaged || cfg.SelfManagedConfiguration == nil {
			return nil, wrongConfiguration(member+".selfManagedConfiguration", st, "A self-managed configuration")
		}
		cur := *cfg.SelfManagedConfiguration
		members.Patch(&cur, sm) // historicalContextWindowSize
		if len(sm.TriggerConditions) > 0 {
			cur.TriggerConditions = *reshape[[]api.TriggerCondition](sm.TriggerConditions)
		}
		if ic := sm.InvocationConfiguration; ic != nil {
			inv := api.InvocationConfiguration{}
			if cur.InvocationConfiguration != nil {
				inv = *cur.InvocationConfiguration
			}
			members.Patch(&inv, ic) // members given replace the current ones
			cur.InvocationConfiguration = &inv
		}
		cfg.SelfManagedConfiguration = &cur
	}
	return &cfg, nil
}
