package service

// Capacity providers: the Amazon EC2 capacity (launch template, VPC,
// volumes, instance lifecycle) that agent runtimes of the Instances compute
// type run on, with the IAM role AgentCore manages it through.
//
// A provider's id is "<name>-<10 alphanumerics>", its ARN
// ...:capacity-provider/<id>. Create answers 202 in CREATING → READY (or
// CREATE_FAILED); Update answers 202 in UPDATING → READY (or
// UPDATE_FAILED); Delete answers 202 in DELETING → gone (or DELETE_FAILED).
//
// Decisions where the reference is silent:
//   - Only the description can be updated (model docs); its
//     UpdatedDescription wrapper without optionalValue clears it. An update
//     waits out CREATING, UPDATING and DELETING and is refused after a
//     failed creation (ConflictException). A failed update keeps the
//     description it set, as the engine does for every plain family.
//   - A failed transition reports statusCode INTERNAL_SERVER_EXCEPTION (an
//     injected failure is the only failure there is here) with the reason
//     in statusReason; both clear when the provider next changes.
//   - The configuration is stored and answered as given: no EC2, IAM or VPC
//     resource is checked and no default is filled in.
//   - Names are unique per account and region (ConflictException). Quota:
//     Quotas.CapacityProvidersPerAccount (1000 [infer; not documented]).
//
// Runtime versions that use a provider (second half of this file):
//   - A runtime version uses a provider when its
//     capacityProviderConfiguration.capacityProviderArn is the provider's
//     ARN. Versions are immutable and kept until they (DeleteAgentRuntime
//     with agentRuntimeVersion) or their runtime are deleted, so a provider
//     stays in use until every version on it is gone ("disassociate all
//     agent runtimes and runtime versions that reference it",
//     DeleteCapacityProvider docs).
//   - DeleteCapacityProvider answers ConflictException while a version uses
//     the provider (ConflictException is modeled; the use can clear).
//   - ListAgentRuntimeVersionsByCapacityProvider lists those versions in
//     creation order; an unknown provider lists nothing (the model gives
//     the operation no ResourceNotFoundException).
//   - A runtime may name a provider of the caller's account and region that
//     is READY, UPDATING or UPDATE_FAILED (an update touches only the
//     description, so the capacity stays in service): checkCapacityProvider,
//     called by CreateAgentRuntime and UpdateAgentRuntime. An ARN that names
//     no such provider answers ResourceNotFoundException; a provider in
//     another status, ValidationException.

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"strings"

	"agentcored/internal/api"
	"agentcored/internal/awserr"
	"agentcored/internal/members"
	"agentcored/internal/store"
)

const (
	kindCapacityProvider             = "capacity-provider"
	familyCapacityProviders          = "capacityproviders"
	defaultCapacityProviderListLimit = 100
)

// capacityProviderRecord is the document of a capacity-provider row.
type capacityProviderRecord struct {
	api.GetCapacityProviderOutput
	failable
}

var capacityProviders = &family[capacityProviderRecord]{
	kind: kindCapacityProvider, group: familyCapacityProviders, noun: "capacity provider", arnPath: "capacity-provider/",
	fields: fields{ID: "CapacityProviderId", ARN: "CapacityProviderArn", Status: "Status", Reason: "StatusReason", Created: "CreatedAt", Updated: "LastUpdatedAt"},
	states: asyncStates, listLimit: defaultCapacityProviderListLimit,
	quota: func(q Quotas) int {
		return quotaOrDefault(q.CapacityProvidersPerAccount, DefaultQuotas.CapacityProvidersPerAccount)
	},
	// The listing entry's lastUpdatedAt travels as epoch seconds, the
	// document's as ISO-8601, so copying by member name leaves it out.
	summary: func(r *capacityProviderRecord) any {
		sum := members.Project[api.CapacityProviderSummary](r)
		sum.LastUpdatedAt = api.NewEpochTime(r.LastUpdatedAt.Time)
		return sum
	},
	beforeDelete: func(ctx context.Context, tx store.Tx, sc scope, _ *store.Resource, rec *capacityProviderRecord) error {
		rec.StatusCode = ""
		return refuseCapacityProviderInUse(ctx, tx, sc, rec)
	},
	settled: func(_ context.Context, _ *Service, _ store.Tx, _ *store.Resource, rec *capacityProviderRecord, _ string) error {
		rec.StatusCode = ""
		if rec.StatusReason != "" {
			rec.StatusCode = api.CapacityProviderStatusCodeInternalServerException
		}
		return nil
	},
}

func (s *Service) CreateCapacityProvider(ctx context.Context, in *api.CreateCapacityProviderInput) (*api.CreateCapacityProviderOutput, error) {
	return create[api.CreateCapacityProviderOutput](ctx, s, capacityProviders, creation{name: in.Name, tags: in.Tags, from: in}, nil)
}

func (s *Service) GetCapacityProvider(ctx context.Context, in *api.GetCapacityProviderInput) (*api.GetCapacityProviderOutput, error) {
	return get[api.GetCapacityProviderOutput](ctx, s, capacityProviders, "", in.CapacityProviderId)
}

func (s *Service) UpdateCapacityProvider(ctx context.Context, in *api.UpdateCapacityProviderInput) (*api.UpdateCapacityProviderOutput, error) {
	return update[api.UpdateCapacityProviderOutput](ctx, s, capacityProviders, "", in.CapacityProviderId, in,
		func(_ store.Tx, _ scope, _ *store.Resource, rec *capacityProviderRecord) error {
			rec.StatusCode = "" // the failure it reported is over
			return nil
		})
}

func (s *Service) DeleteCapacityProvider(ctx context.Context, in *api.DeleteCapacityProviderInput) (*api.DeleteCapacityProviderOutput, error) {
	return remove[api.DeleteCapacityProviderOutput](ctx, s, capacityProviders, "", in.CapacityProviderId)
}

func (s *Service) ListCapacityProviders(ctx context.Context, in *api.ListCapacityProvidersInput) (*api.ListCapacityProvidersOutput, error) {
	return answerPage[api.ListCapacityProvidersOutput](list[api.CapacityProviderSummary](ctx, s, capacityProviders,
		listing[capacityProviderRecord]{maxResults: in.MaxResults, nextToken: in.NextToken}))
}

// ---- Runtime versions that use a capacity provider.
//
// The runtime family's rows are read here as the store holds them, not
// through runtimes.go: "runtime" rows (top level) and "runtime-version" rows
// (parent: the runtime id), whose documents carry the model's
// GetAgentRuntime members under their wire names.

// runtimeVersionUse is what this family reads of a runtime-version
// document: the version's listing entry and the provider it runs on.
type runtimeVersionUse struct {
	api.AgentRuntimeVersionSummary
	CapacityProviderConfiguration *api.CapacityProviderConfiguration `json:"capacityProviderConfiguration"`
}

// versionOnProvider is one runtime version that uses a provider, with the
// seq of its row (the listing's order and page position).
type versionOnProvider struct {
	seq     int64
	summary api.AgentRuntimeVersionSummary
}

// runtimeVersionsOn returns the runtime versions of the caller's account
// and region whose configuration names the capacity provider arn, in
// creation order. It reads every version of every runtime: the store
// indexes no document member, and versions sit under their own runtime.
func runtimeVersionsOn(ctx context.Context, tx store.Tx, sc scope, arn string) ([]versionOnProvider, error) {
	runtimes, err := tx.List(ctx, store.ListQuery{Account: sc.account, Region: sc.region, Kind: kindRuntime, SummaryOnly: true})
	if err != nil {
		return nil, err
	}
	var out []versionOnProvider
	for _, rt := range runtimes {
		versions, err := tx.List(ctx, store.ListQuery{Account: sc.account, Region: sc.region, Kind: kindRuntimeVersion, ParentID: rt.ID})
		if err != nil {
			return nil, err
		}
		for _, v := range versions {
			var use runtimeVersionUse
			if err := decodeDoc(v, &use); err != nil {
				return nil, err
			}
			if c := use.CapacityProviderConfiguration; c != nil && c.CapacityProviderArn == arn {
				out = append(out, versionOnProvider{seq: v.Seq, summary: use.AgentRuntimeVersionSummary})
			}
		}
	}
	slices.SortFunc(out, func(a, b versionOnProvider) int { return cmp.Compare(a.seq, b.seq) })
	return out, nil
}

// refuseCapacityProviderInUse is the delete rule: no runtime version may
// still use the provider.
func refuseCapacityProviderInUse(ctx context.Context, tx store.Tx, sc scope, rec *capacityProviderRecord) error {
	uses, err := runtimeVersionsOn(ctx, tx, sc, rec.CapacityProviderArn)
	if err != nil || len(uses) == 0 {
		return err
	}
	first := uses[0].summary
	return awserr.Conflict("Capacity provider '%s' is used by %d agent runtime version(s), among them version %s of %s; "+
		"delete the agent runtimes that use it before deleting the capacity provider.",
		rec.CapacityProviderId, len(uses), first.AgentRuntimeVersion, first.AgentRuntimeArn)
}

func (s *Service) ListAgentRuntimeVersionsByCapacityProvider(ctx context.Context, in *api.ListAgentRuntimeVersionsByCapacityProviderInput) (*api.ListAgentRuntimeVersionsByCapacityProviderOutput, error) {
	sc := scopeOf(ctx)
	arn := capacityProviders.arn(sc, "", in.CapacityProviderId)
	// Tokens are bound to this provider's listing.
	parent := capacityProviders.arnPath + in.CapacityProviderId
	out := &api.ListAgentRuntimeVersionsByCapacityProviderOutput{}
	err := s.read(ctx, func(tx store.Tx) error {
		after, err := s.decodePageToken(sc, in.NextToken, kindRuntimeVersion, parent)
		if err != nil {
			return err
		}
		uses, err := runtimeVersionsOn(ctx, tx, sc, arn)
		if err != nil {
			return err
		}
		start, _ := slices.BinarySearchFunc(uses, after+1, func(u versionOnProvider, seq int64) int { return cmp.Compare(u.seq, seq) })
		page := uses[start:]
		out.NextToken = ""
		if limit := intValue(in.MaxResults, defaultCapacityProviderListLimit); len(page) > limit {
			page = page[:limit]
			out.NextToken = s.encodePageToken(sc, pageToken{Kind: kindRuntimeVersion, Parent: parent, Seq: page[len(page)-1].seq})
		}
		out.AgentRuntimes = make([]api.AgentRuntimeVersionSummary, len(page))
		for i, u := range page {
			out.AgentRuntimes[i] = u.summary
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// checkCapacityProvider is the rule CreateAgentRuntime and
// UpdateAgentRuntime apply, inside their transaction, to the
// capacityProviderConfiguration they are given (nil: none): it must name a
// capacity provider of the caller's account and region that is in service.
func checkCapacityProvider(ctx context.Context, tx store.Tx, sc scope, cfg *api.CapacityProviderConfiguration) error {
	if cfg == nil {
		return nil
	}
	missing := awserr.NotFound("Capacity provider '%s' was not found.", cfg.CapacityProviderArn)
	id, ok := strings.CutPrefix(cfg.CapacityProviderArn, sc.arn(capacityProviders.arnPath))
	if !ok {
		return missing // another account, region or partition
	}
	row, err := tx.Get(ctx, sc.key(kindCapacityProvider, id))
	if errors.Is(err, store.ErrNotFound) {
		return missing
	}
	if err != nil {
		return err
	}
	switch api.CapacityProviderStatus(row.Status) {
	case api.CapacityProviderStatusReady, api.CapacityProviderStatusUpdating, api.CapacityProviderStatusUpdateFailed:
		return nil
	}
	return awserr.Validation("Capacity provider '%s' is %s; an agent runtime can use it only once it is READY.", cfg.CapacityProviderArn, row.Status)
}
