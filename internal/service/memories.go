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
//   - UpdateMemory: the model's MemoryStatus has no UPDATING (the live
//     service reports it; newer SDKs know it), so the memory keeps its status
//     (ACTIVE) and the strategies carry the transition: added ones are
//     CREATING, deleted ones DELETING (then gone), modified ones keep ACTIVE
//     (the strategy enum has no UPDATING either). Until the reconciler has run,
//     a further UpdateMemory answers ValidationException "Memory is in
//     transitional state UPDATING. Cannot update memory while strategies are
//     being modified." (both real texts: the SDK's and Terraform's retry
//     matchers look for them). An injected UpdateMemory failure leaves the
//     memory ACTIVE with failureReason set and turns the strategies that were
//     changing into FAILED. Changes that touch no strategy (description,
//     expiry, role, indexed keys, stream delivery) apply at once.
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

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"agentcored/internal/api"
	"agentcored/internal/awserr"
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
	// PendingFailure, set by an injected fault, makes the pending transition
	// end in FAILED with this reason.
	PendingFailure string `json:"pendingFailure,omitempty"`
	// Updating is set while an UpdateMemory's strategy changes are pending.
	Updating bool `json:"updating,omitempty"`
	// Modifying lists the strategies an update modified (they have no
	// transitional status of their own), so a failure can mark them.
	Modifying []string `json:"modifying,omitempty"`
}

func (s *Service) registerMemories() {
	s.lifecycle.Register(familyMemories, kindMemory, s.reconcileMemory)
}

func memoryNotFound(id string) error {
	return awserr.NotFound("Memory not found: %s", id)
}

func (s *Service) memoryQuotas() (memories, strategies int) {
	memories, strategies = s.quotas.MemoriesPerAccount, s.quotas.StrategiesPerMemory
	if memories <= 0 {
		memories = DefaultQuotas.MemoriesPerAccount
	}
	if strategies <= 0 {
		strategies = DefaultQuotas.StrategiesPerMemory
	}
	return memories, strategies
}

func (s *Service) getMemory(ctx context.Context, tx store.Tx, id string) (*store.Resource, *memoryRecord, error) {
	return loadDoc[memoryRecord](ctx, tx, scopeOf(ctx).key(kindMemory, id), func() error { return memoryNotFound(id) })
}

func saveMemory(ctx context.Context, tx store.Tx, row *store.Resource, rec *memoryRecord, now time.Time) error {
	return saveDoc(ctx, tx, row, string(rec.Status), rec, now)
}

// memoryOut is the Memory an answer carries, detached from the record.
func memoryOut(rec *memoryRecord) *api.Memory {
	m := rec.Memory
	m.Strategies = append([]api.MemoryStrategy{}, rec.Strategies...)
	return &m
}

func (s *Service) CreateMemory(ctx context.Context, in *api.CreateMemoryInput) (*api.CreateMemoryOutput, error) {
	if err := checkTagKeys("tags", mapKeys(in.Tags)); err != nil {
		return nil, err
	}
	if err := checkIndexedKeys("indexedKeys", nil, in.IndexedKeys); err != nil {
		return nil, err
	}
	memQuota, stratQuota := s.memoryQuotas()
	if len(in.MemoryStrategies) > stratQuota {
		return nil, strategyQuota(stratQuota, len(in.MemoryStrategies))
	}
	if err := checkStrategyNames(nil, in.MemoryStrategies); err != nil {
		return nil, err
	}
	sc := scopeOf(ctx)
	return mutate(ctx, s, func(tx store.Tx) (*api.CreateMemoryOutput, error) {
		if _, err := tx.GetByName(ctx, sc.account, sc.region, kindMemory, "", in.Name); err == nil {
			return nil, memoryNameTaken(in.Name)
		} else if !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
		if n, err := tx.Count(ctx, sc.account, sc.region, kindMemory, ""); err != nil {
			return nil, err
		} else if n >= memQuota {
			return nil, awserr.QuotaExceeded("You have reached the maximum of %d memories in this account and region.", memQuota)
		}
		now := s.now().UTC()
		strategies := []api.MemoryStrategy{}
		for i, si := range in.MemoryStrategies {
			st, err := newStrategy(fmt.Sprintf("memoryStrategies.%d.member", i+1), si, now)
			if err != nil {
				return nil, err
			}
			strategies = append(strategies, st)
		}
		id := newID(in.Name)
		rec := memoryRecord{Memory: api.Memory{
			Arn: sc.arn("memory/" + id), Id: id, Name: in.Name, Description: in.Description,
			EncryptionKeyArn: in.EncryptionKeyArn, MemoryExecutionRoleArn: in.MemoryExecutionRoleArn,
			EventExpiryDuration: in.EventExpiryDuration, Status: api.MemoryStatusCreating,
			CreatedAt: api.NewEpochTime(now), UpdatedAt: api.NewEpochTime(now), Strategies: strategies,
			IndexedKeys: in.IndexedKeys, StreamDeliveryResources: streamDelivery(in.StreamDeliveryResources),
		}}
		rec.PendingFailure = s.injectedFailure(ctx, "CreateMemory")
		row := &store.Resource{Account: sc.account, Region: sc.region, Kind: kindMemory, ID: id, Name: in.Name,
			ARN: rec.Arn, Status: string(rec.Status), CreatedAt: now, UpdatedAt: now, Doc: encodeDoc(rec)}
		if err := tx.Insert(ctx, row); err != nil {
			if errors.Is(err, store.ErrConflict) {
				return nil, memoryNameTaken(in.Name)
			}
			return nil, err
		}
		if err := s.createTags(ctx, tx, rec.Arn, in.Tags); err != nil {
			return nil, err
		}
		if err := s.lifecycle.Schedule(ctx, tx, row); err != nil {
			return nil, err
		}
		return &api.CreateMemoryOutput{Memory: memoryOut(&rec)}, nil
	})
}

func memoryNameTaken(name string) error {
	return awserr.Conflict("A memory named '%s' already exists in this account and region.", name)
}

func strategyQuota(quota, n int) error {
	return awserr.QuotaExceeded("A memory can have at most %d memory strategies; this request would make it %d.", quota, n)
}

func (s *Service) GetMemory(ctx context.Context, in *api.GetMemoryInput) (*api.GetMemoryOutput, error) {
	var rec *memoryRecord
	err := s.read(ctx, func(tx store.Tx) error {
		var err error
		_, rec, err = s.getMemory(ctx, tx, in.MemoryId)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &api.GetMemoryOutput{Memory: memoryOut(rec)}, nil
}

func (s *Service) UpdateMemory(ctx context.Context, in *api.UpdateMemoryInput) (*api.UpdateMemoryOutput, error) {
	_, stratQuota := s.memoryQuotas()
	return mutate(ctx, s, func(tx store.Tx) (*api.UpdateMemoryOutput, error) {
		row, rec, err := s.getMemory(ctx, tx, in.MemoryId)
		if err != nil {
			return nil, err
		}
		switch {
		case rec.Status == api.MemoryStatusCreating || rec.Status == api.MemoryStatusDeleting:
			return nil, awserr.Validation("Memory is in transitional state %s", rec.Status)
		case rec.Updating:
			return nil, awserr.Validation("Memory is in transitional state UPDATING. Cannot update memory while strategies are being modified.")
		case rec.Status == api.MemoryStatusFailed:
			return nil, awserr.Validation("Memory %s is in FAILED state and cannot be updated; delete it and create it again.", in.MemoryId)
		}
		now := s.now().UTC()
		if in.Description != "" {
			rec.Description = in.Description
		}
		if in.EventExpiryDuration != nil {
			rec.EventExpiryDuration = in.EventExpiryDuration
		}
		if in.MemoryExecutionRoleArn != "" {
			rec.MemoryExecutionRoleArn = in.MemoryExecutionRoleArn
		}
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
			if err := applyStrategyChanges(rec, ms, stratQuota, now); err != nil {
				return nil, err
			}
		}
		rec.UpdatedAt = api.NewEpochTime(now)
		if rec.Updating {
			rec.FailureReason = ""
			rec.PendingFailure = s.injectedFailure(ctx, "UpdateMemory")
		}
		if err := saveMemory(ctx, tx, row, rec, now); err != nil {
			return nil, err
		}
		if rec.Updating {
			if err := s.lifecycle.Schedule(ctx, tx, row); err != nil {
				return nil, err
			}
		}
		return &api.UpdateMemoryOutput{Memory: memoryOut(rec)}, nil
	})
}

// applyStrategyChanges applies an UpdateMemory's strategy changes to the
// record: deletions first, then modifications, then additions (so a name
// freed by a deletion can be reused in the same request).
func applyStrategyChanges(rec *memoryRecord, ms *api.ModifyMemoryStrategies, quota int, now time.Time) error {
	index := map[string]int{}
	for i, st := range rec.Strategies {
		index[st.StrategyId] = i
	}
	deleting := map[string]bool{}
	var missing []string
	for _, d := range ms.DeleteMemoryStrategies {
		if _, ok := index[d.MemoryStrategyId]; !ok {
			missing = append(missing, d.MemoryStrategyId)
			continue
		}
		deleting[d.MemoryStrategyId] = true
	}
	if len(missing) > 0 {
		return awserr.Validation("Cannot delete non-existent memory strategies: [%s]", strings.Join(missing, ", "))
	}
	missing = nil
	modified := map[string]bool{}
	for _, m := range ms.ModifyMemoryStrategies {
		if _, ok := index[m.MemoryStrategyId]; !ok {
			missing = append(missing, m.MemoryStrategyId)
		}
	}
	if len(missing) > 0 {
		return awserr.Validation("Cannot modify non-existent memory strategies: [%s]", strings.Join(missing, ", "))
	}
	for i, m := range ms.ModifyMemoryStrategies {
		if deleting[m.MemoryStrategyId] {
			return awserr.Validation("Memory strategy %s cannot be both modified and deleted in one request.", m.MemoryStrategyId)
		}
		if modified[m.MemoryStrategyId] {
			return awserr.Validation("Memory strategy %s is modified more than once in one request.", m.MemoryStrategyId)
		}
		st := &rec.Strategies[index[m.MemoryStrategyId]]
		if err := modifyStrategy(fmt.Sprintf("memoryStrategies.modifyMemoryStrategies.%d.member", i+1), st, m, now); err != nil {
			return err
		}
		modified[m.MemoryStrategyId] = true
	}
	var kept []api.MemoryStrategy
	for _, st := range rec.Strategies {
		if !deleting[st.StrategyId] {
			kept = append(kept, st)
		}
	}
	if n := len(kept) + len(ms.AddMemoryStrategies); n > quota {
		return strategyQuota(quota, n)
	}
	if err := checkStrategyNames(kept, ms.AddMemoryStrategies); err != nil {
		return err
	}
	for i := range rec.Strategies {
		if deleting[rec.Strategies[i].StrategyId] {
			rec.Strategies[i].Status = api.MemoryStrategyStatusDeleting
			rec.Strategies[i].UpdatedAt = api.NewEpochTime(now)
		}
	}
	for i, si := range ms.AddMemoryStrategies {
		st, err := newStrategy(fmt.Sprintf("memoryStrategies.addMemoryStrategies.%d.member", i+1), si, now)
		if err != nil {
			return err
		}
		rec.Strategies = append(rec.Strategies, st)
	}
	rec.Modifying = rec.Modifying[:0]
	for _, m := range ms.ModifyMemoryStrategies {
		rec.Modifying = append(rec.Modifying, m.MemoryStrategyId)
	}
	rec.Updating = len(deleting)+len(modified)+len(ms.AddMemoryStrategies) > 0
	return nil
}

func (s *Service) DeleteMemory(ctx context.Context, in *api.DeleteMemoryInput) (*api.DeleteMemoryOutput, error) {
	return mutate(ctx, s, func(tx store.Tx) (*api.DeleteMemoryOutput, error) {
		row, rec, err := s.getMemory(ctx, tx, in.MemoryId)
		if err != nil {
			return nil, err
		}
		out := &api.DeleteMemoryOutput{MemoryId: in.MemoryId, Status: api.MemoryStatusDeleting}
		if rec.Status == api.MemoryStatusDeleting {
			return out, nil
		}
		now := s.now().UTC()
		rec.Status = api.MemoryStatusDeleting
		rec.FailureReason = ""
		rec.Updating, rec.Modifying = false, nil
		rec.PendingFailure = s.injectedFailure(ctx, "DeleteMemory")
		rec.UpdatedAt = api.NewEpochTime(now)
		if err := saveMemory(ctx, tx, row, rec, now); err != nil {
			return nil, err
		}
		return out, s.lifecycle.Schedule(ctx, tx, row)
	})
}

func (s *Service) ListMemories(ctx context.Context, in *api.ListMemoriesInput) (*api.ListMemoriesOutput, error) {
	out := &api.ListMemoriesOutput{Memories: []api.MemorySummary{}}
	sc := scopeOf(ctx)
	err := s.read(ctx, func(tx store.Tx) error {
		rows, next, err := s.page(ctx, tx, sc, kindMemory, "", in.MaxResults, defaultMemoryListLimit, in.NextToken)
		if err != nil {
			return err
		}
		out.NextToken = next
		for _, r := range rows {
			var rec memoryRecord
			if err := decodeDoc(r, &rec); err != nil {
				return err
			}
			// Summaries carry no name, as on AWS.
			out.Memories = append(out.Memories, api.MemorySummary{
				Arn: rec.Arn, Id: rec.Id, Status: rec.Status, CreatedAt: rec.CreatedAt, UpdatedAt: rec.UpdatedAt,
			})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// reconcileMemory completes a memory's pending creation, strategy changes
// or deletion.
func (s *Service) reconcileMemory(ctx context.Context, tx store.Tx, row *store.Resource, now time.Time) error {
	var rec memoryRecord
	if err := decodeDoc(row, &rec); err != nil {
		return err
	}
	fail := rec.PendingFailure
	switch {
	case rec.Status == api.MemoryStatusDeleting:
		if fail == "" {
			return s.removeResource(ctx, tx, row)
		}
		rec.Status = api.MemoryStatusFailed
		rec.FailureReason = fail
	case rec.Status == api.MemoryStatusCreating:
		rec.Status = api.MemoryStatusActive
		if fail != "" {
			rec.Status = api.MemoryStatusFailed
			rec.FailureReason = fail
		}
		settleStrategies(&rec, fail, now)
	case rec.Updating || hasTransitionalStrategy(rec.Strategies):
		if fail != "" {
			rec.FailureReason = fail
		}
		settleStrategies(&rec, fail, now)
	default:
		return nil
	}
	rec.PendingFailure = ""
	rec.Updating, rec.Modifying = false, nil
	rec.UpdatedAt = api.NewEpochTime(now)
	return saveMemory(ctx, tx, row, &rec, now)
}

func hasTransitionalStrategy(strategies []api.MemoryStrategy) bool {
	for _, st := range strategies {
		if st.Status == api.MemoryStrategyStatusCreating || st.Status == api.MemoryStrategyStatusDeleting {
			return true
		}
	}
	return false
}

// settleStrategies ends every strategy transition: CREATING → ACTIVE,
// DELETING → gone; with a failure, those and the modified ones → FAILED.
func settleStrategies(rec *memoryRecord, fail string, now time.Time) {
	modifying := map[string]bool{}
	for _, id := range rec.Modifying {
		modifying[id] = true
	}
	kept := []api.MemoryStrategy{}
	for _, st := range rec.Strategies {
		changing := st.Status == api.MemoryStrategyStatusCreating || st.Status == api.MemoryStrategyStatusDeleting || modifying[st.StrategyId]
		switch {
		case !changing:
		case fail != "":
			st.Status = api.MemoryStrategyStatusFailed
			st.UpdatedAt = api.NewEpochTime(now)
		case st.Status == api.MemoryStrategyStatusDeleting:
			continue
		case st.Status == api.MemoryStrategyStatusCreating:
			st.Status = api.MemoryStrategyStatusActive
			st.UpdatedAt = api.NewEpochTime(now)
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
	out := &api.StreamDeliveryResources{Resources: []api.StreamDeliveryResource{}}
	for _, r := range in.Resources {
		if r.Kinesis != nil {
			k := *r.Kinesis
			k.ContentConfigurations = append([]api.ContentConfiguration{}, k.ContentConfigurations...)
			for i := range k.ContentConfigurations {
				if k.ContentConfigurations[i].Level == "" {
					k.ContentConfigurations[i].Level = api.ContentLevelMetadataOnly
				}
			}
			r.Kinesis = &k
		}
		out.Resources = append(out.Resources, r)
	}
	return out
}

// strategyName is the name of whichever union member is set.
func strategyName(si api.MemoryStrategyInput) string {
	switch {
	case si.SemanticMemoryStrategy != nil:
		return si.SemanticMemoryStrategy.Name
	case si.SummaryMemoryStrategy != nil:
		return si.SummaryMemoryStrategy.Name
	case si.UserPreferenceMemoryStrategy != nil:
		return si.UserPreferenceMemoryStrategy.Name
	case si.CustomMemoryStrategy != nil:
		return si.CustomMemoryStrategy.Name
	case si.EpisodicMemoryStrategy != nil:
		return si.EpisodicMemoryStrategy.Name
	}
	return ""
}

// checkStrategyNames enforces unique strategy names within a memory: among
// the new ones (ValidationException) and against those it keeps
// (ConflictException, like other name clashes).
func checkStrategyNames(existing []api.MemoryStrategy, add []api.MemoryStrategyInput) error {
	taken := map[string]bool{}
	for _, st := range existing {
		taken[st.Name] = true
	}
	seen := map[string]bool{}
	for _, si := range add {
		name := strategyName(si)
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

// newStrategy maps one input strategy to its output shape, CREATING.
func newStrategy(member string, si api.MemoryStrategyInput, now time.Time) (api.MemoryStrategy, error) {
	st := api.MemoryStrategy{Status: api.MemoryStrategyStatusCreating, CreatedAt: api.NewEpochTime(now), UpdatedAt: api.NewEpochTime(now)}
	var ns, templates []string
	def := nsActor
	switch {
	case si.SemanticMemoryStrategy != nil:
		in := si.SemanticMemoryStrategy
		st.Type, st.Name, st.Description, st.MemoryRecordSchema = api.MemoryStrategyTypeSemantic, in.Name, in.Description, in.MemoryRecordSchema
		ns, templates = in.Namespaces, in.NamespaceTemplates
	case si.SummaryMemoryStrategy != nil:
		in := si.SummaryMemoryStrategy
		st.Type, st.Name, st.Description, st.MemoryRecordSchema = api.MemoryStrategyTypeSummarization, in.Name, in.Description, in.MemoryRecordSchema
		ns, templates, def = in.Namespaces, in.NamespaceTemplates, nsSession
	case si.UserPreferenceMemoryStrategy != nil:
		in := si.UserPreferenceMemoryStrategy
		st.Type, st.Name, st.Description, st.MemoryRecordSchema = api.MemoryStrategyTypeUserPreference, in.Name, in.Description, in.MemoryRecordSchema
		ns, templates = in.Namespaces, in.NamespaceTemplates
	case si.EpisodicMemoryStrategy != nil:
		in := si.EpisodicMemoryStrategy
		st.Type, st.Name, st.Description, st.MemoryRecordSchema = api.MemoryStrategyTypeEpisodic, in.Name, in.Description, in.MemoryRecordSchema
		ns, templates, def = in.Namespaces, in.NamespaceTemplates, nsSession
		refl := &api.EpisodicReflectionConfiguration{}
		var rns, rtemplates []string
		if r := in.ReflectionConfiguration; r != nil {
			rns, rtemplates, refl.MemoryRecordSchema = r.Namespaces, r.NamespaceTemplates, r.MemoryRecordSchema
		}
		refl.Namespaces, refl.NamespaceTemplates = namespacePair(rns, rtemplates, nsActor)
		st.Configuration = &api.StrategyConfiguration{Reflection: &api.ReflectionConfiguration{EpisodicReflectionConfiguration: refl}}
	case si.CustomMemoryStrategy != nil:
		in := si.CustomMemoryStrategy
		st.Type, st.Name, st.Description, st.MemoryRecordSchema = api.MemoryStrategyTypeCustom, in.Name, in.Description, in.MemoryRecordSchema
		ns, templates = in.Namespaces, in.NamespaceTemplates
		if in.Configuration == nil {
			return st, awserr.Validation("1 validation error detected: Value null at '%s.customMemoryStrategy.configuration' failed to satisfy constraint: Member must not be null for a custom memory strategy", member)
		}
		cfg, d, err := customConfiguration(member+".customMemoryStrategy.configuration", in.Configuration)
		if err != nil {
			return st, err
		}
		st.Configuration, def = cfg, d
	default:
		return st, awserr.Validation("1 validation error detected: Value at '%s' failed to satisfy constraint: Exactly one memory strategy type must be set", member)
	}
	st.StrategyId = newID(st.Name)
	st.Namespaces, st.NamespaceTemplates = namespacePair(ns, templates, def)
	return st, nil
}

// customConfiguration maps a custom strategy's override to the output
// configuration and returns the namespace default of its kind.
func customConfiguration(member string, c *api.CustomConfigurationInput) (*api.StrategyConfiguration, string, error) {
	cfg := &api.StrategyConfiguration{}
	def := nsActor
	switch {
	case c.SemanticOverride != nil:
		o := c.SemanticOverride
		cfg.Type = api.OverrideTypeSemanticOverride
		if o.Extraction != nil {
			v := api.SemanticExtractionOverride(*o.Extraction)
			cfg.Extraction = &api.ExtractionConfiguration{CustomExtractionConfiguration: &api.CustomExtractionConfiguration{SemanticExtractionOverride: &v}}
		}
		if o.Consolidation != nil {
			v := api.SemanticConsolidationOverride(*o.Consolidation)
			cfg.Consolidation = &api.ConsolidationConfiguration{CustomConsolidationConfiguration: &api.CustomConsolidationConfiguration{SemanticConsolidationOverride: &v}}
		}
	case c.SummaryOverride != nil:
		o := c.SummaryOverride
		cfg.Type, def = api.OverrideTypeSummaryOverride, nsSession
		if o.Consolidation != nil {
			v := api.SummaryConsolidationOverride(*o.Consolidation)
			cfg.Consolidation = &api.ConsolidationConfiguration{CustomConsolidationConfiguration: &api.CustomConsolidationConfiguration{SummaryConsolidationOverride: &v}}
		}
	case c.UserPreferenceOverride != nil:
		o := c.UserPreferenceOverride
		cfg.Type = api.OverrideTypeUserPreferenceOverride
		if o.Extraction != nil {
			v := api.UserPreferenceExtractionOverride(*o.Extraction)
			cfg.Extraction = &api.ExtractionConfiguration{CustomExtractionConfiguration: &api.CustomExtractionConfiguration{UserPreferenceExtractionOverride: &v}}
		}
		if o.Consolidation != nil {
			v := api.UserPreferenceConsolidationOverride(*o.Consolidation)
			cfg.Consolidation = &api.ConsolidationConfiguration{CustomConsolidationConfiguration: &api.CustomConsolidationConfiguration{UserPreferenceConsolidationOverride: &v}}
		}
	case c.EpisodicOverride != nil:
		o := c.EpisodicOverride
		cfg.Type, def = api.OverrideTypeEpisodicOverride, nsSession
		if o.Extraction != nil {
			v := api.EpisodicExtractionOverride(*o.Extraction)
			cfg.Extraction = &api.ExtractionConfiguration{CustomExtractionConfiguration: &api.CustomExtractionConfiguration{EpisodicExtractionOverride: &v}}
		}
		if o.Consolidation != nil {
			v := api.EpisodicConsolidationOverride(*o.Consolidation)
			cfg.Consolidation = &api.ConsolidationConfiguration{CustomConsolidationConfiguration: &api.CustomConsolidationConfiguration{EpisodicConsolidationOverride: &v}}
		}
		if o.Reflection != nil {
			cfg.Reflection = episodicReflectionOverride(o.Reflection)
		}
	case c.SelfManagedConfiguration != nil:
		o := c.SelfManagedConfiguration
		cfg.Type = api.OverrideTypeSelfManaged
		sm := &api.SelfManagedConfiguration{
			TriggerConditions:           triggerConditions(o.TriggerConditions),
			HistoricalContextWindowSize: o.HistoricalContextWindowSize,
		}
		if o.InvocationConfiguration != nil {
			v := api.InvocationConfiguration(*o.InvocationConfiguration)
			sm.InvocationConfiguration = &v
		}
		if sm.HistoricalContextWindowSize == nil {
			sm.HistoricalContextWindowSize = ptr(int64(defaultHistoricalContextWindow))
		}
		if len(sm.TriggerConditions) == 0 {
			sm.TriggerConditions = []api.TriggerCondition{
				{MessageBasedTrigger: &api.MessageBasedTrigger{MessageCount: ptr(int64(defaultTriggerMessageCount))}},
				{TokenBasedTrigger: &api.TokenBasedTrigger{TokenCount: ptr(int64(defaultTriggerTokenCount))}},
				{TimeBasedTrigger: &api.TimeBasedTrigger{IdleSessionTimeout: ptr(int64(defaultTriggerIdleTimeout))}},
			}
		}
		cfg.SelfManagedConfiguration = sm
	default:
		return nil, "", awserr.Validation("1 validation error detected: Value at '%s' failed to satisfy constraint: Exactly one override must be set", member)
	}
	return cfg, def, nil
}

func episodicReflectionOverride(in *api.EpisodicOverrideReflectionConfigurationInput) *api.ReflectionConfiguration {
	v := api.EpisodicReflectionOverride(*in)
	v.Namespaces, v.NamespaceTemplates = namespacePair(in.Namespaces, in.NamespaceTemplates, nsActor)
	return &api.ReflectionConfiguration{CustomReflectionConfiguration: &api.CustomReflectionConfiguration{EpisodicReflectionOverride: &v}}
}

func triggerConditions(in []api.TriggerConditionInput) []api.TriggerCondition {
	var out []api.TriggerCondition
	for _, t := range in {
		var c api.TriggerCondition
		if t.MessageBasedTrigger != nil {
			c.MessageBasedTrigger = &api.MessageBasedTrigger{MessageCount: t.MessageBasedTrigger.MessageCount}
		}
		if t.TokenBasedTrigger != nil {
			c.TokenBasedTrigger = &api.TokenBasedTrigger{TokenCount: t.TokenBasedTrigger.TokenCount}
		}
		if t.TimeBasedTrigger != nil {
			c.TimeBasedTrigger = &api.TimeBasedTrigger{IdleSessionTimeout: t.TimeBasedTrigger.IdleSessionTimeout}
		}
		out = append(out, c)
	}
	return out
}

// overrideOf is the override kind a strategy's configuration has ("" for
// built-in strategies).
func overrideOf(st *api.MemoryStrategy) api.OverrideType {
	if st.Configuration == nil {
		return ""
	}
	return st.Configuration.Type
}

func wrongConfiguration(member string, st *api.MemoryStrategy, what string) error {
	kind := string(st.Type)
	if o := overrideOf(st); o != "" {
		kind += "/" + string(o)
	}
	return awserr.Validation("1 validation error detected: Value at '%s' failed to satisfy constraint: %s does not apply to memory strategy %s of type %s", member, what, st.StrategyId, kind)
}

// modifyStrategy applies one ModifyMemoryStrategyInput. Configuration
// changes must match the strategy's kind: extraction/consolidation overrides
// of the custom strategy's own override type, episodic reflections for
// episodic strategies, self-managed settings for self-managed ones.
func modifyStrategy(member string, st *api.MemoryStrategy, m api.ModifyMemoryStrategyInput, now time.Time) error {
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
		var cfg api.StrategyConfiguration
		if st.Configuration != nil {
			cfg = *st.Configuration
		}
		override := overrideOf(st)
		if c.Extraction != nil {
			ext, err := modifiedExtraction(member+".configuration.extraction", st, override, c.Extraction)
			if err != nil {
				return err
			}
			cfg.Extraction = ext
		}
		if c.Consolidation != nil {
			con, err := modifiedConsolidation(member+".configuration.consolidation", st, override, c.Consolidation)
			if err != nil {
				return err
			}
			cfg.Consolidation = con
		}
		if r := c.Reflection; r != nil {
			switch {
			case r.EpisodicReflectionConfiguration != nil && st.Type == api.MemoryStrategyTypeEpisodic:
				in := r.EpisodicReflectionConfiguration
				refl := &api.EpisodicReflectionConfiguration{MemoryRecordSchema: in.MemoryRecordSchema}
				refl.Namespaces, refl.NamespaceTemplates = namespacePair(in.Namespaces, in.NamespaceTemplates, nsActor)
				cfg.Reflection = &api.ReflectionConfiguration{EpisodicReflectionConfiguration: refl}
			case r.CustomReflectionConfiguration != nil && r.CustomReflectionConfiguration.EpisodicReflectionOverride != nil &&
				override == api.OverrideTypeEpisodicOverride:
				cfg.Reflection = episodicReflectionOverride(r.CustomReflectionConfiguration.EpisodicReflectionOverride)
			default:
				return wrongConfiguration(member+".configuration.reflection", st, "This reflection configuration")
			}
		}
		if sm := c.SelfManagedConfiguration; sm != nil {
			if override != api.OverrideTypeSelfManaged || cfg.SelfManagedConfiguration == nil {
				return wrongConfiguration(member+".configuration.selfManagedConfiguration", st, "A self-managed configuration")
			}
			cur := *cfg.SelfManagedConfiguration
			if len(sm.TriggerConditions) > 0 {
				cur.TriggerConditions = triggerConditions(sm.TriggerConditions)
			}
			if sm.HistoricalContextWindowSize != nil {
				cur.HistoricalContextWindowSize = sm.HistoricalContextWindowSize
			}
			if ic := sm.InvocationConfiguration; ic != nil {
				inv := api.InvocationConfiguration{}
				if cur.InvocationConfiguration != nil {
					inv = *cur.InvocationConfiguration
				}
				if ic.TopicArn != "" {
					inv.TopicArn = ic.TopicArn
				}
				if ic.PayloadDeliveryBucketName != "" {
					inv.PayloadDeliveryBucketName = ic.PayloadDeliveryBucketName
				}
				cur.InvocationConfiguration = &inv
			}
			cfg.SelfManagedConfiguration = &cur
		}
		next.Configuration = &cfg
	}
	next.UpdatedAt = api.NewEpochTime(now)
	*st = next
	return nil
}

func modifiedExtraction(member string, st *api.MemoryStrategy, override api.OverrideType, e *api.ModifyExtractionConfiguration) (*api.ExtractionConfiguration, error) {
	in := e.CustomExtractionConfiguration
	out := &api.CustomExtractionConfiguration{}
	switch {
	case in == nil:
	case in.SemanticExtractionOverride != nil && override == api.OverrideTypeSemanticOverride:
		v := api.SemanticExtractionOverride(*in.SemanticExtractionOverride)
		out.SemanticExtractionOverride = &v
		return &api.ExtractionConfiguration{CustomExtractionConfiguration: out}, nil
	case in.UserPreferenceExtractionOverride != nil && override == api.OverrideTypeUserPreferenceOverride:
		v := api.UserPreferenceExtractionOverride(*in.UserPreferenceExtractionOverride)
		out.UserPreferenceExtractionOverride = &v
		return &api.ExtractionConfiguration{CustomExtractionConfiguration: out}, nil
	case in.EpisodicExtractionOverride != nil && override == api.OverrideTypeEpisodicOverride:
		v := api.EpisodicExtractionOverride(*in.EpisodicExtractionOverride)
		out.EpisodicExtractionOverride = &v
		return &api.ExtractionConfiguration{CustomExtractionConfiguration: out}, nil
	}
	return nil, wrongConfiguration(member, st, "This extraction override")
}

func modifiedConsolidation(member string, st *api.MemoryStrategy, override api.OverrideType, c *api.ModifyConsolidationConfiguration) (*api.ConsolidationConfiguration, error) {
	in := c.CustomConsolidationConfiguration
	out := &api.CustomConsolidationConfiguration{}
	switch {
	case in == nil:
	case in.SemanticConsolidationOverride != nil && override == api.OverrideTypeSemanticOverride:
		v := api.SemanticConsolidationOverride(*in.SemanticConsolidationOverride)
		out.SemanticConsolidationOverride = &v
		return &api.ConsolidationConfiguration{CustomConsolidationConfiguration: out}, nil
	case in.SummaryConsolidationOverride != nil && override == api.OverrideTypeSummaryOverride:
		v := api.SummaryConsolidationOverride(*in.SummaryConsolidationOverride)
		out.SummaryConsolidationOverride = &v
		return &api.ConsolidationConfiguration{CustomConsolidationConfiguration: out}, nil
	case in.UserPreferenceConsolidationOverride != nil && override == api.OverrideTypeUserPreferenceOverride:
		v := api.UserPreferenceConsolidationOverride(*in.UserPreferenceConsolidationOverride)
		out.UserPreferenceConsolidationOverride = &v
		return &api.ConsolidationConfiguration{CustomConsolidationConfiguration: out}, nil
	case in.EpisodicConsolidationOverride != nil && override == api.OverrideTypeEpisodicOverride:
		v := api.EpisodicConsolidationOverride(*in.EpisodicConsolidationOverride)
		out.EpisodicConsolidationOverride = &v
		return &api.ConsolidationConfiguration{CustomConsolidationConfiguration: out}, nil
	}
	return nil, wrongConfiguration(member, st, "This consolidation override")
}
