package service

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"agentcored/internal/api"
	"agentcored/internal/awserr"
	"agentcored/internal/members"
	"agentcored/internal/store"
)

// Agent runtimes. Stored as:
//   - one "runtime" row: the latest version's full configuration and the
//     runtime's status;
//   - one immutable "runtime-version" row per version (parent: the runtime),
//     which records how its own rollout ended;
//   - "runtime-endpoint" rows (endpoints.go), DEFAULT among them;
//   - the "workload-identity" row named after the runtime id (identities.go).
//
// Statuses: CREATING -> READY (or CREATE_FAILED), UPDATING -> READY (or
// UPDATE_FAILED), DELETING -> gone with its versions, endpoints and
// identity. The model has no DELETE_FAILED: a deletion always completes.
//
// Decisions:
//   - UpdateAgentRuntime replaces the whole configuration (PUT semantics):
//     members left out are cleared, and it makes the next version.
//   - A runtime with endpoints besides DEFAULT cannot be deleted
//     (ConflictException).
//   - networkConfiguration, optional since the 2025 models, defaults to
//     PUBLIC on create (the mode of a runtime without a VPC); an update
//     that leaves it out keeps the current one rather than silently moving
//     a VPC runtime to the public network.
//   - DeleteAgentRuntime with agentRuntimeVersion deletes only that version
//     (API reference), at once: versions have no lifecycle of their own. It
//     answers DELETING like a whole delete. The latest version (which DEFAULT
//     serves) and a version any endpoint serves or is moving to cannot be
//     deleted (ConflictException); deleting the endpoint or moving it first
//     frees the version.
const (
	kindRuntime        = "runtime"
	kindRuntimeVersion = "runtime-version"
	kindEndpoint       = "runtime-endpoint"
	defaultEndpoint    = "DEFAULT"
	familyRuntimes     = "runtimes"
)

// Documented defaults of LifecycleConfiguration.
const (
	defaultIdleTimeout = 900
	defaultMaxLifetime = 28800
)

// runtimeRecord is the document of runtime and runtime-version rows.
type runtimeRecord struct {
	api.GetAgentRuntimeResponse
	failable
}

var runtimes = &family[runtimeRecord]{
	kind: kindRuntime, group: familyRuntimes, noun: "agent runtime", arnPath: "runtime/",
	fields: fields{ID: "AgentRuntimeId", ARN: "AgentRuntimeArn", Status: "Status", Reason: "FailureReason", Created: "CreatedAt", Updated: "LastUpdatedAt"},
	states: asyncEnding("READY", ""),
	quota:  func(q Quotas) int { return q.RuntimesPerAccount }, listLimit: 100,
	missing: func(_, id string) error { return runtimeNotFound(id) },
	taken: func(_, name string) error {
		return awserr.Conflict("Runtime name '%s' already exists or was recently deleted", name)
	},
	busy:    func(id, status string) error { return changeInProgress("Agent", id, status) },
	summary: func(r *runtimeRecord) any { return r.listSummary() },
	// Every runtime has its DEFAULT endpoint; any other blocks the delete.
	beforeDelete: refuseWithChildren[runtimeRecord](kindEndpoint, func(_ string, n int) error {
		if n > 1 {
			return awserr.Conflict("This agent has endpoints that must be deleted first")
		}
		return nil
	}),
	settled: settleRuntime,
}

// runtimeVersions are the version rows, "<runtimeId>/v<version>": written
// by Create and Update, read by Get and listed, never changed by a caller.
var runtimeVersions = &family[runtimeRecord]{
	kind: kindRuntimeVersion, noun: "version", fields: fields{ID: "AgentRuntimeVersion", Status: "Status"},
	listLimit: 100, summary: func(r *runtimeRecord) any { return r.listSummary() },
	parentExists: runtimeExists,
	missing: func(runtimeID, v string) error {
		return awserr.NotFound("Version %s of agent '%s' was not found.", strings.TrimPrefix(v, "v"), runtimeID)
	},
}

func runtimeNotFound(id string) error {
	return awserr.NotFound("Agent '%s' was not found. Please check the agent ID and try again.", id)
}

// runtimeExists is the parentExists hook of versions and endpoints.
func runtimeExists(ctx context.Context, tx store.Tx, sc scope, id string) error {
	_, _, err := runtimes.load(ctx, tx, sc, "", id)
	return err
}

// changeInProgress refuses to change a runtime or endpoint while another
// change is pending.
func changeInProgress(noun, id, status string) error {
	return awserr.Conflict("%s '%s' is %s; wait until the change completes and try again.", noun, id, status)
}

func versionRowID(runtimeID, version string) string { return runtimeID + "/v" + version }

// checkNetwork enforces what the model cannot say: VPC mode needs its
// subnets and security groups, and only VPC mode takes them.
func checkNetwork(member string, mode string, hasVpc bool, vpcMember string) error {
	switch {
	case mode == "VPC" && !hasVpc:
		return awserr.Validation("1 validation error detected: Value null at '%s.%s' failed to satisfy constraint: Member must not be null when networkMode is VPC", member, vpcMember)
	case mode != "VPC" && hasVpc:
		return awserr.Validation("1 validation error detected: Value at '%s.%s' failed to satisfy constraint: Member is only allowed when networkMode is VPC", member, vpcMember)
	}
	return nil
}

// checkRuntimeConfig enforces the rules beyond the model on the
// configuration a create or update sets.
func checkRuntimeConfig(n *api.NetworkConfiguration, lc *api.LifecycleConfiguration) error {
	if err := checkNetwork("networkConfiguration", string(n.NetworkMode), n.NetworkModeConfig != nil, "networkModeConfig"); err != nil {
		return err
	}
	if lc != nil && lc.IdleRuntimeSessionTimeout != nil && lc.MaxLifetime != nil && *lc.IdleRuntimeSessionTimeout > *lc.MaxLifetime {
		return awserr.Validation("idleRuntimeSessionTimeout must be less than or equal to maxLifetime")
	}
	return nil
}

// configure writes a create's or update's configuration into a runtime
// record, as a full replacement, with the lifecycle defaults the service
// reports when none were given.
func configure(rec *runtimeRecord, in any) {
	members.Assign(rec, in)
	lc := api.LifecycleConfiguration{}
	if rec.LifecycleConfiguration != nil {
		lc = *rec.LifecycleConfiguration
	}
	if lc.IdleRuntimeSessionTimeout == nil {
		lc.IdleRuntimeSessionTimeout = ptr(int64(defaultIdleTimeout))
	}
	if lc.MaxLifetime == nil {
		lc.MaxLifetime = ptr(int64(defaultMaxLifetime))
	}
	rec.LifecycleConfiguration = &lc
}

// CreateAgentRuntime is written out rather than the engine's create: one
// transaction writes the runtime, its version 1, its DEFAULT endpoint and
// its identity, and under the immediate lifecycle their end state at once.
func (s *Service) CreateAgentRuntime(ctx context.Context, in *api.CreateAgentRuntimeRequest) (*api.CreateAgentRuntimeResponse, error) {
	if in.NetworkConfiguration == nil {
		in.NetworkConfiguration = &api.NetworkConfiguration{NetworkMode: api.NetworkModePublic}
	}
	if err := checkRuntimeConfig(in.NetworkConfiguration, in.LifecycleConfiguration); err != nil {
		return nil, err
	}
	if err := checkHeaderAllowlist(in.RequestHeaderConfiguration, in.AuthorizerConfiguration); err != nil {
		return nil, err
	}
	if err := checkTagKeys("tags", mapKeys(in.Tags)); err != nil {
		return nil, err
	}
	sc := scopeOf(ctx)
	return mutate(ctx, s, func(tx store.Tx) (*api.CreateAgentRuntimeResponse, error) {
		if err := checkCapacityProvider(ctx, tx, sc, in.CapacityProviderConfiguration); err != nil {
			return nil, err
		}
		if err := runtimes.checkRoom(ctx, s, tx, sc, "", in.AgentRuntimeName); err != nil {
			return nil, err
		}
		now := s.now().UTC()
		id := newID(in.AgentRuntimeName)
		rec := &runtimeRecord{}
		configure(rec, in)
		rec.AgentRuntimeId, rec.AgentRuntimeArn, rec.AgentRuntimeVersion = id, runtimes.arn(sc, "", id), "1"
		rec.CreatedAt = api.NewDateTime(now)
		runtimes.setStatus(rec, "CREATING", "", now)
		runtimes.injectFailure(ctx, s, rec)
		wi, err := s.linkIdentity(ctx, tx, sc, id, rec.AgentRuntimeArn, now)
		if err != nil {
			return nil, err
		}
		rec.WorkloadIdentityDetails = &api.WorkloadIdentityDetails{WorkloadIdentityArn: wi}
		ep := newDefaultEndpoint(rec, now)
		out := members.Project[api.CreateAgentRuntimeResponse](rec)
		// Under the immediate lifecycle the runtime and its endpoint would
		// be reconciled in this same transaction: write their end state
		// straight away instead of writing CREATING and then updating
		// three rows (the hot path of a create).
		settled := s.lifecycle.Immediate(kindRuntime) && s.lifecycle.Immediate(kindEndpoint)
		if settled {
			runtimes.conclude(rec, now)
			endpoints.conclude(ep, now)
			goLive(ep)
		}
		row, err := runtimes.insert(ctx, tx, sc, "", id, in.AgentRuntimeName, rec, now)
		if errors.Is(err, store.ErrConflict) {
			return nil, runtimes.nameTaken("", in.AgentRuntimeName)
		}
		if err != nil {
			return nil, err
		}
		if _, err := runtimeVersions.insert(ctx, tx, sc, id, "v1", "", rec, now); err != nil {
			return nil, err
		}
		if err := s.createTags(ctx, tx, rec.AgentRuntimeArn, in.Tags); err != nil {
			return nil, err
		}
		epRow, err := endpoints.insert(ctx, tx, sc, id, defaultEndpoint, defaultEndpoint, ep, now)
		if err != nil {
			return nil, err
		}
		if !settled {
			for _, r := range []*store.Resource{row, epRow} {
				if err := s.lifecycle.Schedule(ctx, tx, r); err != nil {
					return nil, err
				}
			}
		}
		return out, nil
	})
}

func (s *Service) GetAgentRuntime(ctx context.Context, in *api.GetAgentRuntimeRequest) (*api.GetAgentRuntimeResponse, error) {
	sc := scopeOf(ctx)
	var rec *runtimeRecord
	err := s.readRepeatable(ctx, func(tx store.Tx) error {
		_, latest, err := runtimes.load(ctx, tx, sc, "", in.AgentRuntimeId)
		if err != nil {
			return err
		}
		rec = latest
		if in.AgentRuntimeVersion == "" || in.AgentRuntimeVersion == latest.AgentRuntimeVersion {
			return nil
		}
		_, rec, err = runtimeVersions.load(ctx, tx, sc, in.AgentRuntimeId, "v"+in.AgentRuntimeVersion)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &rec.GetAgentRuntimeResponse, nil
}

// UpdateAgentRuntime is written out rather than the engine's update: the
// new version's row must hold the status entered before the change is
// scheduled, since the immediate lifecycle ends it in that row too.
func (s *Service) UpdateAgentRuntime(ctx context.Context, in *api.UpdateAgentRuntimeRequest) (*api.UpdateAgentRuntimeResponse, error) {
	if in.NetworkConfiguration != nil {
		if err := checkRuntimeConfig(in.NetworkConfiguration, in.LifecycleConfiguration); err != nil {
			return nil, err
		}
	}
	// An update replaces the configuration whole: its allowlist is checked
	// against its own authorizer.
	if err := checkHeaderAllowlist(in.RequestHeaderConfiguration, in.AuthorizerConfiguration); err != nil {
		return nil, err
	}
	sc := scopeOf(ctx)
	return mutate(ctx, s, func(tx store.Tx) (*api.UpdateAgentRuntimeResponse, error) {
		row, rec, err := runtimes.load(ctx, tx, sc, "", in.AgentRuntimeId)
		if err != nil {
			return nil, err
		}
		if in.NetworkConfiguration == nil {
			in.NetworkConfiguration = rec.NetworkConfiguration
			if err := checkRuntimeConfig(in.NetworkConfiguration, in.LifecycleConfiguration); err != nil {
				return nil, err
			}
		}
		if runtimes.transitional(row.Status) {
			return nil, runtimes.busy(in.AgentRuntimeId, row.Status)
		}
		if err := checkCapacityProvider(ctx, tx, sc, in.CapacityProviderConfiguration); err != nil {
			return nil, err
		}
		prev, _ := strconv.Atoi(rec.AgentRuntimeVersion)
		if prev >= s.quotas.VersionsPerRuntime {
			return nil, awserr.QuotaExceeded("Agent '%s' has reached the maximum of %d versions.", in.AgentRuntimeId, s.quotas.VersionsPerRuntime)
		}
		now := s.now().UTC()
		configure(rec, in)
		rec.AgentRuntimeVersion = strconv.Itoa(prev + 1)
		runtimes.setStatus(rec, "UPDATING", "", now)
		runtimes.injectFailure(ctx, s, rec)
		if _, err := runtimeVersions.insert(ctx, tx, sc, rec.AgentRuntimeId, "v"+rec.AgentRuntimeVersion, "", rec, now); err != nil {
			return nil, err
		}
		if err := runtimes.save(ctx, s, tx, row, rec, now); err != nil {
			return nil, err
		}
		// DEFAULT follows the latest version; other endpoints stay pinned.
		if err := s.retargetDefault(ctx, tx, sc, rec, now); err != nil {
			return nil, err
		}
		return members.Project[api.UpdateAgentRuntimeResponse](rec), nil
	})
}

func (s *Service) DeleteAgentRuntime(ctx context.Context, in *api.DeleteAgentRuntimeRequest) (*api.DeleteAgentRuntimeResponse, error) {
	if in.AgentRuntimeVersion != "" {
		return s.deleteRuntimeVersion(ctx, in.AgentRuntimeId, in.AgentRuntimeVersion)
	}
	// A whole deletion names no version: the answer (and its clientToken
	// replay) is the record projected without one.
	out, err := remove[runtimeDeletion](ctx, s, runtimes, "", in.AgentRuntimeId)
	if err != nil {
		return nil, err
	}
	return &api.DeleteAgentRuntimeResponse{AgentRuntimeId: out.AgentRuntimeId, Status: out.Status}, nil
}

type runtimeDeletion struct {
	Status         api.AgentRuntimeStatus `json:"status,omitzero"`
	AgentRuntimeId string                 `json:"agentRuntimeId,omitzero"`
}

// deleteRuntimeVersion deletes one version that nothing serves (see the
// header).
func (s *Service) deleteRuntimeVersion(ctx context.Context, runtimeID, version string) (*api.DeleteAgentRuntimeResponse, error) {
	sc := scopeOf(ctx)
	return mutate(ctx, s, func(tx store.Tx) (*api.DeleteAgentRuntimeResponse, error) {
		row, latest, err := runtimes.load(ctx, tx, sc, "", runtimeID)
		if err != nil {
			return nil, err
		}
		if runtimes.transitional(row.Status) {
			return nil, runtimes.busy(runtimeID, row.Status)
		}
		versionRow, _, err := runtimeVersions.load(ctx, tx, sc, runtimeID, "v"+version)
		if err != nil {
			return nil, err
		}
		if version == latest.AgentRuntimeVersion {
			return nil, awserr.Conflict("Version %s is the latest version of agent '%s', which the DEFAULT endpoint serves; it cannot be deleted.", version, runtimeID)
		}
		eps, err := tx.List(ctx, store.ListQuery{Account: sc.account, Region: sc.region, Kind: kindEndpoint, ParentID: runtimeID})
		if err != nil {
			return nil, err
		}
		for _, epRow := range eps {
			var ep endpointRecord
			if err := decodeDoc(epRow, &ep); err != nil {
				return nil, err
			}
			if ep.LiveVersion == version || ep.TargetVersion == version {
				return nil, awserr.Conflict("Version %s of agent '%s' is used by endpoint '%s'; delete the endpoint or point it at another version first.", version, runtimeID, epRow.Name)
			}
		}
		if err := tx.Delete(ctx, versionRow.Key()); err != nil {
			return nil, err
		}
		return &api.DeleteAgentRuntimeResponse{AgentRuntimeId: runtimeID, AgentRuntimeVersion: version, Status: api.AgentRuntimeStatusDeleting}, nil
	})
}

func (s *Service) ListAgentRuntimes(ctx context.Context, in *api.ListAgentRuntimesRequest) (*api.ListAgentRuntimesResponse, error) {
	return answerPage[api.ListAgentRuntimesResponse](list[api.AgentRuntime](ctx, s, runtimes,
		listing[runtimeRecord]{maxResults: in.MaxResults, nextToken: in.NextToken}))
}

func (s *Service) ListAgentRuntimeVersions(ctx context.Context, in *api.ListAgentRuntimeVersionsRequest) (*api.ListAgentRuntimeVersionsResponse, error) {
	return answerPage[api.ListAgentRuntimeVersionsResponse](list[api.AgentRuntime](ctx, s, runtimeVersions,
		listing[runtimeRecord]{parent: in.AgentRuntimeId, maxResults: in.MaxResults, nextToken: in.NextToken}))
}

// listSummary is a runtime's (or version's) listing entry. AgentRuntime
// makes description required: a runtime without one lists "" (the type's
// own MarshalJSON, internal/api/required.go, sends it even when empty).
func (r runtimeRecord) listSummary() any {
	return api.AgentRuntime{
		AgentRuntimeArn: r.AgentRuntimeArn, AgentRuntimeId: r.AgentRuntimeId, AgentRuntimeVersion: r.AgentRuntimeVersion,
		AgentRuntimeName: r.AgentRuntimeName, Description: r.Description, LastUpdatedAt: r.LastUpdatedAt, Status: r.Status,
	}
}

// settleRuntime is the settled hook of runtimes: the version row records
// how its rollout ended, and a runtime whose deletion ends takes its
// versions, endpoints and linked identity with it.
func settleRuntime(ctx context.Context, s *Service, tx store.Tx, row *store.Resource, rec *runtimeRecord, from string) error {
	if from == "DELETING" {
		if err := s.removeChildren(ctx, tx, row, kindRuntimeVersion, kindEndpoint); err != nil {
			return err
		}
		return s.deleteLinkedIdentity(ctx, tx, row)
	}
	v, err := tx.Get(ctx, store.Key{Account: row.Account, Region: row.Region, Kind: kindRuntimeVersion, ID: versionRowID(row.ID, rec.AgentRuntimeVersion)})
	if err != nil {
		return err
	}
	v.Status, v.UpdatedAt = string(rec.Status), rec.LastUpdatedAt.Time
	setDoc(v, rec)
	return tx.Update(ctx, v)
}
